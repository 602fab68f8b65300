/**
 * Usage mistakes (an unknown command or option, a missing argument) are one line on stderr and
 * exit 2, as the README promises; help and version still exit 0.
 */
import { describe, expect, it } from 'vitest';
import { camctlInProcess } from '../helpers/camctl-in-process.js';

describe('usage errors', () => {
  it.each([
    [['nosuch'], /^camctl: unknown command 'nosuch' — see camctl --help$/],
    [['lss'], /^camctl: unknown command 'lss' \(did you mean ls\?\) — see camctl --help$/],
    [['ls', '--bogus'], /^camctl: unknown option '--bogus' — see camctl ls --help$/],
    [['ptp', 'prop', 'get'], /^camctl: missing required argument 'code' — see camctl ptp prop get --help$/],
    [['--camera'], /^camctl: option '-c, --camera <url>' argument missing — see camctl --help$/],
  ])('%j → one line, exit 2', async (args, line) => {
    const r = await camctlInProcess(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it('--help and --version exit 0 on stdout', async () => {
    for (const args of [['--help'], ['ls', '--help'], ['--version']]) {
      const r = await camctlInProcess(...args);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout.length).toBeGreaterThan(0);
    }
  });
});

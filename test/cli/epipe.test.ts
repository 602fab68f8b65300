/**
 * `camctl … | head`: when the reader closes the pipe before camctl has written everything, camctl
 * stops quietly (exit 0, nothing on stderr) instead of dying on an unhandled EPIPE.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanup, cliEnv, requireBuild, startEmu } from './helpers.js';

beforeAll(requireBuild);
afterEach(cleanup);

/** Runs camctl with its stdout a pipe whose reading end is closed at once, as `| head -0` would. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv() });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('stdout closed by the reader', () => {
  it.each([[['--help']], [['config', '--help']], [['help', 'sync']], [['--version']]])(
    'camctl %j exits quietly',
    async (args) => {
      const r = await withClosedStdout(args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
  );

  it('a camera command too (camctl config on the emulated Sequoia)', async () => {
    const { camera } = await startEmu();
    const r = await withClosedStdout(['--camera', camera, 'config']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

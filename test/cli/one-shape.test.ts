/**
 * One shape for every command's help: each command's --help lists the global options (--camera,
 * --json, --timeout) and shows at least one example. Read from the commander program in-process.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

/** Every command below the program, with its full name (`ptp prop get`). */
function commands(cmd: Command, prefix: string[] = []): Array<[string, Command]> {
  const out: Array<[string, Command]> = [];
  for (const sub of cmd.commands) {
    const name = [...prefix, sub.name()];
    out.push([name.join(' '), sub], ...commands(sub, name));
  }
  return out;
}

/** The whole help text, with what addHelpText adds after the generated part. */
function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

describe('per-command --help', () => {
  const all = commands(buildProgram());

  it('covers the commands the issue names', () => {
    const names = all.map(([n]) => n);
    for (const n of ['options', 'config set', 'ptp prop get', 'ptp prop set', 'capture start', 'capture stop']) expect(names).toContain(n);
  });

  it.each(all)('%s shows the global options and an example', (_name, cmd) => {
    const help = helpOf(cmd);
    expect(help).toMatch(/Global Options:/);
    for (const option of ['--camera', '--json', '--timeout']) expect(help).toContain(option);
    expect(help).toMatch(/Examples?:\n {2}camctl /);
  });
});

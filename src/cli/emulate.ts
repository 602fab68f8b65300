/**
 * `camctl emulate <model>`: runs an emulated camera until SIGINT/SIGTERM.
 * Each model has its own file (emulate-sequoia.ts, emulate-theta.ts); this groups them.
 */
import { Command } from 'commander';
import { registerSequoia } from './emulate-sequoia.js';
import { registerTheta } from './emulate-theta.js';

export function register(program: Command): void {
  const emulate = program
    .command('emulate')
    .description('run an emulated camera on this machine (binds 127.0.0.1 unless --host is given)')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl emulate sequoia --http-port 8080\n  camctl emulate theta --ptpip-port 0',
    );
  registerSequoia(emulate);
  registerTheta(emulate);
}

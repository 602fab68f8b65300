#!/usr/bin/env node
// Entry point. `--version` is answered without loading the CLI so a cold start stays close to
// `node -e 0` (bench/coldstart.bench.ts); everything else loads the compiled CLI.
import { readFileSync } from 'node:fs';

// A reader that stops early (`camctl … --help | head`) closes the pipe: stop quietly, as other
// Unix tools do, instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import('../dist/src/cli/main.js');
  await main(process.argv);
}

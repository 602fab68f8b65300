#!/usr/bin/env node
// `npm test`: the static checks and the test suite, side by side.
//
// The checks (type-checks, lint, formatting, layering, API docs) keep a core busy; the test files
// mostly wait on sockets, the emulated links and child processes (Ceph, Chromium, gphoto2). Run
// one after the other they took the sum of both; side by side the checks fill the suite's waits.
// The checks run in order in one lane at a lower priority (nice 10), their output held and
// printed when each ends, so the suite's own progress stays readable. Exit status: the first
// failure's, else 0.
//
// `npm test -- <vitest arguments>` (a file, -t NAME, …) runs only those tests, without the checks.
//
// The checks keep their caches in node_modules/.cache/camctl-test (tsc's build info, ESLint's and
// Prettier's per-file results, each keyed by file content), so a second run re-checks only what
// changed. A fresh clone starts without them.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const cache = path.join(root, 'node_modules', '.cache', 'camctl-test');
mkdirSync(cache, { recursive: true });

/** The JavaScript file behind a package's command, run with this node (no npx, no shell). */
function bin(pkg, name = pkg) {
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[name];
  return path.join(path.dirname(manifestPath), rel);
}

const checks = [
  [
    'type-check (tsc)',
    bin('typescript', 'tsc'),
    ['-p', 'tsconfig.json', '--noEmit', '--incremental', '--tsBuildInfoFile', path.join(cache, 'tsc.tsbuildinfo')],
  ],
  [
    'type-check the dashboard page (tsc)',
    bin('typescript', 'tsc'),
    [
      '-p',
      'src/dashboard/ui/tsconfig.json',
      '--incremental',
      '--tsBuildInfoFile',
      path.join(cache, 'tsc-ui.tsbuildinfo'),
    ],
  ],
  [
    'lint (eslint)',
    bin('eslint'),
    ['.', '--cache', '--cache-strategy', 'content', '--cache-location', path.join(cache, 'eslint')],
  ],
  [
    'formatting (prettier)',
    bin('prettier'),
    ['--check', '.', '--log-level', 'warn', '--cache', '--cache-location', path.join(cache, 'prettier')],
  ],
  ['layering (dependency-cruiser)', path.join(root, 'scripts', 'check-layers.mjs'), []],
  // The type-check above already reports type errors; typedoc here checks the public API's docs.
  ['API docs (typedoc)', bin('typedoc'), ['--emit', 'none', '--skipErrorChecking']],
];

/** Runs `node file ...args`; resolves with its exit status and, when `hold`, its output. */
function run(file, args, hold) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: root,
      stdio: hold ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: hold ? { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } : process.env,
    });
    // The checks take what the tests leave: at a lower priority they fill the suite's waits
    // instead of slowing the tests that drive Chromium and the emulators against the clock.
    if (hold && child.pid !== undefined) {
      try {
        setPriority(child.pid, 10);
      } catch {
        // Not permitted here: the checks then run at the same priority, only slower for the tests.
      }
    }
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ status: 1, output: `${output}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 128 + 2 : 1), output }));
  });
}

const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

async function staticChecks() {
  const lines = [];
  for (const [name, file, args] of checks) {
    const started = performance.now();
    const { status, output } = await run(file, args, true);
    if (status !== 0) {
      lines.push(`✗ ${name} failed (${seconds(started)}):\n${output.trimEnd()}`);
      return { status, lines };
    }
    lines.push(`✓ ${name} (${seconds(started)})`);
  }
  return { status: 0, lines };
}

const vitest = bin('vitest');
const extra = process.argv.slice(2);
if (extra.length > 0) {
  console.log('(only the tests named: the static checks run with a plain `npm test`)');
  process.exit((await run(vitest, ['run', ...extra], false)).status);
}

const started = performance.now();
const [checked, tested] = await Promise.all([staticChecks(), run(vitest, ['run'], false)]);
console.log(`\nStatic checks, beside the tests:\n${checked.lines.join('\n')}`);
console.log(`npm test took ${seconds(started)}`);
process.exit(checked.status || tested.status);

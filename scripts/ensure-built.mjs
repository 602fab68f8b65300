#!/usr/bin/env node
// Builds (npm run build) only when a source is newer than the last build, so `npm start` and
// `npm test` right after `npm ci` (whose `prepare` step already built) start at once instead of
// compiling everything again.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.build-stamp');

function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

const inputs = [
  'src',
  'bench',
  'scripts',
  'binding.gyp',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
const sourceTime = Math.max(...inputs.map((p) => newest(join(root, p))));
let builtTime = 0;
try {
  builtTime = statSync(stamp).mtimeMs;
} catch {
  /* never built */
}
if (sourceTime > builtTime) {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

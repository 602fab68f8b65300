#!/usr/bin/env node
// Builds the sendfile(2) addon (src/native/sendfile.c, described by binding.gyp) with node-gyp, the
// ecosystem's standard tool, into build/Release/camctl_sendfile.node, where node-gyp-build finds it
// (src/util/zero-copy.ts loads it that way). The addon uses N-API only, so one binary serves every
// Node.js version from 20 on.
//
//   node scripts/build-native.mjs              build when sendfile.c or binding.gyp changed (npm run build)
//   node scripts/build-native.mjs --install    the package's install script: nothing to do when a binary
//                                              that loads is there already (the prebuilt one in the
//                                              tarball), else build one
//   node scripts/build-native.mjs --prebuild   build if needed and copy into prebuilds/<platform>-<arch>/
//                                              for the tarball (prepack); a failure is fatal
//   --require                                  make a failure fatal (CI)
//
// Optional by design: where the addon cannot be built (not Linux, no C compiler, no node headers),
// camctl streams downloads through JavaScript instead, so this says why and exits 0 — installing
// camctl never fails because of the addon.
//
// node-gyp needs node's headers. It downloads them by default; this script first looks for the
// headers that ship beside the running node (official builds and Debian's nodejs-dev have them) and
// passes that folder as --nodedir, so no network is needed where they are.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'build', 'Release', 'camctl_sendfile.node');
const inputs = [join(root, 'src', 'native', 'sendfile.c'), join(root, 'binding.gyp')];
const mode = process.argv.includes('--install')
  ? 'install'
  : process.argv.includes('--prebuild')
    ? 'prebuild'
    : 'build';
const required = mode === 'prebuild' || process.argv.includes('--require');

function skip(reason) {
  process.stderr.write(`camctl: zero-copy downloads off — ${reason}; downloads stream through JavaScript instead\n`);
  process.exit(required ? 1 : 0);
}

/** The binary node-gyp-build would load, if it loads: the same lookup the package does at run time. */
function loadable() {
  try {
    const require = createRequire(import.meta.url);
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

/** node's headers beside this node binary (<prefix>/include/node), as node-gyp's --nodedir wants them. */
function localNodedir() {
  const candidates = [
    process.env.npm_config_nodedir,
    join(dirname(process.execPath), '..'),
    '/usr',
    '/usr/local',
  ].filter(Boolean);
  return candidates.find(
    (dir) =>
      existsSync(join(dir, 'include', 'node', 'common.gypi')) && existsSync(join(dir, 'include', 'node', 'node_api.h')),
  );
}

/** npm's own node-gyp (npm sets npm_config_node_gyp in scripts; it is bundled beside npm), else node-gyp on PATH. */
function nodeGyp() {
  const bundled = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/share/nodejs/node-gyp/bin/node-gyp.js',
  ];
  const script = bundled.find((f) => f && existsSync(f));
  return script ? { cmd: process.execPath, args: [script] } : { cmd: 'node-gyp', args: [] };
}

function upToDate() {
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return inputs.every((f) => statSync(f).mtimeMs <= builtAt);
}

if (process.platform !== 'linux') skip(`the sendfile addon is Linux-only (this is ${process.platform})`);
if (mode === 'install' && loadable()) process.exit(0);

// The install script builds only when nothing loads (checked above); build and prebuild reuse an
// up-to-date build/Release (N-API: it serves whichever node runs this).
if (mode === 'install' || !upToDate()) {
  const gyp = nodeGyp();
  const nodedir = localNodedir();
  const args = [...gyp.args, 'rebuild', '--loglevel=error', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const r = spawnSync(gyp.cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.error) skip(`node-gyp could not run: ${r.error.message}`);
  if (r.status !== 0) {
    process.stderr.write(r.stderr.split('\n').slice(-12).join('\n'));
    skip(
      `node-gyp failed to build src/native/sendfile.c (exit ${r.status})${nodedir ? '' : ': no node headers beside node, and it could not download them'}`,
    );
  }
}

if (mode === 'prebuild') {
  // prebuilds/<platform>-<arch>/node.napi.glibc.node: node-gyp-build's naming (runtime, N-API, libc).
  const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.node.napi.glibc.node.${process.pid}`);
  copyFileSync(built, tmp);
  renameSync(tmp, join(dir, 'node.napi.glibc.node'));
}

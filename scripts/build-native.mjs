#!/usr/bin/env node
// Builds the sendfile(2) addon (src/native/sendfile.c → dist/native/camctl_sendfile.node) with
// the system C compiler against node's own N-API headers. A plain compiler call rather than
// node-gyp: one C file, no libraries, and nothing to download. Optional by design — if it cannot
// be built, camctl still works and downloads stream through JavaScript (src/util/sendfile.ts),
// so this prints why and exits 0. `--require` (used by CI) makes a failure fatal instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const source = join(root, 'src', 'native', 'sendfile.c');
const out = join(root, 'dist', 'native', 'camctl_sendfile.node');
const required = process.argv.includes('--require');

function skip(reason) {
  process.stderr.write(`camctl: zero-copy downloads off — ${reason}\n`);
  process.exit(required ? 1 : 0);
}

if (process.platform !== 'linux') skip(`the sendfile addon is Linux-only (this is ${process.platform})`);

// Where node's headers are: next to this node binary (official builds, Debian's /usr), or npm's nodedir.
const candidates = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  process.env.npm_config_nodedir ? join(process.env.npm_config_nodedir, 'include', 'node') : undefined,
  '/usr/include/node',
  '/usr/local/include/node',
].filter(Boolean);
const include = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (!include) skip(`node_api.h not found in ${candidates.join(', ')}`);

const cc = process.env.CC || 'cc';
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const args = ['-O2', '-std=c11', '-D_GNU_SOURCE', '-DNODE_GYP_MODULE_NAME=camctl_sendfile', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', `-I${include}`, '-o', tmp, source, '-lpthread'];
const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error) skip(`${cc} could not run: ${r.error.message}`);
if (r.status !== 0) skip(`${cc} failed (exit ${r.status})`);
// Renamed into place so a running emulator never loads a half-written file.
renameSync(tmp, out);

/**
 * `camctl get PATH… [-o DIR]`: downloads files (resuming partial ones), whole folders file by file
 * into DIR/<folder>/, or folders as one zip with --zip.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Camera, RemoteFile } from '../camera/types.js';
import { interruptSignal, output, withCamera, type GlobalOptions } from './context.js';
import { createProgress } from './progress.js';

interface GetOptions {
  output: string;
  zip?: boolean;
  parallel: string;
}

export function register(program: Command): void {
  program
    .command('get')
    .description('download files or folders from the camera')
    .argument('<paths...>', 'camera paths: /<medium>/<folder>[/<file>]')
    .option('-o, --output <dir>', 'local directory', '.')
    .option('--zip', 'download folders as one zip each (as the camera serves them)')
    .option('-j, --parallel <n>', 'downloads at once', '4')
    .addHelpText(
      'after',
      `
Files are written under a temporary name and renamed once complete; an interrupted download
resumes where it stopped when run again.

Examples:
  camctl get /internal/0002/IMG_160629_123655_0000_RGB.JPG
  camctl get /internal/0002 -o ./flight        files into ./flight/0002/
  camctl get /internal/0002 --zip -o ./zips    ./zips/0002.zip`,
    )
    .action(async (paths: string[], opts: GetOptions, cmd: Command) => {
      const parallel = Number(opts.parallel);
      await withCamera(cmd, (camera, g) => run(camera, g, paths, opts, parallel), { maxConnections: Number.isInteger(parallel) && parallel > 0 ? parallel : 4 });
    });
}

async function run(camera: Camera, g: GlobalOptions, paths: string[], opts: GetOptions, parallel: number): Promise<void> {
  const { CameraError } = await import('../camera/errors.js');
  const { fetchVerified } = await import('../camera/fetch.js');
  const { mapLimit } = await import('../camera/sync.js');
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new CameraError('BAD_VALUE', `--parallel must be 1-64`);
  const { signal, dispose } = interruptSignal();
  const progress = await createProgress(g, 'download');
  const results: Array<{ path: string; file: string; size: number; transferred: number; resumedFrom: number; skipped?: boolean }> = [];
  try {
    const jobs: Array<{ remote: RemoteFile; local: string }> = [];
    for (const raw of paths) {
      const p = raw.startsWith('/') ? raw : `/${raw}`;
      const depth = p.split('/').filter(Boolean).length;
      if (depth === 2 && opts.zip) {
        const name = path.basename(p);
        const file = path.join(opts.output, `${name}.zip`);
        const { mkdir } = await import('node:fs/promises');
        await mkdir(opts.output, { recursive: true });
        const bar = progress.file(`${name}.zip`, undefined);
        const r = await camera.download(p, file, { signal, onProgress: (x) => bar.update(x.bytes) });
        bar.done();
        results.push({ path: p, file, size: r.size, transferred: r.transferred, resumedFrom: r.resumedFrom });
        if (!g.json && !g.quiet) process.stdout.write(`${file}\n`);
        continue;
      }
      if (depth === 2) {
        for (const e of await camera.list(p, { signal })) {
          if (e.kind === 'file') jobs.push({ remote: e as RemoteFile, local: path.join(opts.output, path.basename(p), e.name) });
        }
      } else if (depth === 3) {
        const [e] = await camera.list(p, { signal });
        if (e?.kind === 'file') jobs.push({ remote: e as RemoteFile, local: path.join(opts.output, e.name) });
      } else {
        throw new CameraError('BAD_PATH', `get needs /<medium>/<folder>[/<file>], got ${p}`);
      }
    }
    progress.total(jobs.reduce((n, j) => n + j.remote.size, 0));
    await mapLimit(jobs, parallel, async ({ remote, local }) => {
      const bar = progress.file(remote.name, remote.size);
      let last = 0;
      const r = await fetchVerified(camera, remote, local, {
        signal,
        onProgress: (x) => {
          bar.update(x.bytes);
          progress.add(x.bytes - x.resumedFrom - last);
          last = x.bytes - x.resumedFrom;
        },
      });
      bar.done();
      results.push({
        path: remote.path,
        file: r.file,
        size: r.size,
        transferred: r.transferred,
        resumedFrom: r.resumedFrom,
        ...(r.skipped ? { skipped: true } : {}),
      });
      if (!g.json && !g.quiet) process.stdout.write(`${r.file}${r.skipped ? ' (already complete)' : ''}\n`);
    });
  } finally {
    progress.stop();
    dispose();
  }
  output(g, { files: results }, () => '');
}

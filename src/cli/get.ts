/**
 * `camctl get PATH… [-o DIR]`: downloads files and whole folders into DIR/<medium>/<folder>/
 * (resuming partial ones, never taking a same-named local file for the camera file — see
 * download-choices.ts), or folders as one zip with --zip.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { ExistingPolicy, FetchResult } from '../camera/fetch.js';
import type { Camera, RemoteFile } from '../camera/types.js';
import { interruptSignal, output, withCamera, type GlobalOptions } from './context.js';
import {
  addDownloadChoices,
  CONFLICT_HINT,
  DOWNLOAD_CHOICES_HELP,
  downloadChoices,
  failOnConflicts,
  fileReport,
  humanLine,
  type DownloadChoiceOptions,
  type FileReport,
} from './download-choices.js';
import { createProgress, type Progress } from './progress.js';

interface GetOptions extends DownloadChoiceOptions {
  output: string;
  zip?: boolean;
  parallel: string;
}

export function register(program: Command): void {
  const get = program
    .command('get')
    .description('download files or folders from the camera')
    .argument('<paths...>', 'camera paths: /<medium>/<folder>[/<file>]')
    .option('-o, --output <dir>', 'local directory', '.')
    .option('--zip', 'download folders as one zip each (as the camera serves them)')
    .option('-j, --parallel <n>', 'downloads at once', '4');
  addDownloadChoices(get)
    .addHelpText(
      'after',
      `
Files are written under a temporary name and renamed once complete; an interrupted download
resumes where it stopped when run again.
${DOWNLOAD_CHOICES_HELP}

Examples:
  camctl get /internal/0002/IMG_160629_123655_0000_RGB.JPG    into ./internal/0002/
  camctl get /internal/0002 -o ./flight        files into ./flight/internal/0002/
  camctl get /internal/0002 -o ./flight --new  only the files not downloaded there before
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
  const { cameraIdentity, DownloadLedger } = await import('../camera/download-record.js');
  const { localPathFor, mapLimit } = await import('../camera/sync.js');
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new CameraError('BAD_VALUE', `--parallel must be 1-64`);
  const choices = downloadChoices(opts);
  const { signal, dispose } = interruptSignal();
  const progress = await createProgress(g, 'download');
  const zips: FileReport[] = [];
  const results: FileReport[] = [];
  let conflicts = 0;
  try {
    const jobs: Array<{ remote: RemoteFile; local: string }> = [];
    const seen = new Set<string>();
    // The same camera file named twice (a folder and one of its files) is fetched once.
    const add = (remote: RemoteFile): void => {
      const local = localPathFor(opts.output, remote.path);
      if (seen.has(local)) return;
      seen.add(local);
      jobs.push({ remote, local });
    };
    for (const raw of paths) {
      const p = raw.startsWith('/') ? raw : `/${raw}`;
      const depth = p.split('/').filter(Boolean).length;
      if (depth === 2 && opts.zip) {
        const r = await fetchZip(camera, p, opts.output, choices.existing, signal, progress);
        if (r.reason === 'conflict') {
          conflicts++;
          if (!g.json) process.stderr.write(`camctl: ${r.message}; ${CONFLICT_HINT}\n`);
        } else if (!g.json && !g.quiet) progress.print(humanLine(r));
        zips.push(fileReport(p, r));
        continue;
      }
      if (depth === 2) {
        for (const e of await camera.list(p, { signal })) {
          if (e.kind === 'file') add(e as RemoteFile);
        }
      } else if (depth === 3) {
        const [e] = await camera.list(p, { signal });
        if (e?.kind === 'file') add(e as RemoteFile);
      } else {
        throw new CameraError('BAD_PATH', `get needs /<medium>/<folder>[/<file>], got ${p}`);
      }
    }
    const ledger = jobs.length > 0 ? new DownloadLedger(await cameraIdentity(camera, signal)) : undefined;
    progress.total(jobs.reduce((n, j) => n + j.remote.size, 0));
    const done = await mapLimit(jobs, parallel, async ({ remote, local }) => {
      const bar = progress.file(remote.name, remote.size);
      let last = 0;
      let resumed = 0;
      const r = await fetchVerified(camera, remote, local, {
        ledger: ledger!,
        ...choices,
        signal,
        onProgress: (x) => {
          if (x.resumedFrom > resumed) {
            progress.have(x.resumedFrom - resumed);
            resumed = x.resumedFrom;
          }
          bar.update(x.bytes);
          progress.add(x.bytes - x.resumedFrom - last);
          last = x.bytes - x.resumedFrom;
        },
      });
      bar.done();
      // A file found complete (or resumed) counts as done: the total reaches 100 % when all are there.
      progress.have(Math.max(0, remote.size - resumed - last));
      if (r.reason === 'conflict') {
        conflicts++;
        if (!g.json) process.stderr.write(`camctl: ${r.message}; ${CONFLICT_HINT}\n`);
      }
      if (!g.json && !g.quiet && r.reason !== 'conflict') progress.print(humanLine(r));
      return fileReport(remote.path, r);
    });
    results.push(...done);
  } catch (err) {
    if (!signal.aborted) throw err;
    const { CliError } = await import('./errors.js');
    // Partial files stay under their temporary names, recorded as this camera's: the next run resumes them.
    throw new CliError('interrupted; run the same command again to resume', 130, { cause: err });
  } finally {
    progress.stop();
    dispose();
  }
  output(g, { files: [...zips, ...results] }, () => '');
  failOnConflicts(g, conflicts, results.length + zips.length);
}

/**
 * A folder as one zip, DIR/<folder>.zip, written under a temporary name and renamed when complete.
 * A zip is a folder's contents at one moment, so an existing one is never taken for it: it is
 * kept (and reported) unless --overwrite, or skipped quietly with --skip-existing.
 */
async function fetchZip(
  camera: Camera,
  folder: string,
  dir: string,
  existing: ExistingPolicy,
  signal: AbortSignal,
  progress: Progress,
): Promise<FetchResult> {
  const fs = await import('node:fs/promises');
  const { partName } = await import('../camera/fetch.js');
  const name = `${path.basename(folder)}.zip`;
  const file = path.join(dir, name);
  const base = { file, transferred: 0, resumedFrom: 0, overwritten: false };
  const there = await fs.stat(file).catch(() => undefined);
  if (there && existing !== 'overwrite') {
    const reason = existing === 'skip' ? 'exists' : 'conflict';
    return { ...base, size: there.size, status: 'skipped', reason, message: `${file} exists; kept it, ${folder} was not downloaded as a zip`, skipped: true };
  }
  await fs.mkdir(dir, { recursive: true });
  const part = partName(file);
  const bar = progress.file(name, undefined);
  // The camera makes the zip as it sends it: nothing to resume, each attempt starts clean.
  let r;
  try {
    r = await camera.download(folder, part, { signal, onProgress: (x) => bar.update(x.bytes) });
  } catch (err) {
    await fs.rm(part, { force: true });
    throw err;
  } finally {
    bar.done();
  }
  await fs.rename(part, file);
  return { ...base, size: r.size, transferred: r.transferred, status: 'downloaded', reason: null, message: there ? `${file} replaced` : null, overwritten: !!there, skipped: false };
}

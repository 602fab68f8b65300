/**
 * `camctl get PATH… [-o DIR]`: downloads files and whole folders into DIR/<medium>/<folder>/
 * (resuming partial ones, never taking a same-named local file for the camera file — see
 * download-choices.ts), or folders as one zip with --zip.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { ExistingPolicy, FetchResult } from '../camera/fetch.js';
import type { Camera, RemoteFile } from '../camera/types.js';
import { interruptSignal, note, output, withCamera, type GlobalOptions } from './context.js';
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
import { addFileSelection, FILE_SELECTION_HELP, type FileSelectionOptions } from './file-selection.js';
import { FILENAME_HELP, FILENUMBER_OPTION } from './filename-pattern.js';
import { createProgress, fileProgress, type Progress } from './progress.js';

interface GetOptions extends DownloadChoiceOptions, FileSelectionOptions {
  output: string;
  zip?: boolean;
  parallel: string;
  filename?: string;
  filenumber?: string;
  thumbnail?: boolean;
  hookScript?: string;
}

export function register(program: Command): void {
  const get = program
    .command('get')
    .description('download files or folders from the camera')
    .argument('<paths...>', 'camera paths: /<medium>/<folder>[/<file>]')
    .option('-o, --output <dir>', 'local directory', '.')
    .option('--zip', 'download folders as one zip each (as the camera serves them)')
    .option('-j, --parallel <n>', 'downloads at once', '4')
    .option(
      '--filename <pattern>',
      "local names under DIR, gphoto2's patterns: %f name, %C suffix, %n number, %F folder, %Y%m%d-%H%M%S capture time",
    )
    .option(...FILENUMBER_OPTION)
    .option('--thumbnail', "save the camera's thumbnails (DIR/<medium>/<folder>/thumb_NAME.jpg) instead of the files")
    .option(
      '--hook-script <file>',
      'run FILE after each file is written, as gphoto2 does (ACTION=download, ARGUMENT=local path)',
    );
  addFileSelection(addDownloadChoices(get))
    .addHelpText(
      'after',
      `
Files are written under a temporary name and renamed once complete; an interrupted download
resumes where it stopped when run again.
${DOWNLOAD_CHOICES_HELP}
${FILE_SELECTION_HELP}
${FILENAME_HELP}

Examples:
  camctl get /internal/0002/IMG_160629_123655_0000_RGB.JPG    into ./internal/0002/
  camctl get /internal/0002 -o ./flight        files into ./flight/internal/0002/
  camctl get /internal/0002 -o ./flight --new  only the files not downloaded there before
  camctl get /internal/0002 --zip -o ./zips    ./zips/0002.zip
  camctl get /internal/0002 --band nir,red --range 1-8 -o ./flight
  camctl get /internal/0002 --filename '%Y%m%d/%H%M%S_%03n_%f.%C' -o ./by-day
  camctl get /internal/100RICOH --thumbnail -o ./thumbs     (THETA, PTP cameras)
  camctl get /internal/0002 --hook-script ./upload.sh   runs ./upload.sh for every file written`,
    )
    .action(async (paths: string[], opts: GetOptions, cmd: Command) => {
      const parallel = Number(opts.parallel);
      await withCamera(cmd, (camera, g) => run(camera, g, paths, opts, parallel), {
        maxConnections: Number.isInteger(parallel) && parallel > 0 ? parallel : 4,
      });
    });
}

async function run(
  camera: Camera,
  g: GlobalOptions,
  paths: string[],
  opts: GetOptions,
  parallel: number,
): Promise<void> {
  const { CameraError } = await import('../camera/errors.js');
  const { fetchVerified } = await import('../camera/fetch.js');
  const { fetchThumbnail } = await import('../camera/fetch-thumbnail.js');
  const { cameraIdentity, DownloadLedger } = await import('../camera/download-record.js');
  const { localPathFor, mapLimit } = await import('../camera/sync.js');
  const { FileSelection } = await import('./file-selection.js');
  const { filenamePatternOf } = await import('./filename-pattern.js');
  const { CliError } = await import('./errors.js');
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)
    throw new CameraError('BAD_VALUE', `--parallel must be 1-64`);
  const choices = downloadChoices(opts);
  const selection = new FileSelection(opts);
  const pattern = filenamePatternOf(opts);
  if (opts.zip && (selection.narrows || pattern || opts.thumbnail)) {
    throw new CliError(
      '--zip takes whole folders as the camera serves them: it goes without --band, --type, --range, --filename and --thumbnail',
      2,
    );
  }
  if (opts.thumbnail && !camera.thumbnail) {
    throw new CameraError(
      'UNSUPPORTED',
      `this camera (${camera.protocol}) sends no thumbnails of its files; download the pictures themselves (without --thumbnail)`,
    );
  }
  const numbered = selection.usesNumbers || !!pattern?.usesNumber;
  const { HookScript } = await import('./hook-script.js');
  const hook = opts.hookScript !== undefined ? await HookScript.start(opts.hookScript, { json: g.json }) : undefined;
  const { signal, dispose } = interruptSignal();
  const progress = await createProgress(g, 'download');
  const zips: FileReport[] = [];
  const results: FileReport[] = [];
  let conflicts = 0;
  try {
    const jobs: Array<{ remote: RemoteFile; local: string }> = [];
    const seen = new Map<string, string>();
    /** Where a camera file goes: the camera's own tree, or the --filename pattern; thumbnails as thumb_NAME.jpg. */
    const localFor = (remote: RemoteFile, number: number | undefined): string => {
      const dot = remote.name.lastIndexOf('.');
      const jpg = `${dot > 0 ? remote.name.slice(0, dot) : remote.name}.jpg`;
      if (pattern)
        return pattern.localPath(opts.output, {
          path: remote.path,
          name: opts.thumbnail ? jpg : remote.name,
          number,
          time: remote.time,
        });
      if (opts.thumbnail)
        return localPathFor(opts.output, `${remote.path.slice(0, remote.path.lastIndexOf('/'))}/thumb_${jpg}`);
      return localPathFor(opts.output, remote.path);
    };
    // The same camera file named twice (a folder and one of its files) is fetched once; two camera
    // files that a --filename pattern gives one name are refused before anything is written.
    const add = (remote: RemoteFile, number: number | undefined): void => {
      if (!selection.matches(remote, number)) return;
      const local = localFor(remote, number);
      const before = seen.get(local);
      if (before === remote.path) return;
      if (before !== undefined) {
        throw new CliError(
          `--filename ${JSON.stringify(opts.filename)} gives ${local} for both ${before} and ${remote.path}; add %f or %n to tell them apart`,
          2,
        );
      }
      seen.set(local, remote.path);
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
        if (!r.skipped) await hook?.downloaded(r.file, p);
        zips.push(fileReport(p, r));
        continue;
      }
      if (depth === 2) {
        const files = (await camera.list(p, { signal })).filter((e): e is RemoteFile => e.kind === 'file');
        files.forEach((f, i) => add(f, i + 1));
      } else if (depth === 3) {
        if (numbered) {
          // A file's number is its place in its folder's listing, as gphoto2 numbers them.
          const folder = p.slice(0, p.lastIndexOf('/'));
          const files = (await camera.list(folder, { signal })).filter((e): e is RemoteFile => e.kind === 'file');
          const i = files.findIndex((f) => f.path === p);
          if (i < 0) throw new CameraError('NOT_FOUND', `${p}: no such file on the camera`);
          add(files[i]!, i + 1);
        } else {
          const [e] = await camera.list(p, { signal });
          if (e?.kind === 'file') add(e as RemoteFile, undefined);
        }
      } else {
        throw new CameraError('BAD_PATH', `get needs /<medium>/<folder>[/<file>], got ${p}`);
      }
    }
    if (jobs.length === 0 && selection.narrows && zips.length === 0)
      note(g, 'no camera file matches --band, --type and --range here');
    const ledger = jobs.length > 0 ? new DownloadLedger(await cameraIdentity(camera, signal)) : undefined;
    progress.total(opts.thumbnail ? 0 : jobs.reduce((n, j) => n + j.remote.size, 0));
    const done = await mapLimit(jobs, parallel, async ({ remote, local }) => {
      let r;
      if (opts.thumbnail) {
        r = await fetchThumbnail(camera, remote, local, { ledger: ledger!, ...choices, signal });
      } else {
        const bar = fileProgress(progress, remote.name, remote.size);
        r = await fetchVerified(camera, remote, local, {
          ledger: ledger!,
          ...choices,
          signal,
          onProgress: bar.onProgress,
        });
        bar.done();
      }
      if (r.reason === 'conflict') {
        conflicts++;
        if (!g.json) process.stderr.write(`camctl: ${r.message}; ${CONFLICT_HINT}\n`);
      }
      if (!g.json && !g.quiet && r.reason !== 'conflict') progress.print(humanLine(r));
      if (!r.skipped) await hook?.downloaded(r.file, remote.path);
      return fileReport(remote.path, r);
    });
    results.push(...done);
  } catch (err) {
    if (!signal.aborted) throw err;
    // Partial files stay under their temporary names, recorded as this camera's: the next run resumes them.
    throw new CliError('interrupted; run the same command again to resume', 130, { cause: err });
  } finally {
    progress.stop();
    dispose();
    await hook?.stop();
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
    return {
      ...base,
      size: there.size,
      status: 'skipped',
      reason,
      message: `${file} exists; kept it, ${folder} was not downloaded as a zip`,
      skipped: true,
    };
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
  return {
    ...base,
    size: r.size,
    transferred: r.transferred,
    status: 'downloaded',
    reason: null,
    message: there ? `${file} replaced` : null,
    overwritten: !!there,
    skipped: false,
  };
}

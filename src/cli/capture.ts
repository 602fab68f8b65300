/**
 * `camctl capture [--download DIR]` takes one picture (single mode) and, with --download, fetches
 * each of its files as soon as the camera has written it into DIR/<medium>/<folder>/, printing
 * local paths (a same-named local file is never taken for it — see download-choices.ts), with the
 * choices of `camctl get` and `camctl watch --download`: --band/--type (file-selection.ts),
 * --filename (filename-pattern.ts), --hook-script (hook-script.ts), --new/--skip-existing/--overwrite.
 * `camctl capture start|stop` drives the continuous modes (timelapse, GPS distance, overlap).
 */
import type { Command } from 'commander';
import type { Camera, RemoteFile } from '../camera/types.js';
import { CliError } from './errors.js';
import { interruptSignal, note, output, withCamera } from './context.js';
import {
  addDownloadChoices,
  CONFLICT_HINT,
  DOWNLOAD_CHOICES_HELP,
  downloadChoices,
  requireDownloadDir,
  failOnConflicts,
  fileReport,
  humanLine,
  type DownloadChoiceOptions,
  type FileReport,
} from './download-choices.js';
import { addFileSelection, BAND_TYPE_HELP, type FileSelectionOptions } from './file-selection.js';
import { FILENAME_HELP, FILENUMBER_OPTION } from './filename-pattern.js';
import { humanSize, table } from './format.js';
import { createProgress, fileProgress } from './progress.js';

/** The Sequoia's answer to a stop with nothing running, used for every camera. */
const NOT_RUNNING = 'Capture is not running';

/** The camera's words for the capture it is running, or `undefined` when none runs (or it cannot tell). */
async function runningCapture(camera: Camera): Promise<string | undefined> {
  try {
    const { capture } = await camera.status();
    return capture.state === 'capturing' ? capture.text : undefined;
  } catch {
    return undefined;
  }
}

interface CaptureOptions extends DownloadChoiceOptions, FileSelectionOptions {
  download?: string;
  wait: string;
  filename?: string;
  filenumber?: string;
  hookScript?: string;
}

export function register(program: Command): void {
  const capture = program
    .command('capture')
    .description('take a picture (single mode); "capture start|stop" for timelapse/GPS/overlap modes')
    .option('-d, --download <dir>', "download the picture's files into DIR/<medium>/<folder>/ as they appear")
    .option('--wait <seconds>', 'longest wait for the picture to be written', '60')
    .option(
      '--filename <pattern>',
      "with --download: local names under DIR, gphoto2's patterns (%f %C %n %F %Y%m%d-%H%M%S)",
    )
    .option(...FILENUMBER_OPTION)
    .option(
      '--hook-script <file>',
      'with --download: run FILE after each file is written (ACTION=download, ARGUMENT=local path)',
    );
  addFileSelection(addDownloadChoices(capture), { range: false })
    .addHelpText(
      'after',
      `
With --download:${DOWNLOAD_CHOICES_HELP.replace(/^\n/, '\n')}
${BAND_TYPE_HELP}
${FILENAME_HELP}

Examples:
  camctl capture                               one shot, prints the files
  camctl capture --download ./shots            one shot, files downloaded as they are written
                                               (./shots/internal/0003/IMG_…_RGB.JPG)
  camctl capture --download ./shots --band nir,red --filename '%Y%m%d/%H%M%S_%f.%C'
  camctl capture --download ./shots --hook-script ./process.sh   runs ./process.sh for every file
  camctl config set capture_mode=timelapse timelapse_param=2 && camctl capture start
  camctl capture stop`,
    )
    .action(async (opts: CaptureOptions, cmd: Command) => {
      const waitS = Number(opts.wait);
      requireDownloadDir(opts, [
        'filename',
        'filenumber',
        'hookScript',
        'band',
        'type',
        'new',
        'skipExisting',
        'overwrite',
      ]);
      await withCamera(cmd, async (camera, g) => {
        const { CameraError } = await import('../camera/errors.js');
        if (!(waitS > 0)) throw new CameraError('BAD_VALUE', `--wait must be a positive number of seconds`);
        const choices = downloadChoices(opts);
        const { FileSelection } = await import('./file-selection.js');
        const { filenamePatternOf } = await import('./filename-pattern.js');
        const selection = new FileSelection(opts);
        const pattern = filenamePatternOf(opts);
        const { signal, dispose } = interruptSignal();
        let hook: import('./hook-script.js').HookScript | undefined;
        try {
          const downloads: Array<Promise<FileReport>> = [];
          const progress = await createProgress(g, 'capture');
          let totalBytes = 0;
          let conflicts = 0;
          let onFile: ((f: RemoteFile) => void) | undefined;
          /** Settles once capture() returns: every file of the shot is on the card (or it failed). */
          let shotWrittenNow = (): void => undefined;
          const shotWritten = new Promise<void>((resolve) => (shotWrittenNow = resolve));
          const dir = opts.download;
          if (dir !== undefined) {
            const { fetchVerified } = await import('../camera/fetch.js');
            const { cameraIdentity, DownloadLedger } = await import('../camera/download-record.js');
            const { localPathFor } = await import('../camera/sync.js');
            const { HookScript } = await import('./hook-script.js');
            // Before the shot: a hook script whose init fails stops camctl before a picture is taken.
            hook =
              opts.hookScript !== undefined ? await HookScript.start(opts.hookScript, { json: g.json }) : undefined;
            // Asked before the shot: the record names the camera each file came from.
            const ledger = new DownloadLedger(await cameraIdentity(camera, signal));
            /** Camera file → the local file it is written to (two files of the shot never share one). */
            const seen = new Map<string, string>();
            const listings = new Map<string, Promise<RemoteFile[]>>();
            const localFor = async (f: RemoteFile): Promise<string> => {
              if (!pattern) return localPathFor(dir, f.path);
              // %n is the file's number in its folder, as camctl get and gphoto2 count it: in the
              // folder as the whole shot left it (listed once), not as far as it was written when
              // this file appeared, which would number the shot's files by the order they came in.
              const folder = f.path.slice(0, f.path.lastIndexOf('/'));
              let at = -1;
              if (pattern.usesNumber) {
                await shotWritten;
                let listing = listings.get(folder);
                if (!listing) {
                  listing = camera
                    .list(folder, { signal })
                    .then((entries) => entries.filter((e): e is RemoteFile => e.kind === 'file'));
                  listings.set(folder, listing);
                }
                at = (await listing).findIndex((e) => e.path === f.path);
              }
              return pattern.localPath(dir, {
                path: f.path,
                name: f.name,
                number: at >= 0 ? at + 1 : undefined,
                time: f.time,
              });
            };
            onFile = (f: RemoteFile): void => {
              if (!selection.matches(f, undefined)) return;
              totalBytes += f.size;
              progress.total(totalBytes);
              const download = (async () => {
                const local = await localFor(f);
                const before = seen.get(local);
                if (before !== undefined) {
                  throw new CliError(
                    `--filename ${JSON.stringify(opts.filename)} gives ${local} for both ${before} and ${f.path}; add %f or %n to tell them apart (${f.path} was not downloaded)`,
                    2,
                  );
                }
                seen.set(local, f.path);
                const bar = fileProgress(progress, f.name, f.size);
                const r = await fetchVerified(camera, f, local, {
                  ledger,
                  ...choices,
                  signal,
                  onProgress: bar.onProgress,
                });
                bar.done();
                if (r.reason === 'conflict') {
                  conflicts++;
                  if (!g.json) process.stderr.write(`camctl: ${r.message}; ${CONFLICT_HINT}\n`);
                } else if (!g.json) progress.print(r.reason === null ? r.file : humanLine(r));
                if (!r.skipped) await hook?.downloaded(r.file, f.path);
                return fileReport(f.path, r);
              })();
              // Awaited below with the others; until then a failure must not count as unhandled.
              download.catch(() => undefined);
              downloads.push(download);
            };
          }
          const shot = await camera
            .capture({ signal, timeoutMs: waitS * 1000, ...(onFile ? { onFile } : {}) })
            .finally(() => shotWrittenNow());
          // capture() has reported every file of the shot through onFile before it returns. Every
          // download ends (written or left as a partial file) before a failure is reported.
          const settled = await Promise.allSettled(downloads);
          progress.stop();
          const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          if (failed) throw failed.reason;
          const fetched = settled.map((r) => (r as PromiseFulfilledResult<FileReport>).value);
          if (g.json) {
            // Every field present (json-shapes.ts): a camera that does not name the folder gives null.
            output(g, { folder: shot.folder ?? null, files: shot.files, downloaded: fetched }, () => '');
          } else if (dir === undefined) {
            output(
              g,
              null,
              () => table([['PATH', 'SIZE'], ...shot.files.map((f) => [f.path, humanSize(f.size)])], ['left', 'right']),
              () => shot.files.map((f) => f.path).join('\n'),
            );
          } else if (fetched.length === 0) {
            note(
              g,
              `no file of the picture matches --band and --type; nothing downloaded (the picture is in ${shot.folder ?? 'the camera'})`,
            );
          }
          failOnConflicts(g, conflicts, fetched.length);
        } finally {
          dispose();
          await hook?.stop();
        }
      });
    });
  capture
    .command('start')
    .description('start the continuous capture mode the camera is set to')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl config set capture_mode=timelapse timelapse_param=2 && camctl capture start\n  camctl capture start --json',
    )
    .action(async (_o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        let r;
        try {
          r = await camera.startCapture();
        } catch (err) {
          // Every camera refuses a second start in its own terms ("Not available", DeviceBusy,
          // disabledCommand): when one is running, say so and how to end it.
          const running = await runningCapture(camera);
          if (running !== undefined)
            throw new CliError(`a capture is already running (${running}); stop it first: camctl capture stop`, 1, {
              cause: err,
            });
          // Nothing runs and the camera is not busy otherwise: it refuses because it is set to single shots (a THETA over PTP).
          if ((err as { code?: unknown }).code === 'BUSY') {
            throw new CliError(
              'the camera did not start a continuous capture: it is set to single pictures (camctl capture takes one); choose a continuous mode first, see camctl config',
              1,
              { cause: err },
            );
          }
          throw err;
        }
        output(g, r, () => (r.folder ? `${r.text} (${r.folder})` : r.text));
      });
    });
  capture
    .command('stop')
    .description('stop a continuous capture')
    .addHelpText('after', '\nExamples:\n  camctl capture stop\n  camctl capture stop --json')
    .action(async (_o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        let r;
        try {
          r = await camera.stopCapture();
        } catch (err) {
          // Nothing to stop is what the Sequoia answers with success; the others refuse
          // (CaptureAlreadyTerminated, disabledCommand): the same answer for every camera.
          if ((await runningCapture(camera)) !== undefined) throw err;
          r = { text: NOT_RUNNING };
        }
        output(g, r, () => r.text);
      });
    });
}

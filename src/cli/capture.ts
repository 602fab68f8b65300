/**
 * `camctl capture [--download DIR]` takes one picture (single mode) and, with --download, fetches
 * each of its files as soon as the camera has written it into DIR/<medium>/<folder>/, printing
 * local paths (a same-named local file is never taken for it — see download-choices.ts).
 * `camctl capture start|stop` drives the continuous modes (timelapse, GPS distance, overlap).
 */
import type { Command } from 'commander';
import type { Camera, RemoteFile } from '../camera/types.js';
import { CliError } from './errors.js';
import { interruptSignal, output, withCamera } from './context.js';
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
import { humanSize, table } from './format.js';
import { createProgress } from './progress.js';

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

export function register(program: Command): void {
  const capture = program
    .command('capture')
    .description('take a picture (single mode); "capture start|stop" for timelapse/GPS/overlap modes')
    .option('-d, --download <dir>', 'download the picture\'s files into DIR/<medium>/<folder>/ as they appear')
    .option('--wait <seconds>', 'longest wait for the picture to be written', '60');
  addDownloadChoices(capture)
    .addHelpText(
      'after',
      `
With --download:${DOWNLOAD_CHOICES_HELP.replace(/^\n/, '\n')}

Examples:
  camctl capture                               one shot, prints the files
  camctl capture --download ./shots            one shot, files downloaded as they are written
                                               (./shots/internal/0003/IMG_…_RGB.JPG)
  camctl config set capture_mode=timelapse timelapse_param=2 && camctl capture start
  camctl capture stop`,
    )
    .action(async (opts: { download?: string; wait: string } & DownloadChoiceOptions, cmd: Command) => {
      const waitS = Number(opts.wait);
      await withCamera(cmd, async (camera, g) => {
        const { CameraError } = await import('../camera/errors.js');
        if (!(waitS > 0)) throw new CameraError('BAD_VALUE', `--wait must be a positive number of seconds`);
        const choices = downloadChoices(opts);
        const { signal, dispose } = interruptSignal();
        try {
          const downloads: Array<Promise<FileReport>> = [];
          const progress = await createProgress(g, 'capture');
          let totalBytes = 0;
          let conflicts = 0;
          let onFile: ((f: RemoteFile) => void) | undefined;
          const dir = opts.download;
          if (dir !== undefined) {
            const { fetchVerified } = await import('../camera/fetch.js');
            const { cameraIdentity, DownloadLedger } = await import('../camera/download-record.js');
            const { localPathFor } = await import('../camera/sync.js');
            // Asked before the shot: the record names the camera each file came from.
            const ledger = new DownloadLedger(await cameraIdentity(camera, signal));
            onFile = (f: RemoteFile): void => {
              const bar = progress.file(f.name, f.size);
              totalBytes += f.size;
              progress.total(totalBytes);
              const download = (async () => {
                const r = await fetchVerified(camera, f, localPathFor(dir, f.path), { ledger, ...choices, signal, onProgress: (p) => bar.update(p.bytes) });
                bar.done();
                progress.add(r.transferred);
                if (r.reason === 'conflict') {
                  conflicts++;
                  if (!g.json) process.stderr.write(`camctl: ${r.message}; ${CONFLICT_HINT}\n`);
                } else if (!g.json) progress.print(r.reason === null ? r.file : humanLine(r));
                return fileReport(f.path, r);
              })();
              // Awaited below with the others; until then a failure must not count as unhandled.
              download.catch(() => undefined);
              downloads.push(download);
            };
          }
          const shot = await camera.capture({ signal, timeoutMs: waitS * 1000, ...(onFile ? { onFile } : {}) });
          // capture() has reported every file of the shot through onFile before it returns.
          const fetched = await Promise.all(downloads);
          progress.stop();
          if (g.json) {
            // Every field present (json-shapes.ts): a camera that does not name the folder gives null.
            output(g, { folder: shot.folder ?? null, files: shot.files, downloaded: fetched }, () => '');
          } else if (dir === undefined) {
            output(g, null, () => table([['PATH', 'SIZE'], ...shot.files.map((f) => [f.path, humanSize(f.size)])], ['left', 'right']), () => shot.files.map((f) => f.path).join('\n'));
          }
          failOnConflicts(g, conflicts, fetched.length);
        } finally {
          dispose();
        }
      });
    });
  capture
    .command('start')
    .description('start the continuous capture mode the camera is set to')
    .addHelpText('after', '\nExamples:\n  camctl config set capture_mode=timelapse timelapse_param=2 && camctl capture start\n  camctl capture start --json')
    .action(async (_o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        let r;
        try {
          r = await camera.startCapture();
        } catch (err) {
          // Every camera refuses a second start in its own terms ("Not available", DeviceBusy,
          // disabledCommand): when one is running, say so and how to end it.
          const running = await runningCapture(camera);
          if (running !== undefined) throw new CliError(`a capture is already running (${running}); stop it first: camctl capture stop`, 1, { cause: err });
          // Nothing runs and the camera is not busy otherwise: it refuses because it is set to single shots (a THETA over PTP).
          if ((err as { code?: unknown }).code === 'BUSY') {
            throw new CliError('the camera did not start a continuous capture: it is set to single pictures (camctl capture takes one); choose a continuous mode first, see camctl config', 1, { cause: err });
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

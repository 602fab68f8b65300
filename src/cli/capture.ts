/**
 * `camctl capture [--download DIR]` takes one picture (single mode) and, with --download, fetches
 * each of its files as soon as the camera has written it, printing local paths.
 * `camctl capture start|stop` drives the continuous modes (timelapse, GPS distance, overlap).
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { RemoteFile } from '../camera/types.js';
import { interruptSignal, output, withCamera } from './context.js';
import { humanSize, table } from './format.js';
import { createProgress } from './progress.js';

export function register(program: Command): void {
  const capture = program
    .command('capture')
    .description('take a picture (single mode); "capture start|stop" for timelapse/GPS/overlap modes')
    .option('-d, --download <dir>', 'download the picture\'s files into DIR as they appear')
    .option('--wait <seconds>', 'longest wait for the picture to be written', '60')
    .addHelpText(
      'after',
      `
Examples:
  camctl capture                               one shot, prints the files
  camctl capture --download ./shots            one shot, files downloaded as they are written
  camctl config set capture_mode=timelapse timelapse_param=2 && camctl capture start
  camctl capture stop`,
    )
    .action(async (opts: { download?: string; wait: string }, cmd: Command) => {
      const waitS = Number(opts.wait);
      await withCamera(cmd, async (camera, g) => {
        const { CameraError } = await import('../camera/errors.js');
        if (!(waitS > 0)) throw new CameraError('BAD_VALUE', `--wait must be a positive number of seconds`);
        const { signal, dispose } = interruptSignal();
        try {
          const downloads: Array<Promise<{ remote: RemoteFile; file: string; size: number }>> = [];
          const progress = await createProgress(g, 'capture');
          let totalBytes = 0;
          let fetchVerified: typeof import('../camera/fetch.js').fetchVerified | undefined;
          if (opts.download) fetchVerified = (await import('../camera/fetch.js')).fetchVerified;
          const onFile = (f: RemoteFile): void => {
            if (!opts.download || !fetchVerified) return;
            const local = path.join(opts.download, f.name);
            const bar = progress.file(f.name, f.size);
            const fetch = fetchVerified;
            totalBytes += f.size;
            progress.total(totalBytes);
            const download = fetch(camera, f, local, { signal, onProgress: (p) => bar.update(p.bytes) }).then((r) => {
              bar.done();
              progress.add(r.transferred);
              if (!g.json) process.stdout.write(`${r.file}\n`);
              return { remote: f, file: r.file, size: r.size };
            });
            // Awaited below with the others; until then a failure must not count as unhandled.
            download.catch(() => undefined);
            downloads.push(download);
          };
          const shot = await camera.capture({ signal, timeoutMs: waitS * 1000, onFile });
          // capture() has reported every file of the shot through onFile before it returns.
          const fetched = await Promise.all(downloads);
          progress.stop();
          if (g.json) {
            output(g, { folder: shot.folder, files: shot.files, downloaded: fetched.map((d) => ({ path: d.remote.path, file: d.file, size: d.size })) }, () => '');
          } else if (!opts.download) {
            output(g, null, () => table([['PATH', 'SIZE'], ...shot.files.map((f) => [f.path, humanSize(f.size)])], ['left', 'right']));
          }
        } finally {
          dispose();
        }
      });
    });
  capture
    .command('start')
    .description('start the continuous capture mode the camera is set to')
    .action(async (_o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const r = await camera.startCapture();
        output(g, r, () => (r.folder ? `${r.text} (${r.folder})` : r.text));
      });
    });
  capture
    .command('stop')
    .description('stop a continuous capture')
    .action(async (_o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const r = await camera.stopCapture();
        output(g, r, () => r.text);
      });
    });
}

/**
 * `camctl preview [--frames N] [-o FILE.mjpeg | DIR]`: THETA live preview. Frames go into one
 * MJPEG file (JPEGs back to back, which players such as ffplay and VLC read), into a directory as
 * frame-00001.jpg…, or to stdout when it is not a terminal. Stops after N frames or on Ctrl-C.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { CliError } from './errors.js';
import { interruptSignal, note, output, withCamera } from './context.js';

export function register(program: Command): void {
  program
    .command('preview')
    .option('--frames <n>', 'stop after N frames (default: until Ctrl-C)')
    .option(
      '-o, --output <path>',
      'FILE.mjpeg for one MJPEG stream, or a directory for numbered JPEGs (default: stdout)',
    )
    .description('THETA only: save the live preview (640×320 JPEG frames)')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl preview --frames 50 -o preview.mjpeg\n  camctl preview --frames 10 -o frames/\n  camctl preview | ffplay -f mjpeg -',
    )
    .action(async (o: { frames?: string; output?: string }, cmd: Command) => {
      let limit = Infinity;
      if (o.frames !== undefined) {
        if (!/^\d+$/.test(o.frames) || Number(o.frames) < 1)
          throw new CliError(`--frames must be a positive whole number, got ${JSON.stringify(o.frames)}`, 2);
        limit = Number(o.frames);
      }
      let dir: string | undefined;
      let sink: Writable | undefined;
      if (o.output !== undefined) {
        const isDir =
          o.output.endsWith('/') ||
          (await stat(o.output).then(
            (s) => s.isDirectory(),
            () => false,
          ));
        if (isDir) dir = o.output;
      } else if (process.stdout.isTTY) {
        throw new CliError('preview: give -o FILE.mjpeg or -o DIR, or pipe stdout (it is a terminal)', 2);
      }
      await withCamera(cmd, async (camera, g) => {
        if (!camera.livePreview)
          throw new CliError(`"preview" needs a camera with a live preview (theta://…), not ${camera.protocol}://`, 2);
        const { thetaOf } = await import('../camera/theta.js');
        thetaOf(camera, 'preview');
        if (dir) await mkdir(dir, { recursive: true });
        else if (o.output !== undefined) sink = createWriteStream(o.output);
        const stop = interruptSignal();
        let n = 0;
        let bytes = 0;
        try {
          for await (const frame of camera.livePreview({ signal: stop.signal })) {
            n++;
            bytes += frame.length;
            if (dir) await writeFile(path.join(dir, `frame-${String(n).padStart(5, '0')}.jpg`), frame);
            else {
              const out = sink ?? process.stdout;
              if (!out.write(frame)) await new Promise((r) => out.once('drain', r));
            }
            if (n >= limit) break;
          }
        } catch (err) {
          if (!stop.signal.aborted) throw err;
        } finally {
          stop.dispose();
          if (sink) await new Promise<void>((r) => sink!.end(() => r()));
        }
        const where = dir ?? o.output ?? 'stdout';
        if (o.output !== undefined || g.json)
          output(g, { frames: n, bytes, output: where }, () => `${n} frames (${bytes} bytes) → ${where}`);
        else note(g, `${n} frames (${bytes} bytes)`);
      });
    });
}

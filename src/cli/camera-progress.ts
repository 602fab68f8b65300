/**
 * One progress line per camera for `sync --to s3://…` with several cameras: bytes, rate and files
 * done for each, on a TTY only (like progress.ts, and never with --json or -q).
 */
import type { GlobalOptions } from './context.js';
import { wantsProgress } from './context.js';
import { humanSize } from './format.js';

export interface CameraLine {
  plan(files: number, bytes: number): void;
  /** Bytes read from the camera, over all its files. */
  add(bytes: number): void;
  fileDone(): void;
  done(): void;
}

export interface CameraProgress {
  camera(label: string): CameraLine;
  stop(): void;
}

const NOOP_LINE: CameraLine = { plan() {}, add() {}, fileDone() {}, done() {} };

export async function createCameraProgress(g: GlobalOptions): Promise<CameraProgress> {
  if (!wantsProgress(g)) return { camera: () => NOOP_LINE, stop() {} };
  const cliProgress = await import('cli-progress');
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      hideCursor: true,
      format: '{name} [{bar}] {percentage}% {bytes} {rate} {files}',
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    camera(label) {
      const bar = multi.create(1, 0, { name: label.padEnd(28).slice(0, 28), bytes: '', rate: '', files: '' });
      const t0 = Date.now();
      let total = 0;
      let bytes = 0;
      let files = 0;
      let filesDone = 0;
      const render = () =>
        bar.update(bytes, {
          bytes: `${humanSize(bytes)}/${humanSize(total)}`,
          rate: `${humanSize(bytes / Math.max(0.001, (Date.now() - t0) / 1000))}/s`,
          files: `${filesDone}/${files} files`,
        });
      return {
        plan(n, b) {
          files = n;
          total = b;
          bar.setTotal(Math.max(1, b));
          render();
        },
        add(b) {
          bytes += b;
          render();
        },
        fileDone() {
          filesDone++;
          render();
        },
        done() {
          bar.update(Math.max(1, total));
        },
      };
    },
    stop() {
      multi.stop();
    },
  };
}

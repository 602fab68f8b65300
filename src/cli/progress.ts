/**
 * Progress bars for downloads and sync (bytes, rate, ETA; per file and total), on a TTY only and
 * never with --json or -q (callers check `wantsProgress`). cli-progress is loaded only when a bar
 * is actually shown. Without bars every method is a no-op, so commands need no branches.
 */
import type { GlobalOptions } from './context.js';
import { wantsProgress } from './context.js';
import { humanSize } from './format.js';

export interface Progress {
  /**
   * A per-file bar; returns its updater. The bar appears with the first bytes, so a file that is
   * complete already (skipped) never shows as a bar stuck at 0 %.
   */
  file(name: string, total: number | undefined): { update(bytes: number): void; done(): void };
  /** Total bytes across files (grows as files are discovered). */
  total(bytes: number): void;
  /** Bytes transferred overall (they count for the rate too). */
  add(bytes: number): void;
  /** Bytes that were there already (a resumed prefix, a complete file): done, but not transferred now. */
  have(bytes: number): void;
  /** A result line for stdout, printed above the bars rather than through them. */
  print(line: string): void;
  stop(): void;
}

const NOOP: Progress = {
  file: () => ({ update() {}, done() {} }),
  total() {},
  add() {},
  have() {},
  print(line) {
    process.stdout.write(`${line}\n`);
  },
  stop() {},
};

/**
 * One camera file's download on the bars: its own bar, transferred bytes counted for the rate, a
 * resumed prefix and a file found complete counted as done, so the total reaches 100 % when all
 * files are there. Give `onProgress` to the download and call `done` once it has ended.
 */
export function fileProgress(
  progress: Progress,
  name: string,
  size: number,
): { onProgress: (x: { bytes: number; resumedFrom: number }) => void; done: () => void } {
  const bar = progress.file(name, size);
  let last = 0;
  let resumed = 0;
  return {
    onProgress: (x) => {
      if (x.resumedFrom > resumed) {
        progress.have(x.resumedFrom - resumed);
        resumed = x.resumedFrom;
      }
      bar.update(x.bytes);
      progress.add(x.bytes - x.resumedFrom - last);
      last = x.bytes - x.resumedFrom;
    },
    done: () => {
      bar.done();
      progress.have(Math.max(0, size - resumed - last));
    },
  };
}

export async function createProgress(g: GlobalOptions, label: string): Promise<Progress> {
  if (!wantsProgress(g)) return NOOP;
  const cliProgress = await import('cli-progress');
  const formatValue = (v: number, _o: unknown, type: string) =>
    type === 'value' || type === 'total' ? humanSize(v) : String(v);
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
      format: '{name} [{bar}] {percentage}% {value}/{total} {rate} ETA {eta_formatted}',
      formatValue,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let transferred = 0;
  let had = 0;
  let totalBytes = 0;
  const rate = () => `${humanSize(transferred / Math.max(0.001, (Date.now() - started) / 1000))}/s`;
  const overall = multi.create(1, 0, { name: label.padEnd(32).slice(0, 32), rate: rate() });
  const render = () => overall.update(Math.min(transferred + had, Math.max(1, totalBytes)), { rate: rate() });
  // Lines to a stdout that is this terminal too go through the bars' own log, so a bar is never
  // left half-drawn under them (stacked total lines); piped stdout gets them directly.
  const sameTerminal = process.stdout.isTTY === true;
  return {
    file(name, total) {
      let bar: ReturnType<typeof multi.create> | undefined;
      const t0 = Date.now();
      return {
        update(bytes) {
          bar ??= multi.create(total ?? 0, 0, { name: name.padEnd(32).slice(0, 32), rate: '' });
          bar.update(bytes, { rate: `${humanSize(bytes / Math.max(0.001, (Date.now() - t0) / 1000))}/s` });
        },
        done() {
          if (bar) multi.remove(bar);
          bar = undefined;
        },
      };
    },
    total(bytes) {
      totalBytes = bytes;
      overall.setTotal(Math.max(1, totalBytes));
      render();
    },
    add(bytes) {
      transferred += bytes;
      render();
    },
    have(bytes) {
      had += bytes;
      render();
    },
    print(line) {
      if (sameTerminal) multi.log(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    },
    stop() {
      // The last state is drawn before the bars go: a run of files all there already ends at 100 %.
      render();
      multi.update();
      multi.stop();
    },
  };
}

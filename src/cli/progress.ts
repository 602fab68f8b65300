/**
 * Progress bars for downloads and sync (bytes, rate, ETA; per file and total), on a TTY only and
 * never with --json or -q (callers check `wantsProgress`). cli-progress is loaded only when a bar
 * is actually shown. Without bars every method is a no-op, so commands need no branches.
 */
import type { GlobalOptions } from './context.js';
import { wantsProgress } from './context.js';
import { humanSize } from './format.js';

export interface Progress {
  /** Starts a per-file bar; returns its updater. */
  file(name: string, total: number | undefined): { update(bytes: number): void; done(): void };
  /** Total bytes across files (grows as files are discovered). */
  total(bytes: number): void;
  /** Bytes transferred overall. */
  add(bytes: number): void;
  stop(): void;
}

const NOOP: Progress = {
  file: () => ({ update() {}, done() {} }),
  total() {},
  add() {},
  stop() {},
};

export async function createProgress(g: GlobalOptions, label: string): Promise<Progress> {
  if (!wantsProgress(g)) return NOOP;
  const cliProgress = await import('cli-progress');
  const formatValue = (v: number, _o: unknown, type: string) => (type === 'value' || type === 'total' ? humanSize(v) : String(v));
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
  let done = 0;
  let totalBytes = 0;
  const rate = () => `${humanSize(done / Math.max(0.001, (Date.now() - started) / 1000))}/s`;
  const overall = multi.create(1, 0, { name: label.padEnd(32).slice(0, 32), rate: rate() });
  return {
    file(name, total) {
      const bar = multi.create(total ?? 0, 0, { name: name.padEnd(32).slice(0, 32), rate: '' });
      const t0 = Date.now();
      return {
        update(bytes) {
          bar.update(bytes, { rate: `${humanSize(bytes / Math.max(0.001, (Date.now() - t0) / 1000))}/s` });
        },
        done() {
          multi.remove(bar);
        },
      };
    },
    total(bytes) {
      totalBytes = bytes;
      overall.setTotal(Math.max(1, totalBytes));
    },
    add(bytes) {
      done += bytes;
      overall.update(done, { rate: rate() });
    },
    stop() {
      multi.stop();
    },
  };
}

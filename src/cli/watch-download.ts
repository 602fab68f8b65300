/**
 * `camctl watch --download DIR`: each picture fetched as the camera announces it (gphoto2's
 * --wait-event-and-download), during a timelapse, an interval run or shots taken on the camera's
 * own button. Every file goes through the same safe path as `camctl get` (fetch.ts and the
 * directory's download record: temporary name, verified, renamed; never taken for a same-named
 * local file), with the same choices (--band, --type, --range, --new, --filename, --hook-script).
 *
 * A `file-added` notification names a path; the file's size, time and number come from listing its
 * folder, looked at again for a few seconds while the camera is still writing it. A path announced
 * twice (after a reconnect) is fetched once.
 */
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExistingPolicy } from '../camera/fetch.js';
import type { DownloadLedger } from '../camera/download-record.js';
import type { Camera, CameraEvent, RemoteFile } from '../camera/types.js';
import { printJson, type GlobalOptions } from './context.js';
import { CONFLICT_HINT, fileReport, humanLine } from './download-choices.js';
import type { FileSelection } from './file-selection.js';
import type { FilenamePattern } from './filename-pattern.js';
import type { HookScript } from './hook-script.js';

export interface WatchDownloadOptions {
  dir: string;
  existing: ExistingPolicy;
  onlyNew: boolean;
  selection: FileSelection;
  pattern?: FilenamePattern | undefined;
  hook?: HookScript | undefined;
  ledger: DownloadLedger;
  signal: AbortSignal;
  /** Downloads at once. */
  parallel: number;
}

/** How long a file announced but not yet listed complete is looked for. */
const SETTLE_TRIES = 20;
const SETTLE_MS = 250;

export class WatchDownloader {
  private readonly handled = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;
  readonly counts = { downloaded: 0, skipped: 0, conflicts: 0, failed: 0, interrupted: 0 };
  /** Folders of files cut short by an interrupt (for the hint how to finish them). */
  readonly unfinished = new Set<string>();

  constructor(
    private readonly camera: Camera,
    private readonly g: GlobalOptions,
    private readonly opts: WatchDownloadOptions,
  ) {}

  /** Starts fetching the file an event announces (other events are ignored). */
  onEvent(ev: CameraEvent): void {
    if (ev.type !== 'file-added' || this.handled.has(ev.path)) return;
    this.handled.add(ev.path);
    const job = this.slot()
      .then(() => this.fetch(ev.path))
      .finally(() => {
        this.running--;
        this.waiting.shift()?.();
        this.pending.delete(job);
      });
    this.pending.add(job);
  }

  /** Waits for every download started (they end early when the signal aborts). */
  async finish(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async slot(): Promise<void> {
    if (this.running >= this.opts.parallel) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
  }

  private async fetch(cameraPath: string): Promise<void> {
    const { signal } = this.opts;
    const folder = cameraPath.slice(0, cameraPath.lastIndexOf('/'));
    try {
      if (signal.aborted) throw signal.reason;
      const found = await this.settle(folder, cameraPath);
      if (!found) {
        this.counts.failed++;
        process.stderr.write(
          `camctl: ${cameraPath} was announced but is not listed complete on the camera; fetch it later with camctl get ${folder} -o ${this.opts.dir}\n`,
        );
        return;
      }
      const { file, number } = found;
      if (!this.opts.selection.matches(file, number)) return;
      const { fetchVerified } = await import('../camera/fetch.js');
      const { localPathFor } = await import('../camera/sync.js');
      const local = this.opts.pattern
        ? this.opts.pattern.localPath(this.opts.dir, { path: file.path, name: file.name, number, time: file.time })
        : localPathFor(this.opts.dir, file.path);
      const r = await fetchVerified(this.camera, file, local, {
        ledger: this.opts.ledger,
        existing: this.opts.existing,
        onlyNew: this.opts.onlyNew,
        signal,
      });
      if (r.reason === 'conflict') {
        this.counts.conflicts++;
        if (!this.g.json) process.stderr.write(`camctl: ${r.message}; ${CONFLICT_HINT}\n`);
      } else if (r.skipped) this.counts.skipped++;
      else this.counts.downloaded++;
      if (this.g.json) printJson({ time: new Date().toISOString(), type: 'download', ...fileReport(file.path, r) });
      else if (!this.g.quiet && r.reason !== 'conflict') process.stdout.write(`${clock()} saved ${humanLine(r)}\n`);
      if (!r.skipped) await this.opts.hook?.downloaded(r.file, file.path);
    } catch (err) {
      if (signal.aborted) {
        this.counts.interrupted++;
        this.unfinished.add(folder);
        return;
      }
      this.counts.failed++;
      process.stderr.write(`camctl: ${cameraPath}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }

  /** The announced file in its folder's listing, complete (size > 0), with its number there. */
  private async settle(folder: string, cameraPath: string): Promise<{ file: RemoteFile; number: number } | undefined> {
    for (let i = 0; i < SETTLE_TRIES; i++) {
      const files = (await this.camera.list(folder, { signal: this.opts.signal })).filter(
        (e): e is RemoteFile => e.kind === 'file',
      );
      const at = files.findIndex((f) => f.path === cameraPath);
      if (at >= 0 && files[at]!.size > 0) return { file: files[at]!, number: at + 1 };
      await sleep(SETTLE_MS, undefined, { signal: this.opts.signal });
    }
    return undefined;
  }
}

export function clock(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The line after an interrupted watch that cut downloads short: how to finish them. */
export function unfinishedHint(dir: string, folders: Iterable<string>, extra = ''): string {
  return [...folders].map((f) => `camctl get ${f} -o ${path.normalize(dir)}${extra}`).join('; ');
}

/**
 * `file-added` events for the Sequoia. Its WebSocket announces captures starting and ending but
 * not the files they write (seed, "NOTIFICATIONS"), while PTP announces each object; so that the
 * Camera API says the same whatever the protocol, the adapter watches the session folder over HTTP
 * while a capture runs (the folder comes from `GET /capture`) and announces each file once it has
 * a size (a file being written reads 0, docs/sequoia.md). Polling happens only while a capture
 * runs and someone iterates events.
 */
import type { SequoiaClient } from '../sequoia/client.js';
import type { CameraEvent } from './types.js';

/** Poll period while a capture runs: the camera takes at most one picture a second. */
const POLL_MS = 500;

export class CaptureFileWatcher {
  private folder: string | undefined;
  private readonly announced = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: SequoiaClient,
    private readonly emit: (ev: CameraEvent) => void,
    private readonly signal: AbortSignal,
  ) {}

  /** A capture started: find its folder and poll it. */
  started(): void {
    this.running = true;
    this.folder = undefined;
    this.schedule(0);
  }

  /** The capture ended: one last look so the final files are announced, then stop. */
  ended(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.busy = this.busy.then(() => this.poll());
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.busy = this.busy
        .then(() => this.poll())
        .then(() => {
          if (this.running && !this.signal.aborted) this.schedule(POLL_MS);
        });
    }, ms);
  }

  private async newestFolder(): Promise<string | undefined> {
    const storage = await this.client.getStorage({ signal: this.signal });
    const folders = await this.client.listFolders(storage.storage_selected, { signal: this.signal });
    return folders.at(-1)?.path;
  }

  private async poll(): Promise<void> {
    if (this.signal.aborted) return;
    try {
      if (this.running || !this.folder) {
        const status = await this.client.getCaptureStatus({ signal: this.signal });
        if (status.path && status.path !== this.folder) this.folder = status.path;
      }
      // A single shot can be over before the first look: its folder is then the newest one of
      // the selected medium (folders are numbered by a persistent counter, docs/sequoia.md).
      if (!this.folder && !this.running) this.folder = await this.newestFolder();
      if (!this.folder) return;
      const [medium, folder] = this.folder.split('/').filter(Boolean);
      if (!medium || !folder) return;
      for (const f of await this.client.listFiles(medium, folder, { signal: this.signal })) {
        if (f.size > 0 && !this.announced.has(f.path)) {
          this.announced.add(f.path);
          this.emit({ type: 'file-added', path: f.path, size: f.size });
        }
      }
    } catch {
      // A missed poll is caught up by the next one (or by the final look at the end).
    }
  }
}

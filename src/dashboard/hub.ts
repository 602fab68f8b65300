/**
 * The cameras the dashboard knows, each with its link state, latest status and event feed.
 *
 * The hub owns every {@link Camera}: it opens them through the adapter registry, polls `status()`
 * (the Camera API has no "status changed" event on every protocol), follows `events()` where the
 * camera has them, keeps a bounded event log, and tells listeners (the WebSocket fan-out) what
 * changed as {@link ServerMessage}s. The page never talks to a camera; it talks to the hub.
 *
 * @example
 * const hub = new CameraHub();
 * hub.on('message', (m) => console.log(m.type));
 * const view = await hub.add('sequoia://127.0.0.1:8080');
 * const cam = hub.camera(view.id); // throws CAMERA_OFFLINE until it answered once
 */
import { EventEmitter } from 'node:events';
import { debuglog } from 'node:util';
import { parseCameraAddress } from '../camera/address.js';
import { openCamera as defaultOpen, type OpenCameraOptions } from '../camera/open.js';
import type { Camera, CameraEvent } from '../camera/types.js';
import type { CameraView, LogEntry, ServerMessage } from './api-types.js';
import { DashboardError, errorCode } from './errors.js';
import { describeEvent } from '../camera/describe-event.js';
import { InvalidOptionError } from '../util/errors.js';

const debug = debuglog('camctl:dashboard');

export interface CameraHubOptions {
  /** Period of `status()` polls per online camera, ms. Default 1000. */
  pollIntervalMs?: number;
  /** Longest wait between reconnection attempts to an offline camera, ms. Default 10 000. */
  maxRetryMs?: number;
  /** Timeout per request phase given to the adapters, ms. Default 5000. */
  timeoutMs?: number;
  /** Event log entries kept (and sent to a page when it connects). Default 300. */
  logSize?: number;
  /** Most cameras at once, so a page cannot make the server open sockets without bound. Default 16. */
  maxCameras?: number;
  /** Opens a camera; defaults to the adapter registry's `openCamera`. */
  open?: (address: string, options: OpenCameraOptions) => Promise<Camera>;
}

interface Entry {
  view: CameraView;
  camera: Camera | undefined;
  abort: AbortController;
  /** Wakes the poll loop early (after an event or an action). */
  wake: (() => void) | undefined;
}

export class CameraHub extends EventEmitter<{ message: [ServerMessage] }> {
  readonly #entries = new Map<string, Entry>();
  readonly #log: LogEntry[] = [];
  readonly #pollMs: number;
  readonly #maxRetryMs: number;
  readonly #timeoutMs: number;
  readonly #logSize: number;
  readonly #maxCameras: number;
  readonly #open: NonNullable<CameraHubOptions['open']>;
  #seq = 0;
  #nextId = 1;
  #closed = false;

  constructor(options: CameraHubOptions = {}) {
    super();
    this.#pollMs = positive(options.pollIntervalMs ?? 1000, 'pollIntervalMs');
    this.#maxRetryMs = positive(options.maxRetryMs ?? 10_000, 'maxRetryMs');
    this.#timeoutMs = positive(options.timeoutMs ?? 5000, 'timeoutMs');
    this.#logSize = positive(options.logSize ?? 300, 'logSize');
    this.#maxCameras = positive(options.maxCameras ?? 16, 'maxCameras');
    this.#open = options.open ?? ((address, o) => defaultOpen(address, o));
  }

  /** Adds a camera by address (or returns the one already there) and starts connecting to it. */
  add(address: string): CameraView {
    if (this.#closed) throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'the dashboard is shutting down');
    const parsed = parseCameraAddress(address); // BAD_ADDRESS before anything is opened
    for (const e of this.#entries.values()) if (e.view.address === parsed.href) return e.view;
    if (this.#entries.size >= this.#maxCameras) {
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_BAD_REQUEST',
        `at most ${this.#maxCameras} cameras; remove one first`,
      );
    }
    const id = `c${this.#nextId++}`;
    const entry: Entry = {
      view: { id, address: parsed.href, protocol: parsed.scheme, state: 'connecting', livePreview: false },
      camera: undefined,
      abort: new AbortController(),
      wake: undefined,
    };
    this.#entries.set(id, entry);
    this.#emit({ type: 'camera', camera: entry.view });
    this.log(id, 'action', `added ${parsed.href}`);
    void this.#run(entry);
    return entry.view;
  }

  async remove(id: string): Promise<void> {
    const entry = this.#entry(id);
    this.#entries.delete(id);
    entry.abort.abort();
    entry.wake?.();
    await entry.camera?.close().catch(() => undefined);
    this.#emit({ type: 'camera-removed', id });
  }

  list(): CameraView[] {
    return [...this.#entries.values()].map((e) => e.view);
  }

  view(id: string): CameraView {
    return this.#entry(id).view;
  }

  /** The camera behind `id`, once it has answered; `CAMERA_OFFLINE` before. */
  camera(id: string): Camera {
    const entry = this.#entry(id);
    if (!entry.camera || entry.view.state !== 'online') {
      const why = entry.view.error ? `: ${entry.view.error.message}` : '';
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_CAMERA_OFFLINE',
        `the camera at ${entry.view.address} is ${entry.view.state}${why}`,
      );
    }
    return entry.camera;
  }

  /** Re-reads the status now (after an action through the dashboard) instead of at the next poll. */
  refresh(id: string): void {
    this.#entries.get(id)?.wake?.();
  }

  logEntries(): LogEntry[] {
    return [...this.#log];
  }

  log(cameraId: string, kind: LogEntry['kind'], text: string, event?: CameraEvent): LogEntry {
    const entry: LogEntry = { seq: ++this.#seq, time: Date.now(), cameraId, kind, text };
    if (event) entry.event = event;
    this.#log.push(entry);
    if (this.#log.length > this.#logSize) this.#log.splice(0, this.#log.length - this.#logSize);
    this.#emit({ type: 'log', entry });
    return entry;
  }

  /** Tells pages that the camera's file tree under `path` changed. */
  filesChanged(cameraId: string, path: string): void {
    this.#emit({ type: 'files-changed', cameraId, path });
  }

  /** Sends any message to the pages (download progress). */
  broadcast(message: ServerMessage): void {
    this.#emit(message);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const e of entries) {
      e.abort.abort();
      e.wake?.();
    }
    await Promise.all(entries.map((e) => e.camera?.close().catch(() => undefined)));
  }

  #entry(id: string): Entry {
    const entry = this.#entries.get(id);
    if (!entry) throw new DashboardError('ERR_CAMCTL_DASHBOARD_NOT_FOUND', `no camera ${JSON.stringify(id)}`);
    return entry;
  }

  #emit(message: ServerMessage): void {
    this.emit('message', message);
  }

  #update(entry: Entry, patch: Partial<CameraView>): void {
    if (!this.#entries.has(entry.view.id)) return;
    const next: CameraView = { ...entry.view, ...patch };
    if (patch.state === 'online') delete next.error;
    entry.view = next;
    this.#emit({ type: 'camera', camera: next });
  }

  /** Connect, then poll status until removed; an offline camera is retried with backoff. */
  async #run(entry: Entry): Promise<void> {
    const { signal } = entry.abort;
    let failures = 0;
    let eventsStarted = false;
    while (!signal.aborted) {
      try {
        if (!entry.camera) {
          entry.camera = await this.#open(entry.view.address, { timeoutMs: this.#timeoutMs, signal });
        }
        const camera = entry.camera;
        if (!entry.view.info) {
          const info = await camera.info({ signal });
          this.#update(entry, {
            info,
            protocol: camera.protocol,
            capabilities: camera.capabilities,
            livePreview: typeof camera.livePreview === 'function',
          });
        }
        const status = await camera.status({ signal });
        const wasOnline = entry.view.state === 'online';
        this.#update(entry, { state: 'online', status, statusAt: Date.now() });
        if (!wasOnline)
          this.log(
            entry.view.id,
            'event',
            `online: ${entry.view.info?.model ?? camera.protocol} ${entry.view.info?.serialNumber ?? ''}`.trim(),
          );
        failures = 0;
        if (!eventsStarted && camera.capabilities.events) {
          eventsStarted = true;
          void this.#follow(entry, camera);
        }
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        const error = { code: errorCode(err), message: err instanceof Error ? err.message : String(err) };
        debug('%s: %s', entry.view.address, error.message);
        if (entry.view.state !== 'offline' || entry.view.error?.message !== error.message) {
          this.log(entry.view.id, 'error', `offline: ${error.message}`);
        }
        this.#update(entry, { state: 'offline', error });
        // An adapter that does not exist yet (or a bad address) will not appear by retrying fast.
        if (error.code === 'UNKNOWN_SCHEME' && entry.camera === undefined) failures = Math.max(failures, 8);
      }
      const wait =
        failures === 0 ? this.#pollMs : Math.min(this.#pollMs * 2 ** Math.min(failures, 10), this.#maxRetryMs);
      await this.#sleep(entry, wait);
    }
  }

  /** Camera events → log + pushes; each also wakes the status poll so the page sees the result. */
  async #follow(entry: Entry, camera: Camera): Promise<void> {
    const { signal } = entry.abort;
    while (!signal.aborted) {
      try {
        for await (const ev of camera.events({ signal })) {
          this.log(entry.view.id, 'event', describeEvent(ev), ev);
          if (ev.type === 'file-added' || ev.type === 'file-removed')
            this.filesChanged(entry.view.id, parentOf(ev.path));
          if (ev.type === 'capture' && ev.state !== 'capturing') this.filesChanged(entry.view.id, '/');
          if (ev.type === 'storage') this.filesChanged(entry.view.id, '/');
          entry.wake?.();
        }
        if (signal.aborted) return;
      } catch (err) {
        if (signal.aborted) return;
        this.log(entry.view.id, 'error', `event link: ${err instanceof Error ? err.message : String(err)}`);
      }
      await this.#sleep(entry, this.#maxRetryMs / 2);
    }
  }

  #sleep(entry: Entry, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        entry.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      entry.wake = done;
    });
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new InvalidOptionError(name, `must be a positive number, got ${n}`);
  return n;
}

/**
 * The Camera adapter for `sequoia://host[:port]`: the Camera API over {@link SequoiaClient}.
 * Loaded by `openCamera` by convention (scheme `sequoia` → this module's `openCamera`).
 *
 * @example
 * const cam = await openCamera('sequoia://127.0.0.1:8080');
 * const { files } = await cam.capture();
 */
import { SequoiaClient, SequoiaSettingError } from '../sequoia/client.js';
import type { SequoiaEventItem } from '../sequoia/events-client.js';
import { BANDS, FILE_NAME_PATTERN, type ChangeNotification, type StorageReply } from '../sequoia/types.js';
import type { NetworkAddress } from './address.js';
import { CameraError, CameraSettingError } from './errors.js';
import type { CameraFactory } from './open.js';
import { CaptureFileWatcher } from './sequoia-files.js';
import { toCameraError } from './to-camera-error.js';
import { describeConfig, type SequoiaSettings } from './sequoia-settings.js';
import { checkSettings } from './settings.js';
import type {
  CallOptions,
  Camera,
  CameraCapabilities,
  CameraEvent,
  CameraInfo,
  CameraStatus,
  CaptureOptions,
  CaptureResult,
  CaptureState,
  ContinuousCapture,
  DownloadDestination,
  DownloadOptions,
  DownloadResult,
  EventOptions,
  MediumStatus,
  RemoteEntry,
  RemoteFile,
  SetResult,
  Setting,
} from './types.js';
import { wallClock } from '../util/clock.js';

export const openCamera: CameraFactory = async (address, options) => {
  if (address.kind !== 'network') throw new CameraError('BAD_ADDRESS', 'sequoia:// needs a host');
  const o: { timeoutMs?: number; maxSockets?: number } = {};
  if (options.timeoutMs !== undefined) o.timeoutMs = options.timeoutMs;
  if (options.maxConnections !== undefined) o.maxSockets = options.maxConnections;
  return new SequoiaCamera(address, o);
};

/** Interval of `/capture` and listing polls while a single shot is written. */
const POLL_MS = 100;

export class SequoiaCamera implements Camera<SequoiaSettings> {
  readonly protocol = 'sequoia';
  readonly address: string;
  readonly client: SequoiaClient;
  readonly capabilities: CameraCapabilities = {
    capture: true,
    continuousCapture: true,
    delete: true,
    events: true,
    resumableDownload: true,
    folderArchive: true,
  };

  constructor(address: NetworkAddress, options: { timeoutMs?: number; maxSockets?: number } = {}) {
    this.address = address.href;
    this.client = new SequoiaClient({ host: address.host, port: address.port, ...options });
  }

  async info(options?: CallOptions): Promise<CameraInfo> {
    const v = await wrap(this.client.getVersion(options));
    const details: Record<string, string> = {};
    if (v.sunshine_serial_number) details.sunshineSerialNumber = v.sunshine_serial_number;
    return {
      protocol: this.protocol,
      address: this.address,
      manufacturer: 'Parrot',
      model: 'Sequoia',
      serialNumber: v.serial_number,
      firmware: v.version,
      details,
    };
  }

  async status(options?: CallOptions): Promise<CameraStatus> {
    const [capture, storage, status, calibration] = await wrap(
      Promise.all([
        this.client.getCaptureStatus(options),
        this.client.getStorage(options),
        this.client.getStatus(options),
        this.client.getCalibration(options),
      ]),
    );
    const media: MediumStatus[] = [];
    for (const name of ['internal', 'sd'] as const) {
      const m = storage[name];
      if (!m) {
        media.push({
          id: name,
          path: `/${name}`,
          present: false,
          readOnly: false,
          selected: storage.storage_selected === name,
        });
        continue;
      }
      const s: MediumStatus = {
        id: name,
        path: m.path,
        present: true,
        totalBytes: m.total * 1024,
        freeBytes: m.free * 1024,
        readOnly: m.read_only === 'yes',
        selected: storage.storage_selected === name,
      };
      if (m.corrupted === 'yes') s.problem = 'corrupted';
      media.push(s);
    }
    const { request: _r, ...details } = status;
    const out: CameraStatus = {
      capture: { state: captureState(capture.status), text: capture.status },
      media,
      details: { ...details, calibration: { body: calibration.body, sunshine: calibration.sunshine } },
    };
    if (capture.path) out.capture.folder = capture.path;
    return out;
  }

  async getConfig(
    keys?: readonly (keyof SequoiaSettings & string)[],
    options?: CallOptions,
  ): Promise<Setting<keyof SequoiaSettings & string>[]> {
    const all = describeConfig(await wrap(this.client.getConfig(options)));
    if (!keys || keys.length === 0) return all;
    return keys.map((k) => {
      const s = all.find((d) => d.key === k);
      if (!s)
        throw new CameraError(
          'UNKNOWN_SETTING',
          `unknown setting ${JSON.stringify(k)} (known: ${all.map((d) => d.key).join(', ')})`,
        );
      return s;
    });
  }

  async setConfig(
    values: Partial<SequoiaSettings>,
    options?: CallOptions,
  ): Promise<SetResult<keyof SequoiaSettings & string>[]> {
    // A period is judged against the sensors the same request sets, as the camera judges it.
    const mask =
      typeof values.sensors_mask === 'number' && Number.isInteger(values.sensors_mask)
        ? values.sensors_mask
        : undefined;
    const reply = await wrap(this.client.getConfig(options));
    const descriptions = describeConfig(reply, mask ?? reply.sensors_mask);
    checkSettings(descriptions, values);
    try {
      const answers = await this.client.setConfig(values, options);
      return Object.entries(answers).map(([key, message]) => ({
        key: key as keyof SequoiaSettings & string,
        ok: true,
        message,
      }));
    } catch (err) {
      if (err instanceof SequoiaSettingError) {
        const results = Object.entries(err.answers).map(([key, message]) => ({
          key: key as keyof SequoiaSettings & string,
          ok: message === 'Ok',
          message,
        }));
        throw new CameraSettingError(results, { cause: err });
      }
      throw toCameraError(err);
    }
  }

  async capture(options: CaptureOptions = {}): Promise<CaptureResult> {
    const { signal } = options;
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const config = await wrap(this.client.getConfig({ signal }));
    if (config.capture_mode !== 'single') {
      throw new CameraError(
        'BUSY',
        `camera is in ${config.capture_mode} mode: use "capture start" / "capture stop", or set capture_mode=single`,
      );
    }
    const expected = BANDS.filter((b) => (config.sensors_mask & b.bit) !== 0).length;
    let started;
    try {
      started = await this.client.startCapture({ signal });
    } catch (err) {
      throw await this.refusal(err, signal);
    }
    const folder = started.path ?? (await wrap(this.client.getCaptureStatus({ signal }))).path;
    if (!folder) throw new CameraError('PROTOCOL', 'camera did not say where the capture goes');
    const [medium, name] = folder.split('/').filter(Boolean) as [string, string];
    const reported = new Set<string>();
    // Files appear with size 0 while written (docs/sequoia.md): report each once it has a size,
    // and finish when the camera is Ready and every band of the newest picture index is there.
    for (;;) {
      const [status, files] = await wrap(
        Promise.all([this.client.getCaptureStatus({ signal }), this.client.listFiles(medium, name, { signal })]),
      );
      const shot = newestShot(files.map((f) => toRemoteFile(f.path, f.name, f.size)));
      for (const f of shot) {
        if (f.size > 0 && !reported.has(f.path)) {
          reported.add(f.path);
          options.onFile?.(f);
        }
      }
      const complete = shot.length >= expected && shot.every((f) => f.size > 0);
      if (complete && captureState(status.status) !== 'capturing') return { folder, files: shot };
      if (Date.now() > deadline) {
        throw new CameraError(
          'TIMEOUT',
          `capture did not finish within ${options.timeoutMs ?? 60_000} ms (${status.status})`,
        );
      }
      await delay(POLL_MS, signal);
    }
  }

  async startCapture(options?: CallOptions): Promise<ContinuousCapture> {
    let r;
    try {
      r = await this.client.startCapture(options);
    } catch (err) {
      throw await this.refusal(err, options?.signal);
    }
    return r.path ? { text: r.status, folder: r.path } : { text: r.status };
  }

  /**
   * A refused `/capture/start` says only "Not available". When the selected medium is why —
   * read-only or corrupted, as `/storage` tells — say so, and what to do next.
   */
  private async refusal(err: unknown, signal?: AbortSignal): Promise<Error> {
    const base = toCameraError(err);
    if (!(base instanceof CameraError) || base.deviceMessage !== 'Not available') return base;
    let storage: StorageReply;
    try {
      storage = await this.client.getStorage(signal ? { signal } : {});
    } catch {
      return base;
    }
    const selected = storage.storage_selected === 'sd' ? 'sd' : 'internal';
    const m = storage[selected];
    const condition = m?.read_only === 'yes' ? 'read-only' : m?.corrupted === 'yes' ? 'corrupted' : undefined;
    if (!condition) return base;
    const other = selected === 'sd' ? 'internal' : 'sd';
    const where = selected === 'sd' ? 'SD card' : 'internal memory';
    const select = `camctl config set storage_selected=${other}`;
    const next = storage[other] ? `save to the other medium: ${select}` : `insert an SD card and save there: ${select}`;
    const fix = condition === 'corrupted' ? ', or format it' : selected === 'sd' ? ', or unlock the card' : '';
    return new CameraError(base.code, `capture not started: the ${where} is ${condition}; ${next}${fix}`, {
      cause: err,
      ...(base.deviceCode !== undefined ? { deviceCode: base.deviceCode } : {}),
      ...(base.deviceHttpStatus !== undefined ? { deviceHttpStatus: base.deviceHttpStatus } : {}),
      deviceMessage: base.deviceMessage,
    });
  }

  async stopCapture(options?: CallOptions): Promise<ContinuousCapture> {
    const r = await wrap(this.client.stopCapture(options));
    return { text: r.status };
  }

  async list(path = '/', options?: CallOptions): Promise<RemoteEntry[]> {
    const parts = path.split('/').filter(Boolean);
    if (parts.some((p) => p === '..' || p === '.')) throw new CameraError('BAD_PATH', `invalid path ${path}`);
    if (parts.length === 0) {
      const storage = await wrap(this.client.getStorage(options));
      return (['internal', 'sd'] as const)
        .filter((m) => storage[m])
        .map((m) => ({ kind: 'medium' as const, path: `/${m}`, name: m }));
    }
    const medium = parts[0]!;
    if (parts.length === 1) {
      const folders = await wrap(this.client.listFolders(medium, options));
      return folders.map((f) => ({ kind: 'folder' as const, path: f.path, name: f.name, count: f.pictures }));
    }
    const files = await wrap(this.client.listFiles(medium, parts[1]!, options));
    const entries = files.map((f) => toRemoteFile(f.path, f.name, f.size));
    if (parts.length === 2) return entries;
    if (parts.length === 3) {
      const hit = entries.filter((e) => e.name === parts[2]);
      if (hit.length === 0) throw new CameraError('NOT_FOUND', `no such file ${path}`);
      return hit;
    }
    throw new CameraError('BAD_PATH', `no such path ${path}: paths are /<medium>/<folder>/<file>`);
  }

  async download(
    path: string,
    destination: DownloadDestination,
    options: DownloadOptions = {},
  ): Promise<DownloadResult> {
    const opts: Parameters<SequoiaClient['download']>[2] = {};
    if (options.signal) opts.signal = options.signal;
    if (options.resume) opts.resume = true;
    if (options.expectedSize !== undefined) opts.expectedSize = options.expectedSize;
    const onProgress = options.onProgress;
    if (onProgress) opts.onProgress = (p) => onProgress({ path, ...p });
    const r = await wrap(this.client.download(path, destination, opts));
    const out: DownloadResult = { path, size: r.size, transferred: r.transferred, resumedFrom: r.resumedFrom };
    if (typeof destination === 'string') out.file = destination;
    return out;
  }

  async delete(path: string, options?: CallOptions): Promise<string[]> {
    return wrap(this.client.delete(path, options));
  }

  /**
   * WebSocket notifications mapped to Camera events, plus `file-added` for each file a capture
   * writes (see sequoia-files.ts), in order of arrival.
   */
  async *events(options: EventOptions = {}): AsyncIterable<CameraEvent> {
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) return;
    const queue: CameraEvent[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    let failure: unknown;
    const push = (ev: CameraEvent): void => {
      queue.push(ev);
      wake?.();
    };
    const files = new CaptureFileWatcher(this.client, push, ac.signal);
    const o: Parameters<SequoiaClient['events']>[0] = { signal: ac.signal };
    if (options.reconnect !== undefined) o.reconnect = options.reconnect;
    const pump = (async () => {
      try {
        for await (const item of this.client.events(o)) {
          for (const ev of mapEvent(item)) {
            push(ev);
            if (ev.type === 'capture') {
              if (ev.state === 'capturing') files.started();
              else files.ended();
            }
          }
        }
      } catch (err) {
        failure = err;
      } finally {
        done = true;
        wake?.();
      }
    })();
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (done) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      if (failure !== undefined && !ac.signal.aborted) throw toCameraError(failure);
    } finally {
      files.stop();
      ac.abort();
      options.signal?.removeEventListener('abort', onAbort);
      await pump;
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

function* mapEvent(item: SequoiaEventItem): Generator<CameraEvent> {
  if (item.kind === 'connection') {
    if (item.state === 'open') return;
    const ev: CameraEvent = { type: 'connection', state: item.state };
    if (item.error) ev.error = item.error;
    yield ev;
    return;
  }
  const raw = item.message;
  const m = raw as Record<string, unknown>;
  if (raw.status !== 'change') {
    yield { type: 'other', raw };
    return;
  }
  const n = raw as ChangeNotification;
  if ('capture' in n) yield { type: 'capture', state: n.capture === 'running' ? 'capturing' : 'idle', raw };
  else if ('sunshine' in n) yield { type: 'sensor', name: 'sunshine', state: n.sunshine, raw };
  else if ('staystill' in n) yield { type: 'sensor', name: 'staystill', state: n.staystill, raw };
  else if ('fix' in n) yield { type: 'sensor', name: 'gps_fix', state: n.fix, raw };
  else if ('storage_select' in n) yield { type: 'setting', key: 'storage_selected', value: n.storage_select, raw };
  else if ('storage_status' in n) yield { type: 'storage', medium: n.storage_status, state: n.state, raw };
  else if ('calibration' in n) yield { type: 'calibration', target: n.calibration, state: n.state, raw };
  else if ('resolution_rgb' in n) {
    yield { type: 'setting', key: 'resolution_rgb', value: n.resolution_rgb, raw };
    yield { type: 'setting', key: 'resolution_mono', value: n.resolution_mono, raw };
  } else {
    const key = Object.keys(m).find((k) => k !== 'status');
    const value = key === undefined ? undefined : m[key];
    if (key && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'))
      yield { type: 'setting', key, value, raw };
    else yield { type: 'other', raw };
  }
}

/** Status texts of docs/sequoia.md mapped onto the generic states; unknown texts count as busy. */
export function captureState(text: string): CaptureState {
  if (text === 'Ready' || text === 'Capture is not running') return 'idle';
  if (text === 'Snapshot running' || text === 'Timelapse running') return 'capturing';
  if (text === 'Not available' || text === 'Calibration needed') return 'unavailable';
  return 'busy';
}

/** `IMG_YYMMDD_HHMMSS_…`: the camera's clock (GPS time, UTC); 1970 names mean "no clock" → no time. */
export function timeFromName(name: string): number | undefined {
  const m = FILE_NAME_PATTERN.exec(name);
  if (!m || !m[1] || !m[2]) return undefined;
  const [yy, mo, dd] = [m[1].slice(0, 2), m[1].slice(2, 4), m[1].slice(4, 6)].map(Number) as [number, number, number];
  const [h, mi, s] = [m[2].slice(0, 2), m[2].slice(2, 4), m[2].slice(4, 6)].map(Number) as [number, number, number];
  if (yy === 70) return undefined;
  const year = yy >= 70 ? 1900 + yy : 2000 + yy;
  return Date.UTC(year, mo - 1, dd, h, mi, s);
}

function toRemoteFile(path: string, name: string, size: number): RemoteFile {
  const f: RemoteFile = { kind: 'file', path, name, size };
  const t = timeFromName(name);
  if (t !== undefined) f.time = t;
  return f;
}

/** The files of the highest picture index (`NNNN` in the name) of a folder. */
function newestShot(files: RemoteFile[]): RemoteFile[] {
  let best = -1;
  for (const f of files) best = Math.max(best, Number(FILE_NAME_PATTERN.exec(f.name)?.[3] ?? -1));
  return files.filter((f) => Number(FILE_NAME_PATTERN.exec(f.name)?.[3] ?? -2) === best);
}

async function wrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw toCameraError(err);
  }
}

/** A pause between polls, on the wall clock; an abort is the Camera layer's ABORTED error. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return wallClock.sleep(ms, signal).catch((reason: unknown) => {
    throw new CameraError('ABORTED', 'aborted', { cause: reason });
  });
}

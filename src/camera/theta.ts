/**
 * The Camera adapter for `theta://host[:port]` (and `theta://user:password@host` for digest auth):
 * the Camera API over {@link OscClient}. Loaded by `openCamera` by convention.
 *
 * Paths: the THETA has one store, shown as `/internal`, with its folders (`/internal/100RICOH`)
 * and files (`/internal/100RICOH/R0010001.JPG`); the adapter maps them to v2.1 fileUrls or v2.0
 * fileUris. Events come from `/osc/checkForUpdates` long-polls and state diffs.
 *
 * @example
 * const cam = await openCamera('theta://127.0.0.1:8080');
 * const { files } = await cam.capture(); // [{ path: '/internal/100RICOH/R0010001.JPG', … }]
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { isCameraUrl } from '../osc/camera-url.js';
import { OscClient } from '../osc/client.js';
import { OscClientError } from '../osc/errors.js';
import { RealClock, wallClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import type { OscFileEntry, OscStateBody } from '../osc/types.js';
import type { NetworkAddress } from './address.js';
import { CameraError, CameraSettingError } from './errors.js';
import type { CameraFactory } from './open.js';
import { toCameraError } from './to-camera-error.js';
import { checkSettings } from './settings.js';
import { describeTheta, optionQuery, parseFileFormat } from './theta-settings.js';
import type { ThetaSettings } from './theta-settings.js';
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
  RemoteEntry,
  RemoteFile,
  SetResult,
  Setting,
} from './types.js';

const MEDIUM = 'internal';
/** offDelay / sleepDelay: never. */
const NEVER = 65535;

/** Settings whose allowed values depend on another one (file_format.md, iso.md, shutter_speed.md…). */
const DEPENDENT_SETTINGS: Record<string, string[]> = {
  captureMode: ['fileFormat', 'exposureDelay'],
  exposureProgram: ['iso', 'shutterSpeed', 'exposureCompensation'],
};

export const openCamera: CameraFactory = async (address, options) => {
  if (address.kind !== 'network') throw new CameraError('BAD_ADDRESS', 'theta:// needs a host');
  const o: ConstructorParameters<typeof ThetaCamera>[1] = {};
  if (options.timeoutMs !== undefined) o.timeoutMs = options.timeoutMs;
  // A level asked for explicitly is required: the camera is not used at another one.
  if (options.oscApi !== undefined)
    Object.assign(o, { apiVersion: options.oscApi === '2.1' ? 2 : 1, requireApiVersion: true });
  const cam = new ThetaCamera(address, o);
  await cam.connect(options.signal ? { signal: options.signal } : {});
  return cam;
};

export class ThetaCamera implements Camera<ThetaSettings> {
  readonly protocol = 'theta';
  readonly address: string;
  readonly client: OscClient;
  readonly capabilities: { -readonly [K in keyof CameraCapabilities]: CameraCapabilities[K] } = {
    capture: true,
    continuousCapture: true,
    delete: true,
    events: true,
    resumableDownload: true,
    folderArchive: false,
  };
  private storageUri = '';
  private closed = false;
  /**
   * The camera's own fileUrl / fileUri of the files it named (listed, or returned by a shot): a
   * download asks by that, whatever storageUri says (the X's listing drops the storage id from its
   * URLs, and a fresh shot may not be listed yet).
   */
  private readonly refs = new Map<string, string>();
  /** Time of the camera's last answer, by {@link clock}: a THETA counts its idle time from there. */
  private lastReply: number;
  /** The camera's sleepDelay and offDelay (s, 65535 = never), when it has them. */
  private delays: { sleepDelay?: number; offDelay?: number } = {};
  private readonly clock: Clock;

  constructor(
    address: NetworkAddress,
    options: { timeoutMs?: number; apiVersion?: 1 | 2; requireApiVersion?: boolean; clock?: Clock } = {},
  ) {
    this.address = address.href;
    this.clock = options.clock ?? new RealClock();
    this.lastReply = this.clock.now();
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    const o: ConstructorParameters<typeof OscClient>[0] = {
      baseUrl: `http://${host}:${address.port}`,
      onReply: () => void (this.lastReply = this.clock.now()),
    };
    if (options.timeoutMs !== undefined) o.timeoutMs = options.timeoutMs;
    if (options.apiVersion !== undefined) o.apiVersion = options.apiVersion;
    if (options.requireApiVersion !== undefined) o.requireApiVersion = options.requireApiVersion;
    if (address.username !== undefined) o.auth = { user: address.username, password: address.password ?? '' };
    this.client = new OscClient(o);
  }

  /** Detects the API level (switching an S to v2.1) and remembers the storage URI. */
  async connect(options: CallOptions = {}): Promise<void> {
    await this.wrap(this.client.connect(options));
    if (this.client.api === 2) {
      const st = await this.wrap(this.client.state(options));
      this.storageUri = typeof st.state.storageUri === 'string' ? st.state.storageUri : '';
    }
    // v2.0 downloads go through getImage, which has no Range.
    this.capabilities.resumableDownload = this.client.api === 2;
    await this.readDelays(options);
  }

  /** Reads sleepDelay and offDelay, to tell a camera that slept or switched off from a lost link. */
  private async readDelays(options: CallOptions = {}): Promise<void> {
    const { options: v } = await this.wrap(this.client.getAvailableOptions(['sleepDelay', 'offDelay'], options));
    this.delays = {};
    if (typeof v['sleepDelay'] === 'number') this.delays.sleepDelay = v['sleepDelay'];
    if (typeof v['offDelay'] === 'number') this.delays.offDelay = v['offDelay'];
  }

  private async wrap<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      throw this.explain(err);
    }
  }

  /**
   * The Camera error of a failed request. A camera that stopped answering after it had been left
   * alone for its offDelay or sleepDelay (off_delay.md, sleep_delay.md) switched itself off or went
   * to sleep: said so, with what to do, rather than "cannot reach".
   */
  private explain(err: unknown): Error {
    const e = toCameraError(err);
    if (!(e instanceof CameraError) || (e.code !== 'UNREACHABLE' && e.code !== 'TIMEOUT')) return e;
    const idle = (this.clock.now() - this.lastReply) / 1000;
    const { sleepDelay, offDelay } = this.delays;
    const o = { cause: e, ...(e.deviceHttpStatus !== undefined ? { deviceHttpStatus: e.deviceHttpStatus } : {}) };
    if (offDelay !== undefined && offDelay !== NEVER && idle >= offDelay) {
      return new CameraError(
        'POWERED_OFF',
        `the THETA switched itself off (offDelay ${offDelay} s): press its power button to switch it on; set offDelay to 65535 (never) to keep it on for long sessions`,
        o,
      );
    }
    if (sleepDelay !== undefined && sleepDelay !== NEVER && idle >= sleepDelay) {
      return new CameraError(
        'ASLEEP',
        `the THETA went to sleep (sleepDelay ${sleepDelay} s): press its power button to wake it; set sleepDelay to 65535 (never) to keep it awake for long sessions`,
        o,
      );
    }
    return e;
  }

  private check(): void {
    if (this.closed) throw new CameraError('CLOSED', 'camera closed');
  }

  // ------------------------------------------------------------ paths

  /** Camera path of a listed entry. */
  private pathOf(e: OscFileEntry): string {
    const ref = (e.uri ?? e.fileUrl ?? '') as string;
    const parts = ref.split('/');
    const folder = parts[parts.length - 2] ?? '100RICOH';
    return `/${MEDIUM}/${folder}/${e.name}`;
  }

  private toRemote(e: OscFileEntry): RemoteFile {
    const f: RemoteFile = { kind: 'file', path: this.pathOf(e), name: e.name, size: e.size };
    const ref = e.fileUrl ?? e.uri;
    if (typeof ref === 'string' && ref) this.refs.set(f.path, ref);
    const t = parseDateTime(e.dateTimeZone ?? e.dateTime);
    if (t !== undefined) f.time = t;
    return f;
  }

  /** fileUrl (v2.1) or fileUri (v2.0) of a camera path. */
  private refOf(path: string): string {
    const parts = path.split('/').filter(Boolean);
    if (
      parts.length !== 3 ||
      parts[0] !== MEDIUM ||
      parts.some((p) => p === '..' || p === '.' || !/^[A-Za-z0-9_.-]+$/.test(p))
    ) {
      throw new CameraError('BAD_PATH', `invalid THETA file path ${path}: expected /${MEDIUM}/<folder>/<file>`);
    }
    const rel = `${parts[1]}/${parts[2]}`;
    const known = this.refs.get(`/${parts.join('/')}`);
    if (known !== undefined && (this.client.api === 2) === isCameraUrl(known)) return known;
    if (this.client.api === 1) return rel;
    const base = this.storageUri || `${this.client.baseUrl}/files/`;
    return `${base.replace(/\/?$/, '/')}${rel}`;
  }

  // ------------------------------------------------------------ info, status, config

  async info(options?: CallOptions): Promise<CameraInfo> {
    this.check();
    const i = await this.wrap(this.client.info(options));
    return {
      protocol: this.protocol,
      address: this.address,
      manufacturer: i.manufacturer,
      model: i.model,
      serialNumber: String(i.serialNumber ?? ''),
      firmware: String(i.firmwareVersion ?? ''),
      details: {
        api: this.client.api === 2 ? 'v2.1' : 'v2.0',
        apiLevel: (i.apiLevel ?? [1]).join(','),
        gps: Boolean(i.gps),
        gyro: Boolean(i.gyro),
        uptime: Number(i.uptime ?? 0),
      },
    };
  }

  async status(options?: CallOptions): Promise<CameraStatus> {
    this.check();
    const st = await this.wrap(this.client.state(options));
    const space = await this.wrap(this.client.getOptions(['remainingSpace', 'totalSpace'], options)).catch(
      () => ({}) as Record<string, unknown>,
    );
    const s = st.state;
    const out: CameraStatus = {
      capture: { state: captureState(s), text: String(s._captureStatus ?? 'idle') },
      battery: { level: Number(s.batteryLevel ?? 0), charging: s._batteryState === 'charging' },
      media: [
        {
          id: MEDIUM,
          path: `/${MEDIUM}`,
          present: true,
          readOnly: false,
          selected: true,
          ...(typeof space['totalSpace'] === 'number' ? { totalBytes: space['totalSpace'] } : {}),
          ...(typeof space['remainingSpace'] === 'number' ? { freeBytes: space['remainingSpace'] } : {}),
        },
      ],
      // The camera's URLs (storageUri, _latestFileUrl) shown on the address it is reached at.
      details: {
        fingerprint: st.fingerprint,
        ...Object.fromEntries(
          Object.entries(s).map(([k, v]) => [k, typeof v === 'string' && isCameraUrl(v) ? this.client.rebase(v) : v]),
        ),
      },
    };
    return out;
  }

  async getConfig(keys?: readonly string[], options?: CallOptions): Promise<Setting[]> {
    this.check();
    // Asked by the names of the API level in use; options this camera lacks are left out.
    const { options: values } = await this.wrap(this.client.getAvailableOptions(optionQuery(this.client.api), options));
    const all = describeTheta(values, this.client.api);
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

  async setConfig(values: Partial<ThetaSettings>, options?: CallOptions): Promise<SetResult[]> {
    this.check();
    let descriptions = await this.getConfig(undefined, options);
    // The camera's …Support values follow captureMode and exposureProgram: when either changes in
    // the same request, the settings that depend on it are judged by the camera, not by the list
    // of the current mode or program.
    const loose = new Set<string>();
    for (const [key, dependents] of Object.entries(DEPENDENT_SETTINGS)) {
      const current = descriptions.find((d) => d.key === key);
      if (values[key] !== undefined && values[key] !== current?.value) for (const d of dependents) loose.add(d);
    }
    if (loose.size > 0) {
      descriptions = descriptions.map((d) => {
        if (!loose.has(d.key)) return d;
        const { allowed: _current, ...rest } = d;
        return { ...rest, type: d.key === 'fileFormat' ? ('string' as const) : ('number' as const) };
      });
    }
    checkSettings(descriptions, values);
    const wire: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) continue;
      wire[k] = k === 'fileFormat' && typeof v === 'string' ? parseFileFormat(v) : v;
      if (wire[k] === undefined)
        throw new CameraError('BAD_VALUE', `fileFormat must read like "mp4 1920x1080", got ${JSON.stringify(v)}`, {
          deviceCode: k,
        });
    }
    try {
      await this.client.setOptions(wire, options);
    } catch (err) {
      // The THETA applies all or nothing: every key shares the camera's answer.
      if (err instanceof OscClientError && err.code === 'ERR_CAMCTL_OSC_CAMERA_ERROR') {
        throw new CameraSettingError(
          Object.keys(wire).map((key) => ({ key, ok: false, message: `${err.oscCode}: ${err.message}` })),
          { cause: err },
        );
      }
      throw this.explain(err);
    }
    if ('sleepDelay' in wire || 'offDelay' in wire) await this.readDelays(options);
    return Object.keys(wire).map((key) => ({ key, ok: true, message: 'done' }));
  }

  // ------------------------------------------------------------ capture

  async capture(options: CaptureOptions = {}): Promise<CaptureResult> {
    this.check();
    const mode = await this.wrap(this.client.getOptions(['captureMode'], options));
    if (mode['captureMode'] !== 'image')
      throw new CameraError(
        'BUSY',
        `camera is in ${String(mode['captureMode'])} mode: use "video start" / "video stop", or set captureMode=image`,
      );
    const o: Parameters<OscClient['takePicture']>[0] = { timeoutMs: options.timeoutMs ?? 60_000 };
    if (options.signal) o.signal = options.signal;
    const ref = await this.wrap(this.client.takePicture(o));
    const file = await this.findEntry(ref, options);
    options.onFile?.(file);
    return { folder: file.path.split('/').slice(0, -1).join('/'), files: [file] };
  }

  /**
   * The listing entry of a fileUrl/fileUri (the newest files first, so this is quick after a shot).
   * A camera may answer the shot before its listing shows it (RICOH's recordings of takePicture and
   * listFiles disagree so): the picture was taken all the same, so it is described from its URL and
   * its size asked of the file itself.
   */
  private async findEntry(ref: string, options: CallOptions): Promise<RemoteFile> {
    const name = ref.split('/').pop() ?? '';
    const signal = options.signal ? { signal: options.signal } : {};
    const page = await this.wrap(this.client.listFiles({ count: 20, ...signal }));
    const hit =
      page.entries.find((e) => e.name === name) ?? (await this.allEntries(options)).find((e) => e.name === name);
    if (hit) return this.toRemote(hit);
    const folder = ref.split('/').slice(-2)[0] ?? '100RICOH';
    if (!name || !/^[A-Za-z0-9_.-]+$/.test(name) || !/^[A-Za-z0-9_.-]+$/.test(folder))
      throw new CameraError('PROTOCOL', `the camera named its picture ${JSON.stringify(ref)}, which is no file path`);
    const path = `/${MEDIUM}/${folder}/${name}`;
    this.refs.set(path, ref);
    const size = (await this.wrap(this.client.fileSize(ref, signal))) ?? (await this.countBytes(ref, options));
    return { kind: 'file', path, name, size };
  }

  /** Size of a v2.0 file, which has no URL to ask: streamed through getImage and counted. */
  private async countBytes(ref: string, options: CallOptions): Promise<number> {
    const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
    const r = await this.wrap(this.client.download(ref, sink, options.signal ? { signal: options.signal } : {}));
    return r.bytes;
  }

  private async allEntries(options: CallOptions): Promise<OscFileEntry[]> {
    return this.wrap(this.client.listAllFiles(options.signal ? { signal: options.signal } : {}));
  }

  async startCapture(options?: CallOptions): Promise<ContinuousCapture> {
    this.check();
    const mode = await this.wrap(this.client.getOptions(['captureMode'], options));
    await this.wrap(this.client.startCapture(undefined, options));
    return {
      text: mode['captureMode'] === 'image' ? 'interval shooting' : 'video recording',
      folder: `/${MEDIUM}/100RICOH`,
    };
  }

  async stopCapture(options?: CallOptions): Promise<ContinuousCapture> {
    this.check();
    const files = await this.wrap(this.client.stopCapture(options));
    return { text: files.length ? `stopped: ${files.map((f) => f.split('/').pop()).join(', ')}` : 'stopped' };
  }

  // ------------------------------------------------------------ files

  async list(path = '/', options: CallOptions = {}): Promise<RemoteEntry[]> {
    this.check();
    const parts = path.split('/').filter(Boolean);
    if (parts.some((p) => p === '..' || p === '.')) throw new CameraError('BAD_PATH', `invalid path ${path}`);
    if (parts.length === 0) {
      const all = await this.allEntries(options);
      return [{ kind: 'medium', path: `/${MEDIUM}`, name: MEDIUM, count: all.length }];
    }
    if (parts[0] !== MEDIUM) throw new CameraError('NOT_FOUND', `no medium /${parts[0]} (the THETA has /${MEDIUM})`);
    const files = (await this.allEntries(options)).map((e) => this.toRemote(e));
    if (parts.length === 1) {
      const folders = new Map<string, number>();
      for (const f of files) {
        const folder = f.path.split('/')[2]!;
        folders.set(folder, (folders.get(folder) ?? 0) + 1);
      }
      return [...folders]
        .sort()
        .map(([name, count]) => ({ kind: 'folder' as const, path: `/${MEDIUM}/${name}`, name, count }));
    }
    const inFolder = files.filter((f) => f.path.split('/')[2] === parts[1]).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (parts.length === 2) return inFolder;
    if (parts.length === 3) {
      const hit = inFolder.filter((f) => f.name === parts[2]);
      if (hit.length === 0) throw new CameraError('NOT_FOUND', `no such file ${path}`);
      return hit;
    }
    throw new CameraError('BAD_PATH', `no such path ${path}: paths are /${MEDIUM}/<folder>/<file>`);
  }

  async download(
    path: string,
    destination: DownloadDestination,
    options: DownloadOptions = {},
  ): Promise<DownloadResult> {
    this.check();
    const ref = this.refOf(path);
    let start = 0;
    let dest: Writable;
    let ownStream = false;
    if (typeof destination === 'string') {
      if (options.resume && this.client.api === 2) start = (await stat(destination).catch(() => undefined))?.size ?? 0;
      if (options.expectedSize !== undefined && start > options.expectedSize) start = 0;
      if (options.expectedSize !== undefined && start === options.expectedSize && start > 0) {
        options.onProgress?.({ path, bytes: start, total: start, resumedFrom: start });
        return { path, file: destination, size: start, transferred: 0, resumedFrom: start };
      }
      dest = createWriteStream(destination, { flags: start > 0 ? 'a' : 'w' });
      ownStream = true;
    } else {
      dest = destination as Writable;
    }
    const resumedFrom = start;
    try {
      const o: Parameters<OscClient['download']>[2] = {};
      if (start) o.start = start;
      if (options.signal) o.signal = options.signal;
      const onProgress = options.onProgress;
      if (onProgress)
        o.onProgress = (p) =>
          onProgress({ path, bytes: p.bytes, resumedFrom, ...(p.total !== undefined ? { total: p.total } : {}) });
      const r = await this.wrap(this.client.download(ref, dest, o));
      if (ownStream) await new Promise<void>((res, rej) => dest.end((err?: Error | null) => (err ? rej(err) : res())));
      if (options.expectedSize !== undefined && r.bytes !== options.expectedSize) {
        throw new CameraError(
          'SIZE_MISMATCH',
          `${path}: got ${r.bytes} bytes, the listing said ${options.expectedSize}`,
        );
      }
      const out: DownloadResult = { path, size: r.bytes, transferred: r.bytes - resumedFrom, resumedFrom };
      if (typeof destination === 'string') out.file = destination;
      return out;
    } catch (err) {
      if (ownStream) dest.destroy();
      throw this.explain(err);
    }
  }

  async delete(path: string, options: CallOptions = {}): Promise<string[]> {
    this.check();
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 3) {
      await this.missingIsNotFound(path, this.wrap(this.client.delete([this.refOf(path)], options)));
      return [`/${parts.join('/')}`];
    }
    if (parts.length === 2 && parts[0] === MEDIUM && !parts.includes('..')) {
      const files = (await this.list(path, options)) as RemoteFile[];
      if (files.length)
        await this.wrap(
          this.client.delete(
            files.map((f) => this.refOf(f.path)),
            options,
          ),
        );
      return files.map((f) => f.path);
    }
    throw new CameraError('BAD_PATH', `cannot delete ${path}: give /${MEDIUM}/<folder> or a file`);
  }

  async thumbnail(path: string, options: CallOptions = {}): Promise<Uint8Array> {
    this.check();
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    await this.missingIsNotFound(
      path,
      this.wrap(
        this.client.download(this.refOf(path), sink, {
          thumb: true,
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      ),
    );
    return Buffer.concat(chunks);
  }

  /**
   * The THETA answers a command naming a file it does not have with invalidParameterValue (as for
   * any bad value); a file that is not listed becomes NOT_FOUND.
   */
  private async missingIsNotFound<T>(path: string, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof CameraError && err.deviceCode === 'invalidParameterValue') {
        const listed = await this.list(path).then(
          () => true,
          (e: unknown) => !(e instanceof CameraError && e.code === 'NOT_FOUND'),
        );
        if (!listed)
          throw new CameraError('NOT_FOUND', `no such file ${path}`, { cause: err, deviceCode: err.deviceCode });
      }
      throw err;
    }
  }

  async *livePreview(options: CallOptions = {}): AsyncIterable<Uint8Array> {
    this.check();
    try {
      yield* this.client.livePreview(options);
    } catch (err) {
      throw this.explain(err);
    }
  }

  /**
   * Camera events from checkForUpdates long-polls: a changed fingerprint → read state → emit the
   * differences (capture state, new latest file). Link failures are reported and retried.
   */
  async *events(options: EventOptions = {}): AsyncIterable<CameraEvent> {
    this.check();
    const signal = options.signal;
    const reconnect = options.reconnect ?? true;
    let prev: OscStateBody | undefined;
    let fp = '';
    let lost = false;
    let attempt = 0;
    while (!signal?.aborted && !this.closed) {
      try {
        if (!prev) {
          const st = await this.client.state(signal ? { signal } : {});
          prev = st.state;
          fp = st.fingerprint;
          if (lost) {
            lost = false;
            yield { type: 'connection', state: 'restored', attempt };
            attempt = 0;
          }
          continue;
        }
        const upd = await this.client.checkForUpdates(fp, 20, signal ? { signal } : {});
        if (upd.stateFingerprint === fp) continue;
        const st = await this.client.state(signal ? { signal } : {});
        fp = st.fingerprint;
        const next = st.state;
        if (next._captureStatus !== prev._captureStatus) yield { type: 'capture', state: captureState(next), raw: st };
        const latestNext = next._latestFileUrl ?? next._latestFileUri;
        const latestPrev = prev._latestFileUrl ?? prev._latestFileUri;
        if (latestNext && latestNext !== latestPrev) {
          const name = latestNext.split('/').pop()!;
          const folder = latestNext.split('/').slice(-2)[0]!;
          yield { type: 'file-added', path: `/${MEDIUM}/${folder}/${name}`, raw: st };
        }
        if (next.batteryLevel !== prev.batteryLevel)
          yield { type: 'sensor', name: 'battery', state: String(next.batteryLevel), raw: st };
        prev = next;
      } catch (err) {
        if (signal?.aborted || this.closed) return;
        const e = this.explain(err);
        if (!reconnect || (e instanceof CameraError && (e.code === 'ABORTED' || e.code === 'CLOSED'))) throw e;
        attempt++;
        if (!lost) yield { type: 'connection', state: 'lost', attempt, error: e.message };
        lost = true;
        prev = undefined;
        // Backing off on the wall clock: the injected clock models the camera's idle time, not the network's.
        await wallClock.sleep(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close().catch(() => undefined);
  }
}

function captureState(s: OscStateBody): CaptureState {
  const c = String(s._captureStatus ?? 'idle');
  if (c === 'idle') return 'idle';
  if (c === 'shooting' || c === 'self-timer countdown' || c === 'bracket shooting' || c === 'timeShift shooting')
    return 'capturing';
  return 'busy';
}

/** `2015:07:10 11:05:18+09:00` (or without the zone: local camera time taken as UTC). */
function parseDateTime(text: string | undefined): number | undefined {
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:([+-])(\d{2}):(\d{2}))?$/.exec(text ?? '');
  if (!m) return undefined;
  const n = m.slice(1).map((x) => Number(x));
  const off = m[7] ? (m[7] === '-' ? -1 : 1) * ((n[7] ?? 0) * 60 + (n[8] ?? 0)) : 0;
  return Date.UTC(n[0]!, n[1]! - 1, n[2]!, n[3]!, n[4]!, n[5]!) - off * 60_000;
}

/** The THETA behind a Camera, for the THETA-only commands; UNSUPPORTED for other cameras. */
export function thetaOf(camera: Camera, command: string): ThetaCamera {
  if (!(camera instanceof ThetaCamera)) {
    throw new CameraError(
      'UNSUPPORTED',
      `"${command}" is only for RICOH THETA cameras (theta://…), not ${camera.protocol}://`,
    );
  }
  return camera;
}

/**
 * Client of the Parrot Sequoia HTTP API: one typed method per endpoint of Parrot's Sequoia API
 * reference and docs/sequoia.md, sharing its reply types with the emulator's
 * server face (`types.ts`).
 *
 * - Replies are validated leniently (`client-schemas.ts`).
 * - Every call takes `signal` and has a timeout per phase: connect, reply headers, body idle.
 * - Downloads stream to a file (Range resume) or a stream, with progress; folders come as zips.
 * - {@link SequoiaClient.events} subscribes to `/websocket` (see `events-client.ts`).
 *
 * Connections are kept alive and pooled (`maxSockets`, default 6), so parallel downloads reuse
 * sockets instead of paying a TCP handshake per file over the camera's Wi-Fi.
 *
 * @example
 * const client = new SequoiaClient({ host: '192.168.47.1' });
 * const { status } = await client.getCaptureStatus();
 * await client.setConfig({ capture_mode: 'timelapse', timelapse_param: 2 });
 * await client.download('/internal/0000/IMG_160704_133619_0000_GRE.TIF', './GRE.TIF', { resume: true });
 * client.close();
 */
import * as http from 'node:http';
import { SequoiaError, SequoiaSettingError, type SequoiaErrorCode } from './client-errors.js';
import {
  send,
  readReplyBody,
  type HttpCall,
  type HttpFailure,
  type HttpTarget,
  type PhaseTimeouts,
} from '../util/http-client.js';
import {
  downloadToFile,
  downloadToStream,
  type SequoiaDownloadOptions,
  type SequoiaDownloadResult,
} from './client-download.js';
import {
  flattenEcho,
  isObject,
  parseCalibration,
  parseCaptureCommand,
  parseCaptureStatus,
  parseConfig,
  parseEcho,
  parseFileInfo,
  parseManualMode,
  parseStatus,
  parseStorage,
  parseVersion,
  parseWifi,
} from './client-schemas.js';
import { SequoiaEvents, type SequoiaEventOptions } from './events-client.js';
import {
  STATUS_PARTS,
  type CalibrationCommandReply,
  type CalibrationReply,
  type CaptureCommandReply,
  type CaptureStatusReply,
  type ConfigReply,
  type ManualMode,
  type ManualModeReply,
  type MediumName,
  type SequoiaConfig,
  type StatusPart,
  type StatusReply,
  type StorageReply,
  type VersionReply,
  type WifiReply,
} from './types.js';

export type { SequoiaDownloadOptions, SequoiaDownloadResult } from './client-download.js';
export { SequoiaError, SequoiaSettingError } from './client-errors.js';

/** Options of {@link SequoiaClient}, checked at construction. */
export interface SequoiaClientOptions {
  /** Camera host or IP (the real camera: 192.168.47.1 over Wi-Fi, 10.1.1.2 over USB). */
  host: string;
  /** HTTP port. Default 80. */
  port?: number;
  /** Shorthand for all three phase timeouts, ms. Default 10 000. */
  timeoutMs?: number;
  /** Per-phase timeouts, ms; each overrides `timeoutMs`. */
  timeouts?: Partial<PhaseTimeouts>;
  /** Most connections at once (parallel downloads). Default 6. */
  maxSockets?: number;
  /** Largest JSON reply accepted, bytes. Default 1 MiB. */
  maxReplyBytes?: number;
}

/** What every {@link SequoiaClient} call takes. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/** One file of a folder listing. */
export interface SequoiaFile {
  /** `/internal/0002/IMG_160629_123655_0000_RGB.JPG`. */
  path: string;
  name: string;
  /** Bytes; a file being written may read 0 (docs/sequoia.md). */
  size: number;
}

/** A folder on a medium, with how many pictures it holds. */
export interface SequoiaFolder {
  /** `/internal/0002`. */
  path: string;
  name: string;
  /** Pictures in it (as `/file/<medium>` reports). */
  pictures: number;
}

/** Starting or stopping a calibration. */
export type CalibrationAction = 'start' | 'stop';

/** Path segments the camera uses; anything else (`..`, separators, NUL) is refused before sending. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/**
 * The Parrot Sequoia's HTTP API, one typed method per endpoint; {@link SequoiaClient.events}
 * follows its WebSocket notifications. Errors are {@link SequoiaError}s with a stable `code`.
 */
export class SequoiaClient {
  readonly host: string;
  readonly port: number;
  readonly timeouts: Readonly<PhaseTimeouts>;
  private readonly agent: http.Agent;
  private readonly target: HttpTarget;
  private readonly maxReplyBytes: number;
  private closed = false;

  constructor(options: SequoiaClientOptions) {
    if (!isObject(options)) throw badOption('options must be an object');
    if (typeof options.host !== 'string' || options.host === '') throw badOption('host must be a non-empty string');
    const port = options.port ?? 80;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw badOption(`port must be an integer 1-65535, got ${port}`);
    const base = options.timeoutMs ?? 10_000;
    const timeouts: PhaseTimeouts = {
      connectMs: options.timeouts?.connectMs ?? base,
      replyMs: options.timeouts?.replyMs ?? base,
      bodyMs: options.timeouts?.bodyMs ?? base,
    };
    for (const [k, v] of Object.entries({ timeoutMs: base, ...timeouts })) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v)))
        throw badOption(`${k} must be a positive number of ms, got ${v}`);
    }
    const maxSockets = options.maxSockets ?? 6;
    if (!Number.isInteger(maxSockets) || maxSockets < 1)
      throw badOption(`maxSockets must be a positive integer, got ${maxSockets}`);
    const maxReplyBytes = options.maxReplyBytes ?? 1024 * 1024;
    if (!Number.isInteger(maxReplyBytes) || maxReplyBytes < 1)
      throw badOption(`maxReplyBytes must be a positive integer`);
    this.host = options.host;
    this.port = port;
    this.timeouts = timeouts;
    this.maxReplyBytes = maxReplyBytes;
    this.agent = new http.Agent({ keepAlive: true, maxSockets, scheduling: 'fifo' });
    this.target = { host: this.host, port, agent: this.agent, timeouts, errorOf: sequoiaErrorOf };
  }

  /** `http://host:port`, for messages. */
  get origin(): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${h}:${this.port}`;
  }

  // ---- capture ---------------------------------------------------------------------------------

  /** `GET /capture`: "Ready", "Snapshot running" (+ `path`), … */
  async getCaptureStatus(options?: CallOptions): Promise<CaptureStatusReply> {
    return parseCaptureStatus(await this.getJson('/capture', options), '/capture');
  }

  /**
   * `GET /capture/start`. The reply is undocumented; the camera's UI treats a status other than
   * "… running" as an error text (docs/sequoia.md), so that is a `CAMERA_ERROR` here.
   */
  async startCapture(options?: CallOptions): Promise<CaptureCommandReply> {
    const path = '/capture/start';
    const { status, json } = await this.exchange({ method: 'GET', path, signal: options?.signal }, true);
    const reply = parseCaptureCommand(json, path);
    if (status >= 400 || !/running$/i.test(reply.status)) {
      throw new SequoiaError('ERR_CAMCTL_SEQUOIA_CAMERA_ERROR', `capture not started: ${reply.status}`, {
        httpStatus: status,
        deviceMessage: reply.status,
        path,
      });
    }
    return reply;
  }

  /** `GET /capture/stop`; "Ready" or "Capture is not running" are both a stopped camera. */
  async stopCapture(options?: CallOptions): Promise<CaptureCommandReply> {
    const path = '/capture/stop';
    return parseCaptureCommand(await this.requestJson({ method: 'GET', path, signal: options?.signal }, true), path);
  }

  // ---- config ----------------------------------------------------------------------------------

  /** `GET /config`: every setting. */
  async getConfig(options?: CallOptions): Promise<ConfigReply> {
    return parseConfig(await this.getJson('/config', options), '/config');
  }

  /**
   * `POST /config` with any subset of the fields. Throws {@link SequoiaSettingError} if the camera
   * rejects a key (the accepted ones stay set); returns the per-key answers otherwise.
   */
  async setConfig(values: Partial<SequoiaConfig>, options?: CallOptions): Promise<Record<string, string>> {
    return this.postSettings('/config', values, options);
  }

  // ---- status ----------------------------------------------------------------------------------

  /** `GET /status`: sunshine sensor, temperatures, GPS, instruments. */
  async getStatus(options?: CallOptions): Promise<StatusReply> {
    return parseStatus(await this.getJson('/status', options), '/status', STATUS_PARTS);
  }

  /** `GET /status/<part>`: one of gps, instruments, sunshine, temperature. */
  async getStatusPart<P extends StatusPart>(
    part: P,
    options?: CallOptions,
  ): Promise<{ request: string } & Pick<StatusReply, P>> {
    if (!(STATUS_PARTS as readonly string[]).includes(part))
      throw badArgument(`unknown status part ${JSON.stringify(part)}`);
    const path = `/status/${part}`;
    return parseStatus(await this.getJson(path, options), path, [part]);
  }

  // ---- calibration -----------------------------------------------------------------------------

  /** `GET /calibration`: the body's and the sunshine sensor's calibration state. */
  async getCalibration(options?: CallOptions): Promise<CalibrationReply> {
    return parseCalibration(await this.getJson('/calibration', options), '/calibration');
  }

  /** `/calibration[/body|/sunshine|/radiometric]/start|stop`; without target: both devices. */
  async calibrate(
    action: CalibrationAction,
    target?: 'body' | 'sunshine' | 'radiometric',
    options?: CallOptions,
  ): Promise<CalibrationCommandReply> {
    if (action !== 'start' && action !== 'stop') throw badArgument(`calibration action must be start or stop`);
    if (target !== undefined && !['body', 'sunshine', 'radiometric'].includes(target)) {
      throw badArgument(`calibration target must be body, sunshine or radiometric`);
    }
    const path = `/calibration${target ? `/${target}` : ''}/${action}`;
    const { status, json } = await this.exchange({ method: 'GET', path, signal: options?.signal }, true);
    const reply = parseEcho(json, path);
    const text = typeof reply.status === 'string' ? reply.status : '';
    if (status >= 400)
      throw new SequoiaError('ERR_CAMCTL_SEQUOIA_CAMERA_ERROR', `calibration ${action} refused: ${text}`, {
        httpStatus: status,
        deviceMessage: text,
        path,
      });
    return { ...reply, request: String(reply.request), status: text };
  }

  // ---- storage and files -----------------------------------------------------------------------

  /** `GET /storage`: capacity and free space of each medium, and the one selected. */
  async getStorage(options?: CallOptions): Promise<StorageReply> {
    return parseStorage(await this.getJson('/storage', options), '/storage');
  }

  /** `GET /file`: GB used per medium, keyed by medium name. */
  async getUsage(options?: CallOptions): Promise<Partial<Record<MediumName, number>> & Record<string, number>> {
    const reply = parseFileInfo(await this.getJson('/file', options), '/file');
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(reply)) if (k.startsWith('/') && typeof v === 'number') out[k.slice(1)] = v;
    return out;
  }

  /** `GET /file/<medium>`: folders with their picture counts, sorted by name. */
  async listFolders(medium: string, options?: CallOptions): Promise<SequoiaFolder[]> {
    const path = `/file/${segment(medium)}`;
    const reply = parseFileInfo(await this.getJson(path, options), path);
    const out: SequoiaFolder[] = [];
    for (const [k, v] of Object.entries(reply)) {
      if (!k.startsWith('/') || typeof v !== 'number') continue;
      out.push({ path: k, name: k.slice(k.lastIndexOf('/') + 1), pictures: v });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** `GET /file/<medium>/<folder>`: files with sizes, sorted by name. */
  async listFiles(medium: string, folder: string, options?: CallOptions): Promise<SequoiaFile[]> {
    const path = `/file/${segment(medium)}/${segment(folder)}`;
    const reply = parseFileInfo(await this.getJson(path, options), path);
    const out: SequoiaFile[] = [];
    for (const [k, v] of Object.entries(reply)) {
      if (!k.startsWith('/') || typeof v !== 'number') continue;
      out.push({ path: k, name: k.slice(k.lastIndexOf('/') + 1), size: v });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Downloads a file (`/internal/0002/IMG_….TIF`) or a whole folder as a zip (`/internal/0002`)
   * into a file path or a writable stream.
   */
  async download(
    cameraPath: string,
    destination: string | NodeJS.WritableStream,
    options: SequoiaDownloadOptions = {},
  ): Promise<SequoiaDownloadResult> {
    const segments = cameraSegments(cameraPath);
    if (segments.length < 2 || segments.length > 3)
      throw badArgument(`download needs /<medium>/<folder>[/<file>], got ${cameraPath}`);
    const urlPath = `/download/${segments.map(encodeURIComponent).join('/')}`;
    const open = (offset: number) => {
      this.checkOpen();
      const call: HttpCall = { method: 'GET', path: urlPath, signal: options.signal };
      if (offset > 0) call.headers = { range: `bytes=${offset}-` };
      return send(this.target, call);
    };
    if (typeof destination === 'string') return downloadToFile(open, cameraPath, destination, options);
    return downloadToStream(open, cameraPath, destination, options);
  }

  /** `GET /delete/<medium>/<folder>[/<file>]`; returns the paths the camera reports deleted. */
  async delete(cameraPath: string, options?: CallOptions): Promise<string[]> {
    const segments = cameraSegments(cameraPath);
    if (segments.length < 2 || segments.length > 3)
      throw badArgument(`delete needs /<medium>/<folder>[/<file>], got ${cameraPath}`);
    const path = `/delete/${segments.map(encodeURIComponent).join('/')}`;
    const reply = await this.getJson(path, options);
    if (!isObject(reply))
      throw new SequoiaError('ERR_CAMCTL_SEQUOIA_BAD_REPLY', `unexpected reply to ${path}: expected an object`, {
        path,
      });
    const deleted: string[] = [];
    const failed: string[] = [];
    for (const [k, v] of Object.entries(reply)) {
      if (k === 'request') continue;
      if (v === 'deleted') deleted.push(k);
      else failed.push(`${k}: ${String(v)}`);
    }
    if (failed.length > 0) {
      throw new SequoiaError('ERR_CAMCTL_SEQUOIA_CAMERA_ERROR', `delete failed: ${failed.join(', ')}`, {
        deviceMessage: failed.join('; '),
        path,
      });
    }
    return deleted;
  }

  // ---- device ----------------------------------------------------------------------------------

  /** `GET /version`: firmware version and serial numbers. */
  async getVersion(options?: CallOptions): Promise<VersionReply> {
    return parseVersion(await this.getJson('/version', options), '/version');
  }

  /** `GET /wifi`: the access point's SSID and state. */
  async getWifi(options?: CallOptions): Promise<WifiReply> {
    return parseWifi(await this.getJson('/wifi', options), '/wifi');
  }

  /** `POST /wifi` with `{ssid}` (≤ 32 bytes) or `{status: 'on'|'off'}`. */
  async setWifi(
    values: { ssid?: string; status?: 'on' | 'off' },
    options?: CallOptions,
  ): Promise<Record<string, string>> {
    if (
      values.ssid !== undefined &&
      (typeof values.ssid !== 'string' || values.ssid === '' || Buffer.byteLength(values.ssid) > 32)
    ) {
      throw badArgument('ssid must be 1 to 32 bytes');
    }
    if (values.status !== undefined && values.status !== 'on' && values.status !== 'off')
      throw badArgument('wifi status must be on or off');
    return this.postSettings('/wifi', values, options);
  }

  /** `GET /manualmode`: exposure mode and settings per band. */
  async getManualMode(options?: CallOptions): Promise<ManualModeReply> {
    return parseManualMode(await this.getJson('/manualmode', options), '/manualmode');
  }

  /** `POST /manualmode` with any part of the structure; answers are flattened (`rgb.iso` → "Ok"). */
  async setManualMode(values: DeepPartial<ManualMode>, options?: CallOptions): Promise<Record<string, string>> {
    return this.postSettings('/manualmode', values, options);
  }

  // ---- events ----------------------------------------------------------------------------------

  /**
   * WebSocket notifications as an async iterable; answers pings, reconnects with backoff and
   * re-reads state after a reconnect (see {@link SequoiaEvents}).
   */
  events(options: Omit<SequoiaEventOptions, 'url' | 'client'> = {}): SequoiaEvents {
    this.checkOpen();
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return new SequoiaEvents({
      ...options,
      url: `ws://${h}:${this.port}/websocket`,
      client: this,
      connectTimeoutMs: this.timeouts.connectMs,
    });
  }

  /** Closes pooled connections; later calls fail with `CLOSED`. */
  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new SequoiaError('ERR_CAMCTL_SEQUOIA_CLOSED', 'client is closed');
  }

  private async postSettings(path: string, values: object, options?: CallOptions): Promise<Record<string, string>> {
    if (!isObject(values) || Object.keys(values).length === 0) throw badArgument(`nothing to set`);
    const reply = parseEcho(
      await this.requestJson({ method: 'POST', path, body: JSON.stringify(values), signal: options?.signal }, true),
      path,
    );
    const answers = flattenEcho(reply);
    if (Object.values(answers).some((a) => a !== 'Ok')) throw new SequoiaSettingError(answers, path);
    return answers;
  }

  private getJson(path: string, options?: CallOptions): Promise<unknown> {
    return this.requestJson({ method: 'GET', path, signal: options?.signal });
  }

  private async requestJson(call: HttpCall, echoOnError = false): Promise<unknown> {
    return (await this.exchange(call, echoOnError)).json;
  }

  /**
   * One JSON exchange. `echoOnError`: the camera answers a rejected POST with an error status but
   * the same per-key echo as a success (docs/sequoia.md), and a refused `/capture/start` or
   * calibration command with its status text; such bodies are returned with their HTTP status for
   * the caller to interpret instead of becoming a bare HTTP error.
   */
  private async exchange(call: HttpCall, echoOnError = false): Promise<{ status: number; json: unknown }> {
    this.checkOpen();
    const reply = await send(this.target, call);
    let body: Buffer;
    try {
      body = await readReplyBody(
        reply,
        this.maxReplyBytes,
        (what) =>
          new SequoiaError('ERR_CAMCTL_SEQUOIA_REPLY_TOO_LARGE', `reply to ${call.path} ${what}`, { path: call.path }),
      );
    } catch (err) {
      if (err instanceof SequoiaError) throw err;
      throw new SequoiaError('ERR_CAMCTL_SEQUOIA_CONNECTION_LOST', `connection lost while reading ${call.path}`, {
        cause: err,
        path: call.path,
        phase: 'body',
      });
    }
    let json: unknown;
    let parseError: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (err) {
      parseError = err;
    }
    const echoed =
      echoOnError &&
      reply.status >= 400 &&
      isObject(json) &&
      typeof json.request === 'string' &&
      json.error === undefined;
    if ((reply.status < 200 || reply.status > 299) && !echoed) {
      // Errors come as JSON `{request, error}` (or `{"/path": "text"}` for /delete): keep the text.
      let text = body.toString('utf8').slice(0, 200);
      if (isObject(json)) {
        const first = Object.entries(json).find(([k, v]) => k !== 'request' && typeof v === 'string')?.[1];
        // Another kind of camera at the address answers `{"error":{"code","message"}}` (OSC): its words, not "[object Object]".
        const error = isObject(json.error) ? (json.error.message ?? json.error.code) : json.error;
        const said = error ?? first ?? json.status;
        text = said === undefined || said === null ? '' : typeof said === 'string' ? said : JSON.stringify(said);
      }
      const code = reply.status === 404 ? 'ERR_CAMCTL_SEQUOIA_NOT_FOUND' : 'ERR_CAMCTL_SEQUOIA_HTTP_STATUS';
      throw new SequoiaError(code, `${call.method} ${call.path}: ${text || `HTTP ${reply.status}`}`, {
        httpStatus: reply.status,
        deviceMessage: text,
        path: call.path,
      });
    }
    if (parseError !== undefined) {
      throw new SequoiaError('ERR_CAMCTL_SEQUOIA_BAD_REPLY', `reply to ${call.path} is not JSON`, {
        cause: parseError,
        path: call.path,
      });
    }
    return { status: reply.status, json };
  }
}

/** `T` with every property optional, at every depth (a partial `/manualmode` update). */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Splits and checks a camera path: `/internal/0002/x.TIF` → ['internal', '0002', 'x.TIF']. */
export function cameraSegments(cameraPath: string): string[] {
  if (typeof cameraPath !== 'string') throw badArgument('path must be a string');
  const parts = cameraPath.split('/').filter((p) => p !== '');
  for (const p of parts) segment(p);
  return parts;
}

function segment(name: string): string {
  if (typeof name !== 'string' || !SEGMENT.test(name) || name.includes('..')) {
    throw badArgument(`invalid path segment ${JSON.stringify(name)}`);
  }
  return name;
}

function badOption(message: string): SequoiaError {
  return new SequoiaError('ERR_CAMCTL_SEQUOIA_BAD_ARGUMENT', `SequoiaClient: ${message}`);
}

function badArgument(message: string): SequoiaError {
  return new SequoiaError('ERR_CAMCTL_SEQUOIA_BAD_ARGUMENT', message);
}

const FAILURE_CODES: Readonly<Record<HttpFailure['kind'], SequoiaErrorCode>> = {
  unreachable: 'ERR_CAMCTL_SEQUOIA_UNREACHABLE',
  timeout: 'ERR_CAMCTL_SEQUOIA_TIMEOUT',
  aborted: 'ERR_CAMCTL_SEQUOIA_ABORTED',
  'connection-lost': 'ERR_CAMCTL_SEQUOIA_CONNECTION_LOST',
};

/** A failure of the HTTP exchange as a {@link SequoiaError}, with its phase and request path. */
function sequoiaErrorOf(f: HttpFailure): SequoiaError {
  // An abort is the caller's, not a phase of the camera's.
  const phase = f.kind === 'aborted' ? {} : { phase: f.phase };
  return new SequoiaError(FAILURE_CODES[f.kind], f.message, {
    ...(f.cause === undefined ? {} : { cause: f.cause }),
    ...phase,
    path: f.path,
  });
}

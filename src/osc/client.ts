/**
 * Client of the Open Spherical Camera API as the RICOH THETA speaks it, v2.0 and v2.1.
 *
 * - `connect()` reads `/osc/info` and `/osc/state._apiVersion`; a THETA S still in v2.0 is switched
 *   to v2.1 the way RICOH's SDK does (startSession, then setOptions {clientVersion: 2}) unless
 *   `apiVersion: 1` is asked; a camera without v2.1 is used in v2.0 with a session.
 * - `command()` follows `inProgress` replies by polling `/osc/commands/status` until done or error,
 *   with an overall timeout, and honours an AbortSignal throughout.
 * - Every request has its own timeout per phase (connect, reply headers, then each body chunk), on
 *   camctl's one HTTP client stack (src/util/http-client.ts, node:http) like the Sequoia client's.
 * - Downloads stream to a Writable with progress (v2.1 with HTTP Range, so they can resume).
 * - Replies are parsed leniently: unknown fields, options and enum values pass through; only a
 *   missing or mistyped field the client needs is a PROTOCOL error.
 * - HTTP Digest authentication when credentials are given (THETA V/Z1 in client mode).
 * - Every request goes to `baseUrl`: URLs the camera hands out are put on it (camera-url.ts).
 *
 * @example
 * const theta = new OscClient({ baseUrl: 'http://127.0.0.1:8080' });
 * await theta.connect();
 * const url = await theta.takePicture();
 * await theta.download(url, fs.createWriteStream('R0010001.JPG'), { onProgress: console.log });
 */
import { once } from 'node:events';
import * as http from 'node:http';
import { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { debuglog } from 'node:util';
import { isCameraUrl, rebaseCameraUrl } from './camera-url.js';
import { digestAuthorization } from './digest.js';
import type { DigestCredentials } from './digest.js';
import { OscClientError } from './errors.js';
import { LivePreviewParser, boundaryOf } from './live-preview.js';
import { JSON_CONTENT_TYPE } from './types.js';
import type { CheckForUpdatesReply, CommandResponse, ListReply, OscFileEntry, OscInfo, OscState } from './types.js';
import { InvalidOptionError } from '../util/errors.js';
import { wallClock } from '../util/clock.js';
import { send, type HttpFailure, type HttpReply } from '../util/http-client.js';

const log = debuglog('camctl:osc');

/** How {@link OscClient} reaches the camera. */
export interface OscClientOptions {
  /** `http://host[:port]` of the camera (the real one is http://192.168.1.1). */
  baseUrl: string;
  /** Timeout of each phase of a request (reply headers, each body chunk), ms. Default 10 000. */
  timeoutMs?: number;
  /** Overall timeout of a command followed to its end (takePicture, stopCapture…), ms. Default 120 000. */
  commandTimeoutMs?: number;
  /** Status polling period, ms. Default 250. */
  pollIntervalMs?: number;
  /** Digest credentials (THETA V/Z1 client mode). */
  auth?: DigestCredentials;
  /** API level to use: 2 (default; switches an S) or 1 (stay in v2.0 with a session). */
  apiVersion?: 1 | 2;
  /**
   * The level asked for is required: a camera without v2.1 is an UNSUPPORTED error instead of being
   * used in v2.0 (early S firmware, before 01.62, has v2.0 only).
   */
  requireApiVersion?: boolean;
  /**
   * Called whenever the camera answers (any HTTP reply): a THETA counts its sleepDelay and
   * offDelay from the last request, so a caller can tell a camera that slept from a lost link.
   */
  onReply?: () => void;
}

/** What every {@link OscClient} request takes. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
}

/** Options of commands that may stay `inProgress` (followed until done). */
export interface CommandOptions extends RequestOptions {
  /** Overall timeout for this command, ms. */
  timeoutMs?: number;
  /** Called with each in-progress reply. */
  onProgress?: (reply: CommandResponse) => void;
}

/** Options of {@link OscClient.download}. */
export interface DownloadOptions extends RequestOptions {
  /** First byte to fetch (v2.1 only: HTTP Range). */
  start?: number;
  /** Thumbnail instead of the file. */
  thumb?: boolean;
  /** Called as bytes arrive, with the total when the camera says it. */
  onProgress?: (p: { bytes: number; total?: number }) => void;
}

/** Options of {@link OscClient.listFiles}. */
export interface FileListOptions extends RequestOptions {
  type?: 'all' | 'image' | 'video';
  count?: number;
  start?: number;
  thumbnails?: boolean;
  sort?: 'newest' | 'oldest';
}

function checkOptions(o: OscClientOptions): void {
  let u: URL;
  try {
    u = new URL(o.baseUrl);
  } catch {
    throw new InvalidOptionError('baseUrl', `must be an http URL, got ${JSON.stringify(o.baseUrl)}`);
  }
  if (u.protocol !== 'http:')
    throw new InvalidOptionError('baseUrl', `must be http://, got ${JSON.stringify(o.baseUrl)}`);
  for (const k of ['timeoutMs', 'commandTimeoutMs', 'pollIntervalMs'] as const) {
    const v = o[k];
    if (v !== undefined && (!Number.isFinite(v) || v <= 0))
      throw new InvalidOptionError(k, `must be a positive number, got ${v}`);
  }
  if (o.apiVersion !== undefined && o.apiVersion !== 1 && o.apiVersion !== 2)
    throw new InvalidOptionError('apiVersion', `must be 1 or 2, got ${String(o.apiVersion)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A client of the Open Spherical Camera API as the RICOH THETA speaks it (v2.0 with sessions, v2.1 without); see the module's description. */
export class OscClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly pollMs: number;
  private challenge: string | undefined;
  private nc = 0;
  /** API level in use once connected: 1 = v2.0, 2 = v2.1. */
  api: 1 | 2 = 1;
  /** v2.0 session id. */
  sessionId: string | undefined;
  infoCache: OscInfo | undefined;
  /**
   * Kept-alive sockets to the camera, reused across requests (idle ones do not hold the process).
   * An idle socket is dropped after 4 s, or sooner when the camera's `Keep-Alive: timeout=` says
   * so, before the camera drops it: a request is then never sent on a socket closing under it.
   */
  private readonly agent = new http.Agent({ keepAlive: true, timeout: 4_000, scheduling: 'fifo' });

  constructor(private readonly options: OscClientOptions) {
    checkOptions(options);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 120_000;
    this.pollMs = options.pollIntervalMs ?? 250;
  }

  // ------------------------------------------------------------------ HTTP

  /**
   * A path, or a URL the camera handed out (storageUri, fileUrl, _latestFileUrl…), on the address
   * this client was given. The camera writes its own idea of its address (192.168.1.1 on a real
   * THETA) into those URLs; every request goes to `baseUrl` whatever they say.
   */
  rebase(pathOrUrl: string): string {
    const url = rebaseCameraUrl(pathOrUrl, this.baseUrl);
    if (isCameraUrl(pathOrUrl) && !url.startsWith(`${new URL(pathOrUrl).origin}/`))
      log('camera URL %s fetched from %s', pathOrUrl, this.baseUrl);
    return url;
  }

  /**
   * The Digest header for one request, or none before the first challenge. Each request takes the
   * next nonce count synchronously, so requests in flight at once carry distinct counts (the camera
   * accepts each count once, in any order within its window).
   */
  private authHeader(method: string, pathAndQuery: string): Record<string, string> {
    if (!this.options.auth || !this.challenge) return {};
    this.nc++;
    return { Authorization: digestAuthorization(this.options.auth, this.challenge, method, pathAndQuery, this.nc) };
  }

  /** One HTTP exchange with phase timeouts and digest retry; returns the response with its body unread. */
  private async http(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    opts: RequestOptions & { headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<Response> {
    const phaseMs = opts.timeoutMs ?? this.timeoutMs;
    const url = this.rebase(path);
    const u = new URL(url);
    // Up to: no credentials yet → challenge; credentials on a nonce that went stale → new nonce;
    // once more if that one was forgotten meanwhile by a busy camera.
    for (let attempt = 0; attempt < 3; attempt++) {
      const auth = this.authHeader(method, u.pathname + u.search);
      const headers: Record<string, string> = { ...opts.headers, ...auth };
      if (method === 'POST') headers['Content-Type'] = JSON_CONTENT_TYPE;
      const reply = await send(
        {
          // The URL's hostname keeps an IPv6 address in brackets; a socket wants it bare.
          host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: Number(u.port || 80),
          agent: this.agent,
          timeouts: { connectMs: phaseMs, replyMs: phaseMs, bodyMs: this.timeoutMs },
          errorOf: (f) => oscErrorOf(f, u.host),
        },
        {
          method,
          path: u.pathname + u.search,
          headers,
          ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
          signal: opts.signal,
        },
      );
      const res = toResponse(reply);
      this.options.onReply?.();
      if (res.status === 401 && this.options.auth) {
        const www = res.headers.get('www-authenticate');
        await res.body?.cancel();
        if (!www || !/^Digest/i.test(www))
          throw new OscClientError('ERR_CAMCTL_OSC_AUTH', `${u.host} asks for an unsupported authentication`, {
            status: 401,
          });
        const stale = /stale\s*=\s*"?true/i.test(www);
        if (auth.Authorization !== undefined && !stale)
          throw new OscClientError('ERR_CAMCTL_OSC_AUTH', `${u.host} refused the credentials`, { status: 401 });
        // A new nonce starts its own count; every challenge carries a fresh nonce, so requests
        // still in flight on the previous one keep their distinct counts.
        this.challenge = www;
        this.nc = 0;
        continue;
      }
      if (res.status === 401) {
        await res.body?.cancel();
        throw new OscClientError('ERR_CAMCTL_OSC_AUTH', `${u.host} requires authentication`, { status: 401 });
      }
      return res;
    }
    throw new OscClientError('ERR_CAMCTL_OSC_AUTH', `${u.host} refused the credentials`, { status: 401 });
  }

  /** Reads a body with an idle timeout per chunk. */
  private async readAll(res: Response, opts: RequestOptions): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.chunks(res, opts)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }

  private async *chunks(res: Response, opts: RequestOptions): AsyncGenerator<Uint8Array> {
    if (!res.body) return;
    const reader = res.body.getReader();
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        let onAbort: (() => void) | undefined;
        const stop = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new OscClientError('ERR_CAMCTL_OSC_TIMEOUT', `reply body stalled for ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
          onAbort = () =>
            reject(new OscClientError('ERR_CAMCTL_OSC_ABORTED', 'aborted', { cause: opts.signal?.reason }));
          if (opts.signal?.aborted) onAbort();
          else opts.signal?.addEventListener('abort', onAbort, { once: true });
        });
        try {
          const { value, done } = await Promise.race([reader.read(), stop]);
          if (done) return;
          yield value;
        } finally {
          clearTimeout(timer);
          if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  private async json(res: Response, opts: RequestOptions, what: string): Promise<Record<string, unknown>> {
    const raw = await this.readAll(res, opts);
    let v: unknown;
    try {
      v = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new OscClientError(
        res.ok ? 'ERR_CAMCTL_OSC_PROTOCOL' : 'ERR_CAMCTL_OSC_HTTP',
        `${what}: HTTP ${res.status} with a body that is not JSON`,
        { status: res.status, cause: err },
      );
    }
    if (!isObject(v))
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', `${what}: reply is not a JSON object`, {
        status: res.status,
      });
    return v;
  }

  // ------------------------------------------------------------------ protocol endpoints

  /** `GET /osc/info`: model, firmware, serial, API levels. */
  async info(opts: RequestOptions = {}): Promise<OscInfo> {
    const res = await this.http('GET', '/osc/info', undefined, opts);
    const v = await this.json(res, opts, '/osc/info');
    if (!res.ok) throw this.errorFrom(v, res.status, 'info');
    if (typeof v['model'] !== 'string' || typeof v['manufacturer'] !== 'string')
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', '/osc/info: manufacturer and model are required');
    this.infoCache = v as unknown as OscInfo;
    return this.infoCache;
  }

  /** `POST /osc/state`: battery, capture status, latest file, API version, and the state fingerprint. */
  async state(opts: RequestOptions = {}): Promise<OscState> {
    const res = await this.http('POST', '/osc/state', undefined, opts);
    const v = await this.json(res, opts, '/osc/state');
    if (!res.ok) throw this.errorFrom(v, res.status, 'state');
    if (typeof v['fingerprint'] !== 'string' || !isObject(v['state']))
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', '/osc/state: fingerprint and state are required');
    return v as unknown as OscState;
  }

  /** Waits (up to `waitTimeoutS` on the camera) for the fingerprint to change. */
  async checkForUpdates(
    fingerprint: string,
    waitTimeoutS?: number,
    opts: RequestOptions = {},
  ): Promise<CheckForUpdatesReply> {
    const body: Record<string, unknown> = { stateFingerprint: fingerprint };
    if (waitTimeoutS !== undefined) body['waitTimeout'] = waitTimeoutS;
    // The reply legitimately takes waitTimeout: allow for it on top of the phase timeout.
    const res = await this.http('POST', '/osc/checkForUpdates', body, {
      ...opts,
      timeoutMs: this.timeoutMs + (waitTimeoutS ?? 0) * 1000,
    });
    const v = await this.json(res, opts, '/osc/checkForUpdates');
    if (!res.ok) throw this.errorFrom(v, res.status, 'checkForUpdates');
    if (typeof v['stateFingerprint'] !== 'string')
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'checkForUpdates: stateFingerprint is required');
    return {
      stateFingerprint: v['stateFingerprint'],
      throttleTimeout: typeof v['throttleTimeout'] === 'number' ? v['throttleTimeout'] : 0,
    };
  }

  private errorFrom(v: Record<string, unknown>, status: number, command: string): OscClientError {
    const e = isObject(v['error']) ? v['error'] : undefined;
    const code = typeof e?.['code'] === 'string' ? e['code'] : undefined;
    const message = typeof e?.['message'] === 'string' ? e['message'] : `HTTP ${status}`;
    if (code)
      return new OscClientError('ERR_CAMCTL_OSC_CAMERA_ERROR', `${command}: ${code}: ${message}`, {
        oscCode: code,
        status,
        command,
      });
    return new OscClientError('ERR_CAMCTL_OSC_HTTP', `${command}: HTTP ${status}`, { status, command });
  }

  private parseCommand(v: Record<string, unknown>, status: number, name: string): CommandResponse {
    if (v['state'] === 'error' || (status >= 400 && isObject(v['error'])))
      throw this.errorFrom(v, status, String(v['name'] ?? name));
    if (typeof v['state'] !== 'string')
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', `${name}: reply has no state`, { status, command: name });
    if (status >= 400)
      throw new OscClientError('ERR_CAMCTL_OSC_HTTP', `${name}: HTTP ${status}`, { status, command: name });
    if (v['state'] === 'inProgress' && typeof v['id'] !== 'string' && typeof v['id'] !== 'number')
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', `${name}: inProgress without an id`);
    return { ...(v as unknown as CommandResponse), name: typeof v['name'] === 'string' ? v['name'] : name };
  }

  /** One `/osc/commands/execute` exchange; JSON replies only. */
  async execute(
    name: string,
    parameters: Record<string, unknown> = {},
    opts: RequestOptions = {},
  ): Promise<CommandResponse> {
    const res = await this.http('POST', '/osc/commands/execute', { name, parameters }, opts);
    return this.parseCommand(await this.json(res, opts, name), res.status, name);
  }

  /** `POST /osc/commands/status` of a command that answered `inProgress`. */
  async commandStatus(id: string, opts: RequestOptions = {}): Promise<CommandResponse> {
    const res = await this.http('POST', '/osc/commands/status', { id }, opts);
    return this.parseCommand(await this.json(res, opts, 'commands/status'), res.status, 'commands/status');
  }

  /**
   * Executes a command and follows it to its end; returns `results` (empty object if none).
   * A THETA S drops back to v2.0 when it restarts (camera.reset), or its link drops: a v2.1 command
   * it then refuses — unknown in v2.0, a v2.1-only parameter, or no sessionId where v2.0 needs one —
   * makes the client switch it to v2.1 again and retry once.
   */
  async command(
    name: string,
    parameters: Record<string, unknown> = {},
    opts: CommandOptions = {},
  ): Promise<Record<string, unknown>> {
    try {
      return await this.commandOnce(name, parameters, opts);
    } catch (err) {
      const refused =
        err instanceof OscClientError &&
        (err.oscCode === 'unknownCommand' ||
          err.oscCode === 'invalidParameterName' ||
          err.oscCode === 'missingParameter');
      if (!refused || this.api !== 2 || this.switching) throw err;
      const st = await this.state(opts);
      if (st.state._apiVersion === 2) throw err;
      log('camera fell back to API v2.0: switching to v2.1 again');
      await this.switchToV21(opts);
      return this.commandOnce(name, parameters, opts);
    }
  }

  private switching = false;

  private async switchToV21(opts: RequestOptions): Promise<void> {
    this.switching = true;
    try {
      const s = await this.commandOnce('camera.startSession', {}, opts);
      await this.commandOnce(
        'camera.setOptions',
        { sessionId: String(s['sessionId'] ?? ''), options: { clientVersion: 2 } },
        opts,
      );
      this.api = 2;
      this.sessionId = undefined;
    } finally {
      this.switching = false;
    }
  }

  private async commandOnce(
    name: string,
    parameters: Record<string, unknown>,
    opts: CommandOptions,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + (opts.timeoutMs ?? this.commandTimeoutMs);
    let reply = await this.execute(name, parameters, opts);
    while (reply.state === 'inProgress') {
      opts.onProgress?.(reply);
      if (Date.now() >= deadline)
        throw new OscClientError(
          'ERR_CAMCTL_OSC_TIMEOUT',
          `${name} did not finish within ${opts.timeoutMs ?? this.commandTimeoutMs} ms`,
          { command: name },
        );
      await sleep(Math.min(this.pollMs, Math.max(0, deadline - Date.now())), opts.signal);
      reply = await this.commandStatus(String(reply.id), opts);
    }
    if (reply.state !== 'done') log('%s: unknown state %s taken as done', name, reply.state);
    return isObject(reply.results) ? reply.results : {};
  }

  // ------------------------------------------------------------------ session and API level

  /**
   * Reads info and state; switches a v2.0 camera to v2.1 when it supports it (and the client was not
   * asked to stay in v2.0), else keeps a v2.0 session. A camera found in v2.1 when v2.0 is asked for
   * is switched back first (setOptions {clientVersion: 1}, no session: v2.1 has none and answers
   * startSession with unknownCommand).
   */
  async connect(opts: RequestOptions = {}): Promise<{ info: OscInfo; api: 1 | 2 }> {
    const info = await this.info(opts);
    const st = await this.state(opts);
    const levels = Array.isArray(info.apiLevel) ? info.apiLevel : [1];
    const current = st.state._apiVersion === 2 ? 2 : 1;
    const want = this.options.apiVersion ?? 2;
    if (want === 2 && current !== 2 && !levels.includes(2) && this.options.requireApiVersion) {
      const fw = info.firmwareVersion ? ` firmware ${info.firmwareVersion}` : '';
      throw new OscClientError(
        'ERR_CAMCTL_OSC_UNSUPPORTED',
        `${info.model}${fw} speaks API v2.0 only (on the S, v2.1 comes with firmware 01.62): update the camera's firmware, or use API v2.0`,
      );
    }
    if (current === 2 && want === 2) {
      this.api = 2;
    } else if (want === 2 && levels.includes(2)) {
      await this.switchToV21(opts);
    } else {
      if (current === 2) {
        await this.commandOnce('camera.setOptions', { options: { clientVersion: 1 } }, opts);
      }
      this.api = 1;
      const s = await this.command('camera.startSession', {}, opts);
      if (typeof s['sessionId'] !== 'string')
        throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'startSession: sessionId missing');
      this.sessionId = s['sessionId'];
    }
    log('connected to %s %s, API v2.%d', info.manufacturer, info.model, this.api - 1);
    return { info, api: this.api };
  }

  /** v2.0 commands need the session id; a stale one is renewed once. */
  private async sessionCommand(
    name: string,
    params: Record<string, unknown>,
    opts: CommandOptions,
  ): Promise<Record<string, unknown>> {
    if (this.api === 2) return this.command(name, params, opts);
    if (!this.sessionId) await this.renewSession(opts);
    try {
      return await this.command(name, { sessionId: this.sessionId, ...params }, opts);
    } catch (err) {
      if (err instanceof OscClientError && err.oscCode === 'invalidSessionId') {
        await this.renewSession(opts);
        return this.command(name, { sessionId: this.sessionId, ...params }, opts);
      }
      throw err;
    }
  }

  private async renewSession(opts: RequestOptions): Promise<void> {
    const s = await this.command('camera.startSession', {}, opts);
    if (typeof s['sessionId'] !== 'string')
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'startSession: sessionId missing');
    this.sessionId = s['sessionId'];
  }

  /**
   * camera.reset (v2.1 only): every setting back to its default. The camera restarts, which puts an
   * S or SC back in v2.0 without a session; the next command switches it to v2.1 again.
   */
  async reset(opts: CommandOptions = {}): Promise<void> {
    if (this.api !== 2)
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'camera.reset exists only in API v2.1', {
        command: 'camera.reset',
      });
    await this.command('camera.reset', {}, opts);
    this.sessionId = undefined;
  }

  /** Ends the session (v2.0 closeSession; nothing to do in v2.1) and closes the idle sockets. */
  async close(opts: RequestOptions = {}): Promise<void> {
    if (this.api === 1 && this.sessionId) {
      await this.command('camera.closeSession', { sessionId: this.sessionId }, opts).catch(() => undefined);
      this.sessionId = undefined;
    }
    this.agent.destroy();
  }

  // ------------------------------------------------------------------ camera operations

  /** `camera.getOptions`: the named options' current values. */
  async getOptions(names: string[], opts: RequestOptions = {}): Promise<Record<string, unknown>> {
    const r = await this.sessionCommand('camera.getOptions', { optionNames: names }, opts);
    return isObject(r['options']) ? r['options'] : {};
  }

  /**
   * getOptions that one unknown option cannot fail: a camera refuses the whole request with
   * invalidParameterName when it does not know one name (another model, another firmware, another
   * API level). The names its message mentions are dropped and the rest asked again; when it names
   * none, each is asked alone. Returns the values and the names the camera does not have.
   */
  async getAvailableOptions(
    names: string[],
    opts: RequestOptions = {},
  ): Promise<{ options: Record<string, unknown>; unavailable: string[] }> {
    let asked = [...new Set(names)];
    const unavailable: string[] = [];
    const unknownName = (err: unknown): err is OscClientError =>
      err instanceof OscClientError && err.oscCode === 'invalidParameterName';
    while (asked.length > 0) {
      try {
        return { options: await this.getOptions(asked, opts), unavailable };
      } catch (err) {
        if (!unknownName(err)) throw err;
        const named = asked.length === 1 ? asked : asked.filter((n) => mentions(err.message, n));
        if (named.length === 0) {
          const options: Record<string, unknown> = {};
          for (const n of asked) {
            try {
              Object.assign(options, await this.getOptions([n], opts));
            } catch (e) {
              if (!unknownName(e)) throw e;
              unavailable.push(n);
            }
          }
          return { options, unavailable };
        }
        log('getOptions: camera does not know %s', named.join(', '));
        unavailable.push(...named);
        asked = asked.filter((n) => !named.includes(n));
      }
    }
    return { options: {}, unavailable };
  }

  /** `camera.setOptions`; an invalid value is an {@link OscClientError} with the camera's error code. */
  async setOptions(options: Record<string, unknown>, opts: RequestOptions = {}): Promise<void> {
    await this.sessionCommand('camera.setOptions', { options }, opts);
  }

  /** Takes a picture and waits for it; returns its fileUrl (v2.1) or fileUri (v2.0). */
  async takePicture(opts: CommandOptions = {}): Promise<string> {
    const r = await this.sessionCommand('camera.takePicture', {}, opts);
    const ref = r['fileUrl'] ?? r['fileUri'];
    if (typeof ref !== 'string')
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'takePicture: no fileUrl/fileUri in the results');
    return ref;
  }

  /** Starts interval, composite or bracket shooting, or video in video mode (`_startCapture` / `startCapture`); resolves with the files made, if any. */
  async startCapture(mode?: 'interval' | 'composite' | 'bracket', opts: CommandOptions = {}): Promise<string[]> {
    const r =
      this.api === 2
        ? await this.command('camera.startCapture', mode ? { _mode: mode } : {}, opts)
        : await this.sessionCommand('camera._startCapture', mode ? { mode } : {}, opts);
    return stringList(r['fileUrls'] ?? r['_fileUrls']);
  }

  /** Stops interval shooting or video; resolves with the files written. */
  async stopCapture(opts: CommandOptions = {}): Promise<string[]> {
    const r =
      this.api === 2
        ? await this.command('camera.stopCapture', {}, opts)
        : await this.sessionCommand('camera._stopCapture', {}, opts);
    return stringList(r['fileUrls'] ?? r['_fileUrls']);
  }

  /** One page of files: v2.1 listFiles, v2.0 _listAll (continuation by start position either way). */
  async listFiles(o: FileListOptions = {}): Promise<ListReply> {
    const count = o.count ?? 100;
    const start = o.start ?? 0;
    let r: Record<string, unknown>;
    if (this.api === 2) {
      const p: Record<string, unknown> = {
        fileType: o.type ?? 'all',
        entryCount: count,
        maxThumbSize: o.thumbnails ? 640 : 0,
      };
      if (start) p['startPosition'] = start;
      if (o.sort) p['_sort'] = o.sort;
      r = await this.command('camera.listFiles', p, o);
    } else {
      const p: Record<string, unknown> = { entryCount: count };
      if (start) p['continuationToken'] = String(start);
      if (o.sort) p['sort'] = o.sort;
      r = await this.command('camera._listAll', p, o);
      if (o.type && o.type !== 'all')
        r['entries'] = (Array.isArray(r['entries']) ? r['entries'] : []).filter(
          (e: OscFileEntry) => (o.type === 'video') === /\.MP4$/i.test(String(e.name)),
        );
    }
    if (!Array.isArray(r['entries'])) throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'file list: entries missing');
    const entries = (r['entries'] as unknown[]).filter(isObject).map((e) => {
      if (typeof e['name'] !== 'string' || typeof e['size'] !== 'number')
        throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'file list: entry without name or size');
      return e as OscFileEntry;
    });
    const out: ListReply = {
      entries,
      totalEntries: typeof r['totalEntries'] === 'number' ? r['totalEntries'] : entries.length,
    };
    if (typeof r['continuationToken'] === 'string') out.continuationToken = r['continuationToken'];
    return out;
  }

  /** Every file, paging through the list. */
  async listAllFiles(o: Omit<FileListOptions, 'start' | 'count'> = {}): Promise<OscFileEntry[]> {
    const all: OscFileEntry[] = [];
    for (;;) {
      const page = await this.listFiles({ ...o, start: all.length, count: 100 });
      all.push(...page.entries);
      if (page.entries.length === 0 || all.length >= page.totalEntries) return all;
    }
  }

  /** Deletes files by URL (v2.1) or URI (v2.0). */
  async delete(refs: string[], opts: RequestOptions = {}): Promise<void> {
    if (this.api === 2) {
      await this.command('camera.delete', { fileUrls: refs }, opts);
      return;
    }
    for (const fileUri of refs) await this.command('camera.delete', { fileUri }, opts);
  }

  /** `camera.getMetadata`: a picture's EXIF and XMP as the camera reads them. */
  async metadata(
    ref: string,
    opts: RequestOptions = {},
  ): Promise<{ exif: Record<string, unknown>; xmp: Record<string, unknown> }> {
    const r =
      this.api === 2
        ? await this.command('camera._getMetadata', { fileUrl: ref }, opts)
        : await this.command('camera.getMetadata', { fileUri: ref }, opts);
    return { exif: isObject(r['exif']) ? r['exif'] : {}, xmp: isObject(r['xmp']) ? r['xmp'] : {} };
  }

  /**
   * Streams a file (fileUrl in v2.1, fileUri in v2.0) into `dest`, honouring backpressure. Returns
   * the bytes written and the total size when known.
   */
  async download(ref: string, dest: Writable, o: DownloadOptions = {}): Promise<{ bytes: number; total?: number }> {
    let res: Response;
    if (this.api === 2 || /^https?:/.test(ref)) {
      const headers: Record<string, string> = {};
      if (o.start) headers['Range'] = `bytes=${o.start}-`;
      res = await this.http('GET', `${ref}${o.thumb ? '?type=thumb' : ''}`, undefined, { ...o, headers });
    } else {
      if (o.start)
        throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'API v2.0 downloads cannot resume (no Range on getImage)');
      const video = /\.MP4$/i.test(ref);
      const params = video
        ? { fileUri: ref, _type: o.thumb ? 'thumb' : 'full' }
        : { fileUri: ref, _type: o.thumb ? 'thumb' : 'full' };
      res = await this.http(
        'POST',
        '/osc/commands/execute',
        { name: video ? 'camera._getVideo' : 'camera.getImage', parameters: params },
        o,
      );
    }
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || type.startsWith('application/json')) {
      const v = await this.json(res, o, 'download');
      throw this.errorFrom(v, res.status, 'download');
    }
    if (o.start && res.status !== 206)
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', `download: asked for a range, got HTTP ${res.status}`);
    const len = Number(res.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(len) ? len + (o.start ?? 0) : undefined;
    let bytes = o.start ?? 0;
    for await (const chunk of this.chunks(res, o)) {
      bytes += chunk.length;
      if (!dest.write(chunk)) await once(dest, 'drain', o.signal ? { signal: o.signal } : {});
      o.onProgress?.(total === undefined ? { bytes } : { bytes, total });
    }
    if (total !== undefined && bytes !== total)
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', `download: got ${bytes} of ${total} bytes`);
    return total === undefined ? { bytes } : { bytes, total };
  }

  /**
   * Size of a file the camera serves over HTTP (a v2.1 fileUrl), from one byte asked with HTTP Range
   * (the reply's Content-Range gives the total) or a whole reply's Content-Length; undefined for a
   * v2.0 fileUri, which only getImage streams.
   */
  async fileSize(ref: string, opts: RequestOptions = {}): Promise<number | undefined> {
    if (this.api !== 2 && !/^https?:/.test(ref)) return undefined;
    const res = await this.http('GET', ref, undefined, { ...opts, headers: { Range: 'bytes=0-0' } });
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || type.startsWith('application/json')) {
      const v = await this.json(res, opts, 'file size');
      throw this.errorFrom(v, res.status, 'file size');
    }
    await res.body?.cancel();
    const total =
      res.status === 206
        ? /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '')?.[1]
        : res.headers.get('content-length');
    const n = Number(total ?? NaN);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', `file size: ${ref} came without its length`);
    return n;
  }

  /** Live-preview JPEG frames until the signal aborts, the iterator is returned, or the camera ends it. */
  async *livePreview(opts: RequestOptions = {}): AsyncGenerator<Buffer> {
    let res: Response;
    try {
      res = await this.openPreview(opts);
    } catch (err) {
      // As command(): an S back in v2.0 (restart, reset, lost link) is switched again, once.
      const refused =
        err instanceof OscClientError && (err.oscCode === 'unknownCommand' || err.oscCode === 'missingParameter');
      if (!refused || this.api !== 2 || (await this.state(opts)).state._apiVersion === 2) throw err;
      await this.switchToV21(opts);
      res = await this.openPreview(opts);
    }
    const parser = new LivePreviewParser(boundaryOf(res.headers.get('content-type') ?? ''));
    for await (const chunk of this.chunks(res, opts)) {
      for (const frame of parser.push(chunk)) yield frame;
    }
  }

  /** The multipart reply of getLivePreview (v2.1) or _getLivePreview (v2.0); OSC errors thrown. */
  private async openPreview(opts: RequestOptions): Promise<Response> {
    if (this.api === 1 && !this.sessionId) await this.renewSession(opts);
    const body =
      this.api === 2
        ? { name: 'camera.getLivePreview', parameters: {} }
        : { name: 'camera._getLivePreview', parameters: { sessionId: this.sessionId } };
    const res = await this.http('POST', '/osc/commands/execute', body, opts);
    const type = res.headers.get('content-type') ?? '';
    if (type.startsWith('application/json') || !res.ok) {
      const v = await this.json(res, opts, body.name);
      throw this.errorFrom(v, res.status, body.name);
    }
    return res;
  }
}

/** Whether an error message names an option (as a whole word: `iso` is not in `isoSupport`). */
function mentions(message: string, name: string): boolean {
  const i = message.indexOf(name);
  if (i < 0) return false;
  const word = /[A-Za-z0-9_]/;
  return !word.test(message[i - 1] ?? '') && !word.test(message[i + name.length] ?? '')
    ? true
    : mentions(message.slice(i + name.length), name);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A pause between polls, on the wall clock; an abort is the client's ABORTED error. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return wallClock.sleep(ms, signal).catch((reason: unknown) => {
    throw new OscClientError('ERR_CAMCTL_OSC_ABORTED', 'aborted', { cause: reason });
  });
}

/** A failure of the HTTP exchange as an {@link OscClientError}, in the words the client always used. */
function oscErrorOf(f: HttpFailure, host: string): OscClientError {
  switch (f.kind) {
    case 'aborted':
      return new OscClientError('ERR_CAMCTL_OSC_ABORTED', 'aborted', { cause: f.cause });
    case 'timeout':
      return f.phase === 'body'
        ? new OscClientError('ERR_CAMCTL_OSC_TIMEOUT', `reply body stalled for ${f.timeoutMs} ms`)
        : new OscClientError('ERR_CAMCTL_OSC_TIMEOUT', `no reply from ${host} within ${f.timeoutMs} ms`);
    default:
      // Refused, reset or cut: the camera is not (or no longer) there to answer.
      return new OscClientError('ERR_CAMCTL_OSC_UNREACHABLE', `cannot reach ${host}: ${f.message}`, { cause: f.cause });
  }
}

/**
 * The reply as a WHATWG Response (status, headers, a web stream over the guarded body), the shape
 * the rest of the client reads; cancelling its body closes the exchange.
 */
function toResponse(reply: HttpReply): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(reply.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  // A Response of these statuses may not have a body (Fetch standard, "null body status").
  if (reply.status === 204 || reply.status === 205 || reply.status === 304) {
    reply.body.resume();
    return new Response(null, { status: reply.status, headers });
  }
  return new Response(webStreamOf(reply.body), { status: reply.status, headers });
}

/**
 * A web stream over a Node stream, read on demand. Not `Readable.toWeb`: on Node 20 it enqueues
 * chunks that arrive after the reader cancelled and throws "Controller is already closed" outside
 * any caller's reach. Here a chunk that arrives after a cancel is dropped.
 */
function webStreamOf(body: Readable): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await chunks.next();
          if (cancelled) return;
          if (done) controller.close();
          else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        } catch (err) {
          if (!cancelled) controller.error(err);
        }
      },
      async cancel() {
        cancelled = true;
        body.destroy();
        await chunks.return?.().catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

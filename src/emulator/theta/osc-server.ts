/**
 * The OSC server face of an emulated THETA: `/osc/info`, `/osc/state`, `/osc/checkForUpdates`,
 * `/osc/commands/execute`, `/osc/commands/status`, v2.1's `/files/<storageId>/…` downloads with
 * Range, and the live-preview multipart stream — over a {@link ThetaDevice}.
 *
 * This file routes requests (and answers errors); the rest of the face is one concept per file:
 * osc-commands.ts (execute), osc-sessions.ts (sessions, API level), osc-options.ts (option names
 * per level), osc-state.ts (state, fingerprint), osc-jobs.ts (status), osc-files.ts (downloads),
 * osc-live-preview.ts, osc-errors.ts (device refusals → OSC errors), digest-verifier.ts.
 *
 * Wire facts (docs/osc.md): JSON replies carry exactly `application/json; charset=utf-8`; errors are
 * `{name, state: "error", error: {code, message}}` with the statuses of RICOH's errors.md; the
 * camera sends no CORS headers. Limits are options: body size (413 with an OSC error), preview
 * streams (503 serviceUnavailable). Optional Digest auth as THETA V/Z1 in client mode.
 *
 * @example
 * const face = new OscServerFace(device);
 * const { port } = await face.listen(0, '127.0.0.1');
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { debuglog } from 'node:util';
import type { ThetaDevice } from '../../devices/theta/device.js';
import { InvalidOptionError } from '../../util/errors.js';
import { createServerWithTimeouts, type HttpTimeoutOptions } from '../../util/http-timeouts.js';
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseConnectionReuse } from '../../util/read-body.js';
import { commandJobResponse, executeCommand, fileUrl } from './osc-commands.js';
import type { CommandContext } from './osc-commands.js';
import { OscCommandError, toOscError } from './osc-errors.js';
import { HttpProblem, sendFile, serveFileUrl } from './osc-files.js';
import { OscJobs } from './osc-jobs.js';
import { OscLivePreviews } from './osc-live-preview.js';
import { OscSessions } from './osc-sessions.js';
import { OscState } from './osc-state.js';
import { isAuthority } from '../../osc/camera-url.js';
import { DigestVerifier } from './digest-verifier.js';
import type { DigestCredentials } from '../../osc/digest.js';
import type { DigestPolicy } from './digest-verifier.js';
import { JSON_CONTENT_TYPE, OSC_LIMITS, OSC_PATHS, statusForOscError } from '../../osc/types.js';
import type { OscInfo, OscStateBody } from '../../osc/types.js';

const log = debuglog('camctl:osc');

/**
 * Limits of the face. Past them: a body over `maxBodyBytes` gets 413 with an OSC error and a closed
 * connection; a request not received within its timeout gets 408 and a closed connection (node:http).
 */
export interface OscServerOptions extends HttpTimeoutOptions {
  /** Largest request body in bytes. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Live-preview streams at once. Default 4. */
  maxPreviewStreams?: number;
  /** Longest honoured checkForUpdates waitTimeout, seconds. Default 60. */
  maxWaitTimeoutS?: number;
  /** Require HTTP Digest auth (THETA V/Z1 client mode). */
  auth?: DigestCredentials;
  /** Nonce lifetime, the bound on remembered nonces, and the clock they are judged by. */
  authPolicy?: DigestPolicy;
  /** Port reported in /osc/info endpoints (default: the listening port). */
  advertisedPort?: number;
  /**
   * `host[:port]` written into the URLs the camera hands out (storageUri, fileUrl, _latestFileUrl).
   * Default: the Host the request was addressed to. A real THETA writes its own 192.168.1.1
   * whatever name it was reached under; this reproduces that (clients must not follow it).
   */
  advertisedHost?: string;
  /**
   * Awaited once before every request is served: the emulated link's round trip (its bandwidth
   * is applied to the sockets themselves, see src/emulator/link.ts).
   */
  roundTrip?: () => Promise<void>;
  /**
   * Routes handled before the camera's own, for paths under `/_emulator` (the emulator controls,
   * which need no Digest auth). Resolve true when handled.
   */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;
}

export class OscServerFace {
  readonly server: Server;
  private readonly maxBody: number;
  private readonly maxPreview: number;
  private readonly maxWaitS: number;
  /** The Digest verifier when `auth` is set (read-only view for tests and diagnostics). */
  readonly digest: DigestVerifier | undefined;
  /** The API level and v2.0 sessions (protocol state: the device knows nothing of them). */
  readonly sessions: OscSessions;
  /** `/osc/state` and its fingerprint. */
  readonly state: OscState;
  private readonly jobs = new OscJobs();
  private readonly previews: OscLivePreviews;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly aborts = new Set<AbortController>();
  /** Connections carrying an emulator control right now: kept when the camera sleeps. */
  private readonly controlSockets = new Set<Socket>();
  private readonly onPower = (state: string): void => {
    if (state !== 'on') this.dropCameraConnections();
  };

  constructor(
    readonly device: ThetaDevice,
    private readonly opts: OscServerOptions = {},
  ) {
    this.maxBody = opts.maxBodyBytes ?? OSC_LIMITS.maxBodyBytes;
    this.maxPreview = opts.maxPreviewStreams ?? OSC_LIMITS.maxPreviewStreams;
    this.maxWaitS = opts.maxWaitTimeoutS ?? OSC_LIMITS.maxWaitTimeoutS;
    for (const [k, v] of Object.entries({
      maxBodyBytes: this.maxBody,
      maxPreviewStreams: this.maxPreview,
      maxWaitTimeoutS: this.maxWaitS,
    })) {
      if (!Number.isInteger(v) || v < 0) throw new InvalidOptionError(k, `must be a non-negative integer, got ${v}`);
    }
    if (opts.advertisedHost !== undefined && !isAuthority(opts.advertisedHost))
      throw new InvalidOptionError('advertisedHost', `must be host[:port], got ${JSON.stringify(opts.advertisedHost)}`);
    this.state = new OscState(device, () => this.sessions);
    this.sessions = new OscSessions(device, () => this.state.check());
    this.state.start();
    this.previews = new OscLivePreviews(
      device,
      this.maxPreview,
      (res, name, code, message) => this.sendError(res, name, code, message),
      this.aborts,
    );
    this.digest = opts.auth ? new DigestVerifier(opts.auth, opts.authPolicy) : undefined;
    this.server = createServerWithTimeouts(opts, (req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    device.on('power', this.onPower);
  }

  /**
   * Asleep or off, the camera's Wi-Fi is down: every connection drops (long polls and live
   * previews included), save the one carrying the emulator control that asked for it.
   */
  private dropCameraConnections(): void {
    for (const a of this.aborts) a.abort();
    for (const s of this.sockets) if (!this.controlSockets.has(s)) s.destroy();
  }

  listen(port: number, host: string): Promise<{ port: number; host: string }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve({ port: this.port, host });
      });
    });
  }

  async close(): Promise<void> {
    this.device.off('power', this.onPower);
    this.sessions.detach();
    this.state.detach();
    for (const a of this.aborts) a.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, 200).unref();
    });
  }

  private origin(req: IncomingMessage): string {
    if (this.opts.advertisedHost !== undefined) return `http://${this.opts.advertisedHost}`;
    const host =
      req.headers.host && /^[A-Za-z0-9.\-[\]:]+$/.test(req.headers.host) ? req.headers.host : `127.0.0.1:${this.port}`;
    return `http://${host}`;
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const data = Buffer.from(JSON.stringify(body), 'utf8');
    res.writeHead(status, {
      'Content-Type': JSON_CONTENT_TYPE,
      'Content-Length': data.length,
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(data);
  }

  private sendError(
    res: ServerResponse,
    name: string,
    code: string,
    message: string,
    status = statusForOscError(code),
  ): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.sendJson(res, status, { name, state: 'error', error: { code, message } });
  }

  /** Parses a JSON object body; an empty body is `{}` (clients POST /osc/state without one). */
  private async jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    let raw: Buffer;
    try {
      raw = await readBody(req, this.maxBody);
    } catch (err) {
      if (err instanceof BodyTooLargeError)
        throw new HttpProblem(413, 'invalidParameterValue', `request body exceeds ${this.maxBody} bytes`);
      throw err;
    }
    if (raw.length === 0 || raw.toString('utf8').trim() === '') return {};
    let v: unknown;
    try {
      v = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpProblem(400, 'invalidParameterValue', 'request body is not JSON');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new HttpProblem(400, 'invalidParameterValue', 'request body must be a JSON object');
    return v as Record<string, unknown>;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0] ?? '/';
    const nameFor = pathname === '/osc/commands/execute' ? 'camera.execute' : pathname.replace(/^\/osc\//, '');
    try {
      if (this.opts.roundTrip) await this.opts.roundTrip();
      // Emulator controls are no part of the camera: no authentication, no wake-up.
      if (this.opts.extraRoutes && pathname.startsWith('/_emulator')) {
        const socket = req.socket;
        this.controlSockets.add(socket);
        res.once('close', () => this.controlSockets.delete(socket));
        if (await this.opts.extraRoutes(req, res, pathname)) return;
      }
      // Asleep or off, the camera answers nothing: the connection closes without a reply.
      if (this.device.power !== 'on') {
        req.socket.destroy();
        return;
      }
      if (this.digest) {
        const verdict = this.digest.verify(req.method ?? 'GET', url, req.headers.authorization);
        if (verdict === 'wrong-uri') {
          req.resume();
          this.sendError(
            res,
            nameFor,
            'invalidParameterValue',
            'the Authorization header was made for another request',
            400,
          );
          return;
        }
        if (verdict !== 'ok') {
          req.resume();
          res.setHeader('WWW-Authenticate', this.digest.challenge(verdict === 'stale'));
          this.sendError(res, nameFor, 'invalidParameterValue', 'authentication required', 401);
          return;
        }
      }
      this.device.touch();
      // Until the reply has gone the camera is in use: a long poll or download keeps it awake.
      res.once('close', this.device.inUse());
      log('%s %s', req.method, url);
      if (pathname.startsWith('/files/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD')
          throw new HttpProblem(405, 'unknownCommand', `${req.method} is not allowed on /files/`);
        await serveFileUrl(this.device, req, res, pathname, url);
        return;
      }
      switch (pathname) {
        case '/osc/info':
          if (req.method !== 'GET') throw new HttpProblem(405, 'unknownCommand', 'use GET /osc/info');
          req.resume();
          this.sendJson(res, 200, this.info());
          return;
        case '/osc/state':
          if (req.method !== 'POST') throw new HttpProblem(405, 'unknownCommand', 'use POST /osc/state');
          await this.jsonBody(req);
          this.sendJson(res, 200, this.readState(req));
          return;
        case '/osc/checkForUpdates':
          if (req.method !== 'POST') throw new HttpProblem(405, 'unknownCommand', 'use POST /osc/checkForUpdates');
          await this.checkForUpdates(req, res);
          return;
        case '/osc/commands/execute':
          if (req.method !== 'POST') throw new HttpProblem(405, 'unknownCommand', 'use POST /osc/commands/execute');
          await this.execute(req, res);
          return;
        case '/osc/commands/status':
          if (req.method !== 'POST') throw new HttpProblem(405, 'unknownCommand', 'use POST /osc/commands/status');
          await this.status(req, res);
          return;
        default:
          req.resume();
          throw new HttpProblem(404, 'unknownCommand', `no endpoint ${pathname}`);
      }
    } catch (err) {
      // The body was not read to its end: this reply is the connection's last.
      if (err instanceof HttpProblem && err.status === 413) refuseConnectionReuse(res);
      if (err instanceof BodyIncompleteError) res.destroy();
      else if (err instanceof HttpProblem) this.sendError(res, nameFor, err.oscCode, err.message, err.status);
      else if (toOscError(err)) {
        const osc = toOscError(err)!;
        this.sendError(res, nameFor, osc.oscCode, osc.message);
      } else {
        log('unexpected: %s', err instanceof Error ? err.stack : err);
        this.sendError(res, nameFor, 'unexpected', err instanceof Error ? err.message : String(err));
      }
    }
  }

  info(): OscInfo {
    const port = this.opts.advertisedPort ?? this.port;
    return {
      manufacturer: 'RICOH',
      model: 'RICOH THETA S',
      serialNumber: this.device.serialNumber,
      firmwareVersion: this.device.firmwareVersion,
      supportUrl: 'https://theta360.com/en/support/',
      // apiLevel came with v2.1 (S firmware 01.62): earlier firmware does not send it.
      ...(this.device.has('apiV21') ? { apiLevel: [1, 2] } : {}),
      endpoints: { httpPort: port, httpUpdatesPort: port },
      gps: false,
      gyro: false,
      uptime: this.device.uptime,
      api: [...OSC_PATHS],
    };
  }

  /** `/osc/state` (osc-state.ts), its v2.1 URLs under the origin the client used. */
  private readState(req: IncomingMessage): { fingerprint: string; state: OscStateBody } {
    const ctx = this.context(req);
    return this.state.read(`${ctx.origin}/files/${this.device.storageId}/`, (rel) => fileUrl(this.device, ctx, rel));
  }

  private context(req: IncomingMessage): CommandContext {
    return { sessions: this.sessions, jobs: this.jobs, origin: this.origin(req) };
  }

  private async checkForUpdates(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.jsonBody(req);
    const fp = body['stateFingerprint'];
    const wait = body['waitTimeout'];
    if (fp === undefined) throw new OscCommandError('missingParameter', 'stateFingerprint is required');
    if (typeof fp !== 'string') throw new OscCommandError('invalidParameterValue', 'stateFingerprint must be a string');
    if (wait !== undefined && (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0))
      throw new OscCommandError('invalidParameterValue', 'waitTimeout must be a non-negative number of seconds');
    for (const k of Object.keys(body)) {
      if (k !== 'stateFingerprint' && k !== 'waitTimeout')
        throw new OscCommandError('invalidParameterName', `unknown parameter ${JSON.stringify(k)}`);
    }
    let current = this.state.fingerprint;
    const waitMs = Math.min(typeof wait === 'number' ? wait : 0, this.maxWaitS) * 1000;
    if (current === fp && waitMs > 0) {
      // Long poll: answer at the first state change or when waitTimeout runs out (real time: it is
      // an HTTP wait, not camera time).
      const ac = new AbortController();
      this.aborts.add(ac);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.state.off('changed', done);
          req.socket.off('close', done);
          ac.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        this.state.on('changed', done);
        req.socket.on('close', done);
        ac.signal.addEventListener('abort', done);
      });
      this.aborts.delete(ac);
      current = this.state.fingerprint;
    }
    if (res.destroyed) return;
    this.sendJson(res, 200, { stateFingerprint: current, throttleTimeout: 10 });
  }

  private async execute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.jsonBody(req);
    const name = body['name'];
    if (name === undefined) throw new OscCommandError('missingParameter', 'command name is required');
    if (typeof name !== 'string') throw new OscCommandError('invalidParameterValue', 'command name must be a string');
    const params = body['parameters'] ?? {};
    for (const k of Object.keys(body)) {
      if (k !== 'name' && k !== 'parameters') {
        this.sendError(res, name, 'invalidParameterName', `unknown field ${JSON.stringify(k)}`);
        return;
      }
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      this.sendError(res, name, 'invalidParameterValue', 'parameters must be an object');
      return;
    }
    const ctx = this.context(req);
    let outcome;
    try {
      outcome = await executeCommand(this.device, ctx, name, params as Record<string, unknown>);
    } catch (err) {
      const osc = toOscError(err);
      if (osc) {
        this.sendError(res, name, osc.oscCode, osc.message);
        return;
      }
      throw err;
    }
    if (outcome.kind === 'json') {
      this.sendJson(res, 200, outcome.body);
    } else if (outcome.kind === 'raw-json') {
      const length = outcome.parts.reduce((n, b) => n + b.length, 0);
      res.writeHead(200, {
        'Content-Type': JSON_CONTENT_TYPE,
        'Content-Length': length,
        'X-Content-Type-Options': 'nosniff',
      });
      // Corked writes leave as one writev: no megabyte copy per listing.
      res.cork();
      for (const part of outcome.parts) res.write(part);
      res.end();
    } else if (outcome.kind === 'file') {
      await sendFile(this.device, req, res, outcome.file, outcome.thumb, outcome.maxSize, false);
    } else {
      await this.previews.serve(res, name);
    }
  }

  private async status(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.jsonBody(req);
    const id = body['id'];
    if (id === undefined) throw new OscCommandError('missingParameter', 'id is required');
    if (typeof id !== 'string' && typeof id !== 'number')
      throw new OscCommandError('invalidParameterValue', 'id must be a string');
    const job = this.jobs.get(String(id));
    if (!job) throw new OscCommandError('invalidParameterValue', `no command with id ${JSON.stringify(id)}`);
    this.sendJson(res, 200, commandJobResponse(this.device, this.context(req), job));
  }
}

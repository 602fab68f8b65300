/**
 * The dashboard's HTTP server: the built page, a JSON API over the {@link CameraHub}, and live
 * updates over a WebSocket (`/api/live`). It talks to cameras only through the Camera API; the
 * browser never reaches a camera (the THETA sends no CORS headers, and the Sequoia would be
 * driven by any page otherwise). See `api-types.ts` for the routes and `security.ts` for the
 * Host/Origin rules.
 *
 * @example
 * const dash = await startDashboard({ cameras: ['sequoia://127.0.0.1:8080'] });
 * console.log(dash.url); // http://127.0.0.1:PORT/
 * await dash.close();
 */
import { createReadStream } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { debuglog } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { CameraError, CameraSettingError } from '../camera/errors.js';
import { readPictureMetadata } from '../camera/picture-metadata.js';
import { setOutcome } from '../camera/settings.js';
import type { Camera, RemoteFile, SetResult, SettingValue } from '../camera/types.js';
import type {
  ApiError,
  CaptureReply,
  ContinuousReply,
  DeleteReply,
  DownloadProgressMessage,
  S3SyncRequest,
  ServerMessage,
  SetConfigReply,
} from './api-types.js';
import { planDownload, sendDownload } from './downloads.js';
import { DashboardError, errorCode, httpStatusOf } from './errors.js';
import { CameraHub, type CameraHubOptions } from './hub.js';
import { ImageCache, isImageName } from './images.js';
import { streamLivePreview } from './live-preview.js';
import { sequoiaControl } from './sequoia-controls.js';
import { S3Syncs } from './s3-syncs.js';
import { RequestGuard, SECURITY_HEADERS, isStateChanging } from './security.js';
import { StaticFiles, defaultAssetsDir } from './static.js';
import { createServerWithTimeouts, type HttpTimeoutOptions } from '../util/http-timeouts.js';
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseConnectionReuse } from '../util/read-body.js';

const debug = debuglog('camctl:dashboard');

/**
 * Past its limits the dashboard answers: 413 BODY_TOO_LARGE and a closed connection for a body over
 * `maxBodyBytes`; 408 and a closed connection for a request not received within its timeouts
 * (node:http; replies — downloads, the live preview, `/api/live` — are not bounded by them).
 */
export interface DashboardOptions extends CameraHubOptions, HttpTimeoutOptions {
  /** Address to bind. Default 127.0.0.1; anything else exposes camera control to that network. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Cameras to add at start (addresses like `sequoia://192.168.47.1`). */
  cameras?: string[];
  /** Built page directory. Default `dist/dashboard-ui` of this checkout. */
  assetsDir?: string;
  /** Thumbnail/preview cache. Default `$TMPDIR/camctl-dashboard-<uid>/cache`. */
  cacheDir?: string;
  /** Largest JSON request body, bytes. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Most pages connected to `/api/live` at once. Default 32. */
  maxLiveClients?: number;
  /**
   * Most bytes queued for one page on `/api/live` (ws's `bufferedAmount`). Past 1 MiB a page skips
   * status updates; past this bound it is dropped with close code 1008. Default 4 MiB.
   */
  maxLiveQueueBytes?: number;
}

export interface RunningDashboard {
  /** `http://host:port/` */
  url: string;
  host: string;
  port: number;
  hub: CameraHub;
  images: ImageCache;
  /** Whether the page is built (the API works without it; `/` then answers UI_MISSING). */
  uiBuilt: boolean;
  /** The HTTP server answering the page and the API (`camctl ui -v` logs its requests). */
  server: http.Server;
  close(): Promise<void>;
}

/** Messages a slow page may skip (the next one supersedes them); logs and removals never are. */
const SKIPPABLE = new Set<ServerMessage['type']>(['camera', 'download']);
const SLOW_CLIENT_BYTES = 1 << 20;
/** 1008 Policy Violation (RFC 6455 §7.4.1): the close code of a page dropped for not keeping up. */
const CLOSE_TOO_SLOW = 1008;

export function defaultCacheDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : os.userInfo().username;
  return path.join(os.tmpdir(), `camctl-dashboard-${uid}`, 'cache');
}

export async function startDashboard(options: DashboardOptions = {}): Promise<RunningDashboard> {
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const maxLive = options.maxLiveClients ?? 32;
  const maxLiveQueue = options.maxLiveQueueBytes ?? 4 * 1024 * 1024;
  const hub = new CameraHub(options);
  const images = new ImageCache({ dir: options.cacheDir ?? defaultCacheDir() });
  const files = new StaticFiles(options.assetsDir ?? defaultAssetsDir());
  const active = new Set<AbortController>();
  const syncs = new S3Syncs({
    emit: (sync) => hub.broadcast({ type: 's3-sync', sync }),
    log: (id, kind, text) => hub.log(id, kind, text),
  });
  // Known once the port is bound (port 0 → the real port); no request is served before that.
  const bound: { guard?: RequestGuard } = {};

  const server = createServerWithTimeouts(options, (req, res) => {
    const ac = new AbortController();
    active.add(ac);
    res.on('close', () => {
      ac.abort();
      active.delete(ac);
    });
    handle(req, res, ac.signal).catch((err: unknown) => sendError(res, err));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, clientTracking: true });
  server.on('upgrade', (req, socket, head) => {
    try {
      bound.guard!.check(req, true);
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/api/live')
        throw new DashboardError('ERR_CAMCTL_DASHBOARD_NOT_FOUND', 'no WebSocket here');
      if (wss.clients.size >= maxLive)
        throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'too many live pages');
    } catch (err) {
      const status = httpStatusOf(err);
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onLive(ws));
  });

  function onLive(ws: WebSocket): void {
    send(ws, { type: 'hello', cameras: hub.list(), log: hub.logEntries(), syncs: syncs.list() });
    ws.on('error', () => ws.terminate());
    // The page only listens; anything it sends is ignored (maxPayload bounds it).
  }
  function send(ws: WebSocket, m: ServerMessage): void {
    if (ws.readyState !== ws.OPEN) return;
    if (SKIPPABLE.has(m.type) && ws.bufferedAmount > SLOW_CLIENT_BYTES) return;
    ws.send(JSON.stringify(m));
    // Log entries and removals are never skipped; a page that does not read them at all would make
    // the server queue them without bound. It is dropped instead (it reconnects and gets `hello`).
    if (ws.bufferedAmount > maxLiveQueue) {
      const reason = `page too slow: ${ws.bufferedAmount} bytes unread`;
      debug('live page dropped: %s', reason);
      ws.close(CLOSE_TOO_SLOW, reason);
    }
  }
  hub.on('message', (m) => {
    for (const ws of wss.clients) send(ws, m);
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal): Promise<void> {
    bound.guard!.check(req, isStateChanging(req.method));
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const p = url.pathname;
    if (!p.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new DashboardError('ERR_CAMCTL_DASHBOARD_METHOD_NOT_ALLOWED', `${req.method} not allowed here`);
      await files.serve(req, res, p, SECURITY_HEADERS);
      return;
    }
    let parts: string[]; // ['cameras', id, action…]
    try {
      parts = p.split('/').slice(2).map(decodeURIComponent);
    } catch (cause) {
      throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', `malformed path ${p}`, { cause });
    }
    const method = req.method ?? 'GET';
    if (parts[0] !== 'cameras') throw new DashboardError('ERR_CAMCTL_DASHBOARD_NOT_FOUND', `no API route ${p}`);
    if (parts.length === 1) {
      if (method === 'GET') return json(res, 200, hub.list());
      if (method === 'POST') {
        const body = await readJson(req, maxBody);
        const address = (body as { address?: unknown }).address;
        if (typeof address !== 'string' || address.trim() === '')
          throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'give {"address": "sequoia://HOST[:PORT]"}');
        return json(res, 201, hub.add(address));
      }
      throw notAllowed(method, p);
    }
    const id = parts[1]!;
    const action = parts.slice(2).join('/');
    if (action === '') {
      if (method === 'GET') return json(res, 200, hub.view(id));
      if (method === 'DELETE') {
        hub.view(id); // NOT_FOUND
        await syncs.forget(id);
        await hub.remove(id);
        return json(res, 200, { ok: true });
      }
      throw notAllowed(method, p);
    }
    hub.view(id); // NOT_FOUND before CAMERA_OFFLINE
    const get = method === 'GET' || method === 'HEAD';
    // A sync's state is there (and can be stopped) while the camera is offline.
    if (action === 's3-sync' && get) return json(res, 200, syncs.get(id));
    if (action === 's3-sync/stop' && method === 'POST') return json(res, 200, await syncs.stop(id));
    const camera = hub.camera(id);
    if (action.startsWith('sequoia/')) {
      const control = action.slice('sequoia/'.length);
      if (method !== 'POST' && !get) throw notAllowed(method, p);
      const reply = await sequoiaControl(camera, get ? 'GET' : method, control, () => readJson(req, maxBody), signal);
      if (!get) {
        hub.log(
          id,
          'action',
          `${control.replace('/', ' ')}: ${Object.entries((reply as { results?: Record<string, string> }).results ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
        hub.refresh(id);
      }
      return json(res, 200, reply);
    }
    switch (`${get ? 'GET' : method} ${action}`) {
      case 'GET config':
        return json(res, 200, await camera.getConfig(undefined, { signal }));
      case 'POST config': {
        const reply = await setConfig(id, camera, await readJson(req, maxBody), signal);
        return json(res, reply.refused.length > 0 ? 207 : 200, reply);
      }
      case 'POST capture': {
        hub.log(id, 'action', 'capture');
        const shot = await camera.capture({ signal });
        hub.refresh(id);
        if (shot.folder) hub.filesChanged(id, shot.folder);
        const reply: CaptureReply = { files: shot.files };
        if (shot.folder) reply.folder = shot.folder;
        hub.log(id, 'action', `captured ${shot.files.length} file(s)${shot.folder ? ` in ${shot.folder}` : ''}`);
        return json(res, 200, reply);
      }
      case 'POST capture/start':
      case 'POST capture/stop': {
        const start = action.endsWith('start');
        hub.log(id, 'action', start ? 'start continuous capture' : 'stop continuous capture');
        const r = start ? await camera.startCapture({ signal }) : await camera.stopCapture({ signal });
        hub.refresh(id);
        hub.filesChanged(id, '/');
        const reply: ContinuousReply = { text: r.text };
        if (r.folder) reply.folder = r.folder;
        return json(res, 200, reply);
      }
      case 'GET files':
        return json(res, 200, await camera.list(url.searchParams.get('path') ?? '/', { signal }));
      case 'POST delete':
        return json(res, 200, await deletePaths(id, camera, await readJson(req, maxBody), signal));
      case 'GET download':
        return download(id, camera, url, res, signal);
      case 'GET thumb':
      case 'GET preview': {
        const file = await findFile(camera, url.searchParams.get('path'), signal);
        const width = action === 'thumb' ? 320 : Number(url.searchParams.get('w') ?? 1280);
        if (!Number.isFinite(width) || width < 16)
          throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'w must be a width in pixels');
        return sendFile(res, await images.render(camera, file, width, signal), 'image/jpeg');
      }
      case 'GET metadata': {
        // Read from the copy the viewer's preview already brought into the cache: no second transfer.
        const file = await findFile(camera, url.searchParams.get('path'), signal);
        return json(res, 200, {
          path: file.path,
          ...(await readPictureMetadata(await images.original(camera, file, signal))),
        });
      }
      case 'GET ndvi': {
        const [red, nir] = await Promise.all([
          findFile(camera, url.searchParams.get('red'), signal),
          findFile(camera, url.searchParams.get('nir'), signal),
        ]);
        const width = Number(url.searchParams.get('w') ?? 1280);
        if (!Number.isFinite(width) || width < 16)
          throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'w must be a width in pixels');
        return sendFile(res, await images.ndvi(camera, red, nir, width, signal), 'image/jpeg');
      }
      case 'GET live':
        return streamLivePreview(camera, res, SECURITY_HEADERS, signal);
      case 'POST s3-sync':
        return json(res, 202, await syncs.start(id, camera, s3SyncRequest(await readJson(req, maxBody))));
      default:
        throw new DashboardError('ERR_CAMCTL_DASHBOARD_NOT_FOUND', `no API route ${method} ${p}`);
    }
  }

  async function setConfig(id: string, camera: Camera, body: unknown, signal: AbortSignal): Promise<SetConfigReply> {
    const values = (body as { values?: unknown }).values;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'give {"values": {"key": value, …}}');
    }
    for (const [k, v] of Object.entries(values)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new FieldError(k, `${k}: a value must be text, a number or true/false`);
      }
    }
    hub.log(
      id,
      'action',
      `set ${Object.entries(values)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')}`,
    );
    let results: SetResult[];
    try {
      results = await camera.setConfig(values as Record<string, SettingValue>, { signal });
    } catch (err) {
      if (err instanceof CameraError && err.code === 'BAD_VALUE' && typeof err.deviceCode === 'string') {
        throw new FieldError(err.deviceCode, err.message, err);
      }
      // The camera answered key by key and refused some: the others may be applied — say which.
      if (!(err instanceof CameraSettingError)) throw err;
      results = [...err.results];
    }
    hub.refresh(id);
    const outcome = setOutcome(values as Record<string, SettingValue>, results);
    if (outcome.refused.length > 0) {
      hub.log(
        id,
        'error',
        `camera refused ${outcome.refused.map((r) => `${r.key} (${r.reason})`).join(', ')}${outcome.applied.length > 0 ? `; applied ${outcome.applied.map((a) => a.key).join(', ')}` : ''}`,
      );
    }
    return { ...outcome, results, settings: await camera.getConfig(undefined, { signal }) };
  }

  async function deletePaths(id: string, camera: Camera, body: unknown, signal: AbortSignal): Promise<DeleteReply> {
    const paths = (body as { paths?: unknown }).paths;
    if (
      !Array.isArray(paths) ||
      paths.length === 0 ||
      paths.length > 1000 ||
      !paths.every((x) => typeof x === 'string')
    ) {
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_BAD_REQUEST',
        'give {"paths": ["/internal/0001", …]} (1 to 1000 paths)',
      );
    }
    const deleted: string[] = [];
    for (const p of paths as string[]) {
      hub.log(id, 'action', `delete ${p}`);
      deleted.push(...(await camera.delete(p, { signal })));
      hub.filesChanged(id, p.slice(0, Math.max(1, p.lastIndexOf('/'))));
    }
    hub.refresh(id);
    return { deleted };
  }

  async function download(
    id: string,
    camera: Camera,
    url: URL,
    res: http.ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    const paths = url.searchParams.getAll('path');
    const dl = url.searchParams.get('dl');
    const plan = await planDownload(camera, paths, signal);
    let last = 0;
    const progress = (bytes: number, state: DownloadProgressMessage['state'], error?: string): void => {
      if (!dl) return;
      const now = Date.now();
      if (state === 'running' && now - last < 100) return;
      last = now;
      const m: DownloadProgressMessage = { type: 'download', id: dl.slice(0, 64), cameraId: id, bytes, state };
      // A zip's size is known only once it is sent: a finished download always says its total.
      if (plan.size !== undefined) m.total = plan.size;
      else if (state === 'done') m.total = bytes;
      if (error) m.error = error;
      hub.broadcast(m);
    };
    let sent = 0;
    try {
      await sendDownload(res, plan, SECURITY_HEADERS, (b) => progress((sent = b), 'running'), signal);
      progress(plan.size ?? sent, 'done');
    } catch (err) {
      progress(sent, 'failed', err instanceof Error ? err.message : String(err));
      hub.log(id, 'error', `download ${plan.filename}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  bound.guard = new RequestGuard(host, port);
  try {
    for (const c of options.cameras ?? []) hub.add(c);
  } catch (err) {
    await hub.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  debug('listening on %s:%d', host, port);
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    hub,
    images,
    uiBuilt: files.available(),
    server,
    async close() {
      for (const ac of active) ac.abort();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await syncs.close();
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A setting error to show beside its field. */
class FieldError extends DashboardError {
  constructor(
    readonly field: string,
    message: string,
    cause?: unknown,
  ) {
    super('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', message, { cause });
  }
}

async function findFile(camera: Camera, p: string | null, signal: AbortSignal): Promise<RemoteFile> {
  if (!p) throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'give path=/medium/folder/file');
  const entries = await camera.list(p, { signal });
  const file =
    entries.find((e) => e.kind === 'file' && e.path === p) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!file || file.kind !== 'file' || file.size === undefined) throw new CameraError('NOT_FOUND', `no such file ${p}`);
  if (!isImageName(file.name)) throw new CameraError('UNSUPPORTED', `${file.name} is not a picture`);
  return file as RemoteFile;
}

/** `{to, endpoint?, profile?}`; no credentials (see s3-syncs.ts for why). */
function s3SyncRequest(body: unknown): S3SyncRequest {
  const { to, endpoint, profile } = body as Record<string, unknown>;
  const optional = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';
  if (typeof to !== 'string' || !optional(endpoint) || !optional(profile)) {
    throw new DashboardError(
      'ERR_CAMCTL_DASHBOARD_BAD_REQUEST',
      'give {"to": "s3://BUCKET/PREFIX", "endpoint"?: "http://HOST:PORT", "profile"?: "NAME"}',
    );
  }
  const r: S3SyncRequest = { to: to.trim() };
  if (endpoint?.trim()) r.endpoint = endpoint.trim();
  if (profile?.trim()) r.profile = profile.trim();
  return r;
}

function notAllowed(method: string, p: string): DashboardError {
  return new DashboardError('ERR_CAMCTL_DASHBOARD_METHOD_NOT_ALLOWED', `${method} not allowed on ${p}`);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': buf.length,
    'Cache-Control': 'no-store',
  });
  res.end(buf);
}

function sendFile(res: http.ServerResponse, file: string, type: string): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'private, max-age=3600' });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function sendError(res: http.ServerResponse, err: unknown): void {
  if (err instanceof BodyIncompleteError) {
    // The client left mid-body: nobody to answer.
    res.destroy();
    return;
  }
  const status = httpStatusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status >= 500) debug('error %s', err instanceof Error ? (err.stack ?? message) : message);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // The body was not read to its end: this reply is the connection's last.
  if (err instanceof DashboardError && err.code === 'ERR_CAMCTL_DASHBOARD_BODY_TOO_LARGE') refuseConnectionReuse(res);
  const body: ApiError = { error: { code: errorCode(err), message } };
  if (err instanceof FieldError) body.error.fields = { [err.field]: message };
  if (err instanceof CameraSettingError) {
    body.error.fields = Object.fromEntries(err.results.filter((r) => !r.ok).map((r) => [r.key, r.message]));
  }
  json(res, status, body);
}

async function readJson(req: http.IncomingMessage, max: number): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  // Demanding JSON also means a cross-site <form> cannot even reach the handler (forms cannot send it).
  if (!/^application\/json\b/i.test(type))
    throw new DashboardError('ERR_CAMCTL_DASHBOARD_UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: application/json');
  let body: Buffer;
  try {
    body = await readBody(req, max);
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      throw new DashboardError('ERR_CAMCTL_DASHBOARD_BODY_TOO_LARGE', `request body over ${max} bytes`, { cause: err });
    throw err;
  }
  try {
    const v: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (typeof v !== 'object' || v === null) throw new Error('not an object');
    return v;
  } catch (cause) {
    throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'the body is not a JSON object', { cause });
  }
}

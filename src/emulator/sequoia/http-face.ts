/**
 * The Sequoia's HTTP face over a {@link SequoiaDevice}: every endpoint of Parrot's Sequoia API
 * reference (docs/sequoia.md) with the reply shapes of src/sequoia/types.ts; its `/websocket`
 * upgrade is the WebSocket face's (websocket-face.ts).
 *
 * The face only translates: requests become device calls (form-values.ts), the device's typed
 * outcomes become the firmware's texts and HTTP statuses (replies.ts). Paths from the network
 * reach files only through the device's confined storage.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { debuglog } from 'node:util';
import type { SequoiaDevice } from '../../devices/sequoia/device.js';
import { StorageError, checkName } from '../../devices/storage.js';
import { cameraJson, float } from './camera-json.js';
import { parseRange } from './byte-range.js';
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseConnectionReuse } from '../../util/read-body.js';
import { createServerWithTimeouts, DEFAULT_HTTP_TIMEOUTS, type HttpTimeoutOptions } from '../../util/http-timeouts.js';
import { openFileToSend, responseSocket, sendFileBody, type FileToSend } from '../../util/send-file.js';
import { canSendFileToSocket } from '../../util/zero-copy.js';
import { CamctlError } from '../../util/errors.js';
import { SequoiaWebSocketFace, type SequoiaWebSocketOptions, type WebSocketDrop } from './websocket-face.js';
import { configFromForm, manualModeFromForm, nearIrReply, wifiFromForm } from './form-values.js';
import { captureStartReply, captureStatus, outcomeTreeTexts, settingTexts, settingsStatus } from './replies.js';
import { storedZipSize, writeStoredZip, type ZipEntry } from './zip-store.js';
import { CONFIG_ERRORS, MEDIA, STATUS_PARTS, type MediumName, type StatusPart } from '../../sequoia/types.js';

const log = debuglog('camctl:sequoia-http');

/**
 * Limits of the face. Past them: a body over `maxBodyBytes` gets 413 and a closed connection, a
 * request not received within its timeout gets 408 and a closed connection (node:http).
 */
export interface SequoiaServerOptions extends HttpTimeoutOptions, SequoiaWebSocketOptions {
  /** Largest accepted POST body. Default 64 KiB. */
  maxBodyBytes?: number;
  /**
   * Awaited once before every request is served: the emulated link's round trip (its bandwidth
   * is applied to the sockets themselves, see src/emulator/link.ts).
   */
  roundTrip?: () => Promise<void>;
  /**
   * Extra routes handled before the camera's own (emulator controls under `/_emulator/`).
   * Return true when handled.
   */
  extraRoutes?: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<boolean>;
}

export type { WebSocketDrop };

/** An error reply on its way out: HTTP status + the camera-shaped JSON body. */
class HttpReply extends CamctlError {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super('ERR_SEQUOIA_HTTP_REPLY', String(body.error ?? body.status ?? status));
  }
}

const MIME: Record<string, string> = { JPG: 'image/jpeg', TIF: 'image/tiff' };

/** Splits a raw URL path into decoded segments, refusing what cannot be a camera path. */
export function pathSegments(rawPath: string): string[] {
  const segments = rawPath.split('/').slice(1);
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  return segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new HttpReply(400, { request: 'error', error: 'Invalid path' });
    }
  });
}

function storageReply(err: unknown, request: string, key?: string): HttpReply {
  const make = (status: number, text: string) =>
    new HttpReply(status, key ? { [key]: text } : { request, error: text });
  if (err instanceof StorageError) {
    switch (err.code) {
      case 'BAD_PATH':
        return make(400, 'Invalid path');
      case 'NOT_FOUND':
      case 'NOT_PRESENT':
        return make(404, 'No such file or directory');
      case 'BUSY':
        return make(409, CONFIG_ERRORS.storageBusy);
      case 'READ_ONLY':
        return make(403, 'Storage is read-only');
      case 'FAULT':
        // "Storage is corrupted" or "Storage error": the medium cannot be read.
        return make(503, err.message);
      default:
        return make(500, err.message);
    }
  }
  if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') return make(404, 'No such file or directory');
  return make(500, 'Internal error');
}

function asMedium(name: string | undefined, request: string): MediumName {
  if (name === undefined || !(MEDIA as readonly string[]).includes(name)) {
    if (name !== undefined) {
      try {
        checkName(name);
      } catch {
        throw new HttpReply(400, { request, error: 'Invalid path' });
      }
    }
    throw new HttpReply(404, { request, error: 'No such file or directory' });
  }
  return name as MediumName;
}

/**
 * The HTTP face, with the WebSocket face ({@link SequoiaWebSocketFace}) on its `/websocket`
 * upgrade. Emits `websocket-dropped` ({@link WebSocketDrop}) when the WebSocket face drops a
 * client (too slow to read its notifications, or silent to pings).
 */
export class SequoiaHttpFace extends EventEmitter<{ 'websocket-dropped': [WebSocketDrop] }> {
  readonly server: http.Server;
  /** The notifications and pings of `/websocket`. */
  readonly websocket: SequoiaWebSocketFace;
  private readonly maxBody: number;
  private readonly sockets = new Set<Duplex>();

  constructor(
    readonly device: SequoiaDevice,
    private readonly opts: SequoiaServerOptions = {},
  ) {
    super();
    this.maxBody = opts.maxBodyBytes ?? 64 * 1024;
    this.websocket = new SequoiaWebSocketFace(device, opts);
    this.websocket.on('websocket-dropped', (d) => this.emit('websocket-dropped', d));
    this.server = createServerWithTimeouts(opts, (req, res) => void this.handle(req, res), {
      ...DEFAULT_HTTP_TIMEOUTS,
      keepAliveTimeoutMs: 10_000,
    });
    this.server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) => this.websocket.upgrade(req, socket, head));
  }

  /** WebSocket clients connected now. */
  get webSocketClients(): number {
    return this.websocket.clients;
  }

  // ---- HTTP --------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    try {
      if (this.opts.roundTrip) await this.opts.roundTrip();
      if (this.opts.extraRoutes && rawPath.startsWith('/_emulator') && (await this.opts.extraRoutes(req, res, rawPath)))
        return;
      await this.route(req, res, rawPath);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpReply) {
        this.json(res, err.status, err.body, err.headers);
      } else if (err instanceof BodyTooLargeError) {
        refuseConnectionReuse(res);
        this.json(res, 413, { request: 'error', error: `Request body larger than ${err.limit} bytes` });
      } else if (err instanceof BodyIncompleteError) {
        res.destroy();
      } else {
        log('internal error on %s: %o', rawPath, err);
        this.json(res, 500, { request: 'error', error: 'Internal error' });
      }
    }
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.sendJsonText(res, status, cameraJson(body), headers);
  }

  private sendJsonText(
    res: http.ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ): void {
    const length = Buffer.byteLength(text);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': length, ...headers });
    // A string (not a Buffer) lets node send headers and body in one write instead of a writev.
    res.end(text);
  }

  private method(req: http.IncomingMessage, allowed: string[]): void {
    const m = req.method ?? 'GET';
    if (allowed.includes(m) || (m === 'HEAD' && allowed.includes('GET'))) return;
    throw new HttpReply(405, { request: 'error', error: `Method ${m} not allowed` }, { Allow: allowed.join(', ') });
  }

  private async jsonBody(req: http.IncomingMessage, request: string): Promise<Record<string, unknown>> {
    const body = await readBody(req, this.maxBody);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpReply(400, { request, error: CONFIG_ERRORS.unparsable });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new HttpReply(400, { request, error: CONFIG_ERRORS.unparsable });
    }
    return parsed as Record<string, unknown>;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): Promise<void> {
    const seg = pathSegments(rawPath);
    const [head, ...rest] = seg;
    switch (head) {
      case 'capture':
        return this.capture(req, res, rest);
      case 'config':
        return this.config(req, res, rest);
      case 'status':
        return this.status(req, res, rest);
      case 'calibration':
        return this.calibration(req, res, rest);
      case 'storage':
        this.method(req, ['GET']);
        if (rest.length) break;
        return this.json(res, 200, this.storageBody());
      case 'file':
        this.method(req, ['GET']);
        return this.file(res, rest);
      case 'download':
        this.method(req, ['GET']);
        return this.download(req, res, rest);
      case 'delete':
        this.method(req, ['GET', 'DELETE']);
        return this.delete(res, rest);
      case 'version':
        this.method(req, ['GET']);
        if (rest.length) break;
        return this.json(res, 200, this.versionBody());
      case 'wifi':
        return this.wifi(req, res, rest);
      case 'manualmode':
        return this.manualMode(req, res, rest);
      case 'websocket':
        throw new HttpReply(
          426,
          { request: 'websocket', error: 'Upgrade to WebSocket required' },
          { Upgrade: 'websocket' },
        );
      default:
        break;
    }
    throw new HttpReply(404, { request: 'error', error: 'Unknown request' });
  }

  private async capture(req: http.IncomingMessage, res: http.ServerResponse, rest: string[]): Promise<void> {
    this.method(req, ['GET']);
    if (rest.length === 0) {
      const s = captureStatus(this.device.captureActivity());
      return this.json(res, 200, { request: 'capture_status', status: s.status, path: s.path });
    }
    if (rest.length === 1 && rest[0] === 'start') {
      const r = captureStartReply(await this.device.startCapture());
      return this.json(res, r.httpStatus, { request: 'capture_start', status: r.status, path: r.path });
    }
    if (rest.length === 1 && rest[0] === 'stop') {
      const r = this.device.stopCapture();
      return this.json(res, r.ok ? 200 : 409, {
        request: 'capture_stop',
        status: r.ok ? 'Ready' : 'Capture is not running',
      });
    }
    throw new HttpReply(404, { request: 'error', error: 'Unknown request' });
  }

  private configBody() {
    const c = this.device.getConfig();
    return {
      request: 'get_config',
      capture_mode: c.capture_mode,
      timelapse_param: float(c.timelapse_param),
      gps_param: float(c.gps_param),
      overlap_param: float(c.overlap_param),
      resolution_rgb: c.resolution_rgb,
      resolution_mono: float(c.resolution_mono),
      bit_depth: c.bit_depth,
      sensors_mask: c.sensors_mask,
      storage_selected: c.storage_selected,
      auto_select: c.auto_select,
    };
  }

  private async config(req: http.IncomingMessage, res: http.ServerResponse, rest: string[]): Promise<void> {
    this.method(req, ['GET', 'POST']);
    if (rest.length) throw new HttpReply(404, { request: 'error', error: 'Unknown request' });
    if (req.method === 'POST') {
      const body = await this.jsonBody(req, 'set_config');
      const { outcomes, applied } = this.device.setConfig(configFromForm(body));
      return this.json(res, settingsStatus(outcomes, applied), { request: 'set_config', ...settingTexts(outcomes) });
    }
    return this.json(res, 200, this.configBody());
  }

  private statusPart(part: StatusPart): Record<string, unknown> {
    const d = this.device;
    switch (part) {
      case 'sunshine': {
        const s = d.sunshine();
        if (!s) {
          return {
            green_0: 0,
            red_0: 0,
            red_edge_0: 0,
            near_infrared_0: 0,
            green_1: 0,
            red_1: 0,
            red_edge_1: 0,
            near_infrared_1: 0,
            status: 'Sunshine sensor not connected',
          };
        }
        return {
          green_0: s.green[0],
          red_0: s.red[0],
          red_edge_0: s.red_edge[0],
          near_infrared_0: s.near_infrared[0],
          green_1: s.green[1],
          red_1: s.red[1],
          red_edge_1: s.red_edge[1],
          near_infrared_1: s.near_infrared[1],
          status: 'Ok',
        };
      }
      case 'temperature': {
        const t = d.temperatures();
        return {
          body_p7: float(t.body_p7),
          body_p7mu: float(t.body_p7mu),
          body_ddr3: float(t.body_ddr3),
          body_wifi: float(t.body_wifi),
          body_imu: float(t.body_imu),
          sunshine_imu: t.sunshine_imu === null ? 'none' : float(t.sunshine_imu),
          status: 'Ok',
        };
      }
      case 'gps': {
        const g = d.gps();
        const base: Record<string, unknown> = {
          satellite_number: g.satellites,
          precision: float(g.precision),
          speed: float(g.speed),
          fix: g.fix ? 1 : 0,
          status: g.fix ? 'Ok' : 'No GPS coordinates available',
        };
        if (g.fix) {
          const dms = d.gpsDms();
          Object.assign(base, {
            degres_lat: dms.lat.deg,
            minutes_lat: dms.lat.min,
            seconds_lat: float(dms.lat.sec),
            degres_lon: dms.lon.deg,
            minutes_lon: dms.lon.min,
            seconds_lon: float(dms.lon.sec),
            altitude: float(Math.round(dms.altitude * 100) / 100),
          });
        }
        return base;
      }
      case 'instruments': {
        const b = d.bodyAttitude();
        const s = d.sunshineAttitude();
        return {
          body_yaw: float(b.yaw),
          body_pitch: float(b.pitch),
          body_roll: float(b.roll),
          sunshine_yaw: s ? float(round6(s.yaw)) : 'none',
          sunshine_pitch: s ? float(round6(s.pitch)) : 'none',
          sunshine_roll: s ? float(round6(s.roll)) : 'none',
          status: 'Ok',
        };
      }
    }
  }

  /**
   * The last `GET /status` answer and the instant it describes. The status is a function of the
   * device clock and the device state, so an answer is reused while neither has moved: under a
   * polling dashboard or wrk that spares most of the simulation and serialisation, which cost
   * more than node:http itself (bench/sequoia-status.bench.ts).
   */
  private statusCache: { at: number; revision: number; text: string } | undefined;

  private status(req: http.IncomingMessage, res: http.ServerResponse, rest: string[]): void {
    this.method(req, ['GET']);
    if (rest.length === 0) {
      const at = this.device.clock.now();
      const revision = this.device.stateRevision;
      let cached = this.statusCache;
      if (!cached || cached.at !== at || cached.revision !== revision) {
        const body: Record<string, unknown> = { request: 'get_status' };
        for (const part of ['sunshine', 'temperature', 'gps', 'instruments'] as const)
          body[part] = this.statusPart(part);
        cached = this.statusCache = { at, revision, text: cameraJson(body) };
      }
      return this.sendJsonText(res, 200, cached.text);
    }
    const part = rest[0] as StatusPart;
    if (rest.length === 1 && (STATUS_PARTS as readonly string[]).includes(part)) {
      return this.json(res, 200, { request: `get_${part}`, [part]: this.statusPart(part) });
    }
    throw new HttpReply(404, { request: 'error', error: 'Unknown request' });
  }

  private async calibration(req: http.IncomingMessage, res: http.ServerResponse, rest: string[]): Promise<void> {
    this.method(req, ['GET']);
    if (rest.length === 0) {
      const c = this.device.calibrationState();
      return this.json(res, 200, { body: c.body, sunshine: c.sunshine, request: 'get_calibration' });
    }
    const [a, b] = rest;
    const action = rest.length === 1 ? a : b;
    const target = rest.length === 1 ? undefined : a;
    if (
      rest.length > 2 ||
      (action !== 'start' && action !== 'stop') ||
      (target !== undefined && !['body', 'sunshine', 'radiometric'].includes(target))
    ) {
      throw new HttpReply(404, { request: 'error', error: 'Unknown request' });
    }
    const request = ['calibration', target, action].filter(Boolean).join('_');
    if (target === 'radiometric') {
      if (action === 'start') {
        const r = captureStartReply(await this.device.startRadiometricCalibration(), true);
        return this.json(res, r.httpStatus, { request, status: r.status });
      }
      const stopped = this.device.captureActivity().kind === 'radiometric' && this.device.stopCapture().ok;
      return this.json(res, stopped ? 200 : 409, { request, status: stopped ? 'Ready' : 'Calibration is not running' });
    }
    const targets = target ? [target as 'body' | 'sunshine'] : (['body', 'sunshine'] as const);
    if (action === 'start') {
      const r = this.device.startCalibration(targets);
      return this.json(res, r.ok ? 200 : 409, { request, status: r.ok ? 'Calibration running' : 'Not available' });
    }
    const r = this.device.stopCalibration(targets);
    return this.json(res, r.ok ? 200 : 409, { request, status: r.ok ? 'Ready' : 'Calibration is not running' });
  }

  private mediumInfo(name: MediumName) {
    const m = this.device.storage.media.get(name)!;
    return {
      total: float(Math.floor(m.capacityBytes / 1024)),
      free: float(Math.floor(m.freeBytes / 1024)),
      path: `/${name}`,
      read_only: this.device.mediumCondition(name) === 'read-only' ? 'yes' : 'no',
      corrupted: this.device.mediumCondition(name) === 'corrupted' ? 'yes' : 'no',
    };
  }

  private storageBody() {
    const body: Record<string, unknown> = {
      request: 'get_storage',
      storage_selected: this.device.getConfig().storage_selected,
      internal: this.mediumInfo('internal'),
    };
    // The `sd` key is absent when no card is inserted (docs/sequoia.md).
    if (this.device.sdPresent) body.sd = this.mediumInfo('sd');
    return body;
  }

  private async file(res: http.ServerResponse, rest: string[]): Promise<void> {
    const request = 'file_info';
    if (rest.length === 0) {
      const body: Record<string, unknown> = { request };
      for (const { name, medium } of this.device.presentMedia()) {
        body[`/${name}`] = float(Math.round((medium.usedBytes / 1024 ** 3) * 1e6) / 1e6);
      }
      return this.json(res, 200, body);
    }
    const medium = asMedium(rest[0], request);
    try {
      const m = this.device.medium(medium);
      if (rest.length === 1) {
        const body: Record<string, unknown> = { request };
        for (const folder of await m.listFolders()) {
          const files = await m.listFiles(folder);
          body[`/${medium}/${folder}`] = files.length;
        }
        return this.json(res, 200, body);
      }
      if (rest.length === 2) {
        const folder = rest[1]!;
        const body: Record<string, unknown> = { request };
        for (const f of await m.listFiles(folder)) body[`/${medium}/${folder}/${f.name}`] = f.size;
        return this.json(res, 200, body);
      }
      // A file path: its size, as the folder listing would give it.
      if (rest.length === 3) {
        const [, folder, name] = rest as [string, string, string];
        const real = await m.resolve(folder, name);
        const st = await fs.stat(real);
        if (!st.isFile()) throw new StorageError('NOT_FOUND', 'not a file');
        return this.json(res, 200, { request, [`/${medium}/${folder}/${name}`]: st.size });
      }
    } catch (err) {
      throw storageReply(err, request);
    }
    throw new HttpReply(400, { request, error: 'Invalid path' });
  }

  private async download(req: http.IncomingMessage, res: http.ServerResponse, rest: string[]): Promise<void> {
    const request = 'download';
    const medium = asMedium(rest[0], request);
    if (rest.length === 2) return this.downloadZip(req, res, medium, rest[1]!);
    if (rest.length !== 3)
      throw new HttpReply(rest.length < 2 ? 404 : 400, {
        request,
        error: rest.length < 2 ? 'No such file or directory' : 'Invalid path',
      });
    const [, folder, name] = rest as [string, string, string];
    let file: FileToSend;
    try {
      file = openFileToSend(await this.device.medium(medium).resolve(folder, name));
    } catch (err) {
      throw storageReply(err, request);
    }
    try {
      const st = file.stats;
      if (!st.isFile()) throw storageReply(new StorageError('NOT_FOUND', 'not a file'), request);
      const size = st.size;
      const mtime = st.mtime;
      // Files never change once written (atomic rename), so size + mtime identify the content.
      const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
      const ext = name.split('.').pop()?.toUpperCase() ?? '';
      const headers: Record<string, string | number> = {
        'Content-Type': MIME[ext] ?? 'application/octet-stream',
        'Accept-Ranges': 'bytes',
        'Last-Modified': mtime.toUTCString(),
        ETag: etag,
      };
      // A resumed download only gets the rest of the file if the file is still the one it started
      // (RFC 9110 §13.1.5): otherwise the whole file, from byte 0.
      const range = ifRangeMatches(headerText(req.headers['if-range']), etag, mtime)
        ? parseRange(req.headers.range, size)
        : undefined;
      if (range === 'unsatisfiable') {
        throw new HttpReply(416, { request, error: 'Range not satisfiable' }, { 'Content-Range': `bytes */${size}` });
      }
      let start = 0;
      let end = size - 1;
      if (range) {
        ({ start, end } = range);
        res.writeHead(206, {
          ...headers,
          'Content-Length': end - start + 1,
          'Content-Range': `bytes ${start}-${end}/${size}`,
        });
      } else {
        res.writeHead(200, { ...headers, 'Content-Length': size });
      }
      if (req.method === 'HEAD' || size === 0) {
        res.end();
        return;
      }
      try {
        await sendFileBody(res, file, start, end);
      } catch (err) {
        // The client went away mid-download: nothing to answer.
        log('download ended early: %s', (err as Error).message);
        res.destroy();
      }
    } finally {
      file.close();
    }
  }

  /** A folder as a zip streamed straight from disk (stored, not deflated: the images are already compressed). */
  private async downloadZip(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    medium: MediumName,
    folder: string,
  ): Promise<void> {
    const request = 'download';
    let files: Array<{ name: string; size: number; mtimeMs: number; path: string }>;
    let m: ReturnType<SequoiaDevice['medium']>;
    try {
      m = this.device.medium(medium);
      const listed = await m.listFiles(folder);
      files = await Promise.all(listed.map(async (f) => ({ ...f, path: await m.resolve(folder, f.name) })));
    } catch (err) {
      throw storageReply(err, request);
    }
    const stats = new Map<ZipEntry, { size: number; mtimeMs: number }>();
    const entries: ZipEntry[] = files.map((f) => {
      const crc32 = m.knownCrc32(f.path, f.size, f.mtimeMs);
      const entry = {
        name: `${folder}/${f.name}`,
        path: f.path,
        size: f.size,
        mtime: new Date(f.mtimeMs),
        ...(crc32 !== undefined ? { crc32 } : {}),
      };
      stats.set(entry, f);
      return entry;
    });
    res.writeHead(200, {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${folder}.zip"`,
      'Content-Length': storedZipSize(entries),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      const socket = await responseSocket(res);
      await writeStoredZip(entries, res, {
        ...(canSendFileToSocket(socket) ? { zeroCopySocket: socket } : {}),
        onCrc32: (e, crc) => {
          const st = stats.get(e);
          if (st) m.rememberCrc32(e.path, st.size, st.mtimeMs, crc);
        },
      });
    } catch (err) {
      // The client went away, or a file changed under the archive: the length sent is now wrong,
      // so the only honest answer is a cut connection.
      log('zip download ended early: %s', (err as Error).message);
      res.destroy();
    }
  }

  private async delete(res: http.ServerResponse, rest: string[]): Promise<void> {
    const key = `/${rest.join('/')}`;
    if (rest.length < 2 || rest.length > 3) throw new HttpReply(400, { [key]: 'Invalid path' });
    let medium: MediumName;
    try {
      medium = asMedium(rest[0], 'delete');
    } catch (err) {
      throw err instanceof HttpReply ? new HttpReply(err.status, { [key]: String(err.body.error) }) : err;
    }
    try {
      if (rest.length === 3) await this.device.deleteFile(medium, rest[1]!, rest[2]!);
      else await this.device.deleteFolder(medium, rest[1]!);
    } catch (err) {
      throw storageReply(err, 'delete', key);
    }
    return this.json(res, 200, { [key]: 'deleted' });
  }

  private versionBody() {
    const body: Record<string, unknown> = {
      request: 'get_version',
      version: this.device.firmwareVersion,
      serial_number: this.device.serialNumber,
    };
    if (this.device.isSunshineConnected) body.sunshine_serial_number = this.device.sunshineSerialNumber;
    return body;
  }

  private async wifi(req: http.IncomingMessage, res: http.ServerResponse, rest: string[]): Promise<void> {
    this.method(req, ['GET', 'POST']);
    if (rest.length) throw new HttpReply(404, { request: 'error', error: 'Unknown request' });
    if (req.method === 'POST') {
      const body = await this.jsonBody(req, 'set_wifi');
      const { outcomes, applied } = this.device.setWifi(wifiFromForm(body));
      return this.json(res, settingsStatus(outcomes, applied), { request: 'set_wifi', ...settingTexts(outcomes) });
    }
    const w = this.device.getWifi();
    return this.json(res, 200, { request: 'get_wifi', ssid: w.ssid, status: w.status });
  }

  private async manualMode(req: http.IncomingMessage, res: http.ServerResponse, rest: string[]): Promise<void> {
    this.method(req, ['GET', 'POST']);
    if (rest.length) throw new HttpReply(404, { request: 'error', error: 'Unknown request' });
    if (req.method === 'POST') {
      const body = await this.jsonBody(req, 'set_manualmode');
      const { patch, nearIrAlias } = manualModeFromForm(body);
      const { outcomes, applied } = this.device.setManualMode(patch);
      const reply = outcomeTreeTexts(outcomes);
      return this.json(res, settingsStatus(outcomes, applied), {
        request: 'set_manualmode',
        ...(nearIrAlias ? nearIrReply(reply) : reply),
      });
    }
    return this.json(res, 200, { request: 'get_manualmode', ...this.device.getManualMode() });
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  listen(port: number, host: string): Promise<{ port: number; host: string }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') resolve({ port: addr.port, host: addr.address });
      });
    });
  }

  async close(): Promise<void> {
    this.websocket.close();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `If-Range` absent, or naming this very file version (strong ETag or its exact Last-Modified date). */
function ifRangeMatches(header: string | undefined, etag: string, mtime: Date): boolean {
  if (header === undefined) return true;
  const v = header.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return v === etag;
  const date = Date.parse(v);
  return Number.isFinite(date) && Math.floor(mtime.getTime() / 1000) === Math.floor(date / 1000);
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

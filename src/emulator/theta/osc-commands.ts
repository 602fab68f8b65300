/**
 * `/osc/commands/execute` and `/osc/commands/status` of the server face: checks a command's
 * parameters against the THETA S's command table for the current API level, calls the device, and
 * shapes the reply (fileUri in v2.0, fileUrl in v2.1). Binary replies (getImage, _getVideo, live
 * preview) are returned as a description the HTTP layer streams.
 *
 * Parameter rules (RICOH's theta-web-api-v2.0 / v2.1 commands/*.md): a missing required parameter
 * is `missingParameter`, an unknown one `invalidParameterName`, a wrong type or value
 * `invalidParameterValue`; v2.1 has no `sessionId` anywhere. A file named in a parameter that does
 * not exist is an invalid parameter value (Google's OSC camera.delete / getImage; RICOH's errors.md
 * has no notFound in v2.0, and in v2.1 keeps it for addresses — `/files/…` — not parameters); more
 * than 128 fileUrls in one v2.1 delete is `tooManyParameters` (403).
 */
import type { ThetaDevice } from '../../devices/theta/device.js';
import type { ThetaFile } from '../../devices/theta/catalog.js';
import { relPath } from '../../devices/theta/catalog.js';
import { ThetaDeviceError } from '../../devices/theta/errors.js';
import { formatDateTimeZone } from '../../devices/theta/options.js';
import type { SINCE } from '../../devices/theta/firmware.js';
import { COMMANDS_V20, COMMANDS_V21, MAX_DELETE_URLS } from '../../osc/types.js';
import type { CommandResponse, OscErrorCode, OscFileEntry } from '../../osc/types.js';
import { OscCommandError } from './osc-errors.js';
import { jobResponse } from './osc-jobs.js';
import type { OscJob, OscJobs } from './osc-jobs.js';
import { getOptions, setOptions } from './osc-options.js';
import type { OscSessions } from './osc-sessions.js';

type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
interface ParamSpec {
  type: ParamType;
  required?: boolean;
}
type CommandSpec = Record<string, ParamSpec>;

const SID: ParamSpec = { type: 'string', required: true };

const V20: Record<(typeof COMMANDS_V20)[number], CommandSpec> = {
  'camera.startSession': { timeout: { type: 'integer' } },
  'camera.updateSession': { sessionId: SID, timeout: { type: 'integer' } },
  'camera.closeSession': { sessionId: SID },
  'camera.takePicture': { sessionId: SID },
  'camera._startCapture': { sessionId: SID, mode: { type: 'string' } },
  'camera._stopCapture': { sessionId: SID },
  'camera.listImages': {
    entryCount: { type: 'integer', required: true },
    includeThumb: { type: 'boolean', required: true },
    maxSize: { type: 'integer' },
    continuationToken: { type: 'string' },
  },
  'camera._listAll': {
    entryCount: { type: 'integer', required: true },
    continuationToken: { type: 'string' },
    detail: { type: 'boolean' },
    sort: { type: 'string' },
  },
  'camera.delete': { fileUri: { type: 'string', required: true } },
  'camera.getImage': {
    fileUri: { type: 'string', required: true },
    _type: { type: 'string' },
    maxSize: { type: 'integer' },
  },
  'camera._getVideo': {
    fileUri: { type: 'string', required: true },
    _type: { type: 'string' },
    type: { type: 'string' },
  },
  'camera._getLivePreview': { sessionId: SID },
  'camera.getMetadata': { fileUri: { type: 'string', required: true } },
  'camera.getOptions': { sessionId: SID, optionNames: { type: 'array', required: true } },
  'camera.setOptions': { sessionId: SID, options: { type: 'object', required: true } },
  'camera._stopSelfTimer': {},
  'camera._finishWlan': { sessionId: SID },
  // camera._get_my_setting.md / _set_my_setting.md (v2.0): no session id among the parameters.
  'camera._getMySetting': { optionNames: { type: 'array', required: true } },
  'camera._setMySetting': { options: { type: 'object', required: true } },
};

const V21: Record<(typeof COMMANDS_V21)[number], CommandSpec> = {
  'camera.takePicture': {},
  'camera.startCapture': { _mode: { type: 'string' } },
  'camera.stopCapture': {},
  'camera.listFiles': {
    fileType: { type: 'string', required: true },
    entryCount: { type: 'integer', required: true },
    maxThumbSize: { type: 'integer', required: true },
    startPosition: { type: 'integer' },
    _detail: { type: 'boolean' },
    _sort: { type: 'string' },
  },
  'camera.delete': { fileUrls: { type: 'array', required: true } },
  'camera.getLivePreview': {},
  'camera.getOptions': { optionNames: { type: 'array', required: true } },
  'camera.setOptions': { options: { type: 'object', required: true } },
  'camera.reset': {},
  'camera._stopSelfTimer': {},
  'camera._finishWlan': {},
  'camera._getMetadata': { fileUrl: { type: 'string', required: true } },
  // v2.1: `mode` is for the V and later; an S takes optionNames and answers for still images.
  'camera._getMySetting': { optionNames: { type: 'array', required: true } },
  'camera._setMySetting': { options: { type: 'object', required: true } },
};

/**
 * Commands whose reference page says they cannot run during video recording (v2.0: _getVideo,
 * _listAll, delete, getImage, getMetadata, listImages; v2.1: listFiles, delete, _getMetadata).
 */
const NOT_WHILE_RECORDING = new Set([
  'camera._getVideo',
  'camera._listAll',
  'camera.delete',
  'camera.getImage',
  'camera.getMetadata',
  'camera.listImages',
  'camera.listFiles',
  'camera._getMetadata',
]);

/** What the HTTP layer sends. */
export type CommandOutcome =
  | { kind: 'json'; body: CommandResponse }
  /** A reply serialized already, in pieces (large listings: thumbnails are spliced in as bytes). */
  | { kind: 'raw-json'; parts: Buffer[] }
  | { kind: 'file'; name: string; file: ThetaFile; thumb: boolean; maxSize?: number }
  | { kind: 'preview'; name: string };

/** The OSC face's state a command runs against. */
export interface CommandContext {
  /** The API level and v2.0 sessions. */
  sessions: OscSessions;
  /** Commands in progress, for `/osc/commands/status`. */
  jobs: OscJobs;
  /** `http://host:port` as the client addressed the camera, for fileUrl / storageUri. */
  origin: string;
}

function fail(code: OscErrorCode, message: string): never {
  throw new OscCommandError(code, message);
}

function typeOk(v: unknown, t: ParamType): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

function checkParams(spec: CommandSpec, params: Record<string, unknown>): void {
  for (const name of Object.keys(params)) {
    if (!(name in spec)) fail('invalidParameterName', `unknown parameter ${JSON.stringify(name)}`);
  }
  for (const [name, p] of Object.entries(spec)) {
    const v = params[name];
    if (v === undefined || v === null) {
      if (p.required) fail('missingParameter', `parameter ${JSON.stringify(name)} is required`);
      continue;
    }
    if (!typeOk(v, p.type))
      fail(
        'invalidParameterValue',
        `parameter ${JSON.stringify(name)} must be ${p.type === 'integer' ? 'an integer' : `a${p.type === 'array' || p.type === 'object' ? 'n' : ''} ${p.type}`}`,
      );
  }
}

/** The file a command parameter names; a missing file is an invalid value of that parameter. */
function paramFile(device: ThetaDevice, rel: string): ThetaFile {
  try {
    return device.findFile(rel);
  } catch (err) {
    if (err instanceof ThetaDeviceError && err.reason === 'no-such-file')
      throw new OscCommandError('invalidParameterValue', err.message, { cause: err });
    throw err;
  }
}

/** v2.1 URL of a file. */
export function fileUrl(device: ThetaDevice, ctx: CommandContext, f: ThetaFile | string): string {
  return `${ctx.origin}/files/${device.storageId}/${typeof f === 'string' ? f : relPath(f)}`;
}

/**
 * The file a v2.1 `fileUrl` names. Only `/files/<this storageId>/<folder>/<name>` is accepted; the
 * host part is not checked (clients reach the camera under different names).
 */
export function fileFromUrl(device: ThetaDevice, url: string): ThetaFile {
  let pathname: string;
  try {
    pathname = new URL(url, 'http://camera').pathname;
  } catch {
    fail('invalidParameterValue', `invalid fileUrl ${JSON.stringify(url)}`);
  }
  const parts = pathname.split('/');
  if (parts.length !== 5 || parts[0] !== '' || parts[1] !== 'files' || parts[2] !== device.storageId) {
    fail('invalidParameterValue', `invalid fileUrl ${JSON.stringify(url)}`);
  }
  let folder: string, name: string;
  try {
    folder = decodeURIComponent(parts[3]!);
    name = decodeURIComponent(parts[4]!);
  } catch {
    fail('invalidParameterValue', `invalid fileUrl ${JSON.stringify(url)}`);
  }
  return paramFile(device, `${folder}/${name}`);
}

function dateTime(f: ThetaFile): string {
  return formatDateTimeZone(f.timeMs, f.utcOffsetMinutes).slice(0, 19);
}

function entry(device: ThetaDevice, ctx: CommandContext, f: ThetaFile, detail: boolean): OscFileEntry {
  const e: OscFileEntry = { name: f.name, size: f.size };
  if (ctx.sessions.api === 1) e.uri = relPath(f);
  else e.fileUrl = fileUrl(device, ctx, f);
  if (!detail) {
    e.dateTime = dateTime(f);
    return e;
  }
  e.dateTimeZone = formatDateTimeZone(f.timeMs, f.utcOffsetMinutes);
  e.width = f.width;
  e.height = f.height;
  if (f.lat !== undefined && f.lng !== undefined) {
    e.lat = f.lat;
    e.lng = f.lng;
  }
  if (f.kind === 'video') {
    if (ctx.sessions.api === 1) e.recordTime = f.recordTime ?? 0;
    else e._recordTime = f.recordTime ?? 0;
  }
  if (f.intervalCaptureGroupId) e._intervalCaptureGroupId = f.intervalCaptureGroupId;
  if (f.compositeShootingGroupId) e._compositeShootingGroupId = f.compositeShootingGroupId;
  if (f.autoBracketGroupId) e._autoBracketGroupId = f.autoBracketGroupId;
  if (ctx.sessions.api === 2) {
    e.isProcessed = true;
    e.previewUrl = '';
    // No _projectionType: listFiles gives it for THETA V and later only.
  }
  return e;
}

function parseToken(token: unknown): number {
  if (token === undefined) return 0;
  const n = Number(token);
  if (typeof token !== 'string' || !/^\d+$/.test(token) || !Number.isSafeInteger(n))
    fail('invalidParameterValue', `invalid continuationToken ${JSON.stringify(token)}`);
  return n;
}

function entryCount(v: unknown): number {
  const n = v as number;
  if (n < 1 || n > 10000) fail('invalidParameterValue', 'entryCount must be 1…10000');
  return n;
}

/** A command job's reply (execute and status), its files named as the client's level names them. */
export function commandJobResponse(device: ThetaDevice, ctx: CommandContext, job: OscJob): CommandResponse {
  return jobResponse(job, { api: ctx.sessions.api, url: (rel) => fileUrl(device, ctx, rel) });
}

/** Commands that came with a firmware feature (devices/theta/firmware.ts): older firmware answers unknownCommand. */
const COMMAND_SINCE: Record<string, keyof typeof SINCE> = {
  'camera._stopSelfTimer': 'selfTimer',
  'camera._getMySetting': 'mySettings',
  'camera._setMySetting': 'mySettings',
};

/**
 * Runs one command. Throws OscCommandError for OSC errors, and lets the device's refusals through
 * (the caller shapes both with toOscError, osc-errors.ts).
 */
export async function executeCommand(
  device: ThetaDevice,
  ctx: CommandContext,
  name: string,
  params: Record<string, unknown>,
): Promise<CommandOutcome> {
  const table: Record<string, CommandSpec> = ctx.sessions.api === 1 ? V20 : V21;
  const spec = table[name];
  if (!spec) {
    const other = ctx.sessions.api === 1 ? V21 : V20;
    if (name in other)
      fail('unknownCommand', `${name} is not available in API v${ctx.sessions.api === 1 ? '2.0' : '2.1'}`);
    fail('unknownCommand', `unknown command ${JSON.stringify(name)}`);
  }
  const since = COMMAND_SINCE[name];
  if (since && !device.has(since))
    fail('unknownCommand', `${name} needs a newer firmware than ${device.firmwareVersion}`);
  checkParams(spec, params);
  if (spec['sessionId']?.required) ctx.sessions.use(params['sessionId'] as string);
  if (device.capturing && device.captureMode === 'video' && NOT_WHILE_RECORDING.has(name))
    fail('disabledCommand', `${name} cannot run while a video is recording`);
  const done = (results?: Record<string, unknown>): CommandOutcome => ({
    kind: 'json',
    body: results ? { name, state: 'done', results } : { name, state: 'done' },
  });

  switch (name) {
    case 'camera.startSession':
      return done(ctx.sessions.start());
    case 'camera.updateSession':
      return done(ctx.sessions.update(params['sessionId'] as string));
    case 'camera.closeSession':
      ctx.sessions.close(params['sessionId'] as string);
      return done();
    case 'camera.takePicture': {
      const job = ctx.jobs.add(name, device.takePicture());
      return { kind: 'json', body: commandJobResponse(device, ctx, job) };
    }
    case 'camera._startCapture':
    case 'camera.startCapture': {
      const mode = (params['mode'] ?? params['_mode'] ?? 'interval') as string;
      if (!['interval', 'composite', 'bracket'].includes(mode))
        fail('invalidParameterValue', `mode must be interval, composite or bracket`);
      const run = device.startCapture(mode as 'interval' | 'composite' | 'bracket');
      if (ctx.sessions.api === 2 && (run.limited || run.countdown)) {
        // OSC v2.1: a capture that ends by itself, or waits for the self-timer, stays in progress
        // (start_capture.md) and ends with its fileUrls, or canceledShooting.
        return { kind: 'json', body: commandJobResponse(device, ctx, ctx.jobs.add(name, device.followCapture(run))) };
      }
      return done();
    }
    case 'camera._stopCapture':
    case 'camera.stopCapture': {
      const files = await device.stopCapture();
      return ctx.sessions.api === 1 ? done() : done({ fileUrls: files.map((f) => fileUrl(device, ctx, f)) });
    }
    case 'camera._listAll': {
      const start = parseToken(params['continuationToken']);
      const count = entryCount(params['entryCount']);
      const sort = (params['sort'] ?? 'newest') as string;
      if (sort !== 'newest' && sort !== 'oldest') fail('invalidParameterValue', 'sort must be newest or oldest');
      const detail = params['detail'] !== false;
      const { entries, total } = device.listFiles('all', sort, start, count);
      const results: Record<string, unknown> = {
        entries: entries.map((f) => entry(device, ctx, f, detail)),
        totalEntries: total,
      };
      if (start + entries.length < total) results['continuationToken'] = String(start + entries.length);
      return done(results);
    }
    case 'camera.listImages': {
      const start = parseToken(params['continuationToken']);
      const count = entryCount(params['entryCount']);
      const includeThumb = params['includeThumb'] === true;
      const { entries, total } = device.listFiles('image', 'newest', start, count);
      const out: OscFileEntry[] = [];
      for (const f of entries) {
        const e = entry(device, ctx, f, true);
        if (includeThumb) e.thumbnail = (await device.thumbnail(f)).toString('base64');
        out.push(e);
      }
      const results: Record<string, unknown> = { entries: out, totalEntries: total };
      if (start + entries.length < total) results['continuationToken'] = String(start + entries.length);
      return done(results);
    }
    case 'camera.listFiles': {
      const fileType = params['fileType'] as string;
      if (fileType !== 'all' && fileType !== 'image' && fileType !== 'video')
        fail('invalidParameterValue', 'fileType must be all, image or video');
      const count = entryCount(params['entryCount']);
      const maxThumb = params['maxThumbSize'] as number;
      if (maxThumb !== 0 && maxThumb !== 640) fail('invalidParameterValue', 'maxThumbSize must be 0 or 640');
      const start = (params['startPosition'] ?? 0) as number;
      if (start < 0) fail('invalidParameterValue', 'startPosition must not be negative');
      const sort = (params['_sort'] ?? 'newest') as string;
      if (sort !== 'newest' && sort !== 'oldest') fail('invalidParameterValue', '_sort must be newest or oldest');
      const detail = params['_detail'] !== false;
      const { entries, total } = device.listFiles(fileType, sort, start, count);
      if (maxThumb === 0)
        return done({ entries: entries.map((f) => entry(device, ctx, f, detail)), totalEntries: total });
      // With thumbnails a page is ~1 MB, nearly all base64: serialize the entries and splice the
      // cached base64 bytes in, instead of making JSON.stringify scan them on every request.
      const thumbs = await Promise.all(entries.map((f) => device.thumbnailBase64(f)));
      const parts: Buffer[] = [Buffer.from(`{"name":${JSON.stringify(name)},"state":"done","results":{"entries":[`)];
      entries.forEach((f, i) => {
        const e = entry(device, ctx, f, detail);
        const b64 = thumbs[i]!;
        // base64 length → decoded bytes.
        e._thumbSize =
          Math.floor((b64.length * 3) / 4) -
          (b64[b64.length - 1] === 61 ? 1 : 0) -
          (b64[b64.length - 2] === 61 ? 1 : 0);
        const json = JSON.stringify(e);
        parts.push(Buffer.from(`${i ? ',' : ''}${json.slice(0, -1)},"thumbnail":"`), b64, Buffer.from('"}'));
      });
      parts.push(Buffer.from(`],"totalEntries":${total}}}`));
      return { kind: 'raw-json', parts };
    }
    case 'camera.delete': {
      if (ctx.sessions.api === 1) {
        await device.deleteFiles([paramFile(device, params['fileUri'] as string)]);
        return done();
      }
      const urls = params['fileUrls'] as unknown[];
      if (urls.length === 0) fail('invalidParameterValue', 'fileUrls is empty');
      if (urls.length > MAX_DELETE_URLS)
        fail('tooManyParameters', `fileUrls holds ${urls.length} URLs; at most ${MAX_DELETE_URLS} at a time`);
      if (urls.some((u) => typeof u !== 'string')) fail('invalidParameterValue', 'fileUrls must hold strings');
      const first = urls[0] as string;
      if (first === 'all' || first === 'image' || first === 'video') {
        if (urls.length !== 1) fail('invalidParameterValue', `"${first}" must be the only entry of fileUrls`);
        await device.deleteFiles(first);
        return done();
      }
      // Every URL is checked before anything is deleted: one bad URL fails the whole command.
      const files = (urls as string[]).map((u) => fileFromUrl(device, u));
      await device.deleteFiles(files);
      return done();
    }
    case 'camera.getImage': {
      const type = (params['_type'] ?? 'full') as string;
      if (!['full', 'image', 'thumb'].includes(type)) fail('invalidParameterValue', '_type must be full or thumb');
      const file = paramFile(device, params['fileUri'] as string);
      if (file.kind !== 'image') fail('invalidFileFormat', `${params['fileUri'] as string} is not a still image`);
      device.assertReadable(file);
      const out: CommandOutcome = { kind: 'file', name, file, thumb: type === 'thumb' };
      if (params['maxSize'] !== undefined) out.maxSize = params['maxSize'] as number;
      return out;
    }
    case 'camera._getVideo': {
      const type = (params['_type'] ?? params['type'] ?? 'full') as string;
      if (type !== 'full' && type !== 'thumb') fail('invalidParameterValue', 'type must be full or thumb');
      const file = paramFile(device, params['fileUri'] as string);
      if (file.kind !== 'video') fail('invalidFileFormat', `${params['fileUri'] as string} is not a video`);
      return { kind: 'file', name, file, thumb: type === 'thumb' };
    }
    case 'camera.getMetadata': {
      const file = paramFile(device, params['fileUri'] as string);
      return done(await device.metadata(file));
    }
    case 'camera._getMetadata': {
      const file = fileFromUrl(device, params['fileUrl'] as string);
      return done(await device.metadata(file));
    }
    case 'camera._getLivePreview':
    case 'camera.getLivePreview':
      if (device.capturing) fail('disabledCommand', 'no live preview while shooting');
      return { kind: 'preview', name };
    case 'camera.getOptions': {
      const names = params['optionNames'] as unknown[];
      if (names.some((n) => typeof n !== 'string')) fail('invalidParameterValue', 'optionNames must hold strings');
      return done({ options: getOptions(device, ctx.sessions, names as string[]) });
    }
    case 'camera.setOptions':
      setOptions(device, ctx.sessions, params['options'] as Record<string, unknown>);
      return done();
    case 'camera._getMySetting': {
      const names = params['optionNames'] as unknown[];
      if (names.some((n) => typeof n !== 'string')) fail('invalidParameterValue', 'optionNames must hold strings');
      return done({ options: device.getMySettings(names as string[]) });
    }
    case 'camera._setMySetting':
      await device.setMySettings(params['options'] as Record<string, unknown>);
      return done();
    case 'camera.reset':
      device.reset();
      return done();
    case 'camera._stopSelfTimer':
      // v2.0 answers done even when no timer runs; v2.1 refuses.
      if (!device.stopSelfTimer() && ctx.sessions.api !== 1) fail('disabledCommand', 'no self-timer is running');
      return done();
    case 'camera._finishWlan':
      device.finishWlan();
      return done();
    default:
      return fail('unknownCommand', `unknown command ${JSON.stringify(name)}`);
  }
}

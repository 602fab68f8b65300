/**
 * Lenient validation of the camera's replies (docs/architecture.md): unknown fields and unknown enum values
 * pass through untouched; a missing or mistyped required field is a `BAD_REPLY` naming the field.
 *
 * Hand-written rather than zod: the checks are few and flat, and the CLI's start-up time is
 * measured (bench/coldstart.bench.ts) — this costs nothing to load.
 */
import { SequoiaError } from './client-errors.js';
import type {
  CalibrationReply,
  CaptureCommandReply,
  CaptureStatusReply,
  ConfigReply,
  FileInfoReply,
  ManualModeReply,
  StatusReply,
  StorageReply,
  VersionReply,
  WifiReply,
} from './types.js';

/** A check returns an error text for the value, or undefined when it is acceptable. */
type Check = (v: unknown) => string | undefined;

const num: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : `expected a number, got ${show(v)}`;
const str: Check = (v) => (typeof v === 'string' ? undefined : `expected a string, got ${show(v)}`);
const obj: Check = (v) => (isObject(v) ? undefined : `expected an object, got ${show(v)}`);
/** A number, or one of the firmware's placeholder texts ("Notlparam", "none"). */
const numOr =
  (...texts: string[]): Check =>
  (v) =>
    num(v) === undefined || (typeof v === 'string' && texts.includes(v))
      ? undefined
      : `expected a number or ${texts.map((t) => JSON.stringify(t)).join('/')}, got ${show(v)}`;

type Shape = Record<string, Check | { optional: Check }>;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkShape(value: unknown, shape: Shape, where: string, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`${where || 'reply'}: expected an object, got ${show(value)}`);
    return;
  }
  for (const [key, rule] of Object.entries(shape)) {
    const v = value[key];
    if (typeof rule === 'object') {
      if (v === undefined) continue;
      const p = rule.optional(v);
      if (p) problems.push(`${where}${key}: ${p}`);
    } else {
      const p = v === undefined ? 'missing' : rule(v);
      if (p) problems.push(`${where}${key}: ${p}`);
    }
  }
}

function validate<T>(value: unknown, path: string, check: (v: unknown, problems: string[]) => void): T {
  const problems: string[] = [];
  check(value, problems);
  if (problems.length > 0) {
    throw new SequoiaError('ERR_CAMCTL_SEQUOIA_BAD_REPLY', `unexpected reply to ${path}: ${problems.join('; ')}`, {
      path,
    });
  }
  return value as T;
}

const shapes = {
  captureStatus: { request: str, status: str, path: { optional: str } },
  captureCommand: { request: str, status: str, path: { optional: str } },
  config: {
    request: str,
    capture_mode: str,
    timelapse_param: numOr('Notlparam'),
    gps_param: numOr('Nogpsparam'),
    overlap_param: numOr('Noautoparam'),
    resolution_rgb: num,
    resolution_mono: num,
    bit_depth: num,
    sensors_mask: num,
    storage_selected: str,
    auto_select: str,
  },
  sunshine: {
    green_0: num,
    red_0: num,
    red_edge_0: num,
    near_infrared_0: num,
    green_1: num,
    red_1: num,
    red_edge_1: num,
    near_infrared_1: num,
    status: str,
  },
  temperature: {
    body_p7: num,
    body_p7mu: num,
    body_ddr3: num,
    body_wifi: num,
    body_imu: num,
    sunshine_imu: numOr('none'),
    status: str,
  },
  gps: {
    satellite_number: num,
    precision: num,
    speed: num,
    fix: num,
    status: str,
    degres_lat: { optional: num },
    minutes_lat: { optional: num },
    seconds_lat: { optional: num },
    degres_lon: { optional: num },
    minutes_lon: { optional: num },
    seconds_lon: { optional: num },
    altitude: { optional: num },
  },
  instruments: {
    body_yaw: num,
    body_pitch: num,
    body_roll: num,
    sunshine_yaw: numOr('none'),
    sunshine_pitch: numOr('none'),
    sunshine_roll: numOr('none'),
    status: str,
  },
  calibration: { request: str, body: str, sunshine: str },
  medium: { total: num, free: num, path: str, read_only: str, corrupted: str },
  version: { request: str, version: str, serial_number: str, sunshine_serial_number: { optional: str } },
  wifi: { request: str, ssid: str, status: str },
  exposure: { exp_us: num, iso: num },
} satisfies Record<string, Shape>;

export const parseCaptureStatus = (v: unknown, path: string): CaptureStatusReply =>
  validate(v, path, (x, p) => checkShape(x, shapes.captureStatus, '', p));

export const parseCaptureCommand = (v: unknown, path: string): CaptureCommandReply =>
  validate(v, path, (x, p) => checkShape(x, shapes.captureCommand, '', p));

export const parseConfig = (v: unknown, path: string): ConfigReply =>
  validate(v, path, (x, p) => checkShape(x, shapes.config, '', p));

const STATUS_SHAPES = {
  sunshine: shapes.sunshine,
  temperature: shapes.temperature,
  gps: shapes.gps,
  instruments: shapes.instruments,
} as const;

/** `/status` has all four parts; `/status/<part>` only its own. */
export function parseStatus(v: unknown, path: string, parts: readonly (keyof typeof STATUS_SHAPES)[]): StatusReply {
  return validate(v, path, (x, p) => {
    checkShape(x, { request: str }, '', p);
    if (!isObject(x)) return;
    for (const part of parts) checkShape(x[part], STATUS_SHAPES[part], `${part}.`, p);
  });
}

export const parseCalibration = (v: unknown, path: string): CalibrationReply =>
  validate(v, path, (x, p) => checkShape(x, shapes.calibration, '', p));

export function parseStorage(v: unknown, path: string): StorageReply {
  return validate(v, path, (x, p) => {
    checkShape(x, { request: str, storage_selected: str, internal: obj, sd: { optional: obj } }, '', p);
    if (!isObject(x)) return;
    checkShape(x.internal, shapes.medium, 'internal.', p);
    if (x.sd !== undefined) checkShape(x.sd, shapes.medium, 'sd.', p);
  });
}

/** `/file…` replies: `request` plus path → number entries; other non-number keys are dropped. */
export function parseFileInfo(v: unknown, path: string): FileInfoReply {
  return validate(v, path, (x, p) => {
    checkShape(x, { request: str }, '', p);
    if (!isObject(x)) return;
    for (const [k, val] of Object.entries(x)) {
      if (k.startsWith('/') && num(val)) p.push(`${k}: ${num(val)}`);
    }
  });
}

export const parseVersion = (v: unknown, path: string): VersionReply =>
  validate(v, path, (x, p) => checkShape(x, shapes.version, '', p));

export const parseWifi = (v: unknown, path: string): WifiReply =>
  validate(v, path, (x, p) => checkShape(x, shapes.wifi, '', p));

export function parseManualMode(v: unknown, path: string): ManualModeReply {
  return validate(v, path, (x, p) => {
    checkShape(x, { request: str, monochrome: obj, rgb: obj }, '', p);
    if (!isObject(x)) return;
    checkShape(x.rgb, { mode: str, ...shapes.exposure }, 'rgb.', p);
    const mono = x.monochrome;
    checkShape(mono, { mode: str }, 'monochrome.', p);
    if (!isObject(mono)) return;
    for (const band of ['green', 'red', 'red_edge'] as const)
      checkShape(mono[band], shapes.exposure, `monochrome.${band}.`, p);
    // The API reference's GET example says `near_ir`, the firmware `near_infrared` (docs/sequoia.md): accept both.
    if (mono.near_infrared === undefined && mono.near_ir !== undefined) mono.near_infrared = mono.near_ir;
    checkShape(mono.near_infrared, shapes.exposure, 'monochrome.near_infrared.', p);
  });
}

/** Replies echoing "Ok" or an error text per key (POST /config, /wifi); nested for /manualmode. */
export function parseEcho(v: unknown, path: string): Record<string, unknown> {
  return validate(v, path, (x, p) => checkShape(x, { request: str }, '', p));
}

/** Flattens an echo reply into `key → answer` ("monochrome.green.iso" → "Ok"), without `request`. */
export function flattenEcho(v: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (prefix === '' && k === 'request') continue;
    if (isObject(val)) Object.assign(out, flattenEcho(val, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = String(val);
  }
  return out;
}

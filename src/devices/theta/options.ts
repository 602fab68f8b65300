/**
 * The THETA S's shooting and camera options: current values, their `…Support` values, validation
 * and the rules that tie them together (fileFormat follows captureMode, the shortest interval
 * depends on the image size). Facts: docs/osc.md "Options on the THETA S" and RICOH's
 * theta-api-specs (theta-web-api-v2.0/options/*.md).
 *
 * Names are the camera's own, as RICOH's theta-api-specs spell them in API v2.1 (`captureInterval`,
 * `remainingVideoSeconds`, captureMode `video`): one vocabulary for every face. The v2.0 spellings
 * (`_captureInterval`, `_video`…), which options exist at which API level, and `clientVersion`
 * are the OSC face's business (src/emulator/theta/osc-options.ts). A value out of range is an
 * InvalidOptionError naming the option; an unknown name a ThetaDeviceError `unknown-setting`.
 */
import { InvalidOptionError } from '../../util/errors.js';
import { ThetaDeviceError } from './errors.js';
import { hasFeature } from './firmware.js';
import type { SINCE } from './firmware.js';

export interface ImageFormat {
  type: 'jpeg';
  width: number;
  height: number;
}
export interface VideoFormat {
  type: 'mp4';
  width: number;
  height: number;
}

/** One exposure of multi bracket shooting (`_autoBracket._bracketParameters[i]`). */
export interface BracketShot {
  iso: number;
  shutterSpeed: number;
  colorTemperature: number;
}

export interface GpsInfo {
  lat: number;
  lng: number;
  _altitude?: number;
  _dateTimeZone?: string;
  _datum?: string;
}

export interface OptionValues {
  captureMode: 'image' | 'video';
  exposureProgram: number;
  iso: number;
  shutterSpeed: number;
  exposureCompensation: number;
  whiteBalance: string;
  colorTemperature: number;
  imageFormat: ImageFormat;
  videoFormat: VideoFormat;
  exposureDelay: number;
  offDelay: number;
  sleepDelay: number;
  captureInterval: number;
  captureNumber: number;
  filter: string;
  shutterVolume: number;
  gpsInfo: GpsInfo;
  /** Seconds of the last self-timer that was on (`_latestEnabledExposureDelayTime`, never 0). */
  latestEnabledExposureDelay: number;
  /** `_HDMIreso`: Auto, L (1920×1080), M (1280×720), S (720×480). */
  hdmiReso: string;
  /** `_wlanChannel`: 0 (not specified), 1, 6, 11. */
  wlanChannel: number;
  /** `_compositeShootingTime`, seconds: 600 … 86400 in steps of 600. */
  compositeShootingTime: number;
  /** `_compositeShootingOutputInterval`, seconds: 0 (no saving) or 60 … 600 in steps of 60. */
  compositeShootingOutputInterval: number;
  /** `_autoBracket`: the exposures of multi bracket shooting, one per shot. */
  autoBracket: BracketShot[];
  /** Minutes east of UTC of the camera's clock. */
  utcOffsetMinutes: number;
  /** Milliseconds added to the device clock by `dateTimeZone`. */
  clockSkewMs: number;
}

export const IMAGE_FORMATS: ImageFormat[] = [
  { type: 'jpeg', width: 5376, height: 2688 },
  { type: 'jpeg', width: 2048, height: 1024 },
];
export const VIDEO_FORMATS: VideoFormat[] = [
  { type: 'mp4', width: 1920, height: 1080 },
  { type: 'mp4', width: 1280, height: 720 },
];

/** ISO of the S in manual and ISO priority; 0 (auto) otherwise (theta-web-api-v2.1/options/iso.md). */
const ISO_MANUAL = [100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600];
/** Shutter speeds of the S in manual, 1/6400 … 60 s (shutter_speed.md). */
const SHUTTER_MANUAL = [
  0.00015625, 0.0002, 0.00025, 0.0003125, 0.0004, 0.0005, 0.000625, 0.0008, 0.001, 0.00125, 0.0015625, 0.002, 0.0025,
  0.003125, 0.004, 0.005, 0.00625, 0.008, 0.01, 0.0125, 0.01666666, 0.02, 0.025, 0.03333333, 0.04, 0.05, 0.06666666,
  0.07692307, 0.1, 0.125, 0.16666666, 0.2, 0.25, 0.33333333, 0.4, 0.5, 0.625, 0.76923076, 1, 1.3, 1.6, 2, 2.5, 3.2, 4,
  5, 6, 8, 10, 13, 15, 20, 25, 30, 60,
];
/** Shutter priority goes up to 1/8 s on the S (shutter_speed.md). */
const SHUTTER_PRIORITY = SHUTTER_MANUAL.filter((s) => s <= 0.125);
const EV_SUPPORT = [-2.0, -1.7, -1.3, -1.0, -0.7, -0.3, 0.0, 0.3, 0.7, 1.0, 1.3, 1.7, 2.0];
const WB_SUPPORT = [
  'auto',
  'daylight',
  'shade',
  'cloudy-daylight',
  'incandescent',
  '_warmWhiteFluorescent',
  '_dayLightFluorescent',
  '_dayWhiteFluorescent',
  'fluorescent',
  '_bulbFluorescent',
  '_colorTemperature',
];
/** `_colorTemperature` (set by the option of that name) came with S firmware 01.82 (white_balance.md). */
function wbSupport(c: Pick<OptionContext, 'firmware'>): string[] {
  return c.firmware === undefined || hasFeature(c.firmware, 'mySettings')
    ? WB_SUPPORT
    : WB_SUPPORT.filter((wb) => wb !== '_colorTemperature');
}
const FILTER_SUPPORT = ['off', 'DR Comp', 'Noise Reduction', 'hdr'];
const EXPOSURE_PROGRAM_SUPPORT = [1, 2, 4, 9];
const MANUAL = 1;
const SHUTTER_PRIORITY_PROGRAM = 4;
const ISO_PRIORITY = 9;

/**
 * What the exposure program lets the client choose (iso.md, shutter_speed.md,
 * exposure_compensation.md for the S): ISO in manual and ISO priority, the shutter in manual and
 * shutter priority, and exposure compensation in every program but manual; elsewhere only 0 (auto).
 */
function isoSupport(o: OptionValues): number[] {
  return o.exposureProgram === MANUAL || o.exposureProgram === ISO_PRIORITY ? ISO_MANUAL : [0];
}
function shutterSupport(o: OptionValues): number[] {
  return o.exposureProgram === MANUAL
    ? SHUTTER_MANUAL
    : o.exposureProgram === SHUTTER_PRIORITY_PROGRAM
      ? SHUTTER_PRIORITY
      : [0];
}
function evSupport(o: OptionValues): number[] {
  return o.exposureProgram === MANUAL ? [0] : EV_SUPPORT;
}
/** The self-timer exists in image mode only on the S (exposure_delay.md). */
function delaySupport(o: OptionValues): number[] {
  return o.captureMode === 'image' ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [0];
}

/** The supported value nearest to `v` (a program change keeps what it can). */
function nearest(v: number, allowed: readonly number[]): number {
  return allowed.reduce((best, a) => (Math.abs(a - v) < Math.abs(best - v) ? a : best), allowed[0]!);
}
export const PREVIEW_FORMAT = { width: 640, height: 320, framerate: 10 } as const;
/** `offDelay` / `sleepDelay` value meaning "never". */
export const NEVER = 65535;

export function defaultOptions(): OptionValues {
  return {
    captureMode: 'image',
    exposureProgram: 2,
    iso: 0,
    shutterSpeed: 0,
    exposureCompensation: 0,
    whiteBalance: 'auto',
    colorTemperature: 5000,
    imageFormat: { ...IMAGE_FORMATS[0]! },
    videoFormat: { ...VIDEO_FORMATS[0]! },
    exposureDelay: 0,
    // The S's factory defaults as RICOH's USB API reference gives them (auto_power_off_delay.md
    // 10 min, sleep_delay.md 300 s, audio_volume.md 100 %); the OSC reference gives none.
    offDelay: 600,
    sleepDelay: 300,
    captureInterval: 8,
    captureNumber: 0,
    filter: 'off',
    shutterVolume: 100,
    gpsInfo: { lat: 65535, lng: 65535 },
    // RICOH's reference gives no defaults for these five; these are the emulator's.
    latestEnabledExposureDelay: 10,
    hdmiReso: 'Auto',
    wlanChannel: 0,
    // 24 h, the factory default RICOH's USB reference gives (composite_shooting_time.md).
    compositeShootingTime: 86_400,
    compositeShootingOutputInterval: 0,
    // Three shots two stops apart at ISO 100: 1/250, 1/60 and 1/15 s.
    autoBracket: [0.004, 0.01666666, 0.06666666].map((shutterSpeed) => ({
      iso: 100,
      shutterSpeed,
      colorTemperature: 5000,
    })),
    utcOffsetMinutes: 0,
    clockSkewMs: 0,
  };
}

/** Read-only facts the option layer needs from the device. */
export interface OptionContext {
  remainingPictures: number;
  remainingSpace: number;
  totalSpace: number;
  /** Seconds of video the free space holds at the current video settings. */
  remainingVideoSeconds: number;
  /** Epoch ms of the camera's clock (device clock + skew). */
  nowMs: number;
  /** Whether a capture is running (options that change shooting are refused then). */
  busy: boolean;
  /** Firmware level in hundredths (01.62 → 162, firmware.ts); absent: the newest. */
  firmware?: number;
}

function bad(name: string, value: unknown, why: string): InvalidOptionError {
  return new InvalidOptionError(name, `${JSON.stringify(value)} ${why}`);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function oneOf<T>(name: string, value: unknown, allowed: readonly T[]): T {
  const hit = allowed.find((a) =>
    typeof a === 'number' && typeof value === 'number' ? Math.abs(a - value) < 1e-6 : a === value,
  );
  if (hit === undefined) throw bad(name, value, `is not one of ${JSON.stringify(allowed)}`);
  return hit;
}

function intRange(name: string, value: unknown, min: number, max: number, extra: number[] = []): number {
  if (!isInt(value) || ((value < min || value > max) && !extra.includes(value))) {
    throw bad(name, value, `must be an integer ${min}…${max}${extra.length ? ` or ${extra.join(', ')}` : ''}`);
  }
  return value;
}

const HDMI_RESO = ['Auto', 'L', 'M', 'S'];
const MAX_BRACKET = 13;

function parseAutoBracket(v: unknown): BracketShot[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw bad('_autoBracket', v, 'must be an object {_bracketNumber, _bracketParameters}');
  const a = v as Record<string, unknown>;
  for (const k of Object.keys(a))
    if (k !== '_bracketNumber' && k !== '_bracketParameters')
      throw bad('_autoBracket', v, `has an unknown key ${JSON.stringify(k)}`);
  const n = intRange('_autoBracket._bracketNumber', a['_bracketNumber'], 2, MAX_BRACKET);
  const params = a['_bracketParameters'];
  if (!Array.isArray(params) || params.length !== n)
    throw bad('_autoBracket._bracketParameters', params, `must list ${n} exposures`);
  return params.map((p: unknown, i) => {
    const name = `_autoBracket._bracketParameters[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p))
      throw bad(name, p, 'must be an object {iso, shutterSpeed, _colorTemperature}');
    const e = p as Record<string, unknown>;
    const keys = Object.keys(e).sort().join(',');
    if (keys !== '_colorTemperature,iso,shutterSpeed')
      throw bad(name, p, 'must give exactly iso, shutterSpeed and _colorTemperature');
    const colorTemperature = intRange(`${name}._colorTemperature`, e['_colorTemperature'], 2500, 10000);
    if (colorTemperature % 100 !== 0)
      throw bad(`${name}._colorTemperature`, colorTemperature, 'must be a multiple of 100');
    return {
      iso: oneOf(`${name}.iso`, e['iso'], ISO_MANUAL),
      shutterSpeed: oneOf(`${name}.shutterSpeed`, e['shutterSpeed'], SHUTTER_MANUAL),
      colorTemperature,
    };
  });
}
const WLAN_CHANNELS = [0, 1, 6, 11];

function stepped(name: string, value: unknown, min: number, max: number, step: number): number {
  const n = intRange(name, value, min, max);
  if (n % step !== 0) throw bad(name, value, `must be a multiple of ${step}`);
  return n;
}

function minInterval(o: OptionValues): number {
  return o.imageFormat.width === 2048 ? 5 : 8;
}

/** `YYYY:MM:DD hh:mm:ss±hh:mm` of the camera's local time. */
export function formatDateTimeZone(epochMs: number, offsetMinutes: number): string {
  const d = new Date(epochMs + offsetMinutes * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${d.getUTCFullYear()}:${p(d.getUTCMonth() + 1)}:${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
}

const DTZ = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;

/** Parses `dateTimeZone` into epoch ms and the UTC offset in minutes. */
export function parseDateTimeZone(value: unknown): { epochMs: number; offsetMinutes: number } {
  const m = typeof value === 'string' ? DTZ.exec(value) : null;
  if (!m) throw bad('dateTimeZone', value, 'must be "YYYY:MM:DD hh:mm:ss+hh:mm"');
  const [, y, mo, d, h, mi, s, sign, oh, om] = m.map((x, i) => (i === 7 ? x : Number(x))) as [
    unknown,
    number,
    number,
    number,
    number,
    number,
    number,
    string,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || oh > 14 || om > 59)
    throw bad('dateTimeZone', value, 'is not a valid date');
  const offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  const epochMs = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000;
  return { epochMs, offsetMinutes };
}

type Getter = (o: OptionValues, c: OptionContext) => unknown;
type Setter = (o: OptionValues, v: unknown, c: OptionContext) => void;

interface OptionDef {
  get: Getter;
  set?: Setter;
  support?: Getter;
  /** Refused while shooting. */
  shooting?: boolean;
  /** Firmware feature the option came with (firmware.ts); older firmware does not know it. */
  since?: keyof typeof SINCE;
}

const CAPTURE_MODES = ['image', 'video'] as const;

const DEFS: Record<string, OptionDef> = {
  captureMode: {
    get: (o) => o.captureMode,
    support: () => [...CAPTURE_MODES],
    shooting: true,
    set: (o, v) => void (o.captureMode = oneOf('captureMode', v, CAPTURE_MODES)),
  },
  exposureProgram: {
    get: (o) => o.exposureProgram,
    support: () => EXPOSURE_PROGRAM_SUPPORT,
    shooting: true,
    set: (o, v) => void (o.exposureProgram = oneOf('exposureProgram', v, EXPOSURE_PROGRAM_SUPPORT)),
  },
  iso: {
    get: (o) => o.iso,
    support: (o) => isoSupport(o),
    shooting: true,
    set: (o, v) => void (o.iso = oneOf('iso', v, isoSupport(o))),
  },
  shutterSpeed: {
    get: (o) => o.shutterSpeed,
    support: (o) => shutterSupport(o),
    shooting: true,
    set: (o, v) => void (o.shutterSpeed = oneOf('shutterSpeed', v, shutterSupport(o))),
  },
  aperture: {
    get: () => 2.0,
    support: () => [2.0],
    set: (_o, v) => void oneOf('aperture', v, [2.0]),
  },
  exposureCompensation: {
    get: (o) => o.exposureCompensation,
    support: (o) => evSupport(o),
    shooting: true,
    set: (o, v) => void (o.exposureCompensation = oneOf('exposureCompensation', v, evSupport(o))),
  },
  whiteBalance: {
    get: (o) => o.whiteBalance,
    support: (_o, c) => wbSupport(c),
    shooting: true,
    set: (o, v, c) => void (o.whiteBalance = oneOf('whiteBalance', v, wbSupport(c))),
  },
  _colorTemperature: {
    since: 'mySettings',
    get: (o) => o.colorTemperature,
    support: () => ({ maxTemperature: 10000, minTemperature: 2500, stepSize: 100 }),
    shooting: true,
    set: (o, v) => {
      const t = intRange('_colorTemperature', v, 2500, 10000);
      if (t % 100 !== 0) throw bad('_colorTemperature', v, 'must be a multiple of 100');
      o.colorTemperature = t;
    },
  },
  fileFormat: {
    get: (o) => ({ ...(o.captureMode === 'image' ? o.imageFormat : o.videoFormat) }),
    // The supported values follow the shooting mode: jpeg sizes in image mode, mp4 in video mode
    // (theta-web-api-v2.1/options/file_format.md; getting_started.md shows an S's image-mode reply).
    support: (o) => (o.captureMode === 'image' ? IMAGE_FORMATS : VIDEO_FORMATS).map((f) => ({ ...f })),
    shooting: true,
    set: (o, v) => {
      if (typeof v !== 'object' || v === null) throw bad('fileFormat', v, 'must be an object {type, width, height}');
      const f = v as Record<string, unknown>;
      const all = o.captureMode === 'image' ? IMAGE_FORMATS : VIDEO_FORMATS;
      const hit = all.find((a) => a.type === f['type'] && a.width === f['width'] && a.height === f['height']);
      if (!hit) {
        // A format of the other mode is refused rather than silently switching mode (the S does so).
        throw bad('fileFormat', v, `is not supported in ${o.captureMode} mode: ${JSON.stringify(all)}`);
      }
      if (hit.type === 'jpeg') o.imageFormat = { ...hit };
      else o.videoFormat = { ...(hit as VideoFormat) };
    },
  },
  exposureDelay: {
    since: 'selfTimer',
    // Kept for image mode; video mode has no self-timer.
    get: (o) => (o.captureMode === 'image' ? o.exposureDelay : 0),
    support: (o) => delaySupport(o),
    shooting: true,
    set: (o, v) => {
      o.exposureDelay = oneOf('exposureDelay', intRange('exposureDelay', v, 0, 10), delaySupport(o));
      if (o.exposureDelay > 0) o.latestEnabledExposureDelay = o.exposureDelay;
    },
  },
  _latestEnabledExposureDelayTime: { since: 'selfTimer', get: (o) => o.latestEnabledExposureDelay },
  // _auto_bracket.md (S firmware 01.82 and later): 2 to 13 shots, each with iso, shutterSpeed and
  // _colorTemperature, all given; only _bracketNumber has a support value.
  _autoBracket: {
    since: 'mySettings',
    get: (o) => ({
      _bracketNumber: o.autoBracket.length,
      _bracketParameters: o.autoBracket.map((b) => ({
        shutterSpeed: b.shutterSpeed,
        iso: b.iso,
        _colorTemperature: b.colorTemperature,
      })),
    }),
    support: () => ({ _bracketNumber: MAX_BRACKET }),
    shooting: true,
    set: (o, v) => void (o.autoBracket = parseAutoBracket(v)),
  },
  _HDMIreso: {
    get: (o) => o.hdmiReso,
    support: () => HDMI_RESO,
    set: (o, v) => void (o.hdmiReso = oneOf('_HDMIreso', v, HDMI_RESO)),
  },
  // No _wlanChannelSupport, clientVersionSupport, gpsInfoSupport or dateTimeZoneSupport: the
  // options tables (theta-web-api-v2.0/options.md, v2.1/options.md) give them no support value.
  _wlanChannel: {
    get: (o) => o.wlanChannel,
    set: (o, v) => void (o.wlanChannel = oneOf('_wlanChannel', v, WLAN_CHANNELS)),
  },
  _compositeShootingTime: {
    since: 'mySettings',
    get: (o) => o.compositeShootingTime,
    support: () => ({ maxTime: 86400, minTime: 600, stepSize: 600 }),
    shooting: true,
    set: (o, v) => void (o.compositeShootingTime = stepped('_compositeShootingTime', v, 600, 86400, 600)),
  },
  _compositeShootingOutputInterval: {
    since: 'mySettings',
    get: (o) => o.compositeShootingOutputInterval,
    support: () => ({ maxInterval: 600, minInterval: 0, stepSize: 60 }),
    shooting: true,
    set: (o, v) =>
      void (o.compositeShootingOutputInterval =
        v === 0 ? 0 : stepped('_compositeShootingOutputInterval', v, 60, 600, 60)),
  },
  offDelay: {
    get: (o) => o.offDelay,
    support: () => ({ minOffDelay: 30, maxOffDelay: 1800 }),
    set: (o, v) => void (o.offDelay = intRange('offDelay', v, 30, 1800, [NEVER])),
  },
  sleepDelay: {
    get: (o) => o.sleepDelay,
    support: () => ({ minSleepDelay: 30, maxSleepDelay: 1800 }),
    set: (o, v) => void (o.sleepDelay = intRange('sleepDelay', v, 30, 1800, [NEVER])),
  },
  // v2.0 calls these two _captureInterval / _captureNumber (theta-web-api-v2.1/options.md).
  captureInterval: {
    get: (o) => o.captureInterval,
    support: (o) => ({ minInterval: minInterval(o), maxInterval: 3600 }),
    shooting: true,
    set: (o, v) => void (o.captureInterval = intRange('captureInterval', v, minInterval(o), 3600)),
  },
  captureNumber: {
    get: (o) => o.captureNumber,
    support: () => ({ minNumber: 2, maxNumber: 9999 }),
    shooting: true,
    set: (o, v) => void (o.captureNumber = intRange('captureNumber', v, 2, 9999, [0])),
  },
  _filter: {
    get: (o) => o.filter,
    support: () => FILTER_SUPPORT,
    shooting: true,
    set: (o, v) => void (o.filter = oneOf('_filter', v, FILTER_SUPPORT)),
  },
  _shutterVolume: {
    get: (o) => o.shutterVolume,
    support: () => ({ minShutterVolume: 0, maxShutterVolume: 100 }),
    set: (o, v) => void (o.shutterVolume = intRange('_shutterVolume', v, 0, 100)),
  },
  gpsInfo: {
    get: (o) => ({ ...o.gpsInfo }),
    set: (o, v) => {
      if (typeof v !== 'object' || v === null) throw bad('gpsInfo', v, 'must be an object {lat, lng, ...}');
      const g = v as Record<string, unknown>;
      const lat = g['lat'];
      const lng = g['lng'];
      if (typeof lat !== 'number' || typeof lng !== 'number') throw bad('gpsInfo', v, 'needs numeric lat and lng');
      // 65535 for both means "no position" (gps_info.md).
      const none = lat === 65535 && lng === 65535;
      if (!none && (lat < -90 || lat > 90 || lng < -180 || lng > 180))
        throw bad('gpsInfo', v, 'has lat/lng out of range');
      const out: GpsInfo = { lat, lng };
      if (typeof g['_altitude'] === 'number') out._altitude = g['_altitude'];
      if (typeof g['_dateTimeZone'] === 'string') out._dateTimeZone = g['_dateTimeZone'];
      if (typeof g['_datum'] === 'string') out._datum = g['_datum'];
      o.gpsInfo = out;
    },
  },
  dateTimeZone: {
    get: (o, c) => formatDateTimeZone(c.nowMs, o.utcOffsetMinutes),
    set: (o, v, c) => {
      const { epochMs, offsetMinutes } = parseDateTimeZone(v);
      o.clockSkewMs += epochMs - c.nowMs;
      o.utcOffsetMinutes = offsetMinutes;
    },
  },
  // v2.1's option; the S streams this format at every API level.
  previewFormat: {
    get: () => ({ ...PREVIEW_FORMAT }),
    support: () => [{ ...PREVIEW_FORMAT }],
    set: (_o, v) => {
      const f = (v ?? {}) as Record<string, unknown>;
      if (f['width'] !== 640 || f['height'] !== 320 || f['framerate'] !== 10)
        throw bad('previewFormat', v, `is not ${JSON.stringify([PREVIEW_FORMAT])}`);
    },
  },
  remainingPictures: { get: (_o, c) => c.remainingPictures },
  // `_remainingVideos` in v2.0.
  remainingVideoSeconds: { get: (_o, c) => c.remainingVideoSeconds },
  remainingSpace: { get: (_o, c) => c.remainingSpace },
  totalSpace: { get: (_o, c) => c.totalSpace },
};

function lookup(name: string, c: Pick<OptionContext, 'firmware'>): { def: OptionDef; support: boolean } {
  const known = (d: OptionDef | undefined): d is OptionDef =>
    !!d && (!d.since || c.firmware === undefined || hasFeature(c.firmware, d.since));
  let def = DEFS[name];
  if (known(def)) return { def, support: false };
  if (name.endsWith('Support')) {
    def = DEFS[name.slice(0, -'Support'.length)];
    if (known(def) && def.support) return { def, support: true };
  }
  throw new ThetaDeviceError('unknown-setting', `unknown option ${JSON.stringify(name)}`);
}

/** Names of every option (not the `…Support` ones), in the camera's own vocabulary. */
export function optionNames(): string[] {
  return Object.keys(DEFS);
}

/** Values of the named options (or their `…Support` values). Unknown name → `unknown-setting`. */
export function readOptions(o: OptionValues, names: string[], c: OptionContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const { def, support } = lookup(name, c);
    out[name] = support ? def.support!(o, c) : def.get(o, c);
  }
  return out;
}

/**
 * Validates all, then applies all (a refused option leaves every value unchanged, as the camera
 * answers one error for the whole command). Returns the new values.
 */
export function writeOptions(o: OptionValues, changes: Record<string, unknown>, c: OptionContext): OptionValues {
  const next: OptionValues = structuredClone(o);
  // captureMode and exposureProgram first: fileFormat, exposureDelay, iso, shutterSpeed and
  // exposureCompensation in the same request are checked against the new mode and program.
  const first = (n: string) => (n === 'captureMode' ? 0 : n === 'exposureProgram' ? 1 : 2);
  const names = Object.keys(changes).sort((a, b) => first(a) - first(b));
  for (const name of names) {
    const { def, support } = lookup(name, c);
    if (support || !def.set)
      throw new ThetaDeviceError('read-only-setting', `option ${JSON.stringify(name)} cannot be set`);
    if (def.shooting && c.busy) throw new ThetaDeviceError('busy', `${name} cannot be changed while shooting`);
    def.set(next, changes[name], c);
  }
  if (next.captureInterval < minInterval(next)) next.captureInterval = minInterval(next);
  // A new program keeps the exposure values it allows and moves the others to the nearest it does.
  if (!isoSupport(next).includes(next.iso)) next.iso = nearest(next.iso, isoSupport(next));
  if (!shutterSupport(next).some((s) => Math.abs(s - next.shutterSpeed) < 1e-6))
    next.shutterSpeed = nearest(next.shutterSpeed, shutterSupport(next));
  if (!evSupport(next).some((e) => Math.abs(e - next.exposureCompensation) < 1e-6))
    next.exposureCompensation = nearest(next.exposureCompensation, evSupport(next));
  return next;
}

/**
 * Options of My Settings on the S — the still-image settings the camera starts with
 * (theta-web-api-v2.0/options.md, "My Settings" column; camera._setMySetting / _getMySetting).
 */
export const MY_SETTING_OPTIONS = [
  'exposureProgram',
  'iso',
  'shutterSpeed',
  'exposureCompensation',
  'whiteBalance',
  '_colorTemperature',
  '_filter',
  'fileFormat',
] as const;

/** The part of {@link OptionValues} My Settings hold. */
export type MySettings = Pick<
  OptionValues,
  | 'exposureProgram'
  | 'iso'
  | 'shutterSpeed'
  | 'exposureCompensation'
  | 'whiteBalance'
  | 'colorTemperature'
  | 'filter'
  | 'imageFormat'
>;

export function defaultMySettings(): MySettings {
  return pickMySettings(defaultOptions());
}

export function pickMySettings(o: OptionValues): MySettings {
  return {
    exposureProgram: o.exposureProgram,
    iso: o.iso,
    shutterSpeed: o.shutterSpeed,
    exposureCompensation: o.exposureCompensation,
    whiteBalance: o.whiteBalance,
    colorTemperature: o.colorTemperature,
    filter: o.filter,
    imageFormat: { ...o.imageFormat },
  };
}

function checkMySettingNames(names: string[]): void {
  for (const n of names) {
    if (!(MY_SETTING_OPTIONS as readonly string[]).includes(n))
      throw new ThetaDeviceError(
        'unknown-setting',
        `${JSON.stringify(n)} is not a My Settings option (${MY_SETTING_OPTIONS.join(', ')})`,
      );
  }
}

/** camera._getMySetting: the named My Settings values (still-image mode). */
export function readMySettings(my: MySettings, names: string[], c: OptionContext): Record<string, unknown> {
  checkMySettingNames(names);
  return readOptions({ ...defaultOptions(), ...my, captureMode: 'image' }, names, c);
}

/** camera._setMySetting: validated as setOptions in still-image mode, all or nothing. */
export function writeMySettings(my: MySettings, changes: Record<string, unknown>, c: OptionContext): MySettings {
  checkMySettingNames(Object.keys(changes));
  return pickMySettings(
    writeOptions({ ...defaultOptions(), ...my, captureMode: 'image' }, changes, { ...c, busy: false }),
  );
}

/** My Settings read back from disk, checked as `_setMySetting` would check them; defaults if odd. */
export function mySettingsFromSaved(saved: unknown): MySettings {
  if (typeof saved !== 'object' || saved === null) return defaultMySettings();
  const m = saved as Partial<MySettings>;
  const ctx: OptionContext = {
    remainingPictures: 0,
    remainingSpace: 0,
    totalSpace: 0,
    remainingVideoSeconds: 0,
    nowMs: 0,
    busy: false,
  };
  try {
    return writeMySettings(
      defaultMySettings(),
      {
        exposureProgram: m.exposureProgram,
        iso: m.iso,
        shutterSpeed: m.shutterSpeed,
        exposureCompensation: m.exposureCompensation,
        whiteBalance: m.whiteBalance,
        _colorTemperature: m.colorTemperature,
        _filter: m.filter,
        fileFormat: m.imageFormat,
      },
      ctx,
    );
  } catch {
    return defaultMySettings();
  }
}

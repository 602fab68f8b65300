/**
 * The emulated THETA S's device properties over PTP: the 29 its DeviceInfo lists, in its order
 * (34 from firmware 01.82, which adds the composite, bracket and colour-temperature ones),
 * each with the type, access, factory default and form of RICOH's THETA USB API reference for the
 * S (ricohapi/theta-api-specs, theta-usb-api/property/*.md), and each a view of the
 * {@link ThetaDevice}'s OSC options where one corresponds — a value set over PTP changes the
 * option, an option set over OSC changes the value.
 *
 * A property that is set is turned into OSC option changes ({@link ThetaPtpProp.toOptions}), so the
 * device validates it as setOptions would, and a reset of every property
 * (ResetDevicePropValue 0xFFFFFFFF) is one setOptions: all or nothing.
 *
 * @example
 * const props = thetaPtpProps(device, face);
 * props.get(0x500e)?.current(); // 2 (normal program)
 */
import type { ThetaDevice } from '../../devices/theta/device.js';
import { PtpDeviceError } from '../../ptp/backend.js';
import { DataType, Prop, Resp } from '../../ptp/codes.js';
import { formatPtpDate, parsePtpDate, type PropForm, type PtpScalar, type PtpValue } from '../../ptp/codec.js';
import { defaultOptions, type BracketShot } from '../../devices/theta/options.js';
import { RicohCaptureMode, RicohProp, decodeShutterSpeed, encodeShutterSpeed } from '../../ptp/vendors/ricoh.js';

export type StillMode = (typeof RicohCaptureMode)[keyof typeof RicohCaptureMode];

export interface ThetaPtpProp {
  dataType: number;
  /** 0 read-only, 1 read/write. */
  getSet: 0 | 1;
  /**
   * The factory default. `factory` asks for it as in the camera's factory state (single shot at
   * 5376×2688) rather than for the current mode, for a reset of every property.
   */
  factoryDefault(factory?: boolean): PtpValue;
  current(): PtpValue;
  form(): PropForm;
  /** The OSC option changes that give the property value `v` (the device validates them). */
  toOptions?(v: PtpValue): Record<string, unknown>;
  /** State this face keeps itself, applied once the option changes are accepted. */
  apply?(v: PtpValue): void;
  /** Left alone by a reset of every property (the clock is no setting to reset). */
  keepOnResetAll?: boolean;
}

/** What the properties need from the PTP face besides the device. */
export interface ThetaPtpFaceState {
  /** StillCaptureMode as the face sees it (video is the device's captureMode). */
  currentStillMode(): StillMode;
  setStillMode(mode: StillMode): void;
}

/** OSC's "never" for offDelay/sleepDelay. */
const OSC_NEVER = 65535;
const STILL_SIZES = ['5376x2688', '2048x1024'] as const;
/**
 * RICOH's image_size.md names the S's video sizes 1920x960 and 1280x720; the OSC options call the
 * same two formats 1920×1080 and 1280×720 (file_format.md).
 */
const VIDEO_SIZES: Readonly<Record<string, { width: number; height: number }>> = {
  '1920x960': { width: 1920, height: 1080 },
  '1280x720': { width: 1280, height: 720 },
};
const ISO_AUTO = 0xffff;
/** ExposureProgramMode: OSC's 9 (ISO priority) is 0x8003 over USB (exposure_program_mode.md). */
const PROGRAM_TO_PTP: Readonly<Record<number, number>> = { 1: 1, 2: 2, 4: 4, 9: 0x8003 };
/** WhiteBalance (white_balance.md) ↔ OSC whiteBalance (theta-web-api-v2.0/options/white_balance.md). */
const WHITE_BALANCE: ReadonlyArray<readonly [number, string]> = [
  [0x0002, 'auto'],
  [0x0004, 'daylight'],
  [0x8001, 'shade'],
  [0x8002, 'cloudy-daylight'],
  [0x0006, 'incandescent'],
  [0x8020, '_warmWhiteFluorescent'],
  [0x8003, '_dayLightFluorescent'],
  [0x8004, '_dayWhiteFluorescent'],
  [0x8005, 'fluorescent'],
  [0x8006, '_bulbFluorescent'],
  [0x8007, '_colorTemperature'],
];
/** Filter (filter.md) ↔ OSC _filter, by index: off, DR compensation, noise reduction, HDR. */
const FILTERS = ['off', 'DR Comp', 'Noise Reduction', 'hdr'] as const;
const CHANNELS = [0, 1, 6, 11];
/** CaptureStatus values (capture_status.md). */
const CAPTURE_STATUS = { idle: 0, shooting: 1, 'self-timer countdown': 2, 'bracket shooting': 3 } as const;
/** BatteryStatus (battery_status.md): not charging, charging, fully charged. */
const BATTERY_STATUS = { disconnect: 0, charging: 1, charged: 2 } as const;
/** The S records at most 25 minutes a clip (recording_time.md, remaining_recording_time.md). */
const MAX_RECORDING_S = 1500;

/** A shutter speed in seconds as the rational RICOH lists it: 1/6400 … 1/3, 10/25, 1/2, 10/16, 10/13, 1, 13/10 … 60. */
export function shutterRational(seconds: number): bigint {
  if (seconds === 0) return 0n;
  if (seconds >= 1)
    return Number.isInteger(seconds)
      ? encodeShutterSpeed(seconds, 1)
      : encodeShutterSpeed(Math.round(seconds * 10), 10);
  const per = 1 / seconds;
  return Math.abs(per - Math.round(per)) < 0.02
    ? encodeShutterSpeed(1, Math.round(per))
    : encodeShutterSpeed(10, Math.round(per * 10));
}

function decodeShutter(v: bigint): { numerator: number; denominator: number } {
  const r = decodeShutterSpeed(v);
  return r === 'auto' ? { numerator: 0, denominator: 0 } : r;
}

function invalid(message: string): PtpDeviceError {
  return new PtpDeviceError(Resp.InvalidDevicePropValue, message);
}

/** `35.681236,139.767125 12.50m@20250904T103045 +0900,WGS84` (gps_info.md) ↔ OSC gpsInfo. */
const GPS =
  /^(-?\d{1,2}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?) ([+-]?\d+(?:\.\d+)?)m@(\d{8}T\d{6})(?:\.\d+)? ?(Z|[+-]\d{4}),(WGS84)$/;

function gpsToPtp(g: Record<string, unknown>, nowMs: number): string {
  const lat = g['lat'];
  const lng = g['lng'];
  if (typeof lat !== 'number' || typeof lng !== 'number' || (lat === 65535 && lng === 65535)) return '';
  const alt = typeof g['_altitude'] === 'number' ? g['_altitude'] : 0;
  // OSC's `YYYY:MM:DD hh:mm:ss+hh:mm`; the USB form drops the separators.
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})([+-]\d{2}):(\d{2})$/.exec(
    String(g['_dateTimeZone'] ?? ''),
  );
  // A position given without a time is stamped with the camera's clock, in UTC.
  const when = m ? `${m[1]}${m[2]}${m[3]}T${m[4]}${m[5]}${m[6]} ${m[7]}${m[8]}` : `${formatPtpDate(nowMs)} Z`;
  return `${lat.toFixed(6)},${lng.toFixed(6)} ${alt.toFixed(2)}m@${when},${String(g['_datum'] ?? 'WGS84')}`;
}

function gpsFromPtp(text: string): Record<string, unknown> {
  if (text === '') return { lat: 65535, lng: 65535 };
  const m = GPS.exec(text);
  if (!m) throw invalid('GpsInfo must be "lat,lng altm@YYYYMMDDThhmmss ±hhmm,WGS84" (or empty to clear)');
  const [, lat, lng, alt, when, zone] = m as unknown as [string, string, string, string, string, string];
  const tz = zone === 'Z' ? '+00:00' : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const dateTimeZone = `${when.slice(0, 4)}:${when.slice(4, 6)}:${when.slice(6, 8)} ${when.slice(9, 11)}:${when.slice(11, 13)}:${when.slice(13, 15)}${tz}`;
  return { lat: Number(lat), lng: Number(lng), _altitude: Number(alt), _dateTimeZone: dateTimeZone, _datum: 'WGS84' };
}

/** Minutes east of UTC in a `±hhmm` / `±hh:mm` suffix, 0 when there is none. */
function zoneMinutes(text: string, withColon: boolean): number {
  const zone = (withColon ? /([+-])(\d{2}):(\d{2})$/ : /([+-])(\d{2})(\d{2})$/).exec(text);
  return zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
}

/** The properties, keyed by code, in the order the S's DeviceInfo lists them. */
export function thetaPtpProps(d: ThetaDevice, face: ThetaPtpFaceState): Map<number, ThetaPtpProp> {
  // The v2.0 names, whatever API level the OSC face is at.
  const option = <T>(name: string): T => d.getOptions([name])[name] as T;
  const still = (): boolean => d.captureMode === 'image';
  /** Passphrase of the direct-mode Wi-Fi: the S ships with the digits of its serial number (passphrase.md). */
  let passphrase = d.serialNumber;
  /** SleepMode (sleep_mode.md): 0 sleep mode disabled, 1 enabled; no OSC option of the S matches it. */
  let sleepMode = 0;

  const ro = (
    dataType: number,
    dflt: PtpValue,
    current: () => PtpValue,
    form: () => PropForm = () => ({ kind: 'none' }),
  ): ThetaPtpProp => ({
    dataType,
    getSet: 0,
    factoryDefault: () => dflt,
    current,
    form,
  });
  const rw = (
    dataType: number,
    dflt: ThetaPtpProp['factoryDefault'],
    current: () => PtpValue,
    form: () => PropForm,
    set: Pick<ThetaPtpProp, 'toOptions' | 'apply'>,
  ): ThetaPtpProp => ({
    dataType,
    getSet: 1,
    factoryDefault: dflt,
    current,
    form,
    ...set,
  });
  const range = (min: number, max: number, step: number) => (): PropForm => ({ kind: 'range', min, max, step });
  const oneOf = (values: () => PtpValue[]) => (): PropForm => ({ kind: 'enum', values: values() });

  const m = new Map<number, ThetaPtpProp>();
  // The S reports its level in steps (0, 33, 67, 100), as the OSC batteryLevel.
  m.set(
    Prop.BatteryLevel,
    ro(DataType.UINT8, 100, () => Math.round(d.battery.level * 100), range(0, 100, 1)),
  );
  m.set(
    Prop.FunctionalMode,
    ro(
      DataType.UINT16,
      0,
      () => 0,
      oneOf(() => [0x0000, 0x8001]),
    ),
  );
  m.set(
    Prop.ImageSize,
    rw(
      DataType.STR,
      (factory) => (factory || still() ? STILL_SIZES[0] : '1920x960'),
      () => {
        const f = option<{ width: number; height: number }>('fileFormat');
        if (still()) return `${f.width}x${f.height}`;
        return (
          Object.entries(VIDEO_SIZES).find(([, v]) => v.width === f.width && v.height === f.height)?.[0] ??
          `${f.width}x${f.height}`
        );
      },
      oneOf(() => (still() ? [...STILL_SIZES] : Object.keys(VIDEO_SIZES))),
      {
        toOptions: (v) => {
          const video = VIDEO_SIZES[String(v)];
          if (video) return { fileFormat: { type: 'mp4', ...video } };
          const [width, height] = String(v).split('x').map(Number);
          return { fileFormat: { type: 'jpeg', width, height } };
        },
      },
    ),
  );
  m.set(Prop.DateTime, {
    ...rw(
      DataType.STR,
      () => '20150101T000000+0000',
      () => {
        const minutes = zoneMinutes(option<string>('dateTimeZone'), true);
        return formatPtpDate(d.cameraNow(), minutes).replace(/Z$/, '+0000');
      },
      () => ({ kind: 'none' }),
      {
        toOptions: (v) => {
          const text = String(v);
          const ms = parsePtpDate(text);
          if (ms === undefined) throw invalid('DateTime must be YYYYMMDDThhmmss±hhmm');
          const minutes = zoneMinutes(text, false);
          const local = new Date(ms + minutes * 60_000);
          const p = (n: number): string => String(n).padStart(2, '0');
          const a = Math.abs(minutes);
          return {
            dateTimeZone: `${local.getUTCFullYear()}:${p(local.getUTCMonth() + 1)}:${p(local.getUTCDate())} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}${minutes < 0 ? '-' : '+'}${p(Math.floor(a / 60))}:${p(a % 60)}`,
          };
        },
      },
    ),
    keepOnResetAll: true,
  });
  m.set(
    Prop.CaptureDelay,
    rw(
      DataType.UINT32,
      () => 0,
      () => option<number>('exposureDelay') * 1000,
      range(0, 10_000, 1000),
      {
        toOptions: (v) => ({ exposureDelay: Number(v) / 1000 }),
      },
    ),
  );
  m.set(
    RicohProp.PerceivedDeviceType,
    ro(DataType.UINT32, 1, () => 1),
  );
  m.set(
    Prop.WhiteBalance,
    rw(
      DataType.UINT16,
      () => 0x0002,
      () => WHITE_BALANCE.find(([, osc]) => osc === option<string>('whiteBalance'))?.[0] ?? 0x0002,
      // The S's own list: colour temperature (0x8007) from firmware 01.82 (white_balance.md).
      oneOf(() => {
        const supported = option<string[]>('whiteBalanceSupport');
        return WHITE_BALANCE.filter(([, osc]) => supported.includes(osc)).map(([code]) => code);
      }),
      {
        toOptions: (v) => ({ whiteBalance: WHITE_BALANCE.find(([code]) => code === Number(v))?.[1] }),
      },
    ),
  );
  m.set(
    Prop.ExposureProgramMode,
    rw(
      DataType.UINT16,
      () => 2,
      () => PROGRAM_TO_PTP[option<number>('exposureProgram')] ?? 2,
      oneOf(() => option<number[]>('exposureProgramSupport').map((p) => PROGRAM_TO_PTP[p] ?? p)),
      {
        toOptions: (v) => ({
          exposureProgram: Number(Object.entries(PROGRAM_TO_PTP).find(([, ptp]) => ptp === Number(v))?.[0]),
        }),
      },
    ),
  );
  // ISO, exposure compensation and shutter speed offer what the exposure program lets the user
  // choose (exposure_index.md, exposure_bias_compensation.md, shutter_speed.md), as OSC's …Support.
  m.set(
    Prop.ExposureIndex,
    rw(
      DataType.UINT16,
      () => ISO_AUTO,
      () => option<number>('iso') || ISO_AUTO,
      oneOf(() => option<number[]>('isoSupport').map((iso) => iso || ISO_AUTO)),
      {
        toOptions: (v) => ({ iso: Number(v) === ISO_AUTO ? 0 : Number(v) }),
      },
    ),
  );
  m.set(
    Prop.ExposureBiasCompensation,
    rw(
      DataType.INT16,
      () => 0,
      () => Math.round(option<number>('exposureCompensation') * 1000),
      oneOf(() => option<number[]>('exposureCompensationSupport').map((ev) => Math.round(ev * 1000))),
      {
        toOptions: (v) => ({ exposureCompensation: Number(v) / 1000 }),
      },
    ),
  );
  m.set(
    Prop.StillCaptureMode,
    rw(
      DataType.UINT16,
      () => RicohCaptureMode.Single,
      () => face.currentStillMode(),
      // Interval composite and multi bracket came with firmware 01.82 (still_capture_mode.md).
      oneOf(() => [
        RicohCaptureMode.Single,
        RicohCaptureMode.Interval,
        RicohCaptureMode.Video,
        ...(d.has('mySettings') ? [RicohCaptureMode.Composite, RicohCaptureMode.MultiBracket] : []),
      ]),
      {
        toOptions: (v) => {
          if (d.capturing) throw new PtpDeviceError(Resp.DeviceBusy, 'a capture is running');
          const want = Number(v) === RicohCaptureMode.Video ? 'video' : 'image';
          return d.captureMode === want ? {} : { captureMode: want };
        },
        apply: (v) => {
          if (Number(v) !== RicohCaptureMode.Video) face.setStillMode(Number(v) as StillMode);
        },
      },
    ),
  );
  m.set(
    Prop.TimelapseNumber,
    rw(
      DataType.UINT16,
      () => 0,
      () => option<number>('captureNumber'),
      range(0, 9999, 1),
      {
        toOptions: (v) => ({ captureNumber: Number(v) }),
      },
    ),
  );
  // The shortest interval, and the default, follow the image size: 8 s at 5376×2688, 5 s at
  // 2048×1024 (timelapse_interval.md).
  const minIntervalMs = (): number => option<{ minInterval: number }>('captureIntervalSupport').minInterval * 1000;
  m.set(
    Prop.TimelapseInterval,
    rw(
      DataType.UINT32,
      (factory) => (factory ? 8000 : minIntervalMs()),
      () => option<number>('captureInterval') * 1000,
      () => ({
        kind: 'range',
        min: minIntervalMs(),
        max: 3_600_000,
        step: 1000,
      }),
      {
        toOptions: (v) => ({ captureInterval: Number(v) / 1000 }),
      },
    ),
  );
  m.set(
    RicohProp.AudioVolume,
    rw(
      DataType.UINT32,
      () => 100,
      () => option<number>('_shutterVolume'),
      range(0, 100, 1),
      {
        toOptions: (v) => ({ _shutterVolume: Number(v) }),
      },
    ),
  );
  // error_info.md's bits the S can show here: 0x00000001 insufficient memory, as OSC's
  // _cameraError NO_MEMORY (no room for another picture).
  m.set(
    RicohProp.ErrorInfo,
    ro(DataType.UINT32, 0, () => (d.snapshot().cameraError.includes('NO_MEMORY') ? 0x00000001 : 0)),
  );
  m.set(
    RicohProp.ShutterSpeed,
    rw(
      DataType.UINT64,
      () => 0n,
      () => shutterRational(option<number>('shutterSpeed')),
      oneOf(() => option<number[]>('shutterSpeedSupport').map(shutterRational)),
      {
        // numerator / denominator seconds; the device matches it to its list (1/60 is its 0.01666666).
        toOptions: (v) => {
          const { numerator, denominator } = decodeShutter(BigInt(v as bigint));
          return { shutterSpeed: denominator === 0 ? 0 : numerator / denominator };
        },
      },
    ),
  );
  m.set(
    RicohProp.GpsInfo,
    rw(
      DataType.STR,
      () => '',
      () => gpsToPtp(option<Record<string, unknown>>('gpsInfo'), d.cameraNow()),
      () => ({ kind: 'none' }),
      {
        toOptions: (v) => ({ gpsInfo: gpsFromPtp(String(v)) }),
      },
    ),
  );
  // AutoPowerOffDelay is in minutes, 0 = off; OSC's offDelay is in seconds, 65535 = never.
  m.set(
    RicohProp.AutoPowerOffDelay,
    rw(
      DataType.UINT8,
      () => 10,
      () => {
        const s = option<number>('offDelay');
        return s === OSC_NEVER ? 0 : Math.round(s / 60);
      },
      range(0, 30, 1),
      {
        toOptions: (v) => ({ offDelay: Number(v) === 0 ? OSC_NEVER : Number(v) * 60 }),
      },
    ),
  );
  // SleepDelay is in seconds, 0 = off; 1–59 are taken as 60 (sleep_delay.md).
  m.set(
    RicohProp.SleepDelay,
    rw(
      DataType.UINT16,
      () => 300,
      () => {
        const s = option<number>('sleepDelay');
        return s === OSC_NEVER ? 0 : s;
      },
      range(0, 1800, 1),
      {
        toOptions: (v) => ({ sleepDelay: Number(v) === 0 ? OSC_NEVER : Math.max(60, Number(v)) }),
      },
    ),
  );
  m.set(
    RicohProp.Ssid,
    ro(DataType.STR, `THETAXS${d.serialNumber}.OSC`, () => `THETAXS${d.serialNumber}.OSC`),
  );
  m.set(
    RicohProp.Passphrase,
    rw(
      DataType.STR,
      () => d.serialNumber,
      () => passphrase,
      () => ({ kind: 'none' }),
      {
        apply: (v) => {
          const text = String(v);
          if (!/^[\x20-\x7e]{8,63}$/.test(text)) throw invalid('Passphrase must be 8 to 63 printable ASCII characters');
          passphrase = text;
        },
      },
    ),
  );
  m.set(
    RicohProp.ChannelNumber,
    rw(
      DataType.UINT16,
      () => 0,
      () => option<number>('_wlanChannel'),
      oneOf(() => CHANNELS),
      {
        toOptions: (v) => ({ _wlanChannel: Number(v) }),
      },
    ),
  );
  m.set(
    RicohProp.CaptureStatus,
    ro(
      DataType.UINT8,
      0x02,
      () => CAPTURE_STATUS[d.snapshot().captureStatus],
      oneOf(() => [0, 1, 2, 3, 4]),
    ),
  );
  m.set(
    RicohProp.RecordingTime,
    ro(
      DataType.UINT16,
      0,
      () => Math.min(MAX_RECORDING_S - 1, d.snapshot().recordedTime),
      range(0, MAX_RECORDING_S - 1, 1),
    ),
  );
  m.set(
    RicohProp.RemainingRecordingTime,
    ro(DataType.UINT16, 0, () => Math.min(MAX_RECORDING_S, d.snapshot().recordableTime), range(0, MAX_RECORDING_S, 1)),
  );
  m.set(
    RicohProp.Filter,
    rw(
      DataType.UINT8,
      () => 0,
      () => Math.max(0, FILTERS.indexOf(option<string>('_filter') as (typeof FILTERS)[number])),
      oneOf(() => FILTERS.map((_f, i) => i)),
      {
        toOptions: (v) => ({ _filter: FILTERS[Number(v)] }),
      },
    ),
  );
  m.set(
    RicohProp.BatteryStatus,
    ro(
      DataType.UINT8,
      0,
      () => BATTERY_STATUS[d.battery.state],
      oneOf(() => [0, 1, 2]),
    ),
  );
  // The seconds of video the free space holds (remaining_videos.md), as OSC's remainingVideoSeconds.
  m.set(
    RicohProp.RemainingVideos,
    ro(DataType.UINT16, 0, () => Math.min(0xffff, option<number>('remainingVideoSeconds'))),
  );
  m.set(
    RicohProp.SleepMode,
    rw(
      DataType.UINT8,
      () => 0,
      () => sleepMode,
      () => ({ kind: 'none' }),
      {
        apply: (v) => {
          if (v !== 0 && v !== 1) throw invalid('SleepMode is 0 (awake) or 1 (asleep)');
          sleepMode = v;
        },
      },
    ),
  );
  if (d.has('mySettings')) {
    // S firmware 01.82 and later (composite_shooting_time.md, composite_shooting_output_interval.md,
    // composite_shooting_elapsed_time.md, bracket_parameters.md, color_temperature.md).
    m.set(
      RicohProp.CompositeShootingTime,
      rw(
        DataType.UINT32,
        () => 86_400,
        () => option<number>('_compositeShootingTime'),
        range(600, 86_400, 600),
        {
          toOptions: (v) => ({ _compositeShootingTime: Number(v) }),
        },
      ),
    );
    m.set(
      RicohProp.CompositeShootingOutputInterval,
      rw(
        DataType.UINT32,
        () => 0,
        () => option<number>('_compositeShootingOutputInterval'),
        range(0, 600, 60),
        {
          toOptions: (v) => ({ _compositeShootingOutputInterval: Number(v) }),
        },
      ),
    );
    m.set(
      RicohProp.CompositeShootingElapsedTime,
      ro(DataType.UINT32, 0, () => d.snapshot().compositeShootingElapsedTime, range(0, 86_400, 1)),
    );
    m.set(
      RicohProp.BracketParameters,
      rw(
        DataType.AUINT128,
        () => [],
        // NULL (an empty array, the reference's default) while the camera has its own exposures.
        () => {
          const shots = option<OscBracket>('_autoBracket')._bracketParameters.map(encodeBracketShot);
          const own = bracketToOsc(defaultOptions().autoBracket)._bracketParameters.map(encodeBracketShot);
          return shots.join() === own.join() ? [] : shots;
        },
        () => ({ kind: 'none' }),
        {
          toOptions: (v) => ({ _autoBracket: bracketFromPtp(v) }),
        },
      ),
    );
    m.set(
      RicohProp.ColorTemperature,
      rw(
        DataType.UINT16,
        () => 5000,
        () => option<number>('_colorTemperature'),
        range(2500, 10_000, 100),
        {
          toOptions: (v) => ({ _colorTemperature: Number(v) }),
        },
      ),
    );
  }
  return m;
}

/** OSC's `_autoBracket` (theta-web-api-v2.0/options/_auto_bracket.md). */
interface OscBracket {
  _bracketNumber: number;
  _bracketParameters: Array<{ iso: number; shutterSpeed: number; _colorTemperature: number }>;
}

/**
 * One exposure of BracketParameters, a 16-byte element of the AUINT128 array: 4 reserved bytes,
 * ColorTemperature (UINT16), ExposureIndex (UINT16), ShutterSpeed (the UINT64 rational).
 * bracket_parameters.md gives the S no layout of its own; this is the one it gives the V up to
 * firmware 2.50.1, whose fields are exactly the S's exposure settings (OSC `_autoBracket`: iso,
 * shutterSpeed, _colorTemperature), with the same 2 to 13 shots.
 */
function encodeBracketShot(shot: OscBracket['_bracketParameters'][number]): bigint {
  return (
    (BigInt(shot._colorTemperature) << 32n) | (BigInt(shot.iso) << 48n) | (shutterRational(shot.shutterSpeed) << 64n)
  );
}

/**
 * BracketParameters → OSC `_autoBracket`; the device checks the count (2 to 13) and each value.
 * An empty array (NULL, the reference's default, which a reset writes) stands for the camera's
 * own exposures, and reads back so while they are in use.
 */
function bracketFromPtp(v: PtpValue): OscBracket {
  if (!Array.isArray(v)) throw invalid('BracketParameters must be an array of 128-bit exposures');
  const shots = (v as readonly PtpScalar[]).map(BigInt);
  if (shots.length === 0) return bracketToOsc(defaultOptions().autoBracket);
  return {
    _bracketNumber: shots.length,
    _bracketParameters: shots.map((shot) => {
      const { numerator, denominator } = decodeShutter(shot >> 64n);
      return {
        iso: Number((shot >> 48n) & 0xffffn),
        shutterSpeed: denominator === 0 ? 0 : numerator / denominator,
        _colorTemperature: Number((shot >> 32n) & 0xffffn),
      };
    }),
  };
}

function bracketToOsc(shots: readonly BracketShot[]): OscBracket {
  return {
    _bracketNumber: shots.length,
    _bracketParameters: shots.map((b) => ({
      iso: b.iso,
      shutterSpeed: b.shutterSpeed,
      _colorTemperature: b.colorTemperature,
    })),
  };
}

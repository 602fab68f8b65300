/**
 * The THETA S's device properties as RICOH's THETA USB API reference describes them for the S
 * (ricohapi/theta-api-specs, theta-usb-api/property/*.md): data type, get/set, factory default
 * and form, in the factory state (single shot, 5376×2688, normal program), in the order a THETA
 * S's DeviceInfo lists them (its `ptpcam -R 0x1001`).
 *
 * Where a page leaves a field open the entry says so (`default: undefined`); where a page
 * contradicts itself the wire field wins and the note says which. Enumerations keep the page's
 * order.
 */
import { DataType } from '../../src/ptp/codes.js';
import type { PropForm, PtpValue } from '../../src/ptp/codec.js';

export interface ReferenceProp {
  code: number;
  name: string;
  dataType: number;
  getSet: 0 | 1;
  /** undefined: the reference gives none. */
  default: PtpValue | undefined;
  form: PropForm;
  /** false: the S lists the code, RICOH's reference no longer describes it. */
  inReference?: false;
}

const range = (min: number, max: number, step: number): PropForm => ({ kind: 'range', min, max, step });
const oneOf = (...values: PtpValue[]): PropForm => ({ kind: 'enum', values });
const none: PropForm = { kind: 'none' };

/** `1,100` in the reference's notation: numerator in the upper 32 bits (shutter_speed.md). */
export const rational = (numerator: number, denominator: number): bigint =>
  (BigInt(numerator) << 32n) | BigInt(denominator);

/**
 * shutter_speed.md's values within the S's range (1/6400 s to 60 s in manual), leaving out those
 * only the Z1 and V have (1/25000, 1/12500, 40 s, 50 s) and those above the S's fastest.
 */
export const S_SHUTTER_MANUAL: bigint[] = [
  [1, 6400],
  [1, 5000],
  [1, 4000],
  [1, 3200],
  [1, 2500],
  [1, 2000],
  [1, 1600],
  [1, 1250],
  [1, 1000],
  [1, 800],
  [1, 640],
  [1, 500],
  [1, 400],
  [1, 320],
  [1, 250],
  [1, 200],
  [1, 160],
  [1, 125],
  [1, 100],
  [1, 80],
  [1, 60],
  [1, 50],
  [1, 40],
  [1, 30],
  [1, 25],
  [1, 20],
  [1, 15],
  [1, 13],
  [1, 10],
  [1, 8],
  [1, 6],
  [1, 5],
  [1, 4],
  [1, 3],
  [10, 25],
  [1, 2],
  [10, 16],
  [10, 13],
  [1, 1],
  [13, 10],
  [16, 10],
  [2, 1],
  [25, 10],
  [32, 10],
  [4, 1],
  [5, 1],
  [6, 1],
  [8, 1],
  [10, 1],
  [13, 1],
  [15, 1],
  [20, 1],
  [25, 1],
  [30, 1],
  [60, 1],
].map(([n, d]) => rational(n as number, d as number));

/** exposure_index.md, THETA SC/S, in manual and ISO priority. */
export const S_ISO = [100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600];

export const THETA_S_PROPS: ReferenceProp[] = [
  { code: 0x5001, name: 'BatteryLevel', dataType: DataType.UINT8, getSet: 0, default: 100, form: range(0, 100, 1) },
  {
    code: 0x5002,
    name: 'FunctionalMode',
    dataType: DataType.UINT16,
    getSet: 0,
    default: 0x0000,
    form: oneOf(0x0000, 0x8001),
  },
  // Still capture mode's sizes for the S; the page gives no default.
  {
    code: 0x5003,
    name: 'ImageSize',
    dataType: DataType.STR,
    getSet: 1,
    default: undefined,
    form: oneOf('5376x2688', '2048x1024'),
  },
  { code: 0x5011, name: 'DateTime', dataType: DataType.STR, getSet: 1, default: undefined, form: none },
  // The page sizes the step as a UINT8 holding 1000; the datatype (UINT32) is what goes on the wire.
  {
    code: 0x5012,
    name: 'CaptureDelay',
    dataType: DataType.UINT32,
    getSet: 1,
    default: 0,
    form: range(0, 10_000, 1000),
  },
  // Datatype field `0x0006` (UINT32), as MTP defines PerceivedDeviceType; the page's "UINT16" label and size 2 contradict it.
  { code: 0xd407, name: 'PerceivedDeviceType', dataType: DataType.UINT32, getSet: 0, default: 1, form: none },
  // 0x8008 Underwater is the V's only.
  {
    code: 0x5005,
    name: 'WhiteBalance',
    dataType: DataType.UINT16,
    getSet: 1,
    default: 0x0002,
    form: oneOf(0x0002, 0x0004, 0x8001, 0x8002, 0x0006, 0x8020, 0x8003, 0x8004, 0x8005, 0x8006, 0x8007),
  },
  // 0x0003 aperture priority is the Z1's only.
  {
    code: 0x500e,
    name: 'ExposureProgramMode',
    dataType: DataType.UINT16,
    getSet: 1,
    default: 0x0002,
    form: oneOf(0x0001, 0x0002, 0x0004, 0x8003),
  },
  // Outside manual and ISO priority only 0xFFFF (automatic).
  { code: 0x500f, name: 'ExposureIndex', dataType: DataType.UINT16, getSet: 1, default: 0xffff, form: oneOf(0xffff) },
  {
    code: 0x5010,
    name: 'ExposureBiasCompensation',
    dataType: DataType.INT16,
    getSet: 1,
    default: 0,
    form: oneOf(2000, 1700, 1300, 1000, 700, 300, 0, -300, -700, -1000, -1300, -1700, -2000),
  },
  // 0x8005 live streaming is listed for the S, but it turns the S into a UVC webcam, which an
  // emulator on PTP/IP cannot be; the emulator offers the other five.
  {
    code: 0x5013,
    name: 'StillCaptureMode',
    dataType: DataType.UINT16,
    getSet: 1,
    default: 0x0001,
    form: oneOf(0x0001, 0x0003, 0x8002, 0x8003, 0x8004),
  },
  { code: 0x501a, name: 'TimelapseNumber', dataType: DataType.UINT16, getSet: 1, default: 0, form: range(0, 9999, 1) },
  // At 5376x2688: default and minimum 8000 (5000 at 2048x1024).
  {
    code: 0x501b,
    name: 'TimelapseInterval',
    dataType: DataType.UINT32,
    getSet: 1,
    default: 8000,
    form: range(8000, 3_600_000, 1000),
  },
  { code: 0x502c, name: 'AudioVolume', dataType: DataType.UINT32, getSet: 1, default: 100, form: range(0, 100, 1) },
  { code: 0xd006, name: 'ErrorInfo', dataType: DataType.UINT32, getSet: 0, default: 0, form: none },
  // Outside manual and shutter priority only 0 (automatic).
  { code: 0xd00f, name: 'ShutterSpeed', dataType: DataType.UINT64, getSet: 1, default: 0n, form: oneOf(0n) },
  { code: 0xd801, name: 'GpsInfo', dataType: DataType.STR, getSet: 1, default: '', form: none },
  { code: 0xd802, name: 'AutoPowerOffDelay', dataType: DataType.UINT8, getSet: 1, default: 10, form: range(0, 30, 1) },
  { code: 0xd803, name: 'SleepDelay', dataType: DataType.UINT16, getSet: 1, default: 300, form: range(0, 1800, 1) },
  { code: 0xd805, name: 'Ssid', dataType: DataType.STR, getSet: 0, default: undefined, form: none, inReference: false },
  // Default: the S's serial number (9 bytes with the NUL).
  { code: 0xd806, name: 'Passphrase', dataType: DataType.STR, getSet: 1, default: undefined, form: none },
  { code: 0xd807, name: 'ChannelNumber', dataType: DataType.UINT16, getSet: 1, default: 0, form: oneOf(0, 1, 6, 11) },
  // The page's default (0x02) is what it is; the datatype is UINT8 though the page sizes it 2.
  {
    code: 0xd808,
    name: 'CaptureStatus',
    dataType: DataType.UINT8,
    getSet: 0,
    default: 0x02,
    form: oneOf(0x00, 0x01, 0x02, 0x03, 0x04),
  },
  { code: 0xd809, name: 'RecordingTime', dataType: DataType.UINT16, getSet: 0, default: 0, form: range(0, 1499, 1) },
  {
    code: 0xd80a,
    name: 'RemainingRecordingTime',
    dataType: DataType.UINT16,
    getSet: 0,
    default: 0,
    form: range(0, 1500, 1),
  },
  // 0x04 handheld HDR is not the S's.
  {
    code: 0xd80b,
    name: 'Filter',
    dataType: DataType.UINT8,
    getSet: 1,
    default: 0x00,
    form: oneOf(0x00, 0x01, 0x02, 0x03),
  },
  {
    code: 0xd80c,
    name: 'BatteryStatus',
    dataType: DataType.UINT8,
    getSet: 0,
    default: 0x00,
    form: oneOf(0x00, 0x01, 0x02),
  },
  { code: 0xd80d, name: 'RemainingVideos', dataType: DataType.UINT16, getSet: 0, default: 0, form: none },
  { code: 0xd80e, name: 'SleepMode', dataType: DataType.UINT8, getSet: 1, default: 0x00, form: none },
];

/**
 * What firmware 01.82 added to the S's list (each page marks the S "firmware v1.82 and later"),
 * after the 29 above. BracketParameters' page labels its datatype AINT128 but gives the code
 * 0x400A, AUINT128; its default is NULL, an empty array.
 */
export const THETA_S_PROPS_SINCE_0182: ReferenceProp[] = [
  {
    code: 0xd80f,
    name: 'CompositeShootingTime',
    dataType: DataType.UINT32,
    getSet: 1,
    default: 86_400,
    form: range(600, 86_400, 600),
  },
  {
    code: 0xd810,
    name: 'CompositeShootingOutputInterval',
    dataType: DataType.UINT32,
    getSet: 1,
    default: 0,
    form: range(0, 600, 60),
  },
  {
    code: 0xd811,
    name: 'CompositeShootingElapsedTime',
    dataType: DataType.UINT32,
    getSet: 0,
    default: 0,
    form: range(0, 86_400, 1),
  },
  { code: 0xd812, name: 'BracketParameters', dataType: DataType.AUINT128, getSet: 1, default: [], form: none },
  {
    code: 0xd813,
    name: 'ColorTemperature',
    dataType: DataType.UINT16,
    getSet: 1,
    default: 5000,
    form: range(2500, 10_000, 100),
  },
];

/** The S's properties at firmware `01.82` and later (the emulator's default, 01.90). */
export const THETA_S_PROPS_CURRENT: ReferenceProp[] = [...THETA_S_PROPS, ...THETA_S_PROPS_SINCE_0182];

/**
 * The S's properties before firmware 01.82, as its DeviceInfo at 01.42 lists them: without the
 * values that came with 01.82 (white_balance.md's 0x8007 colour temperature, still_capture_mode.md's
 * 0x8003 interval composite and 0x8004 multi bracket).
 */
export const THETA_S_PROPS_BEFORE_0182: ReferenceProp[] = THETA_S_PROPS.map((p) => {
  const later: Readonly<Record<number, readonly number[]>> = { 0x5005: [0x8007], 0x5013: [0x8003, 0x8004] };
  const drop = later[p.code];
  if (!drop || p.form.kind !== 'enum') return p;
  return { ...p, form: { kind: 'enum', values: p.form.values.filter((v) => !drop.includes(Number(v))) } };
});

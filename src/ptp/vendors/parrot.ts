/**
 * Parrot's PTP extension (VendorExtensionID 0x1B, "parrot.com: 1.0;"), as spoken by the Sequoia
 * over USB and PTP/IP. Codes and data layouts follow Parrot's "PTP Parrot Extension" manual as
 * used by Parrot-Developers/sequoia-ptpy, and docs/sequoia.md.
 *
 * @example
 * const temps = decodeTemperatureValues(data); // { P7: 41250, ... } in milli-°C
 */
import { DataType, Prop, registerVendor } from '../codes.js';
import { PtpDecodeError, PtpReader, PtpWriter, type PtpValue } from '../codec.js';

/** The Sequoia's VendorExtensionID in DeviceInfo. */
export const PARROT_VENDOR_ID = 0x1b;
/** The Sequoia's VendorExtensionDesc in DeviceInfo. */
export const PARROT_EXTENSION_DESC = 'parrot.com: 1.0;';

/** Parrot's vendor operations on the Sequoia (sensors, IMU, status, calibration, storage). */
export const ParrotOp = {
  GetSunshineValues: 0x9201,
  GetTemperatureValues: 0x9202,
  GetAngleValues: 0x9203,
  GetGpsValues: 0x9204,
  GetGyroscopeValues: 0x9205,
  GetAccelerometerValues: 0x9206,
  GetMagnetometerValues: 0x9207,
  GetImuValues: 0x9208,
  GetStatusMask: 0x9209,
  EjectStorage: 0x920a,
  StartMagnetoCalib: 0x9210,
  StopMagnetoCalib: 0x9211,
  MagnetoCalibStatus: 0x9212,
  SendFirmwareUpdate: 0x9213,
} as const;

/** Parrot's vendor events: Status (the status mask changed) and MagnetoCalibrationStatus. */
export const ParrotEv = {
  Status: 0xc201,
  MagnetoCalibrationStatus: 0xc202,
} as const;

/** Parrot's vendor properties on the Sequoia (sensors mask, resolutions, bit depths, Wi-Fi, GPS interval, overlap, storage). */
export const ParrotProp = {
  PhotoSensorEnableMask: 0xd201,
  PhotoSensorsKeepOn: 0xd202,
  MultispectralImageSize: 0xd203,
  MainBitDepth: 0xd204,
  MultispectralBitDepth: 0xd205,
  HeatingEnable: 0xd206,
  WifiStatus: 0xd207,
  WifiSSID: 0xd208,
  WifiEncryptionType: 0xd209,
  WifiPassphrase: 0xd20a,
  WifiChannel: 0xd20b,
  Localization: 0xd20c,
  WifiMode: 0xd20d,
  AntiFlickeringFrequency: 0xd210,
  DisplayOverlayMask: 0xd211,
  GPSInterval: 0xd212,
  MultisensorsExposureMeteringMode: 0xd213,
  MultisensorsExposureTime: 0xd214,
  MultisensorsExposureProgramMode: 0xd215,
  MultisensorsExposureIndex: 0xd216,
  MultisensorsIrradianceGain: 0xd217,
  MultisensorsIrradianceIntegrationTime: 0xd218,
  OverlapRate: 0xd219,
  LEDsEnableMask: 0xd220,
  GPSEnable: 0xd221,
  SelectedStorage: 0xd222,
  MediaFolderName: 0xd223,
  XMPTag: 0xd224,
} as const;

/** StillCaptureMode (0x5013) values on the Sequoia (docs/sequoia.md). */
export const ParrotCaptureMode = {
  Single: 0x0001,
  Timelapse: 0x0003,
  GpsPosition: 0x8002,
  AutomaticOverlap: 0x8003,
  RadiometricCalibration: 0x8004,
} as const;

/** The Sequoia's storage ids: the internal memory and the SD card (docs/sequoia.md "PTP"). */
export const PARROT_STORAGE_IDS = { internal: 0x00010001, sd: 0x00020001 } as const;

/** StillCaptureMode values by the Sequoia's own capture mode names (`capture_mode` of its HTTP API). */
export const PARROT_CAPTURE_MODE_CODES = {
  single: ParrotCaptureMode.Single,
  timelapse: ParrotCaptureMode.Timelapse,
  gps_position: ParrotCaptureMode.GpsPosition,
  auto: ParrotCaptureMode.AutomaticOverlap,
  radiometric: ParrotCaptureMode.RadiometricCalibration,
} as const;

/** ImageSize (0x5003) texts by RGB resolution in megapixels (`resolution_rgb`). */
export const PARROT_RGB_IMAGE_SIZES = { 16: '4608 x 3456', 12: '4000 x 3000' } as const;
/** MultispectralImageSize texts by mono resolution in megapixels (`resolution_mono`). */
export const PARROT_MONO_IMAGE_SIZES = { '1.2': '1280 x 960', '0.3': '640 x 480' } as const;

/**
 * One Sequoia setting carried by a PTP property: the same camera shows the same setting names on
 * every address, so `capture_mode` over HTTP is `capture_mode` over PTP/IP and USB too, with the
 * property's value translated (`SelectedStorage` 65537 is `storage_selected` internal).
 */
export interface ParrotSettingProperty {
  /** The setting's name in the Sequoia's HTTP API (`/config`). */
  key: string;
  /** The PTP property code that carries it. */
  code: number;
  /** The setting's value for a property value; undefined for a value the setting has no word for. */
  decode(value: PtpValue): string | number | undefined;
  /** The property value for a setting value; undefined for a value the property cannot carry. */
  encode(value: string | number): PtpValue | undefined;
  /** For numbers: property value = setting value × scale (milliseconds for seconds, centimetres for metres). */
  scale?: number;
}

/** A table read backwards: value → key (keys as text, the way Object.entries gives them). */
function byValue(table: Readonly<Record<string, string | number>>): Map<string | number, string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k]));
}
const MODE_NAMES = byValue(PARROT_CAPTURE_MODE_CODES);
const STORAGE_NAMES = byValue(PARROT_STORAGE_IDS);
const RGB_MP = byValue(PARROT_RGB_IMAGE_SIZES);
const MONO_MP = byValue(PARROT_MONO_IMAGE_SIZES);
const lookup = <V>(table: Readonly<Record<string, V>>, k: string | number): V | undefined =>
  Object.hasOwn(table, String(k)) ? table[String(k)] : undefined;
const scaled = (key: string, code: number, scale: number): ParrotSettingProperty => ({
  key,
  code,
  scale,
  decode: (v) => (typeof v === 'number' ? v / scale : undefined),
  encode: (v) => (typeof v === 'number' ? Math.round(v * scale) : undefined),
});
const same = (key: string, code: number): ParrotSettingProperty => ({
  key,
  code,
  decode: (v) => (typeof v === 'number' ? v : undefined),
  encode: (v) => (typeof v === 'number' ? v : undefined),
});

/** The Sequoia's settings that PTP carries, with their properties (the `/config` field `auto_select` has none). */
export const PARROT_SETTING_PROPERTIES: readonly ParrotSettingProperty[] = [
  {
    key: 'capture_mode',
    code: Prop.StillCaptureMode,
    decode: (v) => MODE_NAMES.get(Number(v)),
    encode: (v) => lookup(PARROT_CAPTURE_MODE_CODES, v),
  },
  scaled('timelapse_param', Prop.TimelapseInterval, 1000),
  scaled('gps_param', ParrotProp.GPSInterval, 100),
  same('overlap_param', ParrotProp.OverlapRate),
  {
    key: 'resolution_rgb',
    code: Prop.ImageSize,
    decode: (v) => (typeof v === 'string' ? Number(RGB_MP.get(v)) || undefined : undefined),
    encode: (v) => lookup(PARROT_RGB_IMAGE_SIZES, v),
  },
  {
    key: 'resolution_mono',
    code: ParrotProp.MultispectralImageSize,
    decode: (v) => (typeof v === 'string' ? Number(MONO_MP.get(v)) || undefined : undefined),
    encode: (v) => lookup(PARROT_MONO_IMAGE_SIZES, v),
  },
  same('bit_depth', ParrotProp.MultispectralBitDepth),
  same('sensors_mask', ParrotProp.PhotoSensorEnableMask),
  {
    key: 'storage_selected',
    code: ParrotProp.SelectedStorage,
    decode: (v) => STORAGE_NAMES.get(Number(v)),
    encode: (v) => lookup(PARROT_STORAGE_IDS, v),
  },
];

/** Bits of GetStatusMask / the Status event, LSB first. */
export const PARROT_STATUS_BITS = [
  'SnapshotRequested',
  'BodyImuCalibRunning',
  'AuxiliaryImuCalibRunning',
  'AuxiliaryConnected',
  'AuxiliaryGpsRunning',
  'RemoteGpsRunning',
  'CamRGBError',
  'CamGreenError',
  'CamRedError',
  'CamRedEdgeError',
  'CamNIRError',
  'BodySensorsInitDone',
  'AuxiliarySensorsInitDone',
  'CameraRunning',
] as const;
/** One flag of the status mask. */
export type ParrotStatusFlag = (typeof PARROT_STATUS_BITS)[number];

/** MagnetoCalibStatus values by number (0 None … 7 Aborted). */
export const MAGNETO_CALIB_STATUS = [
  'None',
  'Ok',
  'Running',
  'RollPending',
  'PitchPending',
  'YawPending',
  'Failed',
  'Aborted',
] as const;

/** Data types the Sequoia uses for its properties, for `camctl ptp prop set` and the emulator. */
export const PARROT_PROP_TYPES: Readonly<Record<number, number>> = {
  [ParrotProp.PhotoSensorEnableMask]: DataType.UINT32,
  [ParrotProp.PhotoSensorsKeepOn]: DataType.UINT8,
  [ParrotProp.MultispectralImageSize]: DataType.STR,
  [ParrotProp.MainBitDepth]: DataType.UINT8,
  [ParrotProp.MultispectralBitDepth]: DataType.UINT8,
  [ParrotProp.WifiStatus]: DataType.UINT8,
  [ParrotProp.WifiSSID]: DataType.STR,
  [ParrotProp.GPSInterval]: DataType.UINT32,
  [ParrotProp.MultisensorsExposureTime]: DataType.AUINT32,
  [ParrotProp.MultisensorsExposureIndex]: DataType.AUINT16,
  [ParrotProp.OverlapRate]: DataType.UINT8,
  [ParrotProp.SelectedStorage]: DataType.UINT32,
};

registerVendor({
  vendorExtensionId: PARROT_VENDOR_ID,
  name: 'Parrot',
  operations: ParrotOp,
  events: ParrotEv,
  properties: ParrotProp,
});

function u32s(data: Uint8Array): number[] {
  return new PtpReader(data).u32array();
}
function i32s(data: Uint8Array): number[] {
  const r = new PtpReader(data);
  const n = r.u32();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.i32());
  return out;
}
function need(a: number[], n: number, what: string): number[] {
  if (a.length < n) throw new PtpDecodeError(`${what}: expected ${n} values, got ${a.length}`, 4 + 4 * a.length);
  return a;
}
const at = (a: number[], i: number): number => a[i] as number;

/** One value per multispectral band. */
export interface Bands<T> {
  Green: T;
  Red: T;
  RedEdge: T;
  NIR: T;
}
/** GetSunshineValues: per band (raw irradiance, integration/gain word) — array of 8 u32. */
export function decodeSunshineValues(data: Uint8Array): Bands<[number, number]> {
  const a = need(u32s(data), 8, 'sunshine');
  return {
    Green: [at(a, 0), at(a, 4)],
    Red: [at(a, 1), at(a, 5)],
    RedEdge: [at(a, 2), at(a, 6)],
    NIR: [at(a, 3), at(a, 7)],
  };
}
/** Encodes GetSunshineValues data (the emulator's side of {@link decodeSunshineValues}). */
export function encodeSunshineValues(v: Bands<[number, number]>): Uint8Array {
  return new PtpWriter()
    .u32array([v.Green[0], v.Red[0], v.RedEdge[0], v.NIR[0], v.Green[1], v.Red[1], v.RedEdge[1], v.NIR[1]])
    .finish();
}

/** The Sequoia's temperatures in °C. */
export interface Temperatures {
  P7: number;
  P7MU: number;
  DDR: number;
  WiFi: number;
  IMU: number;
  IMUSunshine: number;
}
/** GetTemperatureValues: array of 6 i32 in milli-°C. */
export function decodeTemperatureValues(data: Uint8Array): Temperatures {
  const a = need(i32s(data), 6, 'temperatures');
  return { P7: at(a, 0), P7MU: at(a, 1), DDR: at(a, 2), WiFi: at(a, 3), IMU: at(a, 4), IMUSunshine: at(a, 5) };
}
/** Encodes GetTemperatureValues data (the emulator's side of {@link decodeTemperatureValues}). */
export function encodeTemperatureValues(t: Temperatures): Uint8Array {
  const w = new PtpWriter().u32(6);
  for (const v of [t.P7, t.P7MU, t.DDR, t.WiFi, t.IMU, t.IMUSunshine]) w.i32(v);
  return w.finish();
}

/** Orientation in degrees. */
export interface Angles {
  Yaw: number;
  Pitch: number;
  Roll: number;
}
/** A three-axis reading (gyroscope µrad/s, accelerometer µm/s², magnetometer nT). */
export interface Xyz {
  X: number;
  Y: number;
  Z: number;
}
/** GetAngleValues(imu): yaw, pitch, roll in µdeg (u32 on the wire; two's complement for negatives). */
export function decodeAngleValues(data: Uint8Array): Angles {
  const a = need(i32s(data), 3, 'angles');
  return { Yaw: at(a, 0), Pitch: at(a, 1), Roll: at(a, 2) };
}
/** Decodes a three-axis reading (array of 3 i32). */
export function decodeXyz(data: Uint8Array): Xyz {
  const a = need(i32s(data), 3, 'vector');
  return { X: at(a, 0), Y: at(a, 1), Z: at(a, 2) };
}
/** Encodes an array of i32 (the emulator's side of the sensor decoders). */
export function encodeI32Array(values: readonly number[]): Uint8Array {
  const w = new PtpWriter().u32(values.length);
  for (const v of values) w.i32(v);
  return w.finish();
}

/** A GPS position in degrees, minutes, seconds, and the altitude. */
export interface GpsValues {
  Longitude: { Deg: number; Min: number; Sec: number };
  Latitude: { Deg: number; Min: number; Sec: number };
  Altitude: number;
}
/** GetGpsValues: lon d/m/s, lat d/m/s, altitude — array of 7 (signed where south/west). */
export function decodeGpsValues(data: Uint8Array): GpsValues {
  const a = need(i32s(data), 7, 'gps');
  return {
    Longitude: { Deg: at(a, 0), Min: at(a, 1), Sec: at(a, 2) },
    Latitude: { Deg: at(a, 3), Min: at(a, 4), Sec: at(a, 5) },
    Altitude: at(a, 6),
  };
}

/** All IMU readings at once. */
export interface ImuValues {
  Gyroscope: Xyz;
  Accelerometer: Xyz;
  Magnetometer: Xyz;
  Angle: Angles;
}
/** GetImuValues: gyroscope, accelerometer, magnetometer, angles — array of 12 i32. */
export function decodeImuValues(data: Uint8Array): ImuValues {
  const a = need(i32s(data), 12, 'imu');
  return {
    Gyroscope: { X: at(a, 0), Y: at(a, 1), Z: at(a, 2) },
    Accelerometer: { X: at(a, 3), Y: at(a, 4), Z: at(a, 5) },
    Magnetometer: { X: at(a, 6), Y: at(a, 7), Z: at(a, 8) },
    Angle: { Yaw: at(a, 9), Pitch: at(a, 10), Roll: at(a, 11) },
  };
}

/** The status mask (GetStatusMask response parameter / Status event parameter) as flags. */
export function decodeStatusMask(mask: number): Record<ParrotStatusFlag, boolean> {
  const out = {} as Record<ParrotStatusFlag, boolean>;
  PARROT_STATUS_BITS.forEach((name, i) => (out[name] = ((mask >>> i) & 1) === 1));
  return out;
}
/** The status mask for these flags (absent flags are off). */
export function encodeStatusMask(flags: Partial<Record<ParrotStatusFlag, boolean>>): number {
  let m = 0;
  PARROT_STATUS_BITS.forEach((name, i) => {
    if (flags[name]) m |= 1 << i;
  });
  return m >>> 0;
}

/** Decoders of vendor operations' incoming data, by opcode, for generic printing. */
export const PARROT_DATA_DECODERS: Readonly<Record<number, (data: Uint8Array) => unknown>> = {
  [ParrotOp.GetSunshineValues]: decodeSunshineValues,
  [ParrotOp.GetTemperatureValues]: decodeTemperatureValues,
  [ParrotOp.GetAngleValues]: decodeAngleValues,
  [ParrotOp.GetGpsValues]: decodeGpsValues,
  [ParrotOp.GetGyroscopeValues]: decodeXyz,
  [ParrotOp.GetAccelerometerValues]: decodeXyz,
  [ParrotOp.GetMagnetometerValues]: decodeXyz,
  [ParrotOp.GetImuValues]: decodeImuValues,
};

/**
 * RICOH THETA PTP extension. The THETA reports VendorExtensionID 0x6 (docs/osc.md "USB"); codes
 * and types follow RICOH's THETA USB API reference (ricohapi/theta-api-specs, theta-usb-api/).
 *
 * @example
 * codeName('property', 0xd803, RICOH_VENDOR_ID); // 'SleepDelay'
 */
import { DataType, registerVendor } from '../codes.js';

/** The THETA's VendorExtensionID in DeviceInfo. */
export const RICOH_VENDOR_ID = 0x6;

/** Ricoh's vendor operations the emulator answers (the THETA's StopSelfTimer). */
export const RicohOp = {
  StopSelfTimer: 0x99a2,
} as const;

/** Ricoh's vendor properties on the THETA (shutter speed, power-off and sleep delays, capture status, …). */
export const RicohProp = {
  AudioVolume: 0x502c,
  ErrorInfo: 0xd006,
  ShutterSpeed: 0xd00f,
  PerceivedDeviceType: 0xd407,
  GpsInfo: 0xd801,
  AutoPowerOffDelay: 0xd802,
  SleepDelay: 0xd803,
  /**
   * Listed by the S (its DevicePropertiesSupported) but no longer described in RICOH's reference;
   * it sits between the direct-mode Wi-Fi settings (0xD806 Passphrase, 0xD807 ChannelNumber), and
   * the emulator answers it as the direct-mode network name, read-only.
   */
  Ssid: 0xd805,
  Passphrase: 0xd806,
  ChannelNumber: 0xd807,
  CaptureStatus: 0xd808,
  RecordingTime: 0xd809,
  RemainingRecordingTime: 0xd80a,
  Filter: 0xd80b,
  BatteryStatus: 0xd80c,
  RemainingVideos: 0xd80d,
  SleepMode: 0xd80e,
  CompositeShootingTime: 0xd80f,
  CompositeShootingOutputInterval: 0xd810,
  CompositeShootingElapsedTime: 0xd811,
  BracketParameters: 0xd812,
  ColorTemperature: 0xd813,
} as const;

/** StillCaptureMode (0x5013) on the THETA (docs/osc.md "USB"). */
export const RicohCaptureMode = {
  Single: 0x0001,
  Interval: 0x0003,
  Video: 0x8002,
  Composite: 0x8003,
  MultiBracket: 0x8004,
} as const;

/** CaptureStatus (0xD808) values. */
export const RICOH_CAPTURE_STATUS = ['Idle', 'Shooting', 'SelfTimerCountdown', 'BracketShooting'] as const;

/**
 * SleepDelay 65534 means "never" on the X, Z1 and V; the S's range is 0–1800 with 0 = off
 * (RICOH's sleep_delay.md). 1–59 are raised to 60 by the camera.
 */
export const RICOH_SLEEP_NEVER = 65534;

/** Data types of the THETA's vendor properties, for `camctl ptp prop set` and the emulator. */
export const RICOH_PROP_TYPES: Readonly<Record<number, number>> = {
  [RicohProp.AudioVolume]: DataType.UINT32,
  [RicohProp.ShutterSpeed]: DataType.UINT64,
  [RicohProp.GpsInfo]: DataType.STR,
  [RicohProp.AutoPowerOffDelay]: DataType.UINT8,
  [RicohProp.SleepDelay]: DataType.UINT16,
  [RicohProp.CaptureStatus]: DataType.UINT8,
  [RicohProp.CompositeShootingTime]: DataType.UINT32,
  [RicohProp.CompositeShootingOutputInterval]: DataType.UINT32,
  [RicohProp.CompositeShootingElapsedTime]: DataType.UINT32,
  [RicohProp.BracketParameters]: DataType.AUINT128,
  [RicohProp.ColorTemperature]: DataType.UINT16,
};

/** Normalises a SleepDelay value as the camera does, or undefined when out of range. */
export function normaliseSleepDelay(v: number): number | undefined {
  if (v === RICOH_SLEEP_NEVER || v === 0) return v;
  if (!Number.isInteger(v) || v < 0 || v > 1800) return undefined;
  return v < 60 ? 60 : v;
}

/**
 * ShutterSpeed (0xD00F) is a u64 rational in the TIFF RATIONAL order: numerator in the upper 32
 * bits, denominator in the lower 32 bits (1/100 s is 1 << 32 | 100); 0 is auto (RICOH's
 * shutter_speed.md; libgphoto2's Ricoh shutter speed reads it the same way).
 */
export function decodeShutterSpeed(v: bigint): { numerator: number; denominator: number } | 'auto' {
  if (v === 0n) return 'auto';
  return { numerator: Number(v >> 32n), denominator: Number(v & 0xffffffffn) };
}
/** Encodes a ShutterSpeed rational (see {@link decodeShutterSpeed}). */
export function encodeShutterSpeed(numerator: number, denominator: number): bigint {
  return (BigInt(numerator) << 32n) | BigInt(denominator);
}

registerVendor({
  vendorExtensionId: RICOH_VENDOR_ID,
  name: 'RICOH',
  operations: RicohOp,
  events: {},
  properties: RicohProp,
});

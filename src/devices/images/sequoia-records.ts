/**
 * The binary record lists the Sequoia embeds in XMP as base64 (docs/sequoia.md "Files the camera
 * writes"): the sunshine sensor's IrradianceList (mono bands) and the gyro's IMUAngularVelocity
 * (RGB). Both are little-endian, fixed-size records, oldest first.
 */
import { ImageError } from './errors.js';

/** One sunshine-sensor sample (≈5 Hz), for the band's own channel. */
export interface IrradianceRecord {
  /** Camera clock, µs since power-on. */
  timestampUs: bigint;
  /** Raw counts of the sensor's two photodiodes for this band. */
  ch0: number;
  ch1: number;
  gainIndex: number;
  integrationMs: number;
  /** Sunshine sensor attitude, degrees. */
  yaw: number;
  pitch: number;
  roll: number;
}

/** One gyro sample (1 kHz) around the RGB exposure: angular velocity in rad/s. */
export interface ImuRecord {
  timestampUs: bigint;
  x: number;
  y: number;
  z: number;
  /** 1 when the sample is valid (the camera writes 0 for a few samples around re-syncs). */
  valid: number;
}

export const IRRADIANCE_RECORD_SIZE = 28;
export const IMU_RECORD_SIZE = 24;

function checkU16(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
    throw new ImageError('ERR_CAMCTL_IMAGE_BAD_RECORDS', `${what} must be an integer 0..65535, got ${n}`);
  }
  return n;
}

function checkTimestamp(t: bigint): bigint {
  if (t < 0n || t > 0xffffffffffffffffn)
    throw new ImageError('ERR_CAMCTL_IMAGE_BAD_RECORDS', `timestamp ${t} out of u64 range`);
  return t;
}

/**
 * Base64 of 28-byte records: u64 timestamp µs, u16 CH0, u16 CH1, u16 gain index,
 * u16 integration ms, f32 yaw, f32 pitch, f32 roll.
 *
 * @example
 * encodeIrradianceList([{ timestampUs: 148190753n, ch0: 14, ch1: 7, gainIndex: 1,
 *   integrationMs: 100, yaw: -103.3, pitch: -0.0086, roll: -8.02 }]);
 */
export function encodeIrradianceList(records: readonly IrradianceRecord[]): string {
  const b = Buffer.alloc(records.length * IRRADIANCE_RECORD_SIZE);
  records.forEach((r, i) => {
    const o = i * IRRADIANCE_RECORD_SIZE;
    b.writeBigUInt64LE(checkTimestamp(r.timestampUs), o);
    b.writeUInt16LE(checkU16(r.ch0, 'ch0'), o + 8);
    b.writeUInt16LE(checkU16(r.ch1, 'ch1'), o + 10);
    b.writeUInt16LE(checkU16(r.gainIndex, 'gainIndex'), o + 12);
    b.writeUInt16LE(checkU16(r.integrationMs, 'integrationMs'), o + 14);
    b.writeFloatLE(r.yaw, o + 16);
    b.writeFloatLE(r.pitch, o + 20);
    b.writeFloatLE(r.roll, o + 24);
  });
  return b.toString('base64');
}

function decodeBase64Records(b64: string, size: number, what: string): Buffer {
  // The camera puts the blob on its own line inside the element, so readers hand it back with
  // surrounding newlines; whitespace is not part of the data.
  const text = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new ImageError('ERR_CAMCTL_IMAGE_BAD_RECORDS', `${what} is not base64`);
  }
  const b = Buffer.from(text, 'base64');
  if (b.length % size !== 0) {
    throw new ImageError(
      'ERR_CAMCTL_IMAGE_BAD_RECORDS',
      `${what} holds ${b.length} bytes, not whole ${size}-byte records`,
    );
  }
  return b;
}

/** Inverse of encodeIrradianceList; floats come back as float32 values. */
export function decodeIrradianceList(b64: string): IrradianceRecord[] {
  const b = decodeBase64Records(b64, IRRADIANCE_RECORD_SIZE, 'IrradianceList');
  const out: IrradianceRecord[] = [];
  for (let o = 0; o < b.length; o += IRRADIANCE_RECORD_SIZE) {
    out.push({
      timestampUs: b.readBigUInt64LE(o),
      ch0: b.readUInt16LE(o + 8),
      ch1: b.readUInt16LE(o + 10),
      gainIndex: b.readUInt16LE(o + 12),
      integrationMs: b.readUInt16LE(o + 14),
      yaw: b.readFloatLE(o + 16),
      pitch: b.readFloatLE(o + 20),
      roll: b.readFloatLE(o + 24),
    });
  }
  return out;
}

/** Base64 of 24-byte records: u64 timestamp µs, f32 x, f32 y, f32 z, u32 valid. */
export function encodeImuList(records: readonly ImuRecord[]): string {
  const b = Buffer.alloc(records.length * IMU_RECORD_SIZE);
  records.forEach((r, i) => {
    const o = i * IMU_RECORD_SIZE;
    b.writeBigUInt64LE(checkTimestamp(r.timestampUs), o);
    b.writeFloatLE(r.x, o + 8);
    b.writeFloatLE(r.y, o + 12);
    b.writeFloatLE(r.z, o + 16);
    b.writeUInt32LE(r.valid, o + 20);
  });
  return b.toString('base64');
}

export function decodeImuList(b64: string): ImuRecord[] {
  const b = decodeBase64Records(b64, IMU_RECORD_SIZE, 'IMUAngularVelocity');
  const out: ImuRecord[] = [];
  for (let o = 0; o < b.length; o += IMU_RECORD_SIZE) {
    out.push({
      timestampUs: b.readBigUInt64LE(o),
      x: b.readFloatLE(o + 8),
      y: b.readFloatLE(o + 12),
      z: b.readFloatLE(o + 16),
      valid: b.readUInt32LE(o + 20),
    });
  }
  return out;
}

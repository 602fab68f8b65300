/**
 * PTP primitives and datasets as pure functions over Uint8Array (docs/architecture.md: codecs never touch a
 * socket). Little-endian everywhere (ISO 15740 §5.3); strings are a u8 count of UCS-2 code units
 * including the terminating NUL, the empty string is the single byte 0x00 (docs/ptp.md "Encoding").
 *
 * Decoding is lenient where cameras are sloppy (a string without its NUL, trailing bytes after a
 * dataset — the THETA S pads some answers) and strict where a lie would make us read garbage
 * (a count running past the end is a {@link PtpDecodeError}).
 *
 * @example
 * const info = decodeDeviceInfo(bytes);
 * info.model; // 'RICOH THETA S'
 * decodeDeviceInfo(encodeDeviceInfo(info)); // deep-equal to info
 */
import { DataType, type DataTypeCode } from './codes.js';
import { CamctlError } from '../util/errors.js';

/** Bytes that do not decode as the PTP dataset or value expected (truncated, malformed); `offset` is where. */
export class PtpDecodeError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_DECODE';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super('ERR_CAMCTL_PTP_DECODE', message);
  }
}

/** A value that cannot be encoded as the PTP type asked for (out of range, too long a string). */
export class PtpEncodeError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_ENCODE';
  constructor(message: string) {
    super('ERR_CAMCTL_PTP_ENCODE', message);
  }
}

/** A property or parameter value: 8–32-bit integers as numbers, 64/128-bit as bigints. */
export type PtpScalar = number | bigint;
/** Any PTP value: an integer, a string, or an array of integers (data types `| 0x4000`). */
export type PtpValue = PtpScalar | string | readonly PtpScalar[];

/** Appends little-endian fields into a growing buffer. */
export class PtpWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private room(n: number): number {
    const at = this.len;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.len += n;
    return at;
  }

  /** Appends an unsigned 8-bit integer. */
  u8(v: number): this {
    checkInt(v, 0, 0xff, 'u8');
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }
  /** Appends a signed 8-bit integer. */
  i8(v: number): this {
    checkInt(v, -0x80, 0x7f, 'i8');
    const at = this.room(1);
    this.view.setInt8(at, v);
    return this;
  }
  /** Appends an unsigned 16-bit integer. */
  u16(v: number): this {
    checkInt(v, 0, 0xffff, 'u16');
    const at = this.room(2);
    this.view.setUint16(at, v, true);
    return this;
  }
  /** Appends a signed 16-bit integer. */
  i16(v: number): this {
    checkInt(v, -0x8000, 0x7fff, 'i16');
    const at = this.room(2);
    this.view.setInt16(at, v, true);
    return this;
  }
  /** Appends an unsigned 32-bit integer. */
  u32(v: number): this {
    checkInt(v, 0, 0xffffffff, 'u32');
    const at = this.room(4);
    this.view.setUint32(at, v, true);
    return this;
  }
  /** Appends a signed 32-bit integer. */
  i32(v: number): this {
    checkInt(v, -0x80000000, 0x7fffffff, 'i32');
    const at = this.room(4);
    this.view.setInt32(at, v, true);
    return this;
  }
  /** Appends an unsigned 64-bit integer. */
  u64(v: bigint | number): this {
    const b = BigInt(v);
    if (b < 0n || b > 0xffffffffffffffffn) throw new PtpEncodeError(`u64 out of range: ${b}`);
    const at = this.room(8);
    this.view.setBigUint64(at, b, true);
    return this;
  }
  /** Appends a signed 64-bit integer. */
  i64(v: bigint | number): this {
    const b = BigInt(v);
    if (b < -(1n << 63n) || b >= 1n << 63n) throw new PtpEncodeError(`i64 out of range: ${b}`);
    const at = this.room(8);
    this.view.setBigInt64(at, b, true);
    return this;
  }
  /** Appends an unsigned 128-bit integer. */
  u128(v: bigint | number): this {
    const b = BigInt(v);
    if (b < 0n || b >= 1n << 128n) throw new PtpEncodeError(`u128 out of range: ${b}`);
    this.u64(b & 0xffffffffffffffffn).u64(b >> 64n);
    return this;
  }
  /** Appends a signed 128-bit integer. */
  i128(v: bigint | number): this {
    const b = BigInt(v);
    if (b < -(1n << 127n) || b >= 1n << 127n) throw new PtpEncodeError(`i128 out of range: ${b}`);
    return this.u128(BigInt.asUintN(128, b));
  }
  /** Appends raw bytes. */
  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  /** PTP string: u8 unit count including the NUL, UCS-2LE; '' is the single byte 0. */
  str(s: string): this {
    if (s.length === 0) return this.u8(0);
    if (s.length + 1 > 255) throw new PtpEncodeError(`string longer than 254 UCS-2 units (${s.length})`);
    this.u8(s.length + 1);
    const at = this.room((s.length + 1) * 2);
    for (let i = 0; i < s.length; i++) this.view.setUint16(at + i * 2, s.charCodeAt(i), true);
    this.view.setUint16(at + s.length * 2, 0, true);
    return this;
  }
  /** Appends a PTP array of u16: a u32 count, then the elements. */
  u16array(a: readonly number[]): this {
    this.u32(a.length);
    for (const v of a) this.u16(v);
    return this;
  }
  /** Appends a PTP array of u32: a u32 count, then the elements. */
  u32array(a: readonly number[]): this {
    this.u32(a.length);
    for (const v of a) this.u32(v);
    return this;
  }
  /** A value of the given PTP data type (docs/ptp.md "Data type codes"). */
  value(type: number, v: PtpValue): this {
    if (type === DataType.STR) {
      if (typeof v !== 'string') throw new PtpEncodeError(`type STR needs a string, got ${typeof v}`);
      return this.str(v);
    }
    if (type & 0x4000) {
      if (!Array.isArray(v)) throw new PtpEncodeError(`array type 0x${type.toString(16)} needs an array`);
      const arr = v as readonly PtpScalar[];
      this.u32(arr.length);
      for (const x of arr) this.scalar(type & ~0x4000, x);
      return this;
    }
    if (typeof v === 'string' || Array.isArray(v))
      throw new PtpEncodeError(`type 0x${type.toString(16)} needs an integer`);
    return this.scalar(type, v as PtpScalar);
  }
  private scalar(type: number, v: PtpScalar): this {
    const n = (): number => {
      if (typeof v === 'bigint') {
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
          throw new PtpEncodeError(`value ${v} too large`);
        return Number(v);
      }
      return v;
    };
    switch (type) {
      case DataType.INT8:
        return this.i8(n());
      case DataType.UINT8:
        return this.u8(n());
      case DataType.INT16:
        return this.i16(n());
      case DataType.UINT16:
        return this.u16(n());
      case DataType.INT32:
        return this.i32(n());
      case DataType.UINT32:
        return this.u32(n());
      case DataType.INT64:
        return this.i64(v);
      case DataType.UINT64:
        return this.u64(v);
      case DataType.INT128:
        return this.i128(v);
      case DataType.UINT128:
        return this.u128(v);
      default:
        throw new PtpEncodeError(`unknown data type 0x${type.toString(16)}`);
    }
  }
  /** The written bytes (a view, not a copy). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function checkInt(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new PtpEncodeError(`${what} out of range: ${v}`);
}

/** Reads little-endian fields from a byte array, failing with the offset on short input. */
export class PtpReader {
  private readonly view: DataView;
  offset = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private take(n: number, what: string): number {
    if (this.offset + n > this.bytes.length) {
      throw new PtpDecodeError(
        `truncated: ${what} needs ${n} bytes at offset ${this.offset}, ${this.remaining} left`,
        this.offset,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  /** Reads an unsigned 8-bit integer. */
  u8(): number {
    return this.view.getUint8(this.take(1, 'u8'));
  }
  /** Reads a signed 8-bit integer. */
  i8(): number {
    return this.view.getInt8(this.take(1, 'i8'));
  }
  /** Reads an unsigned 16-bit integer. */
  u16(): number {
    return this.view.getUint16(this.take(2, 'u16'), true);
  }
  /** Reads a signed 16-bit integer. */
  i16(): number {
    return this.view.getInt16(this.take(2, 'i16'), true);
  }
  /** Reads an unsigned 32-bit integer. */
  u32(): number {
    return this.view.getUint32(this.take(4, 'u32'), true);
  }
  /** Reads a signed 32-bit integer. */
  i32(): number {
    return this.view.getInt32(this.take(4, 'i32'), true);
  }
  /** Reads an unsigned 64-bit integer. */
  u64(): bigint {
    return this.view.getBigUint64(this.take(8, 'u64'), true);
  }
  /** Reads a signed 64-bit integer. */
  i64(): bigint {
    return this.view.getBigInt64(this.take(8, 'i64'), true);
  }
  /** Reads an unsigned 128-bit integer. */
  u128(): bigint {
    const lo = this.u64();
    return (this.u64() << 64n) | lo;
  }
  /** Reads a signed 128-bit integer. */
  i128(): bigint {
    return BigInt.asIntN(128, this.u128());
  }
  /** Reads the next `n` bytes (a view, not a copy). */
  bytesOf(n: number): Uint8Array {
    const at = this.take(n, `${n} bytes`);
    return this.bytes.subarray(at, at + n);
  }
  /** Reads everything left (a view, not a copy). */
  rest(): Uint8Array {
    return this.bytesOf(this.remaining);
  }
  /** Reads a PTP string: a u8 count of UCS-2 units including the terminating 0, then UCS-2LE. */
  str(): string {
    const units = this.u8();
    if (units === 0) return '';
    const at = this.take(units * 2, 'string');
    let s = '';
    for (let i = 0; i < units; i++) {
      const c = this.view.getUint16(at + i * 2, true);
      // Stop at the NUL; some firmwares count it, some do not (lenient).
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
  private count(elementSize: number): number {
    const n = this.u32();
    if (n * elementSize > this.remaining) {
      throw new PtpDecodeError(
        `array of ${n} × ${elementSize} bytes runs past the end (${this.remaining} left)`,
        this.offset - 4,
      );
    }
    return n;
  }
  /** Reads a PTP array of u16. */
  u16array(): number[] {
    const n = this.count(2);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.u16();
    return out;
  }
  /** Reads a PTP array of u32. */
  u32array(): number[] {
    const n = this.count(4);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.u32();
    return out;
  }
  /** Reads a value of PTP data type `type` (DataType codes, arrays as `type | 0x4000`, strings 0xFFFF). */
  value(type: number): PtpValue {
    if (type === DataType.STR) return this.str();
    if (type & 0x4000) {
      const el = type & ~0x4000;
      const n = this.count(dataTypeSize(el));
      const out: PtpScalar[] = [];
      for (let i = 0; i < n; i++) out.push(this.scalar(el));
      return out;
    }
    return this.scalar(type);
  }
  private scalar(type: number): PtpScalar {
    switch (type) {
      case DataType.INT8:
        return this.i8();
      case DataType.UINT8:
        return this.u8();
      case DataType.INT16:
        return this.i16();
      case DataType.UINT16:
        return this.u16();
      case DataType.INT32:
        return this.i32();
      case DataType.UINT32:
        return this.u32();
      case DataType.INT64:
        return this.i64();
      case DataType.UINT64:
        return this.u64();
      case DataType.INT128:
        return this.i128();
      case DataType.UINT128:
        return this.u128();
      default:
        throw new PtpDecodeError(`unknown data type 0x${type.toString(16)}`, this.offset);
    }
  }
}

/** Byte size of a scalar data type; throws for STR and unknown codes. */
export function dataTypeSize(type: number): number {
  switch (type) {
    case DataType.INT8:
    case DataType.UINT8:
      return 1;
    case DataType.INT16:
    case DataType.UINT16:
      return 2;
    case DataType.INT32:
    case DataType.UINT32:
      return 4;
    case DataType.INT64:
    case DataType.UINT64:
      return 8;
    case DataType.INT128:
    case DataType.UINT128:
      return 16;
    default:
      throw new PtpDecodeError(`data type 0x${type.toString(16)} has no fixed size`, 0);
  }
}

/** Checks that a value fits a data type (range, integer, array-ness), without encoding it. */
export function valueFitsType(type: number, v: PtpValue): boolean {
  try {
    new PtpWriter(16).value(type, v);
    return true;
  } catch {
    return false;
  }
}

/** Encodes one value of PTP data type `type`. */
export function encodeValue(type: number, v: PtpValue): Uint8Array {
  return new PtpWriter(16).value(type, v).finish();
}
/** Decodes one value of PTP data type `type` (the whole of `bytes`). */
export function decodeValue(type: number, bytes: Uint8Array): PtpValue {
  return new PtpReader(bytes).value(type);
}

// ---------------------------------------------------------------------------------------------
// Datasets (ISO 15740 §5.5, docs/ptp.md).

/** The DeviceInfo dataset (ISO 15740 §5.5.1): what GetDeviceInfo answers. */
export interface DeviceInfo {
  standardVersion: number;
  vendorExtensionId: number;
  vendorExtensionVersion: number;
  vendorExtensionDesc: string;
  functionalMode: number;
  operationsSupported: number[];
  eventsSupported: number[];
  devicePropertiesSupported: number[];
  captureFormats: number[];
  imageFormats: number[];
  manufacturer: string;
  model: string;
  deviceVersion: string;
  serialNumber: string;
}

/** Encodes a DeviceInfo dataset. */
export function encodeDeviceInfo(d: DeviceInfo): Uint8Array {
  return new PtpWriter(512)
    .u16(d.standardVersion)
    .u32(d.vendorExtensionId)
    .u16(d.vendorExtensionVersion)
    .str(d.vendorExtensionDesc)
    .u16(d.functionalMode)
    .u16array(d.operationsSupported)
    .u16array(d.eventsSupported)
    .u16array(d.devicePropertiesSupported)
    .u16array(d.captureFormats)
    .u16array(d.imageFormats)
    .str(d.manufacturer)
    .str(d.model)
    .str(d.deviceVersion)
    .str(d.serialNumber)
    .finish();
}

/** Decodes a DeviceInfo dataset. */
export function decodeDeviceInfo(bytes: Uint8Array): DeviceInfo {
  const r = new PtpReader(bytes);
  return {
    standardVersion: r.u16(),
    vendorExtensionId: r.u32(),
    vendorExtensionVersion: r.u16(),
    vendorExtensionDesc: r.str(),
    functionalMode: r.u16(),
    operationsSupported: r.u16array(),
    eventsSupported: r.u16array(),
    devicePropertiesSupported: r.u16array(),
    captureFormats: r.u16array(),
    imageFormats: r.u16array(),
    manufacturer: r.str(),
    model: r.str(),
    deviceVersion: r.str(),
    serialNumber: r.str(),
  };
}

/** The StorageInfo dataset (ISO 15740 §5.5.3): what GetStorageInfo answers. */
export interface StorageInfo {
  storageType: number;
  filesystemType: number;
  accessCapability: number;
  maxCapacity: bigint;
  freeSpaceInBytes: bigint;
  freeSpaceInImages: number;
  storageDescription: string;
  volumeLabel: string;
}

/** Encodes a StorageInfo dataset. */
export function encodeStorageInfo(s: StorageInfo): Uint8Array {
  return new PtpWriter(64)
    .u16(s.storageType)
    .u16(s.filesystemType)
    .u16(s.accessCapability)
    .u64(s.maxCapacity)
    .u64(s.freeSpaceInBytes)
    .u32(s.freeSpaceInImages)
    .str(s.storageDescription)
    .str(s.volumeLabel)
    .finish();
}

/** Decodes a StorageInfo dataset. */
export function decodeStorageInfo(bytes: Uint8Array): StorageInfo {
  const r = new PtpReader(bytes);
  return {
    storageType: r.u16(),
    filesystemType: r.u16(),
    accessCapability: r.u16(),
    maxCapacity: r.u64(),
    freeSpaceInBytes: r.u64(),
    freeSpaceInImages: r.u32(),
    storageDescription: r.str(),
    volumeLabel: r.str(),
  };
}

/** The ObjectInfo dataset (ISO 15740 §5.5.2): what GetObjectInfo answers for a file or folder. */
export interface ObjectInfo {
  storageId: number;
  objectFormat: number;
  protectionStatus: number;
  /** u32 on the wire; objects ≥ 4 GiB say 0xFFFFFFFF (use GetPartialObject / the real size). */
  compressedSize: number;
  thumbFormat: number;
  thumbCompressedSize: number;
  thumbPixWidth: number;
  thumbPixHeight: number;
  imagePixWidth: number;
  imagePixHeight: number;
  imageBitDepth: number;
  parentObject: number;
  associationType: number;
  associationDesc: number;
  sequenceNumber: number;
  filename: string;
  captureDate: string;
  modificationDate: string;
  keywords: string;
}

/** Encodes an ObjectInfo dataset. */
export function encodeObjectInfo(o: ObjectInfo): Uint8Array {
  return new PtpWriter(160)
    .u32(o.storageId)
    .u16(o.objectFormat)
    .u16(o.protectionStatus)
    .u32(o.compressedSize)
    .u16(o.thumbFormat)
    .u32(o.thumbCompressedSize)
    .u32(o.thumbPixWidth)
    .u32(o.thumbPixHeight)
    .u32(o.imagePixWidth)
    .u32(o.imagePixHeight)
    .u32(o.imageBitDepth)
    .u32(o.parentObject)
    .u16(o.associationType)
    .u32(o.associationDesc)
    .u32(o.sequenceNumber)
    .str(o.filename)
    .str(o.captureDate)
    .str(o.modificationDate)
    .str(o.keywords)
    .finish();
}

/** Decodes an ObjectInfo dataset. */
export function decodeObjectInfo(bytes: Uint8Array): ObjectInfo {
  const r = new PtpReader(bytes);
  return {
    storageId: r.u32(),
    objectFormat: r.u16(),
    protectionStatus: r.u16(),
    compressedSize: r.u32(),
    thumbFormat: r.u16(),
    thumbCompressedSize: r.u32(),
    thumbPixWidth: r.u32(),
    thumbPixHeight: r.u32(),
    imagePixWidth: r.u32(),
    imagePixHeight: r.u32(),
    imageBitDepth: r.u32(),
    parentObject: r.u32(),
    associationType: r.u16(),
    associationDesc: r.u32(),
    sequenceNumber: r.u32(),
    filename: r.str(),
    captureDate: r.str(),
    modificationDate: r.str(),
    // Some cameras stop before Keywords; treat it as empty rather than failing the listing.
    keywords: r.remaining > 0 ? r.str() : '',
  };
}

/** The allowed values of a device property: any, a range with a step, or a list. */
export type PropForm =
  | { kind: 'none' }
  | { kind: 'range'; min: PtpValue; max: PtpValue; step: PtpValue }
  | { kind: 'enum'; values: PtpValue[] };

/** The DevicePropDesc dataset (ISO 15740 §5.5.4): a property's type, access, default, current value and form. */
export interface DevicePropDesc {
  code: number;
  dataType: DataTypeCode | number;
  /** 0 read-only, 1 read/write. */
  getSet: number;
  factoryDefault: PtpValue;
  current: PtpValue;
  form: PropForm;
}

/** Encodes a DevicePropDesc dataset. */
export function encodeDevicePropDesc(d: DevicePropDesc): Uint8Array {
  const w = new PtpWriter(64)
    .u16(d.code)
    .u16(d.dataType)
    .u8(d.getSet)
    .value(d.dataType, d.factoryDefault)
    .value(d.dataType, d.current);
  switch (d.form.kind) {
    case 'none':
      w.u8(0);
      break;
    case 'range':
      w.u8(1).value(d.dataType, d.form.min).value(d.dataType, d.form.max).value(d.dataType, d.form.step);
      break;
    case 'enum':
      if (d.form.values.length > 0xffff) throw new PtpEncodeError('enumeration longer than 65535');
      w.u8(2).u16(d.form.values.length);
      for (const v of d.form.values) w.value(d.dataType, v);
      break;
  }
  return w.finish();
}

/** Decodes a DevicePropDesc dataset. */
export function decodeDevicePropDesc(bytes: Uint8Array): DevicePropDesc {
  const r = new PtpReader(bytes);
  const code = r.u16();
  const dataType = r.u16();
  const getSet = r.u8();
  const factoryDefault = r.value(dataType);
  const current = r.value(dataType);
  // A desc that ends before FormFlag is read as "no form" (lenient; older firmwares).
  const flag = r.remaining > 0 ? r.u8() : 0;
  let form: PropForm;
  if (flag === 1) {
    form = { kind: 'range', min: r.value(dataType), max: r.value(dataType), step: r.value(dataType) };
  } else if (flag === 2) {
    const n = r.u16();
    const values: PtpValue[] = [];
    for (let i = 0; i < n; i++) values.push(r.value(dataType));
    form = { kind: 'enum', values };
  } else {
    form = { kind: 'none' };
  }
  return { code, dataType, getSet, factoryDefault, current, form };
}

/** A u32 array dataset (GetStorageIDs, GetObjectHandles). */
export function encodeU32Array(a: readonly number[]): Uint8Array {
  return new PtpWriter(4 + a.length * 4).u32array(a).finish();
}
/** Decodes a PTP array of u32 (GetStorageIDs and GetObjectHandles answer one). */
export function decodeU32Array(bytes: Uint8Array): number[] {
  return new PtpReader(bytes).u32array();
}

/** Whether `v` is allowed by a desc's form (range: min ≤ v ≤ max on the step grid). */
export function valueAllowed(desc: DevicePropDesc, v: PtpValue): boolean {
  if (!valueFitsType(desc.dataType, v)) return false;
  const f = desc.form;
  if (f.kind === 'enum') return f.values.some((x) => valuesEqual(x, v));
  if (f.kind === 'range' && (typeof v === 'number' || typeof v === 'bigint')) {
    const b = BigInt(v);
    const min = BigInt(f.min as PtpScalar);
    const max = BigInt(f.max as PtpScalar);
    const step = BigInt(f.step as PtpScalar);
    if (b < min || b > max) return false;
    return step === 0n || (b - min) % step === 0n;
  }
  return true;
}

/** Whether two PTP values are equal (numbers and bigints compared by value, arrays element by element). */
export function valuesEqual(a: PtpValue, b: PtpValue): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => BigInt(x) === BigInt(b[i] as PtpScalar));
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) return false;
  return BigInt(a as PtpScalar) === BigInt(b as PtpScalar);
}

// ---------------------------------------------------------------------------------------------
// Dates: `YYYYMMDDThhmmss[.s][Z|±hhmm]` (ISO 15740 §5.3.5).

/** Formats epoch ms as a PTP date in UTC offset `offsetMinutes` (no zone suffix when undefined). */
export function formatPtpDate(ms: number, offsetMinutes?: number): string {
  const d = new Date(ms + (offsetMinutes ?? 0) * 60_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  if (offsetMinutes === undefined) return base;
  if (offsetMinutes === 0) return `${base}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(offsetMinutes);
  return `${base}${sign}${p(Math.floor(a / 60))}${p(a % 60)}`;
}

/** Parses a PTP date to epoch ms; a date without zone is read as UTC. Undefined when malformed. */
export function parsePtpDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d))?(Z|[+-]\d{4})?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, tenth, zone] = m;
  let ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(se),
    tenth ? Number(tenth) * 100 : 0,
  );
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

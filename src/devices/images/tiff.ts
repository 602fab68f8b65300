/**
 * A small TIFF structure writer: IFDs, their out-of-line values and sub-IFDs (EXIF, GPS), in either
 * byte order. It serves two files: the Sequoia's 16-bit band TIFFs (image strip first, directories
 * after it, as the camera lays them out) and the EXIF block of the RGB JPEG (a TIFF structure with
 * no strip, big-endian like the camera's).
 *
 * Pure: values in, bytes out. Entries are written in ascending tag order (TIFF 6.0 §2 requires it)
 * and every out-of-line value starts on a word boundary.
 *
 * @example
 * const exif = encodeTiffStructure([
 *   { tag: 0x010f, value: ascii('Parrot') },
 *   { tag: 0x8769, value: { type: 'ifd', ifd: [{ tag: 0x8827, value: short(100) }], pointer: 'long' } },
 * ], { littleEndian: false });
 */
import { ImageError } from './errors.js';

export type TiffValue =
  | { type: 'byte'; values: ArrayLike<number> }
  | { type: 'ascii'; value: string }
  | { type: 'short'; values: readonly number[] }
  | { type: 'long'; values: readonly number[] }
  | { type: 'rational'; values: readonly (readonly [number, number])[] }
  | { type: 'srational'; values: readonly (readonly [number, number])[] }
  | { type: 'undefined'; bytes: Uint8Array }
  /**
   * A sub-directory. The camera types the pointer IFD (13) in its TIFFs and LONG (4) in its JPEG
   * EXIF, and readers show that type, so it is chosen per file.
   */
  | { type: 'ifd'; ifd: TiffIfd; pointer: 'long' | 'ifd' }
  /**
   * A LONG holding the offset of `bytes`, which are stored out of line in this directory's data
   * area: JPEGInterchangeFormat, the IFD1 thumbnail (its length goes in 0x0202 as a plain LONG).
   */
  | { type: 'offset'; bytes: Uint8Array }
  /**
   * A maker note in the TIFF-IFD style: UNDEFINED bytes holding `header` and then a directory
   * whose offsets, like the rest of the file's, count from the TIFF header (RICOH's layout: the
   * header "Ricoh\0\0\0", then an IFD with sub-directories of its own).
   */
  | { type: 'makernote'; header: Uint8Array; ifd: TiffIfd };

export interface TiffEntry {
  tag: number;
  value: TiffValue;
}

export type TiffIfd = readonly TiffEntry[];

export interface TiffEncodeOptions {
  littleEndian: boolean;
}

const TYPE_CODE = { byte: 1, ascii: 2, short: 3, long: 4, rational: 5, undefined: 7, srational: 10 } as const;
const LONG_POINTER = 4;
const IFD_POINTER = 13;

// ─── Value helpers, so call sites read like the tag table they copy ───────────────────────────

export const ascii = (value: string): TiffValue => ({ type: 'ascii', value });
export const short = (...values: number[]): TiffValue => ({ type: 'short', values });
export const long = (...values: number[]): TiffValue => ({ type: 'long', values });
export const bytes = (...values: number[]): TiffValue => ({ type: 'byte', values });
export const undef = (data: Uint8Array | string): TiffValue => ({
  type: 'undefined',
  bytes: typeof data === 'string' ? Buffer.from(data, 'latin1') : data,
});
export const rational = (...values: (readonly [number, number])[]): TiffValue => ({ type: 'rational', values });
export const srational = (...values: (readonly [number, number])[]): TiffValue => ({ type: 'srational', values });

/**
 * The Sequoia stores its float parameters (exposure, f-number, focal length…) as rationals with
 * 2³¹−1 as one term, computed in float32: x < 1 → round(x·2³¹) / (2³¹−1), x ≥ 1 →
 * (2³¹−1) / float32(2³¹/x). The fixture's ExposureTime 6442451/2147483647, FNumber
 * 2147483647/976128896 and FocalLength 2147483647/539568768 are exactly this, float32 rounding of
 * the large term included.
 */
export function floatRational(x: number): readonly [number, number] {
  const MAX = 0x7fffffff;
  const TWO31 = 2147483648;
  const f = Math.fround(x);
  if (f === 0) return [0, 1];
  const a = Math.abs(f);
  const sign = f < 0 ? -1 : 1;
  if (a < 1) return [sign * Math.min(MAX, Math.round(Math.fround(a * TWO31))), MAX];
  return [sign * MAX, Math.max(1, Math.min(MAX, Math.round(Math.fround(TWO31 / a))))];
}

// ─── Layout ────────────────────────────────────────────────────────────────────────────────────

type PlainValue = Exclude<TiffValue, { type: 'ifd' } | { type: 'offset' } | { type: 'makernote' }>;

function valueCount(v: PlainValue): number {
  switch (v.type) {
    case 'ascii':
      return Buffer.byteLength(v.value, 'latin1') + 1;
    case 'undefined':
      return v.bytes.length;
    case 'byte':
      return v.values.length;
    default:
      return v.values.length;
  }
}

function valueSize(v: TiffValue): number {
  switch (v.type) {
    case 'ifd':
    case 'offset':
      return 4;
    case 'makernote':
      return v.header.length + measure(v.ifd);
    case 'ascii':
    case 'undefined':
    case 'byte':
      return valueCount(v);
    case 'short':
      return 2 * v.values.length;
    case 'long':
      return 4 * v.values.length;
    case 'rational':
    case 'srational':
      return 8 * v.values.length;
  }
}

const even = (n: number): number => n + (n & 1);

function sorted(ifd: TiffIfd): TiffEntry[] {
  const out = [...ifd].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.tag === out[i - 1]!.tag) {
      throw new ImageError('ERR_CAMCTL_IMAGE_TIFF_ENCODE', `duplicate TIFF tag 0x${out[i]!.tag.toString(16)}`);
    }
  }
  return out;
}

/** Bytes an IFD takes with its out-of-line values and, after them, its sub-IFDs. */
function measure(ifd: TiffIfd): number {
  let size = 2 + 12 * ifd.length + 4;
  for (const e of ifd) {
    const s = valueSize(e.value);
    if (s > 4) size += even(s);
    if (e.value.type === 'offset') size += even(e.value.bytes.length);
  }
  for (const e of ifd) if (e.value.type === 'ifd') size += even(measure(e.value.ifd));
  return size;
}

function checkWord(n: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new ImageError('ERR_CAMCTL_IMAGE_TIFF_ENCODE', `${what} value ${n} out of range`);
  }
}

/** A DataView over a block that begins `base` bytes after the TIFF header. */
class OffsetView {
  private readonly dv: DataView;
  constructor(
    buf: Buffer,
    private readonly base: number,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  setUint8(o: number, v: number): void {
    this.dv.setUint8(o - this.base, v);
  }
  setUint16(o: number, v: number, le: boolean): void {
    this.dv.setUint16(o - this.base, v, le);
  }
  setUint32(o: number, v: number, le: boolean): void {
    this.dv.setUint32(o - this.base, v, le);
  }
  setInt32(o: number, v: number, le: boolean): void {
    this.dv.setInt32(o - this.base, v, le);
  }
}

function writeValue(dv: OffsetView, at: number, v: PlainValue, le: boolean): void {
  switch (v.type) {
    case 'ascii': {
      const b = Buffer.from(v.value, 'latin1');
      for (let i = 0; i < b.length; i++) dv.setUint8(at + i, b[i]!);
      dv.setUint8(at + b.length, 0);
      return;
    }
    case 'undefined':
      for (let i = 0; i < v.bytes.length; i++) dv.setUint8(at + i, v.bytes[i]!);
      return;
    case 'byte':
      for (let i = 0; i < v.values.length; i++) {
        checkWord(v.values[i]!, 0xff, 'BYTE');
        dv.setUint8(at + i, v.values[i]!);
      }
      return;
    case 'short':
      v.values.forEach((x, i) => {
        checkWord(x, 0xffff, 'SHORT');
        dv.setUint16(at + 2 * i, x, le);
      });
      return;
    case 'long':
      v.values.forEach((x, i) => {
        checkWord(x, 0xffffffff, 'LONG');
        dv.setUint32(at + 4 * i, x, le);
      });
      return;
    case 'rational':
      v.values.forEach(([n, d], i) => {
        checkWord(n, 0xffffffff, 'RATIONAL');
        checkWord(d, 0xffffffff, 'RATIONAL');
        dv.setUint32(at + 8 * i, n, le);
        dv.setUint32(at + 8 * i + 4, d, le);
      });
      return;
    case 'srational':
      v.values.forEach(([n, d], i) => {
        if (!Number.isInteger(n) || !Number.isInteger(d) || Math.abs(n) > 0x7fffffff || Math.abs(d) > 0x7fffffff) {
          throw new ImageError('ERR_CAMCTL_IMAGE_TIFF_ENCODE', `SRATIONAL value ${n}/${d} out of range`);
        }
        dv.setInt32(at + 8 * i, n, le);
        dv.setInt32(at + 8 * i + 4, d, le);
      });
      return;
  }
}

function copyBytes(dv: OffsetView, at: number, b: Uint8Array): void {
  for (let i = 0; i < b.length; i++) dv.setUint8(at + i, b[i]!);
}

/**
 * Writes `ifd` at `offset` (relative to the TIFF header in `dv`); returns the end offset.
 * `next` is the offset of the following IFD in the chain (IFD1 after IFD0), 0 for none.
 */
function writeIfd(dv: OffsetView, offset: number, ifd: TiffIfd, le: boolean, next = 0): number {
  const entries = sorted(ifd);
  dv.setUint16(offset, entries.length, le);
  let data = offset + 2 + 12 * entries.length + 4;
  dv.setUint32(data - 4, next, le);
  let sub = data;
  for (const e of entries) {
    const s = valueSize(e.value);
    if (s > 4) sub += even(s);
    if (e.value.type === 'offset') sub += even(e.value.bytes.length);
  }
  entries.forEach((e, i) => {
    const at = offset + 2 + 12 * i;
    dv.setUint16(at, e.tag, le);
    const v = e.value;
    if (v.type === 'ifd') {
      dv.setUint16(at + 2, v.pointer === 'long' ? LONG_POINTER : IFD_POINTER, le);
      dv.setUint32(at + 4, 1, le);
      dv.setUint32(at + 8, sub, le);
      sub = even(writeIfd(dv, sub, v.ifd, le));
      return;
    }
    if (v.type === 'offset') {
      dv.setUint16(at + 2, TYPE_CODE.long, le);
      dv.setUint32(at + 4, 1, le);
      dv.setUint32(at + 8, data, le);
      copyBytes(dv, data, v.bytes);
      if (v.bytes.length & 1) dv.setUint8(data + v.bytes.length, 0);
      data += even(v.bytes.length);
      return;
    }
    if (v.type === 'makernote') {
      const size = valueSize(v);
      dv.setUint16(at + 2, TYPE_CODE.undefined, le);
      dv.setUint32(at + 4, size, le);
      dv.setUint32(at + 8, data, le);
      copyBytes(dv, data, v.header);
      // The header keeps the directory on a word boundary only if it is of even length.
      if (v.header.length & 1)
        throw new ImageError('ERR_CAMCTL_IMAGE_TIFF_ENCODE', 'maker note header must be of even length');
      writeIfd(dv, data + v.header.length, v.ifd, le);
      data += even(size);
      return;
    }
    dv.setUint16(at + 2, TYPE_CODE[v.type], le);
    dv.setUint32(at + 4, valueCount(v), le);
    const s = valueSize(v);
    if (s <= 4) {
      dv.setUint32(at + 8, 0, le);
      writeValue(dv, at + 8, v, le);
    } else {
      dv.setUint32(at + 8, data, le);
      writeValue(dv, data, v, le);
      if (s & 1) dv.setUint8(data + s, 0);
      data += even(s);
    }
  });
  return sub;
}

/**
 * The directories of a TIFF whose header sits at offset 0 and whose IFD0 starts at `ifdOffset`
 * (e.g. after the image strip). Returns only the bytes from `ifdOffset` on.
 */
export function encodeIfdBlock(ifd0: TiffIfd, ifdOffset: number, options: TiffEncodeOptions): Buffer {
  if (ifdOffset % 2 !== 0) throw new ImageError('ERR_CAMCTL_IMAGE_TIFF_ENCODE', 'IFD offset must be even');
  // Offsets inside a TIFF count from its header; this block starts at ifdOffset, so the view is
  // told where it sits and subtracts that on every write.
  const out = Buffer.alloc(even(measure(ifd0)));
  const view = new OffsetView(out, ifdOffset);
  writeIfd(view, ifdOffset, ifd0, options.littleEndian);
  return out;
}

/** The 8-byte TIFF header pointing at IFD0. */
export function encodeTiffHeader(ifdOffset: number, options: TiffEncodeOptions): Buffer {
  const b = Buffer.alloc(8);
  if (options.littleEndian) {
    b.write('II', 0, 'latin1');
    b.writeUInt16LE(42, 2);
    b.writeUInt32LE(ifdOffset, 4);
  } else {
    b.write('MM', 0, 'latin1');
    b.writeUInt16BE(42, 2);
    b.writeUInt32BE(ifdOffset, 4);
  }
  return b;
}

/**
 * A whole TIFF structure with no image data: header then IFD0 at offset 8 (EXIF in a JPEG), and
 * after it, when given, IFD1 (the thumbnail's directory, chained from IFD0).
 */
export function encodeTiffStructure(ifd0: TiffIfd, options: TiffEncodeOptions, ifd1?: TiffIfd): Buffer {
  if (!ifd1) return Buffer.concat([encodeTiffHeader(8, options), encodeIfdBlock(ifd0, 8, options)]);
  const ifd1Offset = 8 + even(measure(ifd0));
  const out = Buffer.alloc(ifd1Offset + even(measure(ifd1)));
  encodeTiffHeader(8, options).copy(out, 0);
  const view = new OffsetView(out, 0);
  writeIfd(view, 8, ifd0, options.littleEndian, ifd1Offset);
  writeIfd(view, ifd1Offset, ifd1, options.littleEndian);
  return out;
}

/**
 * A single-strip uncompressed TIFF laid out as the Sequoia writes it: header, the strip at offset
 * 8, then the directories. `ifd0` must already carry StripOffsets = 8 and StripByteCounts.
 * `strip` may be written by `fill` straight into the output to avoid one copy of the pixels.
 */
export function encodeStripTiff(
  ifd0: TiffIfd,
  stripLength: number,
  fill: (target: Buffer) => void,
  options: TiffEncodeOptions,
): Buffer {
  const ifdOffset = 8 + even(stripLength);
  const dirs = encodeIfdBlock(ifd0, ifdOffset, options);
  const out = Buffer.allocUnsafe(ifdOffset + dirs.length);
  encodeTiffHeader(ifdOffset, options).copy(out, 0);
  fill(out.subarray(8, 8 + stripLength));
  if (stripLength & 1) out[8 + stripLength] = 0;
  dirs.copy(out, ifdOffset);
  return out;
}

/**
 * JPEG at the marker-segment level (ITU T.81 Annex B): split a baseline file into its header
 * segments and entropy-coded scan, and write segments back — enough to drop the encoder's JFIF
 * APP0, put the camera's EXIF and XMP APP1 segments first (as the Sequoia orders them: SOI,
 * APP1 Exif, APP1 XMP, DQT, SOF0, DHT, SOS) and splice a scan that was assembled elsewhere.
 *
 * @example
 * const { segments, scan } = parseJpeg(await sharp(raw).jpeg().toBuffer());
 * const file = writeJpeg([exifSegment(tiff), xmpSegment(xmp), ...segments.filter(isTableOrFrame)], scan);
 */
import { ImageError } from './errors.js';

export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;
export const DQT = 0xdb;
export const DHT = 0xc4;
export const DRI = 0xdd;
export const SOF0 = 0xc0;
export const APP0 = 0xe0;
export const APP1 = 0xe1;
export const COM = 0xfe;

/** APP0…APP15: application data (JFIF, Exif, XMP, ICC …). */
export const isAppSegment = (s: JpegSegment): boolean => s.marker >= APP0 && s.marker <= 0xef;

const EXIF_ID = Buffer.from('Exif\0\0', 'latin1');
const XMP_ID = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
const MAX_PAYLOAD = 0xffff - 2;

export interface JpegSegment {
  marker: number;
  /** The payload after the 2-byte length. */
  data: Buffer;
}

export interface ParsedJpeg {
  /** Every segment before the scan, SOS excluded. */
  segments: JpegSegment[];
  sos: JpegSegment;
  /** Entropy-coded data of the (single) scan, up to but not including EOI. */
  scan: Buffer;
}

function fail(message: string): never {
  throw new ImageError('ERR_CAMCTL_IMAGE_JPEG_FORMAT', message);
}

/** Splits a single-scan JPEG. Progressive files (several scans) are refused. */
export function parseJpeg(buf: Buffer): ParsedJpeg {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== SOI) fail('not a JPEG (no SOI)');
  const segments: JpegSegment[] = [];
  let p = 2;
  for (;;) {
    // Fill bytes (0xFF runs) may precede a marker (T.81 B.1.1.2).
    while (p < buf.length && buf[p] === 0xff && buf[p + 1] === 0xff) p++;
    if (p + 4 > buf.length) fail('truncated JPEG header');
    if (buf[p] !== 0xff) fail(`expected a marker at byte ${p}`);
    const marker = buf[p + 1]!;
    if (marker === EOI) fail('JPEG ends before its scan');
    const length = buf.readUInt16BE(p + 2);
    if (length < 2 || p + 2 + length > buf.length) fail(`segment 0x${marker.toString(16)} overruns the file`);
    const seg = { marker, data: buf.subarray(p + 4, p + 2 + length) };
    p += 2 + length;
    if (marker === SOS) {
      const end = findEoi(buf, p);
      return { segments, sos: seg, scan: buf.subarray(p, end) };
    }
    if (marker >= 0xc1 && marker <= 0xcf && marker !== DHT && marker !== 0xc8 && marker !== 0xcc) {
      fail(`unsupported JPEG process (SOF 0x${marker.toString(16)}); baseline only`);
    }
    segments.push(seg);
  }
}

function findEoi(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length - 1; i++) {
    if (buf[i] !== 0xff) continue;
    const m = buf[i + 1]!;
    if (m === 0x00 || (m >= 0xd0 && m <= 0xd7) || m === 0xff) continue;
    if (m === EOI) return i;
    fail(`unexpected marker 0x${m.toString(16)} inside the scan (multi-scan JPEG?)`);
  }
  fail('JPEG scan has no EOI');
}

export function encodeSegment(marker: number, data: Uint8Array): Buffer {
  if (data.length > MAX_PAYLOAD) fail(`segment payload of ${data.length} bytes exceeds 65533`);
  const head = Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff]);
  return Buffer.concat([head, data]);
}

/** APP1 "Exif\0\0" + a TIFF structure. */
export function exifSegment(tiff: Uint8Array): JpegSegment {
  return { marker: APP1, data: Buffer.concat([EXIF_ID, tiff]) };
}

/** APP1 with the Adobe XMP namespace id + the packet. */
export function xmpSegment(packet: Uint8Array): JpegSegment {
  return { marker: APP1, data: Buffer.concat([XMP_ID, packet]) };
}

export function isExifSegment(s: JpegSegment): boolean {
  return s.marker === APP1 && s.data.subarray(0, EXIF_ID.length).equals(EXIF_ID);
}

export function isXmpSegment(s: JpegSegment): boolean {
  return s.marker === APP1 && s.data.subarray(0, XMP_ID.length).equals(XMP_ID);
}

/** SOI, segments, SOS, scan, EOI — as one buffer with a single copy of the scan. */
export function writeJpeg(segments: readonly JpegSegment[], sos: JpegSegment, scan: Uint8Array): Buffer {
  const heads = [...segments, sos].map((s) => encodeSegment(s.marker, s.data));
  const headLength = heads.reduce((n, b) => n + b.length, 0);
  const out = Buffer.allocUnsafe(2 + headLength + scan.length + 2);
  out[0] = 0xff;
  out[1] = SOI;
  let p = 2;
  for (const h of heads) p += h.copy(out, p);
  out.set(scan, p);
  p += scan.length;
  out[p] = 0xff;
  out[p + 1] = EOI;
  return out;
}

/**
 * Test helpers for the image writers: an independent, minimal TIFF directory reader (so tag types
 * are checked by code that shares nothing with src/devices/images/tiff.ts), XMP property lists,
 * exiftool access, and a baseline request.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SequoiaImageRequest } from '../../src/devices/images/sequoia.js';

const run = promisify(execFile);

export const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The real capture (test/fixtures/README.md says where it comes from). */
export const FIXTURE_DIR = path.resolve(HERE, '../fixtures/sequoia-real/0077');
export const REFERENCE_JSON = path.join(HERE, 'fixtures/sequoia-0077-tags.json');
export const FIXTURE_FILES = {
  GRE: 'IMG_180413_080658_0000_GRE.TIF',
  RED: 'IMG_180413_080658_0000_RED.TIF',
  REG: 'IMG_180413_080658_0000_REG.TIF',
  NIR: 'IMG_180413_080658_0000_NIR.TIF',
  RGB: 'IMG_180413_080658_0000_RGB.JPG',
} as const;

export interface DirEntry {
  dir: string;
  tag: number;
  type: number;
  count: number;
  /** Raw value bytes (inline or at the offset). */
  value: Buffer;
}

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

/** Reads IFD0 and the EXIF (0x8769) and GPS (0x8825) sub-IFDs of a TIFF structure. */
export function readTiffDirs(tiff: Buffer): DirEntry[] {
  const le = tiff.toString('latin1', 0, 2) === 'II';
  if (!le && tiff.toString('latin1', 0, 2) !== 'MM') throw new Error('not a TIFF structure');
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  if (u16(2) !== 42) throw new Error('bad TIFF magic');
  const out: DirEntry[] = [];
  const walk = (offset: number, dir: string) => {
    const n = u16(offset);
    for (let i = 0; i < n; i++) {
      const e = offset + 2 + 12 * i;
      const tag = u16(e);
      const type = u16(e + 2);
      const count = u32(e + 4);
      const size = (TYPE_SIZES[type] ?? 1) * count;
      const at = size <= 4 ? e + 8 : u32(e + 8);
      const value = tiff.subarray(at, at + size);
      out.push({ dir, tag, type, count, value });
      if (tag === 0x8769) walk(u32(e + 8), 'ExifIFD');
      if (tag === 0x8825) walk(u32(e + 8), 'GPS');
    }
  };
  walk(u32(4), 'IFD0');
  return out;
}

/** The TIFF structure inside a JPEG's APP1 Exif segment. */
export function jpegExif(jpeg: Buffer): Buffer {
  let p = 2;
  while (p < jpeg.length) {
    const marker = jpeg[p + 1]!;
    const length = jpeg.readUInt16BE(p + 2);
    if (marker === 0xe1 && jpeg.toString('latin1', p + 4, p + 10) === 'Exif\0\0')
      return jpeg.subarray(p + 10, p + 2 + length);
    if (marker === 0xda) break;
    p += 2 + length;
  }
  throw new Error('no Exif APP1');
}

/** JPEG marker codes before the scan, in order. */
export function jpegMarkers(jpeg: Buffer): number[] {
  const out: number[] = [];
  let p = 2;
  while (p < jpeg.length) {
    const marker = jpeg[p + 1]!;
    out.push(marker);
    if (marker === 0xda) break;
    p += 2 + jpeg.readUInt16BE(p + 2);
  }
  return out;
}

/** The XMP packet text of a TIFF (tag 700) or JPEG (APP1 Adobe namespace). */
export function xmpText(file: Buffer): string {
  const start = file.indexOf('<?xpacket begin');
  const end = file.indexOf('<?xpacket end="w"?>', start);
  if (start < 0 || end < 0) throw new Error('no XMP packet');
  return file.toString('utf8', start, end + '<?xpacket end="w"?>'.length);
}

/** Camera: property names in document order. */
export function xmpCameraProperties(xmp: string): string[] {
  const names: string[] = [];
  for (const m of xmp.matchAll(/(?:\s|<)Camera:([A-Za-z0-9]+)(?==|>)/g)) if (!names.includes(m[1]!)) names.push(m[1]!);
  return names;
}

/** A short signature of an entry for set comparisons: "ExifIFD 0x829a type 5". */
export const entryKey = (e: DirEntry) => `${e.dir} 0x${e.tag.toString(16).padStart(4, '0')} type ${e.type}`;

// ─── exiftool ──────────────────────────────────────────────────────────────────────────────────

export async function exiftoolAvailable(): Promise<boolean> {
  try {
    await run('exiftool', ['-ver']);
    return true;
  } catch {
    return false;
  }
}

/** "Group:Tag" names exiftool reports (-G1 -s -a -u), without the file-system groups. */
export async function exiftoolTagNames(file: string): Promise<string[]> {
  const { stdout } = await run('exiftool', ['-G1', '-s', '-a', '-u', '-j', file], { maxBuffer: 16 << 20 });
  const [record] = JSON.parse(stdout) as Record<string, unknown>[];
  return Object.keys(record ?? {})
    .filter((k) => !k.startsWith('System:') && !k.startsWith('ExifTool:') && k !== 'SourceFile')
    .sort();
}

/** exiftool's value for each "Group:Tag" (-n: numbers, not descriptions). */
export async function exiftoolValues(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('exiftool', ['-G1', '-s', '-a', '-u', '-j', '-n', file], { maxBuffer: 16 << 20 });
  return (JSON.parse(stdout) as Record<string, unknown>[])[0] ?? {};
}

/** What `exiftool -validate` says of the file: its summary and each warning or error, sorted. */
export async function exiftoolValidation(file: string): Promise<string[]> {
  const { stdout } = await run('exiftool', ['-validate', '-warning', '-error', '-a', '-s', file]);
  return stdout
    .split('\n')
    .map((l) => l.replace(/\s+:\s+/, ': ').trim())
    .filter((l) => l.length > 0)
    .sort();
}

// ─── Requests ──────────────────────────────────────────────────────────────────────────────────

/** The fixture's capture, as a request (the values the camera had at that moment). */
export function fixtureLikeRequest(
  band: SequoiaImageRequest['band'],
  overrides: Partial<SequoiaImageRequest> = {},
): SequoiaImageRequest {
  const rgb = band === 'RGB';
  return {
    band,
    width: rgb ? 4608 : 1280,
    height: rgb ? 3456 : 960,
    bitDepth: 10,
    captureTimeMs: Date.UTC(2018, 3, 13, 8, 6, 58, 267),
    serialNumber: 'PI040378AA6C000181',
    firmwareVersion: '1.4.1',
    exposureUs: 3000,
    iso: rgb ? 333 : 621,
    gps: { fix: false, lat: 0, lon: 0, altitude: 0 },
    attitude: { yaw: -63.78289, pitch: 0.457332, roll: 1.283359 },
    irradiance: rgb
      ? null
      : [
          {
            timestampUs: 148190753n,
            ch0: 14,
            ch1: 7,
            gainIndex: 1,
            integrationMs: 100,
            yaw: -103.3,
            pitch: -0.0086,
            roll: -8.02,
          },
          {
            timestampUs: 148390717n,
            ch0: 14,
            ch1: 7,
            gainIndex: 1,
            integrationMs: 100,
            yaw: -103.4,
            pitch: 0.105,
            roll: -8.01,
          },
        ],
    captureUuid: 'BE5AB0ABA969E1CB424A394AA2FD3208',
    flightUuid: '1E001581A21043218521E4139DDB5CDC',
    pictureIndex: 0,
    scene: { x: 0, y: 0 },
    sunshineSerialNumber: 'PI040379AA6E000358',
    ...overrides,
  };
}

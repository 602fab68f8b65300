/**
 * Reads back the EXIF and GPano XMP of a JPEG, for `camera.getMetadata`: the reply must describe the
 * actual file (metadata_full_done.json shows the camera's shape: EXIF tag names → values, XMP GPano
 * property names → values), so this parses the bytes rather than echoing the settings.
 */

const TAG_NAMES: Record<number, string> = {
  0x0103: 'Compression',
  0x010e: 'ImageDescription',
  0x010f: 'Make',
  0x0110: 'Model',
  0x0112: 'Orientation',
  0x011a: 'XResolution',
  0x011b: 'YResolution',
  0x0128: 'ResolutionUnit',
  0x0131: 'Software',
  0x0132: 'DateTime',
  0x0213: 'YCbCrPositioning',
  0x8298: 'Copyright',
  0x829a: 'ExposureTime',
  0x829d: 'FNumber',
  0x8822: 'ExposureProgram',
  0x8827: 'PhotographicSensitivity',
  0x9000: 'ExifVersion',
  0x9003: 'DateTimeOriginal',
  0x9004: 'DateTimeDigitized',
  0x9201: 'ShutterSpeedValue',
  0x9202: 'ApertureValue',
  0x9203: 'BrightnessValue',
  0x9204: 'ExposureBiasValue',
  0x9207: 'MeteringMode',
  0x9209: 'Flash',
  0x920a: 'FocalLength',
  0xa001: 'ColorSpace',
  // The camera's reply names the Exif pixel dimensions as the TIFF ones.
  0xa002: 'ImageWidth',
  0xa003: 'ImageLength',
  0xa402: 'ExposureMode',
  0xa403: 'WhiteBalance',
};

const GPS_NAMES: Record<number, string> = {
  0x0001: 'GPSLatitudeRef',
  0x0002: 'GPSLatitude',
  0x0003: 'GPSLongitudeRef',
  0x0004: 'GPSLongitude',
  0x0012: 'GPSMapDatum',
};

/** Degrees, minutes, seconds → one decimal number of degrees (6 places), as the reply carries them. */
function decimalDegrees(v: unknown): unknown {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number')) return v;
  const [d, m, s] = v as [number, number, number];
  return Math.round((d + m / 60 + s / 3600) * 1e6) / 1e6;
}

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/** The TIFF bytes of the first EXIF APP1 segment, if any. */
function exifTiff(jpeg: Buffer): Buffer | undefined {
  let i = 2;
  while (i + 4 < jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xda) break;
    const len = jpeg.readUInt16BE(i + 2);
    if (marker === 0xe1 && jpeg.toString('latin1', i + 4, i + 10) === 'Exif\0\0')
      return jpeg.subarray(i + 10, i + 2 + len);
    i += 2 + len;
  }
  return undefined;
}

/** The XMP packet of the APP1 XMP segment, if any. */
function xmpPacket(jpeg: Buffer): string | undefined {
  const ns = 'http://ns.adobe.com/xap/1.0/\0';
  let i = 2;
  while (i + 4 < jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xda) break;
    const len = jpeg.readUInt16BE(i + 2);
    if (marker === 0xe1 && jpeg.toString('latin1', i + 4, i + 4 + ns.length) === ns)
      return jpeg.toString('utf8', i + 4 + ns.length, i + 2 + len);
    i += 2 + len;
  }
  return undefined;
}

function readIfd(
  tiff: Buffer,
  offset: number,
  le: boolean,
  names: Record<number, string>,
  out: Record<string, unknown>,
  pointers: Record<string, number>,
): void {
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const i32 = (o: number) => (le ? tiff.readInt32LE(o) : tiff.readInt32BE(o));
  if (offset + 6 > tiff.length) return;
  const n = u16(offset);
  for (let k = 0; k < n; k++) {
    const e = offset + 2 + k * 12;
    if (e + 12 > tiff.length) return;
    const tag = u16(e);
    const type = u16(e + 2);
    const count = u32(e + 4);
    if (tag === 0x8769) pointers['exif'] = u32(e + 8);
    if (tag === 0x8825) pointers['gps'] = u32(e + 8);
    const name = names[tag];
    if (!name) continue;
    const size = (TYPE_SIZE[type] ?? 1) * count;
    const at = size <= 4 ? e + 8 : u32(e + 8);
    if (at + size > tiff.length) continue;
    const values: unknown[] = [];
    for (let j = 0; j < count && j < 64; j++) {
      switch (type) {
        case 3:
          values.push(u16(at + j * 2));
          break;
        case 4:
          values.push(u32(at + j * 4));
          break;
        case 9:
          values.push(i32(at + j * 4));
          break;
        case 5: {
          const den = u32(at + j * 8 + 4);
          values.push(den ? u32(at + j * 8) / den : 0);
          break;
        }
        case 10: {
          const den = i32(at + j * 8 + 4);
          values.push(den ? i32(at + j * 8) / den : 0);
          break;
        }
        case 1:
          values.push(tiff[at + j]);
          break;
        default:
          break;
      }
    }
    if (type === 2) out[name] = tiff.toString('latin1', at, at + count).replace(/\0+$/, '');
    else if (type === 7) out[name] = tiff.toString('latin1', at, at + count);
    else out[name] = values.length === 1 ? values[0] : values;
  }
}

/** The next-IFD link after the directory at `offset` (IFD0 → IFD1), 0 when none. */
function nextIfd(tiff: Buffer, offset: number, le: boolean): number {
  if (offset + 2 > tiff.length) return 0;
  const n = le ? tiff.readUInt16LE(offset) : tiff.readUInt16BE(offset);
  const at = offset + 2 + 12 * n;
  if (at + 4 > tiff.length) return 0;
  return le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at);
}

/**
 * EXIF tags of a JPEG by name (IFD0, Exif IFD, GPS IFD and the thumbnail's Compression from IFD1
 * merged, as the camera reports them).
 */
export function readExif(jpeg: Buffer): Record<string, unknown> {
  const tiff = exifTiff(jpeg);
  const out: Record<string, unknown> = {};
  if (!tiff || tiff.length < 8) return out;
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const ifd0 = le ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  const pointers: Record<string, number> = {};
  readIfd(tiff, ifd0, le, TAG_NAMES, out, pointers);
  if (pointers['exif'] !== undefined) readIfd(tiff, pointers['exif'], le, TAG_NAMES, out, {});
  if (pointers['gps'] !== undefined) {
    readIfd(tiff, pointers['gps'], le, GPS_NAMES, out, {});
    for (const k of ['GPSLatitude', 'GPSLongitude']) if (k in out) out[k] = decimalDegrees(out[k]);
  }
  const ifd1 = nextIfd(tiff, ifd0, le);
  if (ifd1 > 0) readIfd(tiff, ifd1, le, { 0x0103: 'Compression' }, out, {});
  return out;
}

/** GPano properties of the XMP packet, with numbers and booleans typed. */
export function readGpanoXmp(jpeg: Buffer): Record<string, unknown> {
  const xmp = xmpPacket(jpeg);
  const out: Record<string, unknown> = {};
  if (!xmp) return out;
  const typed = (v: string): unknown =>
    /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === 'True' ? true : v === 'False' ? false : v;
  for (const m of xmp.matchAll(/<GPano:(\w+)>([^<]*)<\/GPano:\1>/g)) out[m[1]!] = typed(m[2]!);
  for (const m of xmp.matchAll(/GPano:(\w+)="([^"]*)"/g)) out[m[1]!] = typed(m[2]!);
  return out;
}

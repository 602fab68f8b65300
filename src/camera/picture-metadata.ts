/**
 * What a picture says about itself: the EXIF, GPS and XMP a Sequoia or a THETA writes into its
 * files, read with exifr into one typed object — capture time, position, exposure, the Sequoia's
 * band, attitude and sunshine-sensor irradiance, the THETA's GPano (photo sphere) fields. One
 * reader for every caller: `camctl exif` (a local file or a camera file), `camctl sync --to s3://`,
 * which reads the first bytes of a file while streaming it (see {@link readPictureMetadata}), and
 * the dashboard viewer's details panel, which reads the copy its image cache already holds.
 *
 * Where the tags come from: EXIF 2.3 (CIPA DC-008) for IFD0, the EXIF and GPS directories;
 * Parrot's Sequoia documentation for the XMP `Camera:` namespace (BandName, CentralWavelength,
 * WavelengthFWHM, Yaw/Pitch/Roll, IrradianceList — 28-byte little-endian records of the sunshine sensor); Google's Photo Sphere
 * XMP metadata for `GPano:`.
 *
 * @example
 * const m = await readPictureMetadata('./flight/internal/0077/IMG_180413_080658_0000_NIR.TIF');
 * console.log(m.band, m.gps, m.exposureTime);
 */
import exifr from 'exifr';
import { CameraError } from './errors.js';
import type { Camera, RemoteFile } from './types.js';

/** A position from the GPS directory, WGS 84 decimal degrees; altitude in metres above sea level. */
export interface PictureGps {
  lat: number;
  lon: number;
  alt?: number;
}

/** Which way the imager pointed when the picture was taken, degrees (Sequoia XMP `Camera:Yaw/Pitch/Roll`). */
export interface PictureAttitude {
  yaw: number;
  pitch: number;
  roll: number;
}

/** The Sequoia's sunshine sensor around a mono band's exposure: its last sample, raw counts. */
export interface PictureIrradiance {
  /** Samples in the file's IrradianceList (the sensor samples at about 5 Hz). */
  samples: number;
  /** The latest sample (closest to the exposure): the band's photodiode counts and how they were taken. */
  ch0: number;
  ch1: number;
  gainIndex: number;
  integrationMs: number;
  /** Sunshine sensor clock, µs since power-on, of that sample. */
  timestampUs: number;
  /** `Camera:IrradianceUnitScale`, where the file gives it. */
  unitScale?: number;
  /** Serial number of the sunshine sensor. */
  sensorSerial?: string;
}

/** A picture's metadata; every field is absent where the file does not carry it. */
export interface PictureMetadata {
  make?: string;
  model?: string;
  serialNumber?: string;
  /** Firmware that wrote the file (EXIF Software). */
  software?: string;
  width?: number;
  height?: number;
  /**
   * When the picture was taken, as the file writes it (EXIF DateTimeOriginal with its sub-seconds):
   * `YYYY-MM-DDTHH:MM:SS[.fff]`, with the offset when the file gives one (OffsetTimeOriginal);
   * EXIF times without an offset are the camera's clock, not a known time zone.
   */
  captureTime?: string;
  gps?: PictureGps;
  /** Seconds. */
  exposureTime?: number;
  iso?: number;
  fNumber?: number;
  /** Millimetres. */
  focalLength?: number;
  /** Sequoia: the band as the camera names it (`Green`, `Red`, `Red edge`, `NIR`; `RGB` for the RGB picture). */
  band?: string;
  /** Sequoia mono bands: centre of the band's filter, nm. */
  centralWavelength?: number;
  /** Sequoia mono bands: width of the band's filter at half its maximum (FWHM), nm. */
  wavelengthFwhm?: number;
  attitude?: PictureAttitude;
  irradiance?: PictureIrradiance;
  /** THETA: the photo-sphere fields of the GPano XMP namespace, by their names (ProjectionType, PoseHeadingDegrees…). */
  panorama?: Record<string, string | number | boolean>;
}

/** How much of a camera file is read when the metadata is at its start (JPEG: APP1 segments). */
export const JPEG_PREFIX_BYTES = 1024 * 1024;
/** The most of a camera file read into memory; a TIFF's directories may follow its pixels. */
export const MAX_PICTURE_BYTES = 64 * 1024 * 1024;

const PARSE_OPTIONS = {
  tiff: true,
  exif: true,
  gps: true,
  xmp: true,
  interop: false,
  ifd1: false,
  makerNote: false,
  userComment: false,
  multiSegment: true,
  mergeOutput: false,
  reviveValues: false,
  translateValues: false,
  silentErrors: true,
} as const;

type Segments = Record<string, Record<string, unknown> | undefined>;

/**
 * Reads the metadata of a picture: a local file path, or bytes already in memory (the start of a
 * file is enough for a JPEG; a TIFF's directories may sit after its pixels, so a prefix of a TIFF
 * gives what lies in it). A file with no metadata gives `{}`; a file that is not a picture at all
 * gives `{}` too — there is nothing in it to read.
 */
export async function readPictureMetadata(source: string | Uint8Array): Promise<PictureMetadata> {
  let segments: Segments | undefined;
  try {
    segments = (await exifr.parse(
      typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength),
      PARSE_OPTIONS,
    )) as Segments | undefined;
  } catch (err) {
    // exifr throws for bytes that are no image format it knows: such a file simply has no metadata.
    if (typeof source === 'string' && (err as NodeJS.ErrnoException).code) throw err;
    if (/Unknown file format|Invalid input argument/i.test((err as Error).message)) return {};
    throw err;
  }
  return segments ? pictureMetadataOf(segments) : {};
}

/**
 * Reads the metadata of a file on the camera through the {@link Camera} interface: the first
 * {@link JPEG_PREFIX_BYTES} of a JPEG, the whole of anything else up to {@link MAX_PICTURE_BYTES}.
 */
export async function readCameraPictureMetadata(
  camera: Camera,
  file: RemoteFile,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<PictureMetadata> {
  const jpeg = /\.jpe?g$/i.test(file.name);
  if (!jpeg && file.size > MAX_PICTURE_BYTES) {
    throw new CameraError(
      'UNSUPPORTED',
      `${file.path} is ${file.size} bytes: camctl reads the metadata of pictures up to ${MAX_PICTURE_BYTES / 1024 / 1024} MiB; download it and run camctl exif on the local file`,
    );
  }
  const bytes = await readCameraPrefix(camera, file, jpeg ? JPEG_PREFIX_BYTES : MAX_PICTURE_BYTES, options.signal);
  return readPictureMetadata(bytes);
}

/** The first `limit` bytes of a camera file, in memory (the download stops once they are in). */
async function readCameraPrefix(
  camera: Camera,
  file: RemoteFile,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  const { Writable } = await import('node:stream');
  const chunks: Buffer[] = [];
  let have = 0;
  const enough = new AbortController();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (have < limit) {
        const take = chunk.subarray(0, limit - have);
        chunks.push(take);
        have += take.length;
      }
      if (have >= limit && !enough.signal.aborted) enough.abort();
      done();
    },
  });
  const both = signal ? AbortSignal.any([signal, enough.signal]) : enough.signal;
  try {
    await camera.download(file.path, sink, { signal: both });
  } catch (err) {
    // Stopped on purpose once the prefix was in; anything else is the camera's error.
    if (!enough.signal.aborted || signal?.aborted) throw err;
  }
  return Buffer.concat(chunks, have);
}

/** The typed view of exifr's segments (`mergeOutput: false`, values not revived). */
export function pictureMetadataOf(s: Segments): PictureMetadata {
  const ifd0 = s.ifd0 ?? {};
  const exif = s.exif ?? {};
  const gps = s.gps ?? {};
  const cam = s.Camera ?? {};
  const pano = s.GPano ?? {};
  const m: PictureMetadata = {};
  const text = (v: unknown): string | undefined =>
    typeof v === 'string' ? v.replace(/\0+$/, '').trim() || undefined : undefined;
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v)
      ? v
      : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
        ? Number(v)
        : undefined;
  const set = <K extends keyof PictureMetadata>(k: K, v: PictureMetadata[K] | undefined): void => {
    if (v !== undefined) m[k] = v;
  };
  set('make', text(ifd0.Make));
  set('model', text(ifd0.Model));
  set('serialNumber', text(exif.SerialNumber) ?? text(exif.BodySerialNumber) ?? text(ifd0.CameraSerialNumber));
  set('software', text(ifd0.Software));
  set('width', num(exif.ExifImageWidth) ?? num(ifd0.ImageWidth));
  set('height', num(exif.ExifImageHeight) ?? num(ifd0.ImageHeight));
  set(
    'captureTime',
    exifTime(
      text(exif.DateTimeOriginal) ?? text(ifd0.ModifyDate),
      text(exif.SubSecTimeOriginal),
      text(exif.OffsetTimeOriginal),
    ),
  );
  set('gps', gpsOf(gps));
  set('exposureTime', num(exif.ExposureTime));
  set('iso', num(exif.ISO) ?? num(exif.ISOSpeedRatings) ?? num(exif.PhotographicSensitivity));
  set('fNumber', num(exif.FNumber));
  set('focalLength', num(exif.FocalLength));
  const band = cam.BandName;
  if (Array.isArray(band)) set('band', band.length === 3 ? 'RGB' : band.join(','));
  else set('band', text(band));
  set('centralWavelength', num(cam.CentralWavelength));
  set('wavelengthFwhm', num(cam.WavelengthFWHM));
  const [yaw, pitch, roll] = [num(cam.Yaw), num(cam.Pitch), num(cam.Roll)];
  if (yaw !== undefined && pitch !== undefined && roll !== undefined) m.attitude = { yaw, pitch, roll };
  set('irradiance', irradianceOf(cam));
  const panorama: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(pano)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') panorama[k] = v;
  }
  if (Object.keys(panorama).length > 0) m.panorama = panorama;
  return m;
}

/** `2018:04:13 08:06:58` + `267458` + `+09:00` → `2018-04-13T08:06:58.267+09:00`. */
function exifTime(dt: string | undefined, subSec: string | undefined, offset: string | undefined): string | undefined {
  const match = dt && /^(\d{4}):(\d\d):(\d\d)[ T](\d\d):(\d\d):(\d\d)/.exec(dt);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, sec] = match;
  // 0000:00:00 is how EXIF writes "no time".
  if (y === '0000') return undefined;
  const frac = subSec && /^\d+$/.test(subSec) ? `.${subSec.padEnd(3, '0').slice(0, 3)}` : '';
  const zone = offset && /^[+-]\d\d:\d\d$/.test(offset) ? offset : '';
  return `${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${zone}`;
}

/** Degrees-minutes-seconds rationals and their N/S, E/W and above/below references → decimal. */
function gpsOf(g: Record<string, unknown>): PictureGps | undefined {
  const deg = (v: unknown): number | undefined => {
    if (typeof v === 'number') return v;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      return undefined;
    const [d, m = 0, s = 0] = v as number[];
    return d! + m / 60 + s / 3600;
  };
  const lat = deg(g.GPSLatitude);
  const lon = deg(g.GPSLongitude);
  if (lat === undefined || lon === undefined) return undefined;
  const out: PictureGps = {
    lat: round(
      String(g.GPSLatitudeRef ?? 'N')
        .toUpperCase()
        .startsWith('S')
        ? -lat
        : lat,
      7,
    ),
    lon: round(
      String(g.GPSLongitudeRef ?? 'E')
        .toUpperCase()
        .startsWith('W')
        ? -lon
        : lon,
      7,
    ),
  };
  if (typeof g.GPSAltitude === 'number' && Number.isFinite(g.GPSAltitude)) {
    // GPSAltitudeRef 1: below sea level. exifr gives the BYTE as a number (or a one-byte array).
    const ref = Array.isArray(g.GPSAltitudeRef) ? g.GPSAltitudeRef[0] : g.GPSAltitudeRef;
    out.alt = round(ref === 1 ? -g.GPSAltitude : g.GPSAltitude, 3);
  }
  return out;
}

/** The last of the 28-byte IrradianceList records: u64 µs, u16 CH0, u16 CH1, u16 gain index, u16 ms, 3 × f32 attitude. */
function irradianceOf(cam: Record<string, unknown>): PictureIrradiance | undefined {
  const list =
    typeof cam.IrradianceList === 'string' ? Buffer.from(cam.IrradianceList.replace(/\s+/g, ''), 'base64') : undefined;
  const RECORD = 28;
  if (!list || list.length < RECORD || list.length % RECORD !== 0) return undefined;
  const o = list.length - RECORD;
  const out: PictureIrradiance = {
    samples: list.length / RECORD,
    timestampUs: Number(list.readBigUInt64LE(o)),
    ch0: list.readUInt16LE(o + 8),
    ch1: list.readUInt16LE(o + 10),
    gainIndex: list.readUInt16LE(o + 12),
    integrationMs: list.readUInt16LE(o + 14),
  };
  if (typeof cam.IrradianceUnitScale === 'number') out.unitScale = cam.IrradianceUnitScale;
  if (typeof cam.SunshineSerialNumber === 'string') out.sensorSerial = cam.SunshineSerialNumber;
  return out;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The files a Parrot Sequoia writes for one capture: four 16-bit TIFFs (green, red, red edge,
 * near infrared) and one RGB JPEG, with the camera's EXIF and XMP (`Camera:` namespace) tag for
 * tag, of a synthetic field (field.ts) seen from where the simulated flight is.
 *
 * Fast by construction, since the emulator may write a capture a second and tests write hundreds:
 * - mono: the field is rendered once per resolution as 16-bit codes; a file is a cyclic shift of
 *   that rendering through a per-band lookup table, written straight into the output buffer;
 * - RGB: the field is JPEG-encoded once per resolution and transcoded into restart intervals
 *   (jpeg-pan.ts); a file is those intervals reordered for the pan plus fresh metadata segments.
 *
 * Samples: the Sequoia stores its 10-bit readout MSB-aligned in 16-bit samples (the reference
 * files hold only multiples of 64, up to 65472, with BlackLevel ≈ 5000 on that scale). 8-bit mode
 * is written the same way, multiples of 256. So `value >> (16 - bitDepth)` is the sensor value.
 *
 * @example
 * const tif = await renderSequoiaImage({ band: 'NIR', width: 1280, height: 960, bitDepth: 10,
 *   captureTimeMs: Date.UTC(2018, 3, 13, 8, 6, 58, 267), serialNumber: 'PI040378AA6A000109',
 *   firmwareVersion: '1.4.1', exposureUs: 3003, iso: 621,
 *   gps: { fix: false, lat: 0, lon: 0, altitude: 0 }, attitude: { yaw: -63.8, pitch: 0.46, roll: 1.28 },
 *   irradiance: null, captureUuid: 'BE5AB0ABA969E1CB424A394AA2FD3208',
 *   flightUuid: '1E001581A21043218521E4139DDB5CDC', pictureIndex: 0, scene: { x: 0, y: 0 } });
 */
import { endianness } from 'node:os';
import { debuglog } from 'node:util';
import sharp from 'sharp';
import { ImageError } from './errors.js';
import {
  FIELD_PERIOD_M,
  REFLECTANCE,
  RGB_COLOUR,
  SHADE_LEVELS,
  panPixels,
  renderFieldCodes,
  shadeFactor,
} from './field.js';
import { PannableJpeg } from './jpeg-pan.js';
import { exifSegment, writeJpeg, xmpSegment } from './jpeg-segments.js';
import { MONO_CALIBRATION, type MonoBand } from './sequoia-calibration.js';
import { monoIfd0, monoXmp, rgbIfd0, rgbXmp, type CaptureMetadata } from './sequoia-metadata.js';
import type { ImuRecord, IrradianceRecord } from './sequoia-records.js';
import { encodeStripTiff, encodeTiffStructure } from './tiff.js';
import { cacheKey, cached } from './tile-cache.js';

export { decodeIrradianceList, encodeIrradianceList, type IrradianceRecord } from './sequoia-records.js';

const log = debuglog('camctl:images');

export type SequoiaBandSuffix = 'RGB' | 'GRE' | 'RED' | 'REG' | 'NIR';

export interface SequoiaImageRequest {
  band: SequoiaBandSuffix;
  /** RGB 4608×3456 | 4000×3000, mono 1280×960 | 640×480. */
  width: number;
  height: number;
  /** Mono only: 8 or 10 significant bits in each 16-bit sample. */
  bitDepth: 8 | 10;
  /** Epoch ms UTC (the camera clock; 1970 without a clock source). */
  captureTimeMs: number;
  /** e.g. "PI040378AA6A000109". */
  serialNumber: string;
  /** e.g. "1.4.1"; written as Software "v1.4.1". */
  firmwareVersion: string;
  exposureUs: number;
  /** Gain × 100. */
  iso: number;
  /** No fix → GPSStatus "V" and no position, as the camera writes. */
  gps: { fix: boolean; lat: number; lon: number; altitude: number };
  /** Degrees, the rig's (green imager's); each mono file applies its imager's own alignment. */
  attitude: { yaw: number; pitch: number; roll: number };
  /** This band's sunshine-sensor samples; null when the sensor is absent. */
  irradiance: IrradianceRecord[] | null;
  /** 32 upper-case hex digits, as in the fixture's XMP. */
  captureUuid: string;
  flightUuid: string;
  /** NNNN within the session. */
  pictureIndex: number;
  /** Metres along the simulated track: pans the field. */
  scene: { x: number; y: number };
  /**
   * µs since power-on at the trigger (EXIF CreateDate/SubSecTimeDigitized, the IMU and irradiance
   * time base). Default: 200 ms after the last irradiance sample, else 150 s + pictureIndex s.
   */
  uptimeUs?: bigint;
  /** °C of this sensor (XMP SensorTemperature). Default: a plausible 31–33 °C per band. */
  sensorTemperature?: number;
  /** Serial of the sunshine sensor (XMP SunshineSerialNumber). */
  sunshineSerialNumber?: string;
  /** True for radiometric-calibration captures (XMP CalibrationPicture 1). */
  calibrationPicture?: boolean;
}

const MONO_SIZES = ['1280x960', '640x480'];
const RGB_SIZES = ['4608x3456', '4000x3000'];
const MONO_BANDS: readonly string[] = ['GRE', 'RED', 'REG', 'NIR'];
export const THUMBNAIL_SIZE = { width: 160, height: 120 } as const;

function bad(message: string): never {
  throw new ImageError('ERR_CAMCTL_IMAGE_BAD_REQUEST', message);
}

function checkRequest(req: SequoiaImageRequest): void {
  const size = `${req.width}x${req.height}`;
  if (req.band === 'RGB') {
    if (!RGB_SIZES.includes(size)) bad(`RGB resolution ${size} is not one of ${RGB_SIZES.join(', ')}`);
  } else if (MONO_BANDS.includes(req.band)) {
    if (!MONO_SIZES.includes(size)) bad(`mono resolution ${size} is not one of ${MONO_SIZES.join(', ')}`);
    if (req.bitDepth !== 8 && req.bitDepth !== 10) bad(`bitDepth must be 8 or 10, got ${String(req.bitDepth)}`);
  } else {
    bad(`unknown band ${JSON.stringify(req.band)}`);
  }
  if (!Number.isFinite(req.captureTimeMs) || req.captureTimeMs < 0) bad('captureTimeMs must be a non-negative number');
  if (!Number.isFinite(req.exposureUs) || req.exposureUs <= 0) bad('exposureUs must be positive');
  if (!Number.isFinite(req.iso) || req.iso <= 0 || req.iso > 0xffff) bad('iso must be in 1..65535');
  if (!Number.isInteger(req.pictureIndex) || req.pictureIndex < 0 || req.pictureIndex > 9999) {
    bad('pictureIndex must be an integer 0..9999');
  }
  if (!Number.isFinite(req.scene.x) || !Number.isFinite(req.scene.y)) bad('scene must be finite');
  for (const [k, v] of Object.entries(req.attitude)) if (!Number.isFinite(v)) bad(`attitude.${k} must be finite`);
  if (req.gps.fix) {
    if (!(Math.abs(req.gps.lat) <= 90) || !(Math.abs(req.gps.lon) <= 180) || !Number.isFinite(req.gps.altitude)) {
      bad('gps position out of range');
    }
  }
  // Latin-1 ASCII only: these land in TIFF ASCII fields.
  for (const [k, v] of [
    ['serialNumber', req.serialNumber],
    ['firmwareVersion', req.firmwareVersion],
    ['captureUuid', req.captureUuid],
    ['flightUuid', req.flightUuid],
  ] as const) {
    if (!/^[\x20-\x7e]{1,64}$/.test(v)) bad(`${k} must be 1..64 printable ASCII characters`);
  }
}

/**
 * The camera's file name for this request: IMG_YYMMDD_HHMMSS_NNNN_<BAND>.<TIF|JPG>, always 30
 * characters (docs/sequoia.md "Files the camera writes").
 */
export function sequoiaFileName(req: Pick<SequoiaImageRequest, 'band' | 'captureTimeMs' | 'pictureIndex'>): string {
  const d = new Date(req.captureTimeMs);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const date = `${p2(d.getUTCFullYear() % 100)}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}`;
  const time = `${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`;
  const ext = req.band === 'RGB' ? 'JPG' : 'TIF';
  return `IMG_${date}_${time}_${String(req.pictureIndex).padStart(4, '0')}_${req.band}.${ext}`;
}

/** A small deterministic number in [0, 1) from a string, for per-file jitter. */
function unit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 4294967296;
}

const BAND_TEMPERATURE: Record<SequoiaBandSuffix, number> = {
  GRE: 32.86,
  RED: 32.5,
  REG: 32.14,
  NIR: 31.75,
  RGB: 33.4,
};

function gyroRecords(req: SequoiaImageRequest, uptimeUs: bigint): ImuRecord[] {
  // 185 samples at 1 kHz around the RGB exposure, as in the fixture: a small, smooth wobble.
  const n = 185;
  const phase = unit(req.captureUuid) * 2 * Math.PI;
  const out: ImuRecord[] = [];
  const start = uptimeUs - 230_000n;
  for (let i = 0; i < n; i++) {
    const t = i / 1000;
    const timestampUs = start + BigInt(i * 1000);
    // The gyro log starts at power-on: a capture in the first 230 ms has fewer samples.
    if (timestampUs < 0n) continue;
    out.push({
      timestampUs,
      x: 0.004 * Math.sin(phase + t * 31),
      y: -0.003 + 0.002 * Math.sin(phase * 2 + t * 17),
      z: -0.005 * Math.cos(phase + t * 23),
      valid: 1,
    });
  }
  return out;
}

/** The rig's attitude as this imager's file states it (its own alignment applied). */
function attitudeOf(req: SequoiaImageRequest): SequoiaImageRequest['attitude'] {
  if (req.band === 'RGB') return req.attitude;
  const o = MONO_CALIBRATION[req.band as MonoBand].attitudeOffset;
  return { yaw: req.attitude.yaw + o.yaw, pitch: req.attitude.pitch + o.pitch, roll: req.attitude.roll + o.roll };
}

function metadataOf(req: SequoiaImageRequest): CaptureMetadata {
  const last = req.irradiance?.at(-1);
  const uptimeUs =
    req.uptimeUs ?? (last ? last.timestampUs + 200_000n : BigInt(150_000_000 + req.pictureIndex * 1_000_000));
  // Each sensor reads out a little after the trigger; sub-millisecond, so the second never changes.
  const subSecUs = (Math.floor(req.captureTimeMs) % 1000) * 1000 + Math.floor(unit(req.captureUuid + req.band) * 1000);
  return {
    band: req.band === 'RGB' ? 'RGB' : (req.band as MonoBand),
    width: req.width,
    height: req.height,
    captureTimeMs: req.captureTimeMs,
    uptimeUs,
    subSecUs,
    serialNumber: req.serialNumber,
    firmwareVersion: req.firmwareVersion,
    exposureUs: req.exposureUs,
    iso: req.iso,
    gps: req.gps,
    attitude: attitudeOf(req),
    irradiance: req.irradiance,
    sunshineSerialNumber: req.sunshineSerialNumber ?? `PI040379AA6E${req.serialNumber.slice(-6)}`,
    sensorTemperature: req.sensorTemperature ?? BAND_TEMPERATURE[req.band] + (unit(req.flightUuid) - 0.5) * 0.5,
    captureUuid: req.captureUuid,
    flightUuid: req.flightUuid,
    pictureIndex: req.pictureIndex,
    fileName: sequoiaFileName(req),
    imu: req.band === 'RGB' ? gyroRecords(req, uptimeUs) : [],
    imuTimeOffset: 13_275_608,
    calibrationPicture: req.calibrationPicture ?? false,
  };
}

// ─── Mono bands ────────────────────────────────────────────────────────────────────────────────

/** Sample values at full scale: reflectance 1 × shade 1 maps to this many 10-bit levels. */
const FULL_SCALE_10BIT = 1300;
const lutCache = new Map<string, Uint16Array>();

/** code (material << 12 | shade) → 16-bit sample, MSB-aligned at the bit depth. */
function bandLut(band: MonoBand, bitDepth: 8 | 10): Uint16Array {
  const key = `${band}/${bitDepth}`;
  let lut = lutCache.get(key);
  if (lut) return lut;
  lut = new Uint16Array(4 * SHADE_LEVELS);
  const cal = MONO_CALIBRATION[band];
  const black16 = cal.blackLevel.reduce((a, b) => a + b, 0) / 4;
  const shift = 16 - bitDepth;
  const max = (1 << bitDepth) - 1;
  const refl = REFLECTANCE[band];
  for (let m = 0; m < 4; m++) {
    for (let s = 0; s < SHADE_LEVELS; s++) {
      const level = (black16 + refl[m]! * shadeFactor(s) * FULL_SCALE_10BIT * 64) / (1 << shift);
      lut[(m << 12) | s] = Math.min(max, Math.max(0, Math.round(level))) << shift;
    }
  }
  lutCache.set(key, lut);
  return lut;
}

const bandImages = new Map<string, Buffer>();

/**
 * The whole field period through the band's LUT, as little-endian 16-bit samples, once per
 * (band, size, bit depth): ≤ 2.4 MB each. A file is then two copies per row, not a lookup per
 * pixel.
 */
function bandImage(band: MonoBand, w: number, h: number, bitDepth: 8 | 10): Buffer {
  const key = `${band}/${w}x${h}/${bitDepth}`;
  let img = bandImages.get(key);
  if (img) return img;
  const codes = renderFieldCodes(w, h);
  const lut = bandLut(band, bitDepth);
  const samples = new Uint16Array(w * h);
  for (let i = 0; i < samples.length; i++) samples[i] = lut[codes[i]!]!;
  img = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  if (endianness() !== 'LE') img.swap16();
  bandImages.set(key, img);
  return img;
}

/** Writes the field panned for the request's scene into `target` (the TIFF strip). */
function fillMono(target: Buffer, req: SequoiaImageRequest & { band: MonoBand }): void {
  const { width: w, height: h } = req;
  const img = bandImage(req.band, w, h, req.bitDepth);
  const [px, py] = panPixels(req.scene.x, req.scene.y, w, h);
  const row = 2 * w;
  const split = 2 * px;
  for (let y = 0; y < h; y++) {
    const src = ((y + py) % h) * row;
    const dst = y * row;
    img.copy(target, dst, src + split, src + row);
    img.copy(target, dst + row - split, src, src + split);
  }
}

function renderMono(req: SequoiaImageRequest & { band: MonoBand }): Buffer {
  const meta = metadataOf(req) as CaptureMetadata & { band: MonoBand };
  const ifd0 = monoIfd0(meta, monoXmp(meta));
  return encodeStripTiff(ifd0, req.width * req.height * 2, (t) => fillMono(t, req), { littleEndian: true });
}

// ─── RGB ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Grain of the RGB rendering: on the shade factor (shared by the channels, like texture) and per
 * channel in 8-bit levels (sensor noise). Tuned so a 16 MP file is ≈1.4 MB, as the camera's are.
 */
const RGB_FIELD_GRAIN = 0.012;
const RGB_GRAIN = 2.5;
const rgbTiles = new Map<string, Promise<PannableJpeg>>();

/** The whole field period as one JPEG at the resolution (height rounded up to whole MCU rows). */
async function buildRgbTile(width: number, height: number): Promise<PannableJpeg> {
  const started = performance.now();
  const tileHeight = Math.ceil(height / 16) * 16;
  const codes = renderFieldCodes(width, tileHeight, RGB_FIELD_GRAIN);
  // Clamped view: stores round and saturate, so no per-pixel clamp is needed.
  const raw = new Uint8ClampedArray(width * tileHeight * 3);
  const lut = new Float32Array(4 * SHADE_LEVELS * 3);
  for (let m = 0; m < 4; m++) {
    const colour = RGB_COLOUR[m]!;
    for (let s = 0; s < SHADE_LEVELS; s++) {
      const f = shadeFactor(s);
      for (let k = 0; k < 3; k++) lut[((m << 12) | s) * 3 + k] = colour[k]! * f;
    }
  }
  const g = RGB_GRAIN / 255;
  let seed = 0x2545f491;
  for (let i = 0, o = 0; i < codes.length; i++, o += 3) {
    const l = codes[i]! * 3;
    // xorshift grain, independent per channel, like sensor noise after demosaicing.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    raw[o] = lut[l]! + ((seed & 0xff) - 127.5) * g;
    raw[o + 1] = lut[l + 1]! + (((seed >>> 8) & 0xff) - 127.5) * g;
    raw[o + 2] = lut[l + 2]! + (((seed >>> 16) & 0xff) - 127.5) * g;
  }
  const rendered = performance.now();
  // Baseline, 4:2:0, quality 80 with the standard Huffman tables: what the camera writes, and
  // what the restart transcoder needs (every DC category present).
  const jpeg = await sharp(Buffer.from(raw.buffer, raw.byteOffset, raw.length), {
    raw: { width, height: tileHeight, channels: 3 },
  })
    .jpeg({ quality: 80, chromaSubsampling: '4:2:0', optimiseCoding: false, mozjpeg: false, progressive: false })
    .toBuffer();
  const encoded = performance.now();
  const tile = PannableJpeg.fromJpeg(jpeg, { interval: 4 });
  log(
    'RGB tile %dx%d: field %d ms, encode %d ms, restart transcode %d ms, %d bytes',
    width,
    tileHeight,
    Math.round(rendered - started),
    Math.round(encoded - rendered),
    Math.round(performance.now() - encoded),
    jpeg.length,
  );
  return tile;
}

/** Bump when the RGB rendering changes in a way the key below does not capture. */
const RGB_TILE_VERSION = 1;

function rgbTile(width: number, height: number): Promise<PannableJpeg> {
  const key = `${width}x${height}`;
  let tile = rgbTiles.get(key);
  if (!tile) {
    // The key covers the field itself (a small rendering of it) and every RGB parameter, so an
    // entry from another version of the generator is never reused.
    const fingerprint = renderFieldCodes(THUMBNAIL_SIZE.width, THUMBNAIL_SIZE.height, 0.03);
    const diskKey = cacheKey([
      RGB_TILE_VERSION,
      width,
      height,
      RGB_FIELD_GRAIN,
      RGB_GRAIN,
      JSON.stringify(RGB_COLOUR),
      new Uint8Array(fingerprint.buffer, fingerprint.byteOffset, fingerprint.byteLength),
    ]);
    tile = cached(
      'sequoia-rgb-tile',
      diskKey,
      () => buildRgbTile(width, height),
      (t) => t.serialize(),
      (b) => PannableJpeg.deserialize(b),
    );
    // A failed build must not poison the cache for later captures.
    tile.catch(() => rgbTiles.delete(key));
    rgbTiles.set(key, tile);
  }
  return tile;
}

async function renderRgb(req: SequoiaImageRequest): Promise<Buffer> {
  const tile = await rgbTile(req.width, req.height);
  const meta = metadataOf(req);
  const dx = Math.round((req.scene.x / FIELD_PERIOD_M.x) * tile.chunksPerRow);
  const dy = Math.round((req.scene.y / FIELD_PERIOD_M.y) * tile.mcuRows);
  const { tables, sos } = tile.headerSegments(req.height);
  const exif = exifSegment(encodeTiffStructure(rgbIfd0(meta), { littleEndian: false }));
  return writeJpeg([exif, xmpSegment(rgbXmp(meta)), ...tables], sos, tile.assemble(dx, dy));
}

// ─── Public API ────────────────────────────────────────────────────────────────────────────────

/**
 * The whole file for one band of one capture: a 16-bit TIFF for GRE/RED/REG/NIR, a JPEG for RGB.
 * Throws ImageError ERR_CAMCTL_IMAGE_BAD_REQUEST for a resolution, bit depth or field the camera cannot have.
 */
export async function renderSequoiaImage(req: SequoiaImageRequest): Promise<Buffer> {
  checkRequest(req);
  if (req.band === 'RGB') return renderRgb(req);
  return renderMono(req as SequoiaImageRequest & { band: MonoBand });
}

/**
 * Warms the caches for a resolution (the RGB tile encode takes about a second), so the first
 * capture is as fast as the others. Optional.
 */
export async function prepareSequoiaImages(
  rgb: { width: number; height: number },
  mono: { width: number; height: number },
): Promise<void> {
  if (!RGB_SIZES.includes(`${rgb.width}x${rgb.height}`)) bad(`RGB resolution ${rgb.width}x${rgb.height} unknown`);
  if (!MONO_SIZES.includes(`${mono.width}x${mono.height}`)) bad(`mono resolution ${mono.width}x${mono.height} unknown`);
  renderFieldCodes(mono.width, mono.height);
  await rgbTile(rgb.width, rgb.height);
}

const thumbCodes = () => renderFieldCodes(THUMBNAIL_SIZE.width, THUMBNAIL_SIZE.height, 0.03);

/**
 * The small JPEG the camera keeps in `.thumb/` for the file: 160×120, colour for RGB, grey for
 * a band (its own reflectances, so NIR shows vegetation bright and RED shows it dark).
 */
export async function renderSequoiaThumbnail(req: SequoiaImageRequest): Promise<Buffer> {
  checkRequest(req);
  const { width: w, height: h } = THUMBNAIL_SIZE;
  const codes = thumbCodes();
  const [px, py] = panPixels(req.scene.x, req.scene.y, w, h);
  const rgb = req.band === 'RGB';
  const channels = rgb ? 3 : 1;
  const raw = Buffer.alloc(w * h * channels);
  const lut = rgb ? null : bandLut(req.band as MonoBand, 10);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = codes[((y + py) % h) * w + ((x + px) % w)]!;
      const o = (y * w + x) * channels;
      if (lut) {
        raw[o] = lut[c]! >> 8;
      } else {
        const f = shadeFactor(c & 0xfff);
        const colour = RGB_COLOUR[c >> 12]!;
        for (let k = 0; k < 3; k++) raw[o + k] = Math.min(255, Math.round(colour[k]! * f));
      }
    }
  }
  const image = sharp(raw, { raw: { width: w, height: h, channels } });
  return (rgb ? image : image.toColourspace('b-w')).jpeg({ quality: 80 }).toBuffer();
}

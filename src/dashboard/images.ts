/**
 * Pictures the dashboard makes from camera files: thumbnails, large previews (bands, the 360°
 * viewer) and the NDVI false-colour image of a Sequoia capture.
 *
 * The Sequoia keeps no thumbnail reachable over HTTP (its `.thumb/` folder is not served), so the
 * file is downloaded once through the Camera API into a per-user cache directory and scaled with
 * sharp; a camera with its own thumbnails (`camera.thumbnail`, THETA `?type=thumb`) is asked for
 * those instead. Results are cached on disk by camera address + path + size, so a file replaced
 * under the same name (new size) is not served stale. Work is bounded by a small semaphore: the
 * machine running the dashboard is often a laptop in a field, and sharp uses every core it gets.
 *
 * @example
 * const images = new ImageCache({ dir: '/tmp/camctl-dashboard/cache' });
 * const jpeg = await images.render(camera, { path: '/internal/0001/IMG_…_RGB.JPG', name: 'IMG_…_RGB.JPG', size: 1409752 }, 256);
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { CameraError } from '../camera/errors.js';
import type { Camera, RemoteFile } from '../camera/types.js';
import { InvalidOptionError } from '../util/errors.js';

export interface ImageCacheOptions {
  /** Cache directory (created 0700). */
  dir: string;
  /** Bytes of downloaded originals kept before the oldest are dropped. Default 1 GiB. */
  maxOriginalBytes?: number;
  /** Images rendered at once. Default 2. */
  concurrency?: number;
}

/** Widths pages may ask for; anything else is rounded up, so the cache stays small. */
export const WIDTHS = [160, 320, 640, 1280, 2048, 4096] as const;

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.tif', '.tiff', '.png', '.dng']);

export function isImageName(name: string): boolean {
  return IMAGE_EXT.has(path.extname(name).toLowerCase());
}

export function snapWidth(w: number): number {
  for (const x of WIDTHS) if (w <= x) return x;
  return WIDTHS[WIDTHS.length - 1]!;
}

export class ImageCache {
  readonly dir: string;
  readonly #maxOriginalBytes: number;
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #queue: Array<() => void> = [];
  #running = 0;
  readonly #concurrency: number;
  #ready: Promise<void> | undefined;

  constructor(options: ImageCacheOptions) {
    this.dir = path.resolve(options.dir);
    this.#maxOriginalBytes = options.maxOriginalBytes ?? 1024 ** 3;
    this.#concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1)
      throw new InvalidOptionError('concurrency', 'must be a positive integer');
  }

  /** A JPEG of `file` at most `width` pixels wide (never upscaled). Returns its path in the cache. */
  async render(camera: Camera, file: RemoteFile, width: number, signal?: AbortSignal): Promise<string> {
    if (!isImageName(file.name)) throw new CameraError('UNSUPPORTED', `${file.name} is not a picture`);
    const w = snapWidth(width);
    const key = this.#key(camera.address, file, `w${w}`);
    return this.#once(key, async () => {
      const out = path.join(this.dir, 'img', `${key}.jpg`);
      if (await exists(out)) return out;
      // The camera's own thumbnail is enough for small sizes and saves a full download.
      if (w <= 320 && typeof camera.thumbnail === 'function') {
        const own = await camera.thumbnail(file.path, { signal });
        await this.#write(
          out,
          await this.#limit(() =>
            sharp(own).rotate().resize({ width: w, withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer(),
          ),
        );
        return out;
      }
      const original = await this.original(camera, file, signal);
      const jpeg = await this.#limit(() => toJpeg(original, file.name, w));
      await this.#write(out, jpeg);
      return out;
    });
  }

  /**
   * NDVI = (NIR − Red) / (NIR + Red) per pixel, in a red–yellow–green false colour. A preview, not
   * a reflectance map: no black level, exposure, vignetting or sunshine-irradiance correction is
   * applied (Pix4D and OpenDroneMap do that from the XMP data), and the bands are not co-registered.
   */
  async ndvi(camera: Camera, red: RemoteFile, nir: RemoteFile, width: number, signal?: AbortSignal): Promise<string> {
    const w = snapWidth(width);
    const key = sha(`${this.#key(camera.address, red, 'r')}|${this.#key(camera.address, nir, 'n')}|ndvi${w}`);
    return this.#once(key, async () => {
      const out = path.join(this.dir, 'img', `${key}.jpg`);
      if (await exists(out)) return out;
      const [r, n] = await Promise.all([this.original(camera, red, signal), this.original(camera, nir, signal)]);
      const jpeg = await this.#limit(() => ndviJpeg(r, n, w));
      await this.#write(out, jpeg);
      return out;
    });
  }

  /** The downloaded original in the cache (fetched once; concurrent callers share the download). */
  async original(camera: Camera, file: RemoteFile, signal?: AbortSignal): Promise<string> {
    const key = this.#key(camera.address, file, 'orig');
    return this.#once(key, async () => {
      const out = path.join(this.dir, 'orig', `${key}${path.extname(file.name).toLowerCase()}`);
      if (await exists(out)) return out;
      await this.#prepare();
      const tmp = `${out}.${randomBytes(4).toString('hex')}.part`;
      try {
        await camera.download(file.path, tmp, { expectedSize: file.size, signal });
        await rename(tmp, out);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      void this.#prune();
      return out;
    });
  }

  async #write(file: string, data: Buffer): Promise<void> {
    await this.#prepare();
    const tmp = `${file}.${randomBytes(4).toString('hex')}.part`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }

  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(path.join(this.dir, 'orig'), { recursive: true, mode: 0o700 });
      await mkdir(path.join(this.dir, 'img'), { recursive: true, mode: 0o700 });
      // The default lives in the shared temp dir: refuse one another user made for us to write into.
      const st = await stat(this.dir);
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
        throw new Error(`cache directory ${this.dir} belongs to another user; give another with --cache-dir`);
      }
    })();
    return this.#ready;
  }

  #key(address: string, file: RemoteFile, variant: string): string {
    return sha(`${address}\0${file.path}\0${file.size}\0${variant}`);
  }

  #once(key: string, fn: () => Promise<string>): Promise<string> {
    const known = this.#inflight.get(key);
    if (known) return known;
    const p = fn().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  async #limit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#running++;
    try {
      return await fn();
    } finally {
      this.#running--;
      this.#queue.shift()?.();
    }
  }

  /** Drops the least recently written originals beyond the byte budget. */
  async #prune(): Promise<void> {
    const dir = path.join(this.dir, 'orig');
    const names = await readdir(dir).catch(() => [] as string[]);
    const files = (
      await Promise.all(
        names
          .filter((n) => !n.endsWith('.part'))
          .map(async (n) => {
            const st = await stat(path.join(dir, n)).catch(() => undefined);
            return st ? { file: path.join(dir, n), size: st.size, mtime: st.mtimeMs } : undefined;
          }),
      )
    ).filter((f) => f !== undefined);
    let total = files.reduce((a, f) => a + f.size, 0);
    files.sort((a, b) => a.mtime - b.mtime);
    for (const f of files) {
      if (total <= this.#maxOriginalBytes) break;
      await rm(f.file, { force: true });
      total -= f.size;
    }
  }
}

async function toJpeg(file: string, name: string, width: number): Promise<Buffer> {
  const ext = path.extname(name).toLowerCase();
  let img = sharp(file, { failOn: 'none' }).rotate().resize({ width, withoutEnlargement: true });
  // Mono bands are 10 bits of signal in 16-bit samples: stretch them so the preview is not black.
  if (ext === '.tif' || ext === '.tiff') img = img.toColourspace('b-w').normalise();
  return img.jpeg({ quality: 82 }).toBuffer();
}

async function grey16(
  file: string,
  width?: number,
  height?: number,
): Promise<{ data: Uint16Array; width: number; height: number }> {
  let img = sharp(file).toColourspace('grey16');
  if (width !== undefined && height !== undefined) img = img.resize(width, height, { fit: 'fill' });
  const { data, info } = await img.raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  const copy = new Uint16Array(data.length / 2);
  Buffer.from(copy.buffer).set(data);
  return { data: copy, width: info.width, height: info.height };
}

/** Colour stops of the NDVI scale (ColorBrewer RdYlGn), below 0 (water, soil) in grey-blue. */
const NDVI_STOPS: ReadonlyArray<[number, [number, number, number]]> = [
  [-1, [40, 60, 110]],
  [0, [165, 0, 38]],
  [0.2, [244, 109, 67]],
  [0.4, [254, 224, 139]],
  [0.6, [166, 217, 106]],
  [0.8, [26, 152, 80]],
  [1, [0, 104, 55]],
];

const LUT = buildLut();

function buildLut(): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const v = (i / 255) * 2 - 1;
    let j = 0;
    while (j < NDVI_STOPS.length - 2 && v > NDVI_STOPS[j + 1]![0]) j++;
    const [a, ca] = NDVI_STOPS[j]!;
    const [b, cb] = NDVI_STOPS[j + 1]!;
    const t = Math.min(1, Math.max(0, (v - a) / (b - a)));
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(ca[c]! + (cb[c]! - ca[c]!) * t);
  }
  return lut;
}

/** NDVI in false colour from the RED and NIR files (any equal-size single-band images). */
export async function ndviJpeg(redFile: string, nirFile: string, width: number): Promise<Buffer> {
  const red = await grey16(redFile);
  const nir = await grey16(nirFile, red.width, red.height);
  const n = red.width * red.height;
  const rgb = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) {
    const r = red.data[i]!;
    const ir = nir.data[i]!;
    const sum = ir + r;
    const v = sum === 0 ? 0 : (ir - r) / sum;
    const k = Math.round((v + 1) * 127.5) * 3;
    rgb[i * 3] = LUT[k]!;
    rgb[i * 3 + 1] = LUT[k + 1]!;
    rgb[i * 3 + 2] = LUT[k + 2]!;
  }
  return sharp(rgb, { raw: { width: red.width, height: red.height, channels: 3 } })
    .resize({ width, withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer();
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

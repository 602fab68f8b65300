/**
 * The THETA's files: the one internal medium, its catalogue, the file counter (R0010001…), the
 * memory caches of pictures and thumbnails, and the writers of new pictures and videos. Reading
 * is by camera path `100RICOH/R0010001.JPG`; anything else is refused before the disk is touched.
 */
import { readFile, writeFile, rename, open } from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { MediaStorage, StorageError, checkName } from '../storage.js';
import type { Medium } from '../storage.js';
import { thetaPicture, thetaVideoFrames } from '../images/theta.js';
import type { ShotSettings } from '../images/theta.js';
import type { Clock } from '../../util/clock.js';
import { readExif, readGpanoXmp } from '../images/theta-metadata.js';
import { FOLDER, ThetaCatalog, relPath } from './catalog.js';
import type { ThetaFile } from './catalog.js';
import { ByteCache } from './byte-cache.js';
import { ThetaDeviceError } from './errors.js';
import type { VideoFormat } from './options.js';
import { VideoRecording } from './video-recording.js';

/** Name of the single medium under the data directory. */
export const THETA_MEDIUM = 'internal';
const COUNTER_FILE = 'theta-counter.json';

const MB = 1024 * 1024;
/** Average sizes used for `remainingPictures` / `recordableTime` (the camera estimates too). */
const AVG_PICTURE = { 5376: 4 * MB, 2048: 1 * MB } as Record<number, number>;
const VIDEO_BYTES_PER_S = { 1920: 2 * MB, 1280: 1 * MB } as Record<number, number>;

/** Sizes of the memory caches. */
export interface MediaCacheOptions {
  /** Memory for recently used pictures (bytes, default 128 MiB; 0 turns the cache off). */
  fileCacheBytes?: number;
  /** Memory for thumbnails (bytes, default 96 MiB — about 13,000 thumbnails). */
  thumbCacheBytes?: number;
}

/** Where and when a new file is written. */
export interface WriteContext {
  /** Epoch ms of the camera's clock. */
  when: number;
  utcOffsetMinutes: number;
}

export class ThetaMedia {
  /** Camera path of the newest file written ('' when it was deleted). */
  latest = '';
  /** Whether a file was written or deleted since the last {@link acknowledgeChange}. */
  changed = false;
  private readonly fileCache: ByteCache;
  private readonly thumbCache: ByteCache;
  private readonly thumb64Cache: ByteCache;

  private constructor(
    readonly storage: MediaStorage,
    readonly medium: Medium,
    readonly catalog: ThetaCatalog,
    private counter: number,
    caches: MediaCacheOptions,
    /** A new file is on the medium. */
    private readonly added: (f: ThetaFile) => void,
  ) {
    this.fileCache = new ByteCache(caches.fileCacheBytes ?? 128 * MB, 16 * MB);
    this.thumbCache = new ByteCache(caches.thumbCacheBytes ?? 96 * MB, 256 * 1024);
    this.thumb64Cache = new ByteCache(Math.round((caches.thumbCacheBytes ?? 96 * MB) * 1.34), 350 * 1024);
  }

  /** Opens (creating if needed) the medium under `dataDir`, its catalogue and its counter. */
  static async open(
    dataDir: string,
    capacityBytes: number,
    caches: MediaCacheOptions,
    added: (f: ThetaFile) => void,
  ): Promise<ThetaMedia> {
    const storage = await MediaStorage.open(dataDir, [{ name: THETA_MEDIUM, capacityBytes }]);
    const medium = storage.get(THETA_MEDIUM);
    await medium.ensureFolder(FOLDER);
    const catalog = new ThetaCatalog(medium);
    await catalog.load(0);
    let counter = catalog.highestNumber();
    try {
      const saved = JSON.parse(await readFile(path.join(storage.dir, COUNTER_FILE), 'utf8')) as { counter?: unknown };
      if (typeof saved.counter === 'number' && saved.counter > counter) counter = saved.counter;
    } catch {
      /* first boot */
    }
    // The S numbers from R0010001.
    if (counter < 10000) counter = 10000;
    return new ThetaMedia(storage, medium, catalog, counter, caches, added);
  }

  /** Pictures the free space holds at this image width (an estimate, as the camera's). */
  remainingPictures(imageWidth: number): number {
    return Math.floor(this.medium.freeBytes / (AVG_PICTURE[imageWidth] ?? 4 * MB));
  }

  /** Seconds of video the free space holds at this video width. */
  remainingVideoSeconds(videoWidth: number): number {
    return Math.floor(this.medium.freeBytes / (VIDEO_BYTES_PER_S[videoWidth] ?? 2 * MB));
  }

  /** Seconds one clip may record: the free space, and at most 25 minutes (the S's limit). */
  recordableSeconds(videoWidth: number): number {
    return Math.min(1500, this.remainingVideoSeconds(videoWidth));
  }

  /** The number the next file will take (capture runs name their group after it). */
  get nextNumber(): number {
    return this.counter + 1;
  }

  /**
   * The file of a camera path `100RICOH/R0010001.JPG`. Anything else — other depth, unsafe names,
   * `..` — is `bad-file-name` before touching the disk; a missing file is `no-such-file`.
   */
  findFile(rel: string): ThetaFile {
    const parts = rel.split('/');
    if (parts.length !== 2) throw new ThetaDeviceError('bad-file-name', `invalid file ${JSON.stringify(rel)}`);
    try {
      for (const p of parts) checkName(p);
    } catch (err) {
      throw new ThetaDeviceError('bad-file-name', `invalid file ${JSON.stringify(rel)}`, { cause: err });
    }
    const f = this.catalog.get(parts[0]!, parts[1]!);
    if (!f) throw new ThetaDeviceError('no-such-file', `no file ${JSON.stringify(rel)}`);
    return f;
  }

  /** A file whose header could not be read at start-up (no dimensions) is corrupted for the camera. */
  assertReadable(f: ThetaFile): void {
    if (f.width === 0 || f.height === 0) throw new ThetaDeviceError('corrupted-file', `${relPath(f)} is corrupted`);
  }

  /** Real path of a file, proven inside the medium. */
  async filePath(f: ThetaFile): Promise<string> {
    try {
      return await this.medium.resolve(f.folder, f.name);
    } catch (err) {
      throw new ThetaDeviceError('no-such-file', `no file ${relPath(f)}`, { cause: err });
    }
  }

  /**
   * The whole file from memory when it is small enough to cache (pictures), else undefined (the
   * caller streams it from `filePath`).
   */
  async fileBytes(f: ThetaFile): Promise<Buffer | undefined> {
    const key = relPath(f);
    const hit = this.fileCache.get(key);
    if (hit) return hit;
    if (f.size > this.fileCache.maxItemBytes || this.fileCache.maxBytes === 0) return undefined;
    const data = await readFile(await this.filePath(f));
    // The catalog may not have seen this file yet if it was replaced on disk; trust the disk.
    this.fileCache.set(key, data);
    return data;
  }

  /** The 640×320 JPEG thumbnail, made from the file if it was lost. */
  async thumbnail(f: ThetaFile): Promise<Buffer> {
    const key = relPath(f);
    const hit = this.thumbCache.get(key);
    if (hit) return hit;
    const data = await this.readThumbnail(f);
    this.thumbCache.set(key, data);
    return data;
  }

  /** The thumbnail as base64 text (ASCII bytes), for listings: cached so a page costs no encoding. */
  async thumbnailBase64(f: ThetaFile): Promise<Buffer> {
    const key = relPath(f);
    const hit = this.thumb64Cache.get(key);
    if (hit) return hit;
    const b64 = Buffer.from((await this.thumbnail(f)).toString('base64'), 'latin1');
    this.thumb64Cache.set(key, b64);
    return b64;
  }

  private async readThumbnail(f: ThetaFile): Promise<Buffer> {
    const p = await this.medium.pathFor(f.folder, '.thumb', f.name);
    try {
      return await readFile(p);
    } catch {
      if (f.kind === 'video') return (await thetaVideoFrames(f.width || 1920, f.height || 1080)).thumbnail();
      const thumb = await sharp(await this.filePath(f))
        .resize(640, 320, { fit: 'fill' })
        .jpeg({ quality: 70 })
        .toBuffer();
      await this.medium.writeFile(f.folder, f.name, thumb, { subdir: '.thumb' }).catch(() => undefined);
      return thumb;
    }
  }

  /** EXIF and XMP (GPano) read from the file itself. */
  async metadata(f: ThetaFile): Promise<{ exif: Record<string, unknown>; xmp: Record<string, unknown> }> {
    if (f.kind !== 'image')
      throw new ThetaDeviceError('wrong-file-kind', 'metadata is only available for still images');
    this.assertReadable(f);
    const fh = await open(await this.filePath(f), 'r');
    try {
      const head = Buffer.alloc(Math.min(f.size, 256 * 1024));
      await fh.read(head, 0, head.length, 0);
      const exif = readExif(head);
      if (exif['ImageWidth'] === undefined) {
        exif['ImageWidth'] = f.width;
        exif['ImageLength'] = f.height;
      }
      return { exif, xmp: readGpanoXmp(head) };
    } finally {
      await fh.close();
    }
  }

  /** Deletes files; `all` / `image` / `video` select by kind. Returns how many went. */
  async deleteFiles(targets: ThetaFile[] | 'all' | 'image' | 'video'): Promise<number> {
    const list =
      typeof targets === 'string' ? this.catalog.all().filter((f) => targets === 'all' || f.kind === targets) : targets;
    let n = 0;
    for (const f of [...list]) {
      try {
        await this.medium.deleteFile(f.folder, f.name);
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'NOT_FOUND')) throw storageRefusal(err);
      }
      this.catalog.remove(f.name);
      this.fileCache.delete(relPath(f));
      this.thumbCache.delete(relPath(f));
      this.thumb64Cache.delete(relPath(f));
      if (this.latest === relPath(f)) this.latest = '';
      n++;
    }
    if (n > 0) this.changed = true;
    return n;
  }

  /** Shoots and stores one picture; returns its camera path. */
  async writePicture(settings: ShotSettings, at: WriteContext, extra: Partial<ThetaFile> = {}): Promise<string> {
    const name = this.nextName('JPG');
    const release = this.medium.markBusy(FOLDER);
    try {
      const { jpeg, thumb } = await thetaPicture(settings, at.when, at.utcOffsetMinutes);
      const size = await this.medium.writeFile(FOLDER, name, jpeg, { mtimeMs: at.when });
      await this.medium.writeFile(FOLDER, name, thumb, { subdir: '.thumb', mtimeMs: at.when });
      this.fileCache.set(`${FOLDER}/${name}`, jpeg);
      this.thumbCache.set(`${FOLDER}/${name}`, thumb);
      const file: ThetaFile = {
        folder: FOLDER,
        name,
        kind: 'image',
        size,
        timeMs: Math.floor(at.when / 1000) * 1000,
        utcOffsetMinutes: at.utcOffsetMinutes,
        width: settings.width,
        height: settings.height,
        ...extra,
      };
      if (settings.gps) {
        file.lat = settings.gps.lat;
        file.lng = settings.gps.lng;
      }
      return await this.keep(file);
    } finally {
      release();
    }
  }

  /**
   * Starts recording a Motion-JPEG video in `fmt`: its frames are written to a hidden part file
   * as camera time passes on `clock`, from `startedAt`. {@link finishVideo} ends it.
   */
  startVideo(fmt: VideoFormat, clock: Clock, startedAt: number): VideoRecording {
    return new VideoRecording(clock, this.medium, FOLDER, fmt, startedAt);
  }

  /**
   * Ends a recording at `seconds` long: the clip takes the next number and appears in the
   * catalogue only once complete under that name. Returns its camera path.
   */
  async finishVideo(recording: VideoRecording, seconds: number, at: WriteContext): Promise<string> {
    const fmt = recording.fmt;
    const release = this.medium.markBusy(FOLDER);
    try {
      const clip = await recording.stop(seconds, Math.floor(at.when / 1000) + 2082844800);
      const name = this.nextName('MP4');
      const size = await clip.part.commit(name, { mtimeMs: at.when });
      await this.medium.writeFile(FOLDER, name, clip.thumbnail, { subdir: '.thumb', mtimeMs: at.when });
      return await this.keep({
        folder: FOLDER,
        name,
        kind: 'video',
        size,
        timeMs: Math.floor(at.when / 1000) * 1000,
        utcOffsetMinutes: at.utcOffsetMinutes,
        width: fmt.width,
        height: fmt.height,
        recordTime: Math.round(seconds),
      });
    } finally {
      release();
    }
  }

  /** A file written: catalogued, the newest, the counter saved, and announced. */
  private async keep(file: ThetaFile): Promise<string> {
    this.catalog.add(file);
    this.latest = relPath(file);
    this.changed = true;
    await this.saveCounter();
    this.added(file);
    return relPath(file);
  }

  private nextName(ext: 'JPG' | 'MP4'): string {
    this.counter++;
    if (this.counter > 19999) this.counter = 10001;
    return `R${String(this.counter).padStart(7, '0')}.${ext}`;
  }

  private async saveCounter(): Promise<void> {
    const file = path.join(this.storage.dir, COUNTER_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify({ counter: this.counter }));
    await rename(tmp, file);
  }

  /** Drops the memory caches. */
  clear(): void {
    this.fileCache.clear();
    this.thumbCache.clear();
    this.thumb64Cache.clear();
  }
}

/** A storage failure in the camera's words: a full medium is `storage-full`, the rest `failed`. */
export function storageRefusal(err: unknown): ThetaDeviceError {
  if (err instanceof ThetaDeviceError) return err;
  if (err instanceof StorageError && err.code === 'FULL')
    return new ThetaDeviceError('storage-full', 'the storage is full', { cause: err });
  return new ThetaDeviceError('failed', err instanceof Error ? err.message : String(err), { cause: err });
}

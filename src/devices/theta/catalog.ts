/**
 * The THETA's file list, kept in memory so `listFiles` over ten thousand pictures answers a page in
 * milliseconds. Built once at start-up from the medium (sizes, dates from mtimes — the device sets
 * a file's mtime to its shooting time —, dimensions from the JPEG SOF or the MP4 `tkhd`), then kept
 * up to date by the device as it writes and deletes.
 */
import { open } from 'node:fs/promises';
import type { Medium } from '../storage.js';
import { StorageError } from '../storage.js';
import { mp4Dimensions, mp4DurationSeconds, mp4MovieBox } from '../images/theta-mp4.js';

export const FOLDER = '100RICOH';
/** `R0010015.JPG`: R, 3 digits of folder, 4 of counter (the S counts on to R001NNNN). */
export const FILE_NAME = /^R(\d{7})\.(JPG|MP4)$/;

export interface ThetaFile {
  folder: string;
  name: string;
  kind: 'image' | 'video';
  size: number;
  /** Shooting time, epoch ms. */
  timeMs: number;
  /** UTC offset of the camera clock when shot, minutes. */
  utcOffsetMinutes: number;
  width: number;
  height: number;
  /** Seconds, videos only. */
  recordTime?: number;
  lat?: number;
  lng?: number;
  intervalCaptureGroupId?: string;
  compositeShootingGroupId?: string;
  autoBracketGroupId?: string;
}

/** `100RICOH/R0010015.JPG` */
export function relPath(f: Pick<ThetaFile, 'folder' | 'name'>): string {
  return `${f.folder}/${f.name}`;
}

/** Width and height of a JPEG from its first SOF marker. */
export function jpegDimensions(head: Buffer): { width: number; height: number } | undefined {
  if (head[0] !== 0xff || head[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < head.length) {
    if (head[i] !== 0xff) return undefined;
    const marker = head[i + 1]!;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = head.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: head.readUInt16BE(i + 5), width: head.readUInt16BE(i + 7) };
    }
    if (marker === 0xda) return undefined;
    i += 2 + len;
  }
  return undefined;
}

/** The `moov` of an MP4 file (at its end as recorded, or first in a "fast start" file). */
async function readMovieBox(file: string, fileSize: number): Promise<Buffer | undefined> {
  const fh = await open(file, 'r');
  try {
    return await mp4MovieBox(async (offset, length) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    }, fileSize);
  } finally {
    await fh.close();
  }
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export class ThetaCatalog {
  /** Oldest first (by time, then name). */
  private files: ThetaFile[] = [];
  private byName = new Map<string, ThetaFile>();

  constructor(private readonly medium: Medium) {}

  /** Scans the folder. `utcOffsetMinutes` is the camera's current offset, for files found on disk. */
  async load(utcOffsetMinutes: number): Promise<void> {
    this.files = [];
    this.byName.clear();
    let entries;
    try {
      entries = await this.medium.listFiles(FOLDER);
    } catch (err) {
      if (err instanceof StorageError && err.code === 'NOT_FOUND') return;
      throw err;
    }
    for (const e of entries) {
      const m = FILE_NAME.exec(e.name);
      if (!m) continue;
      const kind = m[2] === 'JPG' ? 'image' : 'video';
      const full = await this.medium.pathFor(FOLDER, e.name);
      let dims: { width: number; height: number } | undefined;
      let recordTime: number | undefined;
      try {
        // Our EXIF + XMP fit in a few KiB; a camera's own file carries a ~64 KiB EXIF first.
        if (kind === 'image')
          dims = jpegDimensions(await readHead(full, 8 * 1024)) ?? jpegDimensions(await readHead(full, 256 * 1024));
        else {
          const moov = await readMovieBox(full, e.size);
          dims = moov && mp4Dimensions(moov);
          const seconds = moov && mp4DurationSeconds(moov);
          recordTime = seconds === undefined ? undefined : Math.round(seconds);
        }
      } catch {
        /* unreadable: listed with zero dimensions, as a corrupted file would be */
      }
      const f: ThetaFile = {
        folder: FOLDER,
        name: e.name,
        kind,
        size: e.size,
        timeMs: Math.round(e.mtimeMs / 1000) * 1000,
        utcOffsetMinutes,
        width: dims?.width ?? 0,
        height: dims?.height ?? 0,
      };
      if (recordTime !== undefined) f.recordTime = recordTime;
      this.files.push(f);
      this.byName.set(e.name, f);
    }
    this.files.sort(compare);
  }

  get count(): number {
    return this.files.length;
  }

  /** Highest counter in use (R001NNNN → NNNN + folder digits), 0 if none. */
  highestNumber(): number {
    let max = 0;
    for (const f of this.files) {
      const n = Number(FILE_NAME.exec(f.name)?.[1] ?? 0);
      if (n > max) max = n;
    }
    return max;
  }

  get(folder: string, name: string): ThetaFile | undefined {
    if (folder !== FOLDER) return undefined;
    return this.byName.get(name);
  }

  add(f: ThetaFile): void {
    const old = this.byName.get(f.name);
    if (old) this.files.splice(this.files.indexOf(old), 1);
    this.byName.set(f.name, f);
    // Files arrive in time order, so this is almost always an append.
    let i = this.files.length;
    while (i > 0 && compare(this.files[i - 1]!, f) > 0) i--;
    this.files.splice(i, 0, f);
  }

  remove(name: string): void {
    const f = this.byName.get(name);
    if (!f) return;
    this.byName.delete(name);
    this.files.splice(this.files.indexOf(f), 1);
  }

  /** Files of a kind, newest first unless `oldest`. Returns a new array window. */
  list(
    kind: 'all' | 'image' | 'video',
    order: 'newest' | 'oldest',
    start: number,
    count: number,
  ): { entries: ThetaFile[]; total: number } {
    const pool = kind === 'all' ? this.files : this.files.filter((f) => f.kind === kind);
    const total = pool.length;
    const entries: ThetaFile[] = [];
    for (let k = start; k < Math.min(total, start + count); k++) {
      entries.push(order === 'oldest' ? pool[k]! : pool[total - 1 - k]!);
    }
    return { entries, total };
  }

  all(): readonly ThetaFile[] {
    return this.files;
  }
}

function compare(a: ThetaFile, b: ThetaFile): number {
  return a.timeMs - b.timeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

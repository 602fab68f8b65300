/**
 * Downloading a camera file to a local path safely: into a hidden temporary name next to the
 * target (`.NAME.part`), resumed from whatever a previous, interrupted run left there, checked
 * (size against the camera's listing; image files also by their format markers), flushed to disk
 * and only then renamed into place. So a file under its final name is always complete: a process
 * killed at any moment (kill -9) leaves at most a `.part` file that the next run continues.
 *
 * @example
 * await fetchVerified(camera, { path: '/internal/0001/IMG_…_RGB.JPG', name: 'IMG_…_RGB.JPG', size: 1246414 }, './IMG.JPG');
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CameraError } from './errors.js';
import type { Camera, DownloadProgress } from './types.js';

export interface FetchOptions {
  signal?: AbortSignal | undefined;
  onProgress?: (p: DownloadProgress) => void;
}

export interface FetchResult {
  file: string;
  size: number;
  /** Bytes moved over the link by this call (0 when the file was already complete). */
  transferred: number;
  resumedFrom: number;
  /** The final file was already there with the right size: nothing was fetched. */
  skipped: boolean;
}

/** Name of the temporary file for `file`. */
export function partName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.part`);
}

export async function fetchVerified(
  camera: Camera,
  remote: { path: string; name: string; size: number },
  file: string,
  options: FetchOptions = {},
): Promise<FetchResult> {
  const existing = await fs.stat(file).catch(() => undefined);
  if (existing?.isFile() && existing.size === remote.size) {
    return { file, size: existing.size, transferred: 0, resumedFrom: existing.size, skipped: true };
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const part = partName(file);
  const dl: Parameters<Camera['download']>[2] = { resume: camera.capabilities.resumableDownload, expectedSize: remote.size };
  if (options.signal) dl.signal = options.signal;
  if (options.onProgress) dl.onProgress = options.onProgress;
  let result;
  try {
    result = await camera.download(remote.path, part, dl);
  } catch (err) {
    // A size mismatch means the .part is not a prefix of this file (the camera's file changed):
    // drop it so the next attempt starts clean.
    if ((err as { code?: string }).code === 'SIZE_MISMATCH') await fs.rm(part, { force: true });
    throw err;
  }
  await verifyFormat(part, remote.name);
  // fsync before rename: after a power cut the final name must not point at unwritten blocks.
  const fh = await fs.open(part, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(part, file);
  return { file, size: result.size, transferred: result.transferred, resumedFrom: result.resumedFrom, skipped: false };
}

/**
 * The Sequoia gives no checksum, so content is checked where the format allows it cheaply: a JPEG
 * starts with SOI (FF D8) and ends with EOI (FF D9); a TIFF starts with `II*\0` or `MM\0*`.
 */
export async function verifyFormat(file: string, name: string): Promise<void> {
  const ext = path.extname(name).toLowerCase();
  if (ext !== '.jpg' && ext !== '.jpeg' && ext !== '.tif' && ext !== '.tiff') return;
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    let ok: boolean;
    if (ext === '.jpg' || ext === '.jpeg') {
      const tail = Buffer.alloc(2);
      await fh.read(tail, 0, 2, Math.max(0, size - 2));
      ok = size >= 4 && head[0] === 0xff && head[1] === 0xd8 && tail[0] === 0xff && tail[1] === 0xd9;
    } else {
      ok = size >= 8 && (head.equals(Buffer.from('49492a00', 'hex')) || head.equals(Buffer.from('4d4d002a', 'hex')));
    }
    if (!ok) {
      await fs.rm(file, { force: true });
      throw new CameraError('CORRUPT', `downloaded ${name} is not a valid ${ext.slice(1).toUpperCase()} file; removed, it will be fetched again`);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

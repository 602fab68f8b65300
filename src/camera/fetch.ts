/**
 * Downloading a camera file to a local path safely: into a hidden temporary name next to the
 * target (`.NAME.part`), resumed only when camctl's record says that partial file was started for
 * this same camera file, checked (size against the camera's listing; image files also by their
 * format markers), flushed to disk and only then moved into place. So a file under its final name
 * is always complete: a process killed at any moment (kill -9) leaves at most a `.part` file that
 * the next run continues.
 *
 * A local file of the same name counts as this camera file only when the record says so
 * (download-record.ts): a name and a size prove nothing. Otherwise what happens is the caller's
 * choice, as gphoto2 offers it: keep the local file and say so (the default; a local file with
 * the camera file's size is compared byte for byte first, and adopted when identical), skip
 * existing files quietly (gphoto2's --skip-existing), or overwrite them (--force-overwrite). With
 * `onlyNew` (gphoto2's --new) a camera file downloaded into that directory before is not fetched
 * again, even if its local copy is gone.
 *
 * @example
 * const ledger = new DownloadLedger(await cameraIdentity(camera));
 * const r = await fetchVerified(camera, file, './shots/internal/0003/IMG_…_NIR.TIF', { ledger });
 * if (r.reason === 'conflict') console.error(r.message);
 */
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DirectoryRecords, DownloadLedger } from './download-record.js';
import { CameraError } from './errors.js';
import type { Camera, DownloadProgress } from './types.js';

/** What to do with a local file of the same name that is not known to be this camera file. */
export type ExistingPolicy = 'keep' | 'skip' | 'overwrite';

/**
 * Why a file was not fetched: `already-downloaded` (the local file is this camera file, as
 * recorded), `identical` (a local file camctl did not record has exactly the camera's bytes; it is
 * recorded now), `exists` (skip-existing: a local file of that name is there), `downloaded-before`
 * (onlyNew: this camera file was downloaded here before), `conflict` (a local file of that name is
 * not known to be this camera file and was kept; nothing was downloaded).
 */
export type SkipReason = 'already-downloaded' | 'identical' | 'exists' | 'downloaded-before' | 'conflict';

export interface FetchOptions {
  /** The run's record of which local file is which camera file. */
  ledger: DownloadLedger;
  /** Default `keep`. */
  existing?: ExistingPolicy;
  /** Skip camera files downloaded into that directory before (gphoto2's --new). */
  onlyNew?: boolean;
  signal?: AbortSignal | undefined;
  onProgress?: (p: DownloadProgress) => void;
}

export interface FetchResult {
  file: string;
  size: number;
  status: 'downloaded' | 'resumed' | 'skipped';
  /** Why it was skipped; null when it was fetched. */
  reason: SkipReason | null;
  /** What happened, in words, when it was not a plain download (null otherwise). */
  message: string | null;
  /** Bytes moved over the link by this call (0 when nothing was fetched). */
  transferred: number;
  resumedFrom: number;
  /** A local file that was not this camera file was replaced (policy `overwrite`). */
  overwritten: boolean;
  /** status === 'skipped'. */
  skipped: boolean;
}

/** Name of the temporary file for `file`. */
export function partName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.part`);
}

export async function fetchVerified(
  camera: Camera,
  remote: { path: string; name: string; size: number; time?: number | undefined },
  file: string,
  options: FetchOptions,
): Promise<FetchResult> {
  const policy = options.existing ?? 'keep';
  const object = options.ledger.objectOf(remote);
  const dir = path.dirname(file);
  const name = path.basename(file);
  const records = await options.ledger.directory(dir);
  const skip = (reason: SkipReason, message: string | null, transferred = 0): FetchResult => ({
    file,
    size: remote.size,
    status: 'skipped',
    reason,
    message,
    transferred,
    resumedFrom: 0,
    overwritten: false,
    skipped: true,
  });

  const existing = await fs.stat(file).catch(() => undefined);
  if (existing?.isFile() && records.isCompleteCopy(name, object, existing)) return skip('already-downloaded', null);
  if (options.onlyNew && records.downloadedBefore(object)) {
    return skip('downloaded-before', `${remote.path} was downloaded into ${dir} before; not fetched again`);
  }
  let compare = false;
  if (existing) {
    if (policy === 'skip') return skip('exists', `${file} exists; kept it and did not download ${remote.path}`);
    if (!existing.isFile())
      return skip('conflict', `${file} exists and is not a file; ${remote.path} was not downloaded`);
    if (policy === 'keep') {
      const holds = records.describe(name);
      const stillAsWritten =
        records.get(name)?.local?.size === existing.size && records.get(name)?.local?.mtimeMs === existing.mtimeMs;
      if (holds && stillAsWritten) {
        // Same path, other size or time: the camera has a new file where an older one was (after a format).
        const what =
          records.get(name)?.object.path === remote.path ? `an earlier ${holds} (other size or time)` : holds;
        return skip(
          'conflict',
          `${file} holds ${what}, not the camera's ${remote.path} now; kept it, ${remote.path} was not downloaded`,
        );
      }
      if (existing.size !== remote.size) {
        return skip(
          'conflict',
          `${file} exists and is not ${remote.path} (${describeLocal(records, name)}, other size); kept it, ${remote.path} was not downloaded`,
        );
      }
      // Same size, unknown origin: only the bytes can tell. Fetched into the temporary file, compared.
      compare = true;
    }
  }

  const part = partName(file);
  const got = await download(camera, remote, part, object, records, options);
  if (compare) {
    const same = await sameContent(part, file);
    await fs.rm(part, { force: true });
    const now = await fs.stat(file).catch(() => undefined);
    if (same && now?.isFile()) {
      await records.noteComplete(name, object, now);
      return skip('identical', `${file} already had the bytes of ${remote.path}; kept it`, got.transferred);
    }
    return skip(
      'conflict',
      `${file} exists and is not ${remote.path} (${describeLocal(records, name)}, other bytes); kept it, ${remote.path} was not downloaded`,
      got.transferred,
    );
  }
  if (!(await moveIntoPlace(part, file, policy === 'overwrite'))) {
    // Someone else created the file meanwhile: theirs stays; ours stays resumable under .part.
    return skip(
      'conflict',
      `${file} appeared while ${remote.path} was downloading; kept it, the download stays in ${path.basename(part)}`,
      got.transferred,
    );
  }
  await records.noteComplete(name, object, await fs.stat(file));
  return {
    file,
    size: got.size,
    status: got.resumedFrom > 0 ? 'resumed' : 'downloaded',
    reason: null,
    message: existing ? `${file} was not ${remote.path}; replaced it` : null,
    transferred: got.transferred,
    resumedFrom: got.resumedFrom,
    overwritten: !!existing,
    skipped: false,
  };
}

/** What the record knows of a local file that is not the camera file, for messages. */
function describeLocal(records: DirectoryRecords, name: string): string {
  const e = records.get(name);
  if (e?.state === 'complete') return `it was changed since camctl wrote it as ${e.object.path}`;
  return 'camctl did not write it';
}

/** Fetches `remote` into `part`, continuing it only if the record says it was begun for `object`. */
async function download(
  camera: Camera,
  remote: { path: string; name: string; size: number },
  part: string,
  object: ReturnType<DownloadLedger['objectOf']>,
  records: DirectoryRecords,
  options: FetchOptions,
): Promise<{ size: number; transferred: number; resumedFrom: number }> {
  const partBase = path.basename(part);
  const resume = camera.capabilities.resumableDownload && records.isPartialOf(partBase, object);
  if (!resume) {
    // Bytes of unknown origin are never continued: start clean, and say whose bytes will be there.
    await fs.rm(part, { force: true });
    await records.notePartial(partBase, object);
  }
  const dl: Parameters<Camera['download']>[2] = { resume, expectedSize: remote.size };
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
  return { size: result.size, transferred: result.transferred, resumedFrom: result.resumedFrom };
}

/**
 * Moves the verified temporary file to its final name. Without `replace`, a file that appeared
 * there meanwhile is not clobbered (a hard link fails on an existing name); file systems without
 * hard links (FAT on a card reader) fall back to a rename.
 */
async function moveIntoPlace(part: string, file: string, replace: boolean): Promise<boolean> {
  if (!replace) {
    try {
      await fs.link(part, file);
      await fs.rm(part, { force: true });
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'ENOSYS')
        throw err;
    }
  }
  await fs.rename(part, file);
  return true;
}

/** Byte-for-byte comparison of two local files. */
async function sameContent(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([fs.open(a, fsConstants.O_RDONLY), fs.open(b, fsConstants.O_RDONLY)]);
  try {
    const [sa, sb] = await Promise.all([fa.stat(), fb.stat()]);
    if (sa.size !== sb.size) return false;
    const size = 1 << 20;
    const ba = Buffer.alloc(size);
    const bb = Buffer.alloc(size);
    for (let pos = 0; pos < sa.size; pos += size) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, size, pos), fb.read(bb, 0, size, pos)]);
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead)))
        return false;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
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
      throw new CameraError(
        'CORRUPT',
        `downloaded ${name} is not a valid ${ext.slice(1).toUpperCase()} file; removed, it will be fetched again`,
      );
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

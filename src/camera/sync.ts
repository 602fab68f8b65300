/**
 * Mirrors every file on the camera (all media) into `DIR/<medium>/<folder>/<file>`:
 * parallel downloads, files already downloaded skipped, partial ones resumed, each written under a
 * temporary name and renamed once verified (see fetch.ts) — so a run killed at any point (kill -9)
 * is finished by the next with nothing lost, duplicated or corrupt. "Already downloaded" means
 * recorded as that camera file (download-record.ts), never just a local file of the same name and
 * size: such a file is kept and reported as a conflict unless `existing` says otherwise. With
 * `deleteAfter`, files are deleted on the camera only once their local copy is verified.
 *
 * @example
 * const summary = await syncCamera(camera, { dir: './flight-1', parallel: 4 });
 * console.log(`${summary.downloaded} files, ${summary.transferredBytes} bytes`);
 */
import * as path from 'node:path';
import { debuglog } from 'node:util';
import { CameraError } from './errors.js';
import { cameraIdentity, DownloadLedger } from './download-record.js';
import { fetchVerified, type ExistingPolicy, type SkipReason } from './fetch.js';
import type { Camera, RemoteFile } from './types.js';

const debug = debuglog('camctl:sync');

export interface SyncOptions {
  dir: string;
  /** Downloads at once. Default 4. */
  parallel?: number;
  /** Delete each file on the camera once its local copy is verified. Default false. */
  deleteAfter?: boolean;
  /** A local file of the same name not known to be the camera file: kept (default), skipped quietly, overwritten. */
  existing?: ExistingPolicy;
  /** Only camera files never downloaded into DIR before (gphoto2's --new). */
  onlyNew?: boolean;
  signal?: AbortSignal | undefined;
  /** Called once the listing is known. */
  onPlan?: (plan: { files: number; bytes: number }) => void;
  onFileStart?: (file: RemoteFile, local: string) => void;
  /** Bytes of this file now local (resumed prefix included). */
  onFileProgress?: (file: RemoteFile, bytes: number) => void;
  onFileDone?: (file: RemoteFile, result: SyncFileResult) => void;
}

export interface SyncFileResult {
  path: string;
  local: string;
  status: 'downloaded' | 'resumed' | 'skipped' | 'failed';
  /** Why it was skipped (null otherwise); `conflict`: a local file of that name was kept. */
  reason: SkipReason | null;
  message: string | null;
  overwritten: boolean;
  size: number;
  transferred: number;
  deleted?: boolean;
  error?: { code: string; message: string };
}

/** What a sync did: files and bytes on the camera, how many were downloaded, resumed, skipped, failed, deleted, and how fast. */
export interface SyncSummary {
  dir: string;
  /** Files on the camera (complete ones; files still being written are counted in `incomplete`). */
  files: number;
  bytes: number;
  downloaded: number;
  resumed: number;
  skipped: number;
  /** Files not downloaded because a local file of that name is not known to be them (kept). */
  conflicts: number;
  failed: number;
  deleted: number;
  /** Folders removed on the camera after `deleteAfter` emptied them. */
  deletedFolders: number;
  incomplete: number;
  transferredBytes: number;
  seconds: number;
  /** transferredBytes / seconds. */
  bytesPerSecond: number;
  failures: Array<{ path: string; code: string; message: string }>;
  conflictFiles: Array<{ path: string; local: string; message: string }>;
}

/** Lists every file of every medium (media and folders in the camera's order). */
export async function listAllFiles(camera: Camera, signal?: AbortSignal): Promise<RemoteFile[]> {
  const files: RemoteFile[] = [];
  const media = await camera.list('/', { signal });
  for (const m of media) {
    const folders = await camera.list(m.path, { signal });
    // Folders are listed in parallel (a few at a time): on a 20 ms link this is most of the plan.
    const lists = await mapLimit(folders, 8, (f) => camera.list(f.path, { signal }));
    for (const entries of lists) for (const e of entries) if (e.kind === 'file') files.push(e as RemoteFile);
  }
  return files;
}

export function localPathFor(dir: string, remotePath: string): string {
  const parts = remotePath.split('/').filter(Boolean);
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..' || p.includes('\\') || p.startsWith('.'))) {
    throw new CameraError('BAD_PATH', `refusing to write camera path ${remotePath} locally`);
  }
  return path.join(dir, ...parts);
}

export async function syncCamera(camera: Camera, options: SyncOptions): Promise<SyncSummary> {
  const parallel = options.parallel ?? 4;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)
    throw new CameraError('BAD_VALUE', `parallel must be 1-64, got ${parallel}`);
  if (options.deleteAfter && !camera.capabilities.delete)
    throw new CameraError('UNSUPPORTED', 'this camera cannot delete files');
  const started = performance.now();
  const ledger = new DownloadLedger(await cameraIdentity(camera, options.signal));
  const all = await listAllFiles(camera, options.signal);
  // A file being written reads size 0 (docs/sequoia.md): leave it for the next run.
  const files = all.filter((f) => f.size > 0);
  const summary: SyncSummary = {
    dir: options.dir,
    files: files.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
    downloaded: 0,
    resumed: 0,
    skipped: 0,
    conflicts: 0,
    failed: 0,
    deleted: 0,
    deletedFolders: 0,
    incomplete: all.length - files.length,
    transferredBytes: 0,
    seconds: 0,
    bytesPerSecond: 0,
    failures: [],
    conflictFiles: [],
  };
  options.onPlan?.({ files: files.length, bytes: summary.bytes });
  debug('plan: %d files, %d bytes', files.length, summary.bytes);

  await mapLimit(files, parallel, async (file) => {
    const local = localPathFor(options.dir, file.path);
    options.onFileStart?.(file, local);
    let result: SyncFileResult;
    try {
      const r = await fetchVerified(camera, file, local, {
        ledger,
        signal: options.signal,
        ...(options.existing ? { existing: options.existing } : {}),
        ...(options.onlyNew ? { onlyNew: true } : {}),
        ...(options.onFileProgress ? { onProgress: (p) => options.onFileProgress?.(file, p.bytes) } : {}),
      });
      result = {
        path: file.path,
        local,
        status: r.status,
        reason: r.reason,
        message: r.message,
        overwritten: r.overwritten,
        size: r.size,
        transferred: r.transferred,
      };
      summary.transferredBytes += r.transferred;
      if (r.reason === 'conflict') {
        summary.conflicts++;
        summary.conflictFiles.push({ path: file.path, local, message: r.message ?? '' });
      } else if (r.skipped) summary.skipped++;
      else if (r.status === 'resumed') summary.resumed++;
      else summary.downloaded++;
      // Only a file whose local copy is this camera file may go from the camera.
      if (options.deleteAfter && r.reason !== 'conflict' && r.reason !== 'exists' && r.reason !== 'downloaded-before') {
        await camera.delete(file.path, { signal: options.signal });
        result.deleted = true;
        summary.deleted++;
      }
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const code = (err as { code?: unknown }).code;
      const e = {
        code: typeof code === 'string' ? code : 'ERROR',
        message: err instanceof Error ? err.message : String(err),
      };
      result = {
        path: file.path,
        local,
        status: 'failed',
        reason: null,
        message: e.message,
        overwritten: false,
        size: file.size,
        transferred: 0,
        error: e,
      };
      summary.failed++;
      summary.failures.push({ path: file.path, ...e });
    }
    options.onFileDone?.(file, result);
  });

  if (options.deleteAfter) summary.deletedFolders = await removeEmptiedFolders(camera, files, options.signal);
  summary.seconds = (performance.now() - started) / 1000;
  summary.bytesPerSecond = summary.seconds > 0 ? summary.transferredBytes / summary.seconds : 0;
  return summary;
}

/**
 * Folders whose files were all deleted are removed too, so the card does not fill with empty
 * folders — but only if they are still empty when looked at again (a capture may be writing into
 * one; the camera then refuses, which is fine: it stays).
 */
export async function removeEmptiedFolders(
  camera: Camera,
  files: readonly RemoteFile[],
  signal: AbortSignal | undefined,
): Promise<number> {
  const folders = [...new Set(files.map((f) => f.path.slice(0, f.path.lastIndexOf('/'))))];
  let removed = 0;
  for (const folder of folders) {
    try {
      if ((await camera.list(folder, { signal })).length > 0) continue;
      await camera.delete(folder, { signal });
      removed++;
    } catch (err) {
      if (signal?.aborted) throw err;
      debug('keeping folder %s: %s', folder, (err as Error).message);
    }
  }
  return removed;
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order; first error wins. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
  return results;
}

/**
 * `camctl sync --to s3://BUCKET/PREFIX`: every picture on a camera into an S3-compatible object
 * store (AWS S3, Ceph's RADOS Gateway, MinIO, Garage), streamed from the camera without touching
 * the disk, each object created once and verified (object-upload.ts), with no coordinator: the
 * store's conditional writes are what keep many stations from writing anything twice.
 *
 * The camera is walked exactly as the local sync walks it (listAllFiles); each file goes to
 * `PREFIX/<model>-<serial>/<medium>/<folder>/<name>` (s3-keys.ts). When every file is in the
 * bucket, a manifest listing them all is written last, so a pipeline can start when it appears.
 * With `deleteAfter`, a file is deleted on the camera only once the bucket verifiably holds its
 * bytes: uploaded and checked by this run, or already there and matched against the camera's
 * bytes read again.
 *
 * @example
 * const client = await createS3Client({ endpoint: 'http://127.0.0.1:7480' });
 * const summary = await syncCameraToS3(camera, { client, target: parseS3Url('s3://survey/2026'), endpoint: 'http://127.0.0.1:7480' });
 */
import { randomBytes, randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { debuglog } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { CameraError } from '../camera/errors.js';
import { listAllFiles, mapLimit, removeEmptiedFolders } from '../camera/sync.js';
import type { PictureGps } from '../camera/picture-metadata.js';
import type { Camera, CameraInfo, RemoteFile } from '../camera/types.js';
import { ByteBudget } from './byte-budget.js';
import { ObjectUploader, type UploadStatus } from './object-upload.js';
import { S3SyncError, toS3SyncError } from './s3-errors.js';
import { cameraDir, cameraPrefix, claimKey, claimPrefix, manifestKey, objectKey, pictureFacts } from './s3-keys.js';
import type { S3Target } from './s3-target.js';

const debug = debuglog('camctl:s3sync');

/** Part buffers of all uploads of one camctl process together (cameras × parallel files). */
export const DEFAULT_MEMORY_BUDGET = 128 * 1024 * 1024;

export interface S3SyncOptions {
  client: S3Client;
  target: S3Target;
  /** How the endpoint is named in messages. */
  endpoint: string;
  /** Files coming over this camera's link at once (one more may be at the store's end). Default 4. */
  parallel?: number;
  deleteAfter?: boolean;
  /** Shared between cameras synced at once; default: a budget of {@link DEFAULT_MEMORY_BUDGET}. */
  budget?: ByteBudget;
  /** Part size for large files (default 8 MiB; S3's minimum is 5 MiB). */
  basePartSize?: number;
  signal?: AbortSignal | undefined;
  /** Called once the camera and its listing are known. */
  onPlan?: (plan: { camera: string; files: number; bytes: number }) => void;
  onFileStart?: (file: RemoteFile, key: string) => void;
  /** Bytes of this file read from the camera so far. */
  onFileProgress?: (file: RemoteFile, bytes: number) => void;
  onFileDone?: (file: RemoteFile, result: S3FileResult) => void;
}

export interface S3FileResult {
  path: string;
  key: string;
  status: UploadStatus | 'failed';
  size: number;
  sha256?: string;
  sentBytes: number;
  partsReused: number;
  deleted?: boolean;
  error?: { code: string; message: string };
}

export interface ManifestEntry {
  key: string;
  path: string;
  size: number;
  sha256: string;
  captureTime?: string;
  band?: string;
  /** Where the picture was taken, when it carries a position (as in its object metadata). */
  gps?: PictureGps;
}

/** What one camera's `sync --to s3://…` did: counts, bytes, time, and the manifest's key once every file is in the bucket. */
export interface S3SyncSummary {
  camera: { address: string; model: string; serial: string; firmware: string; dir: string };
  bucket: string;
  prefix: string;
  files: number;
  bytes: number;
  uploaded: number;
  resumed: number;
  /** Already in the bucket before this run. */
  present: number;
  /** Written at the same moment by another writer, with the same content. */
  raced: number;
  failed: number;
  deleted: number;
  deletedFolders: number;
  /** Files still being written on the camera (size 0), left for the next run. */
  incomplete: number;
  sentBytes: number;
  partsReused: number;
  seconds: number;
  bytesPerSecond: number;
  /** The manifest's key, when every file is in the bucket. */
  manifest?: string;
  failures: Array<{ path: string; code: string; message: string }>;
}

/** Checks, before reading the camera, that the bucket is there and these credentials may list it. */
export async function checkBucket(
  client: S3Client,
  target: S3Target,
  endpoint: string,
  signal?: AbortSignal,
): Promise<void> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  try {
    await client.send(
      new ListObjectsV2Command({
        Bucket: target.bucket,
        MaxKeys: 1,
        ...(target.prefix ? { Prefix: `${target.prefix}/` } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
  } catch (err) {
    if (signal?.aborted) throw err;
    throw toS3SyncError(err, { bucket: target.bucket, endpoint });
  }
}

export async function syncCameraToS3(camera: Camera, options: S3SyncOptions): Promise<S3SyncSummary> {
  const parallel = options.parallel ?? 4;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)
    throw new CameraError('BAD_VALUE', `parallel must be 1-64, got ${parallel}`);
  if (options.deleteAfter && !camera.capabilities.delete)
    throw new CameraError('UNSUPPORTED', 'this camera cannot delete files');
  const started = performance.now();
  const info: CameraInfo = await camera.info({ signal: options.signal });
  const dir = cameraDir(info);
  const all = await listAllFiles(camera, options.signal);
  // A file being written reads size 0 (as in the local sync): leave it for the next run.
  const files = all.filter((f) => f.size > 0);
  const summary: S3SyncSummary = {
    camera: { address: camera.address, model: info.model, serial: info.serialNumber, firmware: info.firmware, dir },
    bucket: options.target.bucket,
    prefix: options.target.prefix,
    files: files.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
    uploaded: 0,
    resumed: 0,
    present: 0,
    raced: 0,
    failed: 0,
    deleted: 0,
    deletedFolders: 0,
    incomplete: all.length - files.length,
    sentBytes: 0,
    partsReused: 0,
    seconds: 0,
    bytesPerSecond: 0,
    failures: [],
  };
  options.onPlan?.({ camera: dir, files: files.length, bytes: summary.bytes });
  debug(
    '%s: %d files, %d bytes into s3://%s/%s',
    dir,
    files.length,
    summary.bytes,
    options.target.bucket,
    options.target.prefix,
  );

  const uploader = new ObjectUploader({
    client: options.client,
    bucket: options.target.bucket,
    endpoint: options.endpoint,
    budget: options.budget ?? new ByteBudget(DEFAULT_MEMORY_BUDGET),
    signal: options.signal,
    ...(options.basePartSize ? { basePartSize: options.basePartSize } : {}),
  });
  const entries: ManifestEntry[] = [];
  const deletedFiles: RemoteFile[] = [];
  let fatal: S3SyncError | undefined;

  // `parallel` files come over the camera's link at once, and one more may be at the store's end
  // (the last part's PUT, the check after it) or asking whether its object is there: the radio
  // goes on to the next file as soon as one file's bytes are in, so it is not idle while the store
  // answers, and one file ahead is enough for that unless the store is slower than the radio.
  // The memory budget still bounds what waits in part buffers.
  const linkTurns = new ByteBudget(parallel);
  // In an order of its own: stations syncing the same camera then mostly work on different files
  // (each finds the others' objects already there) instead of racing for the same ones.
  await mapLimit(shuffled(files), parallel + 1, async (file) => {
    // Once the store is unreachable or refuses us, the other files would only fail the same way.
    if (fatal) return;
    const key = objectKey(options.target, dir, file.path);
    const facts = pictureFacts(info, file);
    options.onFileStart?.(file, key);
    let result: S3FileResult;
    try {
      const r = await uploader.upload({
        camera,
        file,
        key,
        claimKey: claimKey(options.target, dir, file.path),
        facts,
        verifyPresent: !!options.deleteAfter,
        linkTurns,
        ...(options.onFileProgress ? { onProgress: (b: number) => options.onFileProgress?.(file, b) } : {}),
      });
      result = {
        path: file.path,
        key,
        status: r.status,
        size: file.size,
        sha256: r.sha256,
        sentBytes: r.sentBytes,
        partsReused: r.partsReused,
      };
      summary[r.status]++;
      summary.sentBytes += r.sentBytes;
      summary.partsReused += r.partsReused;
      const entry: ManifestEntry = { key, path: file.path, size: file.size, sha256: r.sha256 };
      if (facts.captureTime) entry.captureTime = facts.captureTime;
      if (facts.band) entry.band = facts.band;
      if (r.gps) entry.gps = r.gps;
      entries.push(entry);
      if (options.deleteAfter && r.verifiedAgainstCamera) {
        await camera.delete(file.path, { signal: options.signal });
        result.deleted = true;
        summary.deleted++;
        deletedFiles.push(file);
      }
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const code = (err as { code?: unknown }).code;
      const e = {
        code: typeof code === 'string' ? code : 'ERROR',
        message: err instanceof Error ? err.message : String(err),
      };
      result = { path: file.path, key, status: 'failed', size: file.size, sentBytes: 0, partsReused: 0, error: e };
      summary.failed++;
      summary.failures.push({ path: file.path, ...e });
      if (err instanceof S3SyncError && err.fatal) fatal ??= err;
    }
    options.onFileDone?.(file, result);
  });
  if (fatal) throw fatal;

  if (deletedFiles.length > 0)
    summary.deletedFolders = await removeEmptiedFolders(camera, deletedFiles, options.signal);
  if (summary.failed === 0) {
    const swept = await uploader.sweep(cameraPrefix(options.target, dir), claimPrefix(options.target, dir));
    debug('%s: swept %d stale uploads, %d claims', dir, swept.aborted, swept.claimsRemoved);
    summary.manifest = await writeManifest(options, info, camera.address, dir, entries, summary);
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.bytesPerSecond = summary.seconds > 0 ? summary.sentBytes / summary.seconds : 0;
  return summary;
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The run's manifest, created (never replaced) once every file is in the bucket. */
async function writeManifest(
  options: S3SyncOptions,
  info: CameraInfo,
  address: string,
  dir: string,
  entries: ManifestEntry[],
  summary: S3SyncSummary,
): Promise<string> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const finished = new Date();
  const key = manifestKey(options.target, dir, finished, randomBytes(3).toString('hex'));
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const body = JSON.stringify(
    {
      camera: {
        model: info.model,
        serial: info.serialNumber,
        firmware: info.firmware,
        manufacturer: info.manufacturer,
        address,
      },
      station: hostname(),
      finished: finished.toISOString(),
      bucket: options.target.bucket,
      prefix: options.target.prefix,
      files: entries,
      totals: {
        files: entries.length,
        bytes: entries.reduce((n, e) => n + e.size, 0),
        uploaded: summary.uploaded + summary.resumed,
        present: summary.present + summary.raced,
      },
      incomplete: summary.incomplete,
    },
    null,
    2,
  );
  try {
    await options.client.send(
      new PutObjectCommand({
        Bucket: options.target.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        IfNoneMatch: '*',
      }),
      options.signal ? { abortSignal: options.signal } : {},
    );
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw toS3SyncError(err, { bucket: options.target.bucket, endpoint: options.endpoint });
  }
  return key;
}

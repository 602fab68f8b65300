/**
 * One camera file into one object, safely with any number of writers and across crashes.
 *
 * - A picture that fits in one part (nearly all of them: a Sequoia band is 1.5-6 MB, a THETA S
 *   picture 3-4 MB) is read into memory while hashing, then created with one PUT carrying
 *   `If-None-Match: *` (created only if the key is free), `Content-MD5` (the store rejects other
 *   bytes) and its metadata including the SHA-256; the ETag the store answers with (the MD5 of
 *   what it created) is checked against the camera's bytes.
 * - A larger file (videos) goes up in parts. S3 has no conditional create for a multipart upload
 *   that every store honours (Ceph 16's gateway ignores If-None-Match on completion and
 *   x-amz-copy-source-if-match), so the upload itself is claimed first: the claim is a small object
 *   created with `If-None-Match: *` that names the upload. Whoever finds a claim joins that upload
 *   instead of starting another: a run killed with kill -9 is continued by the next one (parts
 *   already in the store and equal to the camera's bytes by MD5 are not sent again), and two
 *   stations syncing the same camera write the same parts of one upload. After completion the
 *   object is checked against the ETag the parts must give, its SHA-256 is added to its metadata
 *   (a copy onto itself, which the stores do without moving the data), and the claim is removed.
 *   Before writing anything the key is looked at again under the claim, so an object that another
 *   writer completed meanwhile is never written a second time.
 * - An object already there counts as done when it carries the same size and a SHA-256 (camctl
 *   writes that only once the content is verified). One without it was cut off between
 *   completion and stamping: the camera's bytes are hashed again and compared with its ETag.
 */
import { hostname } from 'node:os';
import { debuglog } from 'node:util';
import type { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Camera, RemoteFile } from '../camera/types.js';
import type { ByteBudget } from './byte-budget.js';
import { PartStream, partCount, type Part, type PartDigests } from './part-stream.js';
import type { PictureGps } from '../camera/picture-metadata.js';
import { positionOf } from './picture-position.js';
import { gpsFromMetadata, objectMetadata, type PictureFacts } from './s3-keys.js';
import { S3SyncError, storeErrorOf, toS3SyncError } from './s3-errors.js';

const debug = debuglog('camctl:s3sync');

/** S3's smallest part (except the last) is 5 MiB and a file takes at most 10,000 parts. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** The part size for a file: fixed, so every writer cuts the same file the same way. */
export function partSizeFor(size: number, base = DEFAULT_PART_SIZE): number {
  return Math.max(base, Math.ceil(size / 10_000 / (1024 * 1024)) * 1024 * 1024);
}

export interface UploadContext {
  client: S3Client;
  bucket: string;
  endpoint: string;
  budget: ByteBudget;
  /** Default {@link DEFAULT_PART_SIZE}; tests may lower it to S3's 5 MiB minimum. */
  basePartSize?: number;
  signal?: AbortSignal | undefined;
}

export type UploadStatus =
  /** Written by this run. */
  | 'uploaded'
  /** Written by this run, continuing an upload an earlier run or another station began. */
  | 'resumed'
  /** Already in the bucket, complete. */
  | 'present'
  /** Written by another writer at the same time, with the same content. */
  | 'raced';

export interface UploadResult {
  status: UploadStatus;
  sha256: string;
  /** Bytes sent to the store by this run. */
  sentBytes: number;
  partsSent: number;
  /** Parts found in the store from an earlier attempt and not sent again. */
  partsReused: number;
  /** The camera's bytes were read and matched against the object (needed before deleting). */
  verifiedAgainstCamera: boolean;
  /** Where the picture was taken, from its first bytes (or from the object's metadata when it was there). */
  gps?: PictureGps;
}

export interface UploadRequest {
  camera: Camera;
  file: RemoteFile;
  key: string;
  claimKey: string;
  facts: PictureFacts;
  /** Read the camera's file and compare even when the object is already there (for --delete-after). */
  verifyPresent: boolean;
  /**
   * The camera's downloads at once, one unit each, held only while the camera's bytes stream: the
   * store's half of a file (the last PUT, the check, the stamp) then overlaps the next download
   * instead of leaving the radio idle.
   */
  linkTurns?: ByteBudget;
  onProgress?: (bytes: number) => void;
}

interface Head {
  size: number;
  etag: string;
  metadata: Record<string, string>;
}

export class ObjectUploader {
  constructor(private readonly ctx: UploadContext) {}

  private get where(): { bucket: string; endpoint: string } {
    return { bucket: this.ctx.bucket, endpoint: this.ctx.endpoint };
  }

  /** Sends any S3 command; SDK errors become {@link S3SyncError}s. */
  private async send<T>(command: object): Promise<T> {
    try {
      const send = this.ctx.client.send.bind(this.ctx.client) as (c: object, o: object) => Promise<unknown>;
      return (await send(command, this.ctx.signal ? { abortSignal: this.ctx.signal } : {})) as T;
    } catch (err) {
      if (this.ctx.signal?.aborted) throw err;
      throw toS3SyncError(err, this.where);
    }
  }

  /** HEAD: undefined when there is no such key. */
  async head(key: string): Promise<Head | undefined> {
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const r = await this.send<{ ContentLength?: number; ETag?: string; Metadata?: Record<string, string> }>(
        new HeadObjectCommand({ Bucket: this.ctx.bucket, Key: key }),
      );
      return { size: r.ContentLength ?? 0, etag: unquote(r.ETag), metadata: r.Metadata ?? {} };
    } catch (err) {
      if (err instanceof S3SyncError && err.status === 404 && err.storeCode !== 'NoSuchBucket') return undefined;
      throw err;
    }
  }

  async upload(req: UploadRequest): Promise<UploadResult> {
    const existing = await this.head(req.key);
    if (existing) return this.settleExisting(req, existing);
    const partSize = partSizeFor(req.file.size, this.ctx.basePartSize);
    if (partCount(req.file.size, partSize) === 1) return this.putWhole(req, partSize);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.putInParts(req, partSize);
      } catch (err) {
        // The joined upload was completed (or given up) by another writer while we sent parts.
        if (!uploadGone(err) || attempt >= 2) throw err;
        const head = await this.head(req.key);
        debug('%s: the upload ended under us; the object is %s', req.key, head ? 'there' : 'not there: claiming again');
        if (head) {
          const settled = await this.settleExisting(req, head);
          return { ...settled, status: 'raced' };
        }
      }
    }
  }

  /** Streams the camera file into a PartStream and returns its digests. */
  private async stream(req: UploadRequest, parts: PartStream): Promise<PartDigests> {
    const ac = new AbortController();
    const signal = this.ctx.signal ? AbortSignal.any([this.ctx.signal, ac.signal]) : ac.signal;
    // An upload failure ends the download too (a PTP download waits for 'drain' otherwise).
    let failure: unknown;
    parts.once('error', (err) => {
      failure = err;
      ac.abort(err);
    });
    try {
      const turn = await req.linkTurns?.acquire(1, signal);
      try {
        await req.camera.download(req.file.path, parts, {
          signal,
          expectedSize: req.file.size,
          ...(req.onProgress ? { onProgress: (p: { bytes: number }) => req.onProgress?.(p.bytes) } : {}),
        });
      } finally {
        if (turn) req.linkTurns?.release(turn);
      }
      return await parts.finish();
    } catch (err) {
      parts.release();
      throw failure ?? err;
    }
  }

  /** One PUT with If-None-Match: * and Content-MD5. */
  private async putWhole(req: UploadRequest, partSize: number): Promise<UploadResult> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    let outcome = 'uploaded' as 'uploaded' | 'raced';
    let gps: PictureGps | undefined;
    let storedEtag: string | undefined;
    const parts = new PartStream({
      size: req.file.size,
      partSize,
      budget: this.ctx.budget,
      signal: this.ctx.signal,
      onPart: async (part: Part) => {
        // The whole picture is in this one part: its position goes into the metadata of the PUT.
        gps = await positionOf(req.file.name, part.body);
        const put = new PutObjectCommand({
          Bucket: this.ctx.bucket,
          Key: req.key,
          Body: part.body,
          ContentLength: part.body.length,
          ContentMD5: Buffer.from(part.md5, 'hex').toString('base64'),
          ContentType: contentType(req.file.name),
          IfNoneMatch: '*',
          Metadata: objectMetadata(withGps(req.facts, gps), part.sha256),
        });
        // The body is the whole file, whose SHA-256 is already known.
        if (part.sha256) signWithPayloadHash(put, part.sha256);
        try {
          storedEtag = unquote((await this.send<{ ETag?: string }>(put)).ETag);
        } catch (err) {
          if (!isPreconditionFailed(err)) throw err;
          outcome = 'raced';
        }
      },
    });
    const digests = await this.stream(req, parts);
    const result = (status: 'uploaded' | 'raced', position: PictureGps | undefined): UploadResult =>
      withPosition(
        {
          status,
          sha256: digests.sha256,
          sentBytes: status === 'uploaded' ? req.file.size : 0,
          partsSent: 1,
          partsReused: 0,
          verifiedAgainstCamera: true,
        },
        position,
      );
    // The store created the object (If-None-Match: *) and answered with the MD5 of what it holds:
    // that is the check; asking again with a HEAD would only cost the store a request per picture.
    if (outcome === 'uploaded' && storedEtag === digests.etag) return result('uploaded', gps);
    const head = await this.head(req.key);
    if (!head) throw new S3SyncError('ERR_CAMCTL_S3_STORE_ERROR', `${req.key} is missing right after it was written`);
    if (outcome === 'raced') {
      if (head.metadata.sha256 !== digests.sha256 || head.size !== req.file.size) throw conflict(req, head);
    } else if (head.etag !== digests.etag) {
      throw new S3SyncError(
        'ERR_CAMCTL_S3_STORE_CHECKSUM',
        `${req.key}: the store reports ETag ${head.etag}, the camera's bytes give ${digests.etag}`,
      );
    }
    return result(outcome, outcome === 'raced' ? gpsFromMetadata(head.metadata) : gps);
  }

  /** Claims (or joins) the multipart upload of the key, fills in the parts it lacks, completes it. */
  private async putInParts(req: UploadRequest, partSize: number): Promise<UploadResult> {
    const s3 = await import('@aws-sdk/client-s3');
    const claim = await this.claimUpload(req, partSize);
    if ('present' in claim) return this.settleExisting(req, claim.present);
    const { uploadId, joined } = claim;
    const listed = await this.listParts(req.key, uploadId);
    debug('%s: upload %s (%s), %d parts already there', req.key, uploadId, joined ? 'joined' : 'new', listed.size);
    let sentBytes = 0;
    let partsSent = 0;
    let partsReused = 0;
    const etags = new Map<number, string>();
    let gps: PictureGps | undefined;
    const parts = new PartStream({
      size: req.file.size,
      partSize,
      budget: this.ctx.budget,
      signal: this.ctx.signal,
      onPart: async (part) => {
        // The position is read from the first part (sent or not): it is stamped on with the SHA-256.
        if (part.number === 1) gps = await positionOf(req.file.name, part.body);
        const there = listed.get(part.number);
        debug(
          '%s part %d: md5 %s, %d bytes; in the store: %o',
          req.key,
          part.number,
          part.md5,
          part.body.length,
          there,
        );
        if (there && there.etag === part.md5 && there.size === part.body.length) {
          partsReused++;
          etags.set(part.number, there.etag);
          return;
        }
        const r = await this.send<{ ETag?: string }>(
          new s3.UploadPartCommand({
            Bucket: this.ctx.bucket,
            Key: req.key,
            UploadId: uploadId,
            PartNumber: part.number,
            Body: part.body,
            ContentLength: part.body.length,
            ContentMD5: Buffer.from(part.md5, 'hex').toString('base64'),
          }),
        );
        if (unquote(r.ETag) !== part.md5)
          throw new S3SyncError(
            'ERR_CAMCTL_S3_STORE_CHECKSUM',
            `${req.key} part ${part.number}: the store reports ETag ${unquote(r.ETag)}, the bytes give ${part.md5}`,
          );
        etags.set(part.number, part.md5);
        sentBytes += part.body.length;
        partsSent++;
      },
    });
    const digests = await this.stream(req, parts);
    let raced = false;
    try {
      await this.send(
        new s3.CompleteMultipartUploadCommand({
          Bucket: this.ctx.bucket,
          Key: req.key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [...etags]
              .sort((a, b) => a[0] - b[0])
              .map(([PartNumber, ETag]) => ({ PartNumber, ETag: `"${ETag}"` })),
          },
        }),
      );
    } catch (err) {
      // Another writer in the same upload completed it first.
      if (!uploadGone(err)) throw err;
      raced = true;
    }
    const head = await this.head(req.key);
    if (!head)
      throw new S3SyncError('ERR_CAMCTL_S3_STORE_ERROR', `${req.key} is missing right after its upload was completed`);
    if (head.etag !== digests.etag || head.size !== req.file.size) {
      throw raced
        ? conflict(req, head)
        : new S3SyncError(
            'ERR_CAMCTL_S3_STORE_CHECKSUM',
            `${req.key}: the store reports ETag ${head.etag}, the camera's bytes give ${digests.etag}`,
          );
    }
    if (head.metadata.sha256 !== digests.sha256) await this.stamp(req, digests.sha256, partSize, gps);
    await this.deleteObject(req.claimKey);
    return withPosition(
      {
        status: raced ? 'raced' : joined || partsReused > 0 ? 'resumed' : 'uploaded',
        sha256: digests.sha256,
        sentBytes,
        partsSent,
        partsReused,
        verifiedAgainstCamera: true,
      },
      gps,
    );
  }

  /**
   * Finds or makes the one multipart upload for the key. Returns the object instead when it turns
   * out to exist already (a writer completed it meanwhile).
   */
  private async claimUpload(
    req: UploadRequest,
    partSize: number,
    attempt = 0,
  ): Promise<{ uploadId: string; joined: boolean } | { present: Head }> {
    const s3 = await import('@aws-sdk/client-s3');
    const created = await this.send<{ UploadId?: string }>(
      new s3.CreateMultipartUploadCommand({
        Bucket: this.ctx.bucket,
        Key: req.key,
        ContentType: contentType(req.file.name),
        Metadata: { ...objectMetadata(req.facts), 'part-size': String(partSize) },
      }),
    );
    const mine = created.UploadId;
    if (!mine) throw new S3SyncError('ERR_CAMCTL_S3_STORE_ERROR', `the store gave no upload id for ${req.key}`);
    let uploadId = mine;
    let joined = false;
    try {
      const body = JSON.stringify({
        uploadId: mine,
        key: req.key,
        size: req.file.size,
        partSize,
        station: hostname(),
        started: new Date().toISOString(),
      });
      await this.send(
        new s3.PutObjectCommand({
          Bucket: this.ctx.bucket,
          Key: req.claimKey,
          Body: body,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
    } catch (err) {
      if (!isPreconditionFailed(err)) {
        await this.abort(req.key, mine);
        throw err;
      }
      await this.abort(req.key, mine);
      const claim = await this.readClaim(req.claimKey);
      uploadId = claim?.uploadId ?? '';
      joined = true;
    }
    // Under the claim, look again: a writer may have completed the object and dropped its claim.
    const present = await this.head(req.key);
    if (present) {
      if (!joined) {
        await this.abort(req.key, mine);
        await this.deleteObject(req.claimKey);
      }
      return { present };
    }
    if (joined && !(await this.uploadExists(req.key, uploadId))) {
      // The claimed upload is gone and no object was made: the claim is stale. Drop it, start over.
      if (attempt >= 2)
        throw new S3SyncError(
          'ERR_CAMCTL_S3_STORE_ERROR',
          `the upload claimed in ${req.claimKey} keeps vanishing; remove that object if no other station is syncing this camera`,
        );
      await this.deleteObject(req.claimKey);
      return this.claimUpload(req, partSize, attempt + 1);
    }
    // Other uploads of this key (a run killed before it could claim, a writer that lost the
    // claim) are not aborted here: one may belong to a writer about to join this one. The sweep
    // after the run aborts whatever is left once the object exists.
    return { uploadId, joined };
  }

  private async readClaim(key: string): Promise<{ uploadId: string } | undefined> {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const r = await this.send<{ Body?: { transformToString(): Promise<string> } }>(
        new GetObjectCommand({ Bucket: this.ctx.bucket, Key: key }),
      );
      const parsed = JSON.parse((await r.Body?.transformToString()) ?? '{}') as { uploadId?: unknown };
      return typeof parsed.uploadId === 'string' ? { uploadId: parsed.uploadId } : undefined;
    } catch (err) {
      if (err instanceof S3SyncError && err.status === 404) return undefined;
      if (err instanceof SyntaxError) return undefined;
      throw err;
    }
  }

  /** Asks for the upload itself (a listing of uploads may lag behind). */
  private async uploadExists(key: string, uploadId: string): Promise<boolean> {
    if (uploadId === '') return false;
    try {
      await this.listParts(key, uploadId);
      return true;
    } catch (err) {
      if (uploadGone(err)) return false;
      throw err;
    }
  }

  /**
   * After a run: aborts every in-progress upload under `prefix` whose object exists (nothing can
   * complete it any more) and removes claims whose object exists, so a finished run leaves no
   * orphaned upload and no claim behind. Uploads of objects not yet there may be another
   * station's work in progress and are left alone.
   */
  async sweep(prefix: string, claims: string): Promise<{ aborted: number; claimsRemoved: number }> {
    const s3 = await import('@aws-sdk/client-s3');
    let aborted = 0;
    let claimsRemoved = 0;
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const r = await this.send<{
        Uploads?: Array<{ Key?: string; UploadId?: string }>;
        IsTruncated?: boolean;
        NextKeyMarker?: string;
        NextUploadIdMarker?: string;
      }>(
        new s3.ListMultipartUploadsCommand({
          Bucket: this.ctx.bucket,
          Prefix: `${prefix}/`,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(idMarker ? { UploadIdMarker: idMarker } : {}),
        }),
      );
      for (const u of r.Uploads ?? []) {
        if (!u.Key || !u.UploadId || !(await this.head(u.Key))) continue;
        await this.abort(u.Key, u.UploadId);
        aborted++;
      }
      if (!r.IsTruncated) break;
      keyMarker = r.NextKeyMarker;
      idMarker = r.NextUploadIdMarker;
    }
    let token: string | undefined;
    for (;;) {
      const r = await this.send<{
        Contents?: Array<{ Key?: string }>;
        IsTruncated?: boolean;
        NextContinuationToken?: string;
      }>(
        new s3.ListObjectsV2Command({
          Bucket: this.ctx.bucket,
          Prefix: `${claims}/`,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const c of r.Contents ?? []) {
        if (!c.Key) continue;
        const objectKey = `${prefix}/${c.Key.slice(claims.length + 1)}`;
        if (!(await this.head(objectKey))) continue;
        await this.deleteObject(c.Key);
        claimsRemoved++;
      }
      if (!r.IsTruncated || !r.NextContinuationToken) break;
      token = r.NextContinuationToken;
    }
    return { aborted, claimsRemoved };
  }

  private async listParts(key: string, uploadId: string): Promise<Map<number, { etag: string; size: number }>> {
    const { ListPartsCommand } = await import('@aws-sdk/client-s3');
    const parts = new Map<number, { etag: string; size: number }>();
    let marker: string | undefined;
    for (;;) {
      const r = await this.send<{
        Parts?: Array<{ PartNumber?: number; ETag?: string; Size?: number }>;
        IsTruncated?: boolean;
        NextPartNumberMarker?: string;
      }>(
        new ListPartsCommand({
          Bucket: this.ctx.bucket,
          Key: key,
          UploadId: uploadId,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
      );
      for (const p of r.Parts ?? [])
        if (p.PartNumber) parts.set(p.PartNumber, { etag: unquote(p.ETag), size: p.Size ?? -1 });
      if (!r.IsTruncated || !r.NextPartNumberMarker) return parts;
      marker = r.NextPartNumberMarker;
    }
  }

  private async abort(key: string, uploadId: string): Promise<void> {
    const { AbortMultipartUploadCommand } = await import('@aws-sdk/client-s3');
    try {
      await this.send(new AbortMultipartUploadCommand({ Bucket: this.ctx.bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      if (!(err instanceof S3SyncError && err.status === 404)) throw err;
    }
  }

  private async deleteObject(key: string): Promise<void> {
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    await this.send(new DeleteObjectCommand({ Bucket: this.ctx.bucket, Key: key }));
  }

  /** Adds the verified SHA-256 to the object's metadata: a copy onto itself, data untouched. */
  private async stamp(
    req: UploadRequest,
    sha256: string,
    partSize: number,
    gps: PictureGps | undefined,
  ): Promise<void> {
    const { CopyObjectCommand } = await import('@aws-sdk/client-s3');
    await this.send(
      new CopyObjectCommand({
        Bucket: this.ctx.bucket,
        Key: req.key,
        CopySource: `${this.ctx.bucket}/${req.key.split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'REPLACE',
        ContentType: contentType(req.file.name),
        Metadata: { ...objectMetadata(withGps(req.facts, gps), sha256), 'part-size': String(partSize) },
      }),
    );
  }

  /** An object is already under the key: done, to be verified, or someone else's. */
  private async settleExisting(req: UploadRequest, head: Head): Promise<UploadResult> {
    if (head.size !== req.file.size) throw conflict(req, head);
    const stamped = head.metadata.sha256;
    const known = gpsFromMetadata(head.metadata);
    if (stamped && !req.verifyPresent) {
      return withPosition(
        {
          status: 'present',
          sha256: stamped,
          sentBytes: 0,
          partsSent: 0,
          partsReused: 0,
          verifiedAgainstCamera: false,
        },
        known,
      );
    }
    // Hash the camera's bytes the way the object was cut, and compare. An object never stamped
    // also gets its position then, read from the first part as it goes by.
    const partSize = Number(head.metadata['part-size']) || partSizeFor(req.file.size, this.ctx.basePartSize);
    let gps = known;
    const firstPart = async (part: Part): Promise<void> => {
      if (part.number === 1) gps = await positionOf(req.file.name, part.body);
    };
    const digests = await this.stream(
      req,
      new PartStream({
        size: req.file.size,
        partSize,
        signal: this.ctx.signal,
        ...(stamped ? {} : { onPart: firstPart, budget: this.ctx.budget }),
      }),
    );
    if (stamped ? stamped !== digests.sha256 : head.etag !== digests.etag) throw conflict(req, head);
    if (!stamped) await this.stamp(req, digests.sha256, partSize, gps);
    await this.deleteObject(req.claimKey).catch(() => undefined);
    return withPosition(
      {
        status: 'present',
        sha256: digests.sha256,
        sentBytes: 0,
        partsSent: 0,
        partsReused: 0,
        verifiedAgainstCamera: true,
      },
      gps,
    );
  }
}

/**
 * Signs the request with a payload SHA-256 camctl computed while streaming: Signature Version 4
 * takes the `x-amz-content-sha256` header as the payload's hash when it is there, instead of
 * hashing the body a second time (over plain HTTP the SDK signs the payload; a whole file hashed
 * twice was a tenth of camctl's CPU at a fleet's rate).
 */
function signWithPayloadHash(command: PutObjectCommand, sha256: string): void {
  command.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256;
      return next(args);
    },
    { step: 'build', name: 'camctlPayloadSha256' },
  );
}

function withGps(facts: PictureFacts, gps: PictureGps | undefined): PictureFacts {
  return gps ? { ...facts, gps } : facts;
}

function withPosition(result: UploadResult, gps: PictureGps | undefined): UploadResult {
  if (gps) result.gps = gps;
  return result;
}

function conflict(req: UploadRequest, head: Head): S3SyncError {
  return new S3SyncError(
    'ERR_CAMCTL_S3_STORE_CONFLICT',
    `${req.key} already holds other content (${head.size} bytes, ETag ${head.etag}) than ${req.file.path} on the camera (${req.file.size} bytes); it is left as it is`,
  );
}

/**
 * The multipart upload no longer exists: another writer completed or aborted it. Ceph's gateway
 * answers NoSuchKey rather than NoSuchUpload for an upload completed a moment ago.
 */
function uploadGone(err: unknown): boolean {
  return err instanceof S3SyncError && (err.storeCode === 'NoSuchUpload' || err.storeCode === 'NoSuchKey');
}

function isPreconditionFailed(err: unknown): boolean {
  const { name, status } = storeErrorOf(err);
  const store = err instanceof S3SyncError ? err.storeCode : name;
  return status === 412 || (err instanceof S3SyncError && err.status === 412) || store === 'PreconditionFailed';
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  mp4: 'video/mp4',
  dng: 'image/x-adobe-dng',
  json: 'application/json',
};

function contentType(name: string): string {
  return TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

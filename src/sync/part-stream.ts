/**
 * The writable a camera download streams into on its way to the object store: it cuts the file
 * into parts of a fixed size, hashes everything with SHA-256 and each part with MD5 as the bytes
 * go by (nothing is read twice, nothing touches the disk), and hands each full part to `onPart`,
 * which uploads it. Memory is reserved from a shared {@link ByteBudget} one part at a time, and
 * the download is held back (write callbacks wait) while the store is slower than the camera.
 *
 * Without `onPart` it only hashes: that is how a picture already in the bucket is checked against
 * the camera before the camera's copy is deleted.
 */
import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { ByteBudget } from './byte-budget.js';

export interface Part {
  /** 1-based, as S3 numbers parts. */
  number: number;
  body: Buffer;
  /** MD5 of the part, hex (S3's ETag of a part). */
  md5: string;
  /** The last part: the SHA-256 of the whole file is then known. */
  last: boolean;
  /** Hex SHA-256 of the whole file, on the last part. */
  sha256?: string;
}

export interface PartStreamOptions {
  /** Exact size of the file (from the camera's listing). */
  size: number;
  partSize: number;
  /** Uploads one part; parts are handed over in order, at most `maxInFlight` at once. */
  onPart?: (part: Part) => Promise<void>;
  budget?: ByteBudget;
  maxInFlight?: number;
  signal?: AbortSignal | undefined;
}

export interface PartDigests {
  sha256: string;
  /** Raw MD5 digest of each part, in order. */
  partMd5: Buffer[];
  /** The ETag S3 gives this content uploaded in these parts (see {@link expectedEtag}). */
  etag: string;
}

/**
 * S3's ETag for content uploaded in one PUT (the MD5) or in N parts (the MD5 of the parts' MD5s,
 * then `-N`). Ceph, MinIO and Garage compute it the same way; with the part size fixed, it
 * identifies the content like a checksum does.
 */
export function expectedEtag(partMd5: readonly Buffer[], multipart: boolean): string {
  if (!multipart) return partMd5[0]?.toString('hex') ?? createHash('md5').digest('hex');
  return `${createHash('md5').update(Buffer.concat(partMd5)).digest('hex')}-${partMd5.length}`;
}

/** How many parts a file of `size` bytes takes (at least one). */
export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

export class PartStream extends Writable {
  private readonly opts: PartStreamOptions;
  private readonly sha = createHash('sha256');
  private readonly partMd5: Buffer[] = [];
  private partHash: Hash = createHash('md5');
  private buffer: Buffer | undefined;
  /** Bytes of the current part received so far. */
  private filled = 0;
  private partNumber = 1;
  private received = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(opts: PartStreamOptions) {
    // A small high-water mark: the budget, not the stream's queue, decides how much is held.
    super({ highWaterMark: 256 * 1024 });
    this.opts = opts;
  }

  private partLength(n: number): number {
    const { size, partSize } = this.opts;
    return Math.min(partSize, size - (n - 1) * partSize);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.take(chunk).then(
      () => cb(),
      (err: Error) => cb(err),
    );
  }

  private async take(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.received + chunk.length > this.opts.size) {
      throw Object.assign(new Error(`the camera sent more than the ${this.opts.size} bytes it listed`), {
        code: 'SIZE_MISMATCH',
      });
    }
    this.received += chunk.length;
    this.sha.update(chunk);
    let off = 0;
    while (off < chunk.length) {
      const want = this.partLength(this.partNumber);
      if (this.opts.onPart && !this.buffer) {
        this.buffer = this.opts.budget ? await this.opts.budget.take(want, this.opts.signal) : Buffer.allocUnsafe(want);
      }
      const n = Math.min(chunk.length - off, want - this.filled);
      const piece = chunk.subarray(off, off + n);
      this.partHash.update(piece);
      if (this.buffer) piece.copy(this.buffer, this.filled);
      this.filled += n;
      off += n;
      if (this.filled === want) await this.flushPart();
    }
  }

  private async flushPart(): Promise<void> {
    const md5 = this.partHash.digest();
    this.partMd5.push(md5);
    // By part number: a chunk may span several parts, and `received` already counts all of it.
    const last = this.partNumber === partCount(this.opts.size, this.opts.partSize);
    const part: Part = {
      number: this.partNumber,
      body: this.buffer ?? Buffer.alloc(0),
      md5: md5.toString('hex'),
      last,
    };
    if (last) part.sha256 = this.sha.copy().digest('hex');
    const body = this.buffer;
    this.buffer = undefined;
    this.filled = 0;
    this.partNumber++;
    this.partHash = createHash('md5');
    if (!this.opts.onPart) return;
    const p = this.opts
      .onPart(part)
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.inFlight.delete(p);
        // The store has the part (or refused it): the buffer serves the next part. A body still
        // being written when the store answered early (a 412) goes to a request already refused,
        // and Content-MD5 keeps any other bytes out of the store in any case.
        if (body) this.opts.budget?.give(body);
      });
    this.inFlight.add(p);
    while (this.inFlight.size >= (this.opts.maxInFlight ?? 2)) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /**
   * Once the download has returned: waits for the parts still uploading and gives the digests.
   * Throws the first upload failure, or SIZE_MISMATCH if fewer bytes came than listed.
   */
  async finish(): Promise<PartDigests> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
    if (this.received !== this.opts.size) {
      throw Object.assign(new Error(`the camera sent ${this.received} of the ${this.opts.size} bytes it listed`), {
        code: 'SIZE_MISMATCH',
      });
    }
    const multipart = partCount(this.opts.size, this.opts.partSize) > 1;
    return { sha256: this.sha.digest('hex'), partMd5: this.partMd5, etag: expectedEtag(this.partMd5, multipart) };
  }

  /** Gives back a reservation held for a part that will never be filled (the download failed). */
  release(): void {
    if (this.buffer) this.opts.budget?.give(this.buffer);
    this.buffer = undefined;
  }
}

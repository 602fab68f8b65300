/**
 * A fixed set of large read buffers shared by a read-ahead loop and the writes it issues: a buffer
 * is taken before a read and given back from its write's callback, i.e. once the socket has taken
 * it. At most `count` buffers are ever in flight, which is the loop's backpressure, and nothing is
 * allocated per chunk (createReadStream allocates a fresh buffer per read and feeds the GC).
 * Buffers are made on first need, so a small file (or a zip sent with sendfile) costs one or none.
 *
 * A failure (a write error, the connection closing) is recorded once with fail(); every waiter
 * wakes and take() / drained() throw it from then on.
 *
 * Once every buffer is back, {@link BufferPool.recycle} hands them to the next pool of the same
 * chunk size (a process-wide spare list, bounded by {@link SPARE_BYTES}): a server sending many
 * files one after the other then does not fault in and collect fresh megabytes per request, which
 * for an emulated camera sending pictures over its paced link was most of its CPU.
 *
 * @example
 * const pool = new BufferPool(2 * 1024 * 1024, 8);
 * const buf = await pool.take();
 * const { bytesRead } = await file.read(buf, 0, buf.length, pos);
 * out.write(buf.subarray(0, bytesRead), (err) => (err ? pool.fail(err) : pool.give(buf)));
 * await pool.drained();
 */
/** Most bytes of spare buffers kept for later pools, all chunk sizes together. */
export const SPARE_BYTES = 32 * 1024 * 1024;

const spares = new Map<number, Buffer[]>();
let spareBytes = 0;

export class BufferPool {
  private readonly free: Buffer[] = [];
  private made = 0;
  private readonly waiting: Array<() => void> = [];
  private failure: Error | undefined;

  constructor(
    readonly chunkBytes: number,
    readonly count: number,
  ) {}

  /** The first failure recorded, if any. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Records a failure (the first one wins) and wakes every waiter. */
  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  /** A free buffer, once one is back; throws the recorded failure instead. */
  async take(): Promise<Buffer> {
    if (this.free.length === 0 && this.made < this.count && !this.failure) {
      this.made++;
      const spare = spares.get(this.chunkBytes)?.pop();
      if (spare) spareBytes -= spare.length;
      return spare ?? Buffer.allocUnsafeSlow(this.chunkBytes);
    }
    while (this.free.length === 0 && !this.failure) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failure) throw this.failure;
    return this.free.pop()!;
  }

  /** Returns a buffer whose write has completed. */
  give(buf: Buffer): void {
    this.free.push(buf);
    this.wake();
  }

  /** Resolves when every buffer is back (all writes done); throws the recorded failure instead. */
  async drained(): Promise<void> {
    while (this.free.length < this.made && !this.failure)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failure) throw this.failure;
  }

  /**
   * After {@link drained} resolved: gives every buffer to later pools and leaves this one empty.
   * Not after a failure, when a write may still hold a buffer.
   */
  recycle(): void {
    if (this.failure || this.free.length < this.made) return;
    for (const buf of this.free.splice(0)) {
      if (spareBytes + buf.length > SPARE_BYTES) break;
      const list = spares.get(buf.length);
      if (list) list.push(buf);
      else spares.set(buf.length, [buf]);
      spareBytes += buf.length;
    }
    this.made = 0;
  }

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

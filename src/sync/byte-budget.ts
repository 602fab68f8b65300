import { InvalidOptionError } from '../util/errors.js';

/**
 * A shared allowance of memory for part buffers, so that any number of cameras syncing at once
 * stays within a fixed footprint: each upload reserves the bytes of the part it is about to fill
 * before reading them from the camera, and gives them back once the store has the part. Waiters
 * are served in order. An upload that holds a reservation can always finish its part, so nobody
 * waits on someone who waits on them.
 *
 * {@link ByteBudget.take} hands out the buffers themselves and {@link ByteBudget.give} keeps a
 * returned one for the next part of about its size: a fresh multi-megabyte buffer costs a page
 * fault per 4 KiB the first time it is written and leaves garbage for the collector, which at a
 * fleet's rate was a larger share of camctl's CPU than hashing the bytes. Kept buffers stay within
 * the limit; they are let go as soon as a reservation of another size needs their room.
 */
/** Buffers are made in whole 64 KiB, the granularity of sizes the budget tells apart. */
const SIZE_CLASS = 64 * 1024;
/** A kept buffer serves a part up to this much smaller than it (pictures differ a little in size). */
const REUSE_SLACK = 1.125;

export class ByteBudget {
  private free: number;
  /** Returned buffers by capacity, counted as reserved until taken again or let go. */
  private readonly kept = new Map<number, Buffer[]>();
  private keptBytes = 0;
  private readonly waiters: Array<{
    bytes: number;
    resolve: () => void;
    reject: (err: unknown) => void;
    signal: AbortSignal | undefined;
    onAbort: () => void;
  }> = [];

  constructor(readonly limit: number) {
    if (!(limit > 0)) throw new InvalidOptionError('limit', `a byte budget needs a positive limit, got ${limit}`);
    this.free = limit;
  }

  /** Bytes not reserved right now (kept buffers count as free: they are let go when needed). */
  get available(): number {
    return this.free + this.keptBytes;
  }

  /** Reserves `bytes` (at most the whole limit), waiting for them in turn. */
  acquire(bytes: number, signal?: AbortSignal): Promise<number> {
    const n = Math.min(bytes, this.limit);
    signal?.throwIfAborted();
    if (this.waiters.length === 0) this.letGo(n);
    if (this.waiters.length === 0 && this.free >= n) {
      this.free -= n;
      return Promise.resolve(n);
    }
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        bytes: n,
        resolve: () => resolve(n),
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason);
          this.wake();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives back what {@link acquire} returned. */
  release(bytes: number): void {
    this.free = Math.min(this.limit, this.free + bytes);
    this.wake();
  }

  /**
   * A buffer of `bytes` within the budget: a kept one of about that size when there is one,
   * else a new one once its capacity is reserved. Give it back with {@link give}.
   */
  async take(bytes: number, signal?: AbortSignal): Promise<Buffer> {
    const rounded = Math.ceil(bytes / SIZE_CLASS) * SIZE_CLASS;
    const capacity = bytes < SIZE_CLASS || rounded > this.limit ? Math.max(1, bytes) : rounded;
    signal?.throwIfAborted();
    let fit: number | undefined;
    for (const [size, list] of this.kept)
      if (list.length > 0 && size >= capacity && size <= capacity * REUSE_SLACK && size < (fit ?? Infinity)) fit = size;
    if (fit !== undefined) {
      this.keptBytes -= fit;
      return this.kept.get(fit)!.pop()!.subarray(0, bytes);
    }
    await this.acquire(capacity, signal);
    return Buffer.allocUnsafeSlow(capacity).subarray(0, bytes);
  }

  /** Returns a buffer from {@link take}: kept for the next part of its size, or its room freed for a waiter. */
  give(buf: Buffer): void {
    const capacity = buf.buffer.byteLength;
    if (this.waiters.length > 0 || capacity > this.limit) {
      this.release(capacity);
      return;
    }
    const whole = Buffer.from(buf.buffer, 0, capacity);
    const list = this.kept.get(capacity);
    if (list) list.push(whole);
    else this.kept.set(capacity, [whole]);
    this.keptBytes += capacity;
  }

  /** Lets kept buffers go (to the collector) until `bytes` are free, or none is kept. */
  private letGo(bytes: number): void {
    for (const [capacity, list] of this.kept) {
      while (this.free < bytes && list.length > 0) {
        list.pop();
        this.keptBytes -= capacity;
        this.free += capacity;
      }
      if (this.free >= bytes) return;
    }
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      this.letGo(this.waiters[0]!.bytes);
      if (this.free < this.waiters[0]!.bytes) return;
      const w = this.waiters.shift()!;
      this.free -= w.bytes;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
  }
}

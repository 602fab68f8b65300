import { InvalidOptionError } from '../util/errors.js';

/**
 * A shared allowance of memory for part buffers, so that any number of cameras syncing at once
 * stays within a fixed footprint: each upload reserves the bytes of the part it is about to fill
 * before reading them from the camera, and gives them back once the store has the part. Waiters
 * are served in order. An upload that holds a reservation can always finish its part, so nobody
 * waits on someone who waits on them.
 */
export class ByteBudget {
  private free: number;
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

  /** Bytes not reserved right now. */
  get available(): number {
    return this.free;
  }

  /** Reserves `bytes` (at most the whole limit), waiting for them in turn. */
  acquire(bytes: number, signal?: AbortSignal): Promise<number> {
    const n = Math.min(bytes, this.limit);
    signal?.throwIfAborted();
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

  private wake(): void {
    while (this.waiters.length > 0 && this.free >= this.waiters[0]!.bytes) {
      const w = this.waiters.shift()!;
      this.free -= w.bytes;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
  }
}

/**
 * A token bucket shared fairly between flows: the air time of one radio link.
 *
 * Tokens (bytes) accrue at `rate` bytes per second; a flow asks for bytes with
 * {@link FairTokenBucket.take} and is let through once there are tokens for them. Flows waiting at
 * the same time are served round-robin, at most {@link SLICE_BYTES} per turn, so a flow with a
 * megabyte to send cannot make another wait for more than one slice per busy flow — as an access
 * point shares the air between stations rather than finishing one frame train first.
 *
 * Air that nobody uses is lost, as on a radio: after an idle spell (nobody waiting) at most one
 * slice of tokens is saved up, so a client that leaves the link idle for a round trip per request
 * does not get that time back later. While flows are waiting, up to `burst` (50 ms of the rate) is
 * kept, so a timer that fires late does not cost the backlog its share.
 *
 * Time comes from an injected {@link Clock}: with a ManualClock the accounting is exact and
 * testable (`granted` never exceeds `burst + rate × elapsed`).
 *
 * @example
 * const air = new FairTokenBucket(new RealClock(), 3_000_000);
 * const flow = air.flow();
 * await flow.take(65_536); // resolves once 64 KiB may go on the air
 * flow.close();
 */
import type { Clock, TimerHandle } from '../util/clock.js';
import { InvalidOptionError } from '../util/errors.js';

/** The most one flow is granted per turn. */
export const SLICE_BYTES = 16 * 1024;

/** Most tokens ever held (while flows wait): 50 ms of the rate, at least one slice. */
export function burstFor(rate: number): number {
  return Math.max(SLICE_BYTES, Math.round(rate * 0.05));
}

interface Waiter {
  remaining: number;
  resolve: () => void;
}

/** One flow's place in the bucket's round-robin (e.g. one TCP connection). */
export interface BucketFlow {
  /** Resolves once `bytes` may be sent (at once when the bucket is unlimited). */
  take(bytes: number): Promise<void>;
  /** Leaves the round-robin; what it still waited for is released at once (the sender is gone). */
  close(): void;
}

export class FairTokenBucket {
  private rateBytesPerSec: number;
  private tokens: number;
  private last: number;
  /** Waiting flows in turn order (a Map keeps insertion order; a served flow moves to the end). */
  private readonly queues = new Map<object, Waiter[]>();
  private timer: TimerHandle | undefined;
  /** Bytes let through since creation (for accounting and tests). */
  granted = 0;

  /** `rate` in bytes per second; 0 = unlimited. */
  constructor(
    private readonly clock: Clock,
    rate: number,
  ) {
    checkRate(rate);
    this.rateBytesPerSec = rate;
    this.tokens = Math.min(SLICE_BYTES, burstFor(rate));
    this.last = clock.now();
  }

  get rate(): number {
    return this.rateBytesPerSec;
  }

  get burst(): number {
    return burstFor(this.rateBytesPerSec);
  }

  /** Flows waiting now. */
  get waiting(): number {
    return this.queues.size;
  }

  /** Changes the rate from now on; tokens saved so far stay (capped to the new burst). */
  setRate(rate: number): void {
    checkRate(rate);
    if (rate === this.rateBytesPerSec) return;
    this.refill();
    this.rateBytesPerSec = rate;
    this.tokens = Math.min(this.tokens, burstFor(rate));
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.pump();
  }

  flow(): BucketFlow {
    const key = {};
    return {
      take: (bytes) => this.take(key, bytes),
      close: () => {
        const q = this.queues.get(key);
        this.queues.delete(key);
        for (const w of q ?? []) w.resolve();
      },
    };
  }

  private take(key: object, bytes: number): Promise<void> {
    if (!(bytes >= 0) || !Number.isFinite(bytes))
      throw new InvalidOptionError('bytes', `must be a number ≥ 0, got ${bytes}`);
    if (bytes === 0) return Promise.resolve();
    if (this.rateBytesPerSec === 0) {
      this.granted += bytes;
      return Promise.resolve();
    }
    // Nobody waiting until now: the air was idle, and idle air is not saved up.
    if (this.queues.size === 0) this.refill(true);
    return new Promise((resolve) => {
      const q = this.queues.get(key);
      if (q) q.push({ remaining: bytes, resolve });
      else this.queues.set(key, [{ remaining: bytes, resolve }]);
      this.pump();
    });
  }

  /** Adds the tokens accrued since the last refill; `idle`: nobody waited meanwhile. */
  private refill(idle = false): void {
    const now = this.clock.now();
    if (this.rateBytesPerSec > 0) {
      const cap = idle ? Math.min(SLICE_BYTES, burstFor(this.rateBytesPerSec)) : burstFor(this.rateBytesPerSec);
      this.tokens = Math.min(
        Math.max(cap, 0),
        this.tokens + (Math.max(0, now - this.last) * this.rateBytesPerSec) / 1000,
      );
    }
    this.last = now;
  }

  /** Serves waiting flows in turn while tokens last, then sleeps until the next slice is due. */
  private pump(): void {
    if (this.timer) return;
    this.refill();
    for (;;) {
      const first = this.queues.entries().next();
      if (first.done) return;
      const [key, q] = first.value;
      const w = q[0]!;
      if (this.rateBytesPerSec === 0) {
        this.granted += w.remaining;
        w.remaining = 0;
      } else {
        const slice = Math.min(w.remaining, SLICE_BYTES);
        if (this.tokens < slice) {
          const waitMs = Math.max(1, Math.ceil(((slice - this.tokens) * 1000) / this.rateBytesPerSec));
          this.timer = this.clock.setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, waitMs);
          return;
        }
        this.tokens -= slice;
        this.granted += slice;
        w.remaining -= slice;
      }
      // This flow had its turn: to the back of the line.
      this.queues.delete(key);
      if (w.remaining === 0) {
        q.shift();
        w.resolve();
      }
      if (q.length > 0) this.queues.set(key, q);
    }
  }
}

function checkRate(rate: number): void {
  if (!(rate >= 0) || !Number.isFinite(rate))
    throw new InvalidOptionError('rate', `must be a number of bytes per second ≥ 0, got ${rate}`);
}

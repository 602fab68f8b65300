/**
 * An emulated radio link in front of an emulated camera's HTTP face: added round-trip time and a
 * bandwidth limit, to mimic the Sequoia's 802.11g access point (≈ 3 MB/s of payload, a few ms to
 * tens of ms of latency) on loopback.
 *
 * The limit applies per TCP connection — the rate one flow gets through the access point — so a
 * client that downloads over several connections gets more in total, as it does on the real link
 * until the air is saturated. Latency is added once per request (one round trip).
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface LinkOptions {
  /** Round-trip time added to every request, in ms. 0 = none. */
  latencyMs: number;
  /** Bytes per second per connection. 0 = unlimited. */
  bandwidthBytesPerSec: number;
}

export const NO_LINK_LIMITS: LinkOptions = { latencyMs: 0, bandwidthBytesPerSec: 0 };

export function validateLink(input: Partial<Record<keyof LinkOptions, unknown>>, current: LinkOptions): LinkOptions {
  const next = { ...current };
  for (const key of ['latencyMs', 'bandwidthBytesPerSec'] as const) {
    const v = input[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${key} must be a number ≥ 0`);
    if (key === 'latencyMs' && v > 60_000) throw new RangeError('latencyMs must be at most 60000');
    next[key] = v;
  }
  return next;
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/**
 * Passes bytes through at no more than `bytesPerSec`, in slices of at most 16 KiB so the rate is
 * smooth rather than bursty. Backpressure is kept: a chunk is acknowledged only once it has gone.
 *
 * "Gone" means handed downstream, where the socket may still queue it; the writer (send-file.ts)
 * reuses its read buffer as soon as the chunk is acknowledged. So each slice is copied: at link
 * speeds (a few MB/s) the copy costs nothing, and no queued byte can be overwritten.
 */
export class Throttle extends Transform {
  private sent = 0;
  private readonly started = Date.now();

  constructor(private readonly bytesPerSec: number) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    void this.pace(chunk).then(() => done(), done);
  }

  private async pace(chunk: Buffer): Promise<void> {
    const slice = 16 * 1024;
    for (let off = 0; off < chunk.length; off += slice) {
      const part = chunk.subarray(off, off + slice);
      this.sent += part.length;
      const due = this.started + (this.sent / this.bytesPerSec) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await delay(wait);
      if (this.destroyed) return;
      this.push(Buffer.from(part));
    }
  }
}

/**
 * The emulated link's air time: a token bucket shared round-robin between flows, on a ManualClock —
 * so its accounting is checked exactly, without timing anything.
 */
import { describe, expect, it } from 'vitest';
import { FairTokenBucket, SLICE_BYTES, burstFor } from '../../src/emulator/fair-bucket.js';
import { ManualClock } from '../../src/util/clock.js';
import { InvalidOptionError } from '../../src/util/errors.js';

/** A flow that keeps asking for `size`-byte sends until stopped; counts what it was let through. */
function greedy(bucket: FairTokenBucket, size: number): { sent: () => number; stop: () => void } {
  const flow = bucket.flow();
  let sent = 0;
  let stopped = false;
  void (async () => {
    while (!stopped) {
      await flow.take(size);
      if (!stopped) sent += size;
    }
  })();
  return {
    sent: () => sent,
    stop: () => {
      stopped = true;
      flow.close();
    },
  };
}

describe('FairTokenBucket', () => {
  it('never lets more than burst + rate × elapsed through across eight greedy flows, and keeps the air busy', async () => {
    const clock = new ManualClock();
    const rate = 3_000_000;
    const bucket = new FairTokenBucket(clock, rate);
    const flows = Array.from({ length: 8 }, (_, i) => greedy(bucket, i % 2 ? SLICE_BYTES : 100_000));
    const start = clock.now();
    for (let step = 0; step < 300; step++) {
      await clock.advance(7);
      const elapsed = (clock.now() - start) / 1000;
      expect(bucket.granted).toBeLessThanOrEqual(burstFor(rate) + rate * elapsed);
      // Work-conserving: the air is never idle while flows wait (at most one slice short).
      expect(bucket.granted).toBeGreaterThanOrEqual(rate * elapsed - SLICE_BYTES);
    }
    for (const f of flows) f.stop();
  });

  it('shares between flows: each of four greedy flows gets a quarter, give or take one send', async () => {
    const clock = new ManualClock();
    const bucket = new FairTokenBucket(clock, 1_000_000);
    const flows = Array.from({ length: 4 }, () => greedy(bucket, SLICE_BYTES));
    await clock.advance(5_000);
    const sent = flows.map((f) => f.sent());
    const total = sent.reduce((a, b) => a + b, 0);
    for (const s of sent) expect(Math.abs(s - total / 4)).toBeLessThanOrEqual(SLICE_BYTES);
    for (const f of flows) f.stop();
  });

  it('lets a small request through after at most one slice of a flow sending a large block', async () => {
    const clock = new ManualClock();
    const bucket = new FairTokenBucket(clock, 1_000_000);
    const big = bucket.flow();
    let bigDone = false;
    void big.take(10_000_000).then(() => (bigDone = true));
    await clock.advance(200); // the big send is well under way
    const before = bucket.granted;
    const small = bucket.flow();
    let smallDone = false;
    let grantedAtSmall = 0;
    void small.take(300).then(() => {
      smallDone = true;
      grantedAtSmall = bucket.granted;
    });
    while (!smallDone) await clock.advance(1);
    expect(grantedAtSmall - before).toBeLessThanOrEqual(SLICE_BYTES + 300);
    expect(bigDone).toBe(false);
    big.close();
    small.close();
  });

  it('does not save idle air: after a second of silence a 200 kB send still needs its air time', async () => {
    const clock = new ManualClock();
    const rate = 1_000_000;
    const bucket = new FairTokenBucket(clock, rate);
    const flow = bucket.flow();
    await clock.advance(1_000);
    let done = false;
    void flow.take(200_000).then(() => (done = true));
    // At most one slice was saved up: the rest goes at the rate, from now.
    await clock.advance(Math.floor(((200_000 - SLICE_BYTES) / rate) * 1000) - 2);
    expect(done).toBe(false);
    await clock.advance(5);
    expect(done).toBe(true);
  });

  it('passes everything at once when unlimited, and a rate change applies to those already waiting', async () => {
    const clock = new ManualClock();
    const bucket = new FairTokenBucket(clock, 0);
    await bucket.flow().take(50_000_000); // resolves without the clock moving
    bucket.setRate(100_000);
    const flow = bucket.flow();
    let done = false;
    void flow.take(1_000_000).then(() => (done = true));
    await clock.advance(1_000);
    expect(done).toBe(false);
    bucket.setRate(0);
    await clock.advance(0);
    expect(done).toBe(true);
  });

  it('releases what a closed flow still waited for, and refuses nonsense', async () => {
    const clock = new ManualClock();
    const bucket = new FairTokenBucket(clock, 1_000);
    const flow = bucket.flow();
    let released = false;
    void flow.take(1_000_000).then(() => (released = true));
    await clock.advance(10);
    expect(released).toBe(false);
    flow.close();
    await clock.advance(0);
    expect(released).toBe(true);
    expect(bucket.waiting).toBe(0);
    expect(() => bucket.setRate(-1)).toThrow(InvalidOptionError);
    expect(() => new FairTokenBucket(clock, Number.NaN)).toThrow(InvalidOptionError);
    expect(() => bucket.flow().take(-5)).toThrow(InvalidOptionError);
  });
});

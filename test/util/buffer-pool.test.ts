/**
 * The read buffers of file downloads: bounded per download, and handed on to the next download of
 * the same chunk size once every write has taken them, never while a write may still hold one.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/util/buffer-pool.js';

describe('BufferPool', () => {
  it('lends at most `count` buffers and waits for one to come back', async () => {
    const pool = new BufferPool(1024, 2);
    const a = await pool.take();
    await pool.take();
    let third: Buffer | undefined;
    const waiting = pool.take().then((b) => (third = b));
    await Promise.resolve();
    expect(third).toBeUndefined();
    pool.give(a);
    expect(await waiting).toBe(a);
  });

  it('hands its buffers to the next pool of the same chunk size once all are back', async () => {
    const size = 3 * 1024 + 17; // a size no other pool in this process uses
    const first = new BufferPool(size, 2);
    const a = await first.take();
    const b = await first.take();
    first.give(a);
    first.give(b);
    await first.drained();
    first.recycle();
    const next = new BufferPool(size, 4);
    const reused = [await next.take(), await next.take()];
    expect(reused).toContain(a);
    expect(reused).toContain(b);
    // No more spares: the third is new.
    const fresh = await next.take();
    expect([a, b]).not.toContain(fresh);
    expect(fresh.length).toBe(size);
  });

  it('keeps its buffers after a failure or while one is still out (a write may hold it)', async () => {
    const size = 5 * 1024 + 3;
    const out = new BufferPool(size, 2);
    const lent = await out.take();
    const back = await out.take();
    out.give(back);
    out.recycle();
    const failed = new BufferPool(size, 1);
    const held = await failed.take();
    failed.fail(new Error('connection closed'));
    failed.give(held);
    failed.recycle();
    const next = new BufferPool(size, 1);
    const got = await next.take();
    expect(got).not.toBe(lent);
    expect(got).not.toBe(back);
    expect(got).not.toBe(held);
  });
});

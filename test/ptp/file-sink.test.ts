/**
 * FileSink: chunks land in the file at the right place across batches (and after a resumed
 * prefix), backpressure is a promise while a batch is being written, a failed write rejects.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink } from '../../src/ptp/file-sink.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('FileSink', () => {
  it('writes every chunk in order, after a resumed prefix, with backpressure between batches', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-file-sink-'));
    dirs.push(dir);
    const file = path.join(dir, 'out.bin');
    const data = randomBytes(1_000_003);
    await writeFile(file, data.subarray(0, 1234));
    const fh = await open(file, 'r+');
    const progress: number[] = [];
    const sink = new FileSink(fh, 1234, { batchBytes: 100_000, onProgress: (n) => progress.push(n) });
    let waits = 0;
    for (let at = 1234; at < data.length; at += 65_536) {
      const r = sink.write(data.subarray(at, Math.min(data.length, at + 65_536)));
      if (r) {
        waits++;
        await r;
      }
    }
    await sink.finish();
    await fh.close();
    expect(waits).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(data.length);
    expect(sink.received).toBe(data.length);
    expect((await readFile(file)).equals(data)).toBe(true);
  });

  it('rejects once a write failed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-file-sink-'));
    dirs.push(dir);
    const file = path.join(dir, 'ro.bin');
    await writeFile(file, '');
    const fh = await open(file, 'r'); // read-only: writev fails with EBADF
    const sink = new FileSink(fh, 0, { batchBytes: 10 });
    await sink.write(Buffer.alloc(20));
    await expect(sink.finish()).rejects.toMatchObject({ code: 'EBADF' });
    await expect(sink.write(Buffer.alloc(1))).rejects.toMatchObject({ code: 'EBADF' });
    await fh.close();
  });
});

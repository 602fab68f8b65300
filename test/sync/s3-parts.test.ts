/**
 * The pieces of `sync --to s3://` that need no store: addresses, the key layout and metadata, the
 * shared memory budget, and the part stream's digests (checked against S3's ETag rule computed
 * independently here).
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../src/sync/byte-budget.js';
import { partSizeFor } from '../../src/sync/object-upload.js';
import { PartStream, type Part } from '../../src/sync/part-stream.js';
import {
  bandOf,
  cameraDir,
  claimKey,
  manifestKey,
  objectKey,
  objectMetadata,
  pictureFacts,
} from '../../src/sync/s3-keys.js';
import { parseS3Url } from '../../src/sync/s3-target.js';

describe('parseS3Url', () => {
  it('splits bucket and prefix, without stray slashes', () => {
    expect(parseS3Url('s3://survey/2026/flight-1/')).toEqual({ bucket: 'survey', prefix: '2026/flight-1' });
    expect(parseS3Url('s3://survey')).toEqual({ bucket: 'survey', prefix: '' });
  });
  it.each(['http://survey/x', 's3://', 's3://UPPER/x', 's3://ab/x', 's3://survey/a/../b', 's3://survey/a//b'])(
    'refuses %s with BAD_ARGUMENT',
    (url) => {
      expect(() => parseS3Url(url)).toThrow(expect.objectContaining({ code: 'ERR_CAMCTL_S3_BAD_ARGUMENT' }));
    },
  );
});

describe('key layout and metadata', () => {
  const target = { bucket: 'b', prefix: 'fleet' };
  it('names the camera by model and serial, in characters any store takes', () => {
    expect(cameraDir({ model: 'RICOH THETA S', serialNumber: '00301770' })).toBe('RICOH-THETA-S-00301770');
    expect(cameraDir({ model: 'Séquoia/2', serialNumber: '' })).toBe('Sequoia-2-unknown');
  });
  it('puts pictures, claims and manifests where the README says', () => {
    expect(objectKey(target, 'Sequoia-X', '/internal/0002/IMG_1_NIR.TIF')).toBe(
      'fleet/Sequoia-X/internal/0002/IMG_1_NIR.TIF',
    );
    expect(objectKey({ bucket: 'b', prefix: '' }, 'Sequoia-X', '/sd/0001/a.JPG')).toBe('Sequoia-X/sd/0001/a.JPG');
    expect(claimKey(target, 'Sequoia-X', '/internal/0002/V.MP4')).toBe(
      'fleet/.camctl/claims/Sequoia-X/internal/0002/V.MP4',
    );
    expect(manifestKey(target, 'Sequoia-X', new Date(Date.UTC(2026, 5, 1, 12, 0, 0)), 'abc123')).toBe(
      'fleet/Sequoia-X/manifests/2026-06-01T12-00-00.000Z-abc123.json',
    );
    expect(() => objectKey(target, 'S', '/internal/../x')).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_S3_BAD_ARGUMENT' }),
    );
  });
  it('reads the Sequoia band from the file name and keeps header values ASCII', () => {
    expect(bandOf('IMG_160629_123655_0000_REG.TIF')).toBe('red-edge');
    expect(bandOf('IMG_160629_123655_0000_RGB.JPG')).toBe('rgb');
    expect(bandOf('R0010001.JPG')).toBeUndefined();
    const info = {
      protocol: 'sequoia',
      address: 'sequoia://x',
      manufacturer: 'Parrot',
      model: 'Sequoia',
      serialNumber: 'PI0',
      firmware: 'ü1',
      details: {},
    };
    const facts = pictureFacts(info, {
      kind: 'file',
      path: '/internal/0002/IMG_1_NIR.TIF',
      name: 'IMG_1_NIR.TIF',
      size: 10,
      time: Date.UTC(2026, 0, 2),
    });
    expect(objectMetadata(facts, 'ab')).toEqual({
      'camera-model': 'Sequoia',
      'camera-serial': 'PI0',
      'camera-firmware': '%C3%BC1',
      'camera-path': '/internal/0002/IMG_1_NIR.TIF',
      'capture-time': '2026-01-02T00:00:00.000Z',
      band: 'near-infrared',
      sha256: 'ab',
    });
  });
  it('cuts every file the same way, within S3 limits (5 MiB minimum, 10,000 parts)', () => {
    expect(partSizeFor(3_000_000)).toBe(8 * 1024 * 1024);
    const huge = 200 * 1024 ** 3;
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(10_000);
  });
});

describe('ByteBudget', () => {
  it('serves waiters in order as bytes come back, and lets an abort leave the queue', async () => {
    const budget = new ByteBudget(10);
    expect(await budget.acquire(6)).toBe(6);
    const order: string[] = [];
    const a = budget.acquire(6).then(() => order.push('a'));
    const ac = new AbortController();
    const b = budget.acquire(3, ac.signal).catch(() => order.push('b aborted'));
    const c = budget.acquire(4).then(() => order.push('c'));
    ac.abort();
    await b;
    budget.release(6);
    await Promise.all([a, c]);
    expect(order).toEqual(['b aborted', 'a', 'c']);
    expect(budget.available).toBe(0);
  });
});

describe('ByteBudget part buffers', () => {
  it('hands a returned buffer to the next part of about its size, within the limit', async () => {
    const MiB = 1024 * 1024;
    const budget = new ByteBudget(10 * MiB);
    const first = await budget.take(4_000_000);
    expect(first.length).toBe(4_000_000);
    budget.give(first);
    expect(budget.available).toBe(10 * MiB);
    // A picture a little smaller reuses the same memory instead of faulting in a new buffer.
    const second = await budget.take(3_900_000);
    expect(second.length).toBe(3_900_000);
    expect(second.buffer).toBe(first.buffer);
    budget.give(second);
    // One of another size lets the kept buffer go rather than exceed the limit.
    const big = await budget.take(9 * MiB);
    expect(big.buffer).not.toBe(first.buffer);
    expect(budget.available).toBeLessThan(2 * MiB);
    const waiting = budget.take(4_000_000);
    let served = false;
    void waiting.then(() => (served = true));
    await Promise.resolve();
    expect(served).toBe(false);
    budget.give(big);
    expect((await waiting).length).toBe(4_000_000);
  });
});

describe('PartStream', () => {
  const md5 = (b: Buffer) => createHash('md5').update(b).digest();
  async function run(
    data: Buffer,
    partSize: number,
    chunk: number,
  ): Promise<{ parts: Part[]; digests: Awaited<ReturnType<PartStream['finish']>> }> {
    const parts: Part[] = [];
    const budget = new ByteBudget(partSize * 2);
    const s = new PartStream({
      size: data.length,
      partSize,
      budget,
      onPart: async (p) => void parts.push({ ...p, body: Buffer.from(p.body) }),
    });
    for (let off = 0; off < data.length; off += chunk) {
      await new Promise<void>((resolve, reject) =>
        s.write(data.subarray(off, off + chunk), (err) => (err ? reject(err) : resolve())),
      );
    }
    const digests = await s.finish();
    expect(budget.available).toBe(partSize * 2);
    return { parts, digests };
  }

  it.each([
    [1000, 1000, 7],
    [2500, 1000, 333],
    [3000, 1000, 1000],
    [3001, 1000, 4096],
  ])(
    'cuts %i bytes into %i-byte parts whatever the chunks, with S3 ETags and the SHA-256',
    async (size, partSize, chunk) => {
      const data = randomBytes(size);
      const { parts, digests } = await run(data, partSize, chunk);
      expect(Buffer.concat(parts.map((p) => p.body)).equals(data)).toBe(true);
      expect(parts.map((p) => p.number)).toEqual(parts.map((_, i) => i + 1));
      expect(parts.every((p, i) => p.md5 === md5(p.body).toString('hex') && p.last === (i === parts.length - 1))).toBe(
        true,
      );
      expect(parts.at(-1)!.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      expect(digests.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      const etag =
        parts.length === 1
          ? md5(data).toString('hex')
          : `${createHash('md5')
              .update(Buffer.concat(parts.map((p) => md5(p.body))))
              .digest('hex')}-${parts.length}`;
      expect(digests.etag).toBe(etag);
    },
  );

  it('refuses more or fewer bytes than the listing said', async () => {
    const more = new PartStream({ size: 4, partSize: 10 });
    more.on('error', () => undefined);
    await expect(
      new Promise<void>((resolve, reject) => more.write(Buffer.alloc(5), (err) => (err ? reject(err) : resolve()))),
    ).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    const fewer = new PartStream({ size: 4, partSize: 10 });
    await new Promise<void>((resolve) => fewer.write(Buffer.alloc(3), () => resolve()));
    await expect(fewer.finish()).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
  });
});

/**
 * PtpFileReader: ranges read exactly (across its 1 MiB blocks), a descriptor reused while the path
 * names the same file, a file replaced by rename (as the emulators write) read afresh.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PtpFileReader } from '../../src/emulator/files-ptp.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('PtpFileReader', () => {
  it('reads ranges exactly, reusing the open file, and reopens a file replaced by rename', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-files-ptp-'));
    dirs.push(dir);
    const file = path.join(dir, 'IMG.TIF');
    const first = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(file, first);
    const reader = new PtpFileReader({ idleMs: 60_000 });
    let resolved = 0;
    const resolve = async (): Promise<string> => {
      resolved++;
      return file;
    };
    const signal = new AbortController().signal;
    const a = await reader.open('internal/0000/IMG.TIF', resolve);
    expect(a.size).toBe(first.length);
    expect((await collect(a.read(0, a.size, signal))).equals(first)).toBe(true);
    // Consecutive 1 MiB ranges (served from the read-ahead), then ranges that do not follow on.
    const M = 1024 * 1024;
    for (const [offset, length] of [
      [0, M],
      [M, M],
      [2 * M, 100],
      [2 * M + 100, M + 17 - 100],
      [0, 1],
      [M - 3, 10],
      [2 * M, M + 17],
      [first.length, 0],
    ] as const) {
      const b = await reader.open('internal/0000/IMG.TIF', resolve);
      expect((await collect(b.read(offset, length, signal))).equals(first.subarray(offset, offset + length))).toBe(
        true,
      );
    }
    expect(resolved).toBe(1);

    const second = randomBytes(1000);
    await writeFile(`${file}.tmp`, second);
    await rename(`${file}.tmp`, file);
    const c = await reader.open('internal/0000/IMG.TIF', resolve);
    expect(resolved).toBe(2);
    expect(c.size).toBe(1000);
    expect((await collect(c.read(0, 1000, signal))).equals(second)).toBe(true);
    reader.close();
  });

  it('stops at an aborted signal', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-files-ptp-'));
    dirs.push(dir);
    const file = path.join(dir, 'big.bin');
    await writeFile(file, Buffer.alloc(4 * 1024 * 1024));
    const reader = new PtpFileReader();
    const ac = new AbortController();
    const content = await reader.open('big', async () => file);
    let got = 0;
    await expect(
      (async () => {
        for await (const chunk of content.read(0, content.size, ac.signal)) {
          got += chunk.length;
          ac.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'ERR_CAMCTL_PTP_ABORTED' });
    expect(got).toBe(1024 * 1024);
    reader.close();
  });
});

/**
 * Large test files for download benchmarks, written quickly and honestly: the content is random
 * (a random block repeated, the block far larger than deflate's 32 KiB window), so neither a
 * compressing server nor a compressing transport can shrink it, while writing 1 GiB costs
 * seconds, not a minute of crypto.
 */
import { open, statfs } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import { BenchSkip } from '../run.js';

const BLOCK = 4 * 1024 * 1024;

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

let block: Buffer | undefined;
function randomBlock(): Buffer {
  block ??= randomFillSync(Buffer.allocUnsafe(BLOCK));
  return block;
}

/**
 * Writes `bytes` bytes of incompressible data to `file` (created or truncated). Files written with
 * different `salt`s differ, so a folder of them holds no two identical files.
 */
export async function writeRandomFile(file: string, bytes: number, signal?: AbortSignal, salt = 0): Promise<void> {
  const data = randomBlock();
  const handle = await open(file, 'w');
  try {
    let written = 0;
    while (written < bytes) {
      signal?.throwIfAborted();
      const n = Math.min(BLOCK, bytes - written);
      // Rotate the block per write so no two blocks of a file (or of two salted files) are identical.
      const offset = (written / BLOCK + salt * 131) % 997;
      const chunk =
        offset === 0
          ? data.subarray(0, n)
          : Buffer.concat([data.subarray(offset), data.subarray(0, offset)]).subarray(0, n);
      await handle.write(chunk, 0, n, written);
      written += n;
    }
  } finally {
    await handle.close();
  }
}

/** Skips the benchmark (instead of filling the disk) when `dir`'s filesystem lacks `bytes` + 10 %. */
export async function ensureSpace(dir: string, bytes: number): Promise<void> {
  const s = await statfs(dir);
  const free = s.bavail * s.bsize;
  if (free < bytes * 1.1) {
    throw new BenchSkip(`needs ${(bytes / GiB).toFixed(1)} GiB free in ${dir}, has ${(free / GiB).toFixed(1)} GiB`);
  }
}

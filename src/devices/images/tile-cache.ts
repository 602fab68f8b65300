/**
 * A cache on disk for expensive renderings (the RGB field tile takes about a second to draw,
 * encode and transcode), shared by every process on the machine: the emulator, each test worker,
 * the benchmarks. Entries are keyed by a hash of everything that shapes them, written atomically
 * (temporary name, then rename) and validated on load; any problem means "rebuild", never an
 * error for the caller.
 *
 * Location: $CAMCTL_CACHE_DIR, else <tmpdir>/camctl-cache. CAMCTL_CACHE_DIR=off disables it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { debuglog } from 'node:util';

const log = debuglog('camctl:images');

function cacheDir(): string | null {
  const env = process.env['CAMCTL_CACHE_DIR'];
  if (env === 'off') return null;
  return env && env.length > 0 ? env : path.join(os.tmpdir(), 'camctl-cache');
}

export function cacheKey(parts: readonly (string | number | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(typeof p === 'number' ? String(p) : p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * The cached value for `name`/`key`, else `build()`'s, stored for next time. `decode` must throw
 * on bytes it does not accept (then the entry is rebuilt).
 */
export async function cached<T>(
  name: string,
  key: string,
  build: () => Promise<T>,
  encode: (v: T) => Buffer,
  decode: (b: Buffer) => T,
): Promise<T> {
  const dir = cacheDir();
  if (!dir) return build();
  const file = path.join(dir, `${name}-${key}.bin`);
  try {
    const value = decode(await readFile(file));
    log('cache hit %s', file);
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log('cache entry %s unusable: %s', file, String(err));
  }
  const value = await build();
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, encode(value));
    await rename(tmp, file);
  } catch (err) {
    // A read-only or full temp dir only costs speed.
    log('cannot store cache entry %s: %s', file, String(err));
    await unlink(tmp).catch(() => undefined);
  }
  return value;
}

import { InvalidOptionError } from '../../util/errors.js';
/**
 * A least-recently-used cache of file bytes with a byte budget. The THETA's files never change once
 * written (the storage renames complete files into place), so a cached copy is valid until the file
 * is deleted; the device drops entries when it deletes. Serving a just-taken picture or a gallery's
 * thumbnails from memory is what makes getImage and listFiles as fast as a static file server.
 */
export class ByteCache {
  private readonly map = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    /** Total budget in bytes. */
    readonly maxBytes: number,
    /** Larger items are not cached. */
    readonly maxItemBytes: number,
  ) {
    if (!(maxBytes >= 0) || !(maxItemBytes >= 0))
      throw new InvalidOptionError(maxBytes >= 0 ? 'maxItemBytes' : 'maxBytes', 'cache sizes must be non-negative');
  }

  get(key: string): Buffer | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: Buffer): void {
    if (value.length > this.maxItemBytes || value.length > this.maxBytes) return;
    this.delete(key);
    this.map.set(key, value);
    this.bytes += value.length;
    while (this.bytes > this.maxBytes) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const v = this.map.get(key);
    if (v) {
      this.bytes -= v.length;
      this.map.delete(key);
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.bytes;
  }
}

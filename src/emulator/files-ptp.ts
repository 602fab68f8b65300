/**
 * Object content for the emulators' PTP faces, read from the media files with few system calls:
 * an open file stays open for a few seconds (a reader fetching a file as 1 MiB GetPartialObject
 * transactions — gphoto2 does — then costs one stat and one read per transaction instead of
 * stat + open + read + close), a long read prefetches the next block while the current one is
 * on the wire, and the block after a range is read ahead for the transaction that asks for it next.
 *
 * A cached descriptor is reused only while the path still names the same file (device, inode,
 * size, mtime): the emulators replace files by atomic rename, so a changed file is reopened.
 *
 * @example
 * const files = new PtpFileReader();
 * const content = await files.open('internal/0000/IMG.TIF', () => medium.resolve('0000', 'IMG.TIF'));
 * for await (const chunk of content.read(0, content.size, signal)) socket.write(chunk);
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { statSync, type Stats } from 'node:fs';
import { PtpAbortError } from '../ptp/errors.js';
import { PtpDeviceError, type PtpObjectContent } from '../ptp/backend.js';
import { Resp } from '../ptp/codes.js';

/** Bytes per read; also the Data packet size the responder sends (1 MiB, gphoto2's blob size). */
const BLOCK = 1024 * 1024;

interface Entry {
  fh: FileHandle;
  path: string;
  /** The file's identity when opened (device, inode, size, mtime). */
  key: string;
  size: number;
  users: number;
  timer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** The block after the last range served, read ahead. */
  ahead: { pos: number; length: number; data: Promise<Uint8Array> } | undefined;
}

function identity(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

export interface PtpFileReaderOptions {
  /** Files kept open at most. Default 8. */
  maxOpen?: number;
  /** An unused descriptor is closed after this long, ms. Default 3 000. */
  idleMs?: number;
}

export class PtpFileReader {
  private readonly entries = new Map<string, Entry>();
  private readonly maxOpen: number;
  private readonly idleMs: number;

  constructor(options: PtpFileReaderOptions = {}) {
    this.maxOpen = options.maxOpen ?? 8;
    this.idleMs = options.idleMs ?? 3_000;
  }

  /**
   * The content of a file. `key` names the object (e.g. `internal/0000/IMG.TIF`); `resolve` finds
   * and checks its path (the storage's confinement check) and runs only when the key is not open
   * already. A cached descriptor is checked with a synchronous stat of its path — a lookup in the
   * kernel's inode cache, cheaper than the thread-pool round trip of an async one, which on a busy
   * machine costs more than the whole 1 MiB read.
   */
  async open(key: string, resolve: () => Promise<string>): Promise<PtpObjectContent> {
    const known = this.entries.get(key);
    if (known && !known.closed) {
      let st: Stats | undefined;
      try {
        st = statSync(known.path);
      } catch {
        st = undefined;
      }
      if (st && identity(st) === known.key) {
        this.touch(key, known);
        return this.content(known, st.size);
      }
      this.drop(key, known);
    }
    const file = await resolve();
    const st = await stat(file);
    const fh = await open(file, 'r');
    const entry: Entry = {
      fh,
      path: file,
      key: identity(st),
      size: st.size,
      users: 0,
      timer: undefined,
      closed: false,
      ahead: undefined,
    };
    const raced = this.entries.get(key);
    if (raced) this.drop(key, raced);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxOpen) {
      const [oldest, e] = this.entries.entries().next().value as [string, Entry];
      this.drop(oldest, e);
    }
    this.idle(key, entry);
    return this.content(entry, st.size);
  }

  private content(entry: Entry, size: number): PtpObjectContent {
    return { size, read: (offset, length, signal) => this.blocks(entry, offset, length, signal) };
  }

  private touch(key: string, entry: Entry): void {
    // Most recently used last, so eviction takes the oldest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.idle(key, entry);
  }

  private idle(file: string, entry: Entry): void {
    // Once armed, the timer is only restarted (no new timer object per transaction).
    if (entry.timer) {
      entry.timer.refresh();
      return;
    }
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (entry.users > 0) return this.idle(file, entry);
      this.drop(file, entry);
    }, this.idleMs);
    entry.timer.unref();
  }

  private drop(file: string, entry: Entry): void {
    if (this.entries.get(file) === entry) this.entries.delete(file);
    clearTimeout(entry.timer);
    if (entry.closed) return;
    entry.closed = true;
    // A read in progress keeps the descriptor until it ends (see blocks()).
    if (entry.users === 0) void entry.fh.close().catch(() => undefined);
  }

  private async readAt(entry: Entry, pos: number, n: number): Promise<Uint8Array> {
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await entry.fh.read(buf, got, n - got, pos + got);
      // The file shrank under the transfer (deleted or rewritten meanwhile): the transfer cannot complete.
      if (bytesRead === 0) throw new PtpDeviceError(Resp.IncompleteTransfer, `file ended ${n - got} bytes early`);
      got += bytesRead;
    }
    return buf;
  }

  /** A block, from the read-ahead when it covers it. */
  private take(entry: Entry, pos: number, n: number): Promise<Uint8Array> {
    const a = entry.ahead;
    entry.ahead = undefined;
    if (a && a.pos === pos && a.length >= n) return a.data.then((b) => b.subarray(0, n));
    return this.readAt(entry, pos, n);
  }

  private async *blocks(entry: Entry, offset: number, length: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    if (length <= 0) return;
    entry.users++;
    try {
      const end = offset + length;
      let pos = offset;
      let next: Promise<Uint8Array> | undefined = this.take(entry, pos, Math.min(BLOCK, end - pos));
      while (next) {
        const chunk: Uint8Array = await next;
        pos += chunk.length;
        // Prefetch the next block while this one is written to the socket.
        next = pos < end ? this.readAt(entry, pos, Math.min(BLOCK, end - pos)) : undefined;
        next?.catch(() => undefined);
        if (signal.aborted) throw new PtpAbortError({ cause: signal.reason });
        if (!next && pos < entry.size) {
          // A range that stops short of the end is most likely followed by the next one (gphoto2
          // reads big files as consecutive 1 MiB GetPartialObject calls): read it ahead, so that
          // transaction finds its data ready instead of waiting for the disk thread.
          // It starts once this block is on the wire (setImmediate runs after the writev), so the
          // disk thread does not compete with the socket write — nor with the initiator, on a
          // two-core machine — for a CPU while the initiator waits for this block.
          const n = Math.min(BLOCK, entry.size - pos);
          const data = new Promise<Uint8Array>((resolve) => setImmediate(() => resolve(this.readAt(entry, pos, n))));
          data.catch(() => undefined);
          entry.ahead = { pos, length: n, data };
        }
        yield chunk;
      }
    } finally {
      entry.users--;
      if (entry.closed && entry.users === 0) void entry.fh.close().catch(() => undefined);
    }
  }

  /** Closes every cached descriptor (the face is closing). */
  close(): void {
    for (const [file, e] of [...this.entries]) this.drop(file, e);
  }
}

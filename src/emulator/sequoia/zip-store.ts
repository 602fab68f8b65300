/**
 * A folder as a stored (uncompressed) zip, streamed from disk at close to file-download speed.
 *
 * Why not yazl: yazl computes each entry's CRC-32 in JavaScript (buffer-crc32, ≈ 120 MiB/s here)
 * through four chained Transform streams; this writer uses node's native `zlib.crc32` (node ≥ 20.15)
 * on the very buffers it sends, read ahead and reused as in send-file.ts. Images are already
 * compressed, so the camera stores them (method 0) and the archive's size is known before the
 * first byte: Content-Length is exact.
 *
 * Layout (PKWARE APPNOTE 6.3.x): per entry a local header with bit 3 set (CRC and sizes follow the
 * data in a data descriptor, because the CRC is only known after streaming), the data, the data
 * descriptor; then the central directory and the end record. ZIP64 records are used only where a
 * size, an offset or the entry count does not fit the classic fields (§4.3.9, §4.5.3, §4.3.14).
 */
import { crc32 } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import { BufferPool } from '../../util/buffer-pool.js';
import { openFileToSend, READ_BUFFERS, READ_CHUNK_BYTES, type ReadableFile } from '../../util/send-file.js';
import { sendFileToSocket } from '../../util/zero-copy.js';
import { CamctlError } from '../../util/errors.js';

export interface ZipEntry {
  /** Name inside the archive, e.g. `0001/IMG_180413_080000_0000_RGB.JPG` (UTF-8). */
  name: string;
  /** Absolute path on disk. */
  path: string;
  size: number;
  mtime: Date;
  /** The file's CRC-32 when known (remembered from an earlier zip or from writing the file). */
  crc32?: number;
}

/** A folder could not be streamed as a zip (a file changed or vanished under it). */
export class ZipStreamError extends CamctlError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_CAMCTL_EMULATOR_ZIP_STREAM', message, options);
  }
}

const MAX32 = 0xfffffffe; // 0xffffffff itself means "see the ZIP64 field"
const FLAG_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;
const VERSION_MADE_BY = (3 << 8) | 45; // Unix, spec 4.5
const LOCAL = 30;
const CENTRAL = 46;
const DESCRIPTOR32 = 16;
const DESCRIPTOR64 = 24;
const ZIP64_EXTRA = 28;
const EOCD = 22;
const ZIP64_EOCD = 56;
const ZIP64_LOCATOR = 20;

interface Planned extends ZipEntry {
  nameBytes: Buffer;
  offset: number;
  zip64: boolean;
  crc: number;
}

function plan(entries: readonly ZipEntry[]): {
  planned: Planned[];
  dataEnd: number;
  cdSize: number;
  total: number;
  zip64End: boolean;
} {
  let offset = 0;
  const planned: Planned[] = [];
  for (const e of entries) {
    const nameBytes = Buffer.from(e.name, 'utf8');
    if (nameBytes.length > 0xffff) throw new ZipStreamError(`entry name too long: ${e.name.slice(0, 40)}…`);
    const zip64 = e.size > MAX32 || offset > MAX32;
    planned.push({ ...e, nameBytes, offset, zip64, crc: 0 });
    offset += LOCAL + nameBytes.length + e.size + (zip64 ? DESCRIPTOR64 : DESCRIPTOR32);
  }
  const dataEnd = offset;
  const cdSize = planned.reduce((n, p) => n + CENTRAL + p.nameBytes.length + (p.zip64 ? ZIP64_EXTRA : 0), 0);
  const zip64End = planned.length > 0xfffe || dataEnd > MAX32 || cdSize > MAX32;
  const total = dataEnd + cdSize + (zip64End ? ZIP64_EOCD + ZIP64_LOCATOR : 0) + EOCD;
  return { planned, dataEnd, cdSize, total, zip64End };
}

/** The exact byte length of the archive {@link writeStoredZip} produces for these entries. */
export function storedZipSize(entries: readonly ZipEntry[]): number {
  return plan(entries).total;
}

function dosDateTime(d: Date): { date: number; time: number } {
  const y = d.getFullYear();
  if (y < 1980) return { date: (0 << 9) | (1 << 5) | 1, time: 0 };
  if (y > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((y - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
  };
}

function localHeader(p: Planned): Buffer {
  const b = Buffer.alloc(LOCAL + p.nameBytes.length);
  const { date, time } = dosDateTime(p.mtime);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(p.zip64 ? 45 : 20, 4);
  b.writeUInt16LE(FLAG_DESCRIPTOR | FLAG_UTF8, 6);
  b.writeUInt16LE(0, 8); // stored
  b.writeUInt16LE(time, 10);
  b.writeUInt16LE(date, 12);
  // CRC-32 and sizes stay 0: bit 3 says they are in the data descriptor (§4.4.4).
  b.writeUInt16LE(p.nameBytes.length, 26);
  p.nameBytes.copy(b, LOCAL);
  return b;
}

function dataDescriptor(p: Planned): Buffer {
  const b = Buffer.alloc(p.zip64 ? DESCRIPTOR64 : DESCRIPTOR32);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(p.crc, 4);
  if (p.zip64) {
    b.writeBigUInt64LE(BigInt(p.size), 8);
    b.writeBigUInt64LE(BigInt(p.size), 16);
  } else {
    b.writeUInt32LE(p.size, 8);
    b.writeUInt32LE(p.size, 12);
  }
  return b;
}

function centralRecord(p: Planned): Buffer {
  const extra = p.zip64 ? ZIP64_EXTRA : 0;
  const b = Buffer.alloc(CENTRAL + p.nameBytes.length + extra);
  const { date, time } = dosDateTime(p.mtime);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(VERSION_MADE_BY, 4);
  b.writeUInt16LE(p.zip64 ? 45 : 20, 6);
  b.writeUInt16LE(FLAG_DESCRIPTOR | FLAG_UTF8, 8);
  b.writeUInt16LE(0, 10);
  b.writeUInt16LE(time, 12);
  b.writeUInt16LE(date, 14);
  b.writeUInt32LE(p.crc, 16);
  b.writeUInt32LE(p.zip64 ? 0xffffffff : p.size, 20);
  b.writeUInt32LE(p.zip64 ? 0xffffffff : p.size, 24);
  b.writeUInt16LE(p.nameBytes.length, 28);
  b.writeUInt16LE(extra, 30);
  b.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
  b.writeUInt32LE(p.zip64 ? 0xffffffff : p.offset, 42);
  p.nameBytes.copy(b, CENTRAL);
  if (p.zip64) {
    const x = CENTRAL + p.nameBytes.length;
    b.writeUInt16LE(0x0001, x);
    b.writeUInt16LE(ZIP64_EXTRA - 4, x + 2);
    b.writeBigUInt64LE(BigInt(p.size), x + 4);
    b.writeBigUInt64LE(BigInt(p.size), x + 12);
    b.writeBigUInt64LE(BigInt(p.offset), x + 20);
  }
  return b;
}

function endRecords(count: number, cdOffset: number, cdSize: number, zip64End: boolean): Buffer {
  const parts: Buffer[] = [];
  if (zip64End) {
    const z = Buffer.alloc(ZIP64_EOCD + ZIP64_LOCATOR);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(BigInt(ZIP64_EOCD - 12), 4);
    z.writeUInt16LE(VERSION_MADE_BY, 12);
    z.writeUInt16LE(45, 14);
    z.writeBigUInt64LE(BigInt(count), 24);
    z.writeBigUInt64LE(BigInt(count), 32);
    z.writeBigUInt64LE(BigInt(cdSize), 40);
    z.writeBigUInt64LE(BigInt(cdOffset), 48);
    z.writeUInt32LE(0x07064b50, ZIP64_EOCD);
    z.writeBigUInt64LE(BigInt(cdOffset + cdSize), ZIP64_EOCD + 8);
    z.writeUInt32LE(1, ZIP64_EOCD + 16);
    parts.push(z);
  }
  const e = Buffer.alloc(EOCD);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(zip64End ? 0xffff : count, 8);
  e.writeUInt16LE(zip64End ? 0xffff : count, 10);
  e.writeUInt32LE(zip64End ? 0xffffffff : cdSize, 12);
  e.writeUInt32LE(zip64End ? 0xffffffff : cdOffset, 16);
  parts.push(e);
  return Buffer.concat(parts);
}

export interface WriteZipOptions {
  /** Called with each CRC-32 computed here, so the caller can remember it for the next zip. */
  onCrc32?: (entry: ZipEntry, crc32: number) => void;
  chunkBytes?: number;
  buffers?: number;
  signal?: AbortSignal;
  /**
   * The socket under `out`, when nothing sits between them and sendfile(2) can serve it
   * (src/util/zero-copy.ts): entries whose CRC-32 is already known then go from the page cache
   * straight to the socket. Entries without one are read, checksummed and written as before.
   */
  zeroCopySocket?: Socket;
}

/**
 * Streams the archive to `out` (an HTTP response) and ends it. Exactly {@link storedZipSize}
 * bytes are written; a file whose size changed since it was listed fails the stream (the
 * Content-Length already sent would be a lie). Rejects if `out` closes early.
 */
export async function writeStoredZip(
  entries: readonly ZipEntry[],
  out: Writable,
  opts: WriteZipOptions = {},
): Promise<void> {
  const { planned, dataEnd, cdSize, zip64End } = plan(entries);
  const pool = new BufferPool(opts.chunkBytes ?? READ_CHUNK_BYTES, opts.buffers ?? READ_BUFFERS);
  const onClose = () => {
    if (!out.writableFinished) pool.fail(new ZipStreamError('connection closed before the archive was sent'));
  };
  out.once('close', onClose);
  const check = () => {
    if (pool.failed) throw pool.failed;
    opts.signal?.throwIfAborted();
  };
  // Reads the entry's data into the pooled buffers and writes them, computing its CRC-32 when unknown.
  const streamEntry = async (p: Planned, handle: ReadableFile): Promise<number> => {
    let pos = 0;
    let crc = 0;
    while (pos < p.size) {
      const buf = await pool.take();
      opts.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, p.size - pos), pos);
      if (bytesRead === 0) throw new ZipStreamError(`${p.name} shrank while being zipped (${pos} of ${p.size} bytes)`);
      const data = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      if (p.crc32 === undefined) crc = crc32(data, crc);
      pos += bytesRead;
      out.write(data, (err) => (err ? pool.fail(err) : pool.give(buf)));
    }
    return p.crc32 ?? crc;
  };
  try {
    for (const [i, p] of planned.entries()) {
      check();
      out.write(localHeader(p));
      const handle = openFileToSend(p.path);
      try {
        if (opts.zeroCopySocket && p.crc32 !== undefined) {
          await sendFileToSocket(opts.zeroCopySocket, handle, 0, p.size, opts.signal);
          p.crc = p.crc32;
        } else {
          p.crc = await streamEntry(p, handle);
          if (p.crc32 === undefined) opts.onCrc32?.(entries[i]!, p.crc);
        }
      } finally {
        // Reads are done; writes in flight hold our buffers, not the file.
        handle.close();
      }
      out.write(dataDescriptor(p));
    }
    check();
    out.write(Buffer.concat([...planned.map(centralRecord), endRecords(planned.length, dataEnd, cdSize, zip64End)]));
    out.end();
    // Resolves on 'finish' (everything handed to the socket), rejects on a premature close.
    await finished(out);
    check();
  } finally {
    out.off('close', onClose);
  }
}

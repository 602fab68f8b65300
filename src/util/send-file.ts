/**
 * Sends a byte range of an open file as an HTTP body: with sendfile(2) through zero-copy.ts when
 * the addon is built and the body goes straight to a socket; otherwise as fast as JavaScript can
 * ({@link sendFileRange}): a few large buffers are read ahead on the thread pool while earlier
 * ones are written, and each buffer is reused once its write has been flushed, so a 1 GiB download
 * allocates 16 MiB in all instead of a fresh buffer per chunk (createReadStream), which left the
 * event loop idle between a read and the next write and fed the garbage collector.
 *
 * Backpressure is kept: at most `buffers` chunks are in flight; a chunk is reused only from its
 * write callback, i.e. after the socket took it.
 */
import { closeSync, fstatSync, openSync, read, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { BufferPool } from './buffer-pool.js';
import { canSendFileToSocket, sendFileToSocket } from './zero-copy.js';
import { CamctlError } from './errors.js';

/**
 * 2 MiB reads, 8 in flight (16 MiB per download): on loopback against nginx's sendfile, 1 MiB × 4
 * reached ≈ 0.71× and 2 MiB × 8 ≈ 0.83× (bench/sequoia-download.bench.ts, quiet 2-core machine);
 * larger buffers gained nothing more.
 */
export const READ_CHUNK_BYTES = 2 * 1024 * 1024;
export const READ_BUFFERS = 8;

export interface SendFileOptions {
  /** Size of each read, default READ_CHUNK_BYTES. */
  chunkBytes?: number;
  /** Reads in flight (read ahead + being written), default READ_BUFFERS. */
  buffers?: number;
  signal?: AbortSignal;
}

/** What sending needs of an open file: its descriptor and positioned reads (a FileHandle fits). */
export interface ReadableFile {
  readonly fd: number;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** A file opened for a download; close() it when done. */
export interface FileToSend extends ReadableFile {
  readonly stats: Stats;
  close(): void;
}

const readAt = promisify(read);

/**
 * Opens `path` for reading and stats it with synchronous calls. On a download's hot path, open,
 * fstat and close each cost microseconds on a local disk, while each trip through libuv's thread
 * pool costs a scheduling round trip — 0.1 to over 1 ms on a busy 2-core machine, several per
 * request, and most of a 3 MB picture's transfer time. nginx opens its files synchronously too.
 * The data itself is read asynchronously (or not at all, with sendfile).
 */
export function openFileToSend(path: string): FileToSend {
  const fd = openSync(path, 'r');
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let open = true;
  return {
    fd,
    stats,
    read: (buffer, offset, length, position) => readAt(fd, buffer, offset, length, position),
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

export class SendFileError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_SEND_FILE';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CAMCTL_SEND_FILE', message, options);
  }
}

/** Writes bytes `start`..`end` (inclusive) of `handle` to `out`; does not end `out` or close `handle`. */
export async function sendFileRange(
  handle: ReadableFile,
  start: number,
  end: number,
  out: Writable,
  opts: SendFileOptions = {},
): Promise<void> {
  const pool = new BufferPool(opts.chunkBytes ?? READ_CHUNK_BYTES, opts.buffers ?? READ_BUFFERS);
  const onClose = () => pool.fail(new SendFileError('connection closed before the file was sent'));
  out.once('close', onClose);
  try {
    let pos = start;
    while (pos <= end) {
      const buf = await pool.take();
      opts.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - pos + 1), pos);
      if (bytesRead === 0) throw new SendFileError(`file ended at byte ${pos}, expected ${end + 1} bytes`);
      pos += bytesRead;
      out.write(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), (err) =>
        err ? pool.fail(err) : pool.give(buf),
      );
    }
    // The caller closes the file next: wait until the socket has taken every buffer.
    await pool.drained();
    pool.recycle();
  } finally {
    out.off('close', onClose);
  }
}

/**
 * Sends bytes `start`..`end` (inclusive) of `handle` as the body of `res`, whose headers (with the
 * Content-Length) are set, then ends it: with sendfile(2) when the socket allows it (not while the
 * emulated link paces it), else streamed through JavaScript. Rejects when the client goes away;
 * does not close `handle`.
 */
export async function sendFileBody(
  res: ServerResponse,
  handle: ReadableFile,
  start: number,
  end: number,
): Promise<void> {
  const socket = await responseSocket(res);
  if (canSendFileToSocket(socket)) {
    res.flushHeaders();
    await sendFileToSocket(socket, handle, start, end - start + 1);
    res.end();
    return;
  }
  await sendFileRange(handle, start, end, res);
  res.end();
}

/**
 * The response's socket. On a keep-alive connection the client sends its next request as soon as
 * the last byte of the previous body arrives — with sendfile that is before the previous
 * response's end() has run — so node parks this response until that one ends, with no socket yet.
 */
export async function responseSocket(res: ServerResponse): Promise<Socket | undefined> {
  if (res.socket) return res.socket;
  if (res.destroyed) return undefined;
  return new Promise((resolve) => {
    const done = (socket?: Socket) => {
      res.off('socket', done);
      res.off('close', gone);
      resolve(socket);
    };
    const gone = () => done(undefined);
    res.once('socket', done);
    res.once('close', gone);
  });
}

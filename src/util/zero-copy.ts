/**
 * Zero-copy file → socket transfer with sendfile(2), through the small native addon in
 * src/native/sendfile.c (built into dist/native/ by scripts/build-native.mjs during `npm ci`).
 *
 * Node copies every byte of a download through a JavaScript buffer; nginx hands the kernel the
 * file's pages. On loopback that difference alone kept the emulators at ≈ 0.75× nginx's
 * throughput with ≈ 3.5× its CPU per GiB (bench/sequoia-download.bench.ts). With sendfile the
 * emulator does what the camera's own HTTP server does.
 *
 * The addon is optional: where it could not be built (no compiler, another OS) or when
 * `CAMCTL_SENDFILE=0` is set, {@link canSendFileToSocket} says no and callers stream through
 * src/sequoia/send-file.ts instead — slower, same bytes.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { debuglog, getSystemErrorName } from 'node:util';

const debug = debuglog('camctl:sendfile');

interface NativeSendfile {
  /** Sends on this thread until done or the socket is full: [bytes sent, errno (0, -1 = file ended)]. */
  trySend(socketFd: number, fileFd: number, offset: number, length: number): [number, number];
  start(socketFd: number, fileFd: number, offset: number, length: number, done: (errno: number, sent: number) => void): object;
  cancel(job: object): void;
}

export class ZeroCopyError extends Error {
  readonly code = 'ZERO_COPY';
  constructor(
    message: string,
    /** Bytes that reached the socket before the failure. */
    readonly bytesSent: number,
    /** The errno name (EPIPE, ECONNRESET…), or FILE_ENDED when the file was shorter than asked. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'ZeroCopyError';
  }
}

/** The addon sits in `<package root>/dist/native/`, whether this module runs from src/ (tests) or dist/. */
function addonPath(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) {
      const file = path.join(dir, 'dist', 'native', 'camctl_sendfile.node');
      return existsSync(file) ? file : undefined;
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function load(): { native?: NativeSendfile; reason?: string } {
  if (process.env['CAMCTL_SENDFILE'] === '0') return { reason: 'disabled by CAMCTL_SENDFILE=0' };
  if (process.platform !== 'linux') return { reason: `sendfile addon is Linux-only (this is ${process.platform})` };
  const file = addonPath();
  if (!file) return { reason: 'dist/native/camctl_sendfile.node was not built (npm run build needs gcc and node headers)' };
  try {
    return { native: createRequire(import.meta.url)(file) as NativeSendfile };
  } catch (err) {
    return { reason: `cannot load ${file}: ${(err as Error).message}` };
  }
}

const loaded = load();
if (loaded.reason) debug('zero-copy downloads off: %s', loaded.reason);
else debug('zero-copy downloads on: sendfile(2)');

/** Why zero-copy is off, or undefined when it is on (shown by tests and benchmarks). */
export const zeroCopyUnavailableReason: string | undefined = loaded.reason;

/** The socket's descriptor, when it is a plain TCP/Unix socket node has not wrapped (no TLS). */
function socketFd(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** Resolves once everything written to `socket` so far has been handed to the kernel. */
function flushed(socket: Socket): Promise<void> {
  if (socket.writableLength === 0) return Promise.resolve();
  return new Promise((resolve, reject) => socket.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}

/**
 * Sends `length` bytes of `file` from `offset` straight into `socket`, after whatever was already
 * written to it (an HTTP response's headers, a zip entry's header). Nothing else may write to the
 * socket until the promise settles. Rejects with {@link ZeroCopyError} when the peer goes away, the
 * file is shorter than asked, or `signal` aborts; the socket is left to the caller to destroy.
 */
export async function sendFileToSocket(socket: Socket, file: { readonly fd: number }, offset: number, length: number, signal?: AbortSignal): Promise<void> {
  const native = loaded.native;
  const fd = socketFd(socket);
  if (!native || fd === undefined) throw new ZeroCopyError('zero-copy transfer is not available for this socket', 0, 'UNAVAILABLE');
  if (length === 0) return;
  signal?.throwIfAborted();
  await flushed(socket);
  const fail = (errno: number, sent: number) => {
    const reason = errno === -1 ? 'FILE_ENDED' : getSystemErrorName(-errno);
    const what = errno === -1 ? `the file ended after ${offset + sent} bytes` : reason === 'ECANCELED' ? 'cancelled' : `socket error ${reason}`;
    return new ZeroCopyError(`sendfile stopped after ${sent} of ${length} bytes: ${what}`, sent, reason);
  };
  // What the socket buffer takes now goes at once; a thread waits for room for the rest.
  const [sentNow, errnoNow] = native.trySend(fd, file.fd, offset, length);
  if (errnoNow !== 0) throw fail(errnoNow, sentNow);
  if (sentNow === length) return;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => native.cancel(job);
    const job = native.start(fd, file.fd, offset + sentNow, length - sentNow, (errno, sent) => {
      signal?.removeEventListener('abort', onAbort);
      if (errno === 0) resolve();
      else reject(fail(errno, sentNow + sent));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Sockets whose writes something paces (the emulated radio link), and when it does. */
const paced = new WeakMap<Socket, () => boolean>();

/**
 * Keeps {@link canSendFileToSocket} saying no for `socket` while `pacing()` is true: sendfile(2)
 * writes to the descriptor directly and would bypass whatever paces the socket's writes.
 */
export function pauseZeroCopyWhile(socket: Socket, pacing: () => boolean): void {
  paced.set(socket, pacing);
}

/** Whether {@link sendFileToSocket} can serve this socket. */
export function canSendFileToSocket(socket: Socket | null | undefined): socket is Socket {
  return loaded.native !== undefined && !!socket && socketFd(socket) !== undefined && !paced.get(socket)?.();
}

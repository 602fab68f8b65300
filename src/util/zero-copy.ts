/**
 * Zero-copy file → socket transfer with sendfile(2), through the small native addon in
 * src/native/sendfile.c: built by node-gyp (binding.gyp, scripts/build-native.mjs) into build/Release
 * in a checkout, shipped prebuilt under prebuilds/ in the npm package, found by node-gyp-build.
 *
 * Node copies every byte of a download through a JavaScript buffer; nginx hands the kernel the
 * file's pages. On loopback that difference alone kept the emulators at ≈ 0.75× nginx's
 * throughput with ≈ 3.5× its CPU per GiB (bench/sequoia-download.bench.ts). With sendfile the
 * emulator does what the camera's own HTTP server does.
 *
 * The addon is optional: where it could not be built or loaded (no compiler, another OS) or when
 * `CAMCTL_SENDFILE=0` is set, {@link canSendFileToSocket} says no and callers stream through
 * src/sequoia/send-file.ts instead — slower, same bytes.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { debuglog, getSystemErrorName } from 'node:util';
import { CamctlError } from './errors.js';

const debug = debuglog('camctl:sendfile');

interface NativeSendfile {
  /** Sends on this thread until done or the socket is full: [bytes sent, errno (0, -1 = file ended)]. */
  trySend(socketFd: number, fileFd: number, offset: number, length: number): [number, number];
  start(
    socketFd: number,
    fileFd: number,
    offset: number,
    length: number,
    done: (errno: number, sent: number) => void,
  ): object;
  cancel(job: object): void;
  /** SO_SNDBUF: 0 or an errno. */
  setSendBuffer(socketFd: number, bytes: number): number;
}

export class ZeroCopyError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_ZERO_COPY';
  constructor(
    message: string,
    /** Bytes that reached the socket before the failure. */
    readonly bytesSent: number,
    /** The errno name (EPIPE, ECONNRESET…), or FILE_ENDED when the file was shorter than asked. */
    readonly reason: string,
  ) {
    super('ERR_CAMCTL_ZERO_COPY', message);
  }
}

/** The package root (the folder with package.json), whether this module runs from src/ (tests) or dist/. */
function packageRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function load(): { native?: NativeSendfile; reason?: string } {
  if (process.env['CAMCTL_SENDFILE'] === '0') return { reason: 'disabled by CAMCTL_SENDFILE=0' };
  if (process.platform !== 'linux') return { reason: `sendfile addon is Linux-only (this is ${process.platform})` };
  const root = packageRoot();
  if (!root) return { reason: 'the camctl package folder was not found' };
  try {
    // build/Release (built in this checkout or at install) first, then prebuilds/<platform>-<arch>.
    const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build') as (dir: string) => NativeSendfile;
    return { native: nodeGypBuild(root) };
  } catch (err) {
    return {
      reason: `the sendfile addon is not available (${(err as Error).message.split('\n')[0]}; npm run build needs a C compiler and node headers)`,
    };
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
export async function sendFileToSocket(
  socket: Socket,
  file: { readonly fd: number },
  offset: number,
  length: number,
  signal?: AbortSignal,
): Promise<void> {
  const native = loaded.native;
  const fd = socketFd(socket);
  if (!native || fd === undefined)
    throw new ZeroCopyError('zero-copy transfer is not available for this socket', 0, 'UNAVAILABLE');
  if (length === 0) return;
  signal?.throwIfAborted();
  await flushed(socket);
  const fail = (errno: number, sent: number) => {
    const reason = errno === -1 ? 'FILE_ENDED' : getSystemErrorName(-errno);
    const what =
      errno === -1
        ? `the file ended after ${offset + sent} bytes`
        : reason === 'ECANCELED'
          ? 'cancelled'
          : `socket error ${reason}`;
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

/**
 * Fixes the kernel's send buffer of `socket` at `bytes` (SO_SNDBUF, through the same addon; node
 * has no setter). Linux otherwise autotunes it per connection up to 4 MB (`net.ipv4.tcp_wmem`),
 * so a peer that stopped reading costs the machine megabytes before the process even sees its own
 * queue grow. False, and nothing changed, where the addon is not available or the socket has no
 * plain descriptor.
 */
export function setSocketSendBuffer(socket: Socket, bytes: number): boolean {
  const fd = socketFd(socket);
  // An addon built before setSendBuffer existed (a stale build/ or prebuild) lacks it: no bound, no crash.
  if (!loaded.native || fd === undefined || typeof loaded.native.setSendBuffer !== 'function') return false;
  const errno = loaded.native.setSendBuffer(fd, bytes);
  if (errno !== 0) debug('SO_SNDBUF %d refused: %s', bytes, getSystemErrorName(-errno));
  return errno === 0;
}

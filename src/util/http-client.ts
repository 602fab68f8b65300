/**
 * The one HTTP client stack of camctl, under both cameras' clients (the Sequoia's HTTP API and
 * the THETA's OSC API): one request with a timeout per phase (connect, reply headers, body
 * idle), cancellation by AbortSignal, a kept-alive socket the camera closed meanwhile retried
 * once for a GET, and every failure reported through the caller's own error shape
 * ({@link HttpTarget.errorOf}), also when it happens while the caller reads the body.
 *
 * node:http rather than fetch (undici): it exposes the phases — socket connected vs. reply
 * headers vs. a body gone silent — that users of camera tools most want bounded separately (a
 * THETA thinks for seconds before it answers a takePicture; a Sequoia on a drone drops off Wi-Fi
 * mid-download); the body is a Node stream that pipes into a file without a web-stream bridge;
 * and the keep-alive agent is the caller's, so one client's sockets are its own to reuse and
 * to close. fetch hides the connect phase and the socket, and its errors are one opaque
 * "fetch failed".
 */
import * as http from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { debuglog } from 'node:util';
import { CamctlError } from './errors.js';

const debug = debuglog('camctl:http');

/** The phase of a request a timeout or failure belongs to. */
export type RequestPhase = 'connect' | 'reply' | 'body';

/** What went wrong with a request, for {@link HttpTarget.errorOf} to put in its protocol's shape. */
export interface HttpFailure {
  /**
   * `unreachable`: nothing answers (refused, no route, DNS); `timeout`: `phase` took longer than
   * its limit; `aborted`: the caller's signal fired; `connection-lost`: the link broke mid-exchange.
   */
  kind: 'unreachable' | 'timeout' | 'aborted' | 'connection-lost';
  phase: RequestPhase;
  /** What happened, in words (`connect timeout after 300 ms (GET /version)`). */
  message: string;
  method: string;
  path: string;
  host: string;
  port: number;
  /** The limit that was exceeded, for a timeout. */
  timeoutMs?: number;
  /** The socket error, or the signal's reason. */
  cause?: unknown;
}

/** A failure of the HTTP stack itself, for callers that have no error shape of their own. */
export class HttpClientError extends CamctlError {
  declare readonly code:
    | 'ERR_CAMCTL_HTTP_UNREACHABLE'
    | 'ERR_CAMCTL_HTTP_TIMEOUT'
    | 'ERR_CAMCTL_HTTP_ABORTED'
    | 'ERR_CAMCTL_HTTP_CONNECTION_LOST';
  readonly phase: RequestPhase;
  constructor(failure: HttpFailure) {
    const code = `ERR_CAMCTL_HTTP_${failure.kind.toUpperCase().replace('-', '_')}` as HttpClientError['code'];
    super(code, failure.message, { cause: failure.cause });
    this.phase = failure.phase;
  }
}

/** Timeouts of the phases of one request, ms. */
export interface PhaseTimeouts {
  /** TCP connect, ms. */
  connectMs: number;
  /** From request sent to response headers, ms (the camera may think for a while on /capture/start). */
  replyMs: number;
  /** Longest silence while a body streams in, ms. */
  bodyMs: number;
}

export interface HttpTarget {
  host: string;
  port: number;
  agent: http.Agent;
  timeouts: PhaseTimeouts;
  /** The caller's error for a failure (default: an {@link HttpClientError}). */
  errorOf?: (failure: HttpFailure) => Error;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body stream, already guarded by the body-idle timeout and the signal. */
  body: Readable;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

/** Sends one request and resolves at the response headers. Retries once on a stale kept-alive socket. */
export async function send(target: HttpTarget, call: HttpCall): Promise<HttpReply> {
  try {
    return await sendOnce(target, call);
  } catch (err) {
    // A kept-alive socket the server closed in the meantime fails at once with ECONNRESET; that
    // is not a failure of the camera, and GETs of this API are safe to repeat.
    if (err instanceof StaleSocketError && call.method === 'GET') return sendOnce(target, call);
    if (err instanceof StaleSocketError) throw err.wrapped;
    throw err;
  }
}

/** A kept-alive socket the server had closed: retried once for a GET, else `wrapped` is thrown. */
class StaleSocketError extends CamctlError {
  constructor(readonly wrapped: Error) {
    super('ERR_CAMCTL_HTTP_STALE_SOCKET', wrapped.message, { cause: wrapped });
  }
}

/** Errors this module made, told apart from the sockets' own (they pass through unchanged). */
const made = new WeakSet<Error>();

function sendOnce(target: HttpTarget, call: HttpCall): Promise<HttpReply> {
  const { signal } = call;
  const failure = (
    kind: HttpFailure['kind'],
    phase: RequestPhase,
    message: string,
    extra: { cause?: unknown; timeoutMs?: number } = {},
  ): Error => {
    const f: HttpFailure = {
      kind,
      phase,
      message,
      method: call.method,
      path: call.path,
      host: target.host,
      port: target.port,
      ...extra,
    };
    const err = target.errorOf ? target.errorOf(f) : new HttpClientError(f);
    made.add(err);
    return err;
  };
  const abortError = (phase: RequestPhase, reason: unknown): Error =>
    failure('aborted', phase, `request ${call.path} aborted`, { cause: reason });
  if (signal?.aborted) return Promise.reject(abortError('connect', signal.reason));
  return new Promise<HttpReply>((resolve, reject) => {
    let phase: RequestPhase = 'connect';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let res: http.IncomingMessage | undefined;
    let guardStream: Transform | undefined;

    const headers: Record<string, string> = { ...call.headers };
    if (call.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(call.body));
    }
    const req = http.request({
      host: target.host,
      port: target.port,
      method: call.method,
      path: call.path,
      headers,
      agent: target.agent,
    });
    debug('%s %s', call.method, call.path);

    const arm = (ms: number, p: RequestPhase): void => {
      clearTimeout(timer);
      phase = p;
      timer = setTimeout(() => {
        fail(failure('timeout', p, `${p} timeout after ${ms} ms (${call.method} ${call.path})`, { timeoutMs: ms }));
      }, ms);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error): void => {
      if (!settled) {
        settled = true;
        cleanup();
        req.destroy();
        reject(err);
        return;
      }
      // After the headers: the error goes to whoever reads the body.
      cleanup();
      guardStream?.destroy(err);
      res?.destroy(err);
      req.destroy();
    };
    const onAbort = (): void => fail(abortError(phase, signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });

    req.on('socket', (socket) => {
      if (socket.connecting) {
        arm(target.timeouts.connectMs, 'connect');
        socket.once('connect', () => {
          if (!settled) arm(target.timeouts.replyMs, 'reply');
        });
      } else {
        arm(target.timeouts.replyMs, 'reply');
      }
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (settled && res) return; // reported through the body
      const code = err.code ?? '';
      let mapped: Error;
      if (made.has(err)) mapped = err;
      else if (UNREACHABLE_CODES.has(code) || (phase === 'connect' && code !== 'ECONNRESET')) {
        mapped = failure(
          'unreachable',
          'connect',
          `camera unreachable at ${target.host}:${target.port} (${code || err.message})`,
          { cause: err },
        );
      } else {
        mapped = failure(
          'connection-lost',
          phase,
          `connection lost during ${call.method} ${call.path} (${code || err.message})`,
          { cause: err },
        );
        if (req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE') && !settled) {
          settled = true;
          cleanup();
          reject(new StaleSocketError(mapped));
          return;
        }
      }
      fail(mapped);
    });
    req.on('response', (response) => {
      res = response;
      settled = true;
      // The body goes through a pass-through that re-arms the idle timer per chunk; listening for
      // 'data' on the response itself would start it flowing before the caller reads it.
      const guard = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          arm(target.timeouts.bodyMs, 'body');
          cb(null, chunk);
        },
      });
      guardStream = guard;
      arm(target.timeouts.bodyMs, 'body');
      response.on('error', (err) => guard.destroy(err));
      response.on('end', cleanup);
      response.on('close', () => {
        if (!response.complete && !guard.destroyed) {
          guard.destroy(
            response.errored && made.has(response.errored)
              ? response.errored
              : failure('connection-lost', 'body', `connection lost while reading ${call.path}`),
          );
        }
        cleanup();
      });
      guard.on('close', () => {
        cleanup();
        if (!response.complete) response.destroy();
      });
      response.pipe(guard);
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: guard });
    });
    req.end(call.body);
  });
}

/**
 * Reads a whole (small) reply body, bounded by `maxBytes`: over it, the body is dropped and
 * `tooLarge(message)` thrown, before reading when Content-Length says so.
 */
export async function readReplyBody(
  reply: HttpReply,
  maxBytes: number,
  tooLarge: (message: string) => Error,
): Promise<Buffer> {
  const declared = Number(reply.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    reply.body.destroy();
    throw tooLarge(`is ${declared} bytes (limit ${maxBytes})`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of reply.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      reply.body.destroy();
      throw tooLarge(`exceeds ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

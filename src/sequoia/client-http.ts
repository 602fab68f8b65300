/**
 * The HTTP exchange under the Sequoia client: one request with a timeout per phase (connect,
 * reply headers, body idle), cancellation by AbortSignal, and socket errors mapped to
 * {@link SequoiaError} codes. Node's `http` is used rather than `fetch` because it exposes the
 * phases (socket connect vs. response headers) that users of camera tools most want bounded.
 */
import * as http from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { debuglog } from 'node:util';
import { SequoiaError, type RequestPhase } from './client-errors.js';
import { CamctlError } from '../util/errors.js';

const debug = debuglog('camctl:sequoia');

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

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

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
  constructor(readonly wrapped: SequoiaError) {
    super('ERR_CAMCTL_SEQUOIA_STALE_SOCKET', wrapped.message, { cause: wrapped });
  }
}

function sendOnce(target: HttpTarget, call: HttpCall): Promise<HttpReply> {
  const { signal } = call;
  if (signal?.aborted) return Promise.reject(abortError(call.path, signal.reason));
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
        fail(new SequoiaError('ERR_CAMCTL_SEQUOIA_TIMEOUT', `${p} timeout after ${ms} ms (${call.method} ${call.path})`, { phase: p, path: call.path }));
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
    const onAbort = (): void => fail(abortError(call.path, signal?.reason));
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
      let mapped: SequoiaError;
      if (err instanceof SequoiaError) mapped = err;
      else if (UNREACHABLE_CODES.has(code) || (phase === 'connect' && code !== 'ECONNRESET')) {
        mapped = new SequoiaError('ERR_CAMCTL_SEQUOIA_UNREACHABLE', `camera unreachable at ${target.host}:${target.port} (${code || err.message})`, {
          cause: err,
          phase: 'connect',
          path: call.path,
        });
      } else {
        mapped = new SequoiaError('ERR_CAMCTL_SEQUOIA_CONNECTION_LOST', `connection lost during ${call.method} ${call.path} (${code || err.message})`, {
          cause: err,
          phase,
          path: call.path,
        });
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
            response.errored instanceof SequoiaError
              ? response.errored
              : new SequoiaError('ERR_CAMCTL_SEQUOIA_CONNECTION_LOST', `connection lost while reading ${call.path}`, { phase: 'body', path: call.path }),
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

function abortError(path: string, reason: unknown): SequoiaError {
  return new SequoiaError('ERR_CAMCTL_SEQUOIA_ABORTED', `request ${path} aborted`, { cause: reason, path });
}

/** Reads a whole (small) body, bounded by `maxBytes`. */
export async function readBody(reply: HttpReply, maxBytes: number, path: string): Promise<Buffer> {
  const declared = Number(reply.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    reply.body.destroy();
    throw new SequoiaError('ERR_CAMCTL_SEQUOIA_REPLY_TOO_LARGE', `reply to ${path} is ${declared} bytes (limit ${maxBytes})`, { path });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of reply.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      reply.body.destroy();
      throw new SequoiaError('ERR_CAMCTL_SEQUOIA_REPLY_TOO_LARGE', `reply to ${path} exceeds ${maxBytes} bytes`, { path });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

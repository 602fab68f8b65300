/**
 * The timeouts every HTTP server we run puts on its clients (the emulated Sequoia and THETA, the
 * dashboard), so that a client sending its request one byte at a time cannot hold a connection —
 * and the memory behind it — for ever.
 *
 * node:http's `headersTimeout` bounds the time to receive the request headers, `requestTimeout`
 * the time to receive the whole request (headers and body); both are checked every
 * `connectionsCheckingInterval` and answered with 408 and a closed connection. Neither bounds the
 * reply: once the request is in, a long download, a zip stream, an MJPEG live preview or a
 * WebSocket (an upgraded connection leaves node:http) runs for as long as it runs.
 * `keepAliveTimeout` closes an idle kept-alive connection.
 *
 * @example
 * const server = createServerWithTimeouts({ requestTimeoutMs: 5000 }, (req, res) => res.end('ok'));
 */
import * as http from 'node:http';
import { InvalidOptionError } from './errors.js';

export interface HttpTimeoutOptions {
  /** Longest time to receive a request's headers, ms. Default 10 s (at most `requestTimeoutMs`). */
  headersTimeoutMs?: number;
  /** Longest time to receive a whole request, headers and body, ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** How long an idle kept-alive connection stays open, ms. Default 5 s. */
  keepAliveTimeoutMs?: number;
}

export const DEFAULT_HTTP_TIMEOUTS: Readonly<Required<HttpTimeoutOptions>> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0)
    throw new InvalidOptionError(name, `must be a positive number of milliseconds, got ${v}`);
  return v;
}

/** The node:http server options for these timeouts, checked; defaults from `defaults`. */
export function timeoutServerOptions(
  options: HttpTimeoutOptions = {},
  defaults: Required<HttpTimeoutOptions> = DEFAULT_HTTP_TIMEOUTS,
): http.ServerOptions {
  const requestTimeout = positive('requestTimeoutMs', options.requestTimeoutMs ?? defaults.requestTimeoutMs);
  const headersTimeout = positive(
    'headersTimeoutMs',
    options.headersTimeoutMs ?? Math.min(defaults.headersTimeoutMs, requestTimeout),
  );
  const keepAliveTimeout = positive('keepAliveTimeoutMs', options.keepAliveTimeoutMs ?? defaults.keepAliveTimeoutMs);
  if (headersTimeout > requestTimeout) {
    throw new InvalidOptionError(
      'headersTimeoutMs',
      `${headersTimeout} must not be longer than requestTimeoutMs (${requestTimeout})`,
    );
  }
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout,
    // node checks the two timeouts on this period (30 s by default, which would let a 1 s timeout
    // run 31 s): a fifth of the shorter one keeps the overshoot at 20 %.
    connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(headersTimeout / 5))),
  };
}

/** `http.createServer` with {@link timeoutServerOptions}. */
export function createServerWithTimeouts(
  options: HttpTimeoutOptions,
  handler: http.RequestListener,
  defaults: Required<HttpTimeoutOptions> = DEFAULT_HTTP_TIMEOUTS,
): http.Server {
  const serverOptions = timeoutServerOptions(options, defaults);
  const server = http.createServer(serverOptions, handler);
  // Also set as a property: the constructor option is recent (node 18.x) and the property is not.
  server.keepAliveTimeout = serverOptions.keepAliveTimeout!;
  return server;
}

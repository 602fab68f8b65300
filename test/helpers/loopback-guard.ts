/**
 * Every TCP connect of the test process goes through `net.Socket.prototype.connect` (node:http,
 * fetch/undici and net.connect all end there). This guard lets loopback destinations through and
 * throws — before any packet is sent — for anything else, recording it, so that a test can assert
 * that nothing it drove tried to reach a camera's real address.
 */
import * as net from 'node:net';

export interface ConnectionGuard {
  /** `host:port` of every refused attempt (non-loopback). */
  refused: string[];
  /** `host:port` of every loopback connection let through. */
  allowed: string[];
  restore(): void;
}

function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    /^::ffff:127\./i.test(host)
  );
}

/** The destination `connect(...)` was asked for; undefined for a Unix socket or pipe path. */
function destinationOf(args: unknown[]): { host: string; port: unknown } | undefined {
  // net.connect() hands the socket its arguments already normalised: [[options, callback]].
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: unknown; port?: unknown; path?: unknown };
    if (typeof o.path === 'string' && o.port === undefined) return undefined;
    return { host: typeof o.host === 'string' ? o.host : 'localhost', port: o.port };
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
  }
  return undefined;
}

export function guardConnections(): ConnectionGuard {
  const original = net.Socket.prototype.connect;
  const guard: ConnectionGuard = {
    refused: [],
    allowed: [],
    restore: () => {
      net.Socket.prototype.connect = original;
    },
  };
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const to = destinationOf(args);
    if (to) {
      const where = `${to.host}:${String(to.port)}`;
      if (!isLoopback(to.host)) {
        guard.refused.push(where);
        throw new Error(`test guard: refused a connection to ${where} (only loopback is allowed)`);
      }
      guard.allowed.push(where);
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return guard;
}

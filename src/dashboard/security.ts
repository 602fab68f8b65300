/**
 * Request checks that keep other web sites away from the dashboard (it drives real cameras and
 * deletes real files, so a page in another tab must not be able to reach it):
 *
 * - **Host**: a DNS-rebinding attack points an attacker's name at 127.0.0.1, so the browser sends
 *   `Host: evil.example:PORT`. Only the bound `host:port` (and, when bound to loopback, the
 *   loopback names for the same port) is served; anything else gets 421.
 * - **Origin**: a cross-site form or fetch POST carries the attacker's `Origin`; so does a
 *   cross-site WebSocket. State-changing methods and WebSocket upgrades need `Origin` equal to our
 *   own origin. A request without `Origin` comes from a non-browser client (curl, scripts), which
 *   cannot be driven by another site, so it passes — browsers always send `Origin` on POST and
 *   WebSocket requests. `Origin: null` (sandboxed frames, file://) is refused.
 * - **No CORS**: no `Access-Control-*` header is ever sent, so other origins cannot read replies.
 */
import type * as http from 'node:http';
import { DashboardError } from './errors.js';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export class RequestGuard {
  readonly #hosts: Set<string>;

  /** `host` is the address bound to; `port` the actual port (after a port-0 bind). */
  constructor(host: string, port: number) {
    const bound = host.includes(':') ? `[${host}]` : host;
    const names = isLoopback(host) ? [bound, ...LOOPBACK_NAMES] : [bound];
    this.#hosts = new Set(names.map((n) => `${n.toLowerCase()}:${port}`));
  }

  /** The origins pages may have: `http://` + each accepted host. */
  get origins(): string[] {
    return [...this.#hosts].map((h) => `http://${h}`);
  }

  /** Throws FORBIDDEN_HOST / FORBIDDEN_ORIGIN; `stateChanging` for POST/PUT/DELETE and upgrades. */
  check(req: http.IncomingMessage, stateChanging: boolean): void {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.#hosts.has(host)) {
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_FORBIDDEN_HOST',
        `Host ${JSON.stringify(req.headers.host ?? '')} is not this dashboard's address`,
      );
    }
    if (!stateChanging) return;
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (origin.toLowerCase() !== `http://${host}`) {
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_FORBIDDEN_ORIGIN',
        `requests from origin ${JSON.stringify(origin)} are not accepted`,
      );
    }
  }
}

export function isStateChanging(method: string | undefined): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Headers on every reply. The CSP keeps the page to its own bundled assets (no CDN can be loaded
 * even by mistake); `blob:` images are the 360° viewer's textures.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
};

/**
 * HTTP Digest authentication (RFC 7616 with MD5 and qop=auth, the variant THETA V/Z1 use in client
 * mode — docs/osc.md "Transport"), for both sides: the server face checks `Authorization`, the
 * client answers `WWW-Authenticate` challenges.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** User and password for HTTP Digest authentication (THETA V and later in client mode). */
export interface DigestCredentials {
  user: string;
  password: string;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Splits `Digest a="b", c=d` into its parameters (quoted values may contain commas). */
export function parseDigestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = header.replace(/^\s*Digest\s+/i, '');
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of body.matchAll(re)) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  return out;
}

/** Server side: issues challenges and verifies answers. Nonces live for `nonceTtlMs`. */
export class DigestVerifier {
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly creds: DigestCredentials,
    readonly realm = 'RICOH THETA',
    private readonly nonceTtlMs = 300_000,
  ) {}

  /** Value for `WWW-Authenticate`. `stale` tells the client to retry with the new nonce silently. */
  challenge(stale = false): string {
    const now = Date.now();
    for (const [n, t] of this.nonces) if (now - t > this.nonceTtlMs) this.nonces.delete(n);
    const nonce = randomBytes(16).toString('hex');
    this.nonces.set(nonce, now);
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", opaque="${md5(this.realm)}", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /** 'ok', 'stale' (right password, expired nonce) or 'denied'. */
  verify(method: string, authorization: string | undefined): 'ok' | 'stale' | 'denied' {
    if (!authorization || !/^\s*Digest\s/i.test(authorization)) return 'denied';
    const p = parseDigestParams(authorization);
    const { username, realm, nonce, uri, response, qop, nc, cnonce } = p;
    if (!username || !nonce || !uri || !response || realm !== this.realm) return 'denied';
    if (p['algorithm'] && p['algorithm'].toUpperCase() !== 'MD5') return 'denied';
    const ha1 = md5(`${this.creds.user}:${this.realm}:${this.creds.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const expected = qop ? md5(`${ha1}:${nonce}:${nc ?? ''}:${cnonce ?? ''}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    const a = Buffer.from(expected);
    const b = Buffer.from(response.toLowerCase());
    if (username !== this.creds.user || a.length !== b.length || !timingSafeEqual(a, b)) return 'denied';
    const issued = this.nonces.get(nonce);
    if (issued === undefined || Date.now() - issued > this.nonceTtlMs) return 'stale';
    return 'ok';
  }
}

/** Client side: the `Authorization` header answering a challenge. `nc` counts uses of the nonce. */
export function digestAuthorization(creds: DigestCredentials, challenge: string, method: string, uri: string, nc: number): string {
  const p = parseDigestParams(challenge);
  const realm = p['realm'] ?? '';
  const nonce = p['nonce'] ?? '';
  const qops = (p['qop'] ?? '').split(',').map((s) => s.trim());
  const cnonce = randomBytes(8).toString('hex');
  const ncHex = nc.toString(16).padStart(8, '0');
  const ha1 = md5(`${creds.user}:${realm}:${creds.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const useQop = qops.includes('auth');
  const response = useQop ? md5(`${ha1}:${nonce}:${ncHex}:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const parts = [`username="${creds.user}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`, `response="${response}"`, 'algorithm=MD5'];
  if (p['opaque'] !== undefined) parts.push(`opaque="${p['opaque']}"`);
  if (useQop) parts.push('qop=auth', `nc=${ncHex}`, `cnonce="${cnonce}"`);
  return `Digest ${parts.join(', ')}`;
}

/**
 * HTTP Digest authentication as RICOH THETA V/Z1 ask for it in client mode: RFC 7616 with
 * `algorithm=MD5` and `qop="auth"`. The shared RFC 7616 computation ({@link digestResponse},
 * {@link parseDigestParams}) and the client's answer to a challenge ({@link digestAuthorization})
 * live here; the camera side that issues nonces and checks `Authorization` is the emulator's
 * (src/emulator/theta/digest-verifier.ts).
 */
import { createHash, randomBytes } from 'node:crypto';

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
  for (const m of body.matchAll(re))
    out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  return out;
}

/**
 * The `response` of RFC 7616 §3.4.1 with MD5: over the nonce count and client nonce when `qop` is
 * `auth`, over the nonce alone (RFC 2069 style) when it is absent.
 */
export function digestResponse(
  creds: DigestCredentials,
  p: { realm: string; nonce: string; method: string; uri: string; qop?: { nc: string; cnonce: string } },
): string {
  const ha1 = md5(`${creds.user}:${p.realm}:${creds.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  return p.qop ? md5(`${ha1}:${p.nonce}:${p.qop.nc}:${p.qop.cnonce}:auth:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
}

/** Client side: the `Authorization` header answering a challenge. `nc` counts uses of the nonce. */
export function digestAuthorization(
  creds: DigestCredentials,
  challenge: string,
  method: string,
  uri: string,
  nc: number,
): string {
  const p = parseDigestParams(challenge);
  const realm = p['realm'] ?? '';
  const nonce = p['nonce'] ?? '';
  const qops = (p['qop'] ?? '').split(',').map((s) => s.trim());
  const cnonce = randomBytes(8).toString('hex');
  const ncHex = nc.toString(16).padStart(8, '0');
  const useQop = qops.includes('auth');
  const response = digestResponse(creds, {
    realm,
    nonce,
    method,
    uri,
    ...(useQop ? { qop: { nc: ncHex, cnonce } } : {}),
  });
  const parts = [
    `username="${creds.user}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
  ];
  if (p['opaque'] !== undefined) parts.push(`opaque="${p['opaque']}"`);
  if (useQop) parts.push('qop=auth', `nc=${ncHex}`, `cnonce="${cnonce}"`);
  return `Digest ${parts.join(', ')}`;
}

/**
 * HTTP Digest authentication as RICOH THETA V/Z1 ask for it in client mode: RFC 7616 with
 * `algorithm=MD5` and `qop="auth"`. This is the camera's side: {@link DigestVerifier} issues
 * challenges and checks `Authorization`; the RFC 7616 computation it shares with the client is in
 * src/osc/digest.ts.
 *
 * One header is good for one request (RFC 7616 §3.3, §3.4.6, §5.3):
 * - its `uri` must be the request-target of the request it comes with (a header made for
 *   `POST /osc/state` cannot run `camera.delete`);
 * - `qop=auth` is required, so every response covers a client nonce and a nonce count;
 * - each nonce count is accepted once per nonce;
 * - nonces expire; a right password on an expired or forgotten nonce gets `stale=true`, and the
 *   client retries with the new nonce without asking anyone for the password again.
 *
 * Memory stays bounded whatever arrives. A nonce is `time ‖ serial ‖ HMAC(secret, time ‖ serial)`:
 * the camera recognises its own nonces without storing them, so a flood of unauthenticated requests
 * costs nothing. State exists only for nonces that have authenticated a request (which needs the
 * password): the counts seen so far, in an LRU of `maxTrackedNonces`. Forgetting one raises a floor
 * on serials; an untracked nonce at or below the floor might have been used already, so it is
 * answered stale rather than accepted — a replay never gets in, a real client just takes the new
 * nonce of that answer, whose serial is above the floor.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../util/clock.js';
import { InvalidOptionError } from '../../util/errors.js';
import { digestResponse, parseDigestParams } from '../../osc/digest.js';
import type { DigestCredentials } from '../../osc/digest.js';

/** How the camera side issues and remembers nonces. */
export interface DigestPolicy {
  /** Lifetime of a nonce, ms; then it is stale. Default 300 000 (5 minutes). */
  nonceTtlMs?: number;
  /** Nonces whose counts are remembered; the least recently used beyond this are forgotten. Default 256. */
  maxTrackedNonces?: number;
  /** Time source for nonce ages. Default: the wall clock. */
  clock?: Pick<Clock, 'now'>;
}

/**
 * The verdict on one request: `ok`; `stale` (right password, nonce expired or forgotten: challenge
 * again with stale=true); `denied` (wrong or missing credentials, a replayed count: challenge
 * again); `wrong-uri` (the header was made for another request-target: 400 Bad Request, RFC 7616
 * §3.4.6).
 */
export type DigestVerdict = 'ok' | 'stale' | 'denied' | 'wrong-uri';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Nonce counts 1…2^32−1 arrive as exactly 8 hex digits (RFC 7616 §3.4). */
const NC_PATTERN = /^[0-9a-fA-F]{8}$/;
/** Nonce = 12 hex digits of issue time (ms) + 12 of serial + 32 of HMAC. */
const NONCE_PATTERN = /^([0-9a-f]{12})([0-9a-f]{12})([0-9a-f]{32})$/;
/**
 * Counts within this distance below the highest seen are still accepted once each: a client
 * with several requests in flight on one nonce (camctl's does) may have them arrive out of order.
 */
export const NC_WINDOW = 64;
const WINDOW_MASK = (1n << BigInt(NC_WINDOW)) - 1n;

/** The counts seen on one nonce: the highest, and a bit per count in the window below it. */
interface CountWindow {
  highest: number;
  seen: bigint;
}

/** Server side: issues challenges and verifies answers. */
export class DigestVerifier {
  readonly realm: string;
  private readonly secret = randomBytes(32);
  private readonly opaque: string;
  private readonly ttlMs: number;
  private readonly maxTracked: number;
  private readonly clock: Pick<Clock, 'now'>;
  /** Counts seen per nonce, least recently used first (Map keeps insertion order). */
  private readonly counts = new Map<string, CountWindow>();
  /** Serial of the last nonce issued; every challenge takes the next. */
  private serial = 0;
  /** Highest serial whose counts were forgotten; untracked nonces up to it are stale. */
  private forgottenUpTo = 0;

  constructor(
    private readonly creds: DigestCredentials,
    policy: DigestPolicy = {},
    realm = 'RICOH THETA',
  ) {
    this.realm = realm;
    this.ttlMs = policy.nonceTtlMs ?? 300_000;
    this.maxTracked = policy.maxTrackedNonces ?? 256;
    this.clock = policy.clock ?? { now: () => Date.now() };
    if (!(this.ttlMs > 0)) throw new InvalidOptionError('nonceTtlMs', `must be positive, got ${this.ttlMs}`);
    if (!Number.isInteger(this.maxTracked) || this.maxTracked < 1)
      throw new InvalidOptionError('maxTrackedNonces', `must be a positive integer, got ${this.maxTracked}`);
    this.opaque = md5(this.realm);
  }

  /** Nonces whose counts are remembered now (never more than `maxTrackedNonces`). */
  get trackedNonces(): number {
    return this.counts.size;
  }

  private mac(stampAndSerial: string): string {
    return createHmac('sha256', this.secret).update(stampAndSerial).digest('hex').slice(0, 32);
  }

  /** Value for `WWW-Authenticate`. `stale` tells the client to retry with the new nonce silently. */
  challenge(stale = false): string {
    const stamp = Math.max(0, Math.floor(this.clock.now())).toString(16).padStart(12, '0').slice(-12);
    const head = stamp + (++this.serial).toString(16).padStart(12, '0');
    const nonce = head + this.mac(head);
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", opaque="${this.opaque}", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /** Issue time and serial of a nonce this verifier made, or undefined for anything else. */
  private issued(nonce: string): { time: number; serial: number } | undefined {
    const m = NONCE_PATTERN.exec(nonce);
    if (!m || !sameText(this.mac(m[1]! + m[2]!), m[3]!)) return undefined;
    return { time: parseInt(m[1]!, 16), serial: parseInt(m[2]!, 16) };
  }

  /**
   * Judges the `Authorization` header of a request with this method and request-target (the path
   * and query exactly as on the request line).
   */
  verify(method: string, requestTarget: string, authorization: string | undefined): DigestVerdict {
    if (!authorization || !/^\s*Digest\s/i.test(authorization)) return 'denied';
    const p = parseDigestParams(authorization);
    const { username, realm, nonce, uri, response, qop, nc, cnonce } = p;
    if (username === undefined || !nonce || uri === undefined || !response || realm !== this.realm) return 'denied';
    if (p['algorithm'] !== undefined && p['algorithm'].toUpperCase() !== 'MD5') return 'denied';
    // The challenge offers qop="auth" only; without it there is no nonce count to stop a replay.
    if (qop !== 'auth' || nc === undefined || !NC_PATTERN.test(nc) || !cnonce) return 'denied';
    if (p['opaque'] !== undefined && p['opaque'] !== this.opaque) return 'denied';
    const expected = digestResponse(this.creds, { realm: this.realm, nonce, method, uri, qop: { nc, cnonce } });
    // Both compared whatever the first gives, so timing does not tell which was wrong.
    const userOk = sameText(username, this.creds.user);
    const responseOk = sameText(expected, response.toLowerCase());
    if (!userOk || !responseOk) return 'denied';
    // The password is right for the header's own uri; is that the request it came with?
    if (!sameTarget(uri, requestTarget)) return 'wrong-uri';
    const issued = this.issued(nonce);
    const now = this.clock.now();
    if (issued === undefined || now - issued.time > this.ttlMs || issued.time > now + 1000) return 'stale';
    return this.countOnce(nonce, issued.serial, parseInt(nc, 16));
  }

  /** Records one use of count `n` on `nonce`: ok the first time, denied after. */
  private countOnce(nonce: string, serial: number, n: number): DigestVerdict {
    if (n === 0) return 'denied';
    let w = this.counts.get(nonce);
    if (w) {
      this.counts.delete(nonce);
    } else {
      // Forgotten counts cannot be checked: only a nonce issued after every forgotten one is new.
      if (serial <= this.forgottenUpTo) return 'stale';
      w = { highest: 0, seen: 0n };
    }
    let verdict: DigestVerdict = 'ok';
    if (n > w.highest) {
      const shift = n - w.highest;
      w.seen = shift >= NC_WINDOW ? 1n : ((w.seen << BigInt(shift)) | 1n) & WINDOW_MASK;
      w.highest = n;
    } else {
      const back = w.highest - n;
      if (back >= NC_WINDOW) verdict = 'stale';
      else if (w.seen & (1n << BigInt(back))) verdict = 'denied';
      else w.seen |= 1n << BigInt(back);
    }
    this.counts.set(nonce, w);
    while (this.counts.size > this.maxTracked) {
      const oldest = this.counts.keys().next().value as string;
      this.counts.delete(oldest);
      this.forgottenUpTo = Math.max(this.forgottenUpTo, this.issued(oldest)?.serial ?? 0);
    }
    return verdict;
  }
}

/**
 * RFC 7616 §3.4.6: the header's `uri` is the request-target. RICOH's theta-client puts only the
 * path there when it fetches `…JPG?type=thumb`, and it works with the cameras, so a `uri` without a
 * query also stands for that path under any query — never for another path, nor for another query.
 */
function sameTarget(uri: string, requestTarget: string): boolean {
  if (uri === requestTarget) return true;
  const q = requestTarget.indexOf('?');
  return q >= 0 && !uri.includes('?') && uri === requestTarget.slice(0, q);
}

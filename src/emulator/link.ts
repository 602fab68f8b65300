/**
 * An emulated radio link in front of an emulated camera: added round-trip time and a bandwidth
 * limit, to mimic the camera's 802.11g access point (≈ 3 MB/s of payload, a few ms to tens of ms
 * of latency) on loopback.
 *
 * The bandwidth is the air's: one budget shared by every connection to the camera — HTTP
 * downloads and zips, JSON replies, WebSocket notifications and the PTP/IP face alike — handed
 * out fairly between connections ({@link FairTokenBucket}), so eight parallel downloads together
 * get what one would, and a status request is not starved by a big download. An optional
 * per-connection limit caps what one connection gets on top of that. Latency is added once per
 * request (one round trip: an HTTP request, a PTP operation).
 *
 * Shaping happens at the socket ({@link EmulatedLink.shape}): everything a face writes — headers
 * included — is paced as it leaves, whatever wrote it. A paced socket is not written behind the
 * link's back with sendfile(2) (see zero-copy.ts).
 */
import type { Socket } from 'node:net';
import { RealClock, type Clock } from '../util/clock.js';
import { pauseZeroCopyWhile } from '../util/zero-copy.js';
import { FairTokenBucket, SLICE_BYTES, type BucketFlow } from './fair-bucket.js';
import { InvalidOptionError } from '../util/errors.js';

/** An emulated radio link's settings, as `POST /_emulator/link` takes them (any subset). */
export interface LinkOptions {
  /** Round-trip time added to every request, in ms. 0 = none. */
  latencyMs: number;
  /** Bytes per second of the whole link, shared by all connections. 0 = unlimited. */
  bandwidthBytesPerSec: number;
  /** Bytes per second one connection may use at most (within the shared budget). 0 = unlimited. */
  perConnectionBytesPerSec: number;
}

/** What a PTP/IP responder needs to put its connections on a link. */
export interface LinkPtpIpHooks {
  /** Shapes each accepted connection's writes (the shared air). */
  onConnection: (socket: Socket) => void;
  /** Awaited before each operation is served (one round trip). */
  beforeOperation: () => Promise<void>;
}

export const NO_LINK_LIMITS: LinkOptions = { latencyMs: 0, bandwidthBytesPerSec: 0, perConnectionBytesPerSec: 0 };

const LINK_KEYS = ['latencyMs', 'bandwidthBytesPerSec', 'perConnectionBytesPerSec'] as const;

/** `current` with the keys `input` sets, each checked; unknown keys are refused. */
export function validateLink(input: Record<string, unknown>, current: LinkOptions): LinkOptions {
  const next = { ...current };
  for (const key of Object.keys(input)) {
    if (!(LINK_KEYS as readonly string[]).includes(key) && input[key] !== undefined)
      throw new InvalidOptionError(key, `unknown link setting (known: ${LINK_KEYS.join(', ')})`);
  }
  for (const key of LINK_KEYS) {
    const v = input[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new InvalidOptionError(key, 'must be a number ≥ 0');
    if (key === 'latencyMs' && v > 60_000) throw new InvalidOptionError('latencyMs', 'must be at most 60000');
    next[key] = v;
  }
  return next;
}

type WriteCallback = (err?: Error | null) => void;
/** Node's Writable hooks of a socket (an instance may override them; Writable looks them up per write). */
interface SocketWrites {
  _write(chunk: unknown, encoding: string, cb: WriteCallback): void;
  _writev?(chunks: Array<{ chunk: unknown; encoding: string }>, cb: WriteCallback): void;
}

function asBuffer(chunk: unknown, encoding: string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), Buffer.isEncoding(encoding) ? encoding : 'utf8');
}

/** The link of one emulated camera: its settings, its air (shared bucket) and its clock. */
export class EmulatedLink {
  private current: LinkOptions;
  private readonly air: FairTokenBucket;
  private blocked = 0;

  constructor(
    options: { [K in keyof LinkOptions]?: number | undefined } = {},
    /** Real time by default: a sped-up device clock must not speed up the radio. */
    readonly clock: Clock = new RealClock(),
  ) {
    this.current = validateLink(options, NO_LINK_LIMITS);
    this.air = new FairTokenBucket(clock, this.current.bandwidthBytesPerSec);
  }

  get options(): LinkOptions {
    return { ...this.current };
  }

  /** Applies a partial change (as `POST /_emulator/link` sends it); throws RangeError on bad values. */
  set(change: Record<string, unknown>): LinkOptions {
    this.current = validateLink(change, this.current);
    this.air.setRate(this.current.bandwidthBytesPerSec);
    return this.options;
  }

  /** Whether writes are paced now (either limit set). */
  get paced(): boolean {
    return this.current.bandwidthBytesPerSec > 0 || this.current.perConnectionBytesPerSec > 0;
  }

  /** Bytes the shared budget has let through so far (all connections). */
  get sentBytes(): number {
    return this.air.granted;
  }

  /** Connections waiting now for their turn on the air (so a test on a ManualClock knows all are). */
  get waitingConnections(): number {
    return this.blocked;
  }

  /** One round trip: awaited once per request before it is served. */
  roundTrip(): Promise<void> {
    const ms = this.current.latencyMs;
    return ms > 0 ? this.clock.sleep(ms) : Promise.resolve();
  }

  /** What a PTP/IP responder needs to put its connections on this link (ptpip-face.ts). */
  ptpipOptions(): LinkPtpIpHooks {
    return { onConnection: (socket) => this.shape(socket), beforeOperation: () => this.roundTrip() };
  }

  /**
   * Puts an accepted connection on this link: from now on its writes leave no faster than the
   * shared budget (and the per-connection limit) allow, in slices taken in turn with the other
   * connections. Backpressure is kept — a write is acknowledged only once it has gone — so
   * `write()` returns false and `drain` comes later, as on a slow network.
   */
  shape(socket: Socket): void {
    const writes = socket as unknown as SocketWrites;
    const write = writes._write.bind(socket);
    const flow = this.air.flow();
    let own: FairTokenBucket | undefined;
    let ownFlow: BucketFlow | undefined;
    let closed = false;
    socket.once('close', () => {
      closed = true;
      flow.close();
      ownFlow?.close();
    });
    const slice = async (bytes: number): Promise<void> => {
      this.blocked++;
      try {
        const perConnection = this.current.perConnectionBytesPerSec;
        if (perConnection > 0) {
          own ??= new FairTokenBucket(this.clock, perConnection);
          own.setRate(perConnection);
          ownFlow ??= own.flow();
          await ownFlow.take(bytes);
        }
        await flow.take(bytes);
      } finally {
        this.blocked--;
      }
    };
    const send = (buffers: Buffer[], cb: WriteCallback): void => {
      void (async () => {
        for (const buf of buffers) {
          for (let at = 0; at < buf.length; at += SLICE_BYTES) {
            const part = buf.subarray(at, at + SLICE_BYTES);
            if (!closed && this.paced) await slice(part.length);
            // After a close the socket's own _write reports the error; no further waiting.
            const err = await new Promise<Error | null | undefined>((r) => write(part, 'buffer', r));
            if (err) return cb(err);
          }
        }
        cb();
      })();
    };
    writes._write = (chunk, encoding, cb) => {
      if (!this.paced) return write(chunk, encoding, cb);
      send([asBuffer(chunk, encoding)], cb);
    };
    if (writes._writev) {
      const writev = writes._writev.bind(socket);
      writes._writev = (chunks, cb) => {
        if (!this.paced) return writev(chunks, cb);
        send(
          chunks.map((c) => asBuffer(c.chunk, c.encoding)),
          cb,
        );
      };
    }
    pauseZeroCopyWhile(socket, () => this.paced);
  }
}

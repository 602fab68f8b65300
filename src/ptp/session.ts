/**
 * PtpSession: PTP transactions over any {@link PtpTransport} — transaction ids, data phases in both
 * directions, events, a timeout per phase, AbortSignal and cancel (ISO 15740 §9.3).
 *
 * PTP allows one transaction at a time per session; calls made concurrently are queued.
 * Incoming data is either collected (bounded by `maxInMemoryData`) or streamed to a
 * {@link PtpDataSink}; a sink that returns a promise pauses the transport until it settles, so a
 * slow disk throttles the socket instead of filling memory.
 *
 * @example
 * const session = new PtpSession(transport);
 * await session.open();
 * const { data } = await session.transaction(Op.GetDeviceInfo, [], { dataIn: 'buffer' });
 * const info = decodeDeviceInfo(data!);
 */
import { EventEmitter, on } from 'node:events';
import { debuglog } from 'node:util';
import { Op, Resp } from './codes.js';
import {
  PtpClosedError,
  PtpLimitError,
  PtpProtocolError,
  PtpResponseError,
  PtpTimeoutError,
  abortError,
  type PtpPhase,
} from './errors.js';
import type { PtpContainer, PtpTransport, PtpTransportReceiver } from './transport.js';
import { InvalidOptionError } from '../util/errors.js';

const debug = debuglog('camctl:ptp');

/** Timeouts and limits of a {@link PtpSession}. */
export interface PtpSessionOptions {
  /** Time from sending a command to the first reply (data or response), ms. Default 10 000. */
  commandTimeoutMs?: number;
  /** Longest silence inside a data phase, ms. Default 10 000. */
  dataTimeoutMs?: number;
  /** Largest data phase collected in memory with `dataIn: 'buffer'`, bytes. Default 64 MiB. */
  maxInMemoryData?: number;
  /** Vendor id used to name codes in error messages. */
  vendorExtensionId?: number;
}

/** Receives an incoming data phase. Returning a promise applies backpressure. */
export interface PtpDataSink {
  /** Called once with the announced length before the first chunk. */
  start?(totalLength: bigint): void | Promise<void>;
  /** Called with each chunk in order. */
  write(chunk: Uint8Array): void | Promise<void>;
}

/** Options of one {@link PtpSession.transaction}. */
export interface TransactionOptions {
  /** 'buffer' collects incoming data into `result.data`; a sink receives it as it arrives. */
  dataIn?: 'buffer' | PtpDataSink;
  /** Outgoing data phase (host → device). */
  dataOut?: Uint8Array | { length: bigint; source: AsyncIterable<Uint8Array> };
  signal?: AbortSignal;
  /** Resolve with non-OK responses instead of throwing PtpResponseError. */
  allowError?: boolean;
  commandTimeoutMs?: number;
}

/** What a transaction brought back: the response, and the data phase's bytes when collected in memory. */
export interface TransactionResult {
  response: PtpContainer;
  data?: Uint8Array;
  /** Bytes received in the data phase. */
  dataLength: number;
}

interface Pending {
  transactionId: number;
  code: number;
  opts: TransactionOptions;
  chunks: Uint8Array[];
  received: number;
  total: bigint | undefined;
  sinkBusy: Promise<void> | undefined;
  sinkError: unknown;
  timer: NodeJS.Timeout | undefined;
  phase: PtpPhase;
  /** This transaction paused the transport (sink backpressure) and must resume it when done. */
  paused: boolean;
  resolve(r: TransactionResult): void;
  reject(e: unknown): void;
}

/**
 * A PTP session over a {@link PtpTransport}: transaction ids, data phases in both directions with
 * backpressure, a timeout per phase, events. One transaction at a time, as PTP requires; later
 * calls queue.
 */
export class PtpSession extends EventEmitter<{ event: [PtpContainer]; closed: [Error | undefined] }> {
  readonly options: Required<Omit<PtpSessionOptions, 'vendorExtensionId'>> & { vendorExtensionId: number | undefined };
  private nextTid = 0;
  private sessionId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Pending | undefined;
  private closedWith: Error | undefined | null = null;

  constructor(
    readonly transport: PtpTransport,
    options: PtpSessionOptions = {},
  ) {
    super();
    this.options = {
      commandTimeoutMs: positive(options.commandTimeoutMs, 10_000, 'commandTimeoutMs'),
      dataTimeoutMs: positive(options.dataTimeoutMs, 10_000, 'dataTimeoutMs'),
      maxInMemoryData: positive(options.maxInMemoryData, 64 * 1024 * 1024, 'maxInMemoryData'),
      vendorExtensionId: options.vendorExtensionId,
    };
    transport.setReceiver(this.receiver());
  }

  get isOpen(): boolean {
    return this.sessionId !== 0;
  }

  set vendorExtensionId(v: number | undefined) {
    this.options.vendorExtensionId = v;
  }

  /** OpenSession with transaction id 0, as gphoto2 and the standard do (§10.5.2). */
  async open(sessionId = 1, signal?: AbortSignal): Promise<void> {
    this.nextTid = 0;
    await this.transaction(Op.OpenSession, [sessionId], signal ? { signal } : {});
    this.sessionId = sessionId;
  }

  /** CloseSession; the transport stays open. */
  async closeSession(signal?: AbortSignal): Promise<void> {
    if (!this.isOpen) return;
    try {
      await this.transaction(Op.CloseSession, [], signal ? { signal } : {});
    } finally {
      this.sessionId = 0;
    }
  }

  /** CloseSession (best effort) and close the transport. */
  async close(): Promise<void> {
    if (this.closedWith !== null) return;
    if (this.isOpen && !this.pending)
      await this.closeSession().catch((e: unknown) => debug('CloseSession failed: %s', e));
    await this.transport.close();
  }

  /** Events as an async iterable; ends when the signal aborts or the session closes. */
  async *events(signal?: AbortSignal): AsyncGenerator<PtpContainer> {
    const ac = new AbortController();
    const onClosed = (): void => ac.abort();
    this.once('closed', onClosed);
    const abort = (): void => ac.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const [ev] of on(this, 'event', { signal: ac.signal })) yield ev as PtpContainer;
    } catch (e) {
      if (!(e instanceof Error && e.name === 'AbortError')) throw e;
    } finally {
      this.off('closed', onClosed);
      signal?.removeEventListener('abort', abort);
    }
  }

  /** Runs one transaction; queued behind any running one. */
  transaction(code: number, params: readonly number[] = [], opts: TransactionOptions = {}): Promise<TransactionResult> {
    if (params.length > 5)
      return Promise.reject(new InvalidOptionError('params', 'PTP operations take at most 5 parameters'));
    for (const p of params)
      if (!Number.isInteger(p) || p < 0 || p > 0xffffffff)
        return Promise.reject(new InvalidOptionError('params', `parameter out of u32 range: ${p}`));
    const run = this.queue.then(() => this.run(code, params, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private run(code: number, params: readonly number[], opts: TransactionOptions): Promise<TransactionResult> {
    if (this.closedWith !== null) return Promise.reject(new PtpClosedError(undefined, { cause: this.closedWith }));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
    const transactionId = this.nextTid;
    // Transaction ids count 1, 2, … after OpenSession's 0 and skip 0 and 0xFFFFFFFF on wrap.
    this.nextTid = this.nextTid >= 0xfffffffe ? 1 : this.nextTid + 1;
    return new Promise<TransactionResult>((resolve, reject) => {
      const p: Pending = {
        transactionId,
        code,
        opts,
        chunks: [],
        received: 0,
        total: undefined,
        sinkBusy: undefined,
        sinkError: undefined,
        timer: undefined,
        phase: 'command',
        paused: false,
        resolve: (r) => {
          this.finish(p);
          resolve(r);
        },
        reject: (e) => {
          this.finish(p);
          reject(e);
        },
      };
      this.pending = p;
      const onAbort = (): void => {
        if (this.pending !== p) return;
        // Tell the device, then give up on this transaction; late packets for it are dropped.
        this.transport.cancel(transactionId).catch((e: unknown) => debug('cancel failed: %s', e));
        p.reject(abortError(opts.signal as AbortSignal));
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const origFinish = p.resolve;
      const origReject = p.reject;
      p.resolve = (r) => {
        opts.signal?.removeEventListener('abort', onAbort);
        origFinish(r);
      };
      p.reject = (e) => {
        opts.signal?.removeEventListener('abort', onAbort);
        origReject(e);
      };
      this.arm(p, opts.commandTimeoutMs ?? this.options.commandTimeoutMs, 'command');
      const direction = opts.dataOut ? 'out' : 'none-or-in';
      debug('-> %s tid=%d params=%o', code.toString(16), transactionId, params);
      this.transport
        .sendCommand({ code, transactionId, params, direction })
        .then(async () => {
          const out = opts.dataOut;
          if (!out || this.pending !== p) return;
          p.phase = 'data';
          if (out instanceof Uint8Array)
            await this.transport.sendData(transactionId, BigInt(out.length), out, opts.signal);
          else await this.transport.sendData(transactionId, out.length, out.source, opts.signal);
          if (this.pending === p) this.arm(p, opts.commandTimeoutMs ?? this.options.commandTimeoutMs, 'command');
        })
        .catch((e: unknown) => {
          if (this.pending === p) p.reject(e);
        });
    });
  }

  private arm(p: Pending, ms: number, phase: PtpPhase): void {
    clearTimeout(p.timer);
    p.phase = phase;
    p.timer = setTimeout(() => {
      if (this.pending !== p) return;
      this.transport.cancel(p.transactionId).catch(() => undefined);
      p.reject(new PtpTimeoutError(phase, ms));
    }, ms);
  }

  private finish(p: Pending): void {
    clearTimeout(p.timer);
    if (p.paused) {
      // A sink that never drains (closed on abort) must not leave the connection paused.
      p.paused = false;
      this.transport.resume();
    }
    if (this.pending === p) this.pending = undefined;
  }

  private current(tid: number, what: string): Pending | undefined {
    const p = this.pending;
    if (!p || p.transactionId !== tid) {
      debug('dropping %s for transaction %d (current %s)', what, tid, p?.transactionId);
      return undefined;
    }
    return p;
  }

  private receiver(): PtpTransportReceiver {
    return {
      dataStart: (tid, total) => {
        const p = this.current(tid, 'StartData');
        if (!p) return;
        p.total = total;
        this.arm(p, this.options.dataTimeoutMs, 'data');
        const sink = p.opts.dataIn;
        if (sink === 'buffer' || sink === undefined) {
          if (total !== 0xffffffffffffffffn && total > BigInt(this.options.maxInMemoryData)) {
            this.transport.cancel(tid).catch(() => undefined);
            p.reject(
              new PtpLimitError(
                `data phase of ${total} bytes exceeds maxInMemoryData (${this.options.maxInMemoryData})`,
              ),
            );
          }
        } else if (sink.start) {
          this.track(p, sink.start(total));
        }
      },
      data: (tid, chunk) => {
        const p = this.current(tid, 'Data');
        if (!p) return;
        this.arm(p, this.options.dataTimeoutMs, 'data');
        p.received += chunk.length;
        if (p.total !== undefined && p.total !== 0xffffffffffffffffn && BigInt(p.received) > p.total) {
          p.reject(new PtpProtocolError(`device sent more data than announced (${p.received} > ${p.total})`));
          return;
        }
        const sink = p.opts.dataIn;
        if (sink === 'buffer' || sink === undefined) {
          if (p.received > this.options.maxInMemoryData) {
            p.reject(new PtpLimitError(`data phase exceeds maxInMemoryData (${this.options.maxInMemoryData})`));
            return;
          }
          p.chunks.push(chunk);
        } else {
          this.track(p, sink.write(chunk));
        }
      },
      dataEnd: (tid) => {
        const p = this.current(tid, 'EndData');
        if (p) this.arm(p, p.opts.commandTimeoutMs ?? this.options.commandTimeoutMs, 'command');
      },
      response: (r) => {
        const p = this.current(r.transactionId, 'Response');
        if (!p) return;
        debug('<- %s tid=%d params=%o', r.code.toString(16), r.transactionId, r.params);
        const settle = (): void => {
          if (this.pending !== p) return;
          if (p.sinkError !== undefined) return p.reject(p.sinkError);
          if (r.code !== Resp.OK && !p.opts.allowError) {
            return p.reject(new PtpResponseError(r.code, p.code, r.params, this.options.vendorExtensionId));
          }
          const result: TransactionResult = { response: r, dataLength: p.received };
          if (p.opts.dataIn === 'buffer' || (p.opts.dataIn === undefined && p.received > 0))
            result.data = concat(p.chunks, p.received);
          p.resolve(result);
        };
        // Let a sink finish its last write before the call resolves.
        if (p.sinkBusy) p.sinkBusy.then(settle, settle);
        else settle();
      },
      transactionFailed: (tid, error) => {
        const p = this.current(tid, 'transport failure');
        if (p) p.reject(error);
      },
      event: (e) => {
        debug('event %s params=%o', e.code.toString(16), e.params);
        this.emit('event', e);
      },
      closed: (error) => {
        this.closedWith = error;
        this.sessionId = 0;
        const p = this.pending;
        if (p)
          p.reject(new PtpClosedError(error ? `PTP connection lost: ${error.message}` : undefined, { cause: error }));
        this.emit('closed', error);
      },
    };
  }

  private track(p: Pending, r: void | Promise<void>): void {
    if (!r) return;
    // The write may have ended the transaction (an abort from a progress callback): never pause then.
    if (this.pending === p) {
      p.paused = true;
      this.transport.pause();
    }
    const chained = (p.sinkBusy ?? Promise.resolve()).then(() => r);
    p.sinkBusy = chained;
    chained.then(
      () => {
        if (p.sinkBusy === chained) {
          p.sinkBusy = undefined;
          if (p.paused) {
            p.paused = false;
            this.transport.resume();
          }
        }
      },
      (e: unknown) => {
        p.sinkError = e;
        if (p.paused) {
          p.paused = false;
          this.transport.resume();
        }
        if (this.pending === p) {
          this.transport.cancel(p.transactionId).catch(() => undefined);
          p.reject(e);
        }
      },
    );
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function positive(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw new InvalidOptionError(name, `must be a positive number, got ${v}`);
  return v;
}

/**
 * Writes PTP/IP packets to a socket with backpressure (docs/architecture.md: wait for `drain`), and sends a
 * whole data phase as StartData, Data…, EndData. Small phases go out in a single write so a
 * transaction costs one segment per direction even where Nagle is on (docs/ptp.md "Nagle").
 *
 * With `coalesceResponse` (the responder's command connection) the last packet of a data phase
 * is held corked until the current run of promise continuations is over, so the CmdResponse the
 * responder writes right after it leaves in the same writev: one system call and one segment
 * train per transaction instead of two. The hold never outlives that run (the cork is released on
 * the next tick whatever happens), so a response that takes longer does not delay the data.
 */
import type { Socket } from 'node:net';
import { PtpAbortError, PtpClosedError } from '../errors.js';
import { PacketType, encodeDataHeader, encodeStartData } from './packets.js';
import { InvalidOptionError } from '../../util/errors.js';

export interface PacketWriterOptions {
  /** Hold a data phase's last packet until the response written after it (see above). */
  coalesceResponse?: boolean;
}

export class PacketWriter {
  private readonly coalesce: boolean;
  private readonly uncork = (): void => {
    if (this.socket.writableCorked > 0) this.socket.uncork();
  };

  constructor(
    private readonly socket: Socket,
    options: PacketWriterOptions = {},
  ) {
    this.coalesce = options.coalesceResponse ?? false;
  }

  /** Writes buffers as one unit; resolves when the socket can take more. */
  async write(...parts: Uint8Array[]): Promise<void> {
    const s = this.socket;
    if (s.destroyed || !s.writable) throw new PtpClosedError('socket closed');
    let ok = true;
    if (parts.length === 1) ok = s.write(parts[0] as Uint8Array);
    else {
      s.cork();
      for (const p of parts) ok = s.write(p);
      s.uncork();
    }
    if (!ok) await this.drain();
  }

  private drain(): Promise<void> {
    const s = this.socket;
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        s.off('drain', onDrain);
        s.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new PtpClosedError('socket closed while writing'));
      s.on('drain', onDrain);
      s.on('close', onClose);
    });
  }

  /**
   * A data phase of exactly `total` bytes. Each source chunk becomes one Data packet (split at
   * `maxChunk`); the last one goes as EndData. A source that yields more or fewer bytes than
   * announced is a bug of the caller and rejects (the connection must then be dropped).
   *
   * Write pattern (for throughput, bench/ptp.bench.ts): StartData goes out together with the first packet, and
   * a phase that fits one packet is a single write of StartData + EndData + payload — gphoto2
   * fetches large files as 1 MiB GetPartialObject transactions, so per-transaction writes and
   * wake-ups, not bandwidth, bound its throughput. The last write does not wait for `drain`: the
   * response follows at once in the same flush, and memory stays bounded by that one packet.
   */
  async writeDataPhase(
    transactionId: number,
    total: number | bigint,
    source: Uint8Array | AsyncIterable<Uint8Array>,
    maxChunk: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const start = encodeStartData(transactionId, total);
    const expected = BigInt(total);
    if (source instanceof Uint8Array) {
      if (BigInt(source.length) !== expected)
        throw new InvalidOptionError('data', `data phase announced ${total} bytes, has ${source.length}`);
      if (source.length <= maxChunk) {
        this.writeNoWait(start, encodeDataHeader(PacketType.EndData, transactionId, source.length), source);
        return;
      }
      source = chunksOf(source, maxChunk);
    }
    let pendingStart: Uint8Array | undefined = start;
    let sent = 0n;
    let held: Uint8Array | undefined;
    for await (const raw of source) {
      if (signal?.aborted) throw new PtpAbortError({ cause: signal.reason });
      for (let at = 0; at < raw.length; at += maxChunk) {
        const piece = raw.subarray(at, Math.min(raw.length, at + maxChunk));
        if (held) {
          const header = encodeDataHeader(PacketType.Data, transactionId, held.length);
          if (pendingStart) await this.write(pendingStart, header, held);
          else await this.write(header, held);
          pendingStart = undefined;
        }
        held = piece;
        sent += BigInt(piece.length);
      }
    }
    if (sent !== expected)
      throw new InvalidOptionError('data', `data phase announced ${total} bytes, source gave ${sent}`);
    const last = held ?? new Uint8Array(0);
    const parts = [encodeDataHeader(PacketType.EndData, transactionId, last.length), last];
    this.writeNoWait(...(pendingStart ? [pendingStart, ...parts] : parts));
  }

  /**
   * Writes buffers as one unit without waiting for `drain` (the caller writes little after it).
   * With `coalesceResponse` the unit stays corked until the next tick: process.nextTick callbacks
   * run only once the microtask queue is empty, i.e. after the promise continuations that write
   * the CmdResponse (PtpResponderCore.handle), so both leave in one writev.
   */
  private writeNoWait(...parts: Uint8Array[]): void {
    const s = this.socket;
    if (s.destroyed || !s.writable) throw new PtpClosedError('socket closed');
    s.cork();
    for (const p of parts) s.write(p);
    if (this.coalesce) process.nextTick(this.uncork);
    else s.uncork();
  }
}

async function* chunksOf(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < b.length; at += size) yield b.subarray(at, at + size);
}

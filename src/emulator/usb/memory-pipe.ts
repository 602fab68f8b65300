/**
 * A device→host USB pipe (bulk or interrupt IN) in memory, with the transfer semantics of the real
 * bus, for the in-memory USB device of the tests and benchmarks:
 * - the device sends transfers: bytes, then the transfer's end — a short packet, or a zero-length
 *   packet (ZLP) when the transfer's length is a whole number of packets;
 * - a host read of `length` bytes (rounded up to whole packets, as node-usb-rs does) completes when
 *   it is full or when a short packet or ZLP arrives; bytes move into the pending read as they are
 *   sent, as the host controller does, so a read larger than the device's buffer never deadlocks;
 * - a read that is full exactly where a transfer ends leaves that transfer's ZLP for the next read,
 *   which then completes empty — the case hosts get wrong;
 * - the device's queue is bounded (`highWater`): `write()` waits while the host reads nothing, so a
 *   paused host stops the device (backpressure);
 * - halt (STALL), timeouts and disconnection fail reads the way node-usb-rs fails them.
 *
 * Bytes are handed to the host without copying when a read takes them from one write, else copied
 * once into a fresh buffer; a buffer handed over is never written again.
 */
import type { UsbInResult } from '../../ptp/usb/device.js';

/** How a stalled transfer is reported: node-usb-rs rejects, WebUSB resolves with status 'stall'. */
export type StallStyle = 'reject' | 'status';

/** Queued bytes, or the end of a transfer: a short packet's, or a zero-length packet. */
type Segment = { bytes: Uint8Array; at: number } | 'short' | 'zlp';

interface Read {
  length: number;
  size: number;
  parts: Uint8Array[];
  got: number;
  timer: NodeJS.Timeout | undefined;
  resolve(r: UsbInResult): void;
  reject(e: Error): void;
}

export class MemoryInPipe {
  private queue: Segment[] = [];
  private head = 0;
  private queued = 0;
  private reads: Read[] = [];
  private spaceWaiters: Array<() => void> = [];
  private halted = false;
  private gone: Error | undefined;
  /** Halts the pipe once this many more bytes have gone to the host (stall injection). */
  private haltAfter: { bytes: number; onHalt: () => void } | undefined;
  /** Bytes of the device transfer being written (to know whether it ends on a packet boundary). */
  private transferBytes = 0;
  /**
   * `zlps`: zero-length packets the host received (each ended a transfer); `emptyTransfers`: reads
   * that completed with no data (a ZLP left over from a read that was full); `maxQueued`: the most
   * bytes ever waiting in the device's queue (backpressure bounds it).
   */
  readonly stats = { transfers: 0, bytes: 0, zlps: 0, emptyTransfers: 0, shortTransfers: 0, maxQueued: 0 };

  constructor(
    /** For error messages, like node-usb-rs's "transferIn error: …". */
    private readonly op: string,
    readonly packetSize: number,
    private readonly highWater: number,
    private readonly stallStyle: StallStyle,
  ) {}

  get isHalted(): boolean {
    return this.halted;
  }

  // ─── device side ─────────────────────────────────────────────────────────────────────────────

  /** Queues bytes of the current transfer; resolves when the queue is below its high-water mark. */
  async write(bytes: Uint8Array): Promise<void> {
    this.check();
    if (bytes.length > 0) {
      this.queue.push({ bytes, at: 0 });
      this.queued += bytes.length;
      if (this.queued > this.stats.maxQueued) this.stats.maxQueued = this.queued;
      this.transferBytes += bytes.length;
      this.serve();
    }
    while (this.queued >= this.highWater) {
      await new Promise<void>((r) => this.spaceWaiters.push(r));
      this.check();
    }
  }

  /** Ends the current transfer: a short packet, or a ZLP when it filled its last packet. */
  endTransfer(): void {
    this.check();
    this.queue.push(this.transferBytes % this.packetSize === 0 ? 'zlp' : 'short');
    this.transferBytes = 0;
    this.serve();
  }

  /** Drops what the host has not read yet (a cancelled or failed transaction). */
  flush(): void {
    this.queue = [];
    this.head = 0;
    this.queued = 0;
    this.transferBytes = 0;
    this.wakeWriters();
  }

  /** STALL: pending and later reads fail until the host clears the halt. */
  halt(): void {
    this.halted = true;
    this.haltAfter = undefined;
    this.flush();
    for (const r of this.reads.splice(0)) this.fail(r, 'stall');
  }

  /** Halts after `bytes` more bytes reach the host (0: now); `onHalt` runs when it does. */
  haltAfterBytes(bytes: number, onHalt: () => void): void {
    if (bytes <= 0) {
      this.halt();
      onHalt();
    } else this.haltAfter = { bytes, onHalt };
  }

  /** CLEAR_FEATURE(ENDPOINT_HALT) from the host. */
  clearHalt(): void {
    this.halted = false;
  }

  /** The device is gone: every read and write fails from now on. */
  disconnect(error: Error): void {
    this.gone = error;
    this.flush();
    for (const r of this.reads.splice(0)) this.fail(r, 'gone');
  }

  /** The host closed the device: its pending reads end as cancelled transfers. */
  cancelReads(): void {
    for (const r of this.reads.splice(0)) this.fail(r, 'cancelled');
  }

  private check(): void {
    if (this.gone) throw this.gone;
  }

  private wakeWriters(): void {
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  // ─── host side ───────────────────────────────────────────────────────────────────────────────

  read(length: number, timeoutMs: number | undefined): Promise<UsbInResult> {
    return new Promise<UsbInResult>((resolve, reject) => {
      const size = Math.max(this.packetSize, Math.ceil(length / this.packetSize) * this.packetSize);
      const r: Read = { length, size, parts: [], got: 0, timer: undefined, resolve, reject };
      if (this.gone) return this.fail(r, 'gone');
      if (this.halted) return this.fail(r, 'stall');
      if (timeoutMs !== undefined && timeoutMs > 0) {
        // As nusb: on timeout the transfer is cancelled and what it had received is lost.
        r.timer = setTimeout(() => {
          const i = this.reads.indexOf(r);
          if (i >= 0) this.reads.splice(i, 1);
          this.fail(r, 'cancelled');
        }, timeoutMs);
      }
      this.reads.push(r);
      this.serve();
    });
  }

  private fail(r: Read, why: 'stall' | 'gone' | 'cancelled'): void {
    clearTimeout(r.timer);
    if (why === 'stall' && this.stallStyle === 'status') return r.resolve({ status: 'stall' });
    const name = why === 'stall' ? 'Stall' : why === 'gone' ? 'Disconnected' : 'Cancelled';
    r.reject(new Error(`${this.op} error: ${name}`));
  }

  /** Moves queued bytes into pending reads, completing those that are full or met a transfer's end. */
  private serve(): void {
    while (this.reads.length > 0 && this.head < this.queue.length) {
      const r = this.reads[0] as Read;
      const seg = this.queue[this.head] as Segment;
      if (seg === 'zlp' || seg === 'short') {
        this.head++;
        if (seg === 'zlp') this.stats.zlps++;
        // A short packet's bytes are already in this read (reads start on packet boundaries).
        if (seg === 'zlp' || r.got > 0) this.complete(r, true);
        continue;
      }
      const n = Math.min(r.size - r.got, seg.bytes.length - seg.at);
      r.parts.push(seg.bytes.subarray(seg.at, seg.at + n));
      r.got += n;
      seg.at += n;
      this.queued -= n;
      if (seg.at === seg.bytes.length) this.head++;
      if (this.haltAfter) {
        this.haltAfter.bytes -= n;
        if (this.haltAfter.bytes <= 0) {
          const h = this.haltAfter;
          this.reads.shift();
          clearTimeout(r.timer);
          this.stats.transfers++;
          this.stats.bytes += r.got;
          r.resolve(this.result(r));
          this.halt();
          h.onHalt();
          return;
        }
      }
      if (r.got === r.size) this.complete(r, false);
    }
    if (this.head > 1024 || this.head === this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.queued < this.highWater) this.wakeWriters();
  }

  private complete(r: Read, short: boolean): void {
    this.reads.shift();
    clearTimeout(r.timer);
    this.stats.transfers++;
    this.stats.bytes += r.got;
    if (r.got === 0) this.stats.emptyTransfers++;
    else if (short) this.stats.shortTransfers++;
    r.resolve(this.result(r));
  }

  private result(r: Read): UsbInResult {
    let bytes: Uint8Array;
    if (r.parts.length === 1) bytes = r.parts[0] as Uint8Array;
    else {
      bytes = new Uint8Array(r.got);
      let at = 0;
      for (const p of r.parts) {
        bytes.set(p, at);
        at += p.length;
      }
    }
    // node-usb-rs truncates what arrived beyond the length asked for (whole packets were read).
    if (bytes.length > r.length) bytes = bytes.subarray(0, r.length);
    return { status: 'ok', data: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }
}

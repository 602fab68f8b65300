/**
 * PTP over USB: a {@link PtpTransport} on a {@link UsbDeviceLike} (the `usb` package's UsbDevice,
 * or the in-memory device of the tests). It claims the camera's PTP interface (class 6/1/1),
 * carries the session's containers on the bulk pipes, reads events from the interrupt pipe, and
 * speaks the class requests of the USB still-image class (Cancel 0x64, DeviceReset 0x66,
 * GetDeviceStatus 0x67).
 *
 * Bulk IN is read only while a transaction waits for its response: a PTP device never sends on it
 * unasked. Reads ask for `readSize` bytes (whole packets); a transfer that comes back shorter ended
 * with a short or zero-length packet. Pausing (a slow sink) simply issues no further read, so the
 * camera's buffer fills and it waits — backpressure down to the cable. A read that times out while
 * the camera is still working is issued again; node-usb-rs drops what a timed-out transfer had
 * received, so the timeout (`timeoutMs`) is kept well above any pause inside a data phase.
 *
 * Bulk OUT: every transfer but the last of a container is a whole number of packets (a short packet
 * ends the container for the device), and a container ending on a packet boundary is followed by a
 * zero-length packet (libgphoto2's ptp_usb_senddata does the same).
 *
 * Tracing: `NODE_DEBUG=camctl:ptpusb` logs every transfer, class request and recovery.
 *
 * @example
 * const transport = await PtpUsbTransport.open(device, { timeoutMs: 5000 });
 * const session = new PtpSession(transport);
 * await session.open();
 */
import { debuglog } from 'node:util';
import { Resp } from '../codes.js';
import { PtpWriter } from '../codec.js';
import { PtpAbortError, PtpClosedError, PtpProtocolError, PtpTimeoutError } from '../errors.js';
import type { PtpCommand, PtpTransport, PtpTransportReceiver } from '../transport.js';
import {
  ContainerType,
  PtpUsbParser,
  encodeCommandContainer,
  encodeDataHeader,
  CONTAINER_HEADER_SIZE,
  type UsbParsedItem,
} from './container.js';
import {
  UsbPtpRequest,
  isPtpInterface,
  type UsbDeviceLike,
  type UsbEndpointLike,
  type UsbInResult,
  type UsbInterfaceLike,
  type UsbOutResult,
} from './device.js';
import { PtpUsbBusyError, PtpUsbStallError, PtpUsbUnavailableError, UDEV_HINT, usbFailureKind } from './errors.js';
import { InvalidOptionError } from '../../util/errors.js';
import { wallClock } from '../../util/clock.js';

const debug = debuglog('camctl:ptpusb');

/** The event code a Cancel request carries (§5.2.1). */
const CANCEL_CODE = 0x4001;

/** How {@link PtpUsbClient.open} claims the camera. */
export interface PtpUsbOpenOptions {
  /** The PTP interface to claim. Default: the first interface of class 6/1/1. */
  interfaceNumber?: number;
  /**
   * Time for one USB operation, ms (a bulk write, a class request). An idle bulk read that times
   * out is simply issued again while its transaction waits (a THETA stitches for seconds before
   * answering InitiateCapture): the session's own timeouts decide when to give up. Default 5 000.
   */
  timeoutMs?: number;
  /** Bytes asked for per bulk-in transfer, rounded up to whole packets. Default 1 MiB. */
  readSize?: number;
  /** Bytes per bulk-out transfer, rounded down to whole packets. Default 1 MiB. */
  writeSize?: number;
  /** How long one interrupt read waits before it is issued again, ms (bounds close()). Default 500. */
  eventPollMs?: number;
  signal?: AbortSignal;
}

/** A decoded GetDeviceStatus answer: a response code and the endpoint addresses to un-halt. */
export interface UsbDeviceStatus {
  code: number;
  params: number[];
}

interface Endpoints {
  bulkIn: UsbEndpointLike;
  bulkOut: UsbEndpointLike;
  interrupt: UsbEndpointLike | undefined;
}

/** The bulk-in reader of one transaction, from its command (or data-out phase) to its response. */
interface Reading {
  transactionId: number;
  /** Cancelled or failed: its results are dropped and it ends at the next settled transfer. */
  stopped: boolean;
  done: Promise<void>;
}

const address = (ep: UsbEndpointLike): number => (ep.direction === 'in' ? 0x80 : 0) | ep.endpointNumber;
const roundUp = (n: number, packet: number): number => Math.max(packet, Math.ceil(n / packet) * packet);
const bytesOf = (r: UsbInResult): Uint8Array =>
  r.data ? new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) : new Uint8Array(0);

export class PtpUsbTransport implements PtpTransport {
  private receiver: PtpTransportReceiver | undefined;
  private readonly parser = new PtpUsbParser((item) => this.onBulkItem(item));
  private readonly eventParser = new PtpUsbParser((item) => this.onEventItem(item));
  private reading: Reading | undefined;
  /** A Cancel or a stall recovery in progress: the next command waits for it. */
  private busy: Promise<void> = Promise.resolve();
  /** The operation code of the command whose data-out phase comes next (its data container repeats it). */
  private outCode: { transactionId: number; code: number } | undefined;
  /** The last transaction cancelled: a late start of its reader or of its data phase is skipped. */
  private cancelledTid: number | undefined;
  /** Transaction of the data container being received. */
  private dataTid = 0;
  private paused = false;
  private wake: (() => void) | undefined;
  private closed = false;
  private reported = false;
  private readonly readSize: number;
  private readonly writeSize: number;

  private constructor(
    readonly device: UsbDeviceLike,
    readonly interfaceNumber: number,
    private readonly ep: Endpoints,
    private readonly timeoutMs: number,
    private readonly eventPollMs: number,
    opts: PtpUsbOpenOptions,
  ) {
    const packet = ep.bulkIn.packetSize;
    this.readSize = roundUp(opts.readSize ?? 1024 * 1024, packet);
    this.writeSize = Math.max(
      ep.bulkOut.packetSize,
      Math.floor((opts.writeSize ?? 1024 * 1024) / ep.bulkOut.packetSize) * ep.bulkOut.packetSize,
    );
  }

  /** Opens the device, claims its PTP interface (detaching a kernel driver first) and starts the event reader. */
  static async open(device: UsbDeviceLike, opts: PtpUsbOpenOptions = {}): Promise<PtpUsbTransport> {
    for (const key of ['timeoutMs', 'eventPollMs', 'readSize', 'writeSize'] as const) {
      const v = opts[key];
      if (v !== undefined && !(Number.isFinite(v) && v > 0))
        throw new InvalidOptionError(key, `must be a positive number, got ${v}`);
    }
    const timeoutMs = opts.timeoutMs ?? 5_000;
    const eventPollMs = opts.eventPollMs ?? 500;
    const signal = opts.signal;
    const check = (): void => {
      if (signal?.aborted) throw new PtpAbortError({ cause: signal.reason });
    };
    const name = `USB device ${hex4(device.vendorId)}:${hex4(device.productId)}`;
    check();
    if (!device.opened) {
      try {
        await device.open();
      } catch (e) {
        throw openError(name, e);
      }
    }
    let claimed: number | undefined;
    try {
      check();
      if (!device.configuration) await device.selectConfiguration(1);
      const config = device.configuration;
      if (!config) throw new PtpProtocolError(`${name} has no active configuration`);
      const iface = pickInterface(config.interfaces, opts.interfaceNumber, name);
      const ep = endpointsOf(iface, name);
      // Linux binds no kernel driver to class 6, but a usbfs claim by another program looks the
      // same as a driver to us: detach quietly, the claim below tells the two apart.
      await device
        .detachKernelDriver?.(iface.interfaceNumber)
        .catch((e: unknown) => debug('detachKernelDriver(%d): %s', iface.interfaceNumber, e));
      check();
      try {
        await device.claimInterface(iface.interfaceNumber);
      } catch (e) {
        const kind = usbFailureKind(e);
        if (kind === 'busy' || kind === 'permission') throw new PtpUsbBusyError(iface.interfaceNumber, { cause: e });
        throw e;
      }
      claimed = iface.interfaceNumber;
      check();
      debug(
        'claimed %s interface %d: bulk in 0x%s out 0x%s interrupt %s, %d-byte packets',
        name,
        claimed,
        address(ep.bulkIn).toString(16),
        address(ep.bulkOut).toString(16),
        ep.interrupt ? `0x${address(ep.interrupt).toString(16)}` : 'none',
        ep.bulkIn.packetSize,
      );
      const t = new PtpUsbTransport(device, iface.interfaceNumber, ep, timeoutMs, eventPollMs, opts);
      t.startEvents();
      return t;
    } catch (e) {
      if (claimed !== undefined) await device.releaseInterface(claimed).catch(() => undefined);
      await device.close().catch(() => undefined);
      throw e;
    }
  }

  setReceiver(receiver: PtpTransportReceiver): void {
    this.receiver = receiver;
  }

  /** Packet size of the bulk pipes (512 at high speed). */
  get packetSize(): number {
    return this.ep.bulkIn.packetSize;
  }

  async sendCommand(c: PtpCommand): Promise<void> {
    await this.busy;
    this.ensureOpen();
    // Transaction ids start again at 0 with each OpenSession: this one is new, whatever its id.
    if (this.cancelledTid === c.transactionId) this.cancelledTid = undefined;
    this.outCode = c.direction === 'out' ? { transactionId: c.transactionId, code: c.code } : undefined;
    await this.write(encodeCommandContainer(c.code, c.transactionId, c.params));
    // With a data-out phase the response comes after it (sendData starts the reader then).
    if (c.direction !== 'out') this.startReading(c.transactionId);
  }

  async sendData(
    transactionId: number,
    totalLength: bigint,
    source: Uint8Array | AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<void> {
    this.ensureOpen();
    const out = this.outCode;
    if (!out || out.transactionId !== transactionId) throw new PtpProtocolError('data phase without its command');
    this.outCode = undefined;
    const packet = this.ep.bulkOut.packetSize;
    const containerLength = Number(totalLength) + CONTAINER_HEADER_SIZE;
    // Transfers of `writeSize` bytes (whole packets) gathered from header + source, then the rest;
    // each in a buffer of its own size (the device side may keep what it was given).
    let unstaged = containerLength;
    const stage = (): Uint8Array => {
      const size = Math.min(this.writeSize, unstaged);
      unstaged -= size;
      return new Uint8Array(size);
    };
    let staged = stage();
    let fill = 0;
    let sent = 0n;
    const put = async (bytes: Uint8Array): Promise<void> => {
      let at = 0;
      while (at < bytes.length) {
        const n = Math.min(bytes.length - at, staged.length - fill);
        staged.set(bytes.subarray(at, at + n), fill);
        fill += n;
        at += n;
        if (fill === staged.length) {
          await this.write(staged);
          staged = stage();
          fill = 0;
        }
      }
    };
    await put(encodeDataHeader(out.code, transactionId, totalLength));
    const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
    for await (const chunk of chunks) {
      if (signal?.aborted || this.cancelledTid === transactionId) throw new PtpAbortError({ cause: signal?.reason });
      sent += BigInt(chunk.length);
      if (sent > totalLength)
        throw new InvalidOptionError('data', `data phase announced ${totalLength} bytes, source gave more`);
      await put(chunk);
    }
    if (sent !== totalLength)
      throw new InvalidOptionError('data', `data phase announced ${totalLength} bytes, source gave ${sent}`);
    // Ends on a packet boundary: only a zero-length packet tells the device the container is whole.
    if (containerLength % packet === 0) await this.write(new Uint8Array(0));
    this.startReading(transactionId);
  }

  /**
   * Cancel request (0x64) for a transaction, then GetDeviceStatus until the device is ready again,
   * clearing the halts it reports (§5.2.1). Whatever the device had queued for the transaction is
   * dropped; the next command waits until this is over.
   */
  cancel(transactionId: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.cancelledTid = transactionId;
    const r = this.reading;
    if (r?.transactionId === transactionId) r.stopped = true;
    const run = async (): Promise<void> => {
      if (this.closed) return;
      debug('Cancel transaction %d', transactionId);
      const payload = new PtpWriter(6).u16(CANCEL_CODE).u32(transactionId).finish();
      await this.classOut(UsbPtpRequest.Cancel, payload).catch((e: unknown) => debug('Cancel request failed: %s', e));
      await this.waitReady();
      if (r?.transactionId === transactionId) await r.done;
      if (this.reading === r && r?.transactionId === transactionId) this.reading = undefined;
      this.parser.reset();
    };
    return this.serialize(run);
  }

  /** GetDeviceStatus (0x67): the device's state as a response code, and the endpoints it has halted. */
  async deviceStatus(): Promise<UsbDeviceStatus> {
    this.ensureOpen();
    const r = await this.guard(
      this.device.controlTransferIn(this.setup(UsbPtpRequest.GetDeviceStatus), 32, this.timeoutMs),
    );
    if (r.status !== 'ok') throw new PtpProtocolError(`GetDeviceStatus answered ${r.status}`);
    const b = bytesOf(r);
    if (b.length < 4) throw new PtpProtocolError(`GetDeviceStatus answer of ${b.length} bytes`);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const length = Math.min(v.getUint16(0, true), b.length);
    const params: number[] = [];
    for (let at = 4; at + 4 <= length; at += 4) params.push(v.getUint32(at, true));
    return { code: v.getUint16(2, true), params };
  }

  /**
   * DeviceReset (0x66): the device drops its session and any transaction, and clears its halts.
   * The session must be opened again afterwards.
   */
  reset(): Promise<void> {
    this.ensureOpen();
    if (this.reading) this.reading.stopped = true;
    const r = this.reading;
    return this.serialize(async () => {
      debug('DeviceReset');
      await this.classOut(UsbPtpRequest.DeviceReset);
      await this.waitReady();
      if (r) await r.done;
      if (this.reading === r) this.reading = undefined;
      this.parser.reset();
    });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    if (this.reading) this.reading.stopped = true;
    await this.device.releaseInterface(this.interfaceNumber).catch((e: unknown) => debug('releaseInterface: %s', e));
    await this.device.close().catch((e: unknown) => debug('close: %s', e));
    this.report(undefined);
  }

  // ─── bulk pipes ────────────────────────────────────────────────────────────────────────────────

  private ensureOpen(): void {
    if (this.closed) throw new PtpClosedError();
  }

  private serialize(fn: () => Promise<void>): Promise<void> {
    const p = this.busy.then(fn, fn);
    this.busy = p.catch(() => undefined);
    return p;
  }

  /** One bulk-out transfer; a stall is recovered (and thrown), a vanished device closes the transport. */
  private async write(bytes: Uint8Array): Promise<void> {
    const ep = this.ep.bulkOut;
    debug('bulk out %d bytes', bytes.length);
    let r: UsbOutResult;
    try {
      r = await this.device.transferOut(ep.endpointNumber, bytes, this.timeoutMs);
    } catch (e) {
      const kind = usbFailureKind(e);
      if (kind === 'stall') throw await this.recoverStall(ep, e);
      if (kind === 'timeout') throw new PtpTimeoutError('data', this.timeoutMs);
      throw this.lost(e);
    }
    if (r.status === 'stall') throw await this.recoverStall(ep, undefined);
    if (r.bytesWritten !== bytes.length)
      throw new PtpProtocolError(`bulk out wrote ${r.bytesWritten} of ${bytes.length} bytes`);
  }

  private startReading(transactionId: number): void {
    // Cancelled while its command or data was going out: nothing will answer it.
    if (this.cancelledTid === transactionId) return;
    const r: Reading = { transactionId, stopped: false, done: Promise.resolve() };
    // Never two reads on bulk IN: one still pending would take the next transaction's bytes.
    const previous = this.reading;
    if (previous) previous.stopped = true;
    this.reading = r;
    r.done = previous ? previous.done.then(() => this.readLoop(r)) : this.readLoop(r);
  }

  private async readLoop(r: Reading): Promise<void> {
    const ep = this.ep.bulkIn;
    while (!this.closed && !r.stopped && this.reading === r) {
      while (this.paused && !this.closed && !r.stopped) await new Promise<void>((resolve) => (this.wake = resolve));
      if (this.closed || r.stopped) return;
      let result: UsbInResult;
      try {
        result = await this.device.transferIn(ep.endpointNumber, this.readSize, this.timeoutMs);
      } catch (e) {
        if (this.closed || r.stopped) return;
        const kind = usbFailureKind(e);
        // Idle while the camera works on the command: ask again (the session times out, not us).
        if (kind === 'timeout') continue;
        if (kind === 'stall') return this.failTransaction(r, await this.recoverStall(ep, e));
        this.lost(e);
        return;
      }
      if (this.closed || r.stopped) return;
      if (result.status === 'stall') return this.failTransaction(r, await this.recoverStall(ep, undefined));
      const bytes = bytesOf(result);
      if (result.status === 'babble') {
        this.lost(
          new PtpProtocolError(`babble on bulk in after ${bytes.length} bytes (the device sent more than asked)`),
        );
        return;
      }
      debug('bulk in %d bytes', bytes.length);
      try {
        this.parser.push(bytes);
        // Shorter than asked: it ended with a short or zero-length packet.
        if (bytes.length < this.readSize) this.parser.transferEnd();
      } catch (e) {
        this.lost(e);
        return;
      }
    }
  }

  private onBulkItem(item: UsbParsedItem): void {
    const rx = this.receiver;
    switch (item.kind) {
      case 'data-start':
        this.dataTid = item.transactionId;
        rx?.dataStart(
          item.transactionId,
          item.payloadLength === undefined ? 0xffffffffffffffffn : BigInt(item.payloadLength),
        );
        return;
      case 'data-chunk':
        rx?.data(this.dataTid, item.chunk);
        return;
      case 'data-end':
        rx?.dataEnd(item.transactionId);
        return;
      case 'container': {
        const c = item.container;
        if (c.type === ContainerType.Response) {
          // Only this transaction's response ends its reader; a stray one (a late answer to a
          // cancelled transaction) is passed on and dropped by the session.
          if (this.reading?.transactionId === c.transactionId) this.reading = undefined;
          rx?.response({ code: c.code, transactionId: c.transactionId, params: c.params });
        } else if (c.type === ContainerType.Event) {
          rx?.event({ code: c.code, transactionId: c.transactionId, params: c.params });
        } else {
          this.lost(new PtpProtocolError('the device sent a command container'));
        }
        return;
      }
    }
  }

  private failTransaction(r: Reading, error: Error): void {
    r.stopped = true;
    if (this.reading === r) this.reading = undefined;
    if (this.closed) return;
    if (this.receiver?.transactionFailed) this.receiver.transactionFailed(r.transactionId, error);
    // A receiver that cannot lose one transaction loses the connection instead.
    else this.lost(error);
  }

  // ─── stalls and class requests ───────────────────────────────────────────────────────────────

  /**
   * A stalled endpoint (§5.2.2): ask the device why, clear every halt it names (and the one that
   * stalled), wait until it is ready, forget the partial container. Returns the error to report.
   */
  private async recoverStall(ep: UsbEndpointLike, cause: unknown): Promise<Error> {
    const stalled = address(ep);
    debug('endpoint 0x%s stalled', stalled.toString(16));
    let status: UsbDeviceStatus | undefined;
    try {
      status = await this.deviceStatus();
    } catch (e) {
      debug('GetDeviceStatus after a stall failed: %s', e);
    }
    const halted = new Set([stalled, ...(status?.params ?? [])]);
    for (const a of halted) await this.clearHalt(a);
    await this.waitReady().catch((e: unknown) => debug('device not ready after a stall: %s', e));
    this.parser.reset();
    const reason = status && status.code !== Resp.OK ? status.code : undefined;
    return new PtpUsbStallError(stalled, reason, { cause });
  }

  private async clearHalt(addr: number): Promise<void> {
    const direction = addr & 0x80 ? 'in' : 'out';
    debug('clearHalt %s %d', direction, addr & 0x0f);
    await this.guard(this.device.clearHalt(direction, addr & 0x0f)).catch((e: unknown) => {
      if (e instanceof PtpClosedError) throw e;
      debug('clearHalt 0x%s failed: %s', addr.toString(16), e);
    });
  }

  /** GetDeviceStatus until OK, clearing the halts reported; bounded by `timeoutMs`. */
  private async waitReady(): Promise<void> {
    const deadline = wallClock.now() + this.timeoutMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      let status: UsbDeviceStatus;
      try {
        status = await this.deviceStatus();
      } catch (e) {
        // A device that does not implement GetDeviceStatus: nothing more to wait for.
        if (e instanceof PtpClosedError) throw e;
        debug('GetDeviceStatus failed: %s', e);
        return;
      }
      debug('device status 0x%s %o', status.code.toString(16), status.params);
      for (const a of status.params) await this.clearHalt(a);
      if (status.code === Resp.OK) return;
      if (wallClock.now() > deadline) throw new PtpTimeoutError('command', this.timeoutMs);
      await wallClock.sleep(delay);
    }
  }

  private setup(request: number): {
    requestType: 'class';
    recipient: 'interface';
    request: number;
    value: number;
    index: number;
  } {
    return { requestType: 'class', recipient: 'interface', request, value: 0, index: this.interfaceNumber };
  }

  private async classOut(request: number, data?: Uint8Array): Promise<void> {
    this.ensureOpen();
    const r = await this.guard(
      this.device.controlTransferOut(this.setup(request), data ?? new Uint8Array(0), this.timeoutMs),
    );
    if (r.status !== 'ok') throw new PtpProtocolError(`class request 0x${request.toString(16)} answered ${r.status}`);
  }

  /** A USB call whose failure because the device vanished closes the transport. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (usbFailureKind(e) === 'disconnected') throw this.lost(e);
      throw e;
    }
  }

  // ─── events ──────────────────────────────────────────────────────────────────────────────────

  private startEvents(): void {
    const ep = this.ep.interrupt;
    if (!ep) return;
    void (async () => {
      while (!this.closed) {
        let result: UsbInResult;
        try {
          // One packet per read: an event container (≤ 24 bytes) spans several packets on devices
          // with 8- or 16-byte interrupt packets, and the parser joins them.
          result = await this.device.transferIn(ep.endpointNumber, ep.packetSize, this.eventPollMs);
        } catch (e) {
          if (this.closed) return;
          const kind = usbFailureKind(e);
          if (kind === 'timeout') continue;
          if (kind === 'stall') {
            await this.clearHalt(address(ep)).catch(() => undefined);
            continue;
          }
          this.lost(e);
          return;
        }
        if (this.closed) return;
        if (result.status === 'stall') {
          await this.clearHalt(address(ep)).catch(() => undefined);
          continue;
        }
        const bytes = bytesOf(result);
        try {
          this.eventParser.push(bytes);
        } catch (e) {
          // One garbled interrupt packet must not cost the session: drop it and go on.
          debug('bad event container: %s', e);
          this.eventParser.reset();
        }
      }
    })();
  }

  private onEventItem(item: UsbParsedItem): void {
    if (item.kind === 'container' && item.container.type === ContainerType.Event) {
      const c = item.container;
      debug('event 0x%s %o', c.code.toString(16), c.params);
      this.receiver?.event({ code: c.code, transactionId: c.transactionId, params: c.params });
    } else if (item.kind !== 'data-chunk') {
      debug('ignoring a %s on the interrupt pipe', item.kind);
    }
  }

  // ─── the end ─────────────────────────────────────────────────────────────────────────────────

  /** The device is gone (or broke the protocol beyond repair): close and tell the session. */
  private lost(e: unknown): Error {
    const error =
      e instanceof PtpProtocolError || e instanceof PtpClosedError
        ? e
        : new PtpClosedError(
            usbFailureKind(e) === 'disconnected'
              ? `the camera left the USB bus (unplugged, switched off or reset): ${e instanceof Error ? e.message : String(e)}`
              : `USB transfer failed: ${e instanceof Error ? e.message : String(e)}`,
            { cause: e },
          );
    if (!this.closed) {
      this.closed = true;
      if (this.reading) this.reading.stopped = true;
      this.wake?.();
      void this.device.close().catch(() => undefined);
    }
    this.report(error);
    return error;
  }

  private report(error: Error | undefined): void {
    if (this.reported) return;
    this.reported = true;
    if (error) debug('transport closed: %s', error.message);
    this.receiver?.closed(error);
  }
}

function pickInterface(
  interfaces: readonly UsbInterfaceLike[],
  wanted: number | undefined,
  name: string,
): UsbInterfaceLike {
  if (wanted !== undefined) {
    const found = interfaces.find((i) => i.interfaceNumber === wanted);
    if (!found) throw new PtpProtocolError(`${name} has no interface ${wanted}`);
    return found;
  }
  const found = interfaces.find((i) => isPtpInterface(i.alternate));
  if (!found) throw new PtpProtocolError(`${name} has no PTP interface (class 6, subclass 1, protocol 1)`);
  return found;
}

function endpointsOf(iface: UsbInterfaceLike, name: string): Endpoints {
  const eps = iface.alternate.endpoints;
  const bulkIn = eps.find((e) => e.type === 'bulk' && e.direction === 'in');
  const bulkOut = eps.find((e) => e.type === 'bulk' && e.direction === 'out');
  const interrupt = eps.find((e) => e.type === 'interrupt' && e.direction === 'in');
  if (!bulkIn || !bulkOut)
    throw new PtpProtocolError(`${name} interface ${iface.interfaceNumber} lacks a bulk in/out endpoint pair`);
  return { bulkIn, bulkOut, interrupt };
}

function openError(name: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  switch (usbFailureKind(e)) {
    case 'permission':
      return new PtpUsbUnavailableError('permission', `no permission to open ${name} (${msg}): ${UDEV_HINT}`, {
        cause: e,
      });
    case 'busy':
      return new PtpUsbBusyError(0, { cause: e });
    case 'disconnected':
      return new PtpClosedError(`${name} left the USB bus before it could be opened (${msg})`, { cause: e });
    default:
      return new PtpClosedError(`cannot open ${name}: ${msg}`, { cause: e });
  }
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

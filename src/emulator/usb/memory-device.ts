/**
 * An emulated USB PTP camera, in memory: a {@link UsbDeviceLike} whose device side is a
 * {@link PtpResponderCore} over a {@link PtpResponderBackend} (the emulated Sequoia or THETA), as
 * the tests' in-memory transport wires it, but through the bus the way a camera sees it: one PTP
 * interface (class 6/1/1) with bulk IN, bulk OUT and interrupt IN endpoints of real packet sizes,
 * transfers that end with a short or zero-length packet (memory-pipe.ts), the class requests
 * (Cancel, GetDeviceStatus, DeviceReset), and failures shaped as node-usb-rs reports them. This
 * machine and CI have no USB bus; this is the layer under which the transport is tested honestly.
 *
 * Like a camera, it keeps its PTP session when the host lets go of the interface: only
 * CloseSession, DeviceReset or unplugging end it (a program that died leaves it open).
 *
 * The device is strict where a real one is: a data-out container must end with a short packet or a
 * ZLP (else the device keeps waiting for the rest, as its USB controller would), and a transfer
 * that ends inside a container stalls bulk OUT.
 *
 * Fault injection, on the returned object:
 * - `stall(endpoint, { afterBytes, status })`: the device halts `'bulk-in'` (after `afterBytes`
 *   more bytes reach the host), `'bulk-out'` (at the host's next write) or `'interrupt'`; the running
 *   transaction is abandoned (no response) and GetDeviceStatus reports `status` (default
 *   IncompleteTransfer) with the halted endpoint until the host clears it.
 * - `unplug()`: the device leaves the bus: pending and later transfers fail with
 *   "… error: Disconnected", opening it fails.
 * - `holdInterface(true)`: another program has claimed the interface (gvfs): claimInterface fails
 *   with "interface is busy (os error 16)", as nusb says it.
 * - `denyOpen(true)`: no permission: open() fails with "Permission denied (os error 13)".
 * - `stats`: transfers, bytes, zero-length packets per endpoint, class requests, cleared halts.
 *
 * @example
 * const device = createMemoryUsbDevice(new SequoiaPtpBackend(seq), { vendorId: 0x19cf, productId: 0x0001 });
 * const client = await PtpUsbClient.open(device);
 */
import { Resp } from '../../ptp/codes.js';
import { PtpReader, PtpWriter } from '../../ptp/codec.js';
import { PtpAbortError } from '../../ptp/errors.js';
import type { PtpResponderBackend } from '../../ptp/backend.js';
import { PtpResponderCore } from '../../ptp/responder.js';
import type { PtpCommand } from '../../ptp/transport.js';
import {
  PtpUsbParser,
  encodeDataHeader,
  encodeEventContainer,
  encodeResponseContainer,
  type UsbParsedItem,
} from '../../ptp/usb/container.js';
import {
  PTP_INTERFACE,
  UsbPtpRequest,
  type UsbConfigurationLike,
  type UsbControlSetup,
  type UsbDeviceLike,
  type UsbDirection,
  type UsbEndpointLike,
  type UsbInResult,
  type UsbOutResult,
} from '../../ptp/usb/device.js';
import { MemoryInPipe, type StallStyle } from './memory-pipe.js';

export interface MemoryUsbDeviceOptions {
  /** Default 0x19cf (Parrot); the THETA S is 0x05ca:0x0366. */
  vendorId?: number;
  productId?: number;
  manufacturerName?: string | null;
  productName?: string | null;
  serialNumber?: string | null;
  /** Bus id as node-usb-rs gives it on Linux. Default "001". */
  bus?: string;
  /** Device number on the bus. Default 2. */
  address?: number;
  interfaceNumber?: number;
  /** Bulk packet size: 512 at high speed (default), 64 at full speed. */
  packetSize?: number;
  /** Interrupt packet size. Default 64. */
  interruptPacketSize?: number;
  /** Bytes the device queues on bulk IN before it waits for the host. Default 2 MiB. */
  bufferSize?: number;
  /** How stalls are reported: 'reject' as node-usb-rs (default), 'status' as WebUSB. */
  stallStyle?: StallStyle;
}

export type MemoryEndpointName = 'bulk-in' | 'bulk-out' | 'interrupt';

export interface MemoryUsbDevice extends UsbDeviceLike {
  readonly bus: string;
  readonly address: number;
  /** Halts an endpoint (see the module comment). */
  stall(endpoint: MemoryEndpointName, opts?: { afterBytes?: number; status?: number }): void;
  /** The device leaves the bus. */
  unplug(): void;
  /** Another program holds (true) or releases (false) the PTP interface. */
  holdInterface(held: boolean): void;
  /** Opening fails for lack of permission (true) or not (false). */
  denyOpen(denied: boolean): void;
  /** Endpoints currently halted, as addresses (0x81 bulk IN, 0x02 bulk OUT, 0x83 interrupt). */
  readonly halted: readonly number[];
  readonly stats: {
    bulkIn: MemoryInPipe['stats'];
    interrupt: MemoryInPipe['stats'];
    bulkOut: { transfers: number; bytes: number; zlps: number };
    /** Class requests received, in order (0x64 Cancel, 0x66 DeviceReset, 0x67 GetDeviceStatus). */
    requests: number[];
    clearedHalts: number[];
  };
}

const EP_IN = 1;
const EP_OUT = 2;
const EP_INT = 3;
const ADDR_IN = 0x80 | EP_IN;
const ADDR_OUT = EP_OUT;
const ADDR_INT = 0x80 | EP_INT;

export function createMemoryUsbDevice(
  backend: PtpResponderBackend,
  opts: MemoryUsbDeviceOptions = {},
): MemoryUsbDevice {
  const iface = opts.interfaceNumber ?? 0;
  const packet = opts.packetSize ?? 512;
  const stallStyle = opts.stallStyle ?? 'reject';
  const bulkIn = new MemoryInPipe('transferIn', packet, opts.bufferSize ?? 2 * 1024 * 1024, stallStyle);
  const interrupt = new MemoryInPipe('transferIn', opts.interruptPacketSize ?? 64, Infinity, stallStyle);
  const endpoints: UsbEndpointLike[] = [
    { endpointNumber: EP_IN, direction: 'in', type: 'bulk', packetSize: packet },
    { endpointNumber: EP_OUT, direction: 'out', type: 'bulk', packetSize: packet },
    { endpointNumber: EP_INT, direction: 'in', type: 'interrupt', packetSize: opts.interruptPacketSize ?? 64 },
  ];
  let opened = false;
  let claimed = false;
  let held = false;
  let openDenied = false;
  let gone: Error | undefined;
  let outHalted = false;
  /** GetDeviceStatus's code while an endpoint is halted. */
  let haltStatus: number = Resp.IncompleteTransfer;
  const stats: MemoryUsbDevice['stats'] = {
    bulkIn: bulkIn.stats,
    interrupt: interrupt.stats,
    bulkOut: { transfers: 0, bytes: 0, zlps: 0 },
    requests: [],
    clearedHalts: [],
  };

  // ─── the device side: containers in, the responder core, containers out ─────────────────────

  /** The running transaction; `abandoned` once cancelled or stalled (its answers are dropped). */
  let running: { tid: number; code: number; abandoned: boolean; done: Promise<void> } | undefined;
  /** A command waiting for its data-out container, and that container's bytes. */
  let awaitingData: { cmd: PtpCommand; parts: Uint8Array[]; complete: boolean } | undefined;

  const core = (): PtpResponderCore =>
    new PtpResponderCore(backend, {
      async sendData(tid, total, chunks, signal) {
        const r = running;
        if (!r || r.tid !== tid || r.abandoned) throw new PtpAbortError();
        await bulkIn.write(encodeDataHeader(r.code, tid, total));
        if (chunks instanceof Uint8Array) await bulkIn.write(chunks);
        else {
          for await (const c of chunks) {
            if (signal.aborted || r.abandoned) throw new PtpAbortError();
            await bulkIn.write(c);
          }
        }
        if (r.abandoned) throw new PtpAbortError();
        bulkIn.endTransfer();
      },
      async sendResponse(resp) {
        // A cancelled or stalled transaction gets no response phase (USB still-image class §5.2.1).
        if (running?.tid === resp.transactionId && running.abandoned) return;
        if (gone) return;
        await bulkIn.write(encodeResponseContainer(resp.code, resp.transactionId, resp.params));
        bulkIn.endTransfer();
      },
      sendEvent(ev) {
        // Nobody polls the interrupt pipe while no host holds the interface: the event is lost.
        if (gone || !claimed || interrupt.isHalted) return;
        void interrupt.write(encodeEventContainer(ev.code, ev.transactionId, ev.params)).then(
          () => interrupt.endTransfer(),
          () => undefined,
        );
      },
    });
  let responder = core();

  const run = (cmd: PtpCommand, data?: Uint8Array): void => {
    const r = { tid: cmd.transactionId, code: cmd.code, abandoned: false, done: Promise.resolve() };
    running = r;
    r.done = responder
      .handle(cmd, data)
      .catch(() => undefined)
      .finally(() => {
        if (running === r) running = undefined;
      });
  };

  /** The running transaction is given up (Cancel, stall, reset): no more data, no response. */
  const abandon = (): Promise<void> => {
    const r = running;
    awaitingData = undefined;
    parser.reset();
    if (!r) return Promise.resolve();
    r.abandoned = true;
    responder.cancel(r.tid);
    bulkIn.flush();
    return r.done;
  };

  const onItem = (item: UsbParsedItem): void => {
    if (outHalted) return;
    switch (item.kind) {
      case 'container': {
        const c = item.container;
        if (c.type !== 1 || running || awaitingData) return haltOut();
        const cmd: PtpCommand = {
          code: c.code,
          transactionId: c.transactionId,
          params: c.params,
          direction: 'none-or-in',
        };
        if (responder.acceptsDataOut(c.code))
          awaitingData = { cmd: { ...cmd, direction: 'out' }, parts: [], complete: false };
        else run(cmd);
        return;
      }
      case 'data-start':
        if (!awaitingData || awaitingData.cmd.transactionId !== item.transactionId) haltOut();
        return;
      case 'data-chunk':
        // The host may reuse its buffer once the transfer is done: keep a copy, as a device's RAM does.
        awaitingData?.parts.push(item.chunk.slice());
        return;
      case 'data-end':
        if (awaitingData) awaitingData.complete = true;
        return;
    }
  };
  const parser = new PtpUsbParser(onItem);

  /** The device refuses what the host sent: halt bulk OUT, forget the transaction. */
  const haltOut = (): void => {
    outHalted = true;
    haltStatus = Resp.IncompleteTransfer;
    void abandon();
  };

  const onOut = (bytes: Uint8Array): void => {
    try {
      parser.push(bytes);
    } catch {
      return haltOut();
    }
    // A transfer ends with a short packet or a ZLP; only then is a container known to be whole.
    if (bytes.length % packet !== 0 || bytes.length === 0) {
      const d = awaitingData;
      if (d?.complete) {
        awaitingData = undefined;
        run(d.cmd, Buffer.concat(d.parts));
      } else if (!parser.idle) haltOut();
    }
  };

  // ─── class requests ──────────────────────────────────────────────────────────────────────────

  const halted = (): number[] => [
    ...(bulkIn.isHalted ? [ADDR_IN] : []),
    ...(outHalted ? [ADDR_OUT] : []),
    ...(interrupt.isHalted ? [ADDR_INT] : []),
  ];

  const deviceStatus = (): Uint8Array => {
    const eps = halted();
    // Halted endpoints first (with why), then busy while an abandoned operation winds down.
    const code = eps.length > 0 ? haltStatus : running?.abandoned ? Resp.DeviceBusy : Resp.OK;
    const w = new PtpWriter(4 + 4 * eps.length).u16(4 + 4 * eps.length).u16(code);
    for (const a of eps) w.u32(a);
    return w.finish();
  };

  const cancel = (data: Uint8Array | undefined): boolean => {
    if (!data || data.length !== 6) return false;
    const r = new PtpReader(data);
    if (r.u16() !== 0x4001) return false;
    const tid = r.u32();
    const matches = running?.tid === tid || awaitingData?.cmd.transactionId === tid;
    if (!matches) return true;
    // Stop the data phase and halt bulk IN so the host's pending read ends (§5.2.1); busy until
    // the operation has wound down.
    haltStatus = Resp.TransactionCancelled;
    void abandon();
    bulkIn.halt();
    return true;
  };

  const deviceReset = (): void => {
    void abandon();
    responder.close();
    responder = core();
    bulkIn.flush();
    bulkIn.clearHalt();
    interrupt.clearHalt();
    outHalted = false;
  };

  const checkSetup = (setup: UsbControlSetup): boolean =>
    setup.requestType === 'class' && setup.recipient === 'interface' && setup.index === iface;

  // ─── the UsbDeviceLike face ──────────────────────────────────────────────────────────────────

  const disconnected = (op: string): Error => new Error(`${op} error: Disconnected`);
  const mustBeClaimed = (op: string): void => {
    if (gone) throw disconnected(op);
    if (!opened || !claimed) throw new Error(`${op} error: endpoint not found`);
  };
  const configuration: UsbConfigurationLike = {
    configurationValue: 1,
    interfaces: [
      {
        interfaceNumber: iface,
        get claimed() {
          return claimed;
        },
        alternate: {
          alternateSetting: 0,
          interfaceClass: PTP_INTERFACE.class,
          interfaceSubclass: PTP_INTERFACE.subclass,
          interfaceProtocol: PTP_INTERFACE.protocol,
          endpoints,
        },
      },
    ],
  };
  const afterHostGone = (): void => {
    // The host let go of the interface. Unlike a PTP/IP connection this does not end the PTP
    // session: a camera keeps it until CloseSession, DeviceReset or power-off, so a program that
    // died leaves it open for the next one (which answers SessionAlreadyOpen). Only the transfer
    // in progress and the events nobody reads are dropped.
    void abandon();
    bulkIn.cancelReads();
    interrupt.cancelReads();
    interrupt.flush();
  };

  const device: MemoryUsbDevice = {
    vendorId: opts.vendorId ?? 0x19cf,
    productId: opts.productId ?? 0x0001,
    manufacturerName: opts.manufacturerName ?? null,
    productName: opts.productName ?? null,
    serialNumber: opts.serialNumber ?? null,
    bus: opts.bus ?? '001',
    address: opts.address ?? 2,
    get opened() {
      return opened;
    },
    configuration,
    get halted() {
      return halted();
    },
    stats,

    async open() {
      if (gone) throw new Error('open error: device disconnected');
      if (openDenied) throw new Error('open error: Permission denied (os error 13)');
      opened = true;
    },
    async close() {
      if (claimed) afterHostGone();
      opened = false;
      claimed = false;
    },
    async selectConfiguration(value) {
      if (value !== 1) throw new Error('selectConfiguration error: configuration not found');
    },
    async claimInterface(n) {
      if (gone) throw new Error('claimInterface error: device disconnected');
      if (!opened) throw new Error('claimInterface error: invalid state');
      if (n !== iface) throw new Error('claimInterface error: interface not found (os error 2)');
      if (held) throw new Error('claimInterface error: interface is busy (os error 16)');
      claimed = true;
    },
    async releaseInterface(n) {
      if (n !== iface || !claimed) throw new Error('releaseInterface error: not claimed');
      afterHostGone();
      claimed = false;
    },
    async detachKernelDriver() {
      if (!opened) throw new Error('detachKernelDriver error: invalid state');
      // No kernel driver binds class 6 on Linux: nusb reports ENODATA.
      throw new Error('detachKernelDriver error: No data available (os error 61)');
    },
    transferIn(ep, length, timeout) {
      try {
        mustBeClaimed('transferIn');
      } catch (e) {
        return Promise.reject(e as Error);
      }
      if (ep === EP_IN) return bulkIn.read(length, timeout);
      if (ep === EP_INT) return interrupt.read(length, timeout);
      return Promise.reject(new Error('transferIn error: endpoint not found'));
    },
    async transferOut(ep, data): Promise<UsbOutResult> {
      mustBeClaimed('transferOut');
      if (ep !== EP_OUT) throw new Error('transferOut error: endpoint not found');
      if (outHalted) {
        if (stallStyle === 'status') return { status: 'stall', bytesWritten: 0 };
        throw new Error('transferOut error: Stall');
      }
      stats.bulkOut.transfers++;
      stats.bulkOut.bytes += data.length;
      if (data.length === 0) stats.bulkOut.zlps++;
      onOut(data);
      return { status: 'ok', bytesWritten: data.length };
    },
    async controlTransferIn(setup, length): Promise<UsbInResult> {
      if (gone) throw new Error('controlTransferIn error: device disconnected');
      if (!claimed) throw new Error('controlTransferIn error: invalid state');
      stats.requests.push(setup.request);
      if (!checkSetup(setup) || setup.request !== UsbPtpRequest.GetDeviceStatus)
        throw new Error('controlTransferIn error: endpoint stalled');
      const b = deviceStatus().subarray(0, length);
      return { status: 'ok', data: new DataView(b.buffer, b.byteOffset, b.byteLength) };
    },
    async controlTransferOut(setup, data): Promise<UsbOutResult> {
      if (gone) throw new Error('controlTransferOut error: device disconnected');
      if (!claimed) throw new Error('controlTransferOut error: invalid state');
      stats.requests.push(setup.request);
      let ok = false;
      if (checkSetup(setup) && setup.request === UsbPtpRequest.Cancel) ok = cancel(data);
      else if (checkSetup(setup) && setup.request === UsbPtpRequest.DeviceReset) {
        deviceReset();
        ok = true;
      }
      if (!ok) throw new Error('controlTransferOut error: endpoint stalled');
      return { status: 'ok', bytesWritten: data?.length ?? 0 };
    },
    async clearHalt(direction: UsbDirection, ep: number) {
      if (gone) throw new Error('clearHalt error: device disconnected');
      const addr = (direction === 'in' ? 0x80 : 0) | ep;
      stats.clearedHalts.push(addr);
      if (addr === ADDR_IN) bulkIn.clearHalt();
      else if (addr === ADDR_OUT) outHalted = false;
      else if (addr === ADDR_INT) interrupt.clearHalt();
      else throw new Error('clearHalt error: endpoint not found');
    },
    async reset() {
      if (gone) throw new Error('reset error: device disconnected');
      deviceReset();
    },

    stall(endpoint, o = {}) {
      haltStatus = o.status ?? Resp.IncompleteTransfer;
      if (endpoint === 'bulk-in') bulkIn.haltAfterBytes(o.afterBytes ?? 0, () => void abandon());
      else if (endpoint === 'interrupt') interrupt.halt();
      else {
        outHalted = true;
        void abandon();
      }
    },
    unplug() {
      if (gone) return;
      gone = new Error('device disconnected');
      for (const p of [bulkIn, interrupt]) p.disconnect(disconnected('transferIn'));
      void abandon();
      responder.close();
    },
    holdInterface(h) {
      held = h;
    },
    denyOpen(d) {
      openDenied = d;
    },
  };
  return device;
}

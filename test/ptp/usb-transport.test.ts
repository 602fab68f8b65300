/**
 * PtpUsbTransport one layer above the bus (testing without a USB bus): the in-memory USB
 * camera (real packet sizes, short packets and ZLPs, class requests, node-usb-rs's failures) with
 * the emulated Sequoia and THETA behind it. Data phases ending exactly on a packet boundary in both
 * directions, data split over many transfers, backpressure, events on the interrupt pipe, Cancel
 * in the middle of a GetObject, stalled endpoints, a device unplugged mid-transfer, a claimed
 * interface, and discovery over a made-up device list.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SequoiaDevice } from '../../src/devices/sequoia/device.js';
import { ThetaDevice } from '../../src/devices/theta/device.js';
import { SequoiaPtpBackend } from '../../src/emulator/sequoia/ptp-face.js';
import { ThetaPtpBackend } from '../../src/emulator/theta/ptp-face.js';
import type { PtpResponderBackend } from '../../src/ptp/backend.js';
import { Ev, Op, Resp } from '../../src/ptp/codes.js';
import { PtpAbortError, PtpClosedError } from '../../src/ptp/errors.js';
import { PtpUsbClient, type PtpUsbClientOptions } from '../../src/ptp/usb/client.js';
import type { UsbDeviceLike } from '../../src/ptp/usb/device.js';
import { findPtpUsbCameras, parseBusId } from '../../src/ptp/usb/discovery.js';
import { PtpUsbBusyError, PtpUsbStallError, PtpUsbUnavailableError } from '../../src/ptp/usb/errors.js';
import {
  createMemoryUsbDevice,
  type MemoryUsbDevice,
  type MemoryUsbDeviceOptions,
} from '../../src/emulator/usb/memory-device.js';
import { nextEvent } from './next-event.js';

// The `usb` package's device is a UsbDeviceLike as it is, without a cast (checked by tsc; a type
// query, so the package is not loaded).
type RealUsbDevice = Awaited<ReturnType<(typeof import('usb'))['usb']['getDevices']>>[number];
export const realDeviceFits = (d: RealUsbDevice): UsbDeviceLike => d;

const MiB = 1024 * 1024;
const ECHO = 0x9f01;
const SLOW = 0x9f02;

let dir: string;
let seq: SequoiaDevice;
let backend: SequoiaPtpBackend;
/** Test-only operations on top of the Sequoia: ECHO returns its data-out phase, SLOW answers late. */
let testBackend: PtpResponderBackend;
const files = new Map<string, Buffer>();
const handles = new Map<string, number>();
const open: PtpUsbClient[] = [];

async function addFile(name: string, size: number): Promise<void> {
  const bytes = randomBytes(size);
  await seq.medium('internal').writeFile('0100', name, bytes);
  files.set(name, bytes);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-usb-'));
  seq = await SequoiaDevice.open({ dataDir: path.join(dir, 'seq') });
  backend = new SequoiaPtpBackend(seq);
  testBackend = Object.assign(Object.create(backend) as SequoiaPtpBackend, {
    deviceInfo: () => ({
      ...backend.deviceInfo(),
      operationsSupported: [...backend.deviceInfo().operationsSupported, ECHO, SLOW],
    }),
    acceptsDataOut: (code: number) => code === ECHO,
    vendorOperation: async (code: number, params: readonly number[], dataOut: Uint8Array | undefined) => {
      if (code === ECHO) return { params: [dataOut?.length ?? 0], data: dataOut ?? new Uint8Array(0) };
      if (code === SLOW) {
        await new Promise((r) => setTimeout(r, params[0] ?? 0));
        return { params: [1] };
      }
      return backend.vendorOperation(code, params);
    },
  });
  await seq.medium('internal').ensureFolder('0100');
  // 12-byte header + payload: 20 packets exactly; exactly one 1 MiB read; one byte past a packet.
  await addFile('PKT.TIF', 20 * 512 - 12);
  await addFile('MIB.TIF', MiB - 12);
  await addFile('ODD.TIF', 20 * 512 - 11);
  await addFile('BIG.TIF', 24 * MiB + 77);
  const c = await usbClient();
  for (const h of await c.getObjectHandles(0x00010001, 0, 0)) {
    const info = await c.getObjectInfo(h);
    if (files.has(info.filename)) handles.set(info.filename, h);
  }
  await c.close();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
});
afterAll(async () => {
  backend?.close();
  await seq?.close();
  await rm(dir, { recursive: true, force: true });
});

async function usbClient(
  deviceOpts: MemoryUsbDeviceOptions = {},
  clientOpts: PtpUsbClientOptions = {},
): Promise<PtpUsbClient & { usb: MemoryUsbDevice }> {
  const usb = createMemoryUsbDevice(testBackend, {
    vendorId: 0x19cf,
    productId: 0x0001,
    manufacturerName: 'Parrot',
    productName: 'Sequoia',
    ...deviceOpts,
  });
  const c = await PtpUsbClient.open(usb, { eventPollMs: 50, ...clientOpts });
  open.push(c);
  return Object.assign(c, { usb });
}

const handle = (name: string): number => handles.get(name) as number;
const same = (a: Uint8Array, name: string): boolean => Buffer.from(a).equals(files.get(name) as Buffer);

describe('PTP over USB: packets and zero-length packets', () => {
  it('a data phase ending on a packet boundary is closed by a ZLP; one byte more is not', async () => {
    const c = await usbClient();
    const zlps = (): number => c.usb.stats.bulkIn.zlps;
    let before = zlps();
    expect(same(await c.getObject(handle('PKT.TIF')), 'PKT.TIF')).toBe(true);
    expect(zlps() - before).toBe(1);
    before = zlps();
    expect(same(await c.getObject(handle('ODD.TIF')), 'ODD.TIF')).toBe(true);
    expect(zlps() - before).toBe(0);
    // The container fills the 1 MiB read exactly: its ZLP arrives as a read of its own.
    before = zlps();
    const transfers = c.usb.stats.bulkIn.transfers;
    const empty = c.usb.stats.bulkIn.emptyTransfers;
    expect(same(await c.getObject(handle('MIB.TIF')), 'MIB.TIF')).toBe(true);
    expect(zlps() - before).toBe(1);
    expect(c.usb.stats.bulkIn.emptyTransfers - empty).toBe(1);
    expect(c.usb.stats.bulkIn.transfers - transfers).toBe(3); // data, ZLP, response
    expect((await c.getDeviceInfo()).model).toBe('Sequoia');
  });

  it('data split over many small transfers, both ways, with packet-aligned writes and a ZLP out', async () => {
    const c = await usbClient({}, { readSize: 4096, writeSize: 4096, commandTimeoutMs: 3000 });
    const transfers = c.usb.stats.bulkIn.transfers;
    expect(same(await c.getObject(handle('BIG.TIF')), 'BIG.TIF')).toBe(true);
    expect(c.usb.stats.bulkIn.transfers - transfers).toBeGreaterThan((24 * MiB) / 4096);
    for (const size of [500, 1012, 4096 * 3 - 12, 100_003]) {
      const data = randomBytes(size);
      const zlpsOut = c.usb.stats.bulkOut.zlps;
      const r = await c.session.transaction(ECHO, [], { dataOut: data, dataIn: 'buffer' });
      expect(r.response.params[0]).toBe(size);
      expect(Buffer.from(r.data!).equals(data)).toBe(true);
      // The device waits for the end of a transfer: a container on a packet boundary needs a ZLP.
      expect(c.usb.stats.bulkOut.zlps - zlpsOut).toBe((size + 12) % 512 === 0 ? 1 : 0);
    }
  });

  it('fast-check: any packet, read, write and buffer sizes carry any data phase byte-exact both ways', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(8, 64, 512),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.array(fc.integer({ min: 0, max: 12_000 }), { minLength: 1, maxLength: 4 }),
        async (packetSize, readSize, writeSize, bufferSize, sizes) => {
          const c = await usbClient({ packetSize, bufferSize }, { readSize, writeSize, commandTimeoutMs: 3000 });
          for (const size of sizes) {
            const data = randomBytes(size);
            const r = await c.session.transaction(ECHO, [], { dataOut: data, dataIn: 'buffer' });
            expect(r.response.params[0]).toBe(size);
            expect(Buffer.from(r.data ?? new Uint8Array(0)).equals(data)).toBe(true);
          }
          await c.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a host write that ends a transfer inside a container stalls bulk OUT (the device is strict)', async () => {
    const usb = createMemoryUsbDevice(testBackend);
    await usb.open();
    await usb.claimInterface(0);
    // A data container announced as 1000 bytes, cut short by a short packet.
    await usb.transferOut(2, Uint8Array.of(0x10, 0, 0, 0, 1, 0, 0x02, 0x10, 0, 0, 0, 0, 1, 0, 0, 0));
    await usb.transferOut(
      2,
      Buffer.concat([Buffer.from([0xe8, 0x03, 0, 0, 2, 0, 0x01, 0x9f, 1, 0, 0, 0]), Buffer.alloc(100)]),
    );
    expect(usb.halted).toEqual([0x02]);
    await expect(usb.transferOut(2, Uint8Array.of(1))).rejects.toThrow('transferOut error: Stall');
    await usb.close();
  });

  it('a slow sink holds the device back: its queue stays bounded and the bytes arrive intact', async () => {
    const c = await usbClient({ bufferSize: 256 * 1024 });
    let got = 0;
    const parts: Buffer[] = [];
    await c.session.transaction(Op.GetObject, [handle('BIG.TIF')], {
      dataIn: {
        write: async (chunk) => {
          parts.push(Buffer.from(chunk));
          got += chunk.length;
          if (got % (4 * MiB) < chunk.length) await new Promise((r) => setTimeout(r, 20));
        },
      },
    });
    expect(Buffer.concat(parts).equals(files.get('BIG.TIF')!)).toBe(true);
    // At most the device's buffer plus the one block it was writing when the host stopped reading.
    expect(c.usb.stats.bulkIn.maxQueued).toBeLessThanOrEqual(256 * 1024 + MiB + 12);
  });

  it('a camera that answers after many read timeouts is waited for (the session times out, not the transport)', async () => {
    const c = await usbClient({}, { timeoutMs: 40 });
    const r = await c.session.transaction(SLOW, [400]);
    expect(r.response).toMatchObject({ code: Resp.OK, params: [1] });
    expect(c.usb.stats.bulkIn.transfers).toBeGreaterThan(0);
  });
});

describe('PTP over USB: events on the interrupt pipe', () => {
  it('with 8-byte interrupt packets an event spans several reads and still arrives whole', async () => {
    const c = await usbClient({ interruptPacketSize: 8 });
    const changed = nextEvent(c, (e) => e.code === Ev.DevicePropChanged && e.params[0] === 0xd219);
    seq.setConfig({ overlap_param: 65 });
    expect((await changed).params[0]).toBe(0xd219);
    // The 16-byte container (one parameter) in two full 8-byte packets, then the ZLP that ends it.
    expect(c.usb.stats.interrupt.transfers).toBeGreaterThanOrEqual(3);
    expect(c.usb.stats.interrupt.zlps).toBeGreaterThanOrEqual(1);
  });
});

describe('PTP over USB: events on the interrupt pipe (the emulated THETA S)', () => {
  let theta: ThetaDevice;
  let thetaBackend: ThetaPtpBackend;
  beforeAll(async () => {
    theta = await ThetaDevice.open({ dataDir: path.join(dir, 'theta'), shotProcessingMs: 100 });
    thetaBackend = new ThetaPtpBackend(theta);
  });
  afterAll(async () => {
    thetaBackend?.close();
    await theta?.close();
  });

  it('InitiateCapture → ObjectAdded with the new handle, then the picture downloads', async () => {
    const usb = createMemoryUsbDevice(thetaBackend, {
      vendorId: 0x05ca,
      productId: 0x0366,
      manufacturerName: 'Ricoh Company, Ltd.',
      productName: 'RICOH THETA S',
      serialNumber: '00010093',
    });
    const c = await PtpUsbClient.open(usb, { eventPollMs: 50 });
    open.push(c);
    expect(c.deviceInfo).toMatchObject({
      manufacturer: 'Ricoh Company, Ltd.',
      model: 'RICOH THETA S',
      vendorExtensionId: 6,
    });
    theta.setOptions({ captureMode: 'image' });
    const added = nextEvent(c, (e) => e.code === Ev.ObjectAdded);
    await c.initiateCapture();
    const ev = await added;
    expect(usb.stats.interrupt.transfers).toBeGreaterThan(0);
    const info = await c.getObjectInfo(ev.params[0]!);
    expect(info.filename).toMatch(/^R\d{7}\.JPG$/);
    const bytes = await c.getObject(ev.params[0]!);
    expect(bytes.length).toBe(info.compressedSize);
    expect(Buffer.from(bytes.subarray(0, 2)).toString('hex')).toBe('ffd8');
  });
});

describe('PTP over USB: Cancel, stalls, unplugging', () => {
  it('Cancel in the middle of a GetObject: the class requests go out, the halt is cleared, the session carries on', async () => {
    const c = await usbClient();
    const ac = new AbortController();
    const file = path.join(dir, 'cancelled.tif');
    const p = c.downloadObject(handle('BIG.TIF'), file, {
      signal: ac.signal,
      onProgress: (d) => d > 2 * MiB && ac.abort(),
    });
    await expect(p).rejects.toBeInstanceOf(PtpAbortError);
    expect(c.usb.stats.requests).toContain(0x64);
    expect(c.usb.stats.requests).toContain(0x67);
    // The next transaction is byte-exact: nothing of the cancelled one is left in the pipe.
    expect(same(await c.getObject(handle('PKT.TIF')), 'PKT.TIF')).toBe(true);
    expect(c.usb.stats.clearedHalts).toContain(0x81);
    expect(c.usb.halted).toEqual([]);
    await c.downloadObject(handle('BIG.TIF'), file);
    expect((await readFile(file)).equals(files.get('BIG.TIF')!)).toBe(true);
  });

  it('a transaction that times out is cancelled; the device winds it down and the next one works', async () => {
    const c = await usbClient();
    await expect(c.session.transaction(SLOW, [600], { commandTimeoutMs: 150 })).rejects.toMatchObject({
      code: 'ERR_CAMCTL_PTP_TIMEOUT',
      phase: 'command',
    });
    expect(c.usb.stats.requests).toContain(0x64);
    expect(await c.getStorageIds()).toEqual([0x00010001, 0x00020001]);
    expect(same(await c.getObject(handle('ODD.TIF')), 'ODD.TIF')).toBe(true);
  });

  it('aborted during a data-out phase: the rest is not sent, the device drops the container, the next one works', async () => {
    const c = await usbClient({}, { writeSize: 4096 });
    const ac = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        if (i === 3) ac.abort();
        yield randomBytes(1000);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const sent = c.usb.stats.bulkOut.bytes;
    await expect(
      c.session.transaction(ECHO, [], { dataOut: { length: 100_000n, source: slow() }, signal: ac.signal }),
    ).rejects.toBeInstanceOf(PtpAbortError);
    expect(c.usb.stats.bulkOut.bytes - sent).toBeLessThan(10_000);
    const data = randomBytes(3000);
    const r = await c.session.transaction(ECHO, [], { dataOut: data, dataIn: 'buffer' });
    expect(Buffer.from(r.data!).equals(data)).toBe(true);
    expect(c.usb.halted).toEqual([]);
  });

  for (const stallStyle of ['reject', 'status'] as const) {
    it(`a bulk IN stall mid-transfer (${stallStyle === 'reject' ? 'node-usb-rs rejects' : 'WebUSB status'}) fails that transaction only`, async () => {
      const c = await usbClient({ stallStyle });
      c.usb.stall('bulk-in', { afterBytes: 3 * MiB });
      const err = await c.getObject(handle('BIG.TIF')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PtpUsbStallError);
      expect(err).toMatchObject({
        code: 'ERR_CAMCTL_PTP_USB_STALL',
        endpoint: 0x81,
        deviceStatus: Resp.IncompleteTransfer,
      });
      expect((err as Error).message).toMatch(/stalled USB endpoint 0x81 .*IncompleteTransfer/);
      expect(c.usb.stats.clearedHalts).toContain(0x81);
      expect(c.usb.halted).toEqual([]);
      expect(same(await c.getObject(handle('BIG.TIF')), 'BIG.TIF')).toBe(true);
      expect(c.session.isOpen).toBe(true);
    });
  }

  it('a bulk OUT stall fails the command; an interrupt stall is cleared and events flow again', async () => {
    const c = await usbClient();
    c.usb.stall('bulk-out', { status: Resp.GeneralError });
    await expect(c.getStorageIds()).rejects.toMatchObject({
      code: 'ERR_CAMCTL_PTP_USB_STALL',
      endpoint: 0x02,
      deviceStatus: Resp.GeneralError,
    });
    expect(await c.getStorageIds()).toEqual([0x00010001, 0x00020001]);
    c.usb.stall('interrupt');
    const added = nextEvent(c, (e) => e.code === Ev.ObjectAdded);
    await c.initiateCapture();
    await added;
    expect(c.usb.stats.clearedHalts).toContain(0x83);
  });

  it('unplugged mid-transfer: a clear error, no hang, later calls fail at once', async () => {
    const c = await usbClient();
    const closed = new Promise<Error | undefined>((r) => c.session.once('closed', r));
    const p = c.downloadObject(handle('BIG.TIF'), path.join(dir, 'unplugged.tif'), {
      onProgress: (d) => d > MiB && c.usb.unplug(),
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PtpClosedError);
    expect((err as Error).message).toMatch(/left the USB bus.*Disconnected/);
    expect(await closed).toBeInstanceOf(PtpClosedError);
    await expect(c.getDeviceInfo()).rejects.toBeInstanceOf(PtpClosedError);
    await c.close();
    await expect(PtpUsbClient.open(c.usb)).rejects.toBeInstanceOf(PtpClosedError);
  });

  it('unplugged while idle: the event reader notices and the session closes', async () => {
    const c = await usbClient();
    const closed = new Promise<Error | undefined>((r) => c.session.once('closed', r));
    c.usb.unplug();
    expect((await closed)?.message).toMatch(/left the USB bus/);
  });

  it('DeviceReset drops the session; a new one opens', async () => {
    const c = await usbClient();
    await c.transport.reset();
    expect(c.usb.stats.requests).toContain(0x66);
    await expect(c.getStorageIds()).rejects.toMatchObject({ responseCode: Resp.SessionNotOpen });
    await c.session.open();
    expect(await c.transport.deviceStatus()).toEqual({ code: Resp.OK, params: [] });
    expect(await c.getStorageIds()).toHaveLength(2);
  });
});

describe('PTP over USB: opening and discovery', () => {
  it('an interface held by another program (gvfs) is a PtpUsbBusyError that says what to do', async () => {
    const usb = createMemoryUsbDevice(testBackend);
    usb.holdInterface(true);
    const err = await PtpUsbClient.open(usb).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PtpUsbBusyError);
    expect(err).toMatchObject({ code: 'ERR_CAMCTL_PTP_USB_BUSY', interfaceNumber: 0 });
    expect((err as Error).message).toContain('gio mount -s gphoto2');
    expect((err as Error).message).toContain('gvfs-gphoto2-volume-monitor');
    expect(((err as Error).cause as Error).message).toMatch(/interface is busy/);
    expect(usb.opened).toBe(false);
    usb.holdInterface(false);
    const c = await PtpUsbClient.open(usb);
    expect(c.deviceInfo?.model).toBe('Sequoia');
    await c.close();
  });

  it('a session left open by a program that died (the camera keeps it) is closed and opened again', async () => {
    const usb = createMemoryUsbDevice(testBackend);
    const first = await PtpUsbClient.open(usb);
    await first.transport.close(); // released without CloseSession
    const requests = usb.stats.requests.length;
    const second = await PtpUsbClient.open(usb);
    open.push(second);
    expect(second.session.isOpen).toBe(true);
    expect(await second.getStorageIds()).toHaveLength(2);
    expect(usb.stats.requests.length).toBe(requests); // no DeviceReset needed
  });

  it('no permission to open: PtpUsbUnavailableError with a udev rule', async () => {
    const usb = createMemoryUsbDevice(testBackend);
    usb.denyOpen(true);
    const err = await PtpUsbClient.open(usb).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_CAMCTL_PTP_USB_UNAVAILABLE', reason: 'permission' });
    expect((err as Error).message).toContain('ID_USB_INTERFACES');
  });

  it('finds class 6/1/1 interfaces only, with bus and address as lsusb numbers them', async () => {
    const theta = createMemoryUsbDevice(testBackend, {
      vendorId: 0x05ca,
      productId: 0x0366,
      productName: 'RICOH THETA S',
      serialNumber: '00010093',
      bus: '003',
      address: 9,
      interfaceNumber: 0,
    });
    const seqUsb = createMemoryUsbDevice(testBackend, { vendorId: 0x19cf, productId: 0x0001, bus: '001', address: 4 });
    const alt = (cls: number, sub: number, proto: number) => ({
      alternateSetting: 0,
      interfaceClass: cls,
      interfaceSubclass: sub,
      interfaceProtocol: proto,
      endpoints: [],
    });
    const fake = (over: Partial<UsbDeviceLike>): UsbDeviceLike => ({ ...seqUsb, ...over }) as UsbDeviceLike;
    const massStorage = fake({
      vendorId: 0x0781,
      productId: 0x5567,
      bus: '002',
      address: 3,
      configuration: {
        configurationValue: 1,
        interfaces: [{ interfaceNumber: 0, claimed: false, alternate: alt(8, 6, 0x50) }],
      },
    });
    const mtpOnSecond = fake({
      vendorId: 0x04e8,
      productId: 0x6860,
      bus: '002',
      address: 5,
      configuration: {
        configurationValue: 1,
        interfaces: [
          { interfaceNumber: 0, claimed: false, alternate: alt(0xff, 0, 0) },
          { interfaceNumber: 1, claimed: false, alternate: alt(6, 1, 1) },
        ],
      },
    });
    // node-usb-rs opens the device to read descriptors: without permission the getter throws.
    const locked = (vendorId: number, productId: number): UsbDeviceLike =>
      Object.defineProperty(fake({ vendorId, productId, bus: '003', address: 11 }), 'configuration', {
        get: () => {
          throw new Error('open error: Permission denied (os error 13)');
        },
      });
    const found = await findPtpUsbCameras(async () => [
      massStorage,
      theta,
      locked(0x05ca, 0x036d),
      locked(0x1234, 0x5678),
      mtpOnSecond,
      seqUsb,
    ]);
    expect(
      found.map((f) => [f.vendorId.toString(16), f.bus, f.address, f.interfaceNumber, f.unreadable !== undefined]),
    ).toEqual([
      ['5ca', 3, 9, 0, false],
      ['5ca', 3, 11, 0, true],
      ['4e8', 2, 5, 1, false],
      ['19cf', 1, 4, 0, false],
    ]);
    expect(found[0]).toMatchObject({
      device: theta,
      busId: '003',
      product: 'RICOH THETA S',
      serial: '00010093',
      manufacturer: null,
    });
    expect([
      parseBusId('003', 'linux'),
      parseBusId('1-1', 'linux'),
      parseBusId('2-3.4', 'linux'),
      parseBusId('0a', 'linux'),
      parseBusId(undefined, 'linux'),
    ]).toEqual([3, 1, 2, NaN, NaN]);
    expect([parseBusId('14', 'darwin'), parseBusId('0a', 'darwin'), parseBusId('USB\\ROOT_HUB30', 'win32')]).toEqual([
      0x14,
      10,
      NaN,
    ]);
  });

  it.skipIf(existsSync('/sys/bus/usb/devices'))(
    'without a USB bus the default list says so (the usb package, loaded lazily)',
    async () => {
      const err = await findPtpUsbCameras().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PtpUsbUnavailableError);
      expect(err).toMatchObject({ code: 'ERR_CAMCTL_PTP_USB_UNAVAILABLE', reason: 'no-bus' });
      expect((err as Error).message).toMatch(/no USB bus.*\/sys\/bus\/usb\/devices/);
    },
  );
});

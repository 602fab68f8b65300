/**
 * One client test suite, run over every transport (docs/architecture.md "Tests"): PTP/IP over real loopback
 * sockets to the emulated Sequoia's responder, and the in-memory pair straight into the same
 * responder core. Both drive a real SequoiaDevice writing real files.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SequoiaDevice } from '../../src/devices/sequoia/device.js';
import { SequoiaPtpBackend, startSequoiaPtpIp } from '../../src/emulator/sequoia/ptp-face.js';
import { PtpClient } from '../../src/ptp/client.js';
import { Ev, Format, Op, Prop, Resp } from '../../src/ptp/codes.js';
import { DataType } from '../../src/ptp/codes.js';
import { PtpAbortError, PtpResponseError } from '../../src/ptp/errors.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { createMemoryTransport } from '../helpers/memory-transport.js';
import { PtpSession } from '../../src/ptp/session.js';
import { PtpUsbClient } from '../../src/ptp/usb/client.js';
import { createMemoryUsbDevice } from '../../src/emulator/usb/memory-device.js';
import type { PtpContainer } from '../../src/ptp/transport.js';
import { ParrotOp, decodeTemperatureValues, PARROT_VENDOR_ID } from '../../src/ptp/vendors/parrot.js';

interface Harness {
  client: PtpClient;
  device: SequoiaDevice;
  dir: string;
  close(): Promise<void>;
}

const transports: Record<string, () => Promise<Harness>> = {
  'PTP/IP over TCP': async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-ptpip-'));
    const device = await SequoiaDevice.open({ dataDir: path.join(dir, 'cam') });
    const ptp = await startSequoiaPtpIp(device, { host: '127.0.0.1', port: 0 });
    const client = await PtpIpClient.connect({ host: '127.0.0.1', port: ptp.port, name: 'camctl-test' });
    return {
      client,
      device,
      dir,
      close: async () => {
        await client.close();
        await ptp.close();
        await device.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  'in-memory pair': async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-ptpmem-'));
    const device = await SequoiaDevice.open({ dataDir: path.join(dir, 'cam') });
    const backend = new SequoiaPtpBackend(device);
    const { transport } = createMemoryTransport(backend);
    const session = new PtpSession(transport);
    await session.open();
    const client = new PtpClient(session);
    await client.getDeviceInfo();
    return {
      client,
      device,
      dir,
      close: async () => {
        await session.close();
        backend.close();
        await device.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  'PTP over USB (in-memory bulk pair)': async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-ptpusb-'));
    const device = await SequoiaDevice.open({ dataDir: path.join(dir, 'cam') });
    const backend = new SequoiaPtpBackend(device);
    const usb = createMemoryUsbDevice(backend, {
      vendorId: 0x19cf,
      productId: 0x0001,
      manufacturerName: 'Parrot',
      productName: 'Sequoia',
    });
    const client = await PtpUsbClient.open(usb);
    return {
      client,
      device,
      dir,
      close: async () => {
        await client.close();
        backend.close();
        await device.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

async function collect(client: PtpClient, until: (e: PtpContainer) => boolean): Promise<PtpContainer[]> {
  const out: PtpContainer[] = [];
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(), 30_000);
  for await (const e of client.events(ac.signal)) {
    out.push(e);
    if (until(e)) break;
  }
  clearTimeout(t);
  return out;
}

for (const [name, make] of Object.entries(transports)) {
  describe(`PtpClient over ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => h?.close());

    it('reads DeviceInfo with the Parrot extension and both storages', async () => {
      const info = h.client.deviceInfo!;
      expect(info).toMatchObject({
        manufacturer: 'Parrot',
        model: 'Sequoia',
        vendorExtensionId: PARROT_VENDOR_ID,
        vendorExtensionDesc: 'parrot.com: 1.0;',
      });
      expect(info.operationsSupported).toEqual(
        expect.arrayContaining([Op.GetPartialObject, Op.InitiateCapture, ParrotOp.GetTemperatureValues]),
      );
      expect(await h.client.getStorageIds()).toEqual([0x00010001, 0x00020001]);
      const si = await h.client.getStorageInfo(0x00010001);
      expect(si.storageDescription).toBe('internal');
      expect(si.maxCapacity).toBe(59_272_328n * 1024n);
      await expect(h.client.getStorageInfo(0x00030001)).rejects.toMatchObject({
        code: 'ERR_CAMCTL_PTP_RESPONSE',
        responseCode: Resp.InvalidStorageID,
      });
    });

    it('captures: ObjectAdded per file, then CaptureComplete; folders are associations', async () => {
      const events = collect(h.client, (e) => e.code === Ev.CaptureComplete);
      await h.client.initiateCapture(0, 0);
      const got = await events;
      const added = got.filter((e) => e.code === Ev.ObjectAdded).map((e) => e.params[0] as number);
      expect(added).toHaveLength(5);
      const infos = await Promise.all(added.map((a) => h.client.getObjectInfo(a)));
      expect(infos.map((i) => i.filename.slice(-7)).sort()).toEqual([
        'GRE.TIF',
        'NIR.TIF',
        'RED.TIF',
        'REG.TIF',
        'RGB.JPG',
      ]);
      const parent = infos[0]!.parentObject;
      const folder = await h.client.getObjectInfo(parent);
      expect(folder).toMatchObject({ objectFormat: Format.Association, associationType: 1, parentObject: 0 });
      expect(await h.client.getObjectHandles(0xffffffff, 0, 0xffffffff)).toContain(parent);
      expect((await h.client.getObjectHandles(0x00010001, 0, parent)).sort()).toEqual([...added].sort());
      expect(await h.client.getNumObjects(0x00010001, 0, parent)).toBe(5);
      // Handles are stable: listing again gives the same ones.
      expect((await h.client.getObjectHandles(0x00010001, 0, parent)).sort()).toEqual([...added].sort());
    });

    it('downloads an object to a file (streamed), resumes a partial one, and reads parts', async () => {
      const handles = await h.client.getObjectHandles(0x00010001, Format.TIFF, 0);
      const handle = handles[0]!;
      const info = await h.client.getObjectInfo(handle);
      const onDisk = await readFile(
        path.join(
          h.dir,
          'cam',
          'media',
          'internal',
          (await h.client.getObjectInfo(info.parentObject)).filename,
          info.filename,
        ),
      );
      const file = path.join(h.dir, 'out.tif');
      let last = 0;
      expect(await h.client.downloadObject(handle, file, { onProgress: (d) => (last = d) })).toBe(onDisk.length);
      expect(last).toBe(onDisk.length);
      expect((await readFile(file)).equals(onDisk)).toBe(true);
      await writeFile(file, onDisk.subarray(0, 12345));
      await h.client.downloadObject(handle, file, { resume: true });
      expect((await stat(file)).size).toBe(onDisk.length);
      expect((await readFile(file)).equals(onDisk)).toBe(true);
      const part = await h.client.getPartialObject(handle, 100, 50);
      expect(Buffer.from(part).equals(onDisk.subarray(100, 150))).toBe(true);
    });

    it('an aborted download rejects with ABORTED and the session carries on', async () => {
      const handle = (await h.client.getObjectHandles(0x00010001, Format.TIFF, 0))[0]!;
      const ac = new AbortController();
      const p = h.client.downloadObject(handle, path.join(h.dir, 'aborted.tif'), {
        signal: ac.signal,
        onProgress: () => ac.abort(),
      });
      await expect(p).rejects.toBeInstanceOf(PtpAbortError);
      expect((await h.client.getDeviceInfo()).model).toBe('Sequoia');
    });

    it('properties: set through PTP is seen by the device; device changes raise DevicePropChanged', async () => {
      const desc = await h.client.getDevicePropDesc(Prop.ImageSize);
      expect(desc).toMatchObject({ dataType: DataType.STR, getSet: 1, current: '4608 x 3456' });
      const changed = collect(h.client, (e) => e.code === Ev.DevicePropChanged && e.params[0] === Prop.ImageSize);
      await h.client.setDevicePropValue(Prop.ImageSize, DataType.STR, '4000 x 3000');
      await changed;
      expect(h.device.getConfig().resolution_rgb).toBe(12);
      expect(await h.client.getDevicePropValue(Prop.ImageSize, DataType.STR)).toBe('4000 x 3000');
      await expect(h.client.setDevicePropValue(Prop.ImageSize, DataType.STR, '1 x 1')).rejects.toMatchObject({
        responseCode: Resp.InvalidDevicePropValue,
      });
      await expect(h.client.setDevicePropValue(Prop.ImageSize, DataType.UINT16, 3)).rejects.toMatchObject({
        responseCode: Resp.InvalidDevicePropFormat,
      });
      await expect(h.client.setDevicePropValue(Prop.BatteryLevel, DataType.UINT8, 3)).rejects.toMatchObject({
        responseCode: Resp.AccessDenied,
      });
      await expect(h.client.getDevicePropDesc(0xd2ff)).rejects.toMatchObject({
        responseCode: Resp.DevicePropNotSupported,
      });
      // A change made through another face (the HTTP face calls setConfig) is announced here.
      const overlap = collect(h.client, (e) => e.code === Ev.DevicePropChanged && e.params[0] === 0xd219);
      h.device.setConfig({ overlap_param: 70 });
      await overlap;
      expect(await h.client.getDevicePropValue(0xd219, DataType.UINT8)).toBe(70);
    });

    it('vendor operations decode; unknown operations answer OperationNotSupported', async () => {
      const r = await h.client.operation(ParrotOp.GetTemperatureValues);
      const t = decodeTemperatureValues(r.data!);
      expect(t.P7).toBeGreaterThan(0);
      const mask = await h.client.operation(ParrotOp.GetStatusMask);
      expect(mask.response.params[0]! & (1 << 13)).not.toBe(0); // CameraRunning
      await expect(h.client.operation(0x9999)).rejects.toMatchObject({ responseCode: Resp.OperationNotSupported });
    });

    it('deletes: ObjectRemoved, then the handle is invalid', async () => {
      const handle = (await h.client.getObjectHandles(0x00010001, Format.EXIF_JPEG, 0))[0]!;
      const removed = collect(h.client, (e) => e.code === Ev.ObjectRemoved && e.params[0] === handle);
      await h.client.deleteObject(handle);
      await removed;
      const err = await h.client.getObjectInfo(handle).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PtpResponseError);
      expect((err as PtpResponseError).responseCode).toBe(Resp.InvalidObjectHandle);
    });
  });
}

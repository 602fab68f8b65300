/**
 * `camctl ptp …` against the emulated Sequoia, run in-process through main(), over both links:
 * its PTP/IP face on 127.0.0.1, and an in-memory USB device with its PTP responder behind it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SequoiaDevice } from '../../src/devices/sequoia/device.js';
import { SequoiaPtpBackend, startSequoiaPtpIp } from '../../src/emulator/sequoia/ptp-face.js';
import { camctlInProcess } from '../helpers/camctl-in-process.js';
import { plugUsbCamera, unplugAllUsbCameras } from '../helpers/usb-cameras.js';

const camctl = camctlInProcess;

/** Puts the device on a link; the camera address and how to take it off again. */
type Link = (device: SequoiaDevice) => Promise<{ cam: string; close(): Promise<void> }>;

const ptpip: Link = async (device) => {
  const face = await startSequoiaPtpIp(device, { host: '127.0.0.1', port: 0 });
  return { cam: `ptpip://127.0.0.1:${face.port}`, close: () => face.close() };
};

const usb: Link = async (device) => {
  plugUsbCamera(new SequoiaPtpBackend(device), { vendorId: 0x19cf });
  return { cam: 'usb:', close: async () => unplugAllUsbCameras() };
};

describe.each([
  ['ptpip://', ptpip],
  ['usb:', usb],
])('camctl ptp over %s', (_name, link) => {
  let dir: string;
  let device: SequoiaDevice;
  let linked: Awaited<ReturnType<Link>> | undefined;
  let cam: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'camctl-cliptp-'));
    device = await SequoiaDevice.open({ dataDir: path.join(dir, 'cam') });
    linked = await link(device);
    cam = linked.cam;
  });
  afterAll(async () => {
    await linked?.close();
    await device?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('info names operations, events and properties, Parrot ones included', async () => {
    const r = await camctl('-c', cam, 'ptp', 'info');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Parrot Sequoia');
    expect(r.stdout).toContain('0x9202 GetTemperatureValues');
    expect(r.stdout).toContain('0xc201 Status');
    expect(r.stdout).toContain('0xd219 OverlapRate');
  });

  it('storage, props, prop get/set and op (decoded vendor data) — JSON too', async () => {
    expect((await camctl('-c', cam, 'ptp', 'storage')).stdout).toContain('0x00010001');
    expect((await camctl('-c', cam, 'ptp', 'props')).stdout).toMatch(/0x5003\s+ImageSize\s+STR\s+rw\s+"4608 x 3456"/);
    const set = await camctl('-c', cam, 'ptp', 'prop', 'set', 'ImageSize', '4000 x 3000');
    expect(set.stdout.trim()).toBe('ImageSize = "4000 x 3000"');
    expect(device.getConfig().resolution_rgb).toBe(12);
    const get = JSON.parse((await camctl('-c', cam, '--json', 'ptp', 'prop', 'get', '0xd219')).stdout) as {
      current: number;
      name: string;
    };
    expect(get).toMatchObject({ name: 'OverlapRate', current: 80 });
    const op = JSON.parse((await camctl('-c', cam, '--json', 'ptp', 'op', 'GetTemperatureValues')).stdout) as {
      response: string;
      decoded: { P7: number };
    };
    expect(op.response).toBe('OK');
    expect(op.decoded.P7).toBeGreaterThan(0);
  });

  it('op decodes a standard dataset as the command made for it does (raw data only with --hex)', async () => {
    const info = await camctl('-c', cam, 'ptp', 'op', 'GetDeviceInfo');
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('DeviceInfo:');
    expect(info.stdout).toContain('Parrot Sequoia');
    expect(info.stdout).toContain('0x9202 GetTemperatureValues');
    expect(info.stdout).not.toContain('Data (hex)');
    expect((await camctl('-c', cam, 'ptp', 'op', 'GetDeviceInfo', '--hex')).stdout).toMatch(/Data \(hex\):\s+6400/);

    const json = async (...args: string[]): Promise<{ dataset?: string; decoded?: unknown; hex: string | null }> =>
      JSON.parse((await camctl('-c', cam, '--json', 'ptp', 'op', ...args)).stdout) as never;
    const ids = await json('GetStorageIDs');
    expect(ids).toMatchObject({ dataset: 'StorageIDs' });
    expect(ids.decoded).toContain(0x00010001);
    expect(ids.hex).toBeNull();
    expect(await json('GetStorageInfo', String(0x00010001))).toMatchObject({
      dataset: 'StorageInfo',
      decoded: { storageDescription: expect.any(String), maxCapacity: expect.stringMatching(/^\d+$/) },
    });
    expect(await json('GetDevicePropDesc', String(0xd219))).toMatchObject({
      dataset: 'DevicePropDesc',
      decoded: { code: 0xd219, current: 80 },
    });
    expect(await json('GetDevicePropValue', String(0xd219))).toMatchObject({ dataset: 'DevicePropValue', decoded: 80 });
    expect((await camctl('-c', cam, 'ptp', 'op', 'GetDevicePropDesc', String(0x5003))).stdout).toMatch(
      /Value:\s+"\d+ x \d+"/,
    );

    // A capture gives the storage a folder and files to describe.
    await device.startCapture();
    await device.whenSessionEnds();
    const handles = await json('GetObjectHandles', String(0xffffffff));
    expect(handles.dataset).toBe('ObjectHandles');
    const first = (handles.decoded as number[])[0];
    expect(first).toBeDefined();
    expect(await json('GetObjectInfo', String(first))).toMatchObject({
      dataset: 'ObjectInfo',
      decoded: { filename: expect.any(String) },
    });
    expect((await camctl('-c', cam, 'ptp', 'op', 'GetObjectInfo', String(first))).stdout).toMatch(/File name:/);
  });

  it('errors are one clear line with a non-zero exit', async () => {
    const bad = await camctl('-c', cam, 'ptp', 'prop', 'set', '0xd201', '99');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/InvalidDevicePropValue/);
    const notPtp = await camctl('-c', 'sequoia://127.0.0.1:1', 'ptp', 'info');
    expect(notPtp.code).toBe(2);
    expect(notPtp.stderr).toContain('needs a ptpip:// camera or a usb: one');
  });
});

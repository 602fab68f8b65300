/**
 * `camctl detect`: in-process over a pretend bus of in-memory USB cameras (the emulated Sequoia and
 * THETA behind them), and the built CLI on this machine's own bus, or its absence.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUsbDeviceSource } from '../../src/camera/usb.js';
import { SequoiaPtpBackend } from '../../src/emulator/sequoia/ptp-face.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { ThetaPtpBackend } from '../../src/emulator/theta/ptp-face.js';
import { PtpUsbUnavailableError } from '../../src/ptp/usb/errors.js';
import { camctlInProcess } from '../helpers/camctl-in-process.js';
import { emptyUsbBus, plugUsbCamera, unplugAllUsbCameras } from '../helpers/usb-cameras.js';
import { cleanup, onCleanup, requireBuild, runCli, startEmu, tempDir } from './helpers.js';

beforeAll(requireBuild);
// Sessions and emulators first, then the bus goes back to its real source.
afterEach(async () => {
  await cleanup();
  unplugAllUsbCameras();
});

describe('camctl detect', () => {
  it('lists the PTP cameras on USB with the address to pass, as a table and as JSON', async () => {
    const seq = await startEmu();
    plugUsbCamera(new SequoiaPtpBackend(seq.emu.device), { vendorId: 0x19cf, bus: '001', address: 4 });
    // The THETA S as lsusb and ptpcam showed it in the THETA community guide (`Bus 003 Device 009: ID 05ca:0366`, serial 00010093).
    const theta = await startThetaEmulator({
      dataDir: await tempDir('camctl-theta-'),
      httpPort: 0,
      serialNumber: '00010093',
    });
    onCleanup(() => theta.close());
    plugUsbCamera(new ThetaPtpBackend(theta.device), { vendorId: 0x05ca, productId: 0x0366, bus: '003', address: 9 });

    const human = await camctlInProcess('detect');
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^Address +ID +Manufacturer +Product +Serial$/),
      expect.stringMatching(/^usb:001:004 +19cf:0001 +Parrot +Sequoia +PI040378AA6A000109$/),
      expect.stringMatching(/^usb:003:009 +05ca:0366 +Ricoh Company, Ltd\. +RICOH THETA S +00010093$/),
    ]);
    expect(human.stderr).toBe('Pass one with --camera, e.g. camctl --camera usb:001:004 info\n');

    const json = await camctlInProcess('detect', '--json');
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        address: 'usb:001:004',
        bus: 1,
        device: 4,
        vendorId: 0x19cf,
        productId: 1,
        usbId: '19cf:0001',
        serial: 'PI040378AA6A000109',
      }),
      expect.objectContaining({
        address: 'usb:003:009',
        bus: 3,
        device: 9,
        usbId: '05ca:0366',
        manufacturer: 'Ricoh Company, Ltd.',
        product: 'RICOH THETA S',
      }),
    ]);

    // The address it prints opens that camera.
    const info = await camctlInProcess('--camera', 'usb:003:009', 'info', '--json');
    expect(JSON.parse(info.stdout)).toMatchObject({
      protocol: 'usb',
      model: 'RICOH THETA S',
      serialNumber: '00010093',
    });
  });

  it('a known camera whose descriptors cannot be read (permissions) is listed, with why and where to look', async () => {
    const theta = await startThetaEmulator({ dataDir: await tempDir('camctl-theta-'), httpPort: 0 });
    onCleanup(() => theta.close());
    const device = plugUsbCamera(new ThetaPtpBackend(theta.device), {
      vendorId: 0x05ca,
      productId: 0x0366,
      bus: '003',
      address: 9,
    });
    device.denyOpen(true);
    // node-usb-rs opens the device to read its configuration: without permission the getter throws.
    const locked = new Proxy(device, {
      get: (target, key) =>
        key === 'configuration'
          ? (() => {
              throw new Error('open error: Permission denied (os error 13)');
            })()
          : Reflect.get(target, key),
    });
    setUsbDeviceSource(async () => [locked]);
    const r = await camctlInProcess('detect', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      expect.objectContaining({
        address: 'usb:003:009',
        usbId: '05ca:0366',
        unreadable: 'open error: Permission denied (os error 13)',
      }),
    ]);
    const human = await camctlInProcess('detect');
    expect(human.stderr).toContain(
      'camctl: usb:003:009 (05ca:0366) cannot be read: open error: Permission denied (os error 13); see "PTP over USB" in the README for the udev rule\n',
    );
    const info = await camctlInProcess('--camera', 'usb:003:009', 'info');
    expect(info.code).toBe(1);
    expect(info.stderr).toMatch(/no permission to open .*udev rule/);
  });

  it('an empty bus: nothing on stdout, `[]` with --json, exit 0', async () => {
    emptyUsbBus();
    const human = await camctlInProcess('detect');
    expect(human).toMatchObject({ code: 0, stdout: '' });
    expect(human.stderr).toMatch(/no PTP camera on USB/);
    expect(await camctlInProcess('detect', '--json')).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('no USB bus: said plainly on stderr, an empty list, exit 0', async () => {
    setUsbDeviceSource(() =>
      Promise.reject(new PtpUsbUnavailableError('no-bus', 'this machine has no USB bus to look at')),
    );
    expect(await camctlInProcess('detect')).toEqual({
      code: 0,
      stdout: '',
      stderr: 'camctl: this machine has no USB bus to look at; no camera to detect\n',
    });
    expect(await camctlInProcess('detect', '--json')).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('other failures to read the bus are errors (exit 1, coded JSON)', async () => {
    setUsbDeviceSource(() =>
      Promise.reject(new PtpUsbUnavailableError('permission', 'no permission to list USB devices')),
    );
    const r = await camctlInProcess('detect', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'UNREACHABLE', message: 'no permission to list USB devices' },
    });
  });

  it('the built CLI on this machine exits 0 with a list (empty here when there is no bus)', async () => {
    const r = await runCli(['detect', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as unknown[];
    expect(Array.isArray(list)).toBe(true);
    if (!existsSync('/sys/bus/usb/devices')) {
      expect(list).toEqual([]);
      const human = await runCli(['detect']);
      expect(human).toMatchObject({ code: 0, stdout: '' });
      expect(human.stderr).toMatch(/^camctl: this machine has no USB bus to look at \(.*\); no camera to detect$/m);
    }
  });
});

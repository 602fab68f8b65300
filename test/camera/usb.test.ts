/**
 * What only `usb:` addresses do: pick a camera on the bus (the first, or BUS:DEV), and say clearly
 * why none could be opened — no bus, nothing plugged in, no permission, another program holding
 * it. Cameras are in-memory USB devices with the emulated Sequoia and THETA behind them; the
 * common Camera behaviour over USB is ptp-camera.test.ts's suite.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { CameraError } from '../../src/camera/errors.js';
import { openCamera } from '../../src/camera/open.js';
import { detectUsbCameras, setUsbDeviceSource } from '../../src/camera/usb.js';
import type { Camera } from '../../src/camera/types.js';
import { SequoiaPtpBackend } from '../../src/emulator/sequoia/ptp-face.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { ThetaPtpBackend } from '../../src/emulator/theta/ptp-face.js';
import { PtpUsbUnavailableError } from '../../src/ptp/usb/errors.js';
import { cleanup, onCleanup, startEmu, tempDir } from '../cli/helpers.js';
import { emptyUsbBus, plugUsbCamera, unplugAllUsbCameras, unplugUsbCamera } from '../helpers/usb-cameras.js';

// Sessions and emulators first, then the bus goes back to its real source.
afterEach(async () => {
  await cleanup();
  unplugAllUsbCameras();
});

async function open(address: string): Promise<Camera> {
  const cam = await openCamera(address, { timeoutMs: 5000 });
  onCleanup(() => cam.close());
  return cam;
}

/** The model at an address; the camera is closed again (one session per camera, as on a real bus). */
async function modelAt(address: string): Promise<string> {
  const cam = await openCamera(address, { timeoutMs: 5000 });
  try {
    return (await cam.info()).model;
  } finally {
    await cam.close();
  }
}

/** The code and message a failed open rejects with. */
async function openFailure(address: string): Promise<CameraError> {
  const err = await openCamera(address, { timeoutMs: 5000 }).then(
    (cam) => (onCleanup(() => cam.close()), undefined),
    (e: unknown) => e as CameraError,
  );
  if (!err) throw new Error(`${address} opened`);
  return err;
}

/** The emulated Sequoia and THETA on one bus. */
async function twoCameras() {
  const seq = await startEmu();
  const sequoia = plugUsbCamera(new SequoiaPtpBackend(seq.emu.device), { vendorId: 0x19cf });
  const thetaEmu = await startThetaEmulator({ dataDir: await tempDir('camctl-theta-'), httpPort: 0 });
  onCleanup(() => thetaEmu.close());
  const theta = plugUsbCamera(new ThetaPtpBackend(thetaEmu.device), {
    vendorId: 0x05ca,
    productId: 0x0366,
    bus: '003',
  });
  return { sequoia, theta };
}

describe('usb: addresses', () => {
  it('usb: opens the first PTP camera, usb:BUS:DEV the one named', async () => {
    const { sequoia, theta } = await twoCameras();
    expect(await modelAt('usb:')).toBe('Sequoia');
    const thetaAddress = `usb:003:${String(theta.address).padStart(3, '0')}`;
    const info = await (await open(thetaAddress)).info();
    expect(info).toMatchObject({
      protocol: 'usb',
      address: thetaAddress,
      model: 'RICOH THETA S',
      details: { usb: thetaAddress, usbId: '05ca:0366' },
    });
    // lsusb's numbers without the zeros name the same device.
    expect(await modelAt(`usb:1:${sequoia.address}`)).toBe('Sequoia');
  });

  it('a BUS:DEV with no camera names the cameras that are there', async () => {
    const { sequoia, theta } = await twoCameras();
    const err = await openFailure('usb:002:099');
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toBe(
      `no PTP camera at usb:002:099 (PTP cameras on USB: usb:001:${String(sequoia.address).padStart(3, '0')}, usb:003:${String(theta.address).padStart(3, '0')})`,
    );
  });

  it('an empty bus: no PTP camera found, with what to check', async () => {
    emptyUsbBus();
    const err = await openFailure('usb:');
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toMatch(/^no PTP camera found on USB: is it plugged in and switched on, in PTP mode/);
  });

  it('no permission to open the camera: UNREACHABLE with the udev rule', async () => {
    const seq = await startEmu();
    plugUsbCamera(new SequoiaPtpBackend(seq.emu.device)).denyOpen(true);
    const err = await openFailure('usb:');
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toMatch(/no permission to open .*udev rule/);
  });

  it('another program holding the camera (gvfs): BUSY, with how to release it; then it opens', async () => {
    const seq = await startEmu();
    const device = plugUsbCamera(new SequoiaPtpBackend(seq.emu.device));
    device.holdInterface(true);
    const err = await openFailure('usb:');
    expect(err.code).toBe('BUSY');
    expect(err.message).toMatch(/gio mount -s gphoto2/);
    device.holdInterface(false);
    expect(await modelAt('usb:')).toBe('Sequoia');
  });

  it('a camera pulled out while open: the next call is CONNECTION_LOST', async () => {
    const seq = await startEmu();
    const device = plugUsbCamera(new SequoiaPtpBackend(seq.emu.device));
    const cam = await open('usb:');
    expect((await cam.list('/')).map((e) => e.path)).toEqual(['/internal', '/sd']);
    unplugUsbCamera(device);
    await expect(cam.list('/')).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
  });

  it('no USB bus: UNREACHABLE saying so, and detect lists nothing without failing', async () => {
    setUsbDeviceSource(() =>
      Promise.reject(new PtpUsbUnavailableError('no-bus', 'this machine has no USB bus to look at')),
    );
    const err = await openFailure('usb:');
    expect(err).toMatchObject({ code: 'UNREACHABLE', message: 'this machine has no USB bus to look at' });
    expect(await detectUsbCameras()).toEqual({ unavailable: 'this machine has no USB bus to look at', cameras: [] });
  });

  // The machine's own bus, through the usb package: only where there is none (this machine, CI).
  it.runIf(!existsSync('/sys/bus/usb/devices'))(
    'on this machine without a USB bus, the usb package says so',
    async () => {
      setUsbDeviceSource(undefined);
      const err = await openFailure('usb:');
      expect(err.code).toBe('UNREACHABLE');
      expect(err.message).toMatch(/no USB bus/);
      expect((await detectUsbCameras()).cameras).toEqual([]);
    },
  );
});

describe('detectUsbCameras', () => {
  it('lists each PTP camera with the address to pass, its ids and descriptor strings', async () => {
    const { sequoia, theta } = await twoCameras();
    const pad = (n: number): string => String(n).padStart(3, '0');
    expect(await detectUsbCameras()).toEqual({
      cameras: [
        {
          address: `usb:001:${pad(sequoia.address)}`,
          bus: 1,
          device: sequoia.address,
          vendorId: 0x19cf,
          productId: 0x0001,
          usbId: '19cf:0001',
          manufacturer: 'Parrot',
          product: 'Sequoia',
          serial: 'PI040378AA6A000109',
        },
        {
          address: `usb:003:${pad(theta.address)}`,
          bus: 3,
          device: theta.address,
          vendorId: 0x05ca,
          productId: 0x0366,
          usbId: '05ca:0366',
          manufacturer: 'Ricoh Company, Ltd.',
          product: 'RICOH THETA S',
          serial: expect.any(String),
        },
      ],
    });
  });
});

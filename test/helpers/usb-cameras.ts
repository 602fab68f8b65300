/**
 * A pretend USB bus for the Camera layer's tests: the emulated cameras' PTP responders behind
 * in-memory USB devices (src/emulator/usb/memory-device.ts), handed to `usb:` addresses and
 * `camctl detect` through camera/usb.ts's setUsbDeviceSource. This machine and CI have no USB bus;
 * everything above the device's endpoints is the code a real camera would meet.
 */
import type { PtpResponderBackend } from '../../src/ptp/backend.js';
import {
  createMemoryUsbDevice,
  type MemoryUsbDevice,
  type MemoryUsbDeviceOptions,
} from '../../src/emulator/usb/memory-device.js';
import { setUsbDeviceSource } from '../../src/camera/usb.js';

interface Plugged {
  device: MemoryUsbDevice;
  backend: PtpResponderBackend & { close(): void };
}

const bus: Plugged[] = [];
/** Device numbers go up as on Linux, where a replugged camera gets a new one. */
let nextAddress = 2;

/**
 * Plugs a camera in: `backend` (e.g. `new SequoiaPtpBackend(emu.device)`) answers on the device
 * side; descriptor strings default to its DeviceInfo (manufacturer, model, serial number).
 */
export function plugUsbCamera(
  backend: PtpResponderBackend & { close(): void },
  opts: MemoryUsbDeviceOptions = {},
): MemoryUsbDevice {
  const info = backend.deviceInfo();
  const device = createMemoryUsbDevice(backend, {
    manufacturerName: info.manufacturer,
    productName: info.model,
    serialNumber: info.serialNumber,
    address: nextAddress++,
    ...opts,
  });
  bus.push({ device, backend });
  setUsbDeviceSource(async () => bus.map((p) => p.device));
  return device;
}

/** The camera leaves the bus: its transfers fail as a pulled cable's do. */
export function unplugUsbCamera(device: MemoryUsbDevice): void {
  const i = bus.findIndex((p) => p.device === device);
  if (i < 0) return;
  const [p] = bus.splice(i, 1);
  p?.device.unplug();
  p?.backend.close();
}

/** Unplugs everything and gives `usb:` back its real source (for afterEach). */
export function unplugAllUsbCameras(): void {
  for (const p of [...bus]) unplugUsbCamera(p.device);
  setUsbDeviceSource(undefined);
}

/** A bus with nothing on it (the source still answers, with no devices). */
export function emptyUsbBus(): void {
  unplugAllUsbCameras();
  setUsbDeviceSource(async () => []);
}

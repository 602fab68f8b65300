/// <reference types="w3c-web-usb" />
/**
 * Finding PTP cameras on USB: every device with an interface of class 6, subclass 1, protocol 1
 * (docs/ptp.md "PTP over USB"), whatever its vendor — the Sequoia (0x19cf), the THETA (05ca:0366 S,
 * 0367 SC, 0368 V, 036d Z1), any other PTP camera. Only descriptors are read; nothing is opened.
 *
 * The device list comes from the `usb` package, loaded here and only here, lazily: a machine
 * without a USB bus (this one, CI) or without the package's binary can still run everything else,
 * and the failure becomes a {@link PtpUsbUnavailableError} that says what to do.
 *
 * @example
 * for (const c of await findPtpUsbCameras()) console.log(c.bus, c.address, c.product, c.serial);
 */
import { debuglog } from 'node:util';
import { isPtpInterface, type UsbDeviceLike } from './device.js';
import { PtpUsbUnavailableError, UDEV_HINT, usbFailureKind } from './errors.js';

export { PtpUsbUnavailableError } from './errors.js';

const debug = debuglog('camctl:ptpusb');

/** A PTP camera found on the USB bus, with what lsusb would show. */
export interface PtpUsbCandidate {
  device: UsbDeviceLike;
  /** Bus number as lsusb prints it (`Bus 003`); NaN when the platform's bus id is not a number. */
  bus: number;
  /** The `usb` package's own bus id ("003" on Linux, "0a" on macOS). */
  busId: string;
  /** Device number on its bus (`Device 009`). */
  address: number;
  vendorId: number;
  productId: number;
  manufacturer: string | null;
  product: string | null;
  serial: string | null;
  /** The PTP interface to claim. */
  interfaceNumber: number;
  /** Set when the descriptors could not be read (no permission): a known camera, not yet usable. */
  unreadable?: string;
}

/**
 * The bus number in a bus id. node-usb-rs 3.1.0 takes it from nusb's `bus_id()`: the sysfs
 * `busnum` as three decimal digits on Linux ("003", as lsusb prints it), the top byte of the
 * location id as two hex digits on macOS ("14" is bus 0x14); its type comment's "1-1" (a sysfs
 * device name) is read by its leading number. NaN when there is no number (Windows' hub ids).
 */
export function parseBusId(busId: string | undefined, platform: NodeJS.Platform = process.platform): number {
  const id = busId ?? '';
  if (platform === 'darwin' && /^[0-9a-f]{1,2}$/i.test(id)) return parseInt(id, 16);
  const m = /^(\d+)(?:$|-)/.exec(id);
  return m ? Number(m[1]) : NaN;
}

/**
 * The PTP interfaces of the devices `list` returns (default: the `usb` package's getDevices()).
 * A device whose descriptors cannot be read is skipped (it is listed by `NODE_DEBUG=camctl:ptpusb`).
 */
export async function findPtpUsbCameras(list?: () => Promise<UsbDeviceLike[]>): Promise<PtpUsbCandidate[]> {
  const devices = await (list ?? systemDevices)();
  const found: PtpUsbCandidate[] = [];
  for (const device of devices) {
    // node-usb-rs opens the device to read its configuration (and a string the kernel did not
    // cache): without permission the getter throws. Such a device is listed only when its ids
    // are a known camera's, so that opening it explains the permission problem.
    let interfaceNumber: number | undefined;
    let unreadable: string | undefined;
    try {
      interfaceNumber = device.configuration?.interfaces.find((i) => isPtpInterface(i.alternate))?.interfaceNumber;
    } catch (e) {
      unreadable = e instanceof Error ? e.message : String(e);
      debug('cannot read the descriptors of %s: %s', usbIdOf(device), unreadable);
      if (KNOWN_PTP_CAMERAS.some(([v, p]) => v === device.vendorId && (p === undefined || p === device.productId)))
        interfaceNumber = 0;
    }
    if (interfaceNumber === undefined) continue;
    const candidate: PtpUsbCandidate = {
      device,
      bus: parseBusId(device.bus),
      busId: device.bus ?? '',
      address: device.address ?? 0,
      vendorId: device.vendorId,
      productId: device.productId,
      manufacturer: text(() => device.manufacturerName),
      product: text(() => device.productName),
      serial: text(() => device.serialNumber),
      interfaceNumber,
    };
    if (unreadable !== undefined) candidate.unreadable = unreadable;
    found.push(candidate);
  }
  return found;
}

/** Cameras known to speak PTP on USB, by vendor (and product): docs/sequoia.md, docs/osc.md. */
const KNOWN_PTP_CAMERAS: ReadonlyArray<readonly [number, number | undefined]> = [
  [0x19cf, undefined], // Parrot (Sequoia)
  [0x05ca, 0x0366],
  [0x05ca, 0x0367],
  [0x05ca, 0x0368],
  [0x05ca, 0x036d], // RICOH THETA S, SC, V, Z1
];

const usbIdOf = (d: UsbDeviceLike): string =>
  `${d.vendorId.toString(16).padStart(4, '0')}:${d.productId.toString(16).padStart(4, '0')}`;

/** A descriptor string, or null when it cannot be read. */
function text(get: () => string | null): string | null {
  try {
    return get();
  } catch {
    return null;
  }
}

/** Every device on the machine's USB buses, through the lazily loaded `usb` package. */
async function systemDevices(): Promise<UsbDeviceLike[]> {
  let mod: typeof import('usb');
  try {
    mod = await import('usb');
  } catch (e) {
    throw new PtpUsbUnavailableError(
      'module-missing',
      `USB is not available: the \`usb\` package could not be loaded (${e instanceof Error ? e.message : String(e)}); reinstall with \`npm ci\``,
      { cause: e },
    );
  }
  try {
    return await mod.usb.getDevices();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/not found|no such file|ENOENT/i.test(msg)) {
      throw new PtpUsbUnavailableError('no-bus', `this machine has no USB bus to look at (${msg})`, { cause: e });
    }
    if (usbFailureKind(e) === 'permission') {
      throw new PtpUsbUnavailableError('permission', `no permission to list USB devices (${msg}): ${UDEV_HINT}`, {
        cause: e,
      });
    }
    throw new PtpUsbUnavailableError('other', `cannot list USB devices: ${msg}`, { cause: e });
  }
}

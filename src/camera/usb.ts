/**
 * The Camera adapter for `usb:` (the first PTP camera found) and `usb:BUS:DEV` (that one, numbered
 * as `lsusb` prints it): a {@link PtpCamera} whose session runs over {@link PtpUsbClient}. Loaded by
 * `openCamera` by convention. It looks at the USB bus only — never at any network address.
 *
 * When the link drops (cable pulled, camera asleep), `watch` reconnects to the same camera by its
 * vendor, product and serial number rather than by BUS:DEV: the kernel gives a replugged device a
 * new device number.
 *
 * Devices come from the `usb` package (loaded lazily, on first use); {@link setUsbDeviceSource}
 * replaces that source, so tests run the whole Camera API over in-memory devices with the
 * emulated cameras behind them (this machine and CI have no USB bus).
 *
 * @example
 * const cam = await openCamera('usb:');          // the first PTP camera on USB
 * const thetas = (await detectUsbCameras()).cameras.filter((c) => c.vendorId === 0x05ca);
 */
import { hex16 } from '../ptp/codes.js';
import { PtpUsbClient } from '../ptp/usb/client.js';
import type { UsbDeviceLike } from '../ptp/usb/device.js';
import { findPtpUsbCameras, PtpUsbUnavailableError, type PtpUsbCandidate } from '../ptp/usb/discovery.js';
import type { UsbAddress } from './address.js';
import { CameraError } from './errors.js';
import type { CameraFactory } from './open.js';
import { PtpCamera } from './ptp-camera.js';
import { toCameraError } from './to-camera-error.js';

/** Lists the USB devices present (any class; PTP interfaces are picked out by discovery). */
export type UsbDeviceSource = () => Promise<UsbDeviceLike[]>;

let deviceSource: UsbDeviceSource | undefined;

/**
 * Where `usb:` cameras and `camctl detect` look for devices: `undefined` (the default) for the
 * machine's USB bus through the `usb` package, or a function returning devices (tests).
 */
export function setUsbDeviceSource(source: UsbDeviceSource | undefined): void {
  deviceSource = source;
}

type Found = PtpUsbCandidate;

/** A PTP camera on USB, as `camctl detect` lists it. */
export interface DetectedUsbCamera {
  /** The address to pass with `--camera`: `usb:001:004`. */
  address: string;
  bus: number;
  device: number;
  vendorId: number;
  productId: number;
  /** `05ca:0366`, as lsusb prints it and udev rules match it. */
  usbId: string;
  manufacturer: string | null;
  product: string | null;
  serial: string | null;
  /** Why its descriptors could not be read (usually permissions: see the README's udev rule). */
  unreadable?: string;
}

export interface UsbDetection {
  /** Why nothing could be listed (no USB bus on this machine); absent when the bus was read. */
  unavailable?: string;
  cameras: DetectedUsbCamera[];
}

/** `usb:BUS:DEV` of a found camera, as lsusb numbers it (three digits each). */
function addressOf(c: Found): string {
  return `usb:${String(c.bus).padStart(3, '0')}:${String(c.address).padStart(3, '0')}`;
}

/** `05ca:0366`, as lsusb and udev rules write USB ids. */
export function usbId(vendorId: number, productId: number): string {
  return `${hex16(vendorId).slice(2)}:${hex16(productId).slice(2)}`;
}

async function find(): Promise<Found[]> {
  return findPtpUsbCameras(deviceSource);
}

/** The PTP cameras on USB; no USB bus is not an error here, only an empty list with the reason. */
export async function detectUsbCameras(): Promise<UsbDetection> {
  let found: Found[];
  try {
    found = await find();
  } catch (err) {
    if (err instanceof PtpUsbUnavailableError && err.reason === 'no-bus')
      return { unavailable: err.message, cameras: [] };
    throw toCameraError(err, { connecting: true });
  }
  return {
    cameras: found.map((c) => ({
      address: addressOf(c),
      bus: c.bus,
      device: c.address,
      vendorId: c.vendorId,
      productId: c.productId,
      usbId: usbId(c.vendorId, c.productId),
      manufacturer: c.manufacturer,
      product: c.product,
      serial: c.serial,
      ...(c.unreadable !== undefined ? { unreadable: c.unreadable } : {}),
    })),
  };
}

/** What identifies a camera across replugs. */
interface Identity {
  vendorId: number;
  productId: number;
  serial: string | null;
}

const sameCamera = (c: Found, id: Identity): boolean =>
  c.vendorId === id.vendorId && c.productId === id.productId && c.serial === id.serial;

/** The camera an address names, among those found; a CameraError saying why when there is none. */
function pick(address: UsbAddress, found: readonly Found[], identity: Identity | undefined): Found {
  // After the first connection: the same camera wherever it is now.
  const again = identity ? found.find((c) => sameCamera(c, identity)) : undefined;
  if (again) return again;
  if (identity && identity.serial !== null) {
    throw new CameraError(
      'UNREACHABLE',
      `the camera (${usbId(identity.vendorId, identity.productId)}, serial ${identity.serial}) is no longer on USB`,
    );
  }
  const wanted =
    address.bus === undefined ? found[0] : found.find((c) => c.bus === address.bus && c.address === address.device);
  if (wanted) return wanted;
  if (found.length === 0) {
    throw new CameraError(
      'UNREACHABLE',
      'no PTP camera found on USB: is it plugged in and switched on, in PTP mode (not mass storage)? ' +
        'A camera you may not open is listed by `camctl detect` but fails here with a permission error.',
    );
  }
  throw new CameraError(
    'UNREACHABLE',
    `no PTP camera at ${address.href} (PTP cameras on USB: ${found.map(addressOf).join(', ')})`,
  );
}

export const openCamera: CameraFactory = async (address, options) => {
  if (address.kind !== 'usb') throw new CameraError('BAD_ADDRESS', `not a USB address: ${address.href}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let identity: Identity | undefined;
  let where = address.href;
  return PtpCamera.open(
    {
      protocol: 'usb',
      address: address.href,
      link: 'USB',
      connect: async (signal) => {
        // No bus, no permission, no usb binary: PtpCamera maps the transport's errors (ptp-errors.ts).
        const cam = pick(address, await find(), identity);
        const client = await PtpUsbClient.open(cam.device, {
          interfaceNumber: cam.interfaceNumber,
          commandTimeoutMs: timeoutMs,
          dataTimeoutMs: timeoutMs,
          ...(signal ? { signal } : {}),
        });
        identity = { vendorId: cam.vendorId, productId: cam.productId, serial: cam.serial };
        where = addressOf(cam);
        return client;
      },
      linkDetails: () => ({ usb: where, usbId: usbId(identity?.vendorId ?? 0, identity?.productId ?? 0) }),
    },
    options.signal,
  );
};

/**
 * Errors of PTP over USB, each with a stable `code` (docs/architecture.md "Errors are classes with a stable
 * code"), plus {@link usbFailureKind}, which reads what a USB library's error means. node-usb-rs
 * rejects with plain Errors whose messages carry nusb's error names ("transferIn error: Stall",
 * "claimInterface error: interface is busy (os error 16)"), so the message is all there is to read.
 */
import { codeName, hex16 } from '../codes.js';
import { CamctlError } from '../../util/errors.js';

/** Another program holds the camera's PTP interface (seed 001, "Could not open session"). */
export class PtpUsbBusyError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_USB_BUSY';
  constructor(
    readonly interfaceNumber: number,
    options?: { cause?: unknown },
  ) {
    super(
      'ERR_CAMCTL_PTP_USB_BUSY',
      `the camera's PTP interface ${interfaceNumber} is held by another program. On a Linux desktop that is ` +
        `usually gvfs, which mounts cameras as they are plugged in (gvfs-gphoto2-volume-monitor / gvfsd-gphoto2): ` +
        `unmount the camera with \`gio mount -s gphoto2\` (or eject it in the file manager), or stop the monitor with ` +
        `\`systemctl --user stop gvfs-gphoto2-volume-monitor\` / \`pkill gvfs-gphoto2-volume-monitor\`; ` +
        `also close gphoto2, Shotwell, digiKam or darktable if they are running, then try again`,
      options,
    );
  }
}

/** No USB access at all: no bus, no permission, or the `usb` package cannot load. */
export class PtpUsbUnavailableError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_USB_UNAVAILABLE';
  constructor(
    readonly reason: 'no-bus' | 'permission' | 'module-missing' | 'other',
    message: string,
    options?: { cause?: unknown },
  ) {
    super('ERR_CAMCTL_PTP_USB_UNAVAILABLE', message, options);
  }
}

/** A udev rule giving the logged-in user access to every PTP interface (class 6/1/1). */
export const UDEV_HINT =
  'add a udev rule such as /etc/udev/rules.d/70-camctl-ptp.rules containing ' +
  '`SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ENV{ID_USB_INTERFACES}=="*:060101:*", TAG+="uaccess"`, ' +
  'then `sudo udevadm control --reload && sudo udevadm trigger` and plug the camera in again';

/**
 * The camera stalled an endpoint during a transaction (USB still-image class §5.2.2: a device
 * signals a failed transfer with STALL). The halt has been cleared and the session can go on;
 * this transaction is lost.
 */
export class PtpUsbStallError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_USB_STALL';
  constructor(
    /** The endpoint address that stalled (0x81 = IN 1, 0x02 = OUT 2). */
    readonly endpoint: number,
    /** The device's status code from GetDeviceStatus at the time, when it answered. */
    readonly deviceStatus: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      'ERR_CAMCTL_PTP_USB_STALL',
      `the camera stalled USB endpoint 0x${endpoint.toString(16).padStart(2, '0')}` +
        (deviceStatus === undefined
          ? ''
          : ` (device status ${codeName('response', deviceStatus)}, ${hex16(deviceStatus)})`) +
        '; the halt was cleared, this transaction is lost, the session carries on',
      options,
    );
  }
}

export type UsbFailureKind = 'stall' | 'timeout' | 'disconnected' | 'busy' | 'permission' | 'other';

/** What a rejection of the `usb` package (or of a WebUSB implementation) means. */
export function usbFailureKind(e: unknown): UsbFailureKind {
  const m = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  // nusb reports a timeout as a cancelled transfer; libusb (node-usb 2.x) says PIPE for a stall.
  if (/\bstall|LIBUSB_ERROR_PIPE/i.test(m)) return 'stall';
  if (/cancelled|timed?[ _]?out|ETIMEDOUT|LIBUSB_ERROR_TIMEOUT/i.test(m)) return 'timeout';
  if (/disconnected|no such device|ENODEV|NO_DEVICE|NotFoundError|device not found/i.test(m)) return 'disconnected';
  if (/busy|EBUSY|LIBUSB_ERROR_BUSY/i.test(m)) return 'busy';
  if (/access|permission|EACCES|EPERM|SecurityError/i.test(m)) return 'permission';
  return 'other';
}

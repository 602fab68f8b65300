/**
 * What the USB libraries' failures mean (src/ptp/usb/errors.ts), table-driven: node-usb-rs 3.1.0
 * formats nusb's errors into plain messages ("transferIn error: Stall", "claimInterface error:
 * interface is busy (os error 16)"), node-usb 2.x used libusb's names. The messages below are the
 * ones those libraries produce (node-usb-rs src/webusb_device.rs, nusb src/transfer and
 * platform/linux_usbfs); the error classes keep their stable codes.
 */
import { describe, expect, it } from 'vitest';
import {
  PtpUsbBusyError,
  PtpUsbStallError,
  PtpUsbUnavailableError,
  usbFailureKind,
  type UsbFailureKind,
} from '../../src/ptp/usb/errors.js';

const MESSAGES: Array<[string, UsbFailureKind]> = [
  ['transferIn error: Stall', 'stall'],
  ['transferOut error: Stall', 'stall'],
  ['controlTransferIn error: endpoint stalled', 'stall'],
  ['LIBUSB_ERROR_PIPE', 'stall'],
  ['transferIn error: Cancelled', 'timeout'],
  ['LIBUSB_TRANSFER_TIMED_OUT', 'timeout'],
  ['LIBUSB_ERROR_TIMEOUT', 'timeout'],
  ['transferIn error: Disconnected', 'disconnected'],
  ['controlTransferOut error: device disconnected', 'disconnected'],
  ['open error: No such device (os error 19)', 'disconnected'],
  ['LIBUSB_ERROR_NO_DEVICE', 'disconnected'],
  ['claimInterface error: interface is busy (os error 16)', 'busy'],
  ['LIBUSB_ERROR_BUSY', 'busy'],
  ['open error: Permission denied (os error 13)', 'permission'],
  ['LIBUSB_ERROR_ACCESS', 'permission'],
  ['transferIn error: Fault', 'other'],
  ['transferIn error: endpoint not found', 'other'],
];

describe('USB failures', () => {
  it.each(MESSAGES)('%s → %s', (message, kind) => {
    expect(usbFailureKind(new Error(message))).toBe(kind);
  });

  it('error classes carry stable codes, their facts, and the cause', () => {
    const cause = new Error('claimInterface error: interface is busy (os error 16)');
    const table: Array<[Error, string, string, Record<string, unknown>]> = [
      [new PtpUsbBusyError(1, { cause }), 'ERR_CAMCTL_PTP_USB_BUSY', 'PtpUsbBusyError', { interfaceNumber: 1, cause }],
      [
        new PtpUsbUnavailableError('no-bus', 'no bus'),
        'ERR_CAMCTL_PTP_USB_UNAVAILABLE',
        'PtpUsbUnavailableError',
        { reason: 'no-bus' },
      ],
      [
        new PtpUsbStallError(0x81, 0x2007),
        'ERR_CAMCTL_PTP_USB_STALL',
        'PtpUsbStallError',
        { endpoint: 0x81, deviceStatus: 0x2007 },
      ],
    ];
    for (const [e, code, name, fields] of table) expect(e).toMatchObject({ code, name, ...fields });
    expect(new PtpUsbStallError(0x02, undefined).message).toBe(
      'the camera stalled USB endpoint 0x02; the halt was cleared, this transaction is lost, the session carries on',
    );
    expect(new PtpUsbStallError(0x81, 0x2007).message).toContain('IncompleteTransfer, 0x2007');
  });
});

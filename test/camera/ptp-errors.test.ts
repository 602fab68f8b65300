/**
 * One table for the PTP errors crossing into the Camera layer, over either link (docs/architecture.md: errors
 * are classes with a stable code): what `camctl … --json` reports for ptpip:// and usb: alike.
 * (Camera and foreign errors passing through unchanged: errors.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { CameraError } from '../../src/camera/errors.js';
import { toCameraError } from '../../src/camera/to-camera-error.js';
import { Op, Resp } from '../../src/ptp/codes.js';
import {
  PtpAbortError,
  PtpClosedError,
  PtpIpInitError,
  PtpLimitError,
  PtpProtocolError,
  PtpResponseError,
  PtpTimeoutError,
} from '../../src/ptp/errors.js';
import { PtpUsbBusyError, PtpUsbStallError, PtpUsbUnavailableError } from '../../src/ptp/usb/errors.js';

describe('PTP errors become Camera errors', () => {
  it.each<[string, Error, boolean, string, string | number | undefined, string | undefined]>([
    ['DeviceBusy', new PtpResponseError(Resp.DeviceBusy, Op.InitiateCapture), false, 'BUSY', '0x2019', 'DeviceBusy'],
    [
      'InvalidObjectHandle',
      new PtpResponseError(Resp.InvalidObjectHandle, Op.GetObjectInfo),
      false,
      'NOT_FOUND',
      '0x2009',
      'InvalidObjectHandle',
    ],
    [
      'an unmapped response',
      new PtpResponseError(Resp.GeneralError, Op.GetObject),
      false,
      'CAMERA_ERROR',
      '0x2002',
      'GeneralError',
    ],
    ['a phase timeout', new PtpTimeoutError('data', 10), false, 'TIMEOUT', undefined, undefined],
    ['an abort', new PtpAbortError(), false, 'ABORTED', undefined, undefined],
    ['PTP/IP InitFail busy', new PtpIpInitError(2), true, 'BUSY', 2, undefined],
    ['a closed link while connecting', new PtpClosedError(), true, 'UNREACHABLE', undefined, undefined],
    ['a closed link later', new PtpClosedError(), false, 'CONNECTION_LOST', undefined, undefined],
    ['a protocol violation', new PtpProtocolError('bad packet'), false, 'PROTOCOL', undefined, undefined],
    ['a limit', new PtpLimitError('too big'), false, 'PROTOCOL', undefined, undefined],
    ['USB: interface held by gvfs', new PtpUsbBusyError(0), true, 'BUSY', undefined, undefined],
    ['USB: no bus', new PtpUsbUnavailableError('no-bus', 'no USB bus'), true, 'UNREACHABLE', undefined, undefined],
    [
      'USB: no permission',
      new PtpUsbUnavailableError('permission', 'permission denied'),
      true,
      'UNREACHABLE',
      undefined,
      undefined,
    ],
    [
      'USB: no usb binary',
      new PtpUsbUnavailableError('module-missing', 'cannot load usb'),
      true,
      'UNSUPPORTED',
      undefined,
      undefined,
    ],
    [
      'USB: stall with a device status',
      new PtpUsbStallError(0x81, Resp.DeviceBusy),
      false,
      'CAMERA_ERROR',
      '0x2019',
      'DeviceBusy',
    ],
    ['USB: stall without one', new PtpUsbStallError(0x02, undefined), false, 'CAMERA_ERROR', undefined, undefined],
  ])('%s', (_what, original, connecting, code, deviceCode, deviceMessage) => {
    const mapped = toCameraError(original, { connecting }) as CameraError;
    expect(mapped).toBeInstanceOf(CameraError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toBe(original.message);
    expect(mapped.deviceCode).toBe(deviceCode);
    expect(mapped.deviceMessage).toBe(deviceMessage);
    expect(mapped.cause).toBe(original);
  });

  it('the gvfs message says how to release the camera', () => {
    expect(toCameraError(new PtpUsbBusyError(0), { connecting: true }).message).toMatch(/gio mount -s gphoto2/);
  });
});

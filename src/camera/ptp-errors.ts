/**
 * PTP errors → Camera errors (camera/errors.ts), keeping the device's response code and name in
 * `deviceCode`/`deviceMessage` and the original in `cause`, so `camctl … --json` reports a
 * PTP failure (over IP or USB) with the same stable codes as every other protocol.
 */
import { codeName, hex16, Resp } from '../ptp/codes.js';
import { PtpAbortError, PtpClosedError, PtpIpInitError, PtpLimitError, PtpProtocolError, PtpResponseError, PtpTimeoutError } from '../ptp/errors.js';
import { PtpUsbBusyError, PtpUsbStallError, PtpUsbUnavailableError } from '../ptp/usb/errors.js';
import { CameraError, type CameraErrorCode } from './errors.js';

const RESPONSE_CODES: Readonly<Record<number, CameraErrorCode>> = {
  [Resp.DeviceBusy]: 'BUSY',
  [Resp.InvalidObjectHandle]: 'NOT_FOUND',
  [Resp.InvalidStorageID]: 'NOT_FOUND',
  [Resp.InvalidParentObject]: 'NOT_FOUND',
  [Resp.StoreNotAvailable]: 'NOT_FOUND',
  [Resp.OperationNotSupported]: 'UNSUPPORTED',
  [Resp.DevicePropNotSupported]: 'UNKNOWN_SETTING',
  [Resp.TransactionCancelled]: 'ABORTED',
};

/**
 * @param connecting the error happened while opening the connection: a refused or closed socket
 *   then means nothing answers at the address (`UNREACHABLE`), not a broken link.
 */
export function ptpToCameraError(err: unknown, connecting = false): Error {
  if (err instanceof CameraError) return err;
  if (err instanceof PtpResponseError) {
    const name = codeName('response', err.responseCode);
    return new CameraError(RESPONSE_CODES[err.responseCode] ?? 'CAMERA_ERROR', err.message, {
      cause: err,
      deviceCode: hex16(err.responseCode),
      deviceMessage: name,
    });
  }
  if (err instanceof PtpTimeoutError) return new CameraError('TIMEOUT', err.message, { cause: err });
  if (err instanceof PtpAbortError) return new CameraError('ABORTED', err.message, { cause: err });
  if (err instanceof PtpIpInitError) {
    return new CameraError(err.reason === 2 ? 'BUSY' : 'CAMERA_ERROR', err.message, { cause: err, deviceCode: err.reason });
  }
  // Another program (gvfs…) holds the interface: the camera is there but taken.
  if (err instanceof PtpUsbBusyError) return new CameraError('BUSY', err.message, { cause: err });
  if (err instanceof PtpUsbUnavailableError) {
    // Without the usb package's binary camctl cannot do USB at all; otherwise (no bus, no permission) nothing answers.
    return new CameraError(err.reason === 'module-missing' ? 'UNSUPPORTED' : 'UNREACHABLE', err.message, { cause: err });
  }
  if (err instanceof PtpUsbStallError) {
    const status = err.deviceStatus === undefined ? {} : { deviceCode: hex16(err.deviceStatus), deviceMessage: codeName('response', err.deviceStatus) };
    return new CameraError('CAMERA_ERROR', err.message, { cause: err, ...status });
  }
  if (err instanceof PtpClosedError) return new CameraError(connecting ? 'UNREACHABLE' : 'CONNECTION_LOST', err.message, { cause: err });
  if (err instanceof PtpProtocolError || err instanceof PtpLimitError) return new CameraError('PROTOCOL', err.message, { cause: err });
  if (err instanceof Error && err.name === 'AbortError') return new CameraError('ABORTED', err.message, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

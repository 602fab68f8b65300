/**
 * The one mapping from the protocol clients' errors to Camera errors (camera/errors.ts): Sequoia
 * client, OSC client and PTP (over IP or USB) errors become a {@link CameraError} with the stable
 * codes `camctl … --json` prints, the camera's own code and words in `deviceCode`/`deviceMessage`,
 * its HTTP status in `deviceHttpStatus`, and the original error in `cause`. Every Camera adapter
 * goes through it, so one failure reads the same whatever protocol it came over.
 */
import { OscClientError, type OscClientErrorCode } from '../osc/errors.js';
import { codeName, hex16, Resp } from '../ptp/codes.js';
import {
  PtpAbortError,
  PtpClosedError,
  PtpIpInitError,
  PtpLimitError,
  PtpProtocolError,
  PtpResponseError,
  PtpTimeoutError,
} from '../ptp/errors.js';
import { PtpUsbBusyError, PtpUsbStallError, PtpUsbUnavailableError } from '../ptp/usb/errors.js';
import { SequoiaError, type SequoiaErrorCode } from '../sequoia/client-errors.js';
import { CameraError, type CameraErrorCode } from './errors.js';

/** How the failure happened, where the error alone does not say. */
export interface CameraErrorContext {
  /**
   * The error happened while opening the connection: a refused or closed socket then means
   * nothing answers at the address (`UNREACHABLE`), not a broken link.
   */
  connecting?: boolean;
}

/**
 * The Camera error of any failure of a protocol client. A CameraError is returned as it is, an
 * error of no camctl protocol layer too (a programming error must not pass for a camera's).
 */
export function toCameraError(err: unknown, context: CameraErrorContext = {}): Error {
  if (err instanceof CameraError) return err;
  if (err instanceof SequoiaError) return fromSequoia(err);
  if (err instanceof OscClientError) return fromOsc(err);
  const ptp = fromPtp(err, context.connecting ?? false);
  if (ptp) return ptp;
  if (err instanceof Error && err.name === 'AbortError') return new CameraError('ABORTED', err.message, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

// Sequoia ------------------------------------------------------------------------------------

const SEQUOIA_CODES: Readonly<Record<SequoiaErrorCode, CameraErrorCode>> = {
  ERR_CAMCTL_SEQUOIA_UNREACHABLE: 'UNREACHABLE',
  ERR_CAMCTL_SEQUOIA_TIMEOUT: 'TIMEOUT',
  ERR_CAMCTL_SEQUOIA_ABORTED: 'ABORTED',
  ERR_CAMCTL_SEQUOIA_CONNECTION_LOST: 'CONNECTION_LOST',
  ERR_CAMCTL_SEQUOIA_NOT_FOUND: 'NOT_FOUND',
  ERR_CAMCTL_SEQUOIA_BAD_REPLY: 'PROTOCOL',
  ERR_CAMCTL_SEQUOIA_REPLY_TOO_LARGE: 'PROTOCOL',
  ERR_CAMCTL_SEQUOIA_CAMERA_ERROR: 'CAMERA_ERROR',
  ERR_CAMCTL_SEQUOIA_SIZE_MISMATCH: 'SIZE_MISMATCH',
  ERR_CAMCTL_SEQUOIA_BAD_ARGUMENT: 'BAD_PATH',
  ERR_CAMCTL_SEQUOIA_CLOSED: 'CLOSED',
  ERR_CAMCTL_SEQUOIA_HTTP_STATUS: 'CAMERA_ERROR',
};

function fromSequoia(err: SequoiaError): CameraError {
  // 409 Conflict is how the Sequoia says it is doing something else (capture, calibration).
  const code = err.httpStatus === 409 ? 'BUSY' : SEQUOIA_CODES[err.code];
  const o: { cause: unknown; deviceCode?: number; deviceMessage?: string; deviceHttpStatus?: number } = { cause: err };
  if (err.httpStatus !== undefined) {
    o.deviceCode = err.httpStatus;
    o.deviceHttpStatus = err.httpStatus;
  }
  if (err.deviceMessage !== undefined) o.deviceMessage = err.deviceMessage;
  return new CameraError(code, unreadableMedium(err) ?? err.message, o);
}

/** The emulator's (and a failing camera's) texts for a medium whose files cannot be read. */
const UNREADABLE = new Set(['Storage is corrupted', 'Storage error']);

/** A listing or download refused because the medium cannot be read, said in camera terms. */
function unreadableMedium(err: SequoiaError): string | undefined {
  if (err.deviceMessage === undefined || !UNREADABLE.has(err.deviceMessage)) return undefined;
  const medium = err.path?.split('/').filter(Boolean)[1];
  if (medium !== 'internal' && medium !== 'sd') return undefined;
  const where = medium === 'sd' ? 'SD card' : 'internal memory';
  const other = medium === 'sd' ? 'internal' : 'sd';
  return `the ${where} cannot be read (the camera says "${err.deviceMessage}"); save new pictures to the other medium: camctl config set storage_selected=${other}`;
}

// OSC ----------------------------------------------------------------------------------------

/** The camera's own OSC error codes (`error.code` of a command's reply) that have a Camera code. */
const OSC_CAMERA_CODES: Readonly<Record<string, CameraErrorCode>> = {
  notFound: 'NOT_FOUND',
  disabledCommand: 'BUSY',
  cameraInExclusiveUse: 'BUSY',
  invalidParameterValue: 'BAD_VALUE',
  invalidParameterName: 'UNKNOWN_SETTING',
};

const OSC_CODES: Readonly<Record<Exclude<OscClientErrorCode, 'ERR_CAMCTL_OSC_CAMERA_ERROR'>, CameraErrorCode>> = {
  ERR_CAMCTL_OSC_TIMEOUT: 'TIMEOUT',
  ERR_CAMCTL_OSC_ABORTED: 'ABORTED',
  ERR_CAMCTL_OSC_UNREACHABLE: 'UNREACHABLE',
  // Wrong credentials are the camera refusing us, not a protocol fault.
  ERR_CAMCTL_OSC_AUTH: 'CAMERA_ERROR',
  ERR_CAMCTL_OSC_UNSUPPORTED: 'UNSUPPORTED',
  ERR_CAMCTL_OSC_PROTOCOL: 'PROTOCOL',
  ERR_CAMCTL_OSC_HTTP: 'PROTOCOL',
};

function fromOsc(err: OscClientError): CameraError {
  const code =
    err.code === 'ERR_CAMCTL_OSC_CAMERA_ERROR'
      ? (OSC_CAMERA_CODES[err.oscCode ?? ''] ?? 'CAMERA_ERROR')
      : OSC_CODES[err.code];
  const o: { cause: unknown; deviceCode?: string; deviceHttpStatus?: number } = { cause: err };
  if (err.oscCode !== undefined) o.deviceCode = err.oscCode;
  if (err.status !== undefined) o.deviceHttpStatus = err.status;
  return new CameraError(code, err.message, o);
}

// PTP ----------------------------------------------------------------------------------------

const PTP_RESPONSE_CODES: Readonly<Record<number, CameraErrorCode>> = {
  [Resp.DeviceBusy]: 'BUSY',
  [Resp.InvalidObjectHandle]: 'NOT_FOUND',
  [Resp.InvalidStorageID]: 'NOT_FOUND',
  [Resp.InvalidParentObject]: 'NOT_FOUND',
  [Resp.StoreNotAvailable]: 'NOT_FOUND',
  [Resp.OperationNotSupported]: 'UNSUPPORTED',
  [Resp.DevicePropNotSupported]: 'UNKNOWN_SETTING',
  [Resp.TransactionCancelled]: 'ABORTED',
};

function fromPtp(err: unknown, connecting: boolean): CameraError | undefined {
  if (err instanceof PtpResponseError) {
    return new CameraError(PTP_RESPONSE_CODES[err.responseCode] ?? 'CAMERA_ERROR', err.message, {
      cause: err,
      deviceCode: hex16(err.responseCode),
      deviceMessage: codeName('response', err.responseCode),
    });
  }
  if (err instanceof PtpTimeoutError) return new CameraError('TIMEOUT', err.message, { cause: err });
  if (err instanceof PtpAbortError) return new CameraError('ABORTED', err.message, { cause: err });
  if (err instanceof PtpIpInitError) {
    return new CameraError(err.reason === 2 ? 'BUSY' : 'CAMERA_ERROR', err.message, {
      cause: err,
      deviceCode: err.reason,
    });
  }
  // Another program (gvfs…) holds the interface: the camera is there but taken.
  if (err instanceof PtpUsbBusyError) return new CameraError('BUSY', err.message, { cause: err });
  if (err instanceof PtpUsbUnavailableError) {
    // Without the usb package's binary camctl cannot do USB at all; otherwise (no bus, no permission) nothing answers.
    return new CameraError(err.reason === 'module-missing' ? 'UNSUPPORTED' : 'UNREACHABLE', err.message, {
      cause: err,
    });
  }
  if (err instanceof PtpUsbStallError) {
    const status =
      err.deviceStatus === undefined
        ? {}
        : { deviceCode: hex16(err.deviceStatus), deviceMessage: codeName('response', err.deviceStatus) };
    return new CameraError('CAMERA_ERROR', err.message, { cause: err, ...status });
  }
  if (err instanceof PtpClosedError)
    return new CameraError(connecting ? 'UNREACHABLE' : 'CONNECTION_LOST', err.message, { cause: err });
  if (err instanceof PtpProtocolError || err instanceof PtpLimitError)
    return new CameraError('PROTOCOL', err.message, { cause: err });
  return undefined;
}

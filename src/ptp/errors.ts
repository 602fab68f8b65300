/**
 * PTP error classes. Each has a stable `code` (docs/architecture.md "Errors are classes with a stable code");
 * the device's own response code travels in `responseCode`, the wrapped error in `cause`.
 *
 * @example
 * try { await session.transaction(Op.GetObjectInfo, [h]); }
 * catch (e) { if (e instanceof PtpResponseError && e.responseCode === Resp.InvalidObjectHandle) … }
 */
import { codeName, hex16 } from './codes.js';
import { CamctlError } from '../util/errors.js';

/** The device answered with a response code other than OK. */
export class PtpResponseError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_RESPONSE';
  constructor(
    readonly responseCode: number,
    readonly operationCode: number,
    readonly params: readonly number[] = [],
    vendorExtensionId?: number,
  ) {
    super(
      'ERR_CAMCTL_PTP_RESPONSE',
      `${codeName('operation', operationCode, vendorExtensionId)} failed: ${codeName('response', responseCode)} (${hex16(responseCode)})`,
    );
  }
}

/** The phase of a PTP exchange an error belongs to. */
export type PtpPhase = 'connect' | 'init' | 'command' | 'data' | 'close';

/** A phase did not finish in time. */
export class PtpTimeoutError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_TIMEOUT';
  constructor(
    readonly phase: PtpPhase,
    readonly timeoutMs: number,
  ) {
    super('ERR_CAMCTL_PTP_TIMEOUT', `PTP ${phase} timed out after ${timeoutMs} ms`);
  }
}

/** The caller's AbortSignal fired. */
export class PtpAbortError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_ABORTED';
  constructor(options?: { cause?: unknown }) {
    super('ERR_CAMCTL_PTP_ABORTED', 'PTP operation aborted', options);
  }
}

/** The peer broke the protocol (bad packet, wrong order, lying length). */
export class PtpProtocolError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_PROTOCOL';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CAMCTL_PTP_PROTOCOL', message, options);
  }
}

/** The connection is gone (closed by either side, or reset). */
export class PtpClosedError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_CLOSED';
  constructor(message = 'PTP connection closed', options?: { cause?: unknown }) {
    super('ERR_CAMCTL_PTP_CLOSED', message, options);
  }
}

/** A configured limit was exceeded (packet size, data size, connections). */
export class PtpLimitError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_LIMIT';
  constructor(message: string) {
    super('ERR_CAMCTL_PTP_LIMIT', message);
  }
}

/** The responder refused the PTP/IP init handshake (InitFail). */
export class PtpIpInitError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTPIP_INIT_FAIL';
  constructor(readonly reason: number) {
    super(
      'ERR_CAMCTL_PTPIP_INIT_FAIL',
      `PTP/IP responder refused the connection (InitFail reason ${reason}${INIT_FAIL_NAMES[reason] ? `: ${INIT_FAIL_NAMES[reason]}` : ''})`,
    );
  }
}

const INIT_FAIL_NAMES: Record<number, string> = { 1: 'rejected initiator', 2: 'busy', 3: 'unspecified' };

/** The {@link PtpAbortError} for an aborted signal, with the signal's reason as its cause. */
export function abortError(signal: AbortSignal): PtpAbortError {
  return new PtpAbortError({ cause: signal.reason });
}

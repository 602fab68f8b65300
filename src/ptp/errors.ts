/**
 * PTP error classes. Each has a stable `code` (docs/architecture.md "Errors are classes with a stable code");
 * the device's own response code travels in `responseCode`, the wrapped error in `cause`.
 *
 * @example
 * try { await session.transaction(Op.GetObjectInfo, [h]); }
 * catch (e) { if (e instanceof PtpResponseError && e.responseCode === Resp.InvalidObjectHandle) … }
 */
import { codeName, hex16 } from './codes.js';

/** The device answered with a response code other than OK. */
export class PtpResponseError extends Error {
  readonly code = 'PTP_RESPONSE';
  constructor(
    readonly responseCode: number,
    readonly operationCode: number,
    readonly params: readonly number[] = [],
    vendorExtensionId?: number,
  ) {
    super(`${codeName('operation', operationCode, vendorExtensionId)} failed: ${codeName('response', responseCode)} (${hex16(responseCode)})`);
    this.name = 'PtpResponseError';
  }
}

/** The phase of a PTP exchange an error belongs to. */
export type PtpPhase = 'connect' | 'init' | 'command' | 'data' | 'close';

/** A phase did not finish in time. */
export class PtpTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(
    readonly phase: PtpPhase,
    readonly timeoutMs: number,
  ) {
    super(`PTP ${phase} timed out after ${timeoutMs} ms`);
    this.name = 'PtpTimeoutError';
  }
}

/** The caller's AbortSignal fired. */
export class PtpAbortError extends Error {
  readonly code = 'ABORTED';
  constructor(options?: { cause?: unknown }) {
    super('PTP operation aborted', options);
    this.name = 'PtpAbortError';
  }
}

/** The peer broke the protocol (bad packet, wrong order, lying length). */
export class PtpProtocolError extends Error {
  readonly code = 'PTP_PROTOCOL';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PtpProtocolError';
  }
}

/** The connection is gone (closed by either side, or reset). */
export class PtpClosedError extends Error {
  readonly code = 'PTP_CLOSED';
  constructor(message = 'PTP connection closed', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PtpClosedError';
  }
}

/** A configured limit was exceeded (packet size, data size, connections). */
export class PtpLimitError extends Error {
  readonly code = 'PTP_LIMIT';
  constructor(message: string) {
    super(message);
    this.name = 'PtpLimitError';
  }
}

/** The responder refused the PTP/IP init handshake (InitFail). */
export class PtpIpInitError extends Error {
  readonly code = 'PTPIP_INIT_FAIL';
  constructor(readonly reason: number) {
    super(`PTP/IP responder refused the connection (InitFail reason ${reason}${INIT_FAIL_NAMES[reason] ? `: ${INIT_FAIL_NAMES[reason]}` : ''})`);
    this.name = 'PtpIpInitError';
  }
}

const INIT_FAIL_NAMES: Record<number, string> = { 1: 'rejected initiator', 2: 'busy', 3: 'unspecified' };

/** The {@link PtpAbortError} for an aborted signal, with the signal's reason as its cause. */
export function abortError(signal: AbortSignal): PtpAbortError {
  return new PtpAbortError({ cause: signal.reason });
}

/**
 * Errors of the OSC client. `code` is stable for programs; the camera's own error code (e.g.
 * `invalidSessionId`) is in `oscCode`, the HTTP status in `status`, the lower error in `cause`.
 */
export type OscClientErrorCode =
  /** The camera answered `state: "error"` (see `oscCode`). */
  | 'OSC_ERROR'
  /** A phase (connect, reply, body) or the whole command took longer than allowed. */
  | 'TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** Nothing answers at the address. */
  | 'UNREACHABLE'
  /** Digest authentication failed. */
  | 'AUTH'
  /** The reply cannot be understood (not JSON, required field missing or mistyped). */
  | 'PROTOCOL'
  /** An HTTP error without an OSC body. */
  | 'HTTP'
  /** The camera cannot do what was asked of the client (an API level its firmware lacks). */
  | 'UNSUPPORTED';

/** An error of the OSC client with a stable `code`; the camera's own OSC error code and HTTP status where it sent one. */
export class OscClientError extends Error {
  constructor(
    readonly code: OscClientErrorCode,
    message: string,
    readonly details: { oscCode?: string; status?: number; command?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OscClientError';
  }

  get oscCode(): string | undefined {
    return this.details.oscCode;
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

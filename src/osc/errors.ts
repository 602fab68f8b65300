import { CamctlError } from '../util/errors.js';

/**
 * Errors of the OSC client. `code` is stable for programs; the camera's own error code (e.g.
 * `invalidSessionId`) is in `oscCode`, the HTTP status in `status`, the lower error in `cause`.
 */
export type OscClientErrorCode =
  /** The camera answered `state: "error"` (see `oscCode`). */
  | 'ERR_CAMCTL_OSC_CAMERA_ERROR'
  /** A phase (connect, reply, body) or the whole command took longer than allowed. */
  | 'ERR_CAMCTL_OSC_TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ERR_CAMCTL_OSC_ABORTED'
  /** Nothing answers at the address. */
  | 'ERR_CAMCTL_OSC_UNREACHABLE'
  /** Digest authentication failed. */
  | 'ERR_CAMCTL_OSC_AUTH'
  /** The reply cannot be understood (not JSON, required field missing or mistyped). */
  | 'ERR_CAMCTL_OSC_PROTOCOL'
  /** An HTTP error without an OSC body. */
  | 'ERR_CAMCTL_OSC_HTTP'
  /** The camera cannot do what was asked of the client (an API level its firmware lacks). */
  | 'ERR_CAMCTL_OSC_UNSUPPORTED';

/** An error of the OSC client with a stable `code`; the camera's own OSC error code and HTTP status where it sent one. */
export class OscClientError extends CamctlError {
  declare readonly code: OscClientErrorCode;
  constructor(
    code: OscClientErrorCode,
    message: string,
    readonly details: { oscCode?: string; status?: number; command?: string; cause?: unknown } = {},
  ) {
    super(code, message, details);
  }

  get oscCode(): string | undefined {
    return this.details.oscCode;
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

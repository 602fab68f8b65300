/**
 * Errors of the Camera layer. Each has a stable `code` that scripts and the CLI can rely on; the
 * camera's own words go in `deviceCode`/`deviceMessage`, the lower-level error in `cause`
 * (docs/architecture.md: errors are classes with a stable code).
 */
import type { CameraErrorCode } from './error-codes.js';
import type { SetResult } from './types.js';

export type { CameraErrorCode } from './error-codes.js';
import { CamctlError } from '../util/errors.js';

/** An error of the Camera layer, whatever the protocol: a stable `code`, a message in camera language, the protocol's own error in `cause`. */
export class CameraError extends CamctlError {
  /**
   * Short codes (`BUSY`, not `ERR_CAMCTL_CAMERA_BUSY`): they were published before the
   * `ERR_CAMCTL_*` scheme, `camctl … --json` prints them and scripts compare them, so they stay as
   * they are. Read them as the Camera layer's namespace of that scheme with the prefix left off;
   * the class tells a CameraError apart from the other layers' errors.
   */
  declare readonly code: CameraErrorCode;
  /** The camera's own error code (PTP response code, OSC error code…), when it has one. */
  readonly deviceCode: string | number | undefined;
  /** The camera's own error text ("Bad value", "Not available"…). */
  readonly deviceMessage: string | undefined;
  /**
   * The HTTP status the camera answered with, for cameras that speak HTTP (Sequoia, OSC): whether
   * the camera refused the request (4xx) or failed at it (5xx).
   */
  readonly deviceHttpStatus: number | undefined;

  constructor(
    code: CameraErrorCode,
    message: string,
    options: { cause?: unknown; deviceCode?: string | number; deviceMessage?: string; deviceHttpStatus?: number } = {},
  ) {
    super(code, message, options);
    this.deviceCode = options.deviceCode;
    this.deviceMessage = options.deviceMessage;
    this.deviceHttpStatus = options.deviceHttpStatus;
  }
}

/** Thrown by `setConfig` when the camera rejects at least one key; `results` has every key's answer. */
export class CameraSettingError extends CameraError {
  constructor(
    readonly results: readonly SetResult[],
    options: { cause?: unknown } = {},
  ) {
    const bad = results.filter((r) => !r.ok);
    super('REJECTED', `camera rejected ${bad.map((r) => `${r.key} (${r.message})`).join(', ')}`, {
      ...options,
      deviceMessage: bad.map((r) => r.message).join('; '),
    });
  }
}

/**
 * Errors of the Camera layer. Each has a stable `code` that scripts and the CLI can rely on; the
 * camera's own words go in `deviceCode`/`deviceMessage`, the lower-level error in `cause`
 * (docs/architecture.md: errors are classes with a stable code).
 */
import type { SetResult } from './types.js';
import { CamctlError } from '../util/errors.js';

/** The stable codes of {@link CameraError}, for scripts and the CLI's exit status. */
export type CameraErrorCode =
  /** The address string cannot be parsed (`sequoia//x`, bad port…). */
  | 'BAD_ADDRESS'
  /** No adapter for the address scheme. */
  | 'UNKNOWN_SCHEME'
  /** The camera or adapter cannot do this (e.g. delete over a read-only protocol). */
  | 'UNSUPPORTED'
  | 'UNKNOWN_SETTING'
  /** A value fails the setting's description (checked before sending). */
  | 'BAD_VALUE'
  /** The camera refused one or more settings ({@link CameraSettingError}). */
  | 'REJECTED'
  | 'NOT_FOUND'
  /** The camera is doing something else (capture running, calibration…). */
  | 'BUSY'
  | 'TIMEOUT'
  | 'ABORTED'
  /** Nothing answers at the address. */
  | 'UNREACHABLE'
  /** The link broke in the middle of an exchange. */
  | 'CONNECTION_LOST'
  /** The camera went to sleep after its sleep delay without use (a THETA's sleepDelay): wake it. */
  | 'ASLEEP'
  /** The camera switched itself off after its auto power-off delay (a THETA's offDelay). */
  | 'POWERED_OFF'
  /** A camera path that cannot exist (`..`, wrong depth). */
  | 'BAD_PATH'
  /** The camera answered something this client cannot understand. */
  | 'PROTOCOL'
  /** A download ended with another size than announced. */
  | 'SIZE_MISMATCH'
  /** A downloaded file fails its format check (JPEG/TIFF markers). */
  | 'CORRUPT'
  /** The camera reported an error in its own terms (see `deviceMessage`). */
  | 'CAMERA_ERROR'
  /** The camera object was closed. */
  | 'CLOSED';

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

/**
 * The codes of the Camera layer's errors, apart from the error classes (errors.ts) so that the
 * Camera types (types.ts) can name them without the two files importing each other.
 */

/** The stable codes of `CameraError`, for scripts and the CLI's exit status. */
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
  /** The camera refused one or more settings (`CameraSettingError`). */
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

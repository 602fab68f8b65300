/**
 * Errors of the emulated THETA. The codes are the camera's own error vocabulary (the names RICOH's
 * API reference lists in protocols/errors.md), so a protocol face maps them one to one; the device
 * itself knows nothing of HTTP statuses.
 */
export type ThetaErrorCode =
  | 'unknownCommand'
  | 'disabledCommand'
  | 'missingParameter'
  | 'invalidParameterName'
  | 'invalidParameterValue'
  | 'invalidSessionId'
  | 'cameraInExclusiveUse'
  | 'corruptedFile'
  | 'powerOffSequenceRunning'
  | 'invalidFileFormat'
  | 'serviceUnavailable'
  | 'canceledShooting'
  | 'unexpected'
  | 'tooManyParameters'
  | 'notFound';

export class ThetaError extends Error {
  /** Stable code for programs: always `THETA_DEVICE`; the camera's own code is in `deviceCode`. */
  readonly code = 'THETA_DEVICE';
  constructor(
    readonly deviceCode: ThetaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ThetaError';
  }
}

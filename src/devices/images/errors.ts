import { CamctlError } from '../../util/errors.js';
/**
 * Errors of the image writers. Bad requests (a resolution the camera does not have, a truncated
 * IrradianceList) and malformed inputs to our own codecs end here, with a stable `code`.
 */
export type ImageErrorCode =
  /** A request field out of the camera's range (resolution, bit depth, band). */
  | 'ERR_CAMCTL_IMAGE_BAD_REQUEST'
  /** A TIFF structure that cannot be encoded (value too large, unknown type). */
  | 'ERR_CAMCTL_IMAGE_TIFF_ENCODE'
  /** JPEG bytes our segment parser or scan transcoder cannot read. */
  | 'ERR_CAMCTL_IMAGE_JPEG_FORMAT'
  /** An IrradianceList / IMU blob that is not whole records of base64. */
  | 'ERR_CAMCTL_IMAGE_BAD_RECORDS';

export class ImageError extends CamctlError {
  declare readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}

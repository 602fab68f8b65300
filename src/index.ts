/**
 * camctl: one {@link Camera} interface over every protocol the Parrot Sequoia and the RICOH THETA
 * speak — the Sequoia HTTP API (`sequoia://host`), the Open Spherical Camera API
 * (`theta://host`), PTP over IP (`ptpip://host`) and PTP over USB (`usb:`, `usb:BUS:DEV`).
 *
 * The protocol clients themselves are in `camctl/sequoia`, `camctl/osc` and `camctl/ptp`; the
 * emulated cameras in `camctl/emulator`.
 *
 * @example
 * ```ts
 * import { openCamera } from 'camctl';
 * const camera = await openCamera('sequoia://192.168.47.1');
 * console.log(await camera.status());
 * await camera.close();
 * ```
 * @packageDocumentation
 */
export {
  openCamera,
  registerCameraScheme,
  unregisterCameraScheme,
  BUILTIN_SCHEMES,
  type OpenCameraOptions,
  type CameraFactory,
} from './camera/open.js';
export type * from './camera/types.js';
export { CameraError, CameraSettingError, type CameraErrorCode } from './camera/errors.js';
export {
  parseCameraAddress,
  DEFAULT_PORTS,
  type CameraAddress,
  type NetworkAddress,
  type UsbAddress,
} from './camera/address.js';
export type * from './cli/json-shapes.js';
export type { FileReport } from './cli/download-choices.js';
export type { SyncSummary } from './camera/sync.js';
export type { SkipReason } from './camera/fetch.js';
export type { DetectedUsbCamera } from './camera/usb.js';
export type { S3SyncSummary } from './sync/s3-sync.js';
export type { PictureMetadata, PictureGps, PictureAttitude, PictureIrradiance } from './camera/picture-metadata.js';
export { JSON_SCHEMAS, type JsonSchema, type JsonCommand } from './cli/json-schemas.js';

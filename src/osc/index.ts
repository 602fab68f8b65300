/**
 * The Open Spherical Camera API as the RICOH THETA speaks it (OSC v2.0 and v2.1, RICOH's
 * theta-api-specs): {@link OscClient}, its errors, the live-preview parser and the reply types.
 *
 * @example
 * ```ts
 * import { OscClient } from 'camctl/osc';
 * const theta = new OscClient({ baseUrl: 'http://192.168.1.1' });
 * await theta.connect();
 * console.log(await theta.takePicture());
 * ```
 * @packageDocumentation
 */
export {
  OscClient,
  type OscClientOptions,
  type RequestOptions,
  type CommandOptions,
  type DownloadOptions,
  type FileListOptions,
} from './client.js';
export { OscClientError, type OscClientErrorCode } from './errors.js';
export type { DigestCredentials } from './digest.js';
export { LivePreviewParser, boundaryOf } from './live-preview.js';
export * from './types.js';

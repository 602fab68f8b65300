/**
 * The Parrot Sequoia's own API, as Parrot's Sequoia API reference describes it: {@link SequoiaClient}
 * has one typed method per HTTP endpoint, {@link SequoiaEvents} follows the WebSocket
 * notifications (answering the camera's pings, reconnecting after a dropped link), and the reply
 * types are the camera's JSON shapes.
 *
 * @example
 * ```ts
 * import { SequoiaClient } from 'camctl/sequoia';
 * const sequoia = new SequoiaClient({ baseUrl: 'http://192.168.47.1' });
 * console.log(await sequoia.status());
 * ```
 * @packageDocumentation
 */
export {
  SequoiaClient,
  cameraSegments,
  type SequoiaClientOptions,
  type CallOptions,
  type SequoiaFile,
  type SequoiaFolder,
  type CalibrationAction,
  type DeepPartial,
} from './client.js';
export type {
  SequoiaDownloadOptions,
  SequoiaDownloadResult,
  DownloadProgress as SequoiaDownloadProgress,
} from './client-download.js';
export type { PhaseTimeouts } from '../util/http-client.js';
export { SequoiaError, SequoiaSettingError, type SequoiaErrorCode, type RequestPhase } from './client-errors.js';
export {
  SequoiaEvents,
  type SequoiaEventItem,
  type SequoiaEventOptions,
  type NotificationMessage,
  type StateReader,
} from './events-client.js';
export * from './types.js';

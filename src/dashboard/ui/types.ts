/** Types the page uses, from the shared API shapes (one set of types for server and page). */
export type * from '../api-types.js';
export type { MediumStatus, RemoteFile, SettingValue } from '../../camera/types.js';

/**
 * Open Spherical Camera (OSC) API shapes shared by the client (client.ts) and the emulator's server
 * face (src/emulator/theta/osc-server.ts), so the two cannot drift apart (docs/architecture.md rule 2).
 *
 * Facts: docs/osc.md; RICOH's THETA API v2.0 / v2.1 reference (ricohapi/theta-api-specs,
 * protocols/*.md); replies recorded from real cameras (test/fixtures/theta-real/).
 */

/**
 * The exact JSON content type of a THETA reply. The space after `;` matters: the npm `osc-client`
 * follows an in-progress command only when `content-type` is byte-for-byte this string.
 */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Boundary of the live-preview multipart stream as the THETA S sends it (docs/osc.md "Live preview"). */
export const LIVE_PREVIEW_BOUNDARY = '---osclivepreview---';

/** The five protocol paths of `/osc/info.api`. */
export const OSC_PATHS = [
  '/osc/info',
  '/osc/state',
  '/osc/checkForUpdates',
  '/osc/commands/execute',
  '/osc/commands/status',
] as const;

/** OSC error codes with the HTTP status the THETA answers them with (errors.md of v2.0 and v2.1). */
export const OSC_ERROR_STATUS = {
  unknownCommand: 400,
  disabledCommand: 403,
  missingParameter: 400,
  invalidParameterName: 400,
  invalidParameterValue: 400,
  invalidSessionId: 403,
  cameraInExclusiveUse: 400,
  corruptedFile: 403,
  powerOffSequenceRunning: 403,
  invalidFileFormat: 403,
  serviceUnavailable: 503,
  canceledShooting: 403,
  unexpected: 503,
  tooManyParameters: 403,
  notFound: 404,
} as const;

/** An OSC error code the THETA uses (see {@link OSC_ERROR_STATUS}). */
export type OscErrorCode = keyof typeof OSC_ERROR_STATUS;

/** Whether `code` is one of the OSC error codes the THETA uses. */
export function isOscErrorCode(code: string): code is OscErrorCode {
  return Object.prototype.hasOwnProperty.call(OSC_ERROR_STATUS, code);
}

/** HTTP status for an error code; unknown codes (newer firmware) are treated as `unexpected`. */
export function statusForOscError(code: string): number {
  return isOscErrorCode(code) ? OSC_ERROR_STATUS[code] : 503;
}

/** The `error` object of a failed command. */
export interface OscErrorBody {
  code: string;
  message: string;
}

/** A command's state in its reply. */
export type CommandState = 'done' | 'inProgress' | 'error';

/** Reply of `/osc/commands/execute` and `/osc/commands/status`. */
export interface CommandResponse<R = Record<string, unknown>> {
  name: string;
  state: CommandState | (string & {});
  id?: string;
  results?: R;
  error?: OscErrorBody;
  progress?: { completion: number };
}

/** The body of `POST /osc/commands/execute`. */
export interface CommandRequest {
  name: string;
  parameters?: Record<string, unknown>;
}

/** `GET /osc/info` (info_s.json). */
export interface OscInfo {
  manufacturer: string;
  model: string;
  serialNumber: string;
  firmwareVersion: string;
  supportUrl: string;
  gps: boolean;
  gyro: boolean;
  uptime: number;
  api: string[];
  endpoints: { httpPort: number; httpUpdatesPort: number };
  /** Absent on firmware that only knows v2.0 (info_s_old.json). */
  apiLevel?: number[];
  [extra: string]: unknown;
}

/** `_captureStatus` in `/osc/state`; other values pass through. */
export type CaptureStatus = 'idle' | 'shooting' | 'self-timer countdown' | 'bracket shooting' | (string & {});
/** `_batteryState` in `/osc/state`; other values pass through. */
export type BatteryState = 'charging' | 'charged' | 'disconnect' | (string & {});

/** `POST /osc/state` → state, the union of the v2.0 and v2.1 fields (state_s_api1/2.json). */
export interface OscStateBody {
  batteryLevel: number;
  _captureStatus?: CaptureStatus;
  _recordedTime?: number;
  _recordableTime?: number;
  _batteryState?: BatteryState;
  _apiVersion?: number;
  _cameraError?: string[];
  _compositeShootingElapsedTime?: number;
  /** v2.0 only. */
  sessionId?: string;
  storageChanged?: boolean;
  _latestFileUri?: string;
  /** v2.1 only. */
  storageUri?: string;
  _latestFileUrl?: string;
  [extra: string]: unknown;
}

/** Reply of `POST /osc/state`. */
export interface OscState {
  fingerprint: string;
  state: OscStateBody;
}

/** Reply of `POST /osc/checkForUpdates`. */
export interface CheckForUpdatesReply {
  stateFingerprint: string;
  throttleTimeout: number;
}

/** One entry of `camera._listAll` (v2.0) or `camera.listFiles` (v2.1). */
export interface OscFileEntry {
  name: string;
  size: number;
  /** v2.0 */
  uri?: string;
  /** v2.1 */
  fileUrl?: string;
  dateTimeZone?: string;
  dateTime?: string;
  width?: number;
  height?: number;
  lat?: number;
  lng?: number;
  recordTime?: number;
  _recordTime?: number;
  thumbnail?: string;
  _thumbSize?: number;
  isProcessed?: boolean;
  previewUrl?: string;
  _intervalCaptureGroupId?: string;
  [extra: string]: unknown;
}

/** Reply of `camera.listFiles` (v2.1) / `camera._listAll` (v2.0). */
export interface ListReply {
  entries: OscFileEntry[];
  totalEntries: number;
  continuationToken?: string;
}

/** `fileFormat` option value. */
export interface FileFormat {
  type: 'jpeg' | 'mp4' | (string & {});
  width: number;
  height: number;
  [extra: string]: unknown;
}

/** `previewFormat` (v2.1): the live preview's size and frame rate. */
export interface PreviewFormat {
  width: number;
  height: number;
  framerate: number;
}

/** Command names (the `camera.` prefix included) the THETA S answers, per API level. */
export const COMMANDS_V20 = [
  'camera.startSession',
  'camera.updateSession',
  'camera.closeSession',
  'camera.takePicture',
  'camera._startCapture',
  'camera._stopCapture',
  'camera.listImages',
  'camera._listAll',
  'camera.delete',
  'camera.getImage',
  'camera._getVideo',
  'camera._getLivePreview',
  'camera.getMetadata',
  'camera.getOptions',
  'camera.setOptions',
  'camera._stopSelfTimer',
  'camera._finishWlan',
  // S firmware 01.82 and later.
  'camera._getMySetting',
  'camera._setMySetting',
] as const;

/**
 * v2.1 has no sessions: the S answers startSession, updateSession and closeSession (and every other
 * v2.0-only command) with `unknownCommand` once switched (theta-api-specs theta-web-api-v2.1/README.md
 * lists no session command; getting_started.md starts the session while still in v2.0).
 */
export const COMMANDS_V21 = [
  'camera.takePicture',
  'camera.startCapture',
  'camera.stopCapture',
  'camera.listFiles',
  'camera.delete',
  'camera.getLivePreview',
  'camera.getOptions',
  'camera.setOptions',
  'camera.reset',
  'camera._stopSelfTimer',
  'camera._finishWlan',
  'camera._getMetadata',
  'camera._getMySetting',
  'camera._setMySetting',
] as const;

/**
 * Most file URLs one v2.1 `camera.delete` takes; more is `tooManyParameters` (theta-api-specs
 * theta-web-api-v2.1/commands/camera.delete.md: "The number of file URLs is up to 128").
 */
export const MAX_DELETE_URLS = 128;

/** Defaults of the server face's limits (docs/architecture.md: "Limits are options with safe defaults"). */
export const OSC_LIMITS = {
  /** Largest accepted request body; a THETA command is a few hundred bytes. */
  maxBodyBytes: 64 * 1024,
  /** Longest `waitTimeout` of checkForUpdates honoured, in seconds. */
  maxWaitTimeoutS: 60,
  /** Live-preview streams open at once. */
  maxPreviewStreams: 4,
} as const;

/**
 * Errors of the dashboard server itself (as opposed to the cameras'), each with a stable `code`
 * and the HTTP status it is answered with. Camera errors are mapped in {@link httpStatusOf}.
 */
import { CameraError } from '../camera/errors.js';
import { S3SyncError } from '../sync/s3-errors.js';
import { CamctlError } from '../util/errors.js';

export type DashboardErrorCode =
  /** The Host header is not the address the dashboard is bound to (DNS rebinding). */
  | 'ERR_CAMCTL_DASHBOARD_FORBIDDEN_HOST'
  /** A state-changing request or WebSocket from another origin (CSRF, cross-site WebSocket). */
  | 'ERR_CAMCTL_DASHBOARD_FORBIDDEN_ORIGIN'
  | 'ERR_CAMCTL_DASHBOARD_BAD_REQUEST'
  | 'ERR_CAMCTL_DASHBOARD_NOT_FOUND'
  | 'ERR_CAMCTL_DASHBOARD_METHOD_NOT_ALLOWED'
  | 'ERR_CAMCTL_DASHBOARD_BODY_TOO_LARGE'
  | 'ERR_CAMCTL_DASHBOARD_UNSUPPORTED_MEDIA_TYPE'
  /** The camera exists but the dashboard has no working link to it right now. */
  | 'ERR_CAMCTL_DASHBOARD_CAMERA_OFFLINE'
  /** The UI was not built (`npm run build`). */
  | 'ERR_CAMCTL_DASHBOARD_UI_MISSING'
  /** The camera has had no S3 sync since the dashboard started. */
  | 'ERR_CAMCTL_DASHBOARD_NO_SYNC'
  /** A second S3 sync of a camera while one runs. */
  | 'ERR_CAMCTL_DASHBOARD_SYNC_RUNNING'
  /** Stopping an S3 sync when none runs. */
  | 'ERR_CAMCTL_DASHBOARD_SYNC_NOT_RUNNING';

const STATUS: Record<DashboardErrorCode, number> = {
  // 421 Misdirected Request: the request was not meant for this server (RFC 9110 §15.5.20).
  ERR_CAMCTL_DASHBOARD_FORBIDDEN_HOST: 421,
  ERR_CAMCTL_DASHBOARD_FORBIDDEN_ORIGIN: 403,
  ERR_CAMCTL_DASHBOARD_BAD_REQUEST: 400,
  ERR_CAMCTL_DASHBOARD_NOT_FOUND: 404,
  ERR_CAMCTL_DASHBOARD_METHOD_NOT_ALLOWED: 405,
  ERR_CAMCTL_DASHBOARD_BODY_TOO_LARGE: 413,
  ERR_CAMCTL_DASHBOARD_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_CAMCTL_DASHBOARD_CAMERA_OFFLINE: 503,
  ERR_CAMCTL_DASHBOARD_UI_MISSING: 500,
  ERR_CAMCTL_DASHBOARD_NO_SYNC: 404,
  ERR_CAMCTL_DASHBOARD_SYNC_RUNNING: 409,
  ERR_CAMCTL_DASHBOARD_SYNC_NOT_RUNNING: 409,
};

export class DashboardError extends CamctlError {
  declare readonly code: DashboardErrorCode;
  readonly status: number;
  constructor(code: DashboardErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.status = STATUS[code];
  }
}

/** HTTP status for any error reaching the API's error handler. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof DashboardError) return err.status;
  // Only the request's own mistakes reach the API (bucket URL, endpoint); the store's answers go
  // into the sync's state, read by the page.
  if (err instanceof S3SyncError) return err.code === 'ERR_CAMCTL_S3_BAD_ARGUMENT' ? 400 : 502;
  if (err instanceof CameraError) {
    switch (err.code) {
      case 'BAD_ADDRESS':
      case 'UNKNOWN_SCHEME':
      case 'UNKNOWN_SETTING':
      case 'BAD_VALUE':
      case 'BAD_PATH':
        return 400;
      case 'REJECTED':
        return 422;
      case 'NOT_FOUND':
        return 404;
      case 'BUSY':
        return 409;
      case 'UNSUPPORTED':
        return 501;
      case 'TIMEOUT':
        return 504;
      case 'UNREACHABLE':
      case 'CONNECTION_LOST':
      case 'CLOSED':
        return 503;
      case 'CAMERA_ERROR':
        return cameraRefusalStatus(err.deviceHttpStatus);
      default:
        return 502;
    }
  }
  return 500;
}

/**
 * A camera error in the camera's own terms: when the camera refused the request (a 4xx), the
 * dashboard's client made a request the camera will not take, so the answer keeps that status
 * (and the camera's words in the message). A camera failing (5xx, or no HTTP status) is a bad
 * gateway. Authentication (401, 407) is between the dashboard and the camera, not the page's
 * business: 502; a camera's 408 means it timed out waiting for us: 504.
 */
function cameraRefusalStatus(status: number | undefined): number {
  if (status === undefined || status < 400 || status > 499 || status === 401 || status === 407) return 502;
  if (status === 408) return 504;
  return status;
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

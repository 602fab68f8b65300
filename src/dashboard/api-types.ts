/**
 * The dashboard's JSON API and live-update messages, shared by the server (`server.ts`) and the
 * page (`ui/`), so the two cannot drift apart (docs/architecture.md rule 2). Pure types: the page bundles
 * this file too, so nothing here may import Node modules at run time.
 *
 * Routes (all JSON unless said otherwise; ids are the dashboard's own short camera ids):
 *   GET    /api/cameras                          CameraView[]
 *   POST   /api/cameras          {address}        CameraView            add a camera by URL
 *   DELETE /api/cameras/:id                       {ok:true}             forget it
 *   GET    /api/cameras/:id/config               Setting[]
 *   POST   /api/cameras/:id/config {values}       SetConfigReply        200 all applied, 207 some refused; 4xx ApiError with fields when nothing was sent
 *   POST   /api/cameras/:id/capture               CaptureReply          one picture
 *   POST   /api/cameras/:id/capture/start         ContinuousReply
 *   POST   /api/cameras/:id/capture/stop          ContinuousReply
 *   GET    /api/cameras/:id/files?path=/internal  RemoteEntry[]
 *   POST   /api/cameras/:id/delete {paths}        DeleteReply           after the page confirmed
 *   GET    /api/cameras/:id/download?path=…[&path=…][&dl=ID]   the bytes (file, folder or selection as zip)
 *   GET    /api/cameras/:id/thumb?path=…          image/jpeg            small preview, cached on disk
 *   GET    /api/cameras/:id/preview?path=…        image/jpeg            large preview (bands, 360° viewer)
 *   GET    /api/cameras/:id/ndvi?red=…&nir=…      image/jpeg            NDVI false colour
 *   GET    /api/cameras/:id/metadata?path=…       PictureMetadata       EXIF, GPS and band of a picture
 *   GET    /api/cameras/:id/live                  multipart/x-mixed-replace MJPEG (cameras with livePreview)
 *   GET    /api/cameras/:id/sequoia/calibration   SequoiaCalibration    body and sunshine sensor state (Sequoia only)
 *   POST   /api/cameras/:id/sequoia/calibration/start|stop {target?}  SequoiaAnswer  body | sunshine | radiometric; none = both
 *   GET    /api/cameras/:id/sequoia/wifi          SequoiaWifi
 *   POST   /api/cameras/:id/sequoia/wifi {ssid?, status?}  SequoiaAnswer
 *   GET    /api/cameras/:id/sequoia/manual        SequoiaManual         exposure per sensor
 *   POST   /api/cameras/:id/sequoia/manual {values}  SequoiaAnswer      any part of SequoiaManual
 *   GET    /api/cameras/:id/s3-sync               S3SyncState           404 NO_SYNC before the first one
 *   POST   /api/cameras/:id/s3-sync {to,endpoint?,profile?}  S3SyncState  202 started; 409 SYNC_RUNNING while one runs
 *   POST   /api/cameras/:id/s3-sync/stop          S3SyncState           stops it (what is in the bucket is kept)
 *   WS     /api/live                              ServerMessage stream
 */
import type { PictureMetadata as CameraPictureMetadata } from '../camera/picture-metadata.js';
import type {
  CameraCapabilities,
  CameraEvent,
  CameraInfo,
  CameraStatus,
  RemoteEntry,
  SetOutcome,
  SetResult,
  Setting,
} from '../camera/types.js';

export type { CameraCapabilities, CameraEvent, CameraInfo, CameraStatus, RemoteEntry, SetOutcome, SetResult, Setting };

/** Where the dashboard's link to a camera stands. */
export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface CameraView {
  id: string;
  address: string;
  protocol: string;
  state: ConnectionState;
  /** Why it is offline (the Camera API's error message and code). */
  error?: { code: string; message: string };
  info?: CameraInfo;
  capabilities?: CameraCapabilities;
  /** Whether the adapter has a live preview / its own thumbnails. */
  livePreview: boolean;
  /** Latest status, with the server time (epoch ms) it was read. */
  status?: CameraStatus;
  statusAt?: number;
}

/** Every error reply of the API. `fields` maps setting keys to the text to show beside them. */
export interface ApiError {
  error: { code: string; message: string; fields?: Record<string, string> };
}

/**
 * The camera's answer to a settings change: 200 when every key was applied, 207 when it refused
 * some (or all — the THETA applies all or nothing). `applied` and `refused` say which keys, and
 * why in the camera's own words; `settings` are the values the camera has now.
 */
export interface SetConfigReply extends SetOutcome {
  results: SetResult[];
  settings: Setting[];
}

export interface CaptureReply {
  folder?: string;
  files: RemoteEntry[];
}

export interface ContinuousReply {
  text: string;
  folder?: string;
}

export interface DeleteReply {
  deleted: string[];
}

/** One line of the event log, as kept by the server and sent to pages. */
export interface LogEntry {
  /** Increasing number, so a page can tell what it has already seen. */
  seq: number;
  /** Server time, epoch ms, when the dashboard received it. */
  time: number;
  cameraId: string;
  /** `event` = from the camera; `action` = done through the dashboard; `error` = failed. */
  kind: 'event' | 'action' | 'error';
  text: string;
  event?: CameraEvent;
}

export interface DownloadProgressMessage {
  type: 'download';
  /** Id chosen by the page (`dl` query parameter). */
  id: string;
  cameraId: string;
  bytes: number;
  total?: number;
  state: 'running' | 'done' | 'failed';
  error?: string;
}

/**
 * What the page sends to start `sync --to s3://…` of one camera. Credentials are never part of
 * it: the server uses its own standard AWS credential chain (environment, ~/.aws, `profile`).
 */
export interface S3SyncRequest {
  /** `s3://BUCKET/PREFIX` */
  to: string;
  /** e.g. `http://127.0.0.1:7480` for Ceph's RADOS Gateway, MinIO, Garage; default AWS S3. */
  endpoint?: string;
  /** A profile of the server's ~/.aws/credentials and ~/.aws/config. */
  profile?: string;
}

/**
 * One camera's latest sync into an object store. `running` until it ends as `finished` (every
 * file is in the bucket; `manifest` is the manifest's key), `failed` (`error` says why, in the
 * camera's or the store's words, and what to do next) or `stopped` (by the page).
 */
export interface S3SyncState {
  cameraId: string;
  state: 'running' | 'finished' | 'failed' | 'stopped';
  to: string;
  /** How the endpoint is named in messages (`AWS S3` when none was given). */
  endpoint: string;
  /** Server time, epoch ms. */
  startedAt: number;
  endedAt?: number;
  /** `<model>-<serial>` folder under the prefix, once the camera answered. */
  cameraDir?: string;
  /** Files and bytes to sync, once the camera's listing is known. */
  files?: number;
  bytes?: number;
  filesDone: number;
  /** Bytes read from the camera and sent, or found already in the bucket. */
  bytesDone: number;
  /** Files that could not be synced this run. */
  errors: number;
  /** The last few of them (path and why). */
  failures: Array<{ path: string; code: string; message: string }>;
  manifest?: string;
  error?: { code: string; message: string };
}

/**
 * A picture's EXIF, GPS, band and attitude as the one camera-layer reader gives them
 * (`src/camera/picture-metadata.ts`), with the camera path the panel asked for.
 */
export type PictureMetadata = CameraPictureMetadata & { path: string };

/** The Sequoia's magnetometer calibration, per device (None, Psi/Theta/Phi pending, Ok, Failed…). */
export interface SequoiaCalibration {
  body: string;
  sunshine: string;
}

/** The Sequoia's Wi-Fi access point. */
export interface SequoiaWifi {
  ssid: string;
  status: 'on' | 'off';
}

/** Exposure of one sensor: time in µs and ISO (gain × 100). */
export interface SequoiaExposure {
  exp_us: number;
  iso: number;
}

/** The Sequoia's manual exposure: RGB and each monochrome band. */
export interface SequoiaManual {
  rgb: { mode: 'auto' | 'manual' } & SequoiaExposure;
  monochrome: {
    mode: 'auto' | 'manual';
    green: SequoiaExposure;
    red: SequoiaExposure;
    red_edge: SequoiaExposure;
    near_infrared: SequoiaExposure;
  };
}

/** The Sequoia's answer to a change: each key it was sent with its own word ("Ok" or why not). */
export interface SequoiaAnswer {
  results: Record<string, string>;
}

/** Messages the server pushes over `/api/live`. */
export type ServerMessage =
  | { type: 'hello'; cameras: CameraView[]; log: LogEntry[]; syncs: S3SyncState[] }
  | { type: 's3-sync'; sync: S3SyncState }
  | { type: 'camera'; camera: CameraView }
  | { type: 'camera-removed'; id: string }
  | { type: 'log'; entry: LogEntry }
  /** Something in the camera's file tree changed: pages listing `path` (or below) reload it. */
  | { type: 'files-changed'; cameraId: string; path: string }
  | DownloadProgressMessage;

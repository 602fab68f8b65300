/**
 * What `camctl <command> --json` prints, one documented shape per command, the same for every
 * camera and address: the TypeScript types here, and beside each a JSON Schema
 * (json-schemas.ts) that test/cli/json-shapes.test.ts checks every command's output against, on
 * the emulated Sequoia and THETA over each address.
 *
 * Common rules: paths are camera paths (`/internal/0001/IMG_….TIF`), never `http://` URLs (a
 * protocol's own data stays under `details` and `raw`); a yes/no field is always present, true or
 * false; a field without a value is `null`, not missing. A failing command prints
 * {@link ErrorJson} instead, and exits non-zero.
 */
import type {
  CameraEvent,
  CameraInfo,
  CameraStatus,
  RemoteEntry,
  RemoteFile,
  SetOutcome,
  Setting,
} from '../camera/types.js';
import type { SyncSummary } from '../camera/sync.js';
import type { FileReport } from './download-choices.js';

/** `camctl info --json`: what the camera is. */
export type InfoJson = CameraInfo;
/** `camctl status --json`: capture state, battery (null where the camera reports none), media, and the protocol's own status in `details`. */
export type StatusJson = Omit<CameraStatus, 'battery'> & { battery: NonNullable<CameraStatus['battery']> | null };
/** `camctl config [get] --json`: every setting described, with its value (and `raw`, the protocol's own, where translated). */
export interface ConfigJson {
  settings: Setting[];
}
/** `camctl config set --json`: the keys applied and the keys refused with the camera's reason. */
export type ConfigSetJson = SetOutcome;
/** `camctl capture --json`: the shot's folder (null where the camera does not say) and files; `downloaded` with --download. */
export interface CaptureJson {
  folder: string | null;
  files: RemoteFile[];
  downloaded: FileReport[];
}
/** `camctl ls [PATH] --json`: the entries under a camera path. */
export interface LsJson {
  path: string;
  entries: RemoteEntry[];
}
/** `camctl get --json`: one report per file (or zip): downloaded, resumed or skipped, and why. */
export interface GetJson {
  files: FileReport[];
}
/** `camctl sync DIR --json`: what the mirror did, in counts, bytes and time. */
export type SyncJson = SyncSummary;
/** `camctl rm --json`: the camera paths deleted. */
export interface RmJson {
  deleted: string[];
}
/** `camctl watch --json`: one event per line, with the time it was seen (ISO 8601); `raw` only with --raw. */
export type WatchLineJson = CameraEvent & { time: string };
/** Any command that fails, with --json: a stable code, the message in camera words, the protocol's text in `detail`. */
export interface ErrorJson {
  error: {
    code: string;
    message: string;
    detail?: string;
    deviceMessage?: string;
    /** `config set`: every key's answer. */
    results?: Array<{ key: string; ok: boolean; message: string }>;
  };
}

/** The shapes by command, as json-schemas.ts names them. */
export interface CommandJson {
  info: InfoJson;
  status: StatusJson;
  config: ConfigJson;
  'config set': ConfigSetJson;
  capture: CaptureJson;
  ls: LsJson;
  get: GetJson;
  sync: SyncJson;
  rm: RmJson;
  watch: WatchLineJson;
  error: ErrorJson;
}

/**
 * What `camctl <command> --json` prints, one documented shape per command, the same for every
 * camera and address: the TypeScript types here, and beside each a JSON Schema
 * (json-schemas.ts) that test/cli/json-shapes*.test.ts check every command's output against, on
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
import type { DetectedUsbCamera } from '../camera/usb.js';
import type { PictureMetadata } from '../camera/picture-metadata.js';
import type { S3SyncSummary } from '../sync/s3-sync.js';
import type { DeviceInfo, DevicePropDesc, StorageInfo } from '../ptp/codec.js';
import type { ManualMode } from '../sequoia/types.js';
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
/** `camctl sync --to s3://… --json`, one camera: what went into the bucket; `manifest` is null until every file is there. */
export type S3SyncCameraJson = Omit<S3SyncSummary, 'manifest'> & { manifest: string | null };
/** `camctl sync --to s3://… --json` with one camera. */
export type SyncS3Json = S3SyncCameraJson;
/** `camctl sync --to s3://… --json` with several `--camera`s: one summary each. */
export interface SyncS3CamerasJson {
  cameras: S3SyncCameraJson[];
}
/**
 * `camctl video start|stop --json` (THETA): whether it is recording now, and on stop the video's
 * camera path; the camera's own URLs for it (v2.1) under `details`.
 */
export interface VideoJson {
  recording: boolean;
  files: string[];
  details: { fileUrls: string[] };
}
/**
 * `camctl interval start|stop --json` (THETA): whether it is shooting now, and on stop the
 * pictures' camera paths; the command's OSC state and the camera's URLs under `details`.
 */
export interface IntervalJson {
  shooting: boolean;
  files: string[];
  details: { state: string | null; fileUrls: string[] };
}
/** `camctl preview -o … --json` (THETA): frames and bytes saved, and where (`stdout` when piped). */
export interface PreviewJson {
  frames: number;
  bytes: number;
  output: string;
}
/** `camctl exif --json`: each picture's metadata, from disk (`local`) or the camera; a field is there when the file carries it. */
export interface ExifJson {
  files: Array<{ path: string; source: 'local' | 'camera'; metadata: PictureMetadata }>;
}
/** `camctl detect --json`: the PTP cameras on USB (an empty list where there is no USB bus); `unreadable` is null when the descriptors were read. */
export type DetectJson = Array<Omit<DetectedUsbCamera, 'unreadable'> & { unreadable: string | null }>;
/** `camctl wifi --json` (Sequoia): the access point's name and whether it is on. */
export interface WifiJson {
  ssid: string;
  status: 'on' | 'off';
}
/** `camctl wifi ssid|on|off --json` and `camctl manual set|auto --json` (Sequoia): the camera's answer per key (`Ok` or its reason). */
export interface ResultsJson {
  results: Record<string, string>;
}
/** `camctl calibrate --json` (Sequoia): the body's and the sunshine sensor's calibration state, in the camera's words. */
export interface CalibrateJson {
  body: string;
  sunshine: string;
}
/** `camctl calibrate start|stop [TARGET] --json` (Sequoia): what was asked (target null = body and sunshine) and the camera's answer. */
export interface CalibrateActionJson {
  action: 'start' | 'stop';
  target: 'body' | 'sunshine' | 'radiometric' | null;
  status: string;
}
/** `camctl manual --json` (Sequoia): the exposure mode, time (µs) and ISO of each sensor. */
export type ManualJson = ManualMode;
/** `camctl options get --json` (THETA): each option asked for by its camera name, null where this camera lacks it. */
export type OptionsJson = Record<string, unknown>;
/** `camctl options set --json` (THETA): the options the camera took (it takes all or none). */
export interface OptionsSetJson {
  set: Record<string, unknown>;
}
/**
 * A PTP value (ptp/codec.ts's PtpValue) as JSON: numbers, 64-bit and wider integers as decimal
 * strings, arrays of those, or a string.
 */
export type PtpValueJson = number | string | Array<number | string>;
/** `camctl ptp info --json`: the DeviceInfo dataset (ISO 15740 §5.5.1); `hex` the raw dataset with --hex, else null. */
export type PtpInfoJson = DeviceInfo & { hex: string | null };
/** `camctl ptp storage --json`: each storage id with its StorageInfo (capacities as decimal strings). */
export type PtpStorageJson = Array<
  { id: number } & Omit<StorageInfo, 'maxCapacity' | 'freeSpaceInBytes'> & {
      maxCapacity: string;
      freeSpaceInBytes: string;
    }
>;
/** One property as `ptp props` and `ptp prop get` print it: its DevicePropDesc and its name. */
export type PtpPropJson = Omit<DevicePropDesc, 'factoryDefault' | 'current' | 'form'> & {
  name: string;
  factoryDefault: PtpValueJson;
  current: PtpValueJson;
  form:
    | { kind: 'none' }
    | { kind: 'range'; min: PtpValueJson; max: PtpValueJson; step: PtpValueJson }
    | { kind: 'enum'; values: PtpValueJson[] };
};
/** `camctl ptp props --json`: every property the camera lists. */
export type PtpPropsJson = PtpPropJson[];
/** `camctl ptp prop get --json`: one property; `hex` its raw value with --hex, else null. */
export type PtpPropGetJson = PtpPropJson & { hex: string | null };
/** `camctl ptp prop set --json`: the property and the value the camera reports after the change. */
export interface PtpPropSetJson {
  code: number;
  name: string;
  value: PtpValueJson;
}
/**
 * `camctl ptp op --json`: the operation and the camera's response by name, the response
 * parameters, a standard dataset decoded (`dataset` names it) or vendor data decoded, and the data
 * as hex where nothing decodes it or with --hex; each null when there is none.
 */
export interface PtpOpJson {
  operation: string;
  response: string;
  params: number[];
  dataset: string | null;
  decoded: unknown;
  hex: string | null;
}
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
  'sync s3': SyncS3Json;
  'sync s3 cameras': SyncS3CamerasJson;
  video: VideoJson;
  interval: IntervalJson;
  preview: PreviewJson;
  exif: ExifJson;
  detect: DetectJson;
  wifi: WifiJson;
  'wifi set': ResultsJson;
  calibrate: CalibrateJson;
  'calibrate start|stop': CalibrateActionJson;
  manual: ManualJson;
  'manual set': ResultsJson;
  'options get': OptionsJson;
  'options set': OptionsSetJson;
  'ptp info': PtpInfoJson;
  'ptp storage': PtpStorageJson;
  'ptp props': PtpPropsJson;
  'ptp prop get': PtpPropGetJson;
  'ptp prop set': PtpPropSetJson;
  'ptp op': PtpOpJson;
  error: ErrorJson;
}

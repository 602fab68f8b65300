/**
 * One Camera interface over every protocol camctl speaks (Sequoia HTTP, OSC/THETA, PTP/IP, USB).
 *
 * The CLI and the dashboard only ever talk to a {@link Camera}; each protocol brings an adapter
 * (`src/camera/<scheme>.ts`) that maps this interface onto its client. The interface is protocol
 * neutral on purpose: settings are described generically (key, type, allowed values or range,
 * current value) so a command like `camctl config set KEY=VALUE` can validate and convert input
 * for a camera it knows nothing about, and each adapter keeps its protocol's own data in `details`.
 *
 * Paths are camera paths, always absolute with `/` separators: `/` (all media), `/<medium>`
 * (folders), `/<medium>/<folder>` (files), `/<medium>/<folder>/<file>`. Adapters whose protocol
 * has another shape (PTP storage ids and handles, OSC file URLs) map them onto this tree so that
 * `camctl ls` and `camctl sync` work the same everywhere.
 *
 * @example
 * const camera = await openCamera('sequoia://127.0.0.1:8080');
 * try {
 *   const shot = await camera.capture();
 *   for (const f of shot.files) await camera.download(f.path, `./${f.name}`, { resume: true });
 * } finally {
 *   await camera.close();
 * }
 */
import type { CameraErrorCode } from './error-codes.js';

/** A setting's value as it crosses the interface. */
export type SettingValue = string | number | boolean;

/** The value types a setting can have; `enum` values are listed in {@link Setting.allowed}. */
export type SettingType = 'enum' | 'number' | 'integer' | 'string' | 'boolean';

/**
 * A camera setting described generically.
 * `value` is null when the camera does not report it in the current mode (e.g. Sequoia's
 * `timelapse_param` reads "Notlparam" outside timelapse mode).
 */
export interface Setting<K extends string = string, V extends SettingValue = SettingValue> {
  key: K;
  /** Short human name, e.g. "Timelapse period". */
  label: string;
  type: SettingType;
  value: V | null;
  /** Allowed values for `enum` settings (and for numbers with a closed set, e.g. 12 | 16). */
  allowed?: readonly V[];
  /** Inclusive range for `number`/`integer` settings. */
  range?: { min: number; max: number; step?: number };
  /** Values accepted besides `range`, each with a meaning of its own (a THETA's interval shots: 0 = until stopped). */
  also?: readonly V[];
  /** For `string` settings: the longest accepted value in UTF-8 bytes. */
  maxBytes?: number;
  /** Unit for display, e.g. "s", "m", "%", "MP", "bit". */
  unit?: string;
  writable: boolean;
  description?: string;
  /**
   * Set when the camera could not give this setting (a PTP property whose description it refuses
   * to send): `value` is null, and the reason is here; the other settings are listed as usual.
   */
  error?: { code: CameraErrorCode; message: string; deviceMessage?: string };
  /**
   * The protocol's own name and value behind a translated setting (a Sequoia over PTP shows
   * `storage_selected` internal for `SelectedStorage` 65537): shown by --json, and the name is
   * accepted as an alias. `allowed` runs parallel to {@link Setting.allowed}; for numbers,
   * raw value = value × `scale`.
   */
  raw?: SettingRaw;
}

/** The protocol's side of a translated setting (see {@link Setting.raw}). */
export interface SettingRaw {
  /** The protocol's name of the setting (a PTP property name: `SelectedStorage`). */
  name: string;
  /** The protocol's code for it, when it has one (`0xd222`). */
  code?: string;
  /** The value as the protocol carries it. */
  value: SettingValue | null;
  /** The raw values of {@link Setting.allowed}, in the same order. */
  allowed?: readonly SettingValue[];
  /** For numbers: raw = value × scale (milliseconds for seconds). */
  scale?: number;
}

/** Setting values keyed by setting key; adapters narrow it (`Camera<SequoiaSettings>`). */
export type SettingsMap = Record<string, SettingValue>;

/** The camera's answer for one key of a `setConfig` call. */
export interface SetResult<K extends string = string> {
  key: K;
  ok: boolean;
  /** The camera's own text ("Ok", "Bad value", PTP response name…). */
  message: string;
}

/**
 * What a `setConfig` call did, key by key, for people and scripts (`camctl config set --json`, the
 * dashboard; made by `setOutcome` in settings.ts): the keys the camera applied and the ones it refused with its reason (its own words:
 * "Bad value", "Storage is busy", "InvalidDevicePropValue", an OSC error). Cameras differ — the
 * Sequoia answers each key of a POST on its own, PTP sets one property at a time, the THETA applies
 * all or nothing — and this shape says what happened on any of them.
 */
export interface SetOutcome {
  applied: Array<{ key: string; value: SettingValue }>;
  refused: Array<{ key: string; value: SettingValue; reason: string }>;
}

/** Options every async operation takes (docs/architecture.md: every public async call takes a signal). */
export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/** What a camera is: model, serial, firmware, and protocol details. */
export interface CameraInfo {
  /** URL scheme of the adapter: `sequoia`, `ptpip`, `theta`, `usb`. */
  protocol: string;
  /** Normalised address, e.g. `sequoia://127.0.0.1:8080`. */
  address: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  firmware: string;
  /** Protocol-specific facts (sunshine sensor serial, PTP extension, OSC API level…). */
  details: Record<string, string | number | boolean>;
}

/** What a camera can do through this adapter, so commands can fail early and clearly. */
export interface CameraCapabilities {
  capture: boolean;
  /** start/stop of continuous modes (timelapse, GPS distance, overlap, video). */
  continuousCapture: boolean;
  delete: boolean;
  events: boolean;
  /** Downloads can start at an offset (HTTP Range, PTP GetPartialObject). */
  resumableDownload: boolean;
  /** A whole folder can be downloaded as one archive. */
  folderArchive: boolean;
}

/** One medium (internal memory, SD card, PTP storage) in {@link CameraStatus}. */
export interface MediumStatus {
  /** Medium name as used in paths: `internal`, `sd`, a PTP storage id in hex… */
  id: string;
  /** Path of its root: `/internal`. */
  path: string;
  present: boolean;
  totalBytes?: number;
  freeBytes?: number;
  readOnly: boolean;
  /** Whether captures go there now. */
  selected: boolean;
  /** The camera's own words when something is wrong (corrupted, full…). */
  problem?: string;
}

/** Generic capture state; `text` keeps the camera's own wording. */
export type CaptureState = 'idle' | 'capturing' | 'busy' | 'unavailable';

/** What a camera is doing: capture state, battery, media, and protocol-specific details. */
export interface CameraStatus {
  capture: {
    state: CaptureState;
    text: string;
    /** Folder being written while a capture runs, e.g. `/internal/0037`. */
    folder?: string;
  };
  /** Battery level 0–1, where the camera reports one. */
  battery?: { level: number; charging?: boolean };
  media: MediumStatus[];
  /** Protocol-specific status (sensors, temperatures, GPS…), as the camera reports it. */
  details: Record<string, unknown>;
}

/** What a {@link RemoteEntry} is. */
export type EntryKind = 'medium' | 'folder' | 'file';

/** A medium, folder or file on the camera, as {@link Camera.list} lists it. */
export interface RemoteEntry {
  kind: EntryKind;
  /** Absolute camera path, e.g. `/internal/0002/IMG_160629_123655_0000_RGB.JPG`. */
  path: string;
  name: string;
  /** Bytes for files (a file still being written may read 0); omitted where unknown. */
  size?: number;
  /** Epoch ms of capture/modification, where the camera gives it (or the file name encodes it). */
  time?: number;
  /** Number of entries inside, for media and folders, where the camera gives it. */
  count?: number;
}

/** A file on the camera. */
export interface RemoteFile extends RemoteEntry {
  kind: 'file';
  size: number;
}

export interface CaptureOptions extends CallOptions {
  /** How long to wait for the shot to finish and its files to be listed, ms. Default 60 000. */
  timeoutMs?: number;
  /** Called once per file as soon as it is complete on the camera (before the whole shot is). */
  onFile?: (file: RemoteFile) => void;
}

/** What {@link Camera.capture} took. */
export interface CaptureResult {
  /** Folder the shot went to, where the camera says so. */
  folder?: string;
  /** The files of this shot, complete (size > 0), in the order the camera lists them. */
  files: RemoteFile[];
}

/** The state of a continuous capture after starting or stopping it. */
export interface ContinuousCapture {
  /** Camera's own words, e.g. "Timelapse running". */
  text: string;
  folder?: string;
}

/** Progress of a {@link Camera.download}. */
export interface DownloadProgress {
  path: string;
  /** Bytes now present at the destination (including a resumed prefix). */
  bytes: number;
  /** Total size when known. */
  total?: number;
  /** Bytes that were already there when this download started. */
  resumedFrom: number;
}

export interface DownloadOptions extends CallOptions {
  /**
   * For file destinations: continue a partial file from its current size instead of starting
   * over (needs `capabilities.resumableDownload`; otherwise it starts over).
   */
  resume?: boolean;
  /** Called as bytes arrive (at most every few KiB; at least once at the end). */
  onProgress?: (progress: DownloadProgress) => void;
  /** Size the caller expects (from a listing); a different final size is a `SIZE_MISMATCH`. */
  expectedSize?: number;
}

/** What {@link Camera.download} did. */
export interface DownloadResult {
  path: string;
  /** Local file written, when the destination was a file path. */
  file?: string;
  /** Final size at the destination. */
  size: number;
  /** Bytes transferred by this call. */
  transferred: number;
  resumedFrom: number;
}

/** A writable the download streams into (Node stream); the caller owns closing it. */
export type DownloadDestination = string | NodeJS.WritableStream;

/** Events, normalised over protocols; `raw` keeps the protocol's own message. */
export type CameraEvent =
  | { type: 'capture'; state: CaptureState; folder?: string; raw?: unknown }
  | { type: 'file-added'; path: string; size?: number; raw?: unknown }
  | { type: 'file-removed'; path: string; raw?: unknown }
  | { type: 'setting'; key: string; value: SettingValue; raw?: unknown }
  | { type: 'storage'; medium: string; state: string; raw?: unknown }
  | { type: 'calibration'; target: string; state: string; raw?: unknown }
  | { type: 'sensor'; name: string; state: string; raw?: unknown }
  /** The event link dropped (`lost`) or came back (`restored`, after state was re-read). */
  | { type: 'connection'; state: 'lost' | 'restored'; attempt?: number; error?: string }
  /** Anything the adapter does not map, passed through. */
  | { type: 'other'; raw: unknown };

export interface EventOptions extends CallOptions {
  /** Reconnect when the link drops (default true). */
  reconnect?: boolean;
}

/**
 * A camera, whatever the protocol. Methods throw {@link CameraError} (or a protocol error class
 * carrying a stable `code`) and honour `signal`.
 */
export interface Camera<S extends SettingsMap = SettingsMap> {
  readonly protocol: string;
  readonly address: string;
  readonly capabilities: CameraCapabilities;

  /** Model, serial number, firmware. */
  info(options?: CallOptions): Promise<CameraInfo>;
  /** Capture state, battery, media, sensors. */
  status(options?: CallOptions): Promise<CameraStatus>;

  /** Descriptions with current values; all settings when `keys` is omitted. */
  getConfig(keys?: readonly (keyof S & string)[], options?: CallOptions): Promise<Setting<keyof S & string>[]>;
  /**
   * Sets several settings at once. Values are checked against the descriptions first
   * (`BAD_VALUE`/`UNKNOWN_SETTING` before anything is sent); a value the camera rejects throws
   * {@link CameraSettingError} listing every key's result (the accepted ones stay set, as on the camera).
   */
  setConfig(values: Partial<S>, options?: CallOptions): Promise<SetResult<keyof S & string>[]>;

  /** Takes one picture (in single mode) and waits for its files. */
  capture(options?: CaptureOptions): Promise<CaptureResult>;
  /** Starts the continuous mode the camera is set to (timelapse, GPS, overlap, video). */
  startCapture(options?: CallOptions): Promise<ContinuousCapture>;
  /** Stops the continuous capture. */
  stopCapture(options?: CallOptions): Promise<ContinuousCapture>;

  /** `/` lists media, `/<medium>` folders, `/<medium>/<folder>` files. */
  list(path?: string, options?: CallOptions): Promise<RemoteEntry[]>;
  /** Downloads a file to a local path (written under a temporary name, renamed when complete; `resume` continues a partial one) or into a stream. */
  download(path: string, destination: DownloadDestination, options?: DownloadOptions): Promise<DownloadResult>;
  /** Deletes a file or a whole folder; returns the paths the camera reports deleted. */
  delete(path: string, options?: CallOptions): Promise<string[]>;

  /** Notifications until `signal` aborts or the iterator is returned. */
  events(options?: EventOptions): AsyncIterable<CameraEvent>;

  /**
   * Optional: the camera's live view as JPEG frames, until `signal` aborts or the iterator is
   * returned (THETA `camera.getLivePreview`, an MJPEG stream). Absent where the camera has none;
   * the dashboard shows a live preview only for cameras that have it.
   */
  livePreview?(options?: CallOptions): AsyncIterable<Uint8Array>;
  /**
   * Optional: a small JPEG the camera makes itself for a file (THETA `?type=thumb`, PTP
   * GetThumb). Absent where the camera keeps none reachable; the dashboard then makes one itself.
   */
  thumbnail?(path: string, options?: CallOptions): Promise<Uint8Array>;

  /** Closes connections and stops event streams. */
  close(): Promise<void>;
}

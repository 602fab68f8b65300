/**
 * The Parrot Sequoia HTTP + WebSocket API: request and reply shapes shared by the client
 * (`client.ts`) and the emulator's HTTP and WebSocket faces (src/emulator/sequoia/), so the two
 * cannot drift apart. The emulated device keeps its own vocabulary (src/devices/sequoia/types.ts);
 * the faces translate.
 *
 * Shapes follow Parrot's Sequoia API reference and docs/sequoia.md. Where they disagree the
 * firmware's observed behaviour (docs/sequoia.md) wins; each such place says so.
 */

export const CAPTURE_MODES = ['single', 'timelapse', 'gps_position', 'auto', 'radiometric'] as const;
/** One of {@link CAPTURE_MODES}: single shot, timelapse, GPS distance, automatic overlap, radiometric calibration. */
export type CaptureMode = (typeof CAPTURE_MODES)[number];

/** The Sequoia's media: internal memory and the SD card. */
export const MEDIA = ['internal', 'sd'] as const;
/** One of {@link MEDIA}. */
export type MediumName = (typeof MEDIA)[number];

/** `sensors_mask` bits (docs/sequoia.md): RGB 1, Green 2, Red 4, Red-edge 8, NIR 16. */
export const BANDS = [
  { bit: 1, suffix: 'RGB', ext: 'JPG', name: 'rgb' },
  { bit: 2, suffix: 'GRE', ext: 'TIF', name: 'green' },
  { bit: 4, suffix: 'RED', ext: 'TIF', name: 'red' },
  { bit: 8, suffix: 'REG', ext: 'TIF', name: 'red_edge' },
  { bit: 16, suffix: 'NIR', ext: 'TIF', name: 'near_infrared' },
] as const;
/** One of {@link BANDS}. */
export type Band = (typeof BANDS)[number];
/** A band's file-name suffix: RGB, GRE, RED, REG, NIR. */
export type BandSuffix = Band['suffix'];

/**
 * Limits and defaults from the camera's settings file (docs/sequoia.md). `step` is the finest
 * value the camera keeps, as its PTP properties carry it: the timelapse period in whole
 * milliseconds (TimelapseInterval, UINT32 ms), the GPS distance in whole centimetres (GPSInterval,
 * UINT32 cm), the overlap in whole percent (OverlapRate, UINT8; Parrot's Sequoia API reference
 * types the `overlap_param` notification as an int). A value between steps is refused, so every
 * value the camera holds reads the same over HTTP and PTP.
 */
export const LIMITS = {
  /** The shortest period is 1 s with the RGB sensor on (it cannot write 16 MP faster), 0.5 s without. */
  timelapse: { min: 0.5, minWithRgb: 1, max: 3600, default: 1, step: 0.001 },
  gps: { min: 5, max: 1000, default: 25, step: 0.01 },
  overlap: { min: 0, max: 99, default: 80, step: 1 },
  resolutionRgb: [12, 16] as const,
  resolutionMono: [0.3, 1.2] as const,
  bitDepth: [8, 10] as const,
  sensorsMask: { min: 1, max: 31 },
  ssidMaxBytes: 32,
} as const;

/** The shortest timelapse period the camera accepts with these sensors enabled. */
export function timelapseMin(sensorsMask: number): number {
  return (sensorsMask & 1) !== 0 ? LIMITS.timelapse.minWithRgb : LIMITS.timelapse.min;
}

/** Whether `n` is a whole number of `step`s (within float noise: 2.675 is 2675 ms). */
export function onStep(n: number, step: number): boolean {
  const steps = n / step;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** RGB JPEG sizes (width, height) by `resolution_rgb` in megapixels. */
export const RGB_SIZES = { 16: [4608, 3456], 12: [4000, 3000] } as const;
/** Monochrome TIFF sizes (width, height) by `resolution_mono` in megapixels. */
export const MONO_SIZES = { '1.2': [1280, 960], '0.3': [640, 480] } as const;

/** The `status` texts of `GET /capture` the firmware uses. */
export const CAPTURE_STATUSES = [
  'Ready',
  'Calibration running',
  'Snapshot running',
  'Timelapse running',
  'Please stay still',
  'Calibration needed',
  'Radiometric Calibration Running',
  'Not available',
  'Capture is not running',
] as const;
/** One of {@link CAPTURE_STATUSES}. */
export type CaptureStatusText = (typeof CAPTURE_STATUSES)[number];

/** Reply of `GET /capture`. */
export interface CaptureStatusReply {
  request: 'capture_status';
  status: CaptureStatusText | string;
  /** Folder being written, e.g. `/internal/0037`, while a capture runs. */
  path?: string;
}

/** Reply of `/capture/start` and `/capture/stop` (undocumented; firmware strings, docs/sequoia.md). */
export interface CaptureCommandReply {
  request: 'capture_start' | 'capture_stop';
  status: string;
  path?: string;
}

/** The settings of `GET /config` / `POST /config`. */
export interface SequoiaConfig {
  capture_mode: CaptureMode;
  timelapse_param: number;
  gps_param: number;
  overlap_param: number;
  resolution_rgb: 12 | 16;
  resolution_mono: 0.3 | 1.2;
  bit_depth: 8 | 10;
  sensors_mask: number;
  storage_selected: MediumName;
  auto_select: 'on' | 'off';
}
/** A key of {@link SequoiaConfig}. */
export type ConfigKey = keyof SequoiaConfig;
/** Every key of {@link SequoiaConfig}, in the camera's order. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  'capture_mode',
  'timelapse_param',
  'gps_param',
  'overlap_param',
  'resolution_rgb',
  'resolution_mono',
  'bit_depth',
  'sensors_mask',
  'storage_selected',
  'auto_select',
];

/** The settings of a camera fresh from the factory. */
export const DEFAULT_CONFIG: SequoiaConfig = {
  capture_mode: 'single',
  timelapse_param: LIMITS.timelapse.default,
  gps_param: LIMITS.gps.default,
  overlap_param: LIMITS.overlap.default,
  resolution_rgb: 16,
  resolution_mono: 1.2,
  bit_depth: 10,
  sensors_mask: 31,
  storage_selected: 'internal',
  auto_select: 'off',
};

/** GET /config. Parameters not applicable to the mode may read as the firmware's placeholders. */
export interface ConfigReply {
  request: 'get_config';
  capture_mode: CaptureMode | string;
  timelapse_param: number | 'Notlparam';
  gps_param: number | 'Nogpsparam';
  overlap_param: number | 'Noautoparam';
  resolution_rgb: number;
  resolution_mono: number;
  bit_depth: number;
  sensors_mask: number;
  storage_selected: MediumName | string;
  auto_select: 'on' | 'off' | string;
}

/** Error texts the firmware uses for rejected settings (docs/sequoia.md). */
export const CONFIG_ERRORS = {
  badValue: 'Bad value',
  invalidResolution: 'Invalid resolution',
  invalidBitDepth: 'Invalid bit depth',
  invalidMask: 'Invalid mask',
  storageBusy: 'Storage is busy',
  unknownSetting: 'Unknown setting',
  unparsable: 'Unable to parse json',
} as const;

/** POST /config: every sent key echoed as "Ok" or an error text. */
export type SetConfigReply = { request: 'set_config' } & Record<string, string>;

/** The sunshine (irradiance) sensor in `GET /status`: per-band readings and its angles. */
export interface SunshineStatus {
  green_0: number;
  red_0: number;
  red_edge_0: number;
  near_infrared_0: number;
  green_1: number;
  red_1: number;
  red_edge_1: number;
  near_infrared_1: number;
  status: string;
}

/** Temperatures in `GET /status`. */
export interface TemperatureStatus {
  body_p7: number;
  body_p7mu: number;
  body_ddr3: number;
  body_wifi: number;
  body_imu: number;
  sunshine_imu: number | 'none';
  status: string;
}

/** The GPS in `GET /status`; position fields only with a fix. */
export interface GpsStatus {
  satellite_number: number;
  precision: number;
  speed: number;
  fix: number;
  status: string;
  // With a fix (docs/sequoia.md, French spelling "degres" as the firmware writes it):
  degres_lat?: number;
  minutes_lat?: number;
  seconds_lat?: number;
  degres_lon?: number;
  minutes_lon?: number;
  seconds_lon?: number;
  altitude?: number;
}

/** Body and sunshine-sensor orientation in `GET /status`. */
export interface InstrumentsStatus {
  body_yaw: number;
  body_pitch: number;
  body_roll: number;
  /** "none" without the sunshine sensor. */
  sunshine_yaw: number | 'none';
  sunshine_pitch: number | 'none';
  sunshine_roll: number | 'none';
  status: string;
}

/** Reply of `GET /status`: all four parts. */
export interface StatusReply {
  request: 'get_status';
  sunshine: SunshineStatus;
  temperature: TemperatureStatus;
  gps: GpsStatus;
  instruments: InstrumentsStatus;
}

/** The parts of `GET /status/<part>`. */
export const STATUS_PARTS = ['gps', 'instruments', 'sunshine', 'temperature'] as const;
/** One of {@link STATUS_PARTS}. */
export type StatusPart = (typeof STATUS_PARTS)[number];
/** Reply of `GET /status/<part>`. */
export type StatusPartReply<P extends StatusPart> = { request: `get_${P}` } & Pick<StatusReply, P>;

/** The calibration states of `GET /calibration` (Psi = yaw, Theta = pitch, Phi = roll). */
export const CALIBRATION_STATES = [
  'None',
  'Ok',
  'Running',
  'Psi pending',
  'Theta pending',
  'Phi pending',
  'Failed',
  'Aborted',
] as const;
/** One of {@link CALIBRATION_STATES}. */
export type CalibrationState = (typeof CALIBRATION_STATES)[number];
/** What `/calibration/<target>/start` calibrates. */
export type CalibrationTarget = 'body' | 'sunshine' | 'radiometric';

/** Reply of `GET /calibration`. */
export interface CalibrationReply {
  request: 'get_calibration';
  body: CalibrationState | string;
  sunshine: CalibrationState | string;
}

/** Reply of `/calibration/<target>/start` and `stop`. */
export interface CalibrationCommandReply {
  request: string;
  status: string;
}

/** One medium in `GET /storage`. */
export interface MediumInfo {
  /** KiB (docs/sequoia.md). */
  total: number;
  /** KiB. */
  free: number;
  path: string;
  read_only: 'yes' | 'no';
  corrupted: 'yes' | 'no';
}

/**
 * Condition of a medium, as far as `/storage` and the storage notifications tell it (Parrot's
 * Sequoia API reference): `read-only` reads `"read_only":"yes"`, `corrupted` reads
 * `"corrupted":"yes"`, and a medium that failed (`error`) reads neither; entering any of the three
 * is announced with the storage state "error".
 */
export type MediumCondition = 'ok' | 'read-only' | 'corrupted' | 'error';
/** Every {@link MediumCondition}, for checking input. */
export const MEDIUM_CONDITIONS: readonly MediumCondition[] = ['ok', 'read-only', 'corrupted', 'error'];

/** Reply of `GET /storage`; `sd` is absent without a card. */
export interface StorageReply {
  request: 'get_storage';
  storage_selected: MediumName | string;
  internal: MediumInfo;
  /** Absent when no card is inserted. */
  sd?: MediumInfo;
}

/** `/file`: GB used per medium keyed "/internal"; `/file/<m>`: pictures per folder; `/file/<m>/<f>`: bytes per file. */
export type FileInfoReply = { request: 'file_info' } & Record<string, number>;

/** `/delete/...`: `{"/internal/0002":"deleted"}` keyed by the deleted path. */
export type DeleteReply = Record<string, string>;

/** Reply of `GET /version`. */
export interface VersionReply {
  request: 'get_version';
  version: string;
  serial_number: string;
  sunshine_serial_number?: string;
}

/** Reply of `GET /wifi`. */
export interface WifiReply {
  request: 'get_wifi';
  ssid: string;
  status: 'on' | 'off';
}
/** Reply of `POST /wifi`: each posted key with "Ok" or an error text. */
export type SetWifiReply = { request: 'set_wifi' } & Record<string, string>;

/** A manual exposure: time in µs and ISO (gain × 100). */
export interface ExposureSetting {
  exp_us: number;
  /** Gain × 100. */
  iso: number;
}
/** The monochrome bands as `/manualmode` names them. */
export const MONO_BANDS = ['green', 'red', 'red_edge', 'near_infrared'] as const;
/** One of {@link MONO_BANDS}. */
export type MonoBand = (typeof MONO_BANDS)[number];

/** The exposure settings of `/manualmode`: per monochrome band and for RGB. */
export interface ManualMode {
  monochrome: { mode: 'auto' | 'manual' } & Record<MonoBand, ExposureSetting>;
  rgb: { mode: 'auto' | 'manual' } & ExposureSetting;
}
/** Reply of `GET /manualmode`. */
export type ManualModeReply = { request: 'get_manualmode' } & ManualMode;
/** POST /manualmode echoes the posted structure with "Ok" or an error text per leaf. */
export interface SetManualModeReply {
  request: 'set_manualmode';
  [key: string]: unknown;
}

/** Generic error reply of the emulator (404/405/413/400 …) — JSON with the request and the text. */
export interface ErrorReply {
  request: string;
  status?: string;
  error: string;
}

// ---- WebSocket ---------------------------------------------------------------------------------

/** The camera's keep-alive on the WebSocket; the client answers the text `pong`. */
export interface PingMessage {
  status: 'ping';
}

/** A medium's state in a `storage_status` notification. */
export type StorageState = 'connected' | 'disconnected' | 'full' | 'no_longer_full' | 'error';

/** Notifications listed in Parrot's Sequoia API reference; each is `{"status":"change", ...}`. */
export type ChangeNotification =
  | { status: 'change'; capture: 'ready' | 'running' }
  | { status: 'change'; sunshine: 'connected' | 'disconnected' }
  | { status: 'change'; staystill: 'yes' | 'no' }
  | { status: 'change'; storage_select: MediumName }
  | { status: 'change'; storage_status: MediumName; state: StorageState }
  | { status: 'change'; calibration: 'body' | 'sunshine'; state: CalibrationState | string }
  | { status: 'change'; capture_mode: CaptureMode }
  | { status: 'change'; timelapse_param: number }
  | { status: 'change'; gps_param: number }
  | { status: 'change'; overlap_param: number }
  | { status: 'change'; sensors_mask: number }
  | { status: 'change'; resolution_rgb: number; resolution_mono: number }
  | { status: 'change'; bit_depth: number }
  | { status: 'change'; fix: 'yes' | 'no' };

/** Anything the camera sends on its WebSocket. */
export type WebSocketMessage = PingMessage | ChangeNotification;

/** File name as the camera writes it: `IMG_YYMMDD_HHMMSS_NNNN_<BAND>.<EXT>`, always 30 characters. */
export const FILE_NAME_PATTERN = /^IMG_(\d{6})_(\d{6})_(\d{4})_(RGB|GRE|RED|REG|NIR)\.(JPG|TIF)$/;
/** Folder names: four digits from the persistent counter. */
export const FOLDER_NAME_PATTERN = /^\d{4}$/;

/**
 * The emulated Sequoia's own vocabulary: its settings, media, bands, calibration and exposure
 * states, in the names of the camera's settings file. The device model speaks only these; the
 * protocol faces (src/emulator/sequoia/) translate them to and from the wire shapes of
 * src/sequoia/types.ts, so the model stays free of any protocol (docs/architecture.md rule 1).
 */

/** How the camera triggers: single shot, timelapse, GPS distance, automatic overlap, radiometric calibration. */
export const CAPTURE_MODES = ['single', 'timelapse', 'gps_position', 'auto', 'radiometric'] as const;
/** One of {@link CAPTURE_MODES}. */
export type CaptureMode = (typeof CAPTURE_MODES)[number];

/** The camera's media, in its order: internal memory, then the SD card. */
export const MEDIA = ['internal', 'sd'] as const;
/** One of {@link MEDIA}. */
export type MediumName = (typeof MEDIA)[number];

/** The five imagers: the bit that enables each, its file-name suffix and extension, its name. */
export const BANDS = [
  { bit: 1, suffix: 'RGB', ext: 'JPG', name: 'rgb' },
  { bit: 2, suffix: 'GRE', ext: 'TIF', name: 'green' },
  { bit: 4, suffix: 'RED', ext: 'TIF', name: 'red' },
  { bit: 8, suffix: 'REG', ext: 'TIF', name: 'red_edge' },
  { bit: 16, suffix: 'NIR', ext: 'TIF', name: 'near_infrared' },
] as const;
/** One of {@link BANDS}. */
export type Band = (typeof BANDS)[number];

/**
 * What the camera accepts for each setting. `step` is the finest value it keeps — the timelapse
 * period in whole milliseconds, the GPS distance in whole centimetres, the overlap in whole
 * percent — so every value the model holds can be carried by every face (PTP's UINT32 ms and cm,
 * UINT8 percent) and reads back the same through each.
 */
export const SETTING_LIMITS = {
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
  return (sensorsMask & 1) !== 0 ? SETTING_LIMITS.timelapse.minWithRgb : SETTING_LIMITS.timelapse.min;
}

/** Whether `n` is a whole number of `step`s (within float noise: 2.675 is 2675 ms). */
export function onStep(n: number, step: number): boolean {
  const steps = n / step;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** RGB picture sizes (width, height) by resolution in megapixels. */
export const RGB_SIZES = { 16: [4608, 3456], 12: [4000, 3000] } as const;
/** Monochrome picture sizes (width, height) by resolution in megapixels. */
export const MONO_SIZES = { '1.2': [1280, 960], '0.3': [640, 480] } as const;

/** The capture settings, as the camera's settings file keeps them. */
export interface DeviceConfig {
  capture_mode: CaptureMode;
  /** Seconds between timelapse captures. */
  timelapse_param: number;
  /** Metres between GPS-triggered captures. */
  gps_param: number;
  /** Percent of overlap between automatic captures. */
  overlap_param: number;
  resolution_rgb: 12 | 16;
  resolution_mono: 0.3 | 1.2;
  bit_depth: 8 | 10;
  /** Bits of the enabled imagers ({@link BANDS}). */
  sensors_mask: number;
  storage_selected: MediumName;
  /** Whether the camera switches to the other medium when the selected one is full or gone. */
  auto_select: 'on' | 'off';
}
/** A key of {@link DeviceConfig}. */
export type ConfigKey = keyof DeviceConfig;
/** Every key of {@link DeviceConfig}, in the camera's order. */
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
export const DEFAULT_CONFIG: DeviceConfig = {
  capture_mode: 'single',
  timelapse_param: SETTING_LIMITS.timelapse.default,
  gps_param: SETTING_LIMITS.gps.default,
  overlap_param: SETTING_LIMITS.overlap.default,
  resolution_rgb: 16,
  resolution_mono: 1.2,
  bit_depth: 10,
  sensors_mask: 31,
  storage_selected: 'internal',
  auto_select: 'off',
};

/** What an IMU calibration is doing (Psi = yaw, Theta = pitch, Phi = roll: the axis it waits for). */
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
/** The IMUs that calibrate: the camera body and the sunshine sensor. */
export type CalibrationTargetName = 'body' | 'sunshine';

/** A manual exposure: time in µs and ISO (gain × 100). */
export interface ExposureSetting {
  exp_us: number;
  iso: number;
}
/** The monochrome imagers. */
export const MONO_BANDS = ['green', 'red', 'red_edge', 'near_infrared'] as const;
/** One of {@link MONO_BANDS}. */
export type MonoBand = (typeof MONO_BANDS)[number];
/** Exposure settings: per monochrome imager and for the RGB imager, each auto or manual. */
export interface ManualMode {
  monochrome: { mode: 'auto' | 'manual' } & Record<MonoBand, ExposureSetting>;
  rgb: { mode: 'auto' | 'manual' } & ExposureSetting;
}

/** What went wrong with a medium, if anything: it went read-only, its files are corrupted, or it failed. */
export type MediumCondition = 'ok' | 'read-only' | 'corrupted' | 'error';
/** Every {@link MediumCondition}, for checking input. */
export const MEDIUM_CONDITIONS: readonly MediumCondition[] = ['ok', 'read-only', 'corrupted', 'error'];
/** A medium's state as the camera announces it. */
export type MediumState = 'connected' | 'disconnected' | 'full' | 'no-longer-full' | 'error';

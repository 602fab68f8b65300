/**
 * Validation of the Sequoia's settings as the firmware does it: each field on its own, applied or
 * refused with a {@link SettingRefusal}, so a change with one bad field still applies the others.
 * Values arrive typed (numbers as numbers); reading the camera's web-UI forms ("10bits", numbers
 * as strings) is the HTTP face's business.
 */
import {
  CAPTURE_MODES,
  MONO_BANDS,
  SETTING_LIMITS,
  type DeviceConfig,
  type ExposureSetting,
  type ManualMode,
  onStep,
  timelapseMin,
} from './types.js';
import type { OutcomeTree, SettingOutcome, SettingRefusal, SettingsOutcome } from './outcomes.js';

type FieldResult<T> = { ok: true; value: T } | { ok: false; reason: SettingRefusal };

function ok<T>(value: T): FieldResult<T> {
  return { ok: true, value };
}
const outOfRange: FieldResult<never> = { ok: false, reason: 'out-of-range' };

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** What a setting's acceptance depends on besides its value. */
export interface ConfigContext {
  /** Whether a capture is running (storage cannot change then). */
  capturing: boolean;
  sdPresent: boolean;
  /** The mask the result will have (for the timelapse ≥ 1 s rule with RGB on). */
  sensorsMask: number;
}

/** A number within [min, max] that is a whole number of `step`s (what the camera can keep). */
function stepped(v: unknown, min: number, max: number, step: number): FieldResult<number> {
  if (!isNumber(v) || v < min || v > max || !onStep(v, step)) return outOfRange;
  // Stored on the step exactly (2.675 s, not 2.67499…), so every face reads the same number.
  return ok(Number((Math.round(v / step) * step).toFixed(6)));
}

type Validators = { [K in keyof DeviceConfig]: (v: unknown, ctx: ConfigContext) => FieldResult<DeviceConfig[K]> };

const L = SETTING_LIMITS;
const validators: Validators = {
  capture_mode: (v) =>
    typeof v === 'string' && (CAPTURE_MODES as readonly string[]).includes(v)
      ? ok(v as DeviceConfig['capture_mode'])
      : outOfRange,
  // At most one frame per second with the RGB sensor on: the minimum follows the sensors.
  timelapse_param: (v, ctx) => stepped(v, timelapseMin(ctx.sensorsMask), L.timelapse.max, L.timelapse.step),
  gps_param: (v) => stepped(v, L.gps.min, L.gps.max, L.gps.step),
  overlap_param: (v) => stepped(v, L.overlap.min, L.overlap.max, L.overlap.step),
  resolution_rgb: (v) => (v === 12 || v === 16 ? ok(v) : outOfRange),
  resolution_mono: (v) => (v === 0.3 || v === 1.2 ? ok(v) : outOfRange),
  bit_depth: (v) => (v === 8 || v === 10 ? ok(v) : outOfRange),
  sensors_mask: (v) =>
    isNumber(v) && Number.isInteger(v) && v >= L.sensorsMask.min && v <= L.sensorsMask.max ? ok(v) : outOfRange,
  storage_selected(v, ctx) {
    if (v !== 'internal' && v !== 'sd') return outOfRange;
    if (ctx.capturing) return { ok: false, reason: 'busy' };
    if (v === 'sd' && !ctx.sdPresent) return { ok: false, reason: 'no-medium' };
    return ok(v);
  },
  auto_select: (v) => (v === 'on' || v === 'off' ? ok(v) : outOfRange),
};

/** Whether `key` names one of the camera's settings. */
export function isConfigKey(key: string): key is keyof DeviceConfig {
  return Object.prototype.hasOwnProperty.call(validators, key);
}

/**
 * Validates a settings change field by field. Returns the accepted values and an outcome for
 * every key that was sent, in the order sent.
 */
export function validateConfigPatch(
  patch: Readonly<Record<string, unknown>>,
  current: DeviceConfig,
  ctx: Omit<ConfigContext, 'sensorsMask'>,
): { accepted: Partial<DeviceConfig>; outcomes: Record<string, SettingOutcome> } {
  const accepted: Partial<DeviceConfig> = {};
  const outcomes: Record<string, SettingOutcome> = {};
  // The mask decides the timelapse limit; judge the period against the mask this change sets.
  const maskResult =
    'sensors_mask' in patch ? validators.sensors_mask(patch.sensors_mask, { ...ctx, sensorsMask: 0 }) : undefined;
  const sensorsMask = maskResult?.ok ? maskResult.value : current.sensors_mask;
  for (const [key, value] of Object.entries(patch)) {
    if (!isConfigKey(key)) {
      outcomes[key] = { ok: false, reason: 'unknown-setting' };
      continue;
    }
    const result = (validators[key] as (v: unknown, c: ConfigContext) => FieldResult<unknown>)(value, {
      ...ctx,
      sensorsMask,
    });
    if (result.ok) {
      (accepted as Record<string, unknown>)[key] = result.value;
      outcomes[key] = { ok: true };
    } else {
      outcomes[key] = { ok: false, reason: result.reason };
    }
  }
  return { accepted, outcomes };
}

// ---- Manual mode ----------------------------------------------------------------------------

/** Exposure limits: the mono global-shutter sensors and the RGB rolling-shutter sensor. */
export const EXPOSURE_LIMITS = {
  mono: { expUs: { min: 10, max: 100_000 }, iso: { min: 100, max: 800 } },
  rgb: { expUs: { min: 10, max: 1_000_000 }, iso: { min: 100, max: 3200 } },
} as const;

/** Auto exposure everywhere, with the firmware's manual defaults kept for when it is switched. */
export const DEFAULT_MANUAL_MODE: ManualMode = {
  monochrome: {
    mode: 'auto',
    green: { exp_us: 1000, iso: 100 },
    red: { exp_us: 1000, iso: 100 },
    red_edge: { exp_us: 1000, iso: 100 },
    near_infrared: { exp_us: 1000, iso: 100 },
  },
  rgb: { mode: 'auto', exp_us: 500, iso: 100 },
};

type Limits = { expUs: { min: number; max: number }; iso: { min: number; max: number } };

const REFUSED_VALUE: SettingOutcome = { ok: false, reason: 'out-of-range' };
const UNKNOWN: SettingOutcome = { ok: false, reason: 'unknown-setting' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies `exp_us` / `iso` entries onto `target`. */
function applyExposure(
  raw: Record<string, unknown>,
  target: ExposureSetting,
  limits: Limits,
): SettingsOutcome<OutcomeTree> {
  const outcomes: OutcomeTree = {};
  let applied = false;
  for (const [key, value] of Object.entries(raw)) {
    if (key !== 'exp_us' && key !== 'iso') {
      outcomes[key] = UNKNOWN;
      continue;
    }
    const range = key === 'exp_us' ? limits.expUs : limits.iso;
    if (!isNumber(value) || !Number.isInteger(value) || value < range.min || value > range.max) {
      outcomes[key] = REFUSED_VALUE;
    } else {
      target[key] = value;
      outcomes[key] = { ok: true };
      applied = true;
    }
  }
  return { outcomes, applied };
}

function isMode(v: unknown): v is 'auto' | 'manual' {
  return v === 'auto' || v === 'manual';
}

/**
 * Applies an exposure-settings change onto a copy of `current`. The outcomes mirror the change's
 * structure with an outcome at each leaf; a section that is not an object is refused whole.
 */
export function applyManualMode(
  patch: Readonly<Record<string, unknown>>,
  current: ManualMode,
): { next: ManualMode } & SettingsOutcome<Record<string, SettingOutcome | OutcomeTree>> {
  const next: ManualMode = structuredClone(current);
  const outcomes: Record<string, SettingOutcome | OutcomeTree> = {};
  let applied = false;
  for (const [section, value] of Object.entries(patch)) {
    if (section !== 'rgb' && section !== 'monochrome') {
      outcomes[section] = UNKNOWN;
      continue;
    }
    if (!isRecord(value)) {
      outcomes[section] = REFUSED_VALUE;
      continue;
    }
    const tree: OutcomeTree = {};
    if (section === 'rgb') {
      const { mode, ...exposure } = value;
      if (mode !== undefined) {
        tree.mode = isMode(mode) ? { ok: true } : REFUSED_VALUE;
        if (isMode(mode)) {
          next.rgb.mode = mode;
          applied = true;
        }
      }
      const e = applyExposure(exposure, next.rgb, EXPOSURE_LIMITS.rgb);
      Object.assign(tree, e.outcomes);
      applied ||= e.applied;
    } else {
      for (const [key, sub] of Object.entries(value)) {
        if (key === 'mode') {
          tree.mode = isMode(sub) ? { ok: true } : REFUSED_VALUE;
          if (isMode(sub)) {
            next.monochrome.mode = sub;
            applied = true;
          }
        } else if (!(MONO_BANDS as readonly string[]).includes(key)) {
          tree[key] = UNKNOWN;
        } else if (!isRecord(sub)) {
          tree[key] = REFUSED_VALUE;
        } else {
          const e = applyExposure(sub, next.monochrome[key as (typeof MONO_BANDS)[number]], EXPOSURE_LIMITS.mono);
          tree[key] = e.outcomes;
          applied ||= e.applied;
        }
      }
    }
    outcomes[section] = tree;
  }
  return { next, outcomes, applied };
}

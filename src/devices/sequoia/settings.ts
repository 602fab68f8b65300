/**
 * Validation of the Sequoia's settings as the firmware does it: each field on its own, accepted
 * or rejected with the firmware's error text (docs/sequoia.md), so a POST with one bad field still
 * applies the others. The camera's own web UI sends numbers as strings and `bit_depth` as
 * `"10bits"`; both forms are accepted.
 */
import {
  CAPTURE_MODES,
  CONFIG_ERRORS,
  LIMITS,
  MONO_BANDS,
  type CaptureMode,
  type ExposureSetting,
  type ManualMode,
  type MediumName,
  type SequoiaConfig,
  onStep,
  timelapseMin,
} from '../../sequoia/types.js';

export type FieldResult<T> = { ok: true; value: T } | { ok: false; error: string };

function ok<T>(value: T): FieldResult<T> {
  return { ok: true, value };
}
function bad(error: string): FieldResult<never> {
  return { ok: false, error };
}

/** A number, or a string that is exactly a decimal number (the UI's form values). */
export function looseNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

export interface ConfigContext {
  /** Whether a capture is running (storage cannot change then). */
  capturing: boolean;
  sdPresent: boolean;
  /** The mask the result will have (for the timelapse ≥ 1 s rule with RGB on). */
  sensorsMask: number;
}

/** A number within [min, max] that is a whole number of `step`s (what the camera can keep). */
function stepped(v: unknown, min: number, max: number, step: number): FieldResult<number> {
  const n = looseNumber(v);
  if (n === undefined || n < min || n > max || !onStep(n, step)) return bad(CONFIG_ERRORS.badValue);
  // Stored on the step exactly (2.675 s, not 2.67499…), so every face reads the same number.
  return ok(Number((Math.round(n / step) * step).toFixed(6)));
}

type Validators = { [K in keyof SequoiaConfig]: (v: unknown, ctx: ConfigContext) => FieldResult<SequoiaConfig[K]> };

const validators: Validators = {
  capture_mode(v) {
    return typeof v === 'string' && (CAPTURE_MODES as readonly string[]).includes(v) ? ok(v as CaptureMode) : bad(CONFIG_ERRORS.badValue);
  },
  timelapse_param(v, ctx) {
    // At most one frame per second with the RGB sensor on: the minimum follows the sensors.
    return stepped(v, timelapseMin(ctx.sensorsMask), LIMITS.timelapse.max, LIMITS.timelapse.step);
  },
  gps_param(v) {
    return stepped(v, LIMITS.gps.min, LIMITS.gps.max, LIMITS.gps.step);
  },
  overlap_param(v) {
    return stepped(v, LIMITS.overlap.min, LIMITS.overlap.max, LIMITS.overlap.step);
  },
  resolution_rgb(v) {
    const n = looseNumber(v);
    return n === 12 || n === 16 ? ok(n) : bad(CONFIG_ERRORS.invalidResolution);
  },
  resolution_mono(v) {
    const n = looseNumber(v);
    return n === 0.3 || n === 1.2 ? ok(n) : bad(CONFIG_ERRORS.invalidResolution);
  },
  bit_depth(v) {
    const text = typeof v === 'string' ? v.replace(/\s*bits?$/i, '') : v;
    const n = looseNumber(text);
    return n === 8 || n === 10 ? ok(n) : bad(CONFIG_ERRORS.invalidBitDepth);
  },
  sensors_mask(v) {
    const n = looseNumber(v);
    return n !== undefined && Number.isInteger(n) && n >= LIMITS.sensorsMask.min && n <= LIMITS.sensorsMask.max
      ? ok(n)
      : bad(CONFIG_ERRORS.invalidMask);
  },
  storage_selected(v, ctx) {
    if (v !== 'internal' && v !== 'sd') return bad(CONFIG_ERRORS.badValue);
    if (ctx.capturing) return bad(CONFIG_ERRORS.storageBusy);
    if (v === 'sd' && !ctx.sdPresent) return bad(CONFIG_ERRORS.badValue);
    return ok(v as MediumName);
  },
  auto_select(v) {
    return v === 'on' || v === 'off' ? ok(v) : bad(CONFIG_ERRORS.badValue);
  },
};

export function isConfigKey(key: string): key is keyof SequoiaConfig {
  return Object.prototype.hasOwnProperty.call(validators, key);
}

/**
 * Validates a POSTed config object field by field. Returns the accepted values and a reply entry
 * ("Ok" or the error text) for every key that was sent, in the order sent.
 */
export function validateConfigPatch(
  body: Record<string, unknown>,
  current: SequoiaConfig,
  ctx: Omit<ConfigContext, 'sensorsMask'>,
): { accepted: Partial<SequoiaConfig>; replies: Record<string, string> } {
  const accepted: Partial<SequoiaConfig> = {};
  const replies: Record<string, string> = {};
  // The mask decides the timelapse limit; judge the period against the mask this POST sets.
  const maskResult = 'sensors_mask' in body ? validators.sensors_mask(body.sensors_mask, { ...ctx, sensorsMask: 0 }) : undefined;
  const sensorsMask = maskResult?.ok ? maskResult.value : current.sensors_mask;
  for (const [key, value] of Object.entries(body)) {
    if (key === 'request') continue;
    if (!isConfigKey(key)) {
      replies[key] = CONFIG_ERRORS.unknownSetting;
      continue;
    }
    const result = (validators[key] as (v: unknown, c: ConfigContext) => FieldResult<unknown>)(value, { ...ctx, sensorsMask });
    if (result.ok) {
      (accepted as Record<string, unknown>)[key] = result.value;
      replies[key] = 'Ok';
    } else {
      replies[key] = result.error;
    }
  }
  return { accepted, replies };
}

// ---- Manual mode ----------------------------------------------------------------------------

/** Exposure limits: the mono global-shutter sensors and the RGB rolling-shutter sensor. */
export const EXPOSURE_LIMITS = {
  mono: { expUs: { min: 10, max: 100_000 }, iso: { min: 100, max: 800 } },
  rgb: { expUs: { min: 10, max: 1_000_000 }, iso: { min: 100, max: 3200 } },
} as const;

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

function validateExposure(
  raw: unknown,
  target: ExposureSetting,
  limits: Limits,
): { reply: Record<string, string> | string; applied: boolean } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { reply: CONFIG_ERRORS.badValue, applied: false };
  const reply: Record<string, string> = {};
  let applied = false;
  for (const [key, value] of Object.entries(raw)) {
    if (key !== 'exp_us' && key !== 'iso') {
      reply[key] = CONFIG_ERRORS.unknownSetting;
      continue;
    }
    const n = looseNumber(value);
    const range = key === 'exp_us' ? limits.expUs : limits.iso;
    if (n === undefined || !Number.isInteger(n) || n < range.min || n > range.max) {
      reply[key] = CONFIG_ERRORS.badValue;
    } else {
      target[key] = n;
      reply[key] = 'Ok';
      applied = true;
    }
  }
  return { reply, applied };
}

function validateMode(v: unknown): FieldResult<'auto' | 'manual'> {
  return v === 'auto' || v === 'manual' ? ok(v) : bad(CONFIG_ERRORS.badValue);
}

/**
 * Applies a POSTed manual-mode object onto a copy of `current`. The reply mirrors the posted
 * structure with "Ok" or an error text at each leaf. The API reference's GET example says `near_ir`; the
 * firmware only knows `near_infrared` (docs/sequoia.md) — we accept `near_ir` on input as an alias
 * and always answer `near_infrared`.
 */
export function applyManualMode(body: Record<string, unknown>, current: ManualMode): { next: ManualMode; reply: Record<string, unknown>; applied: boolean } {
  const next: ManualMode = structuredClone(current);
  const reply: Record<string, unknown> = {};
  let applied = false;
  for (const [section, value] of Object.entries(body)) {
    if (section === 'request') continue;
    if (section === 'rgb') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        reply.rgb = CONFIG_ERRORS.badValue;
        continue;
      }
      const r: Record<string, string> = {};
      const { mode, ...exposure } = value as Record<string, unknown>;
      if (mode !== undefined) {
        const m = validateMode(mode);
        r.mode = m.ok ? 'Ok' : m.error;
        if (m.ok) {
          next.rgb.mode = m.value;
          applied = true;
        }
      }
      const e = validateExposure(exposure, next.rgb, EXPOSURE_LIMITS.rgb);
      Object.assign(r, e.reply);
      applied ||= e.applied;
      reply.rgb = r;
    } else if (section === 'monochrome') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        reply.monochrome = CONFIG_ERRORS.badValue;
        continue;
      }
      const r: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(value as Record<string, unknown>)) {
        if (key === 'mode') {
          const m = validateMode(sub);
          r.mode = m.ok ? 'Ok' : m.error;
          if (m.ok) {
            next.monochrome.mode = m.value;
            applied = true;
          }
          continue;
        }
        const band = key === 'near_ir' ? 'near_infrared' : key;
        if (!(MONO_BANDS as readonly string[]).includes(band)) {
          r[key] = CONFIG_ERRORS.unknownSetting;
          continue;
        }
        const e = validateExposure(sub, next.monochrome[band as (typeof MONO_BANDS)[number]], EXPOSURE_LIMITS.mono);
        r[key] = e.reply;
        applied ||= e.applied;
      }
      reply.monochrome = r;
    } else {
      reply[section] = CONFIG_ERRORS.unknownSetting;
    }
  }
  return { next, reply, applied };
}

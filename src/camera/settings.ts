/**
 * Checking and converting setting values against their generic descriptions, so every adapter and
 * the CLI (`config set KEY=VALUE`) reject bad input the same way before anything is sent.
 *
 * @example
 * const s: Setting = { key: 'bit_depth', label: 'Bit depth', type: 'integer', value: 10, allowed: [8, 10], writable: true };
 * parseSettingValue(s, '8');  // 8
 * parseSettingValue(s, '9');  // throws CameraError BAD_VALUE "bit_depth must be one of 8, 10"
 */
import { CameraError } from './errors.js';
import type { SetOutcome, SetResult, Setting, SettingValue } from './types.js';

/** Converts command-line text into the setting's type and checks it. */
export function parseSettingValue(setting: Setting, text: string): SettingValue {
  return checkSettingValue(setting, convertSettingValue(setting, text));
}

/**
 * Converts command-line text into the setting's type only. `camctl config set` converts with this
 * and leaves the checks to the camera's `setConfig`, which judges the whole request at once (a
 * Sequoia timelapse period against the sensors the same request enables).
 */
export function convertSettingValue(setting: Setting, text: string): SettingValue {
  switch (setting.type) {
    case 'number':
    case 'integer': {
      const t = text.trim();
      const n = t === '' ? NaN : Number(t);
      if (!Number.isFinite(n)) throw badValue(setting, `${setting.key} must be a number, got ${JSON.stringify(text)}`);
      return n;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['true', 'on', 'yes', '1'].includes(t)) return true;
      if (['false', 'off', 'no', '0'].includes(t)) return false;
      throw badValue(setting, `${setting.key} must be true or false, got ${JSON.stringify(text)}`);
    }
    case 'enum': {
      // Enums may have numeric members (Sequoia resolutions): match by their text form.
      const hit = setting.allowed?.find((v) => String(v) === text.trim());
      if (hit !== undefined) return hit;
      const numeric =
        setting.allowed?.every((v) => typeof v === 'number') && text.trim() !== '' && Number.isFinite(Number(text));
      return numeric ? Number(text) : text;
    }
    case 'string':
      return text;
  }
}

/** Checks a typed value against the description; returns it unchanged or throws `BAD_VALUE`. */
export function checkSettingValue(setting: Setting, value: unknown): SettingValue {
  if (setting.error) {
    throw new CameraError(
      setting.error.code,
      `${setting.key} could not be read from the camera, so it cannot be set: ${setting.error.message}`,
      {
        deviceCode: setting.key,
        ...(setting.error.deviceMessage ? { deviceMessage: setting.error.deviceMessage } : {}),
      },
    );
  }
  if (!setting.writable) throw badValue(setting, `${setting.key} is read-only`);
  const allowedText = setting.allowed?.map(String).join(', ');
  switch (setting.type) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw badValue(setting, `${setting.key} must be a number`);
      if (setting.type === 'integer' && !Number.isInteger(value))
        throw badValue(setting, `${setting.key} must be a whole number`);
      if (setting.allowed && !setting.allowed.includes(value)) {
        throw badValue(setting, `${setting.key} must be one of ${allowedText}, got ${value}`);
      }
      const r = setting.range;
      if (r && (value < r.min || value > r.max) && !setting.also?.includes(value)) {
        // The description says what the range depends on (the Sequoia's sensors for its timelapse period).
        const why = setting.description ? ` (${setting.description})` : '';
        const besides = setting.also?.length ? `${setting.also.map(String).join(', ')} or ` : '';
        throw badValue(
          setting,
          `${setting.key} must be ${besides}between ${r.min} and ${r.max}${setting.unit ? ` ${setting.unit}` : ''}, got ${value}${why}`,
        );
      }
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw badValue(setting, `${setting.key} must be true or false`);
      return value;
    case 'enum':
      if (!setting.allowed?.includes(value as SettingValue)) {
        const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
        throw badValue(setting, `${setting.key} must be one of ${allowedText}, got ${shown}`);
      }
      return value as SettingValue;
    case 'string': {
      if (typeof value !== 'string') throw badValue(setting, `${setting.key} must be text`);
      if (setting.maxBytes !== undefined && Buffer.byteLength(value, 'utf8') > setting.maxBytes) {
        throw badValue(setting, `${setting.key} must be at most ${setting.maxBytes} bytes`);
      }
      if (setting.allowed && !setting.allowed.includes(value)) {
        throw badValue(setting, `${setting.key} must be one of ${allowedText}`);
      }
      return value;
    }
  }
}

/**
 * Reads text given under a setting's alias (its protocol name, {@link Setting.raw}) in the
 * protocol's own values — `SelectedStorage=65537`, `TimelapseInterval=2000` — as the setting's
 * value (`internal`, 2 s); text in the setting's own words is read as {@link convertSettingValue} does.
 */
export function convertAliasValue(setting: Setting, text: string): SettingValue {
  const raw = setting.raw;
  const t = text.trim();
  if (raw?.allowed && setting.allowed) {
    const i = raw.allowed.findIndex((v) => String(v) === t);
    if (i >= 0) return setting.allowed[i] as SettingValue;
  }
  if (raw?.scale !== undefined && t !== '' && Number.isFinite(Number(t))) return Number(t) / raw.scale;
  return convertSettingValue(setting, text);
}

/** Checks a whole `setConfig` request against the descriptions (unknown keys included). */
export function checkSettings(descriptions: readonly Setting[], values: Record<string, unknown>): void {
  const byKey = new Map(descriptions.map((d) => [d.key, d]));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const d = byKey.get(key);
    if (!d) {
      throw new CameraError(
        'UNKNOWN_SETTING',
        `unknown setting ${JSON.stringify(key)} (known: ${[...byKey.keys()].join(', ')})`,
      );
    }
    checkSettingValue(d, value);
  }
}

function badValue(setting: Setting, message: string): CameraError {
  return new CameraError('BAD_VALUE', message, { deviceCode: setting.key });
}

/** Splits a camera's per-key answers (from `setConfig` or its `CameraSettingError`) into applied and refused. */
export function setOutcome(
  values: Readonly<Record<string, SettingValue | undefined>>,
  results: readonly SetResult[],
): SetOutcome {
  const out: SetOutcome = { applied: [], refused: [] };
  for (const r of results) {
    const value = values[r.key];
    if (value === undefined) continue;
    if (r.ok) out.applied.push({ key: r.key, value });
    else out.refused.push({ key: r.key, value, reason: r.message });
  }
  return out;
}

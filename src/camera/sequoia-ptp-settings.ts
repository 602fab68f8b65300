/**
 * A Sequoia reached over PTP (PTP/IP, USB) shows the settings a Sequoia reached over HTTP shows:
 * the same names (`capture_mode`, `sensors_mask`, `timelapse_param`, …), the same words and units
 * (`storage_selected` internal, not `SelectedStorage` 65537; seconds, not milliseconds), with the
 * property's own name and value kept in `raw` for --json and as an alias. The translation table
 * is Parrot's vocabulary in src/ptp/vendors/parrot.ts, shared with the emulator's PTP face.
 */
import type { DevicePropDesc } from '../ptp/codec.js';
import { hex16 } from '../ptp/codes.js';
import { PARROT_SETTING_PROPERTIES, type ParrotSettingProperty } from '../ptp/vendors/parrot.js';
import { SEQUOIA_SETTINGS } from './sequoia-settings.js';
import type { Setting, SettingRaw, SettingValue } from './types.js';

const BY_CODE = new Map(PARROT_SETTING_PROPERTIES.map((p) => [p.code, p]));

/** The Sequoia setting a PTP property carries, if any. */
export function sequoiaSettingOfProperty(code: number): ParrotSettingProperty | undefined {
  return BY_CODE.get(code);
}

/**
 * The Sequoia setting for a property described generically (`generic`, keyed by the property's
 * PTP name): its HTTP name, label, unit and description, values translated, the property in `raw`.
 */
export function sequoiaSettingOverPtp(
  map: ParrotSettingProperty,
  generic: Setting,
  desc: DevicePropDesc | undefined,
): Setting {
  const known = SEQUOIA_SETTINGS.find((s) => s.key === map.key);
  const raw: SettingRaw = { name: generic.key, code: hex16(map.code), value: generic.value };
  const decode = (v: SettingValue | null): SettingValue | null =>
    v === null || typeof v === 'boolean' ? null : (map.decode(v) ?? null);
  const out: Setting = {
    ...generic,
    ...(known ? { label: known.label, type: known.type } : {}),
    key: map.key,
    value: decode(generic.value),
    raw,
  };
  if (known?.unit) out.unit = known.unit;
  if (known?.description) out.description = known.description;
  else delete out.description;
  if (map.scale !== undefined) raw.scale = map.scale;
  if (generic.allowed) {
    // Enumerations: the words the setting has for each property value, both lists in one order.
    const pairs = generic.allowed
      .map((v) => [v, decode(v)] as const)
      .filter((p): p is readonly [SettingValue, SettingValue] => p[1] !== null);
    out.allowed = pairs.map((p) => p[1]);
    raw.allowed = pairs.map((p) => p[0]);
  }
  if (generic.range && desc?.form.kind === 'range') {
    const scale = map.scale ?? 1;
    out.range = {
      min: generic.range.min / scale,
      max: generic.range.max / scale,
      step: known?.range?.step ?? (generic.range.step ?? 1) / scale,
    };
  }
  return out;
}

/**
 * A value given under the property's own name (an alias: `SelectedStorage=65537`,
 * `TimelapseInterval=2000`) as the setting's value; a value already in the setting's words passes.
 */
export function fromRawValue(map: ParrotSettingProperty, value: SettingValue): SettingValue {
  if (typeof value === 'boolean') return value;
  const asNumber =
    typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  return map.decode(asNumber) ?? map.decode(value) ?? value;
}

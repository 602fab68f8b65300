/**
 * The THETA's OSC options described as generic {@link Setting}s (for `camctl config`), built from
 * the camera's own `…Support` answers so a firmware with other values is described truthfully.
 * `fileFormat` (an object on the wire) is shown as text `jpeg 5376x2688`.
 */
import type { Setting, SettingValue } from './types.js';

/** Options described, in display order, with what to ask the camera for (v2.0 names). */
export const THETA_SETTING_KEYS = [
  'captureMode',
  'fileFormat',
  'exposureProgram',
  'iso',
  'shutterSpeed',
  'exposureCompensation',
  'whiteBalance',
  '_colorTemperature',
  '_filter',
  'exposureDelay',
  '_captureInterval',
  '_captureNumber',
  '_shutterVolume',
  'offDelay',
  'sleepDelay',
  'dateTimeZone',
  'clientVersion',
  'remainingPictures',
  'remainingSpace',
  'totalSpace',
] as const;

export type ThetaSettings = Record<string, SettingValue>;

/**
 * Options v2.1 renamed (theta-web-api-v2.1/options.md): a camera in v2.1 answers the v2.0 name with
 * invalidParameterName, and the other way round.
 */
const V21_NAMES: Record<string, string> = { _captureInterval: 'captureInterval', _captureNumber: 'captureNumber' };

/** The name of an option at an API level (1 = v2.0, 2 = v2.1); either spelling may be given. */
export function optionNameAt(name: string, api: 1 | 2): string {
  if (api === 2) return V21_NAMES[name] ?? name;
  return Object.entries(V21_NAMES).find(([, v21]) => v21 === name)?.[0] ?? name;
}

/** The described options, named as the camera names them at an API level. */
export function thetaSettingKeys(api: 1 | 2): string[] {
  return THETA_SETTING_KEYS.map((k) => optionNameAt(k, api));
}

const LABELS: Record<string, [string, string?]> = {
  captureMode: ['Capture mode'],
  fileFormat: ['File format'],
  exposureProgram: ['Exposure program (1 manual, 2 auto, 4 shutter priority, 9 ISO priority)'],
  iso: ['ISO (0 = auto)'],
  shutterSpeed: ['Shutter speed (0 = auto)', 's'],
  exposureCompensation: ['Exposure compensation', 'EV'],
  whiteBalance: ['White balance'],
  _colorTemperature: ['Colour temperature', 'K'],
  _filter: ['Image processing filter'],
  exposureDelay: ['Self-timer', 's'],
  _captureInterval: ['Interval', 's'],
  _captureNumber: ['Interval shots (0 = until stopped)'],
  captureInterval: ['Interval', 's'],
  captureNumber: ['Interval shots (0 = until stopped)'],
  _shutterVolume: ['Shutter volume', '%'],
  offDelay: ['Power off after (65535 = never)', 's'],
  sleepDelay: ['Sleep after (65535 = never)', 's'],
  dateTimeZone: ['Date, time and zone'],
  clientVersion: ['API level (1 = v2.0, 2 = v2.1)'],
  remainingPictures: ['Remaining pictures'],
  remainingSpace: ['Free space', 'B'],
  totalSpace: ['Total space', 'B'],
};

const READ_ONLY = new Set(['remainingPictures', 'remainingSpace', 'totalSpace', 'clientVersion']);

export function fileFormatText(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return null;
  const f = v as Record<string, unknown>;
  return `${String(f['type'])} ${String(f['width'])}x${String(f['height'])}`;
}

/** `jpeg 5376x2688` → `{type, width, height}`; undefined when the text is not that shape. */
export function parseFileFormat(text: string): { type: string; width: number; height: number } | undefined {
  const m = /^\s*(\w+)\s+(\d+)\s*x\s*(\d+)\s*$/.exec(text);
  return m ? { type: m[1]!, width: Number(m[2]), height: Number(m[3]) } : undefined;
}

/** Names to ask getOptions for at an API level: each key and, where it has one, its `…Support`. */
export function optionQuery(api: 1 | 2): string[] {
  const out: string[] = [];
  for (const k of thetaSettingKeys(api)) {
    out.push(k);
    if (!READ_ONLY.has(k) && k !== 'dateTimeZone') out.push(`${k}Support`);
  }
  return out;
}

function isScalar(v: unknown): v is SettingValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Settings from a getOptions answer at an API level (unknown shapes are shown as text, read-only;
 * options the camera did not answer are shown unavailable: no value, read-only).
 */
export function describeTheta(options: Record<string, unknown>, api: 1 | 2): Setting[] {
  const out: Setting[] = [];
  for (const key of thetaSettingKeys(api)) {
    const [label, unit] = LABELS[key] ?? [key];
    if (!(key in options)) {
      // Another model, firmware or API level: shown, so a missing setting is not a silent gap.
      out.push({
        key,
        label,
        type: 'string',
        value: null,
        writable: false,
        description: `${label}: unavailable on this camera`,
      });
      continue;
    }
    const raw = options[key];
    const support = options[`${key}Support`];
    const s: Setting = { key, label, type: 'string', value: null, writable: !READ_ONLY.has(key) };
    if (unit) s.unit = unit;
    if (key === 'fileFormat') {
      s.type = 'enum';
      s.value = fileFormatText(raw);
      if (Array.isArray(support)) s.allowed = support.map(fileFormatText).filter((x): x is string => x !== null);
    } else if (Array.isArray(support) && support.every(isScalar)) {
      s.type = 'enum';
      s.allowed = support;
      s.value = isScalar(raw) ? raw : null;
    } else if (typeof support === 'object' && support !== null) {
      // {minX, maxX[, stepSize]} ranges.
      const nums = Object.entries(support as Record<string, unknown>);
      const min = nums.find(([k]) => /^min/i.test(k))?.[1];
      const max = nums.find(([k]) => /^max/i.test(k))?.[1];
      const step = nums.find(([k]) => /step/i.test(k))?.[1];
      s.type = 'integer';
      if (typeof min === 'number' && typeof max === 'number') {
        s.range = { min, max: key === 'offDelay' || key === 'sleepDelay' ? 65535 : max };
        if (typeof step === 'number') s.range.step = step;
        // 0 shots is "until stopped", accepted although the camera's range starts at 2.
        if (key === '_captureNumber' || key === 'captureNumber') s.also = [0];
      }
      s.value = typeof raw === 'number' ? raw : null;
    } else if (typeof raw === 'number') {
      s.type = Number.isInteger(raw) ? 'integer' : 'number';
      s.value = raw;
    } else {
      s.value = isScalar(raw) ? raw : raw === undefined ? null : JSON.stringify(raw);
    }
    out.push(s);
  }
  return out;
}

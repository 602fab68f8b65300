/**
 * POST bodies of the Sequoia's HTTP API into the device's typed values. The camera's own web UI
 * sends numbers as strings and `bit_depth` as `"10bits"`, and Parrot's Sequoia API reference's
 * `/manualmode` example names the near-infrared band `near_ir` where the firmware says
 * `near_infrared`: all are read here, so the model only ever sees numbers and its own names.
 * The body's `request` field names the request, not a setting, and is dropped.
 */

/** A number, or a string that is exactly a decimal number (the UI's form values); anything else as it came. */
function looseNumber(v: unknown): unknown {
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return v;
}

const NUMERIC_CONFIG_KEYS = new Set([
  'timelapse_param',
  'gps_param',
  'overlap_param',
  'resolution_rgb',
  'resolution_mono',
  'bit_depth',
  'sensors_mask',
]);

function withoutRequest(body: Record<string, unknown>): Record<string, unknown> {
  const { request: _request, ...rest } = body;
  return rest;
}

/** `POST /config` → a settings change. */
export function configFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(withoutRequest(body))) {
    const v = key === 'bit_depth' && typeof value === 'string' ? value.replace(/\s*bits?$/i, '') : value;
    out[key] = NUMERIC_CONFIG_KEYS.has(key) ? looseNumber(v) : v;
  }
  return out;
}

/** `POST /wifi` → a Wi-Fi change. */
export function wifiFromForm(body: Record<string, unknown>): Record<string, unknown> {
  return withoutRequest(body);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function exposureFromForm(v: unknown): unknown {
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(v))
    out[key] = key === 'exp_us' || key === 'iso' ? looseNumber(value) : value;
  return out;
}

/**
 * `POST /manualmode` → an exposure-settings change, and whether `near_ir` was renamed (the reply
 * answers under the name the client used).
 */
export function manualModeFromForm(body: Record<string, unknown>): {
  patch: Record<string, unknown>;
  nearIrAlias: boolean;
} {
  const patch: Record<string, unknown> = {};
  let nearIrAlias = false;
  for (const [section, value] of Object.entries(withoutRequest(body))) {
    if (section === 'rgb') patch.rgb = exposureFromForm(value);
    else if (section === 'monochrome' && isRecord(value)) {
      const mono: Record<string, unknown> = {};
      const rename = 'near_ir' in value && !('near_infrared' in value);
      nearIrAlias ||= rename;
      for (const [key, sub] of Object.entries(value))
        mono[rename && key === 'near_ir' ? 'near_infrared' : key] = key === 'mode' ? sub : exposureFromForm(sub);
      patch.monochrome = mono;
    } else patch[section] = value;
  }
  return { patch, nearIrAlias };
}

/** Puts a reply's `near_infrared` back under the `near_ir` the client sent. */
export function nearIrReply(reply: Record<string, unknown>): Record<string, unknown> {
  const mono = reply.monochrome;
  if (!isRecord(mono)) return reply;
  const renamed: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(mono)) renamed[key === 'near_infrared' ? 'near_ir' : key] = v;
  return { ...reply, monochrome: renamed };
}

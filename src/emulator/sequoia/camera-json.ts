/**
 * JSON as the Sequoia writes it. The camera's firmware types some values as doubles and prints
 * them with a decimal point even when whole (`"gps_param": 25.0`, `"total": 59272328.0`), while
 * `JSON.stringify` prints `25`. Values wrapped in {@link Float} keep their decimal point, so the
 * emulator answers in exactly the shape of the API reference's examples; parsers treat both the same.
 */
export class Float {
  constructor(readonly value: number) {}
}

export function float(value: number): Float {
  return new Float(value);
}

function encodeFloat(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  return Number.isInteger(v) ? `${v}.0` : JSON.stringify(v);
}

/** Serialises like `JSON.stringify(value)` (compact), with {@link Float} values as doubles. */
export function cameraJson(value: unknown): string {
  if (value instanceof Float) return encodeFloat(value.value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : cameraJson(v))).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${cameraJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Checks a value against the JSON Schema subset of src/cli/json-schemas.ts (type, properties,
 * required, additionalProperties, items, enum, anyOf): no JSON Schema validator is a dependency
 * of camctl, and this subset is all the shapes use. Returns the problems, each with its JSON path.
 */
import type { JsonSchema } from '../../src/cli/json-schemas.js';

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  if (t === 'integer') return Number.isInteger(v);
  return typeOf(v) === t;
}

export function validate(schema: JsonSchema, value: unknown, at = '$'): string[] {
  const problems: string[] = [];
  if (schema.anyOf) {
    const each = schema.anyOf.map((s) => validate(s, value, at));
    if (!each.some((p) => p.length === 0))
      problems.push(`${at}: matches none of anyOf (${each.map((p) => p[0]).join(' | ')})`);
  }
  if (schema.enum && !schema.enum.includes(value as never))
    problems.push(`${at}: ${JSON.stringify(value)} not one of ${JSON.stringify(schema.enum)}`);
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t)))
      return [
        ...problems,
        `${at}: ${typeOf(value)} ${JSON.stringify(value)?.slice(0, 60)}, expected ${types.join(' or ')}`,
      ];
  }
  if (typeOf(value) === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in o)) problems.push(`${at}: missing ${k}`);
    for (const [k, v] of Object.entries(o)) {
      const sub = schema.properties?.[k];
      if (sub) problems.push(...validate(sub, v, `${at}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: unexpected ${k}`);
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...validate(schema.additionalProperties, v, `${at}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => problems.push(...validate(schema.items as JsonSchema, v, `${at}[${i}]`)));
  return problems;
}

/**
 * http:// URLs anywhere in a --json output but under `details` and `raw` (the protocol's own
 * data): camctl prints camera paths, never URLs. Returns the JSON paths of the ones found.
 */
export function urlsOutsideDetails(v: unknown, at = '$'): string[] {
  if (typeof v === 'string') return /^https?:\/\//.test(v) ? [at] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => urlsOutsideDetails(x, `${at}[${i}]`));
  if (v && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) =>
      k === 'details' || k === 'raw' ? [] : urlsOutsideDetails(x, `${at}.${k}`),
    );
  }
  return [];
}

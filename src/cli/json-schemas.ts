/**
 * JSON Schemas (draft 2020-12, a plain subset: type, properties, required, items, enum,
 * additionalProperties, anyOf) of what each command prints with --json; the types they describe
 * are in json-shapes.ts. Scripts can validate camctl's output with any JSON Schema validator; the
 * test suite checks every command against these on each emulated camera and address.
 */

/** The subset of JSON Schema these shapes use. */
export interface JsonSchema {
  type?:
    | 'object'
    | 'array'
    | 'string'
    | 'number'
    | 'integer'
    | 'boolean'
    | 'null'
    | Array<'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null'>;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: ReadonlyArray<string | number | boolean | null>;
  anyOf?: JsonSchema[];
  description?: string;
}

const str: JsonSchema = { type: 'string' };
const num: JsonSchema = { type: 'number' };
const int: JsonSchema = { type: 'integer' };
const bool: JsonSchema = { type: 'boolean' };
const scalar: JsonSchema = { type: ['string', 'number', 'boolean'] };
const anything: JsonSchema = {};
const openObject: JsonSchema = { type: 'object' };
/** A camera path: absolute, `/`-separated — never a URL. */
const cameraPath: JsonSchema = { type: 'string', description: 'camera path, /<medium>/<folder>/<file>' };

function object(
  properties: Record<string, JsonSchema>,
  required: string[] = Object.keys(properties),
  description?: string,
): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false, ...(description ? { description } : {}) };
}

const captureState: JsonSchema = { enum: ['idle', 'capturing', 'busy', 'unavailable'] };

const entry = object(
  { kind: { enum: ['medium', 'folder', 'file'] }, path: cameraPath, name: str, size: int, time: num, count: int },
  ['kind', 'path', 'name'],
);
const file = object({ kind: { enum: ['file'] }, path: cameraPath, name: str, size: int, time: num, count: int }, [
  'kind',
  'path',
  'name',
  'size',
]);

const fileReport = object({
  path: cameraPath,
  file: str,
  status: { enum: ['downloaded', 'resumed', 'skipped'] },
  reason: { type: ['string', 'null'] },
  message: { type: ['string', 'null'] },
  size: int,
  transferred: int,
  resumedFrom: int,
  downloaded: bool,
  resumed: bool,
  skipped: bool,
  overwritten: bool,
});

const settingError = object({ code: str, message: str, deviceMessage: str }, ['code', 'message']);
const setting = object(
  {
    key: str,
    label: str,
    type: { enum: ['enum', 'number', 'integer', 'string', 'boolean'] },
    value: { type: ['string', 'number', 'boolean', 'null'] },
    allowed: { type: 'array', items: scalar },
    range: object({ min: num, max: num, step: num }, ['min', 'max']),
    also: { type: 'array', items: scalar },
    maxBytes: int,
    unit: str,
    writable: bool,
    description: str,
    error: settingError,
    raw: object(
      {
        name: str,
        code: str,
        value: { type: ['string', 'number', 'boolean', 'null'] },
        allowed: { type: 'array', items: scalar },
        scale: num,
      },
      ['name', 'value'],
    ),
  },
  ['key', 'label', 'type', 'value', 'writable'],
);

const medium = object(
  {
    id: str,
    path: cameraPath,
    present: bool,
    totalBytes: int,
    freeBytes: int,
    readOnly: bool,
    selected: bool,
    problem: str,
  },
  ['id', 'path', 'present', 'readOnly', 'selected'],
);

const event: JsonSchema = {
  anyOf: [
    object({ time: str, type: { enum: ['capture'] }, state: captureState, folder: cameraPath, raw: anything }, [
      'time',
      'type',
      'state',
    ]),
    object({ time: str, type: { enum: ['file-added'] }, path: cameraPath, size: int, raw: anything }, [
      'time',
      'type',
      'path',
    ]),
    object({ time: str, type: { enum: ['file-removed'] }, path: cameraPath, raw: anything }, ['time', 'type', 'path']),
    object({ time: str, type: { enum: ['setting'] }, key: str, value: scalar, raw: anything }, [
      'time',
      'type',
      'key',
      'value',
    ]),
    object({ time: str, type: { enum: ['storage'] }, medium: str, state: str, raw: anything }, [
      'time',
      'type',
      'medium',
      'state',
    ]),
    object({ time: str, type: { enum: ['calibration'] }, target: str, state: str, raw: anything }, [
      'time',
      'type',
      'target',
      'state',
    ]),
    object({ time: str, type: { enum: ['sensor'] }, name: str, state: str, raw: anything }, [
      'time',
      'type',
      'name',
      'state',
    ]),
    object(
      { time: str, type: { enum: ['connection'] }, state: { enum: ['lost', 'restored'] }, attempt: int, error: str },
      ['time', 'type', 'state'],
    ),
    object({ time: str, type: { enum: ['other'] }, raw: anything }, ['time', 'type']),
  ],
};

/** The schema of each command's --json output, by command (see json-shapes.ts for the types). */
export const JSON_SCHEMAS = {
  info: object({
    protocol: str,
    address: str,
    manufacturer: str,
    model: str,
    serialNumber: str,
    firmware: str,
    details: { type: 'object', additionalProperties: scalar },
  }),
  status: object({
    capture: object({ state: captureState, text: str, folder: cameraPath }, ['state', 'text']),
    battery: { anyOf: [object({ level: num, charging: bool }, ['level']), { type: 'null' }] },
    media: { type: 'array', items: medium },
    details: openObject,
  }),
  config: object({ settings: { type: 'array', items: setting } }),
  'config set': object({
    applied: { type: 'array', items: object({ key: str, value: scalar }) },
    refused: { type: 'array', items: object({ key: str, value: scalar, reason: str }) },
  }),
  capture: object({
    folder: { anyOf: [cameraPath, { type: 'null' }] },
    files: { type: 'array', items: file },
    downloaded: { type: 'array', items: fileReport },
  }),
  ls: object({ path: cameraPath, entries: { type: 'array', items: entry } }),
  get: object({ files: { type: 'array', items: fileReport } }),
  sync: object({
    dir: str,
    files: int,
    bytes: int,
    downloaded: int,
    resumed: int,
    skipped: int,
    conflicts: int,
    failed: int,
    deleted: int,
    deletedFolders: int,
    incomplete: int,
    transferredBytes: int,
    seconds: num,
    bytesPerSecond: num,
    failures: { type: 'array', items: object({ path: cameraPath, code: str, message: str }) },
    conflictFiles: { type: 'array', items: object({ path: cameraPath, local: str, message: str }) },
  }),
  rm: object({ deleted: { type: 'array', items: cameraPath } }),
  watch: event,
  error: object({
    error: object(
      {
        code: str,
        message: str,
        detail: str,
        deviceMessage: str,
        results: { type: 'array', items: object({ key: str, ok: bool, message: str }) },
      },
      ['code', 'message'],
    ),
  }),
} as const satisfies Record<string, JsonSchema>;

/** A command whose --json output has a schema. */
export type JsonCommand = keyof typeof JSON_SCHEMAS;

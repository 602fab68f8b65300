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

const s3Summary = object({
  camera: object({ address: str, model: str, serial: str, firmware: str, dir: str }),
  bucket: str,
  prefix: str,
  files: int,
  bytes: int,
  uploaded: int,
  resumed: int,
  present: int,
  raced: int,
  failed: int,
  deleted: int,
  deletedFolders: int,
  incomplete: int,
  sentBytes: int,
  partsReused: int,
  seconds: num,
  bytesPerSecond: num,
  manifest: { type: ['string', 'null'] },
  failures: { type: 'array', items: object({ path: cameraPath, code: str, message: str }) },
});

const pictureMetadata = object(
  {
    make: str,
    model: str,
    serialNumber: str,
    software: str,
    width: int,
    height: int,
    captureTime: str,
    gps: object({ lat: num, lon: num, alt: num }, ['lat', 'lon']),
    exposureTime: num,
    iso: num,
    fNumber: num,
    focalLength: num,
    band: str,
    centralWavelength: num,
    wavelengthFwhm: num,
    attitude: object({ yaw: num, pitch: num, roll: num }),
    irradiance: object(
      {
        samples: int,
        ch0: num,
        ch1: num,
        gainIndex: int,
        integrationMs: num,
        timestampUs: num,
        unitScale: num,
        sensorSerial: str,
      },
      ['samples', 'ch0', 'ch1', 'gainIndex', 'integrationMs', 'timestampUs'],
    ),
    panorama: { type: 'object', additionalProperties: scalar },
  },
  [],
  'every field is there when the file carries it',
);

/** Camera files a THETA command made: camera paths, the camera's own URLs only under details. */
const thetaFiles = { type: 'array', items: cameraPath } as const satisfies JsonSchema;

/** The camera's answer per key: `Ok` or its reason (Sequoia's POST /wifi and /manualmode). */
const results = object({ results: { type: 'object', additionalProperties: str } });

const exposure = object({ mode: { enum: ['auto', 'manual'] }, exp_us: int, iso: int });
const bandExposure = object({ exp_us: int, iso: int });

/** A PTP value as JSON: a number, a 64-bit integer as a decimal string, a string, or an array of those. */
const ptpValue: JsonSchema = {
  anyOf: [{ type: ['number', 'string'] }, { type: 'array', items: { type: ['number', 'string'] } }],
};
const ptpProp = {
  code: int,
  dataType: int,
  getSet: { enum: [0, 1] },
  factoryDefault: ptpValue,
  current: ptpValue,
  form: {
    anyOf: [
      object({ kind: { enum: ['none'] } }),
      object({ kind: { enum: ['range'] }, min: ptpValue, max: ptpValue, step: ptpValue }),
      object({ kind: { enum: ['enum'] }, values: { type: 'array', items: ptpValue } }),
    ],
  },
  name: str,
} as const satisfies Record<string, JsonSchema>;
const intList: JsonSchema = { type: 'array', items: int };

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
  'sync s3': s3Summary,
  'sync s3 cameras': object({ cameras: { type: 'array', items: s3Summary } }),
  video: object({ recording: bool, files: thetaFiles, details: object({ fileUrls: { type: 'array', items: str } }) }),
  interval: object({
    shooting: bool,
    files: thetaFiles,
    details: object({ state: { type: ['string', 'null'] }, fileUrls: { type: 'array', items: str } }),
  }),
  preview: object({ frames: int, bytes: int, output: str }),
  exif: object({
    files: {
      type: 'array',
      items: object({ path: str, source: { enum: ['local', 'camera'] }, metadata: pictureMetadata }),
    },
  }),
  detect: {
    type: 'array',
    items: object({
      address: str,
      bus: int,
      device: int,
      vendorId: int,
      productId: int,
      usbId: str,
      manufacturer: { type: ['string', 'null'] },
      product: { type: ['string', 'null'] },
      serial: { type: ['string', 'null'] },
      unreadable: { type: ['string', 'null'] },
    }),
  },
  wifi: object({ ssid: str, status: { enum: ['on', 'off'] } }),
  'wifi set': results,
  calibrate: object({ body: str, sunshine: str }),
  'calibrate start|stop': object({
    action: { enum: ['start', 'stop'] },
    target: { enum: ['body', 'sunshine', 'radiometric', null] },
    status: str,
  }),
  manual: object({
    rgb: exposure,
    monochrome: object({
      mode: { enum: ['auto', 'manual'] },
      green: bandExposure,
      red: bandExposure,
      red_edge: bandExposure,
      near_infrared: bandExposure,
    }),
  }),
  'manual set': results,
  'options get': { type: 'object', additionalProperties: anything },
  'options set': object({ set: { type: 'object', additionalProperties: anything } }),
  'ptp info': object({
    standardVersion: int,
    vendorExtensionId: int,
    vendorExtensionVersion: int,
    vendorExtensionDesc: str,
    functionalMode: int,
    operationsSupported: intList,
    eventsSupported: intList,
    devicePropertiesSupported: intList,
    captureFormats: intList,
    imageFormats: intList,
    manufacturer: str,
    model: str,
    deviceVersion: str,
    serialNumber: str,
    hex: { type: ['string', 'null'] },
  }),
  'ptp storage': {
    type: 'array',
    items: object({
      id: int,
      storageType: int,
      filesystemType: int,
      accessCapability: int,
      maxCapacity: { type: 'string', description: 'bytes, a decimal string (64-bit)' },
      freeSpaceInBytes: { type: 'string', description: 'bytes, a decimal string (64-bit)' },
      freeSpaceInImages: int,
      storageDescription: str,
      volumeLabel: str,
    }),
  },
  'ptp props': { type: 'array', items: object(ptpProp) },
  'ptp prop get': object({ ...ptpProp, hex: { type: ['string', 'null'] } }),
  'ptp prop set': object({ code: int, name: str, value: ptpValue }),
  'ptp op': object({
    operation: str,
    response: str,
    params: intList,
    dataset: { type: ['string', 'null'] },
    decoded: anything,
    hex: { type: ['string', 'null'] },
  }),
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

/**
 * PTP (ISO 15740) codes: operations, responses, events, device properties, object formats and
 * data types, with names for display. Vendor tables live in `vendors/` and are merged in by
 * {@link codeName} when the caller says which vendor the device is (VendorExtensionID).
 *
 * @example
 * codeName('operation', 0x1001);        // 'GetDeviceInfo'
 * codeName('property', 0xd201, 0x1b);   // 'PhotoSensorEnableMask' (Parrot)
 */

export const Op = {
  GetDeviceInfo: 0x1001,
  OpenSession: 0x1002,
  CloseSession: 0x1003,
  GetStorageIDs: 0x1004,
  GetStorageInfo: 0x1005,
  GetNumObjects: 0x1006,
  GetObjectHandles: 0x1007,
  GetObjectInfo: 0x1008,
  GetObject: 0x1009,
  GetThumb: 0x100a,
  DeleteObject: 0x100b,
  SendObjectInfo: 0x100c,
  SendObject: 0x100d,
  InitiateCapture: 0x100e,
  FormatStore: 0x100f,
  ResetDevice: 0x1010,
  SelfTest: 0x1011,
  SetObjectProtection: 0x1012,
  PowerDown: 0x1013,
  GetDevicePropDesc: 0x1014,
  GetDevicePropValue: 0x1015,
  SetDevicePropValue: 0x1016,
  ResetDevicePropValue: 0x1017,
  TerminateOpenCapture: 0x1018,
  MoveObject: 0x1019,
  CopyObject: 0x101a,
  GetPartialObject: 0x101b,
  InitiateOpenCapture: 0x101c,
} as const;

/** PTP response codes (ISO 15740 §11): OK 0x2001, DeviceBusy 0x2019, … */
export const Resp = {
  Undefined: 0x2000,
  OK: 0x2001,
  GeneralError: 0x2002,
  SessionNotOpen: 0x2003,
  InvalidTransactionID: 0x2004,
  OperationNotSupported: 0x2005,
  ParameterNotSupported: 0x2006,
  IncompleteTransfer: 0x2007,
  InvalidStorageID: 0x2008,
  InvalidObjectHandle: 0x2009,
  DevicePropNotSupported: 0x200a,
  InvalidObjectFormatCode: 0x200b,
  StoreFull: 0x200c,
  ObjectWriteProtected: 0x200d,
  StoreReadOnly: 0x200e,
  AccessDenied: 0x200f,
  NoThumbnailPresent: 0x2010,
  SelfTestFailed: 0x2011,
  PartialDeletion: 0x2012,
  StoreNotAvailable: 0x2013,
  SpecificationByFormatUnsupported: 0x2014,
  NoValidObjectInfo: 0x2015,
  InvalidCodeFormat: 0x2016,
  UnknownVendorCode: 0x2017,
  CaptureAlreadyTerminated: 0x2018,
  DeviceBusy: 0x2019,
  InvalidParentObject: 0x201a,
  InvalidDevicePropFormat: 0x201b,
  InvalidDevicePropValue: 0x201c,
  InvalidParameter: 0x201d,
  SessionAlreadyOpen: 0x201e,
  TransactionCancelled: 0x201f,
  SpecificationOfDestinationUnsupported: 0x2020,
} as const;

/** PTP event codes (ISO 15740 §12): ObjectAdded 0x4002, CaptureComplete 0x400D, … */
export const Ev = {
  CancelTransaction: 0x4001,
  ObjectAdded: 0x4002,
  ObjectRemoved: 0x4003,
  StoreAdded: 0x4004,
  StoreRemoved: 0x4005,
  DevicePropChanged: 0x4006,
  ObjectInfoChanged: 0x4007,
  DeviceInfoChanged: 0x4008,
  RequestObjectTransfer: 0x4009,
  StoreFull: 0x400a,
  DeviceReset: 0x400b,
  StorageInfoChanged: 0x400c,
  CaptureComplete: 0x400d,
  UnreportedStatus: 0x400e,
} as const;

/** Standard device property codes (ISO 15740 §13): BatteryLevel 0x5001, StillCaptureMode 0x5013, … */
export const Prop = {
  BatteryLevel: 0x5001,
  FunctionalMode: 0x5002,
  ImageSize: 0x5003,
  CompressionSetting: 0x5004,
  WhiteBalance: 0x5005,
  RGBGain: 0x5006,
  FNumber: 0x5007,
  FocalLength: 0x5008,
  FocusDistance: 0x5009,
  FocusMode: 0x500a,
  ExposureMeteringMode: 0x500b,
  FlashMode: 0x500c,
  ExposureTime: 0x500d,
  ExposureProgramMode: 0x500e,
  ExposureIndex: 0x500f,
  ExposureBiasCompensation: 0x5010,
  DateTime: 0x5011,
  CaptureDelay: 0x5012,
  StillCaptureMode: 0x5013,
  Contrast: 0x5014,
  Sharpness: 0x5015,
  DigitalZoom: 0x5016,
  EffectMode: 0x5017,
  BurstNumber: 0x5018,
  BurstInterval: 0x5019,
  TimelapseNumber: 0x501a,
  TimelapseInterval: 0x501b,
  FocusMeteringMode: 0x501c,
  UploadURL: 0x501d,
  Artist: 0x501e,
  CopyrightInfo: 0x501f,
} as const;

/** Object format codes (ISO 15740 §6): Association (folder) 0x3001, EXIF/JPEG 0x3801, TIFF 0x380D, … */
export const Format = {
  Undefined: 0x3000,
  Association: 0x3001,
  Script: 0x3002,
  Executable: 0x3003,
  Text: 0x3004,
  HTML: 0x3005,
  DPOF: 0x3006,
  AIFF: 0x3007,
  WAV: 0x3008,
  MP3: 0x3009,
  AVI: 0x300a,
  MPEG: 0x300b,
  ASF: 0x300c,
  UndefinedImage: 0x3800,
  EXIF_JPEG: 0x3801,
  TIFF_EP: 0x3802,
  FlashPix: 0x3803,
  BMP: 0x3804,
  CIFF: 0x3805,
  GIF: 0x3807,
  JFIF: 0x3808,
  PCD: 0x3809,
  PICT: 0x380a,
  PNG: 0x380b,
  TIFF: 0x380d,
  TIFF_IT: 0x380e,
  JP2: 0x380f,
  JPX: 0x3810,
  DNG: 0x3811,
  MP4: 0xb982,
} as const;

/** Data type codes of DevicePropDesc and property values (docs/ptp.md "Encoding"). */
export const DataType = {
  UNDEF: 0x0000,
  INT8: 0x0001,
  UINT8: 0x0002,
  INT16: 0x0003,
  UINT16: 0x0004,
  INT32: 0x0005,
  UINT32: 0x0006,
  INT64: 0x0007,
  UINT64: 0x0008,
  INT128: 0x0009,
  UINT128: 0x000a,
  AINT8: 0x4001,
  AUINT8: 0x4002,
  AINT16: 0x4003,
  AUINT16: 0x4004,
  AINT32: 0x4005,
  AUINT32: 0x4006,
  AINT64: 0x4007,
  AUINT64: 0x4008,
  AINT128: 0x4009,
  AUINT128: 0x400a,
  STR: 0xffff,
} as const;
/** One of the {@link DataType} codes. */
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** StorageInfo's StorageType values. */
export const StorageType = { FixedROM: 1, RemovableROM: 2, FixedRAM: 3, RemovableRAM: 4 } as const;
/** StorageInfo's FilesystemType values. */
export const FilesystemType = { GenericFlat: 1, GenericHierarchical: 2, DCF: 3 } as const;
/** StorageInfo's AccessCapability values. */
export const AccessCapability = { ReadWrite: 0, ReadOnly: 1, ReadOnlyWithDelete: 2 } as const;
/** ObjectInfo's AssociationType values (a folder is a generic folder association). */
export const AssociationType = { GenericFolder: 1 } as const;

/** Parameter of GetObjectHandles / GetNumObjects meaning "every storage" or "root only". */
export const ALL = 0xffffffff;

/** The code tables {@link codeName}, {@link lookupName} and {@link parseCode} look in. */
export type CodeKind = 'operation' | 'response' | 'event' | 'property' | 'format' | 'datatype';

/** A vendor's additions, registered by the modules in `vendors/`. */
export interface VendorCodeTable {
  vendorExtensionId: number;
  name: string;
  operations: Readonly<Record<string, number>>;
  events: Readonly<Record<string, number>>;
  properties: Readonly<Record<string, number>>;
  responses?: Readonly<Record<string, number>>;
  formats?: Readonly<Record<string, number>>;
}

function invert(table: Readonly<Record<string, number>>): Map<number, string> {
  const m = new Map<number, string>();
  for (const [k, v] of Object.entries(table)) if (!m.has(v)) m.set(v, k);
  return m;
}

const standard: Record<CodeKind, Map<number, string>> = {
  operation: invert(Op),
  response: invert(Resp),
  event: invert(Ev),
  property: invert(Prop),
  format: invert(Format),
  datatype: invert(DataType),
};

const vendors = new Map<number, Record<CodeKind, Map<number, string>>>();

/** Called once by each vendor module at import time. */
export function registerVendor(table: VendorCodeTable): void {
  vendors.set(table.vendorExtensionId, {
    operation: invert(table.operations),
    response: invert(table.responses ?? {}),
    event: invert(table.events),
    property: invert(table.properties),
    format: invert(table.formats ?? {}),
    datatype: new Map(),
  });
}

/** The name of a code, or undefined; vendor codes only resolve when `vendorExtensionId` is given. */
export function lookupName(kind: CodeKind, code: number, vendorExtensionId?: number): string | undefined {
  const std = standard[kind].get(code);
  if (std !== undefined) return std;
  if (vendorExtensionId === undefined) return undefined;
  return vendors.get(vendorExtensionId)?.[kind].get(code);
}

/** The display name of a code: its name, or `Unknown 0x9001` so that a listing is never blank. */
export function codeName(kind: CodeKind, code: number, vendorExtensionId?: number): string {
  return lookupName(kind, code, vendorExtensionId) ?? `Unknown ${hex16(code)}`;
}

/** Resolves a name (case-insensitive) or a number written as `0x1001`/`4097` to a code. */
export function parseCode(kind: CodeKind, text: string, vendorExtensionId?: number): number | undefined {
  const t = text.trim();
  if (/^0x[0-9a-f]{1,4}$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^[0-9]{1,5}$/.test(t)) {
    const n = Number(t);
    return n <= 0xffff ? n : undefined;
  }
  const want = t.toLowerCase();
  const tables = [standard[kind], ...(vendorExtensionId !== undefined ? [vendors.get(vendorExtensionId)?.[kind]] : [])];
  for (const table of tables) {
    if (!table) continue;
    for (const [code, name] of table) if (name.toLowerCase() === want) return code;
  }
  return undefined;
}

/** `0x` and four hex digits, for 16-bit codes in messages. */
export function hex16(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
/** `0x` and eight hex digits, for 32-bit ids and handles in messages. */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

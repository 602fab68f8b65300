/**
 * The standard PTP datasets (ISO 15740 §5.5) as `camctl ptp` shows them to people: DeviceInfo,
 * StorageInfo, ObjectInfo, DevicePropDesc, property values and the u32 arrays of GetStorageIDs and
 * GetObjectHandles. `ptp info`, `ptp prop get` and `ptp op` share these, so an operation sent raw
 * reads the same as the command made for it.
 *
 * @example
 * const d = await decodeStandardData(client, Op.GetStorageInfo, [0x00010001], data, 0x6);
 * console.log(d?.lines.join('\n'));
 */
import { Op, codeName } from '../ptp/codes.js';
import {
  decodeDeviceInfo,
  decodeDevicePropDesc,
  decodeObjectInfo,
  decodeStorageInfo,
  decodeU32Array,
  decodeValue,
  type DeviceInfo,
  type DevicePropDesc,
  type ObjectInfo,
  type PtpValue,
  type StorageInfo,
} from '../ptp/codec.js';
import type { PtpClient } from '../ptp/client.js';
import { humanSize, pairs } from './format.js';

export const hex = (n: number, w = 4): string => `0x${n.toString(16).padStart(w, '0')}`;
export const show = (v: PtpValue): string =>
  typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(', ')}]` : String(v);

export function describeForm(d: DevicePropDesc): string {
  if (d.form.kind === 'range') return `range ${show(d.form.min)}…${show(d.form.max)} step ${show(d.form.step)}`;
  if (d.form.kind === 'enum') return `one of ${d.form.values.map(show).join(', ')}`;
  return '';
}

export function deviceInfoLines(info: DeviceInfo): string[] {
  const v = info.vendorExtensionId;
  return [
    pairs([
      ['Camera', `${info.manufacturer} ${info.model}`],
      ['Serial number', info.serialNumber],
      ['Version', info.deviceVersion],
      ['Extension', `${hex(v, 8)} ${info.vendorExtensionDesc} (version ${info.vendorExtensionVersion})`],
      ['Functional mode', hex(info.functionalMode)],
    ]),
    'Operations:',
    ...info.operationsSupported.map((o) => `  ${hex(o)} ${codeName('operation', o, v)}`),
    'Events:',
    ...info.eventsSupported.map((o) => `  ${hex(o)} ${codeName('event', o, v)}`),
    'Properties:',
    ...info.devicePropertiesSupported.map((o) => `  ${hex(o)} ${codeName('property', o, v)}`),
    'Image formats:',
    ...info.imageFormats.map((o) => `  ${hex(o)} ${codeName('format', o, v)}`),
  ];
}

export function devicePropDescLines(d: DevicePropDesc, vendorExtensionId: number): string[] {
  return [
    pairs([
      ['Property', `${hex(d.code)} ${codeName('property', d.code, vendorExtensionId)}`],
      ['Type', codeName('datatype', d.dataType)],
      ['Value', show(d.current)],
      ['Default', show(d.factoryDefault)],
      ['Writable', d.getSet ? 'yes' : 'no'],
      ...(d.form.kind !== 'none' ? [['Allowed', describeForm(d)] as const] : []),
    ]),
  ];
}

function storageInfoLines(s: StorageInfo): string[] {
  return [
    pairs([
      ['Description', s.storageDescription],
      ['Volume label', s.volumeLabel],
      ['Type', String(s.storageType)],
      ['File system', String(s.filesystemType)],
      ['Access', String(s.accessCapability)],
      ['Capacity', `${humanSize(Number(s.maxCapacity))} (${s.maxCapacity} bytes)`],
      ['Free', `${humanSize(Number(s.freeSpaceInBytes))} (${s.freeSpaceInBytes} bytes)`],
      ['Free images', String(s.freeSpaceInImages)],
    ]),
  ];
}

function objectInfoLines(o: ObjectInfo, vendorExtensionId: number): string[] {
  return [
    pairs([
      ['File name', o.filename],
      ['Format', `${hex(o.objectFormat)} ${codeName('format', o.objectFormat, vendorExtensionId)}`],
      ['Size', `${o.compressedSize} bytes`],
      ['Storage', hex(o.storageId, 8)],
      ['Parent', hex(o.parentObject, 8)],
      ...(o.imagePixWidth
        ? [['Image', `${o.imagePixWidth}×${o.imagePixHeight}, ${o.imageBitDepth} bits`] as const]
        : []),
      ...(o.thumbCompressedSize
        ? [
            [
              'Thumbnail',
              `${hex(o.thumbFormat)} ${o.thumbPixWidth}×${o.thumbPixHeight}, ${o.thumbCompressedSize} bytes`,
            ] as const,
          ]
        : []),
      ...(o.associationType ? [['Association', `${hex(o.associationType)} (desc ${o.associationDesc})`] as const] : []),
      ['Captured', o.captureDate],
      ['Modified', o.modificationDate],
      ...(o.keywords ? [['Keywords', o.keywords] as const] : []),
    ]),
  ];
}

export interface DecodedDataset {
  /** The dataset's name, as ISO 15740 calls it. */
  dataset: string;
  /** For `--json`. */
  value: unknown;
  /** For people. */
  lines: string[];
}

/**
 * Decodes the data phase of a standard operation whose data is a known dataset; undefined for any
 * other operation. GetDevicePropValue asks the camera for the property's type to read the value.
 * Throws when the data does not parse as the dataset (the caller then shows it raw).
 */
export async function decodeStandardData(
  c: PtpClient,
  code: number,
  params: readonly number[],
  data: Uint8Array,
  vendorExtensionId: number,
): Promise<DecodedDataset | undefined> {
  switch (code) {
    case Op.GetDeviceInfo: {
      const info = decodeDeviceInfo(data);
      return { dataset: 'DeviceInfo', value: info, lines: deviceInfoLines(info) };
    }
    case Op.GetStorageInfo: {
      const s = decodeStorageInfo(data);
      return { dataset: 'StorageInfo', value: s, lines: storageInfoLines(s) };
    }
    case Op.GetObjectInfo: {
      const o = decodeObjectInfo(data);
      return { dataset: 'ObjectInfo', value: o, lines: objectInfoLines(o, vendorExtensionId) };
    }
    case Op.GetDevicePropDesc: {
      const d = decodeDevicePropDesc(data);
      return { dataset: 'DevicePropDesc', value: d, lines: devicePropDescLines(d, vendorExtensionId) };
    }
    case Op.GetDevicePropValue: {
      const prop = params[0] ?? 0;
      const { dataType } = await c.getDevicePropDesc(prop);
      const value = decodeValue(dataType, data);
      return {
        dataset: 'DevicePropValue',
        value,
        lines: [
          pairs([
            ['Property', `${hex(prop)} ${codeName('property', prop, vendorExtensionId)}`],
            ['Value', show(value)],
          ]),
        ],
      };
    }
    case Op.GetStorageIDs:
    case Op.GetObjectHandles: {
      const ids = decodeU32Array(data);
      const what = code === Op.GetStorageIDs ? 'StorageIDs' : 'ObjectHandles';
      return { dataset: what, value: ids, lines: [`${what} (${ids.length}):`, ...ids.map((id) => `  ${hex(id, 8)}`)] };
    }
    default:
      return undefined;
  }
}

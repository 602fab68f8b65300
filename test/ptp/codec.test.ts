import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as dump from './theta-s-dumps.js';
import {
  PtpDecodeError,
  PtpEncodeError,
  PtpReader,
  PtpWriter,
  decodeDeviceInfo,
  decodeDevicePropDesc,
  decodeObjectInfo,
  decodeStorageInfo,
  decodeU32Array,
  decodeValue,
  encodeDeviceInfo,
  encodeDevicePropDesc,
  encodeObjectInfo,
  encodeStorageInfo,
  encodeU32Array,
  encodeValue,
  formatPtpDate,
  parsePtpDate,
  valueAllowed,
  type DeviceInfo,
  type DevicePropDesc,
  type ObjectInfo,
  type PtpValue,
  type StorageInfo,
} from '../../src/ptp/codec.js';
import { DataType, codeName, parseCode, Prop } from '../../src/ptp/codes.js';
import { RICOH_VENDOR_ID } from '../../src/ptp/vendors/ricoh.js';
import {
  PARROT_VENDOR_ID,
  decodeStatusMask,
  encodeStatusMask,
  decodeTemperatureValues,
  encodeTemperatureValues,
} from '../../src/ptp/vendors/parrot.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('golden: RICOH THETA S answers (ptpcam dumps of the THETA community guide)', () => {
  it('GetDeviceInfo decodes to what ptpcam -i / -o / -p printed', () => {
    const info = decodeDeviceInfo(dump.GET_DEVICE_INFO);
    expect(info).toMatchObject({
      standardVersion: 100,
      vendorExtensionId: 0x6,
      vendorExtensionVersion: 0x6e,
      vendorExtensionDesc: '',
      manufacturer: 'Ricoh Company, Ltd.',
      model: 'RICOH THETA S',
      deviceVersion: '01.42',
      serialNumber: '00010093',
      captureFormats: [],
      imageFormats: [0x3001, 0x3801, 0xb802, 0xb982],
      eventsSupported: [0x4002, 0x4006, 0x4008, 0x400a, 0x400c, 0x400d],
    });
    // ptpcam -o, in the camera's order.
    expect(info.operationsSupported).toEqual([
      0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x1006, 0x1007, 0x1008, 0x1009, 0x100a, 0x100b, 0x1014, 0x1015, 0x101b,
      0x9001, 0x9991, 0x9999, 0x999a, 0x999b, 0x999c, 0x999d, 0x100e, 0x1016, 0x101c, 0x1018, 0x99a2,
    ]);
    // ptpcam -p lists these first (the "...." hides the rest).
    expect(info.devicePropertiesSupported.slice(0, 14)).toEqual([
      0x5001, 0x5002, 0x5003, 0x5011, 0x5012, 0xd407, 0x5005, 0x500e, 0x500f, 0x5010, 0x5013, 0x501a, 0x501b, 0x502c,
    ]);
    expect(info.devicePropertiesSupported).toHaveLength(29);
    expect(info.operationsSupported.map((c) => codeName('operation', c, RICOH_VENDOR_ID))).toContain('StopSelfTimer');
    expect(codeName('property', 0x5012)).toBe('CaptureDelay');
    expect(codeName('operation', 0x9991)).toBe('Unknown 0x9991');
  });

  it('re-encodes GetDeviceInfo byte for byte (minus ptpcam padding)', () => {
    const info = decodeDeviceInfo(dump.GET_DEVICE_INFO);
    const again = encodeDeviceInfo(info);
    expect(Buffer.from(again).equals(Buffer.from(dump.GET_DEVICE_INFO.subarray(0, again.length)))).toBe(true);
    expect(dump.GET_DEVICE_INFO.length - again.length).toBeLessThanOrEqual(1);
  });

  it('GetDevicePropValue BatteryLevel (u8) is 100 and ImageSize (str) is 5376x2688', () => {
    expect(decodeValue(DataType.UINT8, dump.BATTERY_LEVEL)).toBe(100);
    expect(decodeValue(DataType.STR, dump.IMAGE_SIZE)).toBe('5376x2688');
  });

  it('GetStorageIDs is [0x00010001]', () => {
    expect(decodeU32Array(dump.STORAGE_IDS)).toEqual([0x00010001]);
  });

  it('GetObjectHandles lists 21 handles: two folders then the files, 0x00640278 deleted', () => {
    const handles = decodeU32Array(dump.OBJECT_HANDLES);
    expect(handles).toHaveLength(21);
    expect(handles.slice(0, 3)).toEqual([0x80000000, 0x00640000, 0x0064026f]);
    expect(handles.at(-1)).toBe(0x00640282);
    expect(handles).not.toContain(0x00640278);
    expect(Buffer.from(encodeU32Array(handles)).equals(Buffer.from(dump.OBJECT_HANDLES))).toBe(true);
  });

  it('GetObjectInfo 0x00640282 decodes to R0010642.JPG', () => {
    const oi = decodeObjectInfo(dump.OBJECT_INFO);
    expect(oi).toEqual({
      storageId: 0x00010001,
      objectFormat: 0x3801,
      protectionStatus: 0,
      compressedSize: 3940214,
      thumbFormat: 0x3808,
      thumbCompressedSize: 3442,
      thumbPixWidth: 160,
      thumbPixHeight: 120,
      imagePixWidth: 5376,
      imagePixHeight: 2688,
      imageBitDepth: 8,
      parentObject: 0x00640000,
      associationType: 0,
      associationDesc: 0,
      sequenceNumber: 0,
      filename: 'R0010642.JPG',
      captureDate: '20160702T070833',
      modificationDate: '20160702T070833',
      keywords: '',
    } satisfies ObjectInfo);
    // Byte-identical up to Keywords; the THETA writes the empty Keywords as one NUL unit
    // (01 00 00) where we write the canonical single 0x00.
    const again = encodeObjectInfo(oi);
    const keywordsAt = again.length - 1;
    expect(
      Buffer.from(again.subarray(0, keywordsAt)).equals(Buffer.from(dump.OBJECT_INFO.subarray(0, keywordsAt))),
    ).toBe(true);
    expect([...dump.OBJECT_INFO.subarray(keywordsAt, keywordsAt + 3)]).toEqual([1, 0, 0]);
  });

  it('every truncation of a golden dataset fails with PtpDecodeError, never anything else', () => {
    const cases: Array<[Uint8Array, (b: Uint8Array) => unknown]> = [
      [encodeDeviceInfo(decodeDeviceInfo(dump.GET_DEVICE_INFO)), decodeDeviceInfo],
      [encodeObjectInfo(decodeObjectInfo(dump.OBJECT_INFO)), decodeObjectInfo],
      [dump.OBJECT_HANDLES, decodeU32Array],
    ];
    for (const [bytes, decode] of cases) {
      for (let cut = 0; cut < bytes.length; cut++) {
        let err: unknown;
        try {
          decode(bytes.subarray(0, cut));
        } catch (e) {
          err = e;
        }
        // ObjectInfo without Keywords is accepted on purpose (lenient), everything shorter fails.
        if (err === undefined) continue;
        expect(err).toBeInstanceOf(PtpDecodeError);
      }
    }
  });
});

describe('primitives', () => {
  it('strings: count includes NUL, empty is one zero byte', () => {
    expect([...new PtpWriter().str('').finish()]).toEqual([0]);
    expect(Buffer.from(new PtpWriter().str('AB').finish()).toString('hex')).toBe('03410042000000');
    expect(() => new PtpWriter().str('x'.repeat(255))).toThrow(PtpEncodeError);
    expect(new PtpReader(hex('02 41 00 00 00')).str()).toBe('A');
    // lenient: a string whose count does not include the NUL
    expect(new PtpReader(hex('01 41 00')).str()).toBe('A');
  });

  it('every data type round-trips, arrays included; out-of-range values are refused', () => {
    const samples: Array<[number, PtpValue]> = [
      [DataType.INT8, -128],
      [DataType.UINT8, 255],
      [DataType.INT16, -2],
      [DataType.UINT16, 0xffff],
      [DataType.INT32, -5],
      [DataType.UINT32, 0xffffffff],
      [DataType.INT64, -(1n << 63n)],
      [DataType.UINT64, (1n << 64n) - 1n],
      [DataType.INT128, -(1n << 127n)],
      [DataType.UINT128, (1n << 128n) - 1n],
      [DataType.STR, 'héllo'],
      [DataType.AUINT16, [1, 2, 3]],
      [DataType.AUINT32, []],
      [DataType.AINT8, [-1, 1]],
      [DataType.AUINT64, [1n, 2n]],
    ];
    for (const [t, v] of samples) expect(decodeValue(t, encodeValue(t, v))).toEqual(v);
    expect(() => encodeValue(DataType.UINT8, 256)).toThrow(PtpEncodeError);
    expect(() => encodeValue(DataType.UINT16, 'x')).toThrow(PtpEncodeError);
    expect(() => encodeValue(DataType.STR, 3)).toThrow(PtpEncodeError);
    expect(() => encodeValue(0x77, 3)).toThrow(PtpEncodeError);
    expect(() => decodeValue(DataType.AUINT32, hex('ffffffff 00000000'))).toThrow(PtpDecodeError);
  });

  it('dates', () => {
    expect(formatPtpDate(Date.UTC(2016, 6, 1, 21, 28, 45), -420)).toBe('20160701T142845-0700');
    expect(parsePtpDate('20160701T142845-0700')).toBe(Date.UTC(2016, 6, 1, 21, 28, 45));
    expect(parsePtpDate('20160702T070833')).toBe(Date.UTC(2016, 6, 2, 7, 8, 33));
    expect(parsePtpDate('20160702T070833.5Z')).toBe(Date.UTC(2016, 6, 2, 7, 8, 33, 500));
    expect(parsePtpDate('2016-07-02')).toBeUndefined();
  });

  it('codes parse from names and numbers, vendor names need the vendor', () => {
    expect(parseCode('property', 'BatteryLevel')).toBe(Prop.BatteryLevel);
    expect(parseCode('property', '0x5001')).toBe(0x5001);
    expect(parseCode('property', 'sleepdelay', RICOH_VENDOR_ID)).toBe(0xd803);
    expect(parseCode('property', 'sleepdelay')).toBeUndefined();
    expect(codeName('event', 0xc201, PARROT_VENDOR_ID)).toBe('Status');
  });
});

describe('datasets', () => {
  it('DevicePropDesc: none, range and enumeration forms', () => {
    const descs: DevicePropDesc[] = [
      {
        code: 0x5001,
        dataType: DataType.UINT8,
        getSet: 0,
        factoryDefault: 100,
        current: 67,
        form: { kind: 'range', min: 0, max: 100, step: 1 },
      },
      {
        code: 0x5003,
        dataType: DataType.STR,
        getSet: 1,
        factoryDefault: '4608 x 3456',
        current: '4000 x 3000',
        form: { kind: 'enum', values: ['4608 x 3456', '4000 x 3000'] },
      },
      {
        code: 0xd214,
        dataType: DataType.AUINT32,
        getSet: 1,
        factoryDefault: [0, 0, 0, 0],
        current: [1, 2, 3, 4],
        form: { kind: 'none' },
      },
      {
        code: 0xd00f,
        dataType: DataType.UINT64,
        getSet: 1,
        factoryDefault: 0n,
        current: (250n << 32n) | 1n,
        form: { kind: 'enum', values: [0n, (250n << 32n) | 1n] },
      },
    ];
    for (const d of descs) expect(decodeDevicePropDesc(encodeDevicePropDesc(d))).toEqual(d);
    const battery = descs[0] as DevicePropDesc;
    expect(valueAllowed(battery, 50)).toBe(true);
    expect(valueAllowed(battery, 101)).toBe(false);
    expect(valueAllowed(descs[1] as DevicePropDesc, '1 x 1')).toBe(false);
  });

  it('StorageInfo round-trips with 64-bit sizes', () => {
    const s: StorageInfo = {
      storageType: 3,
      filesystemType: 2,
      accessCapability: 0,
      maxCapacity: 64n << 30n,
      freeSpaceInBytes: 5n << 32n,
      freeSpaceInImages: 0xffffffff,
      storageDescription: 'internal',
      volumeLabel: '',
    };
    expect(decodeStorageInfo(encodeStorageInfo(s))).toEqual(s);
  });

  const str = fc.string({ maxLength: 40, unit: 'binary' }).map((s) => s.replace(/\u0000/g, ''));
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const u32 = fc.integer({ min: 0, max: 0xffffffff });

  it('fast-check: DeviceInfo and ObjectInfo round-trip', () => {
    const deviceInfo: fc.Arbitrary<DeviceInfo> = fc.record({
      standardVersion: u16,
      vendorExtensionId: u32,
      vendorExtensionVersion: u16,
      vendorExtensionDesc: str,
      functionalMode: u16,
      operationsSupported: fc.array(u16),
      eventsSupported: fc.array(u16),
      devicePropertiesSupported: fc.array(u16),
      captureFormats: fc.array(u16),
      imageFormats: fc.array(u16),
      manufacturer: str,
      model: str,
      deviceVersion: str,
      serialNumber: str,
    });
    fc.assert(
      fc.property(deviceInfo, (d) => {
        expect(decodeDeviceInfo(encodeDeviceInfo(d))).toEqual(d);
      }),
    );
    const objectInfo: fc.Arbitrary<ObjectInfo> = fc.record({
      storageId: u32,
      objectFormat: u16,
      protectionStatus: u16,
      compressedSize: u32,
      thumbFormat: u16,
      thumbCompressedSize: u32,
      thumbPixWidth: u32,
      thumbPixHeight: u32,
      imagePixWidth: u32,
      imagePixHeight: u32,
      imageBitDepth: u32,
      parentObject: u32,
      associationType: u16,
      associationDesc: u32,
      sequenceNumber: u32,
      filename: str,
      captureDate: str,
      modificationDate: str,
      keywords: str,
    });
    fc.assert(
      fc.property(objectInfo, (o) => {
        expect(decodeObjectInfo(encodeObjectInfo(o))).toEqual(o);
      }),
    );
  });

  it('fast-check: random bytes never throw anything but PtpDecodeError', () => {
    const decoders = [decodeDeviceInfo, decodeObjectInfo, decodeStorageInfo, decodeDevicePropDesc, decodeU32Array];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: decoders.length - 1 }), (bytes, i) => {
        try {
          (decoders[i] as (b: Uint8Array) => unknown)(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(PtpDecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Parrot vendor data', () => {
  it('status mask and temperatures', () => {
    const flags = decodeStatusMask(encodeStatusMask({ CameraRunning: true, BodySensorsInitDone: true }));
    expect(flags.CameraRunning).toBe(true);
    expect(flags.SnapshotRequested).toBe(false);
    const t = { P7: 41250, P7MU: 40000, DDR: 39000, WiFi: -1000, IMU: 35000, IMUSunshine: 30000 };
    expect(decodeTemperatureValues(encodeTemperatureValues(t))).toEqual(t);
  });
});

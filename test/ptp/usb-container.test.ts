/**
 * PTP over USB bulk containers: a ptpcam session with the THETA S of the THETA community guide as it crosses the
 * bulk pipes (its answers are the guide's hex dumps, in the containers the USB class wraps them
 * in), encoders byte for byte, the incremental parser split at every offset and at random
 * (fast-check), random bytes, lying lengths, and data containers longer than a u32.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDeviceInfo, decodeU32Array, decodeValue } from '../../src/ptp/codec.js';
import { DataType } from '../../src/ptp/codes.js';
import { PtpLimitError, PtpProtocolError } from '../../src/ptp/errors.js';
import {
  PtpUsbParser,
  UNKNOWN_LENGTH,
  decodeContainer,
  encodeCommandContainer,
  encodeDataHeader,
  encodeEventContainer,
  encodeResponseContainer,
  type UsbParsedItem,
} from '../../src/ptp/usb/container.js';
import { InvalidOptionError } from '../../src/util/errors.js';
import { splitAt } from './split.js';
import * as dump from './theta-s-dumps.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const zeros = (n: number): string => '00 '.repeat(n);

/**
 * `ptpcam -R 0x1001`, `-R 0x1015,0x5001`, `-R 0x1004` and a capture's ObjectAdded, container by
 * container. ptpcam prints "params=[0x00000000,…]": its generic request carries five parameters.
 */
const SESSION: Array<[string, Uint8Array]> = [
  ['OpenSession(1), tid 0', hex('10 00 00 00 01 00 02 10 00 00 00 00 01 00 00 00')],
  ['OK', hex('0c 00 00 00 03 00 01 20 00 00 00 00')],
  ['GetDeviceInfo, five zero params, tid 1', hex(`20 00 00 00 01 00 01 10 01 00 00 00 ${zeros(20)}`)],
  ['DeviceInfo data header (12 + 264 bytes)', hex('14 01 00 00 02 00 01 10 01 00 00 00')],
  ['DeviceInfo payload', dump.GET_DEVICE_INFO],
  ['OK', hex('0c 00 00 00 03 00 01 20 01 00 00 00')],
  ['GetDevicePropValue(0x5001), tid 2', hex(`20 00 00 00 01 00 15 10 02 00 00 00 01 50 00 00 ${zeros(16)}`)],
  ['BatteryLevel u8 100', hex('0d 00 00 00 02 00 15 10 02 00 00 00 64')],
  ['OK', hex('0c 00 00 00 03 00 01 20 02 00 00 00')],
  ['GetStorageIDs, tid 3', hex(`20 00 00 00 01 00 04 10 03 00 00 00 ${zeros(20)}`)],
  ['StorageIDs [0x00010001]', hex('14 00 00 00 02 00 04 10 03 00 00 00 01 00 00 00 01 00 01 00')],
  ['OK', hex('0c 00 00 00 03 00 01 20 03 00 00 00')],
  ['ObjectAdded 0x0064027e (interrupt pipe)', hex('10 00 00 00 04 00 02 40 04 00 00 00 7e 02 64 00')],
  ['InitiateCapture answered DeviceBusy with a parameter', hex('10 00 00 00 03 00 19 20 04 00 00 00 2a 00 00 00')],
];
const STREAM = Buffer.concat(SESSION.map(([, b]) => b));

/** Parser output with each data container's chunks merged, so any split gives the same list. */
function parseAll(chunks: Uint8Array[]): unknown[] {
  const out: unknown[] = [];
  let data: Buffer[] = [];
  const p = new PtpUsbParser((item: UsbParsedItem) => {
    if (item.kind === 'data-chunk') data.push(Buffer.from(item.chunk));
    else if (item.kind === 'data-start')
      out.push({ start: item.code, tid: item.transactionId, length: item.payloadLength });
    else if (item.kind === 'data-end') {
      out.push({ end: item.code, tid: item.transactionId, bytes: Buffer.concat(data).toString('hex') });
      data = [];
    } else out.push(item.container);
  });
  for (const c of chunks) p.push(c);
  expect(p.idle).toBe(true);
  return out;
}

describe('PTP over USB containers', () => {
  it('decodes the THETA S session: DeviceInfo, battery, storage ids, an event', () => {
    const items = parseAll([STREAM]) as Array<Record<string, unknown>>;
    expect(items).toHaveLength(16);
    expect(items[0]).toEqual({ type: 1, code: 0x1002, transactionId: 0, params: [1] });
    expect(items[2]).toEqual({ type: 1, code: 0x1001, transactionId: 1, params: [0, 0, 0, 0, 0] });
    expect(items[3]).toEqual({ start: 0x1001, tid: 1, length: 264 });
    const info = decodeDeviceInfo(hex(items[4]!.bytes as string));
    expect(info).toMatchObject({
      manufacturer: 'Ricoh Company, Ltd.',
      model: 'RICOH THETA S',
      serialNumber: '00010093',
      vendorExtensionId: 6,
    });
    expect(decodeValue(DataType.UINT8, hex(items[8]!.bytes as string))).toBe(100);
    expect(decodeU32Array(hex(items[12]!.bytes as string))).toEqual([0x00010001]);
    expect(items[14]).toEqual({ type: 4, code: 0x4002, transactionId: 4, params: [0x0064027e] });
    expect(items[15]).toEqual({ type: 3, code: 0x2019, transactionId: 4, params: [42] });
  });

  it('encodes every container of the session byte for byte', () => {
    const ours = [
      encodeCommandContainer(0x1002, 0, [1]),
      encodeResponseContainer(0x2001, 0, []),
      encodeCommandContainer(0x1001, 1, [0, 0, 0, 0, 0]),
      encodeDataHeader(0x1001, 1, dump.GET_DEVICE_INFO.length),
      dump.GET_DEVICE_INFO,
      encodeResponseContainer(0x2001, 1, []),
      encodeCommandContainer(0x1015, 2, [0x5001, 0, 0, 0, 0]),
      Buffer.concat([encodeDataHeader(0x1015, 2, 1), Uint8Array.of(100)]),
      encodeResponseContainer(0x2001, 2, []),
      encodeCommandContainer(0x1004, 3, [0, 0, 0, 0, 0]),
      Buffer.concat([encodeDataHeader(0x1004, 3, 8n), hex('01 00 00 00 01 00 01 00')]),
      encodeResponseContainer(0x2001, 3, []),
      encodeEventContainer(0x4002, 4, [0x0064027e]),
      encodeResponseContainer(0x2019, 4, [42]),
    ];
    ours.forEach((b, i) =>
      expect(Buffer.from(b).toString('hex'), SESSION[i]![0]).toBe(Buffer.from(SESSION[i]![1]).toString('hex')),
    );
  });

  it('gives the same result split at every offset, and byte by byte', () => {
    const whole = parseAll([STREAM]);
    for (let cut = 1; cut < STREAM.length; cut++)
      expect(parseAll([STREAM.subarray(0, cut), STREAM.subarray(cut)])).toEqual(whole);
    expect(parseAll([...STREAM].map((b) => Uint8Array.of(b)))).toEqual(whole);
  });

  it('passes data on without copying (chunks are views of the input)', () => {
    const chunks: Uint8Array[] = [];
    new PtpUsbParser((i) => i.kind === 'data-chunk' && chunks.push(i.chunk)).push(STREAM);
    expect(chunks[0]!.buffer).toBe(STREAM.buffer);
  });

  it('fast-check: random splits give the same items; random bytes only ever fail with coded errors', () => {
    const whole = parseAll([STREAM]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 30 }), (cuts) => {
        expect(parseAll(splitAt(STREAM, cuts))).toEqual(whole);
      }),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 199 }), { maxLength: 5 }),
        (bytes, cuts) => {
          const p = new PtpUsbParser(() => undefined);
          try {
            for (const c of splitAt(
              bytes,
              cuts.filter((c) => c < bytes.length),
            ))
              p.push(c);
          } catch (e) {
            expect(e instanceof PtpProtocolError || e instanceof PtpLimitError).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('fast-check: encode → parse round trip for any container', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const u16 = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 4),
        u16,
        u32,
        fc.array(u32, { maxLength: 3 }),
        fc.uint8Array({ maxLength: 2000 }),
        (type, code, tid, params, payload) => {
          const encode =
            type === 1 ? encodeCommandContainer : type === 3 ? encodeResponseContainer : encodeEventContainer;
          const c = encode(code, tid, params);
          expect(decodeContainer(c)).toEqual({ type, code, transactionId: tid, params });
          const data = Buffer.concat([encodeDataHeader(code, tid, payload.length), payload]);
          expect(parseAll([c, data])).toEqual([
            { type, code, transactionId: tid, params },
            { start: code, tid, length: payload.length },
            { end: code, tid, bytes: Buffer.from(payload).toString('hex') },
          ]);
        },
      ),
    );
  });

  it('refuses lying lengths, unknown types, too many parameters', () => {
    const header = (len: number, type: number): Uint8Array => {
      const b = Buffer.alloc(12);
      b.writeUInt32LE(len, 0);
      b.writeUInt16LE(type, 4);
      return b;
    };
    for (const [len, type, err] of [
      [0, 1, PtpProtocolError],
      [11, 3, PtpProtocolError],
      [12, 5, PtpProtocolError],
      [12, 0, PtpProtocolError],
      [36, 1, PtpLimitError],
      [28, 4, PtpLimitError],
      [14, 3, PtpProtocolError],
      [0xffffffff, 3, PtpLimitError],
    ] as const) {
      expect(() => new PtpUsbParser(() => undefined).push(header(len, type)), `${len}/${type}`).toThrow(err);
    }
    const p = new PtpUsbParser(() => undefined);
    expect(() => p.push(header(0, 1))).toThrow(PtpProtocolError);
    expect(() => p.push(encodeResponseContainer(0x2001, 1, []))).toThrow(PtpProtocolError); // refuses further input
    expect(() => decodeContainer(Buffer.concat([encodeResponseContainer(0x2001, 1, []), Buffer.alloc(4)]))).toThrow(
      PtpProtocolError,
    );
    expect(() => decodeContainer(encodeDataHeader(0x1009, 1, 0))).toThrow(PtpProtocolError);
    expect(() => encodeEventContainer(0x4002, 1, [1, 2, 3, 4])).toThrow(InvalidOptionError);
    expect(() => encodeCommandContainer(0x1001, 1, [1, 2, 3, 4, 5, 6])).toThrow(InvalidOptionError);
  });

  it('a data container longer than a u32 says 0xFFFFFFFF and ends with the transfer', () => {
    const header = encodeDataHeader(0x1009, 9, 0x1_0000_0000n);
    expect(new DataView(header.buffer).getUint32(0, true)).toBe(UNKNOWN_LENGTH);
    const items: UsbParsedItem[] = [];
    const p = new PtpUsbParser((i) => items.push(i));
    p.push(Buffer.concat([header, Buffer.alloc(1000, 1)]));
    p.push(Buffer.alloc(24, 2));
    expect(items.at(-1)).toMatchObject({ kind: 'data-chunk' });
    p.transferEnd();
    expect(items[0]).toEqual({ kind: 'data-start', code: 0x1009, transactionId: 9, payloadLength: undefined });
    expect(items.at(-1)).toEqual({ kind: 'data-end', code: 0x1009, transactionId: 9 });
    expect(
      items
        .filter((i) => i.kind === 'data-chunk')
        .reduce((n, i) => n + (i.kind === 'data-chunk' ? i.chunk.length : 0), 0),
    ).toBe(1024);
    // Elsewhere the end of a transfer means nothing (a device may send a data header on its own).
    p.push(encodeDataHeader(0x1009, 10, 4));
    p.transferEnd();
    p.push(Uint8Array.of(1, 2, 3, 4));
    expect(items.at(-1)).toEqual({ kind: 'data-end', code: 0x1009, transactionId: 10 });
  });
});

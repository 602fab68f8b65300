/**
 * PTP/IP packets (CIPA DC-005; docs/ptp.md "PTP/IP"): every packet is u32 length (including the
 * 8-byte header), u32 type, payload. Pure encoders and a decoder of whole control packets; data
 * packets (Data, EndData) are streamed by the parser and never assembled here.
 */
import { PtpReader, PtpWriter } from '../codec.js';
import { PtpProtocolError } from '../errors.js';
import { InvalidOptionError } from '../../util/errors.js';

export const PacketType = {
  InitCommandRequest: 1,
  InitCommandAck: 2,
  InitEventRequest: 3,
  InitEventAck: 4,
  InitFail: 5,
  CmdRequest: 6,
  CmdResponse: 7,
  Event: 8,
  StartData: 9,
  Data: 10,
  Cancel: 11,
  EndData: 12,
  ProbeRequest: 13,
  ProbeResponse: 14,
} as const;

/** InitFail reasons (CIPA DC-005 §2.3.5). */
export const InitFailReason = { RejectedInitiator: 1, Busy: 2, Unspecified: 3 } as const;

export const PTPIP_VERSION = 0x00010000;
export const PTPIP_DEFAULT_PORT = 15740;
export const HEADER_SIZE = 8;

export type ControlPacket =
  | { type: 1; guid: Uint8Array; name: string; version: number }
  | { type: 2; connectionNumber: number; guid: Uint8Array; name: string; version: number }
  | { type: 3; connectionNumber: number }
  | { type: 4 }
  | { type: 5; reason: number }
  | { type: 6; direction: number; code: number; transactionId: number; params: number[] }
  | { type: 7; code: number; transactionId: number; params: number[] }
  | { type: 8; code: number; transactionId: number; params: number[] }
  | { type: 9; transactionId: number; totalLength: bigint }
  | { type: 11; transactionId: number }
  | { type: 13 }
  | { type: 14 };

function packet(type: number, body: (w: PtpWriter) => void, sizeHint = 32): Uint8Array {
  const w = new PtpWriter(sizeHint).u32(0).u32(type);
  body(w);
  const out = w.finish();
  new DataView(out.buffer, out.byteOffset, 4).setUint32(0, out.length, true);
  return out;
}

/** UCS-2LE, NUL-terminated, no length byte (the PTP/IP name field, unlike PTP strings). */
function writeName(w: PtpWriter, name: string): void {
  for (let i = 0; i < name.length; i++) w.u16(name.charCodeAt(i));
  w.u16(0);
}
function readName(r: PtpReader): string {
  let s = '';
  while (r.remaining >= 2) {
    const c = r.u16();
    if (c === 0) return s;
    s += String.fromCharCode(c);
  }
  throw new PtpProtocolError('friendly name is not NUL-terminated');
}

export function encodeInitCommandRequest(guid: Uint8Array, name: string, version = PTPIP_VERSION): Uint8Array {
  checkGuid(guid);
  return packet(
    PacketType.InitCommandRequest,
    (w) => {
      w.bytes(guid);
      writeName(w, name);
      w.u32(version);
    },
    64 + name.length * 2,
  );
}
export function encodeInitCommandAck(
  connectionNumber: number,
  guid: Uint8Array,
  name: string,
  version = PTPIP_VERSION,
): Uint8Array {
  checkGuid(guid);
  return packet(
    PacketType.InitCommandAck,
    (w) => {
      w.u32(connectionNumber).bytes(guid);
      writeName(w, name);
      w.u32(version);
    },
    64 + name.length * 2,
  );
}
export const encodeInitEventRequest = (connectionNumber: number): Uint8Array =>
  packet(PacketType.InitEventRequest, (w) => w.u32(connectionNumber));
export const encodeInitEventAck = (): Uint8Array => packet(PacketType.InitEventAck, () => undefined);
export const encodeInitFail = (reason: number): Uint8Array => packet(PacketType.InitFail, (w) => w.u32(reason));
export const encodeProbeRequest = (): Uint8Array => packet(PacketType.ProbeRequest, () => undefined);
export const encodeProbeResponse = (): Uint8Array => packet(PacketType.ProbeResponse, () => undefined);
export const encodeCancel = (transactionId: number): Uint8Array =>
  packet(PacketType.Cancel, (w) => w.u32(transactionId));

export function encodeCmdRequest(
  direction: number,
  code: number,
  transactionId: number,
  params: readonly number[],
): Uint8Array {
  if (params.length > 5) throw new InvalidOptionError('params', 'at most 5 parameters');
  return packet(PacketType.CmdRequest, (w) => {
    w.u32(direction).u16(code).u32(transactionId);
    for (const p of params) w.u32(p);
  });
}
export function encodeCmdResponse(code: number, transactionId: number, params: readonly number[]): Uint8Array {
  if (params.length > 5) throw new InvalidOptionError('params', 'at most 5 parameters');
  return packet(PacketType.CmdResponse, (w) => {
    w.u16(code).u32(transactionId);
    for (const p of params) w.u32(p);
  });
}
/** Events always carry three parameters: gphoto2 reads them regardless of the length (docs/ptp.md). */
export function encodeEvent(code: number, transactionId: number, params: readonly number[]): Uint8Array {
  if (params.length > 3) throw new InvalidOptionError('params', 'events take at most 3 parameters');
  return packet(PacketType.Event, (w) => {
    w.u16(code).u32(transactionId);
    for (let i = 0; i < 3; i++) w.u32(params[i] ?? 0);
  });
}
export function encodeStartData(transactionId: number, totalLength: bigint | number): Uint8Array {
  return packet(PacketType.StartData, (w) => w.u32(transactionId).u64(totalLength));
}
/** The 12-byte header of a Data or EndData packet carrying `payloadLength` bytes after it. */
export function encodeDataHeader(type: 10 | 12, transactionId: number, payloadLength: number): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint32(0, 12 + payloadLength, true);
  v.setUint32(4, type, true);
  v.setUint32(8, transactionId, true);
  return out;
}

function checkGuid(guid: Uint8Array): void {
  if (guid.length !== 16) throw new InvalidOptionError('guid', `must be 16 bytes, got ${guid.length}`);
}

/** Smallest valid total length of each packet type (header included). */
export const MIN_LENGTH: Readonly<Record<number, number>> = {
  1: 8 + 16 + 2 + 4,
  2: 8 + 4 + 16 + 2 + 4,
  3: 12,
  4: 8,
  5: 12,
  6: 18,
  7: 14,
  8: 14,
  9: 20,
  10: 12,
  11: 12,
  12: 12,
  13: 8,
  14: 8,
};

function params(r: PtpReader, max: number): number[] {
  if (r.remaining % 4 !== 0 || r.remaining / 4 > max)
    throw new PtpProtocolError(`bad parameter block of ${r.remaining} bytes`);
  const out: number[] = [];
  while (r.remaining > 0) out.push(r.u32());
  return out;
}

/** Decodes a whole control packet (header included). Throws PtpProtocolError when malformed. */
export function decodeControlPacket(bytes: Uint8Array): ControlPacket {
  const r = new PtpReader(bytes);
  const length = r.u32();
  const type = r.u32();
  if (length !== bytes.length)
    throw new PtpProtocolError(`length field ${length} does not match ${bytes.length} bytes`);
  try {
    switch (type) {
      case 1: {
        const guid = Uint8Array.from(r.bytesOf(16));
        const name = readName(r);
        const version = r.u32();
        return { type, guid, name, version };
      }
      case 2: {
        const connectionNumber = r.u32();
        const guid = Uint8Array.from(r.bytesOf(16));
        const name = readName(r);
        const version = r.u32();
        return { type, connectionNumber, guid, name, version };
      }
      case 3:
        return exact(r, { type, connectionNumber: r.u32() });
      case 4:
        return exact(r, { type });
      case 5:
        return exact(r, { type, reason: r.u32() });
      case 6:
        return { type, direction: r.u32(), code: r.u16(), transactionId: r.u32(), params: params(r, 5) };
      case 7:
        return { type, code: r.u16(), transactionId: r.u32(), params: params(r, 5) };
      case 8:
        return { type, code: r.u16(), transactionId: r.u32(), params: params(r, 3) };
      case 9:
        return exact(r, { type, transactionId: r.u32(), totalLength: r.u64() });
      case 11:
        return exact(r, { type, transactionId: r.u32() });
      case 13:
        return exact(r, { type });
      case 14:
        return exact(r, { type });
      default:
        throw new PtpProtocolError(`unknown packet type ${type}`);
    }
  } catch (e) {
    if (e instanceof PtpProtocolError) throw e;
    throw new PtpProtocolError(`malformed packet of type ${type}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
}

function exact<T>(r: PtpReader, v: T): T {
  if (r.remaining !== 0) throw new PtpProtocolError(`${r.remaining} unexpected trailing bytes`);
  return v;
}

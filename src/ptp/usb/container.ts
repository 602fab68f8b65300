/**
 * PTP over USB bulk containers (docs/ptp.md "PTP over USB"; USB Still Image Capture Device Definition
 * §7): u32 length (header included), u16 type (1 command, 2 data, 3 response, 4 event),
 * u16 code (operation / response / event; a data container repeats its operation's code),
 * u32 transaction id, then up to five u32 parameters (events: three) or the data payload.
 *
 * Pure encoders, a decoder of whole non-data containers, and {@link PtpUsbParser}, an incremental
 * parser that accepts the byte stream cut anywhere (docs/architecture.md: `push(chunk)` emits whole packets
 * and keeps the rest). Data payloads are never assembled: they pass on as subarrays of the incoming
 * transfers, so a 512 MiB GetObject flows through without a copy.
 *
 * A data container longer than a u32 can say has the length 0xFFFFFFFF and ends with the USB
 * transfer (a short or zero-length packet); the transport reports that with `transferEnd()`.
 *
 * @example
 * const parser = new PtpUsbParser((item) => console.log(item.kind));
 * parser.push(encodeResponseContainer(0x2001, 7, []));
 */
import { PtpReader, PtpWriter } from '../codec.js';
import { PtpLimitError, PtpProtocolError } from '../errors.js';
import { IncrementalParser } from '../incremental-parser.js';
import { InvalidOptionError } from '../../util/errors.js';

export const ContainerType = { Command: 1, Data: 2, Response: 3, Event: 4 } as const;
export type NonDataContainerType = 1 | 3 | 4;

export const CONTAINER_HEADER_SIZE = 12;
/** Length field of a data container too long for a u32: the data ends with the transfer. */
export const UNKNOWN_LENGTH = 0xffffffff;
/** Most parameters per container type (events carry at most three, §7.3). */
const MAX_PARAMS: Readonly<Record<number, number>> = { 1: 5, 3: 5, 4: 3 };
/** The longest non-data container: header + five parameters. */
const MAX_CONTROL_CONTAINER = CONTAINER_HEADER_SIZE + 5 * 4;

export interface UsbContainer {
  type: NonDataContainerType;
  code: number;
  transactionId: number;
  params: number[];
}

function encode(
  type: NonDataContainerType,
  code: number,
  transactionId: number,
  params: readonly number[],
): Uint8Array {
  const max = MAX_PARAMS[type] as number;
  if (params.length > max)
    throw new InvalidOptionError('params', `a type ${type} container carries at most ${max} parameters`);
  const length = CONTAINER_HEADER_SIZE + 4 * params.length;
  const w = new PtpWriter(length).u32(length).u16(type).u16(code).u32(transactionId);
  for (const p of params) w.u32(p);
  return w.finish();
}

export const encodeCommandContainer = (code: number, transactionId: number, params: readonly number[]): Uint8Array =>
  encode(ContainerType.Command, code, transactionId, params);
export const encodeResponseContainer = (code: number, transactionId: number, params: readonly number[]): Uint8Array =>
  encode(ContainerType.Response, code, transactionId, params);
export const encodeEventContainer = (code: number, transactionId: number, params: readonly number[]): Uint8Array =>
  encode(ContainerType.Event, code, transactionId, params);

/** The 12-byte header of a data container carrying `payloadLength` bytes after it. */
export function encodeDataHeader(code: number, transactionId: number, payloadLength: number | bigint): Uint8Array {
  const total = BigInt(payloadLength) + BigInt(CONTAINER_HEADER_SIZE);
  if (total < BigInt(CONTAINER_HEADER_SIZE))
    throw new InvalidOptionError('payloadLength', `negative data length ${payloadLength}`);
  const length = total >= BigInt(UNKNOWN_LENGTH) ? UNKNOWN_LENGTH : Number(total);
  return new PtpWriter(CONTAINER_HEADER_SIZE).u32(length).u16(ContainerType.Data).u16(code).u32(transactionId).finish();
}

/** Checks a header's length against its type; returns the number of bytes to assemble (data: 12). */
function checkHeader(length: number, type: number): number {
  if (length < CONTAINER_HEADER_SIZE) throw new PtpProtocolError(`USB container with impossible length ${length}`);
  if (type === ContainerType.Data) return CONTAINER_HEADER_SIZE;
  const max = MAX_PARAMS[type];
  if (max === undefined) throw new PtpProtocolError(`unknown USB container type ${type}`);
  if (length > CONTAINER_HEADER_SIZE + 4 * max)
    throw new PtpLimitError(`type ${type} container of ${length} bytes (at most ${max} parameters)`);
  if ((length - CONTAINER_HEADER_SIZE) % 4 !== 0)
    throw new PtpProtocolError(
      `type ${type} container with a parameter block of ${length - CONTAINER_HEADER_SIZE} bytes`,
    );
  return length;
}

/** Decodes a whole command, response or event container. Throws PtpProtocolError when malformed. */
export function decodeContainer(bytes: Uint8Array): UsbContainer {
  if (bytes.length < CONTAINER_HEADER_SIZE)
    throw new PtpProtocolError(`USB container of ${bytes.length} bytes is shorter than its header`);
  const r = new PtpReader(bytes);
  const length = r.u32();
  const type = r.u16();
  if (type === ContainerType.Data) throw new PtpProtocolError('a data container is streamed, not decoded whole');
  checkHeader(length, type);
  if (length !== bytes.length)
    throw new PtpProtocolError(`length field ${length} does not match ${bytes.length} bytes`);
  const code = r.u16();
  const transactionId = r.u32();
  const params: number[] = [];
  while (r.remaining > 0) params.push(r.u32());
  return { type: type as NonDataContainerType, code, transactionId, params };
}

export type UsbParsedItem =
  | { kind: 'container'; container: UsbContainer }
  /** A data container starts; `payloadLength` is undefined when it ends with the transfer. */
  | { kind: 'data-start'; code: number; transactionId: number; payloadLength: number | undefined }
  | { kind: 'data-chunk'; chunk: Uint8Array }
  | { kind: 'data-end'; code: number; transactionId: number };

export class PtpUsbParser extends IncrementalParser {
  /** The header, or a whole non-data container, being assembled (they are at most 32 bytes). */
  private readonly head = new Uint8Array(MAX_CONTROL_CONTAINER);
  private headLength = 0;
  /** Inside a data container: payload bytes still to pass on (Infinity: until the transfer ends). */
  private dataLeft = 0;
  private dataCode = 0;
  private dataTid = 0;

  constructor(public onItem: (item: UsbParsedItem) => void) {
    super();
  }

  /** Between containers: nothing buffered, no payload pending. */
  override get idle(): boolean {
    return this.headLength === 0 && this.dataLeft === 0;
  }

  /**
   * The USB transfer ended (short or zero-length packet). Ends a data container of unknown length;
   * elsewhere it means nothing to the host: some devices send a data header in a transfer of its own.
   */
  transferEnd(): void {
    if (this.dataLeft === Infinity) this.endData();
  }

  /** Forgets a partly received container (after a Cancel or a stall, the device starts afresh). */
  reset(): void {
    this.headLength = 0;
    this.dataLeft = 0;
    this.forgetFailure();
  }

  private endData(): void {
    this.dataLeft = 0;
    this.onItem({ kind: 'data-end', code: this.dataCode, transactionId: this.dataTid });
  }

  protected override consume(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - at);
        this.onItem({ kind: 'data-chunk', chunk: chunk.subarray(at, at + n) });
        at += n;
        if (this.dataLeft !== Infinity) {
          this.dataLeft -= n;
          if (this.dataLeft === 0) this.endData();
        }
        continue;
      }
      // Assemble the header, then (for a non-data container) the rest of it.
      const need = this.headLength < CONTAINER_HEADER_SIZE ? CONTAINER_HEADER_SIZE : this.wanted();
      const n = Math.min(need - this.headLength, chunk.length - at);
      this.head.set(chunk.subarray(at, at + n), this.headLength);
      this.headLength += n;
      at += n;
      if (this.headLength < need) continue;
      if (need === CONTAINER_HEADER_SIZE && this.wanted() > CONTAINER_HEADER_SIZE) continue;
      this.complete();
    }
  }

  /** Bytes of the unit being assembled, from its (complete) header. */
  private wanted(): number {
    const v = new DataView(this.head.buffer, 0, CONTAINER_HEADER_SIZE);
    return checkHeader(v.getUint32(0, true), v.getUint16(4, true));
  }

  private complete(): void {
    const v = new DataView(this.head.buffer);
    const length = v.getUint32(0, true);
    const type = v.getUint16(4, true);
    const size = this.headLength;
    this.headLength = 0;
    if (type !== ContainerType.Data) {
      this.onItem({ kind: 'container', container: decodeContainer(this.head.slice(0, size)) });
      return;
    }
    this.dataCode = v.getUint16(6, true);
    this.dataTid = v.getUint32(8, true);
    const unknown = length === UNKNOWN_LENGTH;
    this.dataLeft = unknown ? Infinity : length - CONTAINER_HEADER_SIZE;
    this.onItem({
      kind: 'data-start',
      code: this.dataCode,
      transactionId: this.dataTid,
      payloadLength: unknown ? undefined : this.dataLeft,
    });
    if (this.dataLeft === 0) this.endData();
  }
}

/**
 * Incremental PTP/IP parser (docs/architecture.md: `push(chunk)` emits whole packets and keeps the rest).
 *
 * Control packets are at most `maxPacketSize` bytes and are assembled (concatenating only their
 * own few chunks). Data and EndData payloads are not assembled: their bytes are passed on as
 * subarrays of the incoming chunks the moment they arrive, so a 512 MiB object flows through
 * without a copy and without being held. A length below the header size, above the limit, or an
 * unknown type is a {@link PtpProtocolError}, after which the parser refuses further input.
 */
import { PtpProtocolError, PtpLimitError } from '../errors.js';
import { IncrementalParser } from '../incremental-parser.js';
import { MIN_LENGTH, PacketType, decodeControlPacket, type ControlPacket } from './packets.js';
import { InvalidOptionError } from '../../util/errors.js';

export type ParsedItem =
  | { kind: 'packet'; packet: ControlPacket }
  /** Start of a Data (10) or EndData (12) packet whose payload is `payloadLength` bytes. */
  | { kind: 'data-header'; type: 10 | 12; transactionId: number; payloadLength: number }
  | { kind: 'data-chunk'; chunk: Uint8Array }
  | { kind: 'data-end'; type: 10 | 12; transactionId: number };

export interface PtpIpParserOptions {
  /** Largest control packet accepted, bytes. Default 64 KiB. */
  maxPacketSize?: number;
  /** Largest Data/EndData packet accepted, bytes. Default 4 GiB − 1 (the field's maximum). */
  maxDataPacketSize?: number;
}

export class PtpIpParser extends IncrementalParser {
  private readonly maxPacketSize: number;
  private readonly maxDataPacketSize: number;
  /** Bytes of an incomplete header or control packet. */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** While inside a data packet: payload bytes still to pass on. */
  private dataLeft = 0;
  private dataType: 10 | 12 = 10;
  private dataTid = 0;

  constructor(
    public onItem: (item: ParsedItem) => void,
    options: PtpIpParserOptions = {},
  ) {
    super();
    this.maxPacketSize = options.maxPacketSize ?? 64 * 1024;
    this.maxDataPacketSize = options.maxDataPacketSize ?? 0xffffffff;
    if (!(this.maxPacketSize >= 64)) throw new InvalidOptionError('maxPacketSize', 'must be at least 64');
  }

  /** Whether the parser is between packets (nothing buffered, no data payload pending). */
  override get idle(): boolean {
    return this.pendingLength === 0 && this.dataLeft === 0;
  }

  protected override consume(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - at);
        this.dataLeft -= n;
        this.onItem({ kind: 'data-chunk', chunk: chunk.subarray(at, at + n) });
        at += n;
        if (this.dataLeft === 0) this.onItem({ kind: 'data-end', type: this.dataType, transactionId: this.dataTid });
        continue;
      }
      // Need the 8-byte header (12 for data packets, to know the transaction id).
      const need = this.needed(chunk, at);
      const have = this.pendingLength + (chunk.length - at);
      if (have < need) {
        this.keep(chunk.subarray(at));
        return;
      }
      const take = need - this.pendingLength;
      const bytes = this.assemble(chunk.subarray(at, at + take));
      at += take;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const type = view.getUint32(4, true);
      if (type === PacketType.Data || type === PacketType.EndData) {
        const length = view.getUint32(0, true);
        this.dataType = type;
        this.dataTid = view.getUint32(8, true);
        this.dataLeft = length - 12;
        this.onItem({ kind: 'data-header', type, transactionId: this.dataTid, payloadLength: this.dataLeft });
        if (this.dataLeft === 0) this.onItem({ kind: 'data-end', type, transactionId: this.dataTid });
      } else {
        this.onItem({ kind: 'packet', packet: decodeControlPacket(bytes) });
      }
    }
  }

  /** How many bytes the current unit needs in total (header, or whole control packet). */
  private needed(chunk: Uint8Array, at: number): number {
    if (this.pendingLength + (chunk.length - at) < 8 && this.pendingLength < 8) return 8;
    const head = this.peekHeader(chunk, at);
    if (!head) return 8;
    const { length, type } = head;
    const min = MIN_LENGTH[type];
    if (min === undefined) throw new PtpProtocolError(`unknown PTP/IP packet type ${type}`);
    if (length < min) throw new PtpProtocolError(`packet type ${type} with impossible length ${length}`);
    if (type === PacketType.Data || type === PacketType.EndData) {
      if (length > this.maxDataPacketSize)
        throw new PtpLimitError(`data packet of ${length} bytes exceeds ${this.maxDataPacketSize}`);
      return 12;
    }
    if (length > this.maxPacketSize)
      throw new PtpLimitError(`packet of ${length} bytes exceeds maxPacketSize ${this.maxPacketSize}`);
    return length;
  }

  private peekHeader(chunk: Uint8Array, at: number): { length: number; type: number } | undefined {
    const h = new Uint8Array(8);
    let n = 0;
    for (const p of this.pending) {
      const k = Math.min(8 - n, p.length);
      h.set(p.subarray(0, k), n);
      n += k;
      if (n === 8) break;
    }
    if (n < 8) {
      const k = Math.min(8 - n, chunk.length - at);
      h.set(chunk.subarray(at, at + k), n);
      n += k;
    }
    if (n < 8) return undefined;
    const v = new DataView(h.buffer);
    return { length: v.getUint32(0, true), type: v.getUint32(4, true) };
  }

  private keep(part: Uint8Array): void {
    if (part.length === 0) return;
    this.pending.push(part);
    this.pendingLength += part.length;
  }

  private assemble(last: Uint8Array): Uint8Array {
    if (this.pendingLength === 0) return last;
    const out = new Uint8Array(this.pendingLength + last.length);
    let o = 0;
    for (const p of this.pending) {
      out.set(p, o);
      o += p.length;
    }
    out.set(last, o);
    this.pending = [];
    this.pendingLength = 0;
    return out;
  }
}

/**
 * Cyclic panning of a baseline JPEG without re-encoding it.
 *
 * Encoding a 16-megapixel JPEG costs a few hundred milliseconds, too much for an emulator that
 * writes a capture per second while tests write hundreds. So the RGB field is encoded once per
 * resolution, as a seamlessly tiling picture, and then *transcoded losslessly* into a scan with a
 * restart interval of N MCUs (T.81 §B.2.4.4, F.1.2.3): at every restart the DC predictors reset,
 * so each interval — a 16·N × 16 pixel run of one MCU row — decodes on its own. A view of the
 * tile shifted by whole intervals horizontally and whole MCU rows vertically (wrapping around)
 * is then just those intervals concatenated in another order with their RSTn markers renumbered:
 * a memory copy of ~1.3 MB instead of an encode.
 *
 * The transcoder decodes each block's Huffman symbols and writes them back with the same
 * tables; only the DC differences change (they restart from 0 at each interval), so the encoder
 * must have used tables that hold every DC magnitude category — the standard tables of T.81
 * Annex K do (sharp with `optimiseCoding: false`, which is also what the camera uses).
 *
 * @example
 * const pan = PannableJpeg.fromJpeg(await sharp(tile, { raw }).jpeg({ optimiseCoding: false }).toBuffer());
 * const scan = pan.assemble(pan.chunksPerRow / 3, 10);   // shifted right by a third, down 10 MCU rows
 */
import { ImageError } from './errors.js';
import { DHT, DQT, DRI, SOF0, parseJpeg, type JpegSegment } from './jpeg-segments.js';

interface Component {
  id: number;
  h: number;
  v: number;
  dc: HuffTable;
  ac: HuffTable;
}

interface HuffTable {
  /** Indexed by the next 16 bits of the stream: (code length << 8) | symbol, 0 = invalid. */
  lookup: Int32Array;
  code: Uint16Array;
  length: Uint8Array;
}

const SERIAL_MAGIC = Buffer.from('CAMPJPG1', 'latin1');

function fail(message: string): never {
  throw new ImageError('ERR_CAMCTL_IMAGE_JPEG_FORMAT', message);
}

function parseHuffmanTables(segments: readonly JpegSegment[]): Map<number, HuffTable> {
  const tables = new Map<number, HuffTable>();
  for (const seg of segments) {
    if (seg.marker !== DHT) continue;
    const d = seg.data;
    let p = 0;
    while (p < d.length) {
      const tcth = d[p]!;
      const counts = d.subarray(p + 1, p + 17);
      if (counts.length < 16) fail('truncated DHT');
      let total = 0;
      for (const c of counts) total += c;
      const symbols = d.subarray(p + 17, p + 17 + total);
      if (symbols.length < total) fail('truncated DHT');
      const table: HuffTable = {
        lookup: new Int32Array(65536),
        code: new Uint16Array(256),
        length: new Uint8Array(256),
      };
      let code = 0;
      let k = 0;
      for (let len = 1; len <= 16; len++) {
        for (let i = 0; i < counts[len - 1]!; i++) {
          const sym = symbols[k++]!;
          table.code[sym] = code;
          table.length[sym] = len;
          const base = code << (16 - len);
          table.lookup.fill((len << 8) | sym, base, base + (1 << (16 - len)));
          code++;
        }
        code <<= 1;
      }
      // Key: class (0 DC, 1 AC) × 16 + id.
      tables.set(tcth, table);
      p += 17 + total;
    }
  }
  return tables;
}

class BitReader {
  private pos = 0;
  private buf = 0;
  private count = 0;
  constructor(private readonly data: Uint8Array) {}

  private fill(): void {
    while (this.count <= 24) {
      let b = 0;
      if (this.pos < this.data.length) {
        b = this.data[this.pos]!;
        if (b === 0xff) {
          const next = this.data[this.pos + 1];
          if (next === 0x00) this.pos += 2;
          else b = 0; // a marker: feed zeros, never read past it
        } else this.pos++;
      }
      this.buf = ((this.buf << 8) | b) >>> 0;
      this.count += 8;
    }
  }

  symbol(t: HuffTable): number {
    this.fill();
    const v = t.lookup[(this.buf >>> (this.count - 16)) & 0xffff]!;
    if (v === 0) fail('invalid Huffman code in JPEG scan');
    this.count -= v >> 8;
    return v & 0xff;
  }

  bits(n: number): number {
    if (n === 0) return 0;
    this.fill();
    this.count -= n;
    return (this.buf >>> this.count) & ((1 << n) - 1);
  }
}

class BitWriter {
  out: Uint8Array;
  length = 0;
  private acc = 0;
  private count = 0;
  constructor(capacity: number) {
    this.out = new Uint8Array(capacity);
  }

  private byte(b: number): void {
    if (this.length + 2 > this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out.subarray(0, this.length));
      this.out = grown;
    }
    this.out[this.length++] = b;
    if (b === 0xff) this.out[this.length++] = 0x00; // byte stuffing, T.81 F.1.2.3
  }

  put(value: number, n: number): void {
    if (n === 0) return;
    this.acc = ((this.acc << n) | (value & ((1 << n) - 1))) >>> 0;
    this.count += n;
    while (this.count >= 8) {
      this.count -= 8;
      this.byte((this.acc >>> this.count) & 0xff);
    }
  }

  /** Writes a marker verbatim (no stuffing); call after align(). */
  marker(code: number): void {
    this.byte(0xff);
    this.length--; // undo the stuffing byte that byte() added after 0xFF
    this.byte(code);
  }

  /** Pads the last byte with 1-bits, as T.81 F.1.2.3 asks before a marker. */
  align(): void {
    if (this.count > 0) this.put(0x7f, 8 - this.count);
    this.acc = 0;
  }
}

function category(v: number): number {
  let a = v < 0 ? -v : v;
  let n = 0;
  while (a) {
    n++;
    a >>= 1;
  }
  return n;
}

/** The smallest divisor of n that is ≥ want (n itself at worst). */
function intervalFor(n: number, want: number): number {
  for (let d = want; d < n; d++) if (n % d === 0) return d;
  return n;
}

export interface PannableJpegOptions {
  /** Wanted MCUs per restart interval; the nearest divisor of the row length is used. Default 4. */
  interval?: number;
}

export class PannableJpeg {
  /** Interval chunks per MCU row (horizontal pan positions). */
  readonly chunksPerRow: number;
  /** MCU rows (vertical pan positions). */
  readonly mcuRows: number;
  /** MCUs per restart interval. */
  readonly interval: number;
  /** Pixel size of one MCU. */
  readonly mcuWidth: number;
  readonly mcuHeight: number;
  /** Frame width and height the tile was encoded at. */
  readonly width: number;
  readonly height: number;

  private constructor(
    /** DQT, SOF0, DHT segments of the source (in order), no APPn, no DRI. */
    private readonly tables: readonly JpegSegment[],
    private readonly sos: JpegSegment,
    /** Every interval's bytes, each followed by a 2-byte RST slot, back to back, row-major. */
    private readonly data: Buffer,
    /** Interval i is data[offsets[i], offsets[i+1] - 2), then its RST slot. */
    private readonly offsets: Uint32Array,
    geometry: {
      chunksPerRow: number;
      mcuRows: number;
      interval: number;
      mcuWidth: number;
      mcuHeight: number;
      width: number;
      height: number;
    },
  ) {
    this.chunksPerRow = geometry.chunksPerRow;
    this.mcuRows = geometry.mcuRows;
    this.interval = geometry.interval;
    this.mcuWidth = geometry.mcuWidth;
    this.mcuHeight = geometry.mcuHeight;
    this.width = geometry.width;
    this.height = geometry.height;
  }

  /** Transcodes a baseline, single-scan JPEG without restart markers. */
  static fromJpeg(jpeg: Buffer, options: PannableJpegOptions = {}): PannableJpeg {
    const { segments, sos, scan } = parseJpeg(jpeg);
    if (segments.some((s) => s.marker === DRI)) fail('source JPEG already has a restart interval');
    const sof = segments.find((s) => s.marker === SOF0) ?? fail('no baseline SOF0 frame');
    const height = sof.data.readUInt16BE(1);
    const width = sof.data.readUInt16BE(3);
    const nf = sof.data[5]!;
    const frame: { id: number; h: number; v: number }[] = [];
    for (let i = 0; i < nf; i++) {
      const o = 6 + 3 * i;
      frame.push({ id: sof.data[o]!, h: sof.data[o + 1]! >> 4, v: sof.data[o + 1]! & 15 });
    }
    const huff = parseHuffmanTables(segments);
    const ns = sos.data[0]!;
    if (ns !== nf) fail('only single-scan JPEGs holding every component are supported');
    const comps: Component[] = [];
    for (let i = 0; i < ns; i++) {
      const id = sos.data[1 + 2 * i]!;
      const tdta = sos.data[2 + 2 * i]!;
      const f = frame.find((c) => c.id === id) ?? fail(`scan names unknown component ${id}`);
      const dc = huff.get(tdta >> 4) ?? fail('missing DC Huffman table');
      const ac = huff.get(16 + (tdta & 15)) ?? fail('missing AC Huffman table');
      // A lone component is coded block by block (T.81 A.2.2): its MCU is one 8×8 block.
      comps.push(ns === 1 ? { id, h: 1, v: 1, dc, ac } : { id, h: f.h, v: f.v, dc, ac });
    }
    const hmax = ns === 1 ? 1 : Math.max(...frame.map((c) => c.h));
    const vmax = ns === 1 ? 1 : Math.max(...frame.map((c) => c.v));
    const mcuWidth = 8 * hmax;
    const mcuHeight = 8 * vmax;
    const mcusX = Math.ceil(width / mcuWidth);
    const mcuRows = Math.ceil(height / mcuHeight);
    const interval = intervalFor(mcusX, options.interval ?? 4);
    const chunksPerRow = mcusX / interval;
    const chunkCount = chunksPerRow * mcuRows;

    const reader = new BitReader(scan);
    const writer = new BitWriter(scan.length + scan.length / 8 + chunkCount * 4);
    const offsets = new Uint32Array(chunkCount + 1);
    const inPred = new Int32Array(comps.length);
    const outPred = new Int32Array(comps.length);
    let chunk = 0;
    for (let row = 0; row < mcuRows; row++) {
      for (let mx = 0; mx < mcusX; mx++) {
        if (mx % interval === 0) {
          if (chunk > 0) {
            // Room for the RSTn marker after each interval, so a run of intervals is one copy.
            writer.align();
            writer.marker(0xd0);
          }
          offsets[chunk++] = writer.length;
          outPred.fill(0);
        }
        for (let c = 0; c < comps.length; c++) {
          const comp = comps[c]!;
          const blocks = comp.h * comp.v;
          for (let b = 0; b < blocks; b++) {
            // DC: absolute value from the source chain, re-differenced for the interval chain.
            const s = reader.symbol(comp.dc);
            let diff = reader.bits(s);
            if (s && diff < 1 << (s - 1)) diff -= (1 << s) - 1;
            const dc = inPred[c]! + diff;
            inPred[c] = dc;
            const out = dc - outPred[c]!;
            outPred[c] = dc;
            const cat = category(out);
            if (comp.dc.length[cat] === 0) fail(`DC table lacks category ${cat}; encode with standard tables`);
            writer.put(comp.dc.code[cat]!, comp.dc.length[cat]!);
            writer.put(out < 0 ? out + (1 << cat) - 1 : out, cat);
            // AC: the same symbols and bits, written back unchanged.
            for (let k = 1; k < 64;) {
              const rs = reader.symbol(comp.ac);
              writer.put(comp.ac.code[rs]!, comp.ac.length[rs]!);
              const size = rs & 15;
              if (size === 0) {
                if (rs !== 0xf0) break; // EOB
                k += 16;
                continue;
              }
              writer.put(reader.bits(size), size);
              k += (rs >> 4) + 1;
            }
          }
        }
      }
    }
    writer.align();
    writer.marker(0xd0);
    offsets[chunk] = writer.length;
    const tables = segments.filter((s) => s.marker === DQT || s.marker === SOF0 || s.marker === DHT);
    return new PannableJpeg(tables, sos, Buffer.from(writer.out.buffer, 0, writer.length), offsets, {
      chunksPerRow,
      mcuRows,
      interval,
      mcuWidth,
      mcuHeight,
      width,
      height,
    });
  }

  /**
   * A self-contained byte form (for a cache on disk): magic, a JSON header (geometry, segments),
   * the interval offsets, the interval data.
   */
  serialize(): Buffer {
    const header = Buffer.from(
      JSON.stringify({
        chunksPerRow: this.chunksPerRow,
        mcuRows: this.mcuRows,
        interval: this.interval,
        mcuWidth: this.mcuWidth,
        mcuHeight: this.mcuHeight,
        width: this.width,
        height: this.height,
        tables: this.tables.map((t) => [t.marker, t.data.toString('base64')]),
        sos: this.sos.data.toString('base64'),
      }),
    );
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32LE(header.length, 0);
    lengths.writeUInt32LE(this.offsets.length, 4);
    const offsets = Buffer.alloc(this.offsets.length * 4);
    this.offsets.forEach((o, i) => offsets.writeUInt32LE(o, 4 * i));
    return Buffer.concat([SERIAL_MAGIC, lengths, header, offsets, this.data]);
  }

  /** Inverse of serialize(); checks the structure and throws ERR_CAMCTL_IMAGE_JPEG_FORMAT when it is off. */
  static deserialize(buf: Buffer): PannableJpeg {
    if (buf.length < 16 || !buf.subarray(0, 8).equals(SERIAL_MAGIC)) fail('not a serialized PannableJpeg');
    const headerLength = buf.readUInt32LE(8);
    const count = buf.readUInt32LE(12);
    const dataStart = 16 + headerLength + 4 * count;
    if (dataStart > buf.length) fail('truncated PannableJpeg');
    let h: {
      chunksPerRow: number;
      mcuRows: number;
      interval: number;
      mcuWidth: number;
      mcuHeight: number;
      width: number;
      height: number;
      tables: [number, string][];
      sos: string;
    };
    try {
      h = JSON.parse(buf.subarray(16, 16 + headerLength).toString('utf8')) as typeof h;
    } catch (cause) {
      throw new ImageError('ERR_CAMCTL_IMAGE_JPEG_FORMAT', 'corrupt PannableJpeg header', { cause });
    }
    const offsets = new Uint32Array(count);
    for (let i = 0; i < count; i++) offsets[i] = buf.readUInt32LE(16 + headerLength + 4 * i);
    const data = buf.subarray(dataStart);
    if (count !== h.chunksPerRow * h.mcuRows + 1 || offsets[0] !== 0 || offsets[count - 1] !== data.length) {
      fail('inconsistent PannableJpeg offsets');
    }
    for (let i = 1; i < count; i++) if (offsets[i]! < offsets[i - 1]! + 2) fail('inconsistent PannableJpeg offsets');
    const tables = h.tables.map(([marker, b64]) => ({ marker, data: Buffer.from(b64, 'base64') }));
    const sos = { marker: 0xda, data: Buffer.from(h.sos, 'base64') };
    return new PannableJpeg(tables, sos, data, offsets, h);
  }

  /**
   * The header segments for a file showing `height` rows of the panned tile (≤ the tile height;
   * decoders crop the last MCU row) — DQT, SOF0, DHT, DRI — and the SOS segment.
   */
  headerSegments(height = this.height): { tables: JpegSegment[]; sos: JpegSegment } {
    if (height > this.mcuRows * this.mcuHeight || height <= (this.mcuRows - 1) * this.mcuHeight) {
      throw new ImageError('ERR_CAMCTL_IMAGE_BAD_REQUEST', `height ${height} does not fit ${this.mcuRows} MCU rows`);
    }
    const tables = this.tables.map((s) => {
      if (s.marker !== SOF0) return s;
      const data = Buffer.from(s.data);
      data.writeUInt16BE(height, 1);
      return { marker: SOF0, data };
    });
    const dri = Buffer.alloc(2);
    dri.writeUInt16BE(this.interval);
    tables.push({ marker: DRI, data: dri });
    return { tables, sos: this.sos };
  }

  /**
   * The entropy-coded scan of the tile shifted left by `dx` intervals and up by `dy` MCU rows
   * (both wrap), with RST0…RST7 markers between intervals.
   */
  assemble(dx: number, dy: number): Buffer {
    const cpr = this.chunksPerRow;
    const rows = this.mcuRows;
    const sx = ((Math.round(dx) % cpr) + cpr) % cpr;
    const sy = ((Math.round(dy) % rows) + rows) % rows;
    // Every interval but the last is followed by its marker: exactly data.length − 2 bytes.
    const out = Buffer.allocUnsafe(this.data.length - 2);
    const offs = this.offsets;
    let p = 0;
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const rowBase = ((r + sy) % rows) * cpr;
      // The shifted row is two runs of the source row, each copied at once with its RST slots;
      // the slots are then renumbered in output order (RST0…RST7 cycle, T.81 B.2.1).
      for (const [from, to] of [
        [sx, cpr],
        [0, sx],
      ] as const) {
        if (from === to) continue;
        const start = offs[rowBase + from]!;
        const end = Math.min(offs[rowBase + to]!, out.length - p + start);
        p += this.data.copy(out, p, start, end);
        for (let c = from; c < to; c++) {
          const slot = p - (end - offs[rowBase + c + 1]!) - 1;
          if (slot < out.length) out[slot] = 0xd0 + (n & 7);
          n++;
        }
      }
    }
    return out;
  }
}

/**
 * A playable MP4 (ISO/IEC 14496-12 + 14496-14) holding Motion-JPEG video, written without ffmpeg.
 *
 * Why MJPEG: the emulator must write a real, playable video for `_startCapture` in video mode, and
 * H.264 needs an encoder we do not ship. Motion JPEG in MP4 is a registered MPEG-4 object type
 * (objectTypeIndication 0x6C in the `mp4v` sample entry's `esds`), which ffmpeg/ffprobe, VLC and
 * mpv play; each sample is a complete baseline JPEG made by sharp.
 *
 * Layout: `ftyp`, then `moov` (so players can start before the end — "fast start"), then `mdat`
 * with all samples in a single chunk. The file is produced as a stream, never held in memory.
 */
import { Readable } from 'node:stream';
import { InvalidOptionError } from '../../util/errors.js';

export interface Mp4VideoOptions {
  width: number;
  height: number;
  /** Media timescale, e.g. 30000 for 29.97 fps with `frameDuration` 1001. */
  timescale: number;
  frameDuration: number;
  frameCount: number;
  /**
   * Distinct encoded JPEG frames; sample i is `frames[i % frames.length]`, so a long recording of a
   * slowly turning scene needs only a loop of frames encoded once.
   */
  frames: Buffer[];
  /** Seconds since 1904-01-01 for the boxes' creation time. */
  creationTime?: number;
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length + 8, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...payload);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, i * 2));
  return b;
}

const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

/** MPEG-4 descriptor with the 4-byte length form ffmpeg writes. */
function descriptor(tag: number, body: Buffer): Buffer {
  const len = body.length;
  const head = Buffer.from([tag, 0x80 | ((len >> 21) & 0x7f), 0x80 | ((len >> 14) & 0x7f), 0x80 | ((len >> 7) & 0x7f), len & 0x7f]);
  return Buffer.concat([head, body]);
}

function esds(avgBitrate: number, maxBitrate: number, maxSample: number): Buffer {
  const decoderConfig = descriptor(
    0x04,
    Buffer.concat([
      // objectTypeIndication 0x6C = JPEG (ISO/IEC 10918-1); streamType 4 (visual) << 2 | reserved 1.
      Buffer.from([0x6c, (0x04 << 2) | 1]),
      Buffer.from([(maxSample >> 16) & 0xff, (maxSample >> 8) & 0xff, maxSample & 0xff]),
      u32(maxBitrate, avgBitrate),
    ]),
  );
  const sl = descriptor(0x06, Buffer.from([0x02]));
  const es = descriptor(0x03, Buffer.concat([u16(1), Buffer.from([0]), decoderConfig, sl]));
  return fullBox('esds', 0, 0, es);
}

/** Builds ftyp + moov for the given sample sizes; `mdatHeader` is 8 or 16 bytes. */
function header(o: Mp4VideoOptions, sizes: number[], mdatPayload: number): { head: Buffer; mdatHeader: Buffer } {
  const t = o.creationTime ?? 0;
  const duration = o.frameCount * o.frameDuration;
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(512), Buffer.from('isomiso2mp41', 'latin1'));
  const big = mdatPayload + 8 > 0xffffffff;
  const mdatHeader = big ? Buffer.concat([u32(1), Buffer.from('mdat', 'latin1'), u32(Math.floor((mdatPayload + 16) / 2 ** 32), (mdatPayload + 16) >>> 0)]) : Buffer.concat([u32(mdatPayload + 8), Buffer.from('mdat', 'latin1')]);

  const build = (chunkOffset: number): Buffer => {
    const mvhd = fullBox('mvhd', 0, 0, u32(t, t, o.timescale, duration), u32(0x00010000), u16(0x0100, 0), u32(0, 0), MATRIX, u32(0, 0, 0, 0, 0, 0), u32(2));
    const tkhd = fullBox('tkhd', 0, 3, u32(t, t, 1, 0, duration, 0, 0), u16(0, 0, 0, 0), MATRIX, u32(o.width * 65536, o.height * 65536));
    const mdhd = fullBox('mdhd', 0, 0, u32(t, t, o.timescale, duration), u16(0x55c4 /* 'und' */, 0));
    const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide', 'latin1'), u32(0, 0, 0), Buffer.from('VideoHandler\0', 'latin1'));
    const vmhd = fullBox('vmhd', 0, 1, u16(0, 0, 0, 0));
    const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    const seconds = duration / o.timescale || 1;
    const avg = Math.round((totalBytes * 8) / seconds);
    const maxSample = sizes.reduce((a, b) => Math.max(a, b), 0);
    const compressor = Buffer.alloc(32);
    compressor.write('\x0cMotion JPEG', 0, 'latin1');
    const mp4v = box(
      'mp4v',
      Buffer.alloc(6),
      u16(1), // data_reference_index
      u16(0, 0),
      u32(0, 0, 0),
      u16(o.width, o.height),
      u32(0x00480000, 0x00480000, 0),
      u16(1),
      compressor,
      u16(0x0018, 0xffff),
      esds(avg, Math.max(avg, Math.round(maxSample * 8 * (o.timescale / o.frameDuration))), maxSample),
    );
    const stsd = fullBox('stsd', 0, 0, u32(1), mp4v);
    const stts = fullBox('stts', 0, 0, u32(1, o.frameCount, o.frameDuration));
    const stsc = fullBox('stsc', 0, 0, u32(1, 1, o.frameCount, 1));
    const stsz = fullBox('stsz', 0, 0, u32(0, sizes.length), u32(...sizes));
    const stco = fullBox('stco', 0, 0, u32(1, chunkOffset));
    const stbl = box('stbl', stsd, stts, stsc, stsz, stco);
    const minf = box('minf', vmhd, dinf, stbl);
    const mdia = box('mdia', mdhd, hdlr, minf);
    const trak = box('trak', tkhd, mdia);
    return box('moov', mvhd, trak);
  };
  // The chunk offset depends on moov's own size, which does not depend on the offset's value.
  const probe = build(0);
  const moov = build(ftyp.length + probe.length + mdatHeader.length);
  return { head: Buffer.concat([ftyp, moov]), mdatHeader };
}

/**
 * Streams an MJPEG MP4. Size in bytes is known in advance (`mjpegMp4Size`).
 *
 * @example
 * await medium.writeFile('100RICOH', 'R0010001.MP4', mjpegMp4({ width: 1920, height: 1080,
 *   timescale: 30000, frameDuration: 1001, frameCount: 300, frames }));
 */
export function mjpegMp4(o: Mp4VideoOptions): Readable {
  if (o.frames.length === 0) throw new InvalidOptionError('frames', 'an MP4 needs at least one distinct frame');
  if (!(o.frameCount > 0)) throw new InvalidOptionError('frameCount', 'an MP4 needs at least one frame');
  const sizes = Array.from({ length: o.frameCount }, (_, i) => o.frames[i % o.frames.length]!.length);
  const payload = sizes.reduce((a, b) => a + b, 0);
  const { head, mdatHeader } = header(o, sizes, payload);
  const frames = o.frames;
  const count = o.frameCount;
  return Readable.from(
    (function* () {
      yield Buffer.concat([head, mdatHeader]);
      for (let i = 0; i < count; i++) yield frames[i % frames.length]!;
    })(),
    { objectMode: false },
  );
}

/** Duration in seconds recorded in an MP4's `mvhd`, read from the file's head (moov first). */
export function mp4DurationSeconds(head: Buffer): number | undefined {
  const at = head.indexOf('mvhd', 0, 'latin1');
  if (at < 4 || at + 24 > head.length) return undefined;
  const version = head[at + 4];
  if (version === 1) {
    if (at + 36 > head.length) return undefined;
    const timescale = head.readUInt32BE(at + 24);
    const duration = Number(head.readBigUInt64BE(at + 28));
    return timescale ? duration / timescale : undefined;
  }
  const timescale = head.readUInt32BE(at + 16);
  const duration = head.readUInt32BE(at + 20);
  return timescale ? duration / timescale : undefined;
}

/** Width and height from an MP4's `tkhd` (16.16 fixed point). */
export function mp4Dimensions(head: Buffer): { width: number; height: number } | undefined {
  const at = head.indexOf('tkhd', 0, 'latin1');
  if (at < 4) return undefined;
  const version = head[at + 4];
  const base = at + 4 + 4 + (version === 1 ? 32 : 20) + 8 + 8 + 36;
  if (base + 8 > head.length) return undefined;
  return { width: head.readUInt32BE(base) >>> 16, height: head.readUInt32BE(base + 4) >>> 16 };
}

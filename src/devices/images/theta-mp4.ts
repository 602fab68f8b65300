/**
 * A playable MP4 (ISO/IEC 14496-12 + 14496-14) holding Motion-JPEG video, written without ffmpeg.
 *
 * Why MJPEG: the emulator must write a real, playable video for `_startCapture` in video mode, and
 * H.264 needs an encoder we do not ship. Motion JPEG in MP4 is a registered MPEG-4 object type
 * (objectTypeIndication 0x6C in the `mp4v` sample entry's `esds`), which ffmpeg/ffprobe, VLC and
 * mpv play; each sample is a complete baseline JPEG made by sharp.
 *
 * Layout, as a camera records: `ftyp`, then `mdat` with the samples appended while recording (one
 * chunk), then `moov` written at the end, when the sample sizes are known. Until then the `mdat`
 * header says "to the end of the file" (size 0) behind an 8-byte `free` box; at the end the 16
 * bytes become a sized header — a 32-bit `mdat` after the `free`, or a 64-bit one over both when
 * the samples pass 4 GiB — so the samples never move and stopping costs only the index.
 */
import { InvalidOptionError } from '../../util/errors.js';

/** What the `moov` says of the one video track. */
export interface Mp4VideoTrack {
  width: number;
  height: number;
  /** Media timescale, e.g. 30000 for 29.97 fps with `frameDuration` 1001. */
  timescale: number;
  frameDuration: number;
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
  const head = Buffer.from([
    tag,
    0x80 | ((len >> 21) & 0x7f),
    0x80 | ((len >> 14) & 0x7f),
    0x80 | ((len >> 7) & 0x7f),
    len & 0x7f,
  ]);
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

const FTYP = box('ftyp', Buffer.from('isom', 'latin1'), u32(512), Buffer.from('isomiso2mp41', 'latin1'));

/** Where the 16 bytes of `free` + `mdat` header start. */
const MDAT_AT = FTYP.length;

/** Offset of the first sample: the single chunk's offset in `stco`. */
export const MP4_SAMPLES_OFFSET = MDAT_AT + 16;

/**
 * The bytes a recording starts with: `ftyp`, an 8-byte `free`, and an `mdat` header of size 0
 * (to the end of the file). Samples follow at {@link MP4_SAMPLES_OFFSET}.
 */
export function mp4RecordingHead(): Buffer {
  return Buffer.concat([FTYP, u32(8), Buffer.from('free', 'latin1'), u32(0), Buffer.from('mdat', 'latin1')]);
}

/**
 * What ends a recording of samples of `sizes` bytes: the 16 bytes to write over the head's
 * `free` + `mdat` header (at `headerOffset`), and the `moov` to append after the last sample.
 */
export function mp4RecordingEnd(
  track: Mp4VideoTrack,
  sizes: number[],
): { headerOffset: number; header: Buffer; moov: Buffer } {
  if (sizes.length === 0) throw new InvalidOptionError('sizes', 'an MP4 needs at least one frame');
  const payload = sizes.reduce((a, b) => a + b, 0);
  const header =
    payload + 8 > 0xffffffff
      ? Buffer.concat([
          u32(1),
          Buffer.from('mdat', 'latin1'),
          u32(Math.floor((payload + 16) / 2 ** 32), (payload + 16) >>> 0),
        ])
      : Buffer.concat([u32(8), Buffer.from('free', 'latin1'), u32(payload + 8), Buffer.from('mdat', 'latin1')]);
  return { headerOffset: MDAT_AT, header, moov: movieBox(track, sizes, MP4_SAMPLES_OFFSET) };
}

/** The `moov` of one MJPEG track whose samples lie in one chunk at `chunkOffset`. */
function movieBox(o: Mp4VideoTrack, sizes: number[], chunkOffset: number): Buffer {
  const t = o.creationTime ?? 0;
  const frameCount = sizes.length;
  const duration = frameCount * o.frameDuration;
  const mvhd = fullBox(
    'mvhd',
    0,
    0,
    u32(t, t, o.timescale, duration),
    u32(0x00010000),
    u16(0x0100, 0),
    u32(0, 0),
    MATRIX,
    u32(0, 0, 0, 0, 0, 0),
    u32(2),
  );
  const tkhd = fullBox(
    'tkhd',
    0,
    3,
    u32(t, t, 1, 0, duration, 0, 0),
    u16(0, 0, 0, 0),
    MATRIX,
    u32(o.width * 65536, o.height * 65536),
  );
  const mdhd = fullBox('mdhd', 0, 0, u32(t, t, o.timescale, duration), u16(0x55c4 /* 'und' */, 0));
  const hdlr = fullBox(
    'hdlr',
    0,
    0,
    u32(0),
    Buffer.from('vide', 'latin1'),
    u32(0, 0, 0),
    Buffer.from('VideoHandler\0', 'latin1'),
  );
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
  const stts = fullBox('stts', 0, 0, u32(1, frameCount, o.frameDuration));
  const stsc = fullBox('stsc', 0, 0, u32(1, 1, frameCount, 1));
  const stsz = fullBox('stsz', 0, 0, u32(0, frameCount), u32(...sizes));
  const stco = fullBox('stco', 0, 0, u32(1, chunkOffset));
  const stbl = box('stbl', stsd, stts, stsc, stsz, stco);
  const minf = box('minf', vmhd, dinf, stbl);
  const mdia = box('mdia', mdhd, hdlr, minf);
  const trak = box('trak', tkhd, mdia);
  return box('moov', mvhd, trak);
}

/**
 * The `moov` box of an MP4 file, wherever it lies (a recording writes it last, a "fast start"
 * file first), found by walking the top-level boxes; undefined when there is none.
 */
export async function mp4MovieBox(
  read: (offset: number, length: number) => Promise<Buffer>,
  fileSize: number,
): Promise<Buffer | undefined> {
  let at = 0;
  while (at + 8 <= fileSize) {
    const head = await read(at, 16);
    if (head.length < 8) return undefined;
    let size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (size === 1) {
      if (head.length < 16) return undefined;
      size = Number(head.readBigUInt64BE(8));
    } else if (size === 0) {
      size = fileSize - at;
    }
    if (size < 8) return undefined;
    // A moov of a 25-minute clip is a few hundred KiB; anything far bigger is not one we can use.
    if (type === 'moov') return size <= 64 * 1024 * 1024 ? read(at, size) : undefined;
    at += size;
  }
  return undefined;
}

/** Duration in seconds recorded in an MP4's `mvhd` (in its `moov`, see {@link mp4MovieBox}). */
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

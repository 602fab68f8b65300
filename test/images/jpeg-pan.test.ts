/**
 * Lossless restart-interval transcoding and cyclic panning of baseline JPEGs, checked by decoding
 * with sharp (libjpeg): the transcoded scan decodes to exactly the source's pixels, and a panned
 * scan to exactly the rotated picture (4:4:4, where no chroma upsampling crosses the seams).
 */
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PannableJpeg } from '../../src/devices/images/jpeg-pan.js';
import {
  parseJpeg,
  writeJpeg,
  encodeSegment,
  exifSegment,
  xmpSegment,
  isExifSegment,
  isXmpSegment,
} from '../../src/devices/images/jpeg-segments.js';

const W = 256;
const H = 128;

function testPicture(): Buffer {
  const raw = Buffer.alloc(W * H * 3);
  let seed = 12345;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const o = (y * W + x) * 3;
      raw[o] = (x * 255) / W + (seed & 15);
      raw[o + 1] = (y * 255) / H;
      raw[o + 2] = ((x ^ y) & 0x20 ? 200 : 40) + ((seed >> 8) & 7);
    }
  }
  return raw;
}

const encode = (raw: Buffer, subsampling: '4:4:4' | '4:2:0') =>
  sharp(raw, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 85, chromaSubsampling: subsampling, optimiseCoding: false })
    .toBuffer();

const decode = (jpeg: Buffer) => sharp(jpeg).raw().toBuffer();

let source444: Buffer;
let pan444: PannableJpeg;

beforeAll(async () => {
  source444 = await encode(testPicture(), '4:4:4');
  pan444 = PannableJpeg.fromJpeg(source444, { interval: 4 });
});

function panned(pan: PannableJpeg, dx: number, dy: number, height?: number): Buffer {
  const { tables, sos } = pan.headerSegments(height);
  return writeJpeg(tables, sos, pan.assemble(dx, dy));
}

describe('PannableJpeg', () => {
  it('geometry: 8×8 MCUs at 4:4:4, 16×16 at 4:2:0; intervals divide the row', async () => {
    expect([pan444.mcuWidth, pan444.mcuHeight, pan444.interval, pan444.chunksPerRow, pan444.mcuRows]).toEqual([
      8, 8, 4, 8, 16,
    ]);
    const p420 = PannableJpeg.fromJpeg(await encode(testPicture(), '4:2:0'), { interval: 3 });
    // 16 MCUs a row; 3 does not divide it, so the next divisor (4) is used.
    expect([p420.mcuWidth, p420.mcuHeight, p420.interval, p420.chunksPerRow, p420.mcuRows]).toEqual([16, 16, 4, 4, 8]);
  });

  it.each(['4:4:4', '4:2:0'] as const)('unshifted, decodes to exactly the source pixels (%s)', async (sub) => {
    const src = await encode(testPicture(), sub);
    const pan = PannableJpeg.fromJpeg(src);
    expect((await decode(panned(pan, 0, 0))).equals(await decode(src))).toBe(true);
  });

  it('any shift decodes to the rotated picture, pixel for pixel', async () => {
    const reference = await decode(source444);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -40, max: 40 }), async (dx, dy) => {
        const out = await decode(panned(pan444, dx, dy));
        const sx = ((((dx % 8) + 8) % 8) * 32) % W;
        const sy = ((((dy % 16) + 16) % 16) * 8) % H;
        for (let y = 0; y < H; y += 3) {
          for (let x = 0; x < W; x += 5) {
            const a = (y * W + x) * 3;
            const b = (((y + sy) % H) * W + ((x + sx) % W)) * 3;
            if (out[a] !== reference[b] || out[a + 2] !== reference[b + 2]) return false;
          }
        }
        return true;
      }),
      { numRuns: 25 },
    );
  });

  it('restart markers cycle RST0…RST7 in output order, one between each pair of intervals', () => {
    const scan = pan444.assemble(3, 5);
    const markers: number[] = [];
    for (let i = 0; i < scan.length - 1; i++)
      if (scan[i] === 0xff && scan[i + 1]! >= 0xd0 && scan[i + 1]! <= 0xd7) markers.push(scan[i + 1]! - 0xd0);
    expect(markers).toHaveLength(pan444.chunksPerRow * pan444.mcuRows - 1);
    markers.forEach((m, i) => expect(m).toBe(i % 8));
  });

  it('a shorter frame height crops the last MCU row (4000×3000 from a 3008-high tile)', async () => {
    const out = panned(pan444, 1, 1, H - 5);
    expect((await sharp(out).metadata()).height).toBe(H - 5);
    expect(() => pan444.headerSegments(H - 8)).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_BAD_REQUEST' }),
    );
    expect(() => pan444.headerSegments(H + 1)).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_BAD_REQUEST' }),
    );
  });

  it('serializes and comes back identical; corrupt bytes are refused', () => {
    const bytes = pan444.serialize();
    const back = PannableJpeg.deserialize(bytes);
    expect(back.assemble(2, 3).equals(pan444.assemble(2, 3))).toBe(true);
    expect(() => PannableJpeg.deserialize(bytes.subarray(0, bytes.length - 1))).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_JPEG_FORMAT' }),
    );
    expect(() => PannableJpeg.deserialize(Buffer.from('not a tile at all'))).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_JPEG_FORMAT' }),
    );
  });

  it('refuses progressive JPEGs and files that already have restart intervals', async () => {
    const progressive = await sharp(testPicture(), { raw: { width: W, height: H, channels: 3 } })
      .jpeg({ progressive: true })
      .toBuffer();
    expect(() => PannableJpeg.fromJpeg(progressive)).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_JPEG_FORMAT' }),
    );
    expect(() => PannableJpeg.fromJpeg(panned(pan444, 0, 0))).toThrow(/restart interval/);
  });
});

describe('JPEG segments', () => {
  it('parses, rewrites with APP1 Exif/XMP first, and sharp still decodes it', async () => {
    const { segments, sos, scan } = parseJpeg(source444);
    const exif = exifSegment(Buffer.from('MM\0*\0\0\0\x08\0\0\0\0\0\0', 'latin1'));
    const xmp = xmpSegment(
      Buffer.from(
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>',
      ),
    );
    expect(isExifSegment(exif) && isXmpSegment(xmp) && !isXmpSegment(exif)).toBe(true);
    const out = writeJpeg([exif, xmp, ...segments.filter((s) => (s.marker & 0xf0) !== 0xe0)], sos, scan);
    expect((await decode(out)).equals(await decode(source444))).toBe(true);
    expect(
      parseJpeg(out)
        .segments.map((s) => s.marker)
        .slice(0, 2),
    ).toEqual([0xe1, 0xe1]);
  });

  it.each([
    ['not a JPEG', Buffer.from('GIF89a')],
    ['truncated header', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00])],
    ['segment overrunning the file', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x10, 0x00, 0x01])],
    ['no scan', Buffer.from([0xff, 0xd8, 0xff, 0xd9])],
  ])('%s → ERR_CAMCTL_IMAGE_JPEG_FORMAT', (_, bytes) => {
    expect(() => parseJpeg(bytes)).toThrow(expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_JPEG_FORMAT' }));
  });

  it('a scan with no EOI is refused', () => {
    expect(() => parseJpeg(source444.subarray(0, source444.length - 2))).toThrow(/EOI/);
  });

  it('segments over 64 KiB are refused', () => {
    expect(() => encodeSegment(0xe1, new Uint8Array(70_000))).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_JPEG_FORMAT' }),
    );
  });
});

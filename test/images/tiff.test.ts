/**
 * The TIFF structure writer, read back by the test's own directory reader; and the camera's
 * float32 rationals, checked against the exact terms in the real capture.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ascii,
  encodeStripTiff,
  encodeTiffStructure,
  floatRational,
  long,
  rational,
  short,
  srational,
  undef,
  type TiffEntry,
} from '../../src/devices/images/tiff.js';
import { apexAperture, apexShutter } from '../../src/devices/images/sequoia-metadata.js';
import { readTiffDirs } from './helpers.js';

describe('floatRational: the camera’s encoding of floats', () => {
  // [value, numerator, denominator] as found in test/fixtures/sequoia-real/0077.
  it.each([
    ['ExposureTime 1/333 s', 0.003, 6442451, 2147483647],
    ['FNumber 2.2', 2.2, 2147483647, 976128896],
    ['FNumber 2.3', 2.3, 2147483647, 933688576],
    ['FocalLength 3.98', 3.98, 2147483647, 539568768],
    ['FocalLength 4.88', 4.88, 2147483647, 440058112],
    ['ShutterSpeedValue 1/333 s', apexShutter(0.003), 2147483647, 256237824],
    ['ApertureValue f/2.2', apexAperture(2.2), 2147483647, 943945856],
    ['ApertureValue f/2.3', apexAperture(2.3), 2147483647, 893568256],
    ['FocalPlaneXResolution mono', 1280 / 4.8, 2147483647, 8053064],
    ['FocalPlaneXResolution RGB', 4608 / 6.17472, 2147483647, 2877628],
  ])('%s', (_, x, n, d) => {
    expect(floatRational(x)).toEqual([n, d]);
  });

  it('stays within float32 precision (plus the rounding of the small term) with 31-bit terms', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-4, max: 1e6, noNaN: true }), (x) => {
        const [n, d] = floatRational(x);
        expect(Number.isInteger(n) && Number.isInteger(d) && n <= 0x7fffffff && d <= 0x7fffffff && d > 0).toBe(true);
        const small = Math.min(n, d);
        expect(Math.abs(n / d - x)).toBeLessThanOrEqual(x * (2e-7 + 1 / small));
      }),
    );
  });
});

describe('encodeTiffStructure', () => {
  const ifd: TiffEntry[] = [
    { tag: 0x0110, value: ascii('Sequoia') },
    { tag: 0x010f, value: ascii('Parrot') },
    { tag: 0x0112, value: short(3) },
    {
      tag: 0x8769,
      value: {
        type: 'ifd',
        pointer: 'long',
        ifd: [
          { tag: 0x829a, value: rational([1, 333]) },
          { tag: 0x9201, value: srational([-5, 2]) },
          { tag: 0x9000, value: undef('0210') },
          { tag: 0xa002, value: long(4608) },
        ],
      },
    },
    {
      tag: 0x8825,
      value: { type: 'ifd', pointer: 'ifd', ifd: [{ tag: 0x0000, value: { type: 'byte', values: [2, 2, 0, 0] } }] },
    },
  ];

  it.each([true, false])('round trips (little-endian %s), entries sorted, pointer types as asked', (littleEndian) => {
    const tiff = encodeTiffStructure(ifd, { littleEndian });
    expect(tiff.toString('latin1', 0, 2)).toBe(littleEndian ? 'II' : 'MM');
    const dirs = readTiffDirs(tiff);
    expect(dirs.map((e) => `${e.dir}:${e.tag.toString(16)}:${e.type}`)).toEqual([
      'IFD0:10f:2',
      'IFD0:110:2',
      'IFD0:112:3',
      'IFD0:8769:4',
      'ExifIFD:829a:5',
      'ExifIFD:9000:7',
      'ExifIFD:9201:10',
      'ExifIFD:a002:4',
      'IFD0:8825:13',
      'GPS:0:1',
    ]);
    const get = (tag: number) => dirs.find((e) => e.tag === tag)!;
    expect(get(0x010f).value.toString('latin1')).toBe('Parrot\0');
    expect(get(0x010f).count).toBe(7);
    const r = get(0x9201).value;
    expect(littleEndian ? [r.readInt32LE(0), r.readInt32LE(4)] : [r.readInt32BE(0), r.readInt32BE(4)]).toEqual([-5, 2]);
    expect([...get(0x0000).value]).toEqual([2, 2, 0, 0]);
    // Out-of-line values start on word boundaries (TIFF 6.0).
    for (const e of dirs) if (e.value.length > 4) expect(e.value.byteOffset % 2).toBe(0);
  });

  it('random directories round trip', () => {
    const entry = fc.oneof(
      fc
        .string({ maxLength: 40 })
        .filter((s) => /^[\x20-\x7e]*$/.test(s))
        .map(ascii),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 6 }).map((v) => short(...v)),
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 4 }).map((v) => long(...v)),
      fc
        .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 0xffffffff })), { minLength: 1, maxLength: 3 })
        .map((v) => rational(...v)),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 0x8000 }), entry), { selector: ([t]) => t, maxLength: 20 }),
        fc.boolean(),
        (entries, le) => {
          const tiff = encodeTiffStructure(
            entries.map(([tag, value]) => ({ tag, value })),
            { littleEndian: le },
          );
          const dirs = readTiffDirs(tiff);
          expect(dirs.map((d) => d.tag)).toEqual(entries.map(([t]) => t).sort((a, b) => a - b));
        },
      ),
    );
  });

  it('refuses what cannot be encoded', () => {
    expect(() => encodeTiffStructure([{ tag: 1, value: short(70000) }], { littleEndian: true })).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_TIFF_ENCODE' }),
    );
    expect(() =>
      encodeTiffStructure(
        [
          { tag: 1, value: short(1) },
          { tag: 1, value: short(2) },
        ],
        { littleEndian: true },
      ),
    ).toThrow(/duplicate/);
    expect(() => encodeTiffStructure([{ tag: 1, value: srational([2 ** 31, 1]) }], { littleEndian: false })).toThrow(
      /SRATIONAL/,
    );
  });
});

describe("encodeTiffStructure: a maker note and a thumbnail directory (the THETA's EXIF)", () => {
  it.each([true, false])(
    "little-endian %s: IFD1 chained from IFD0, its JPEG at the offset; the maker note's IFD uses file offsets",
    (littleEndian) => {
      const thumb = Buffer.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
      const note: TiffEntry[] = [
        { tag: 0x0001, value: ascii('Rdc') },
        { tag: 0x4001, value: { type: 'ifd', ifd: [{ tag: 0x0104, value: ascii('A0301770') }], pointer: 'long' } },
      ];
      const tiff = encodeTiffStructure(
        [
          {
            tag: 0x8769,
            value: {
              type: 'ifd',
              ifd: [
                { tag: 0x927c, value: { type: 'makernote', header: Buffer.from('Ricoh\0\0\0', 'latin1'), ifd: note } },
              ],
              pointer: 'long',
            },
          },
        ],
        { littleEndian },
        [
          { tag: 0x0103, value: short(6) },
          { tag: 0x0201, value: { type: 'offset', bytes: thumb } },
          { tag: 0x0202, value: long(thumb.length) },
        ],
      );
      const u16 = (o: number) => (littleEndian ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
      const u32 = (o: number) => (littleEndian ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
      /** Entry `tag` of the IFD at `at`: [type, count, value-or-offset]. */
      const entry = (at: number, tag: number): [number, number, number] => {
        for (let i = 0; i < u16(at); i++) {
          const e = at + 2 + 12 * i;
          if (u16(e) === tag) return [u16(e + 2), u32(e + 4), u32(e + 8)];
        }
        throw new Error(`no tag 0x${tag.toString(16)} at ${at}`);
      };
      const ifd0 = u32(4);
      const ifd1 = u32(ifd0 + 2 + 12 * u16(ifd0));
      expect(ifd1).toBeGreaterThan(ifd0);
      expect(entry(ifd1, 0x0103)).toEqual([3, 1, littleEndian ? 6 : 6 << 16]);
      const [type, count, at] = entry(ifd1, 0x0201);
      expect([type, count]).toEqual([4, 1]);
      expect(tiff.subarray(at, at + thumb.length)).toEqual(thumb);
      expect(entry(ifd1, 0x0202)[2]).toBe(thumb.length);
      // The next-IFD link of IFD1 ends the chain.
      expect(u32(ifd1 + 2 + 12 * u16(ifd1))).toBe(0);

      const exif = entry(ifd0, 0x8769)[2];
      const [noteType, noteCount, noteAt] = entry(exif, 0x927c);
      expect(noteType).toBe(7);
      expect(tiff.toString('latin1', noteAt, noteAt + 8)).toBe('Ricoh\0\0\0');
      const noteIfd = noteAt + 8;
      const sub = entry(noteIfd, 0x4001)[2];
      // The sub-directory lies inside the maker note's bytes, addressed from the TIFF header.
      expect(sub).toBeGreaterThan(noteIfd);
      expect(sub).toBeLessThan(noteAt + noteCount);
      const [, serialCount, serialAt] = entry(sub, 0x0104);
      expect(tiff.toString('latin1', serialAt, serialAt + serialCount - 1)).toBe('A0301770');
      expect(serialAt + serialCount).toBeLessThanOrEqual(noteAt + noteCount);
    },
  );
});

describe('encodeStripTiff', () => {
  it('puts the strip at offset 8 and the directories after it (odd strip padded)', () => {
    const tiff = encodeStripTiff(
      [
        { tag: 0x0111, value: long(8) },
        { tag: 0x0117, value: long(5) },
      ],
      5,
      (t) => t.set([1, 2, 3, 4, 5]),
      { littleEndian: true },
    );
    expect([...tiff.subarray(8, 13)]).toEqual([1, 2, 3, 4, 5]);
    expect(tiff.readUInt32LE(4)).toBe(14);
    expect(readTiffDirs(tiff).map((e) => e.tag)).toEqual([0x0111, 0x0117]);
  });
});

/**
 * What the emulated Sequoia's pictures contain: the right size and bit depth as sharp decodes
 * them, a field whose NDVI looks like a field, panning with the simulated flight, thumbnails,
 * and clear errors for requests the camera could not have made.
 */
import ExifReader from 'exifreader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageError } from '../../src/devices/images/errors.js';
import { CROP, SOIL, TRACK, TREE, panPixels, renderFieldCodes } from '../../src/devices/images/field.js';
import { MONO_CALIBRATION } from '../../src/devices/images/sequoia-calibration.js';
import {
  THUMBNAIL_SIZE,
  renderSequoiaImage,
  renderSequoiaThumbnail,
  sequoiaFileName,
  type SequoiaImageRequest,
} from '../../src/devices/images/sequoia.js';
import { fixtureLikeRequest } from './helpers.js';

/** Samples of a 16-bit grey TIFF as sharp decodes them (no rotation applied). */
async function samples(tif: Buffer): Promise<{ data: Uint16Array; width: number; height: number }> {
  const { data, info } = await sharp(tif)
    .toColourspace('grey16')
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(1);
  return {
    data: new Uint16Array(data.buffer, data.byteOffset, data.length / 2),
    width: info.width,
    height: info.height,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('mono TIFFs', () => {
  it.each([
    [1280, 960, 10],
    [1280, 960, 8],
    [640, 480, 10],
    [640, 480, 8],
  ] as const)(
    '%dx%d, %d-bit: sharp reads a 16-bit grey image of that size, MSB-aligned samples',
    async (w, h, bits) => {
      const tif = await renderSequoiaImage(fixtureLikeRequest('NIR', { width: w, height: h, bitDepth: bits }));
      const meta = await sharp(tif).metadata();
      expect([meta.format, meta.width, meta.height, meta.depth, meta.channels]).toEqual(['tiff', w, h, 'ushort', 1]);
      expect(meta.orientation).toBe(3);
      const { data } = await samples(tif);
      const step = 1 << (16 - bits);
      let max = 0;
      let misaligned = 0;
      const levels = new Set<number>();
      for (const v of data) {
        if (v % step !== 0) misaligned++;
        if (v > max) max = v;
        levels.add(v / step);
      }
      expect(misaligned).toBe(0);
      expect(max).toBeLessThanOrEqual(((1 << bits) - 1) * step);
      // Real texture, not a handful of flat areas.
      expect(levels.size).toBeGreaterThan(bits === 10 ? 300 : 100);
      // Strip first, directories and XMP after it, as the camera lays the file out.
      expect(tif.readUInt32LE(4)).toBe(8 + w * h * 2);
    },
  );

  it('the field’s NDVI: vegetation > 0.5, soil and tracks < 0.2, from black-level-corrected bands', async () => {
    const req = (band: 'RED' | 'NIR') => fixtureLikeRequest(band, { scene: { x: 37.5, y: 12.25 } });
    const [red, nir] = await Promise.all([
      renderSequoiaImage(req('RED')).then(samples),
      renderSequoiaImage(req('NIR')).then(samples),
    ]);
    const black = (band: 'RED' | 'NIR') => mean([...MONO_CALIBRATION[band].blackLevel]);
    // Ground truth: the field's material map at the same pan.
    const codes = renderFieldCodes(1280, 960);
    const [px, py] = panPixels(37.5, 12.25, 1280, 960);
    const byMaterial = new Map<number, number[]>();
    for (let y = 0; y < 960; y += 3) {
      for (let x = 0; x < 1280; x += 3) {
        const i = y * 1280 + x;
        const material = codes[((y + py) % 960) * 1280 + ((x + px) % 1280)]! >> 12;
        const n = nir.data[i]! - black('NIR');
        const r = red.data[i]! - black('RED');
        const list = byMaterial.get(material) ?? [];
        list.push((n - r) / (n + r));
        byMaterial.set(material, list);
      }
    }
    for (const m of [CROP, TREE]) {
      const ndvi = byMaterial.get(m)!;
      expect(ndvi.length).toBeGreaterThan(1000);
      expect(Math.min(...ndvi)).toBeGreaterThan(0.5);
    }
    for (const m of [SOIL, TRACK]) {
      const ndvi = byMaterial.get(m)!;
      expect(ndvi.length).toBeGreaterThan(1000);
      expect(Math.max(...ndvi)).toBeLessThan(0.2);
    }
    // And straight from the raw samples, as a quick look would compute it, the field is bimodal.
    let high = 0;
    let low = 0;
    for (let i = 0; i < red.data.length; i += 7) {
      const v = (nir.data[i]! - red.data[i]!) / (nir.data[i]! + red.data[i]!);
      if (v > 0.5) high++;
      else if (v < 0.2) low++;
    }
    const n = red.data.length / 7;
    expect(high / n).toBeGreaterThan(0.2);
    expect(low / n).toBeGreaterThan(0.2);
  });

  it('bands differ as spectra do: vegetation bright in NIR and red edge, dark in red, medium in green', async () => {
    const codes = renderFieldCodes(1280, 960);
    const vegetation: number[] = [];
    for (let i = 0; i < codes.length; i += 11) if (codes[i]! >> 12 === CROP) vegetation.push(i);
    const level: Record<string, number> = {};
    for (const band of ['GRE', 'RED', 'REG', 'NIR'] as const) {
      const { data } = await samples(await renderSequoiaImage(fixtureLikeRequest(band)));
      const black = mean([...MONO_CALIBRATION[band].blackLevel]);
      level[band] = mean(vegetation.map((i) => data[i]! - black));
    }
    expect(level['NIR']).toBeGreaterThan(level['REG']!);
    expect(level['REG']).toBeGreaterThan(level['GRE']!);
    expect(level['GRE']).toBeGreaterThan(level['RED']!);
    expect(level['NIR']! / level['RED']!).toBeGreaterThan(5);
  });

  it('the scene pans with the flight: a shifted capture is the same field, moved', async () => {
    const a = await samples(await renderSequoiaImage(fixtureLikeRequest('NIR', { scene: { x: 0, y: 0 } })));
    const b = await samples(await renderSequoiaImage(fixtureLikeRequest('NIR', { scene: { x: 12, y: 4.5 } })));
    const [dx, dy] = panPixels(12, 4.5, 1280, 960);
    expect([dx, dy]).toEqual([128, 48]);
    let same = 0;
    let differentInPlace = 0;
    for (let y = 0; y < 960 - dy; y += 5) {
      for (let x = 0; x < 1280 - dx; x += 5) {
        if (b.data[y * 1280 + x] === a.data[(y + dy) * 1280 + x + dx]) same++;
        if (b.data[y * 1280 + x] !== a.data[y * 1280 + x]) differentInPlace++;
      }
    }
    const total = Math.ceil((960 - dy) / 5) * Math.ceil((1280 - dx) / 5);
    expect(same).toBe(total);
    expect(differentInPlace / total).toBeGreaterThan(0.5);
  });
});

describe('RGB JPEG', () => {
  it.each([
    [4608, 3456],
    [4000, 3000],
  ] as const)('%dx%d decodes with sharp to that size, 3 channels, baseline 4:2:0', async (w, h) => {
    const jpg = await renderSequoiaImage(fixtureLikeRequest('RGB', { width: w, height: h }));
    const meta = await sharp(jpg).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels, meta.chromaSubsampling, meta.isProgressive]).toEqual([
      'jpeg',
      w,
      h,
      3,
      '4:2:0',
      false,
    ]);
    const { data, info } = await sharp(jpg)
      .resize(w / 8)
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(w / 8);
    // The same field in colour: green vegetation and brown soil both present.
    let green = 0;
    let brown = 0;
    for (let i = 0; i < data.length; i += 3) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (g > r + 15 && g > b + 15) green++;
      if (r > g + 10 && g > b + 10) brown++;
    }
    const n = data.length / 3;
    expect(green / n).toBeGreaterThan(0.15);
    expect(brown / n).toBeGreaterThan(0.1);
  });

  it('pans with the flight: two positions give two pictures, each fully decodable', async () => {
    const a = await renderSequoiaImage(fixtureLikeRequest('RGB', { scene: { x: 0, y: 0 } }));
    const b = await renderSequoiaImage(fixtureLikeRequest('RGB', { scene: { x: 20, y: 7 } }));
    const [ra, rb] = await Promise.all([sharp(a).resize(576).raw().toBuffer(), sharp(b).resize(576).raw().toBuffer()]);
    expect(ra.equals(rb)).toBe(false);
    // Same metadata around different scans.
    expect(a.subarray(0, 9000).equals(b.subarray(0, 9000))).toBe(true);
  });
});

describe('thumbnails', () => {
  it.each(['RGB', 'NIR', 'RED'] as const)('%s: a small JPEG', async (band) => {
    const thumb = await renderSequoiaThumbnail(fixtureLikeRequest(band));
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', THUMBNAIL_SIZE.width, THUMBNAIL_SIZE.height]);
    expect(meta.channels).toBe(band === 'RGB' ? 3 : 1);
    expect(thumb.length).toBeLessThan(20_000);
  });

  it('NIR thumbnails are brighter than RED ones (vegetation)', async () => {
    const stat = async (band: 'NIR' | 'RED') =>
      (await sharp(await renderSequoiaThumbnail(fixtureLikeRequest(band))).stats()).channels[0]!.mean;
    expect(await stat('NIR')).toBeGreaterThan((await stat('RED')) * 1.5);
  });
});

describe('metadata from the request', () => {
  it('file names are the camera’s, always 30 characters', () => {
    const name = sequoiaFileName({ band: 'NIR', captureTimeMs: Date.UTC(2018, 3, 13, 8, 6, 58), pictureIndex: 7 });
    expect(name).toBe('IMG_180413_080658_0007_NIR.TIF');
    expect(sequoiaFileName({ band: 'RGB', captureTimeMs: 0, pictureIndex: 9999 })).toBe(
      'IMG_700101_000000_9999_RGB.JPG',
    );
    expect(name).toHaveLength(30);
  });

  it('a GPS fix writes the position; no sunshine sensor drops its tags', async () => {
    const tif = await renderSequoiaImage(
      fixtureLikeRequest('GRE', {
        gps: { fix: true, lat: -33.8568, lon: 151.2153, altitude: 112.5 },
        irradiance: null,
      }),
    );
    const tags = ExifReader.load(tif, { expanded: true });
    expect(tags.gps?.Latitude).toBeCloseTo(-33.8568, 4);
    expect(tags.gps?.Longitude).toBeCloseTo(151.2153, 4);
    expect(tags.gps?.Altitude).toBeCloseTo(112.5, 3);
    const xmp = tags.xmp as Record<string, unknown>;
    expect(xmp['IrradianceList']).toBeUndefined();
    expect(xmp['SunshineSerialNumber']).toBeUndefined();
    expect(xmp['CaptureUUID']).toBeDefined();
  });
});

describe('bad requests', () => {
  const cases: [string, Partial<SequoiaImageRequest> & { band?: SequoiaImageRequest['band'] }][] = [
    ['mono at an RGB resolution', { band: 'NIR', width: 4608, height: 3456 }],
    ['RGB at a mono resolution', { band: 'RGB', width: 1280, height: 960 }],
    ['an unknown band', { band: 'UV' as 'NIR' }],
    ['a 12-bit depth', { bitDepth: 12 as 10 }],
    ['a negative exposure', { exposureUs: -1 }],
    ['ISO 0', { iso: 0 }],
    ['picture index 10000', { pictureIndex: 10000 }],
    ['a NaN scene', { scene: { x: Number.NaN, y: 0 } }],
    ['a latitude of 91°', { gps: { fix: true, lat: 91, lon: 0, altitude: 0 } }],
    ['a non-ASCII serial', { serialNumber: 'PI04ö' }],
  ];
  it.each(cases)('%s → ImageError ERR_CAMCTL_IMAGE_BAD_REQUEST', async (_, override) => {
    const req = { ...fixtureLikeRequest(override.band ?? 'NIR'), ...override };
    await expect(renderSequoiaImage(req)).rejects.toMatchObject({
      name: 'ImageError',
      code: 'ERR_CAMCTL_IMAGE_BAD_REQUEST',
    });
    await expect(renderSequoiaThumbnail(req)).rejects.toBeInstanceOf(ImageError);
  });
});

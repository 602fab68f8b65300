/**
 * The THETA S picture's EXIF as exiftool reads it: the RICOH maker note ("Ricoh\0\0\0", tag 0x4001
 * → the THETA sub-directory: zenith and compass readings, ISO / aperture / exposure of both
 * lenses, time zone), the IFD1 thumbnail every camera writes (a JPEG a reader can extract), and a
 * GPS directory when the gpsInfo option is set — every value read back as the camera meant it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExif } from '../../src/devices/images/theta-metadata.js';
import { thetaPicture, type ShotSettings } from '../../src/devices/images/theta.js';
import { exiftoolAvailable, exiftoolValidation, exiftoolValues } from './helpers.js';

const run = promisify(execFile);
const haveExiftool = await exiftoolAvailable();
const inCi = process.env['CI'] === 'true';

const BASE: ShotSettings = {
  width: 2048,
  height: 1024,
  iso: 0,
  shutterSpeed: 0,
  exposureProgram: 2,
  exposureCompensation: 0,
  whiteBalance: 'auto',
  filter: 'off',
  firmwareVersion: '01.82',
  serialNumber: '00301770',
};
const WHEN = Date.UTC(2024, 5, 1, 3, 4, 5);
const GPS = {
  lat: -35.6712345,
  lng: 139.7654321,
  altitude: 42.5,
  datum: 'WGS84',
  dateTimeZone: '2024:06:01 12:03:59+09:00',
};

let dir: string;
const files: Record<'plain' | 'gps' | 'hdr', string> = { plain: '', gps: '', hdr: '' };
const bytes: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'camctl-theta-exif-'));
  const shots: Record<keyof typeof files, ShotSettings> = {
    plain: BASE,
    gps: { ...BASE, iso: 400, shutterSpeed: 1 / 250, exposureProgram: 1, gps: GPS },
    hdr: { ...BASE, filter: 'hdr' },
  };
  for (const [k, s] of Object.entries(shots) as [keyof typeof files, ShotSettings][]) {
    const { jpeg } = await thetaPicture(s, WHEN, 540);
    files[k] = path.join(dir, `${k}.JPG`);
    bytes[k] = jpeg;
    await writeFile(files[k], jpeg);
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** exiftool's value of a tag by name, whatever group it files it under. */
function tag(values: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(values).find((k) => k.endsWith(`:${name}`));
  return key === undefined ? undefined : values[key];
}

describe.runIf(haveExiftool || inCi)('THETA S EXIF read by exiftool', () => {
  it('the RICOH maker note: type, firmware, serial, recording format', async () => {
    const v = await exiftoolValues(files.plain);
    expect(v['Ricoh:MakerNoteType']).toBe('Rdc');
    expect(v['Ricoh:FirmwareVersion']).toBe('Rev0182');
    expect(String(v['Ricoh:SerialNumber'])).toMatch(/00301770$/);
    expect(v['Ricoh:RecordingFormat']).toBe(2);
  });

  it('the THETA sub-directory: zenith (accelerometer), compass and time zone decoded by name', async () => {
    const v = await exiftoolValues(files.plain);
    // Level on its tripod, facing the scene's south (the middle of the picture).
    expect(String(tag(v, 'Accelerometer'))).toBe('0 0');
    expect(tag(v, 'Compass')).toBe(180);
    expect(tag(v, 'TimeZone')).toBe('+09:00');
  });

  it('the THETA sub-directory carries both lenses’ ISO, aperture and exposure, as the EXIF states them', async () => {
    const { stdout } = await run('exiftool', ['-a', '-u', '-G1', '-s', '-n', '-j', files.gps]);
    const v = (JSON.parse(stdout) as Record<string, unknown>[])[0]!;
    const unknown = (id: string) => Object.entries(v).find(([k]) => k.toLowerCase().endsWith(`_0x${id}`))?.[1];
    expect(v['ExifIFD:ISO']).toBe(400);
    expect(unknown('0101')).toBe('400 0 400 0');
    expect(unknown('0102')).toBe('2 2');
    expect(unknown('0103')).toBe('0.004 0.004');
    expect(v['ExifIFD:ExposureTime']).toBe(0.004);
    expect(String(unknown('0104'))).toMatch(/^A\d{7}$/);
    expect(String(unknown('0105'))).toMatch(/^A\d{7}$/);
    expect(unknown('0104')).not.toBe(unknown('0105'));
  });

  it('HDR shows in the THETA sub-directory', async () => {
    const find = async (f: string) => {
      const { stdout } = await run('exiftool', ['-a', '-u', '-G1', '-s', '-n', '-j', f]);
      const v = (JSON.parse(stdout) as Record<string, unknown>[])[0]!;
      return Object.entries(v).find(([k]) => k.toLowerCase().endsWith('_0x0002'))?.[1];
    };
    expect(await find(files.plain)).toBe(0);
    expect(await find(files.hdr)).toBe(1);
  });

  it('an IFD1 thumbnail: a real JPEG exiftool extracts and sharp decodes, 160×80', async () => {
    const v = await exiftoolValues(files.plain);
    expect(v['IFD1:Compression']).toBe(6);
    expect(v['IFD1:ThumbnailLength']).toBeGreaterThan(500);
    const { stdout } = await run('exiftool', ['-b', '-ThumbnailImage', files.plain], {
      encoding: 'buffer',
      maxBuffer: 1 << 20,
    });
    const meta = await sharp(stdout).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 160, 80]);
    const stats = await sharp(stdout).stats();
    // A picture of the scene, not a flat block: sky above, grass below.
    expect(stats.channels[2]!.max - stats.channels[2]!.min).toBeGreaterThan(60);
  });

  it('no GPS directory without gpsInfo', async () => {
    const v = await exiftoolValues(files.plain);
    expect(Object.keys(v).filter((k) => k.startsWith('GPS:'))).toEqual([]);
  });

  it('with gpsInfo: every GPS value reads back — position, altitude, datum, the fix’s UTC time', async () => {
    const v = await exiftoolValues(files.gps);
    expect(v['GPS:GPSVersionID']).toBe('2 2 0 0');
    expect(v['GPS:GPSLatitudeRef']).toBe('S');
    expect(v['GPS:GPSLongitudeRef']).toBe('E');
    expect(Math.abs(Number(v['GPS:GPSLatitude']) - Math.abs(GPS.lat))).toBeLessThan(1e-6);
    expect(Math.abs(Number(v['GPS:GPSLongitude']) - GPS.lng)).toBeLessThan(1e-6);
    expect(v['GPS:GPSAltitudeRef']).toBe(0);
    expect(v['GPS:GPSAltitude']).toBe(42.5);
    expect(v['GPS:GPSMapDatum']).toBe('WGS84');
    expect(v['GPS:GPSDateStamp']).toBe('2024:06:01');
    expect(v['GPS:GPSTimeStamp']).toBe('03:03:59');
    const { stdout } = await run('exiftool', ['-Composite:GPSPosition', '-n', '-s3', files.gps]);
    const [lat, lng] = stdout.trim().split(/\s+/).map(Number);
    expect(lat).toBeCloseTo(GPS.lat, 6);
    expect(lng).toBeCloseTo(GPS.lng, 6);
  });

  it('the usual EXIF still reads as before: make, model, dates in the camera’s zone, exposure', async () => {
    const v = await exiftoolValues(files.gps);
    expect(v['IFD0:Make']).toBe('RICOH');
    expect(v['IFD0:Model']).toBe('RICOH THETA S');
    expect(v['ExifIFD:DateTimeOriginal']).toBe('2024:06:01 12:04:05');
    expect(v['IFD0:ModifyDate']).toBe('2024:06:01 12:04:05');
    expect(v['ExifIFD:ExposureProgram']).toBe(1);
    expect(v['ExifIFD:FNumber']).toBe(2);
    expect(v['ExifIFD:ExifImageWidth']).toBe(2048);
  });

  it('exiftool -validate finds nothing wrong', async () => {
    for (const f of Object.values(files)) {
      const report = await exiftoolValidation(f);
      expect(report.filter((l) => !/^Validate: OK$/.test(l) && !/^Validate: /.test(l))).toEqual([]);
      expect(report).toContain('Validate: OK');
    }
  });
});

describe('the metadata reply reads the same file', () => {
  it('in the shape a real THETA answers getMetadata: decimal GPS degrees, the thumbnail’s Compression, ImageWidth/ImageLength', () => {
    const exif = readExif(bytes['gps']!);
    expect(exif['Make']).toBe('RICOH');
    expect(exif['PhotographicSensitivity']).toBe(400);
    expect(exif['GPSLatitudeRef']).toBe('S');
    // Degrees as one number, the hemisphere in the Ref (as the camera's reply carries them).
    expect(exif['GPSLatitude']).toBeCloseTo(Math.abs(GPS.lat), 5);
    expect(exif['GPSLongitude']).toBeCloseTo(GPS.lng, 5);
    expect(exif['Compression']).toBe(6);
    expect([exif['ImageWidth'], exif['ImageLength']]).toEqual([2048, 1024]);
    expect(exif['PixelXDimension']).toBeUndefined();
    expect(exif['Flash']).toBe(32);
    expect(exif['Copyright']).toBe('');
    expect(exif['ImageDescription']).toMatch(/^ {63}$/);
    expect(typeof exif['BrightnessValue']).toBe('number');
  });
});

describe.runIf(haveExiftool || inCi)('a picture the emulated THETA takes with gpsInfo set', () => {
  it('carries the option’s altitude, datum and fix time, and the body’s serial in the maker note', async () => {
    const { ManualClock } = await import('../../src/util/clock.js');
    const { ThetaDevice } = await import('../../src/devices/theta/device.js');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'camctl-theta-gps-'));
    const clock = new ManualClock(Date.UTC(2016, 6, 1, 14, 28, 45));
    const theta = await ThetaDevice.open({ dataDir, clock, serialNumber: '00123456' });
    try {
      theta.setOptions({
        gpsInfo: {
          lat: 35.4836,
          lng: 134.234,
          _altitude: -3.25,
          _datum: 'WGS84',
          _dateTimeZone: '2016:07:01 23:28:40+09:00',
        },
      });
      const job = theta.takePicture();
      // The stitching time of the largest picture, in device time.
      await clock.advance(4000);
      await job.finished;
      const file = await theta.filePath(theta.findFile(job.files[0]!));
      const v = await exiftoolValues(file);
      expect(Number(v['GPS:GPSLatitude'])).toBeCloseTo(35.4836, 6);
      expect([v['GPS:GPSAltitudeRef'], v['GPS:GPSAltitude']]).toEqual([1, 3.25]);
      expect(v['GPS:GPSMapDatum']).toBe('WGS84');
      expect([v['GPS:GPSDateStamp'], v['GPS:GPSTimeStamp']]).toEqual(['2016:07:01', '14:28:40']);
      expect(String(v['Ricoh:SerialNumber'])).toMatch(/00123456$/);
    } finally {
      await theta.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * The one picture-metadata reader against files written by a real Sequoia (test/fixtures), and
 * against the emulators' pictures read through the Camera interface (real sockets) and from disk.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openCamera } from '../../src/camera/open.js';
import { readCameraPictureMetadata, readPictureMetadata } from '../../src/camera/picture-metadata.js';
import type { Camera, RemoteFile } from '../../src/camera/types.js';
import { startSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { tempDir } from '../helpers/tmp.js';

const REAL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sequoia-real/0077');
const real = (band: string) => path.join(REAL, `IMG_180413_080658_0000_${band}`);

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function files(camera: Camera): Promise<RemoteFile[]> {
  const out: RemoteFile[] = [];
  for (const m of await camera.list('/'))
    for (const f of await camera.list(m.path))
      for (const e of await camera.list(f.path)) if (e.kind === 'file') out.push(e as RemoteFile);
  return out;
}

describe('readPictureMetadata on a real Sequoia capture', () => {
  it('reads a mono band TIFF: band, wavelength, exposure, capture time, sunshine irradiance; no position without a fix', async () => {
    const m = await readPictureMetadata(`${real('NIR')}.TIF`);
    expect(m).toMatchObject({
      make: 'Parrot',
      model: 'Sequoia',
      serialNumber: 'PI040378AA6C000181',
      software: 'v1.4.1',
      width: 1280,
      height: 960,
      captureTime: '2018-04-13T08:06:58.267',
      iso: 621,
      band: 'NIR',
      centralWavelength: 790,
      wavelengthFwhm: 40,
      attitude: {
        yaw: expect.closeTo(-63.78289, 5),
        pitch: expect.closeTo(0.457332, 5),
        roll: expect.closeTo(1.283359, 5),
      },
    });
    expect(m.exposureTime).toBeCloseTo(0.003, 6);
    expect(m.fNumber).toBeCloseTo(2.2, 5);
    // GPSStatus V (void): the file has a GPS directory but no position.
    expect(m.gps).toBeUndefined();
    expect(m.irradiance).toMatchObject({ sensorSerial: 'PI040379AA6E000358' });
    expect(m.irradiance!.samples).toBeGreaterThan(1);
    expect(m.irradiance!.ch0).toBeGreaterThan(0);
    expect(m.irradiance!.unitScale).toBeCloseTo(1.78737, 4);
    expect(m.panorama).toBeUndefined();
  });

  it('names every band as the camera does, the RGB JPEG included; the same from bytes in memory', async () => {
    const bands: Record<string, string> = {};
    for (const b of ['GRE', 'RED', 'REG', 'NIR']) bands[b] = (await readPictureMetadata(`${real(b)}.TIF`)).band!;
    expect(bands).toEqual({ GRE: 'Green', RED: 'Red', REG: 'Red edge', NIR: 'NIR' });
    const rgb = await readPictureMetadata(`${real('RGB')}.JPG`);
    expect(rgb).toMatchObject({ band: 'RGB', width: 4608, height: 3456, make: 'Parrot' });
    expect(rgb.irradiance).toBeUndefined();
    // The first MiB of the JPEG holds all of it.
    const prefix = (await readFile(`${real('RGB')}.JPG`)).subarray(0, 1024 * 1024);
    expect(await readPictureMetadata(prefix)).toEqual(rgb);
  });

  it('bytes that are no picture give no metadata rather than an error', async () => {
    expect(await readPictureMetadata(Buffer.from('not a picture at all, just text'))).toEqual({});
  });
});

describe("readPictureMetadata on the emulators' pictures", () => {
  it('Sequoia with a GPS fix over a flight track: the position of the capture, read from the camera and from disk alike', async () => {
    const { dir, cleanup } = await tempDir('camctl-meta-sequoia-');
    cleanups.push(cleanup);
    const track = { waypoints: [{ lat: 48.8566123, lon: -2.3522456 }], speed: 0, altitude: 100, groundElevation: 35 };
    const emu = await startSequoiaEmulator({ httpPort: 0, dataDir: dir, gpsFixAfterMs: 0, track });
    cleanups.push(() => emu.close());
    emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12 });
    const camera = await openCamera(`sequoia://127.0.0.1:${new URL(emu.url).port}`);
    cleanups.push(() => camera.close());
    await camera.capture();
    const all = await files(camera);
    expect(all.map((f) => f.name.slice(-7)).sort()).toEqual(['GRE.TIF', 'NIR.TIF', 'RED.TIF', 'REG.TIF', 'RGB.JPG']);
    for (const f of all) {
      const m = await readCameraPictureMetadata(camera, f);
      expect(m.gps, f.name).toBeDefined();
      expect(m.gps!.lat).toBeCloseTo(48.8566123, 5);
      expect(m.gps!.lon).toBeCloseTo(-2.3522456, 5);
      expect(m.gps!.alt).toBeCloseTo(135, 1);
      expect(m.model).toBe('Sequoia');
      expect(m.band).toBe({ GRE: 'Green', RED: 'Red', REG: 'Red edge', NIR: 'NIR', RGB: 'RGB' }[f.name.slice(-7, -4)]);
      expect(m.exposureTime).toBeGreaterThan(0);
      const local = path.join(dir, 'media', f.path.slice(1));
      expect(await readPictureMetadata(local)).toEqual(m);
    }
  });

  it('THETA: GPano photo-sphere fields and the position of the gpsInfo option', async () => {
    const { dir, cleanup } = await tempDir('camctl-meta-theta-');
    cleanups.push(cleanup);
    const emu = await startThetaEmulator({ dataDir: dir, speed: 20 });
    cleanups.push(() => emu.close());
    emu.device.setOptions({
      gpsInfo: {
        lat: 35.6712,
        lng: 139.7665,
        _altitude: 12.5,
        _dateTimeZone: '2026:01:02 03:04:05+09:00',
        _datum: 'WGS84',
      },
    });
    const camera = await openCamera(`theta://127.0.0.1:${new URL(emu.url).port}`);
    cleanups.push(() => camera.close());
    const shot = await camera.capture();
    const m = await readCameraPictureMetadata(camera, shot.files[0]!);
    expect(m.make).toMatch(/RICOH/);
    expect(m.gps).toEqual({
      lat: expect.closeTo(35.6712, 5),
      lon: expect.closeTo(139.7665, 5),
      alt: expect.closeTo(12.5, 2),
    });
    expect(m.panorama).toMatchObject({ ProjectionType: 'equirectangular', UsePanoramaViewer: true });
    expect(m.panorama!.FullPanoWidthPixels).toBe(m.width);
    expect(m.band).toBeUndefined();
  });
});

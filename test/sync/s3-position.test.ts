/**
 * The position that goes into a picture's object metadata, read from the bytes an upload already
 * holds (no store needed here; the Ceph tests check it end to end).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCamera } from '../../src/camera/open.js';
import type { RemoteFile } from '../../src/camera/types.js';
import { startSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { positionOf, POSITION_PREFIX_BYTES } from '../../src/sync/picture-position.js';
import { gpsFromMetadata, objectMetadata, pictureFacts } from '../../src/sync/s3-keys.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('positionOf', () => {
  it("reads a Sequoia picture's position from the first MiB of a JPEG and from a whole TIFF; a video or broken bytes give none", async () => {
    const { dir, cleanup } = await tempDir('camctl-position-');
    cleanups.push(cleanup);
    const track = { waypoints: [{ lat: -22.9519, lon: -43.2105 }], speed: 0, altitude: 50, groundElevation: 700 };
    const emu = await startSequoiaEmulator({ httpPort: 0, dataDir: dir, gpsFixAfterMs: 0, track });
    cleanups.push(() => emu.close());
    emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12 });
    const camera = await openCamera(`sequoia://127.0.0.1:${new URL(emu.url).port}`);
    cleanups.push(() => camera.close());
    const shot = await camera.capture();
    const bytesOf = (f: RemoteFile) => readFile(path.join(dir, 'media', f.path.slice(1)));
    const rgb = shot.files.find((f) => f.name.endsWith('.JPG'))!;
    const nir = shot.files.find((f) => f.name.endsWith('_NIR.TIF'))!;
    const jpeg = await bytesOf(rgb);
    expect(jpeg.length).toBeGreaterThan(POSITION_PREFIX_BYTES);
    const expected = {
      lat: expect.closeTo(-22.9519, 5),
      lon: expect.closeTo(-43.2105, 5),
      alt: expect.closeTo(750, 1),
    };
    expect(await positionOf(rgb.name, jpeg)).toEqual(expected);
    expect(await positionOf(rgb.name, jpeg.subarray(0, 64 * 1024))).toEqual(expected);
    expect(await positionOf(nir.name, await bytesOf(nir))).toEqual(expected);
    expect(await positionOf('VIDEO_0001.MP4', jpeg)).toBeUndefined();
    expect(
      await positionOf('IMG_1_RGB.JPG', Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45, 0x78])),
    ).toBeUndefined();
  });

  it('object metadata carries the position as gps-lat, gps-lon, gps-alt, and reads back from it', () => {
    const info = {
      protocol: 'sequoia',
      address: 'sequoia://127.0.0.1:1',
      manufacturer: 'Parrot',
      model: 'Sequoia',
      serialNumber: 'PI1',
      firmware: '1.0',
      details: {},
    };
    const facts = pictureFacts(info, {
      kind: 'file',
      path: '/internal/0002/IMG_1_NIR.TIF',
      name: 'IMG_1_NIR.TIF',
      size: 10,
    });
    const m = objectMetadata({ ...facts, gps: { lat: 1.5, lon: -2.25, alt: 100.125 } }, 'ab');
    expect(m).toMatchObject({ 'gps-lat': '1.5', 'gps-lon': '-2.25', 'gps-alt': '100.125', sha256: 'ab' });
    expect(gpsFromMetadata(m)).toEqual({ lat: 1.5, lon: -2.25, alt: 100.125 });
    expect(objectMetadata(facts)['gps-lat']).toBeUndefined();
    expect(gpsFromMetadata({ 'gps-lat': 'x', 'gps-lon': '1' })).toBeUndefined();
  });
});

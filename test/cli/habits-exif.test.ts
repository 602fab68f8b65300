/**
 * `camctl exif`: a picture's metadata from disk (a real Sequoia capture) and from the emulated
 * cameras over their real sockets (a Sequoia with a GPS fix, a THETA with a position set).
 */
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { cleanup, onCleanup, REPO, requireBuild, runCli, runJson, startEmu, tempDir } from './helpers.js';

beforeAll(requireBuild);
afterEach(cleanup);

const NIR = path.join(REPO, 'test/fixtures/sequoia-real/0077/IMG_180413_080658_0000_NIR.TIF');

interface Report {
  files: Array<{
    path: string;
    source: string;
    metadata: Record<string, unknown> & {
      gps?: { lat: number; lon: number; alt?: number };
      panorama?: Record<string, unknown>;
    };
  }>;
}

describe('camctl exif', () => {
  it('reads a local file without any camera: a table for people, the typed object with --json', async () => {
    const human = await runCli(['exif', NIR]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^.*IMG_180413_080658_0000_NIR\.TIF$/m);
    expect(human.stdout).toMatch(/^ {2}Camera: +Parrot Sequoia$/m);
    expect(human.stdout).toMatch(/^ {2}Taken: +2018-04-13 08:06:58\.267$/m);
    expect(human.stdout).toMatch(/^ {2}GPS: +no position$/m);
    expect(human.stdout).toMatch(/^ {2}Exposure: +1\/333 s$/m);
    expect(human.stdout).toMatch(/^ {2}Band: +NIR \(790 nm\)$/m);
    expect(human.stdout).toMatch(/^ {2}Attitude: +yaw -63\.8°, pitch 0\.5°, roll 1\.3°$/m);
    expect(human.stdout).toMatch(
      /^ {2}Irradiance: +CH0 \d+, CH1 \d+, gain index \d+, \d+ ms \(last of \d+ sunshine samples\)$/m,
    );
    const { result, json } = await runJson<Report>(['exif', NIR]);
    expect(result.code).toBe(0);
    expect(json.files).toHaveLength(1);
    expect(json.files[0]).toMatchObject({
      path: NIR,
      source: 'local',
      metadata: { band: 'NIR', iso: 621, model: 'Sequoia' },
    });

    const noCamera = await runCli(['exif', '/internal/0077/IMG_180413_080658_0000_NIR.TIF']);
    expect(noCamera.code).toBe(2);
    expect(noCamera.stderr).toMatch(/is not a local file, and no camera is given to read it from: use --camera/);
    const missing = await runCli(['exif', '--local', '/no/such/file.TIF']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such local file/);
  });

  it("reads camera files through the camera: a Sequoia folder with the flight's position in every band", async () => {
    const track = { waypoints: [{ lat: 47.123456, lon: 8.654321 }], speed: 0, altitude: 80, groundElevation: 420 };
    const { emu, camera } = await startEmu({ gpsFixAfterMs: 0, track });
    emu.device.setConfig({
      capture_mode: 'single',
      resolution_mono: 0.3,
      resolution_rgb: 12,
      storage_selected: 'internal',
    });
    expect((await emu.device.startCapture()).ok).toBe(true);
    await emu.device.whenSessionEnds();
    const folder = (
      await runJson<{ entries: Array<{ path: string }> }>(['--camera', camera, 'ls', '/internal'])
    ).json.entries.at(-1)!.path;
    const { result, json } = await runJson<Report>(['--camera', camera, 'exif', folder]);
    expect(result.code, result.stderr).toBe(0);
    expect(json.files).toHaveLength(5);
    for (const f of json.files) {
      expect(f.source).toBe('camera');
      expect(f.metadata.gps!.lat).toBeCloseTo(47.123456, 5);
      expect(f.metadata.gps!.lon).toBeCloseTo(8.654321, 5);
      expect(f.metadata.gps!.alt).toBeCloseTo(500, 1);
    }
    expect(json.files.map((f) => f.metadata.band).sort()).toEqual(['Green', 'NIR', 'RGB', 'Red', 'Red edge']);
    const one = await runCli(['--camera', camera, 'exif', json.files[0]!.path]);
    expect(one.stdout).toMatch(/^ {2}GPS: +47\.12345\d{2}, 8\.65432\d{2}, 500 m$/m);
  });

  it("shows a THETA picture's GPano fields and position", async () => {
    const dataDir = await tempDir('camctl-theta-');
    const theta = await startThetaEmulator({ dataDir, speed: 20 });
    onCleanup(() => theta.close());
    theta.device.setOptions({
      gpsInfo: {
        lat: -33.8568,
        lng: 151.2153,
        _altitude: 4,
        _dateTimeZone: '2026:03:04 05:06:07+11:00',
        _datum: 'WGS84',
      },
    });
    const address = `theta://127.0.0.1:${new URL(theta.url).port}`;
    const shot = await runJson<{ files: Array<{ path: string }> }>(['--camera', address, 'capture']);
    expect(shot.result.code, shot.result.stderr).toBe(0);
    const r = await runCli(['--camera', address, 'exif', shot.json.files[0]!.path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}GPano ProjectionType: +equirectangular$/m);
    expect(r.stdout).toMatch(/^ {2}GPS: +-33\.8568000, 151\.2153000, 4 m$/m);
  });
});

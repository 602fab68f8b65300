/**
 * A setting one face accepts never breaks another: whatever is POSTed to `/config` over HTTP, every
 * PTP property of the same device model stays readable over PTP/IP, in its data type and inside
 * the range or list its description gives (fast-check drives arbitrary values). The model refuses
 * what the camera refuses, with the camera's own text ("Bad value" for an overlap that is not a
 * whole percent). And over ptpip://, `camctl config` lists every property even when one of them
 * cannot be read: that row says so, with the camera's reason under --json / -v. Debian's gphoto2, a real
 * third-party initiator, reads the overlap after the same POST.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SequoiaPtpBackend } from '../../src/emulator/sequoia/ptp-face.js';
import { startPtpIpFace } from '../../src/emulator/ptpip-face.js';
import { PtpDeviceError } from '../../src/ptp/backend.js';
import { DataType, Prop, Resp } from '../../src/ptp/codes.js';
import type { DevicePropDesc } from '../../src/ptp/codec.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { ParrotCaptureMode, ParrotProp } from '../../src/ptp/vendors/parrot.js';
import { cleanup, onCleanup, requireBuild, runCli, runJson, startEmu } from '../cli/helpers.js';
import { startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';
import { requireTool } from '../helpers/tmp.js';

const run = promisify(execFile);
const hasGphoto2 = await run('gphoto2', ['--version']).then(
  () => true,
  () => false,
);

const INTEGER_RANGES: Record<number, [number, number]> = {
  [DataType.UINT8]: [0, 0xff],
  [DataType.UINT16]: [0, 0xffff],
  [DataType.UINT32]: [0, 0xffffffff],
  [DataType.INT8]: [-0x80, 0x7f],
  [DataType.INT16]: [-0x8000, 0x7fff],
  [DataType.INT32]: [-0x80000000, 0x7fffffff],
};

/** The current value is one its own description allows, in its own data type. */
function expectRepresentable(desc: DevicePropDesc): void {
  const where = `property 0x${desc.code.toString(16)}`;
  const bounds = INTEGER_RANGES[desc.dataType];
  if (bounds) {
    expect(Number.isInteger(desc.current), where).toBe(true);
    expect(Number(desc.current), where).toBeGreaterThanOrEqual(bounds[0]);
    expect(Number(desc.current), where).toBeLessThanOrEqual(bounds[1]);
  }
  if (desc.form.kind === 'range') {
    expect(Number(desc.current), where).toBeGreaterThanOrEqual(Number(desc.form.min));
    expect(Number(desc.current), where).toBeLessThanOrEqual(Number(desc.form.max));
  } else if (desc.form.kind === 'enum') {
    expect(desc.form.values, where).toContain(desc.current);
  }
}

describe('every value the Sequoia model holds is representable on PTP/IP', () => {
  let cam: TestSequoia;
  let client: PtpIpClient;
  beforeAll(async () => {
    cam = await startTestSequoia({ ptpipPort: 0 });
    client = await PtpIpClient.connect({
      host: '127.0.0.1',
      port: Number(cam.ptpip!.split(':').pop()),
      name: 'camctl-test',
    });
  });
  afterAll(async () => {
    await client.close();
    await cam.stop();
  });

  it("an overlap that is not a whole percent is refused with the camera's text, the others of the POST applied", async () => {
    const r = await cam.post('/config', { overlap_param: 12.5, gps_param: 30 });
    expect(r.body).toEqual({ request: 'set_config', overlap_param: 'Bad value', gps_param: 'Ok' });
    const overlap = await client.getDevicePropDesc(ParrotProp.OverlapRate);
    expect(overlap.current).toBe((await cam.get('/config')).body.overlap_param);
  });

  it('gphoto2 reads OverlapRate after the same POST (it failed with "error 2002 on query")', async () => {
    if (!requireTool(hasGphoto2, 'gphoto2')) return;
    await cam.post('/config', { overlap_param: 12.5 });
    const port = cam.ptpip!.split(':').pop()!;
    const { stdout } = await run(
      'gphoto2',
      ['--port', `ptpip:127.0.0.1:${port}:${port}`, '--get-config', '/main/other/d219'],
      { cwd: cam.dataDir, timeout: 60_000 },
    );
    expect(stdout).toMatch(new RegExp(`^Current: ${(await cam.get('/config')).body.overlap_param}$`, 'm'));
  });

  it('arbitrary POST /config bodies, then every property read over PTP/IP', async () => {
    const number = fc.oneof(
      fc.double({ min: -10, max: 5000, noNaN: true }),
      fc.integer({ min: -10, max: 5000 }),
      fc.double({ min: 0, max: 100, noNaN: true }).map((n) => Math.round(n * 100) / 100),
      fc.constantFrom(0.5, 1, 1.5, 12.5, 70, 99, 99.5, 100, 255, 256, 3600, 3600.5),
    );
    const body = fc.record(
      {
        capture_mode: fc.constantFrom('single', 'timelapse', 'gps_position', 'auto', 'radiometric', 'bogus'),
        timelapse_param: fc.oneof(number, number.map(String)),
        gps_param: fc.oneof(number, number.map(String)),
        overlap_param: fc.oneof(number, number.map(String)),
        sensors_mask: fc.oneof(number, fc.integer({ min: 0, max: 40 })),
        resolution_rgb: fc.constantFrom(12, 16, 14, '12'),
        resolution_mono: fc.constantFrom(0.3, 1.2, 0.5, '1.2'),
        bit_depth: fc.constantFrom(8, 10, 9, '10bits'),
      },
      { requiredKeys: [] },
    );
    const codes = client.deviceInfo!.devicePropertiesSupported;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const r = await cam.post('/config', b);
        expect([200, 400]).toContain(r.status);
        const config = (await cam.get('/config')).body;
        for (const code of codes) expectRepresentable(await client.getDevicePropDesc(code));
        // Both faces show the same model.
        expect((await client.getDevicePropDesc(ParrotProp.OverlapRate)).current).toBe(config.overlap_param);
        expect((await client.getDevicePropDesc(Prop.TimelapseInterval)).current).toBe(
          Math.round(config.timelapse_param * 1000),
        );
        expect((await client.getDevicePropDesc(ParrotProp.GPSInterval)).current).toBe(
          Math.round(config.gps_param * 100),
        );
        expect((await client.getDevicePropDesc(ParrotProp.PhotoSensorEnableMask)).current).toBe(config.sensors_mask);
      }),
      { numRuns: 60 },
    );
    // Still a working camera afterwards: a PTP set round-trips through HTTP.
    await client.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, ParrotCaptureMode.AutomaticOverlap);
    expect((await cam.get('/config')).body.capture_mode).toBe('auto');
  });
});

/** The emulated Sequoia, except that one property cannot be read (as a sensor that failed). */
class OneUnreadableProperty extends SequoiaPtpBackend {
  override async propDesc(code: number): Promise<DevicePropDesc> {
    if (code === ParrotProp.OverlapRate) throw new PtpDeviceError(Resp.GeneralError, 'overlap sensor failed');
    return super.propDesc(code);
  }
}

describe('camctl config over ptpip://', () => {
  beforeAll(requireBuild);
  afterEach(cleanup);

  it('after POST /config {"overlap_param": 12.5} still lists every property', async () => {
    const { emu } = await startEmu({ ptpipPort: 0 });
    const posted = (await (
      await fetch(`${emu.url}/config`, { method: 'POST', body: JSON.stringify({ overlap_param: 12.5 }) })
    ).json()) as Record<string, string>;
    expect(posted.overlap_param).toBe('Bad value');
    const all = await runJson<{ settings: Array<{ key: string; value: unknown }> }>([
      '--camera',
      `ptpip://${emu.ptpip as string}`,
      'config',
    ]);
    expect(all.result.code).toBe(0);
    expect(all.json.settings.find((s) => s.key === 'overlap_param')?.value).toBe(80);
  });

  it('one property that cannot be read shows as such; every other one is listed', async () => {
    const { emu } = await startEmu();
    const face = await startPtpIpFace(new OneUnreadableProperty(emu.device), 'Sequoia', { host: '127.0.0.1', port: 0 });
    onCleanup(() => face.close());
    const camera = `ptpip://127.0.0.1:${face.port}`;

    const json = await runJson<{
      settings: Array<{ key: string; value: unknown; error?: { code: string; message: string } }>;
    }>(['--camera', camera, 'config']);
    expect(json.result.code).toBe(0);
    const overlap = json.json.settings.find((s) => s.key === 'overlap_param');
    expect(overlap).toMatchObject({ value: null, error: { code: 'CAMERA_ERROR' } });
    expect(overlap?.error?.message).toMatch(/GeneralError/);
    for (const key of ['capture_mode', 'timelapse_param', 'gps_param', 'sensors_mask', 'storage_selected']) {
      expect(json.json.settings.find((s) => s.key === key)?.value, key).not.toBeNull();
    }

    const human = await runCli(['--camera', camera, 'config']);
    expect(human.code).toBe(0);
    const row = human.stdout.split('\n').find((l) => l.startsWith('overlap_param'));
    expect(row).toMatch(/could not be read/);
    expect(row).not.toMatch(/GeneralError/);
    expect(human.stdout).toMatch(/^sensors_mask\s+31/m);
    const verbose = await runCli(['--camera', camera, 'config', '-v']);
    // The reason wraps onto the next lines of the row (the table fits 100 columns when piped).
    expect(
      verbose.stdout
        .slice(verbose.stdout.indexOf('overlap_param'))
        .split(/\n(?=\S)/)[0]
        ?.replace(/\s+/g, ' '),
    ).toMatch(/GeneralError/);
  });
});

/**
 * `camctl config set` when the camera takes some keys and refuses others: every key is reported —
 * applied or refused, with the camera's reason — one line per key for people, `{applied, refused}`
 * with --json, exit 1 when anything was refused; the same over sequoia://, ptpip:// and theta://.
 * And the advertised timelapse range is what the camera accepts with the sensors enabled, so a
 * period it would refuse is refused before anything is sent.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { rational } from '../ptp/theta-s-props.js';
import { cleanup, onCleanup, requireBuild, runCli, runJson, startEmu, tempDir } from './helpers.js';

beforeAll(requireBuild);
afterEach(cleanup);

interface SetOutcome {
  applied: Array<{ key: string; value: unknown }>;
  refused: Array<{ key: string; value: unknown; reason: string }>;
}

async function httpConfig(url: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${url}/config`)).json()) as Record<string, unknown>;
}

describe('config set, partly refused', () => {
  it("sequoia://: the applied key and the refused one, each with the camera's answer; exit 1", async () => {
    const { camera, emu } = await startEmu({ sdPresent: false });
    const human = await runCli(['--camera', camera, 'config', 'set', 'capture_mode=timelapse', 'storage_selected=sd']);
    expect(human.code).toBe(1);
    const lines = human.stdout.trim().split('\n');
    expect(lines.find((l) => l.startsWith('capture_mode'))).toMatch(/^capture_mode\s+applied\s+timelapse/);
    expect(lines.find((l) => l.startsWith('storage_selected'))).toMatch(/^storage_selected\s+refused\s+sd\s+Bad value/);
    expect(human.stderr).toMatch(/refused storage_selected/);
    expect((await httpConfig(emu.url)).capture_mode).toBe('timelapse');

    await fetch(`${emu.url}/config`, { method: 'POST', body: JSON.stringify({ capture_mode: 'single' }) });
    const json = await runJson<SetOutcome>([
      '--camera',
      camera,
      'config',
      'set',
      'capture_mode=timelapse',
      'storage_selected=sd',
    ]);
    expect(json.result.code).toBe(1);
    expect(json.json).toEqual({
      applied: [{ key: 'capture_mode', value: 'timelapse' }],
      refused: [{ key: 'storage_selected', value: 'sd', reason: 'Bad value' }],
    });
  });

  it('sequoia://: the timelapse range follows the sensors; a period the camera would refuse is refused before sending', async () => {
    const { camera, emu } = await startEmu();
    const all = await runJson<{ settings: Array<{ key: string; range?: { min: number; max: number } }> }>([
      '--camera',
      camera,
      'config',
    ]);
    expect(all.json.settings.find((s) => s.key === 'timelapse_param')?.range).toMatchObject({ min: 1, max: 3600 });

    const refused = await runJson<{ error: { code: string; message: string } }>([
      '--camera',
      camera,
      'config',
      'set',
      'capture_mode=timelapse',
      'timelapse_param=0.5',
    ]);
    expect(refused.result.code).toBe(2);
    expect(refused.json.error.code).toBe('BAD_VALUE');
    expect(refused.json.error.message).toMatch(/between 1 and 3600 s/);
    expect((await httpConfig(emu.url)).capture_mode).toBe('single');

    // Without the RGB sensor the camera takes 0.5 s, and so does the check (the mask of the same request counts).
    const ok = await runJson<SetOutcome>([
      '--camera',
      camera,
      'config',
      'set',
      'capture_mode=timelapse',
      'sensors_mask=30',
      'timelapse_param=0.5',
    ]);
    expect(ok.result.code).toBe(0);
    expect(ok.json.refused).toEqual([]);
    expect(ok.json.applied.map((a) => a.key).sort()).toEqual(['capture_mode', 'sensors_mask', 'timelapse_param']);
    expect(await httpConfig(emu.url)).toMatchObject({
      capture_mode: 'timelapse',
      sensors_mask: 30,
      timelapse_param: 0.5,
    });
    const now = await runJson<{ settings: Array<{ key: string; range?: { min: number } }> }>([
      '--camera',
      camera,
      'config',
      'get',
      'timelapse_param',
    ]);
    expect(now.json.settings[0]?.range?.min).toBe(0.5);
  });

  it("ptpip://: each property set on its own; the refused one says the camera's response", async () => {
    const { emu } = await startEmu({ ptpipPort: 0, sdPresent: false });
    const camera = `ptpip://${emu.ptpip as string}`;
    const json = await runJson<SetOutcome>([
      '--camera',
      camera,
      'config',
      'set',
      'StillCaptureMode=3',
      `SelectedStorage=${0x00020001}`,
    ]);
    expect(json.result.code).toBe(1);
    expect(json.json).toEqual({
      applied: [{ key: 'capture_mode', value: 'timelapse' }],
      refused: [{ key: 'storage_selected', value: 'sd', reason: 'InvalidDevicePropValue' }],
    });
    expect((await httpConfig(emu.url)).capture_mode).toBe('timelapse');
  });

  it('ptpip:// to a THETA: BracketParameters, an array of 128-bit exposures, is set as the text config shows, the same as ptp prop set takes it', async () => {
    const theta = await startThetaEmulator({ dataDir: await tempDir('camctl-theta-ptp-'), httpPort: 0, ptpipPort: 0 });
    onCleanup(() => theta.close());
    const camera = `ptpip://${theta.ptpip as string}`;
    type Row = { key: string; value: unknown; writable: boolean; type: string; description?: string };
    const row = async () =>
      (await runJson<{ settings: Row[] }>(['--camera', camera, 'config', 'get', 'BracketParameters'])).json
        .settings[0]!;
    // NULL (no exposures of the user's) while the camera brackets with its own; settable.
    expect(await row()).toMatchObject({ key: 'BracketParameters', value: '', writable: true, type: 'string' });
    const human = await runCli(['--camera', camera, 'config']);
    const line = human.stdout.split('\n').find((l) => l.startsWith('BracketParameters'));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/read-only/);

    // One exposure per element: 4 reserved bytes, ColorTemperature, ExposureIndex, ShutterSpeed rational.
    const shot = (ct: number, iso: number, shutter: bigint) =>
      `0x${((BigInt(ct) << 32n) | (BigInt(iso) << 48n) | (shutter << 64n)).toString(16)}`;
    const two = `${shot(4000, 200, rational(1, 100))},${shot(6500, 400, rational(1, 2))}`;
    const set = await runJson<SetOutcome>(['--camera', camera, 'config', 'set', `BracketParameters=${two}`]);
    expect(set.result.code).toBe(0);
    expect(set.json.applied.map((a) => a.key)).toEqual(['BracketParameters']);
    expect(theta.device.getOptions(['_autoBracket'])).toEqual({
      _autoBracket: {
        _bracketNumber: 2,
        _bracketParameters: [
          { _colorTemperature: 4000, iso: 200, shutterSpeed: 0.01 },
          { _colorTemperature: 6500, iso: 400, shutterSpeed: 0.5 },
        ],
      },
    });
    // What config shows types back: config set and ptp prop set take it, and it reads back the same.
    const shown = (await row()).value as string;
    expect(shown.split(',')).toHaveLength(2);
    expect(shown.split(',').map(BigInt)).toEqual(two.split(',').map(BigInt));
    await runJson(['--camera', camera, 'config', 'set', 'BracketParameters=']);
    expect((await row()).value).toBe('');
    expect((await runCli(['--camera', camera, 'config', 'set', `BracketParameters=${shown}`])).code).toBe(0);
    expect((await row()).value).toBe(shown);
    const reversed = shown.split(',').reverse().join(',');
    const prop = await runCli(['--camera', camera, 'ptp', 'prop', 'set', 'BracketParameters', reversed]);
    expect(prop.code).toBe(0);
    expect((await row()).value).toBe(reversed);

    // Text that is no list of 128-bit numbers is refused before anything is sent, in plain words.
    for (const bad of ['0x1,banana', `0x1${'0'.repeat(32)}`, '-1,2']) {
      const r = await runJson<{ error: { code: string; message: string } }>([
        '--camera',
        camera,
        'config',
        'set',
        `BracketParameters=${bad}`,
      ]);
      expect(r.result.code).toBe(2);
      expect(r.json.error.code).toBe('BAD_VALUE');
      expect(r.json.error.message).toMatch(/BracketParameters.*comma/);
    }
    expect((await row()).value).toBe(reversed);
    // The camera's own refusal (one exposure is no bracket) is its response, as for any property.
    const one = await runJson<SetOutcome>([
      '--camera',
      camera,
      'config',
      'set',
      `BracketParameters=${shot(5000, 100, rational(1, 100))}`,
    ]);
    expect(one.result.code).toBe(1);
    expect(one.json.refused).toEqual([
      { key: 'BracketParameters', value: shot(5000, 100, rational(1, 100)), reason: 'InvalidDevicePropValue' },
    ]);
  });

  it('theta://: the camera applies all or nothing — every key is reported refused, with its reason', async () => {
    const theta = await startThetaEmulator({ dataDir: await tempDir('camctl-theta-set-'), httpPort: 0 });
    onCleanup(() => theta.close());
    const camera = `theta://${new URL(theta.url).host}`;
    const json = await runJson<SetOutcome>([
      '--camera',
      camera,
      'config',
      'set',
      'exposureDelay=2',
      'captureMode=video',
      'fileFormat=jpeg 5376x2688',
    ]);
    expect(json.result.code).toBe(1);
    expect(json.json.applied).toEqual([]);
    expect(json.json.refused.map((r) => r.key).sort()).toEqual(['captureMode', 'exposureDelay', 'fileFormat']);
    for (const r of json.json.refused) expect(r.reason).toMatch(/invalidParameterValue/);
    const human = await runCli([
      '--camera',
      camera,
      'config',
      'set',
      'exposureDelay=2',
      'captureMode=video',
      'fileFormat=jpeg 5376x2688',
    ]);
    expect(human.code).toBe(1);
    expect(
      human.stdout
        .trim()
        .split('\n')
        .filter((l) => /\brefused\b/.test(l)),
    ).toHaveLength(3);
  });
});

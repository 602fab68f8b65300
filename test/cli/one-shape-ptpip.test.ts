/**
 * One camera, one set of setting names: a Sequoia reached by `ptpip://` lists the settings a
 * Sequoia reached by `sequoia://` lists — `capture_mode`, `sensors_mask`, `timelapse_param`, … —
 * with the same values in the same words and units; the PTP property names are accepted as
 * aliases, and --json keeps each property's raw value.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, requireBuild, runCli, runJson, startEmu } from './helpers.js';

beforeAll(requireBuild);
afterEach(cleanup);

interface Row {
  key: string;
  type: string;
  value: unknown;
  unit?: string;
  allowed?: unknown[];
  range?: { min: number; max: number };
  writable: boolean;
  raw?: { name: string; code?: string; value: unknown; allowed?: unknown[]; scale?: number };
}

async function settings(camera: string): Promise<Map<string, Row>> {
  const r = await runJson<{ settings: Row[] }>(['--camera', camera, 'config']);
  expect(r.result.code, r.result.stderr).toBe(0);
  return new Map(r.json.settings.map((s) => [s.key, s]));
}

/** Every setting of the HTTP face that PTP carries (all but auto_select) reads the same over both. */
async function expectSameSettings(http: string, ptp: string): Promise<void> {
  const overHttp = await settings(http);
  const overPtp = await settings(ptp);
  const carried = [...overHttp.keys()].filter((k) => k !== 'auto_select');
  expect(carried).toEqual([
    'capture_mode',
    'timelapse_param',
    'gps_param',
    'overlap_param',
    'resolution_rgb',
    'resolution_mono',
    'bit_depth',
    'sensors_mask',
    'storage_selected',
  ]);
  for (const key of carried) {
    const a = overHttp.get(key) as Row;
    const b = overPtp.get(key);
    expect(b, `${key} over ptpip://`).toBeDefined();
    expect(b?.type, key).toBe(a.type);
    expect(b?.unit, key).toBe(a.unit);
    // The HTTP face hides the parameter of a mode not selected ("Notlparam"); PTP still has it.
    if (a.value !== null) expect(b?.value, key).toBe(a.value);
    if (a.allowed) expect([...(b?.allowed ?? [])].map(String).sort(), key).toEqual([...a.allowed].map(String).sort());
    if (a.range) expect(b?.range, key).toMatchObject({ min: a.range.min, max: a.range.max });
    expect(b?.raw?.name, key).toMatch(/^[A-Z]/);
  }
}

describe('a Sequoia over ptpip:// shows its own settings', () => {
  it('the same names and values as over sequoia://, before and after a change of mode', async () => {
    const { emu, camera } = await startEmu({ ptpipPort: 0 });
    const ptp = `ptpip://${emu.ptpip as string}`;
    await expectSameSettings(camera, ptp);

    const set = await runJson<{ applied: Array<{ key: string; value: unknown }> }>([
      '--camera',
      ptp,
      'config',
      'set',
      'capture_mode=timelapse',
      'timelapse_param=2.5',
    ]);
    expect(set.result.code, set.result.stderr).toBe(0);
    expect(set.json.applied).toEqual([
      { key: 'capture_mode', value: 'timelapse' },
      { key: 'timelapse_param', value: 2.5 },
    ]);
    expect(emu.device.getConfig()).toMatchObject({ capture_mode: 'timelapse', timelapse_param: 2.5 });
    await expectSameSettings(camera, ptp);
  });

  it('decoded values for people, raw numbers in --json', async () => {
    const { emu } = await startEmu({ ptpipPort: 0 });
    const ptp = `ptpip://${emu.ptpip as string}`;
    const all = await settings(ptp);
    expect(all.get('storage_selected')).toMatchObject({
      value: 'internal',
      allowed: ['internal', 'sd'],
      raw: { name: 'SelectedStorage', code: '0xd222', value: 0x00010001, allowed: [0x00010001, 0x00020001] },
    });
    expect(all.get('timelapse_param')).toMatchObject({ unit: 's', raw: { name: 'TimelapseInterval', scale: 1000 } });
    expect(all.get('resolution_rgb')).toMatchObject({
      value: 16,
      unit: 'MP',
      raw: { name: 'ImageSize', value: '4608 x 3456' },
    });
    expect(all.get('capture_mode')).toMatchObject({ value: 'single', raw: { name: 'StillCaptureMode', value: 1 } });

    const human = await runCli(['--camera', ptp, 'config']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^storage_selected\s+internal\s/m);
    expect(human.stdout).toMatch(/^resolution_rgb\s+16 MP\s/m);
    expect(human.stdout).not.toMatch(/65537|SelectedStorage/);
    const verbose = await runCli(['--camera', ptp, 'config', '-v']);
    expect(verbose.stdout.replace(/\s+/g, ' ')).toMatch(/SelectedStorage 0xd222 = 65537/);
  });

  it("PTP property names are aliases on config get and set, read in the property's own values", async () => {
    const { emu } = await startEmu({ ptpipPort: 0 });
    const ptp = `ptpip://${emu.ptpip as string}`;
    const get = await runJson<{ settings: Row[] }>([
      '--camera',
      ptp,
      'config',
      'get',
      'SelectedStorage',
      'TimelapseInterval',
    ]);
    expect(get.result.code, get.result.stderr).toBe(0);
    expect(get.json.settings.map((s) => s.key)).toEqual(['storage_selected', 'timelapse_param']);

    const set = await runJson<{ applied: Array<{ key: string; value: unknown }>; refused: unknown[] }>([
      '--camera',
      ptp,
      'config',
      'set',
      'StillCaptureMode=3',
      'TimelapseInterval=2000',
      'SelectedStorage=sd',
    ]);
    expect(set.result.code, set.result.stderr).toBe(0);
    expect(set.json.applied).toEqual([
      { key: 'capture_mode', value: 'timelapse' },
      { key: 'timelapse_param', value: 2 },
      { key: 'storage_selected', value: 'sd' },
    ]);
    expect(emu.device.getConfig()).toMatchObject({
      capture_mode: 'timelapse',
      timelapse_param: 2,
      storage_selected: 'sd',
    });

    const back = await runJson<{ applied: Array<{ key: string; value: unknown }> }>([
      '--camera',
      ptp,
      'config',
      'set',
      `SelectedStorage=${0x00010001}`,
    ]);
    expect(back.json.applied).toEqual([{ key: 'storage_selected', value: 'internal' }]);
  });
});

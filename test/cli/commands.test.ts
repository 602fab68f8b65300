import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, closedPort, requireBuild, runCli, runCliProcess, runJson, startEmu, tempDir } from './helpers.js';

beforeAll(requireBuild);
afterEach(cleanup);

const FILE = /^IMG_\d{6}_\d{6}_\d{4}_(RGB|GRE|RED|REG|NIR)\.(JPG|TIF)$/;

describe('camera commands against the emulator', () => {
  it('info and status', async () => {
    const { camera } = await startEmu();
    const info = await runJson(['--camera', camera, 'info']);
    expect(info.result.code).toBe(0);
    expect(info.json).toMatchObject({
      protocol: 'sequoia',
      manufacturer: 'Parrot',
      model: 'Sequoia',
      firmware: expect.any(String),
    });
    const status = await runJson<{
      capture: { state: string };
      media: Array<{ id: string; present: boolean }>;
      details: Record<string, unknown>;
    }>(['--camera', camera, 'status']);
    expect(status.json.capture.state).toBe('idle');
    expect(status.json.media.map((m) => m.id)).toEqual(['internal', 'sd']);
    expect(Object.keys(status.json.details)).toEqual(
      expect.arrayContaining(['gps', 'temperature', 'sunshine', 'instruments']),
    );
    const human = await runCli(['--camera', camera, 'status']);
    expect(human.stdout).toMatch(/^Capture: +idle — Ready/m);
    expect(human.stdout).toMatch(/^\/internal +yes +[\d.]+ GiB/m);
  });

  it('config get and set, with allowed values', async () => {
    const { camera } = await startEmu();
    const all = await runJson<{
      settings: Array<{ key: string; value: unknown; allowed?: unknown[]; range?: unknown }>;
    }>(['--camera', camera, 'config']);
    const byKey = new Map(all.json.settings.map((s) => [s.key, s]));
    expect(byKey.get('bit_depth')).toMatchObject({ type: 'enum', value: 10, allowed: [8, 10] });
    // With the RGB sensor on (all sensors, the default) the shortest period is 1 s.
    expect(byKey.get('timelapse_param')).toMatchObject({ type: 'number', range: { min: 1, max: 3600 } });
    const set = await runJson([
      '--camera',
      camera,
      'config',
      'set',
      'capture_mode=timelapse',
      'timelapse_param=2.5',
      'resolution_mono=0.3',
    ]);
    expect(set.result.code).toBe(0);
    expect(set.json).toEqual({
      applied: [
        { key: 'capture_mode', value: 'timelapse' },
        { key: 'timelapse_param', value: 2.5 },
        { key: 'resolution_mono', value: 0.3 },
      ],
      refused: [],
    });
    const got = await runJson<{ settings: Array<{ key: string; value: unknown }> }>([
      '--camera',
      camera,
      'config',
      'get',
      'capture_mode',
      'timelapse_param',
      'resolution_mono',
    ]);
    expect(got.json.settings.map((s) => [s.key, s.value])).toEqual([
      ['capture_mode', 'timelapse'],
      ['timelapse_param', 2.5],
      ['resolution_mono', 0.3],
    ]);
  });

  it('capture, ls, get (files, resumed file, zip) and rm', async () => {
    const { camera } = await startEmu();
    await runCli(['--camera', camera, 'config', 'set', 'resolution_mono=0.3', 'resolution_rgb=12']);
    const shot = await runJson<{ folder: string; files: Array<{ path: string; name: string; size: number }> }>([
      '--camera',
      camera,
      'capture',
    ]);
    expect(shot.result.code).toBe(0);
    expect(shot.json.folder).toBe('/internal/0000');
    expect(shot.json.files).toHaveLength(5);
    for (const f of shot.json.files) {
      expect(f.name).toMatch(FILE);
      expect(f.size).toBeGreaterThan(0);
    }

    const media = await runJson<{ entries: Array<{ kind: string; path: string }> }>(['--camera', camera, 'ls']);
    expect(media.json.entries).toEqual([
      { kind: 'medium', path: '/internal', name: 'internal' },
      { kind: 'medium', path: '/sd', name: 'sd' },
    ]);
    const folders = await runJson<{ entries: unknown[] }>(['--camera', camera, 'ls', '/internal']);
    expect(folders.json.entries).toEqual([{ kind: 'folder', path: '/internal/0000', name: '0000', count: 5 }]);
    const files = await runJson<{ entries: Array<{ path: string; size: number; time: number }> }>([
      '--camera',
      camera,
      'ls',
      'internal/0000',
    ]);
    expect(files.json.entries.map((e) => e.path).sort()).toEqual(shot.json.files.map((f) => f.path).sort());
    const human = await runCli(['--camera', camera, 'ls', '-R', '/']);
    expect(human.stdout.trim().split('\n')).toHaveLength(6);

    const out = await tempDir();
    const one = shot.json.files[0]!;
    // Files keep the camera's tree: /internal/0000/X goes to OUT/internal/0000/X.
    const here = (name: string) => path.join(out, 'internal', '0000', name);
    const got = await runJson<{ files: Array<{ file: string; size: number }> }>([
      '--camera',
      camera,
      'get',
      one.path,
      '-o',
      out,
    ]);
    expect(got.json.files).toEqual([
      {
        path: one.path,
        file: here(one.name),
        status: 'downloaded',
        reason: null,
        message: null,
        size: one.size,
        transferred: one.size,
        resumedFrom: 0,
        downloaded: true,
        resumed: false,
        skipped: false,
        overwritten: false,
      },
    ]);
    const again = await runJson<{ files: unknown[] }>(['--camera', camera, 'get', one.path, '-o', out]);
    expect(again.json.files).toEqual([
      {
        path: one.path,
        file: here(one.name),
        status: 'skipped',
        reason: 'already-downloaded',
        message: null,
        size: one.size,
        transferred: 0,
        resumedFrom: 0,
        downloaded: false,
        resumed: false,
        skipped: true,
        overwritten: false,
      },
    ]);
    expect((await stat(here(one.name))).size).toBe(one.size);

    // A temporary file camctl has no record of is not continued (its bytes could be anything):
    // the file is fetched whole. (Resuming a recorded one: test/cli/download-identity.test.ts.)
    const second = shot.json.files[1]!;
    const full = await readFile(path.join(await emuFile(camera, second.path, out)));
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(path.dirname(here(second.name)), { recursive: true });
    await writeFile(path.join(path.dirname(here(second.name)), `.${second.name}.part`), full.subarray(0, 1000));
    const fetched = await runJson<{ files: Array<{ file: string; size: number }> }>([
      '--camera',
      camera,
      'get',
      second.path,
      '-o',
      out,
    ]);
    expect(fetched.json.files[0]).toMatchObject({
      size: second.size,
      resumedFrom: 0,
      transferred: second.size,
      status: 'downloaded',
    });
    expect((await readFile(here(second.name))).equals(full)).toBe(true);
    expect((await readdir(path.dirname(here(second.name)))).filter((n) => n.endsWith('.part'))).toEqual([]);

    const folder = await runJson<{ files: Array<{ status: string }> }>([
      '--camera',
      camera,
      'get',
      '/internal/0000',
      '-o',
      out,
    ]);
    expect(folder.json.files.map((f) => f.status).sort()).toEqual([
      'downloaded',
      'downloaded',
      'downloaded',
      'skipped',
      'skipped',
    ]);
    expect((await readdir(path.join(out, 'internal', '0000'))).filter((n) => !n.startsWith('.')).sort()).toEqual(
      shot.json.files.map((f) => f.name).sort(),
    );
    const zip = await runJson<{ files: Array<{ file: string; size: number }> }>([
      '--camera',
      camera,
      'get',
      '/internal/0000',
      '--zip',
      '-o',
      out,
    ]);
    expect(zip.json.files[0]?.file).toBe(path.join(out, '0000.zip'));
    const zipBytes = await readFile(path.join(out, '0000.zip'));
    expect(zipBytes.subarray(0, 4).toString('hex')).toBe('504b0304');

    const rm = await runJson<{ deleted: string[] }>(['--camera', camera, 'rm', one.path]);
    expect(rm.json.deleted).toEqual([one.path]);
    const after = await runJson<{ entries: unknown[] }>(['--camera', camera, 'ls', '/internal/0000']);
    expect(after.json.entries).toHaveLength(4);
    const rmFolder = await runJson<{ deleted: string[] }>(['--camera', camera, 'rm', '/internal/0000']);
    expect(rmFolder.json.deleted).toEqual(['/internal/0000']);
  });

  it('capture --download fetches every file of the shot as it appears', async () => {
    const { camera } = await startEmu();
    await runCli(['--camera', camera, 'config', 'set', 'resolution_mono=0.3', 'resolution_rgb=12']);
    const out = await tempDir();
    const r = await runCli(['--camera', camera, 'capture', '--download', out]);
    expect(r.code).toBe(0);
    const printed = r.stdout.trim().split('\n');
    expect(printed).toHaveLength(5);
    for (const p of printed) {
      expect(path.dirname(p)).toBe(path.join(out, 'internal', '0000'));
      expect(path.basename(p)).toMatch(FILE);
    }
    expect((await readdir(path.join(out, 'internal', '0000'))).filter((n) => !n.startsWith('.')).sort()).toEqual(
      printed.map((p) => path.basename(p)).sort(),
    );
  });

  it('capture start / stop drive a timelapse', async () => {
    const { camera, emu } = await startEmu();
    // 0.5 s needs the RGB sensor off (sensors_mask 30); set exits 0 only when every key was applied.
    const set = await runCli([
      '--camera',
      camera,
      'config',
      'set',
      'capture_mode=timelapse',
      'sensors_mask=30',
      'timelapse_param=0.5',
      'resolution_mono=0.3',
    ]);
    expect(set.code).toBe(0);
    const start = await runJson<{ text: string; folder: string }>(['--camera', camera, 'capture', 'start']);
    expect(start.json).toEqual({ text: 'Timelapse running', folder: '/internal/0000' });
    const busy = await runJson(['--camera', camera, 'capture', 'start']);
    expect(busy.result.code).toBe(1);
    expect(busy.json).toMatchObject({ error: { code: 'BUSY' } });
    const stop = await runJson(['--camera', camera, 'capture', 'stop']);
    expect(stop.json).toEqual({ text: 'Ready' });
    await emu.device.whenSessionEnds();
    const status = await runJson<{ capture: { state: string } }>(['--camera', camera, 'status']);
    expect(status.json.capture.state).toBe('idle');
  });

  it('calibrate, wifi and manual', async () => {
    const { camera } = await startEmu();
    const cal = await runJson(['--camera', camera, 'calibrate']);
    expect(cal.json).toEqual({ body: 'None', sunshine: 'None' });
    const start = await runJson<{ status: string }>(['--camera', camera, 'calibrate', 'start', 'body']);
    expect({ code: start.result.code, json: start.json }).toMatchObject({ code: 0 });
    const during = await runJson<{ body: string }>(['--camera', camera, 'calibrate']);
    expect(during.json.body).toMatch(/pending|Ok/);
    const stop = await runJson(['--camera', camera, 'calibrate', 'stop', 'body']);
    // Stopped while running (the usual case) or, on a very slow machine, already finished.
    if (stop.result.code === 0)
      expect((await runJson<{ body: string }>(['--camera', camera, 'calibrate'])).json.body).toBe('Aborted');
    else
      expect({ code: stop.result.code, json: stop.json }).toMatchObject({ code: 1, json: { error: { code: 'BUSY' } } });

    const wifi = await runJson<{ ssid: string; status: string }>(['--camera', camera, 'wifi']);
    expect(wifi.json.status).toBe('on');
    const renamed = await runJson(['--camera', camera, 'wifi', 'ssid', 'Field_1']);
    expect(renamed.json).toEqual({ results: { ssid: 'Ok' } });
    expect((await runJson(['--camera', camera, 'wifi'])).json).toMatchObject({ ssid: 'Field_1' });

    const set = await runJson<{ results: Record<string, string> }>([
      '--camera',
      camera,
      'manual',
      'set',
      'rgb.mode=manual',
      'rgb.exp_us=2530',
      'rgb.iso=200',
      'monochrome.green.iso=800',
    ]);
    expect(set.json.results).toMatchObject({
      'rgb.mode': 'Ok',
      'rgb.exp_us': 'Ok',
      'rgb.iso': 'Ok',
      'monochrome.green.iso': 'Ok',
    });
    const manual = await runJson<{
      rgb: { mode: string; exp_us: number; iso: number };
      monochrome: { green: { iso: number } };
    }>(['--camera', camera, 'manual']);
    expect(manual.json.rgb).toEqual({ mode: 'manual', exp_us: 2530, iso: 200 });
    expect(manual.json.monochrome.green.iso).toBe(800);
    const auto = await runJson(['--camera', camera, 'manual', 'auto']);
    expect({ code: auto.result.code, json: auto.json }).toMatchObject({ code: 0 });
  });

  it('the built CLI as a process: exit status and output streams are the ones main() sets', async () => {
    // Everything else here runs main() in this process; this is the boundary a shell sees.
    const help = await runCliProcess(['info', '--help']);
    expect([help.code, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toContain('Examples:');
    const { camera } = await startEmu();
    const status = await runCliProcess(['--camera', camera, 'status', '--json']);
    expect([status.code, status.stderr]).toEqual([0, '']);
    expect((JSON.parse(status.stdout) as { capture: { state: string } }).capture.state).toBe('idle');
    const down = await runCliProcess(['--camera', `sequoia://127.0.0.1:${await closedPort()}`, 'info']);
    expect(down.code).not.toBe(0);
    expect(down.stdout).toBe('');
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('every command has --help with examples', async () => {
    for (const c of [
      'info',
      'status',
      'config',
      'capture',
      'ls',
      'get',
      'rm',
      'watch',
      'sync',
      'calibrate',
      'wifi',
      'manual',
    ]) {
      const r = await runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain('Examples:');
    }
  });
});

/** Downloads a camera file with the CLI into a scratch place and returns its local path. */
async function emuFile(camera: string, cameraPath: string, besides: string): Promise<string> {
  const scratch = path.join(besides, 'scratch');
  const r = await runJson<{ files: Array<{ file: string }> }>(['--camera', camera, 'get', cameraPath, '-o', scratch]);
  return r.json.files[0]!.file;
}

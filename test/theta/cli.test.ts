/**
 * The built CLI against the THETA emulator: the common commands through the theta:// adapter, and
 * the THETA-only ones (options, preview, video, interval).
 */
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { cleanup, requireBuild, runCli, runJson, tempDir } from '../cli/helpers.js';
import { waitFor } from '../helpers/wait-for.js';

let emu: RunningThetaEmulator;
let camera: string;
let dir: string;

beforeAll(async () => {
  requireBuild();
  dir = await tempDir('camctl-theta-cli-');
  emu = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 20 });
  camera = `theta://127.0.0.1:${new URL(emu.url).port}`;
});

afterAll(async () => {
  await emu.close();
  await cleanup();
});

describe('camctl on a THETA', () => {
  it('info, status, config, capture, ls and get work through theta://', async () => {
    const info = await runJson(['-c', camera, 'info']);
    expect(info.json).toMatchObject({ model: 'RICOH THETA S', protocol: 'theta' });
    const status = await runJson(['-c', camera, 'status']);
    expect(status.json).toMatchObject({ capture: { state: 'idle' } });
    const set = await runCli(['-c', camera, 'config', 'set', 'fileFormat=jpeg 2048x1024']);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const shot = await runJson<{ files: Array<{ path: string; name: string }> }>(['-c', camera, 'capture']);
    expect(shot.result.code).toBe(0);
    const file = shot.json.files[0]!;
    expect(file.path).toMatch(/^\/internal\/100RICOH\/R\d{7}\.JPG$/);
    const ls = await runCli(['-c', camera, 'ls', '/internal/100RICOH']);
    expect(ls.stdout).toContain(file.name);
    const out = path.join(dir, 'got');
    const get = await runCli(['-c', camera, 'get', file.path, '-o', out]);
    expect([get.code, get.stderr]).toEqual([0, '']);
    expect(
      (await readFile(path.join(out, 'internal', '100RICOH', file.name))).equals(
        await readFile(await emu.device.filePath(emu.device.findFile(file.path.replace('/internal/', '')))),
      ),
    ).toBe(true);
    const sync = await runCli(['-c', camera, 'sync', path.join(dir, 'mirror')]);
    expect(sync.code).toBe(0);
    expect(await readdir(path.join(dir, 'mirror', 'internal', '100RICOH'))).toContain(file.name);
  });

  it('options get/set pass OSC options through', async () => {
    const set = await runCli(['-c', camera, 'options', 'set', 'exposureDelay=3', '_shutterVolume=20']);
    expect([set.code, set.stderr]).toEqual([0, '']);
    const get = await runJson([
      '-c',
      camera,
      'options',
      'get',
      'exposureDelay',
      '_shutterVolume',
      'exposureDelaySupport',
    ]);
    expect(get.json).toEqual({
      exposureDelay: 3,
      _shutterVolume: 20,
      exposureDelaySupport: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    });
    const bad = await runCli(['-c', camera, 'options', 'set', 'iso=123']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/invalidParameterValue/);
    await runCli(['-c', camera, 'options', 'set', 'exposureDelay=0']);
  });

  it('preview saves MJPEG frames to a file and to a directory', async () => {
    const file = path.join(dir, 'p.mjpeg');
    const r = await runJson(['-c', camera, 'preview', '--frames', '3', '-o', file]);
    expect(r.json).toMatchObject({ frames: 3, output: file });
    const data = await readFile(file);
    expect(data.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(data.toString('latin1').split('\xff\xd8').length - 1).toBeGreaterThanOrEqual(3);
    const frames = path.join(dir, 'frames') + '/';
    await runCli(['-c', camera, 'preview', '--frames', '2', '-o', frames]);
    expect(await readdir(frames)).toEqual(['frame-00001.jpg', 'frame-00002.jpg']);
  });

  it('video start/stop records an MP4, interval start/stop shoots pictures', async () => {
    expect((await runCli(['-c', camera, 'video', 'start'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const stop = await runJson<{ files: string[] }>(['-c', camera, 'video', 'stop']);
    expect(stop.json.files[0]).toMatch(/\.MP4$/);
    const before = emu.device.catalog.count;
    const start = await runCli(['-c', camera, 'interval', 'start', '--every', '5']);
    expect([start.code, start.stderr]).toEqual([0, '']);
    // Two shots of the run are on the card (device time runs 20× faster; the machine may be slow).
    await waitFor(() => emu.device.catalog.count >= before + 2, 'two interval shots');
    const st = await runJson<{ files: string[] }>(['-c', camera, 'interval', 'stop']);
    expect(st.json.files.length).toBeGreaterThanOrEqual(2);
    expect(st.json.files.every((f) => f.endsWith('.JPG'))).toBe(true);
  });

  it('refuses THETA-only commands on other cameras and bad arguments in one line', async () => {
    const r = await runCli(['-c', 'sequoia://127.0.0.1:1', 'video', 'start']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await runCli(['-c', camera, 'video', 'pause']);
    expect(bad.stderr).toMatch(/expected start or stop/);
    const frames = await runCli(['-c', camera, 'preview', '--frames', 'x', '-o', path.join(dir, 'y.mjpeg')]);
    expect(frames.stderr).toMatch(/--frames must be/);
  });
});

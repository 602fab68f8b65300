/**
 * API levels as RICOH's theta-api-specs name them: v2.1 calls the interval options captureInterval /
 * captureNumber (v2.0: _captureInterval / _captureNumber), lists no _projectionType on the S (THETA
 * V and later), and the client asks each level by its own names — one option the camera does not
 * know never fails a whole listing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCamera } from '../../src/camera/open.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { OscClient } from '../../src/osc/client.js';
import { startCamctlInProcess } from '../helpers/camctl-in-process.js';

let dir: string;
let emu: RunningThetaEmulator;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-api-'));
  emu = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 20 });
});

afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

async function exec(name: string, parameters: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const r = await fetch(`${emu.url}/osc/commands/execute`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ name, parameters }),
  });
  return (await r.json()) as Record<string, any>;
}

async function v21(): Promise<OscClient> {
  const c = new OscClient({ baseUrl: emu.url });
  await c.connect();
  expect(c.api).toBe(2);
  return c;
}

describe('the emulated S names options as its API level does', () => {
  it('v2.1 knows captureInterval / captureNumber and refuses the v2.0 names', async () => {
    await v21();
    const old = await exec('camera.getOptions', { optionNames: ['_captureInterval'] });
    expect(old).toMatchObject({ state: 'error', error: { code: 'invalidParameterName' } });
    const oldSet = await exec('camera.setOptions', { options: { _captureNumber: 5 } });
    expect(oldSet).toMatchObject({ state: 'error', error: { code: 'invalidParameterName' } });
    const now = await exec('camera.getOptions', {
      optionNames: ['captureInterval', 'captureNumber', 'captureIntervalSupport'],
    });
    expect(now).toMatchObject({
      state: 'done',
      results: {
        options: {
          captureInterval: expect.any(Number),
          captureNumber: expect.any(Number),
          captureIntervalSupport: { minInterval: expect.any(Number), maxInterval: 3600 },
        },
      },
    });
  });

  it('v2.1 listFiles entries of the S carry no _projectionType (THETA V and later)', async () => {
    const c = await v21();
    await c.takePicture();
    const list = await exec('camera.listFiles', { fileType: 'all', entryCount: 5, maxThumbSize: 0, _detail: true });
    expect(list['state']).toBe('done');
    expect(list['results'].entries.length).toBeGreaterThan(0);
    for (const e of list['results'].entries) expect(e).not.toHaveProperty('_projectionType');
  });
});

describe('camctl asks the camera by the names of its API level', () => {
  const run = async (args: string[]) =>
    startCamctlInProcess(['-c', `theta://127.0.0.1:${new URL(emu.url).port}`, ...args]).done;

  it('options get and config list the interval options in v2.1', async () => {
    const opts = await run(['--json', 'options', 'get']);
    expect([opts.code, opts.stderr]).toEqual([0, '']);
    const values = JSON.parse(opts.stdout) as Record<string, unknown>;
    expect(values).toHaveProperty('captureInterval');
    expect(values).toHaveProperty('captureNumber');
    expect(values).not.toHaveProperty('_captureInterval');
    const config = await run(['--json', 'config']);
    expect([config.code, config.stderr]).toEqual([0, '']);
    const keys = (JSON.parse(config.stdout) as { settings: Array<{ key: string }> }).settings.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['captureInterval', 'captureNumber', 'fileFormat']));
  });

  it('an option the camera does not know is shown as unavailable, the others still listed', async () => {
    const r = await run(['--json', 'options', 'get', 'iso', '_noSuchOption', 'exposureDelay']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const values = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(values).toMatchObject({ iso: expect.any(Number), exposureDelay: expect.any(Number) });
    expect(values['_noSuchOption']).toBeNull();
    const human = await run(['options', 'get', 'iso', '_noSuchOption']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/_noSuchOption:?\s+.*unavailable/);
  });

  it('the adapter describes the settings through the API level in use', async () => {
    const cam = await openCamera(`theta://127.0.0.1:${new URL(emu.url).port}`);
    try {
      const keys = (await cam.getConfig()).map((s) => s.key);
      expect(keys).toContain('captureInterval');
      expect(keys).not.toContain('_captureInterval');
    } finally {
      await cam.close();
    }
  });
});

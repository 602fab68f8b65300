/**
 * THETA S firmware levels as RICOH's theta-api-specs date them: before 01.62 the S speaks API v2.0
 * only (no apiLevel in /osc/info, no _apiVersion in the state, no clientVersion option); before
 * 01.42 it has no self-timer (exposureDelay, camera._stopSelfTimer); before 01.82 no My Settings.
 * The client works with such a camera in v2.0, and `--osc-api` forces a level.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThetaDevice } from '../../src/devices/theta/device.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { OscClient } from '../../src/osc/client.js';
import { startCamctlInProcess } from '../helpers/camctl-in-process.js';

let dir: string;
let old: RunningThetaEmulator;
let current: RunningThetaEmulator;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-fw-'));
  old = await startThetaEmulator({ dataDir: path.join(dir, 'old'), speed: 20, firmware: '01.42' });
  current = await startThetaEmulator({ dataDir: path.join(dir, 'current'), speed: 20 });
});

afterAll(async () => {
  await old?.close();
  await current?.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(base: string, p: string, body?: unknown): Promise<Record<string, any>> {
  const r = await fetch(base + p, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body ?? {}),
  });
  return (await r.json()) as Record<string, any>;
}

const camera = (emu: RunningThetaEmulator) => `theta://127.0.0.1:${new URL(emu.url).port}`;

describe('an S on firmware 01.42 speaks API v2.0 only', () => {
  it('answers info and state without API levels and refuses clientVersion', async () => {
    const info = (await (await fetch(`${old.url}/osc/info`)).json()) as Record<string, unknown>;
    expect(info['firmwareVersion']).toBe('01.42');
    expect(info).not.toHaveProperty('apiLevel');
    const state = await post(old.url, '/osc/state');
    expect(state['state']).not.toHaveProperty('_apiVersion');
    const sid = (await post(old.url, '/osc/commands/execute', { name: 'camera.startSession', parameters: {} }))[
      'results'
    ].sessionId as string;
    const set = await post(old.url, '/osc/commands/execute', {
      name: 'camera.setOptions',
      parameters: { sessionId: sid, options: { clientVersion: 2 } },
    });
    expect(set).toMatchObject({ state: 'error', error: { code: 'invalidParameterName' } });
    const get = await post(old.url, '/osc/commands/execute', {
      name: 'camera.getOptions',
      parameters: { sessionId: sid, optionNames: ['clientVersion', 'iso'] },
    });
    expect(get).toMatchObject({ state: 'error', error: { code: 'invalidParameterName' } });
    // 01.42 brought the self-timer.
    const delay = await post(old.url, '/osc/commands/execute', {
      name: 'camera.getOptions',
      parameters: { sessionId: sid, optionNames: ['exposureDelay'] },
    });
    expect(delay).toMatchObject({ state: 'done', results: { options: { exposureDelay: 0 } } });
    const mine = await post(old.url, '/osc/commands/execute', {
      name: 'camera._getMySetting',
      parameters: { optionNames: ['iso'] },
    });
    expect(mine).toMatchObject({ state: 'error', error: { code: 'unknownCommand' } });
  });

  it('before 01.42 there is no self-timer', async () => {
    const first = await ThetaDevice.open({ dataDir: path.join(dir, 'first'), firmwareVersion: '01.11' });
    try {
      expect(() => first.getOptions(['exposureDelay'])).toThrow(expect.objectContaining({ reason: 'unknown-setting' }));
      expect(first.getOptions(['iso'])).toEqual({ iso: 0 });
    } finally {
      await first.close();
    }
  });

  it('the current firmware still announces both levels', async () => {
    const info = (await (await fetch(`${current.url}/osc/info`)).json()) as Record<string, unknown>;
    expect(info['apiLevel']).toEqual([1, 2]);
  });

  it('OscClient stays in v2.0 with a session and never tries to switch', async () => {
    const c = new OscClient({ baseUrl: old.url });
    const { api } = await c.connect();
    expect(api).toBe(1);
    expect(c.sessionId).toMatch(/^SID_/);
    const ref = await c.takePicture({ timeoutMs: 60_000 });
    expect(ref).toMatch(/^100RICOH\/R\d{7}\.JPG$/);
    expect((await c.state()).state).not.toHaveProperty('_apiVersion');
    await c.close();
  });

  it('camctl info, options, config and capture work in v2.0', async () => {
    const info = await startCamctlInProcess(['-c', camera(old), '--json', 'info']).done;
    expect([info.code, info.stderr]).toEqual([0, '']);
    expect(JSON.parse(info.stdout)).toMatchObject({ firmware: '01.42', details: { api: 'v2.0' } });
    const opts = await startCamctlInProcess(['-c', camera(old), '--json', 'options', 'get']).done;
    expect([opts.code, opts.stderr]).toEqual([0, '']);
    expect(JSON.parse(opts.stdout)).toMatchObject({
      _captureInterval: expect.any(Number),
      exposureDelay: 0,
      clientVersion: null,
    });
    const config = await startCamctlInProcess(['-c', camera(old), '--json', 'config']).done;
    expect([config.code, config.stderr]).toEqual([0, '']);
    const settings = (
      JSON.parse(config.stdout) as {
        settings: Array<{ key: string; value: unknown; writable: boolean; description?: string }>;
      }
    ).settings;
    expect(settings.find((s) => s.key === 'clientVersion')).toMatchObject({
      value: null,
      writable: false,
      description: expect.stringMatching(/unavailable/),
    });
    expect(settings.find((s) => s.key === '_captureInterval')).toMatchObject({ value: 8, writable: true });
    const shot = await startCamctlInProcess(['-c', camera(old), '--json', 'capture']).done;
    expect([shot.code, shot.stderr]).toEqual([0, '']);
  });
});

describe('--osc-api forces an API level', () => {
  it('2.1 on an S that cannot is refused in camera words', async () => {
    const r = await startCamctlInProcess(['-c', camera(old), '--osc-api', '2.1', 'info']).done;
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/firmware 01\.42.*API v2\.0 only.*01\.62/);
  });

  it('2.0 on a current S stays in v2.0; 2.1 switches it', async () => {
    const v20 = await startCamctlInProcess(['-c', camera(current), '--osc-api', '2.0', '--json', 'info']).done;
    expect([v20.code, v20.stderr]).toEqual([0, '']);
    expect(JSON.parse(v20.stdout)).toMatchObject({ details: { api: 'v2.0' } });
    const v21 = await startCamctlInProcess(['-c', camera(current), '--osc-api', '2.1', '--json', 'info']).done;
    expect([v21.code, v21.stderr]).toEqual([0, '']);
    expect(JSON.parse(v21.stdout)).toMatchObject({ details: { api: 'v2.1' } });
  });

  it('a level it does not know is a usage error', async () => {
    const r = await startCamctlInProcess(['-c', camera(current), '--osc-api', '3', 'info']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--osc-api must be 2\.0 or 2\.1/);
  });

  it('the emulator refuses a firmware version it cannot be', async () => {
    await expect(startThetaEmulator({ dataDir: path.join(dir, 'bad'), firmware: '1.4' })).rejects.toThrow(/firmware/);
    await expect(startThetaEmulator({ dataDir: path.join(dir, 'bad'), firmware: '01.05' })).rejects.toThrow(
      /01\.11 or later/,
    );
  });
});

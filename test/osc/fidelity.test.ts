/**
 * Where RICOH's THETA API reference (ricohapi/theta-api-specs) or the recorded replies of a real
 * THETA S (test/fixtures/theta-real) say what the camera answers, the emulator answers the same:
 * over real HTTP on loopback, port 0.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { ManualClock } from '../../src/util/clock.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { commandOutcome } from '../helpers/osc-commands.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/theta-real');

let dir: string;
let cam: RunningThetaEmulator;

async function post(
  base: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; type: string | null; json: Record<string, any> }> {
  const r = await fetch(base + p, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const type = r.headers.get('content-type');
  const text = await r.text();
  return {
    status: r.status,
    type,
    json: type?.startsWith('application/json') ? (JSON.parse(text) as Record<string, any>) : {},
  };
}

const exec = (name: string, parameters?: Record<string, unknown>) =>
  post(cam.url, '/osc/commands/execute', parameters === undefined ? { name } : { name, parameters });
const state = async () => (await post(cam.url, '/osc/state')).json;

async function fixture(rel: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(path.join(FIXTURES, rel), 'utf8')) as Record<string, any>;
}

/** v2.0 → v2.1 as RICOH's getting_started.md does it; returns nothing (v2.1 has no session). */
async function toV21(): Promise<void> {
  const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
  expect((await exec('camera.setOptions', { sessionId: sid, options: { clientVersion: 2 } })).json['state']).toBe(
    'done',
  );
  expect((await state())['state']._apiVersion).toBe(2);
}

async function shoot(): Promise<string> {
  const t = await exec('camera.takePicture');
  return (await commandOutcome(cam.url, t.json['id']))['results'].fileUrl as string;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-osc-fid-'));
  cam = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 20 });
});

afterAll(async () => {
  await cam.close();
  await rm(dir, { recursive: true, force: true });
});

describe('replies shaped as the recorded THETA S replies', () => {
  it('/osc/info and /osc/state have the fields of info_s.json, state_s_api1.json and state_s_api2.json, in order', async () => {
    const info = (await (await fetch(`${cam.url}/osc/info`)).json()) as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(Object.keys(await fixture('info/info_s.json')));
    expect(info).toMatchObject({ model: 'RICOH THETA S', firmwareVersion: '01.90', apiLevel: [1, 2] });
    const v20 = await state();
    expect(Object.keys(v20['state'])).toEqual(Object.keys((await fixture('state/state_s_api1.json'))['state']));
    expect(v20['state']._cameraError).toBeUndefined();
    await toV21();
    const v21 = await state();
    expect(Object.keys(v21['state'])).toEqual(Object.keys((await fixture('state/state_s_api2.json'))['state']));
    await exec('camera._finishWlan');
  });

  it('a canceled self-timer ends takePicture exactly as takepicture_cancel.json', async () => {
    await toV21();
    await exec('camera.setOptions', { options: { exposureDelay: 10 } });
    const t = await exec('camera.takePicture');
    expect(t.json['state']).toBe('inProgress');
    expect((await exec('camera._stopSelfTimer')).json).toEqual(await fixture('stopSelfTimer/stop_selftimer_done.json'));
    const ended = await commandOutcome(cam.url, t.json['id']);
    expect(ended).toEqual(await fixture('PhotoCapture/takepicture_cancel.json'));
    await exec('camera.setOptions', { options: { exposureDelay: 0 } });
    await exec('camera._finishWlan');
  });
});

describe('startCapture with the self-timer on (start_capture.md, _stop_self_timer.md)', () => {
  it('counts down in progress, then starts; _stopSelfTimer cancels it with canceledShooting', async () => {
    await toV21();
    await exec('camera.setOptions', {
      options: {
        fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
        exposureDelay: 10,
        captureInterval: 5,
        captureNumber: 0,
      },
    });
    const before = cam.device.catalog.count;
    const start = await exec('camera.startCapture', { _mode: 'interval' });
    expect(start.json).toMatchObject({ name: 'camera.startCapture', state: 'inProgress', id: expect.any(String) });
    expect((await state())['state']._captureStatus).toBe('self-timer countdown');
    expect(cam.device.catalog.count).toBe(before);
    // An open-ended interval run: done, without results, once the countdown has ended.
    expect(await commandOutcome(cam.url, start.json['id'])).toEqual({ name: 'camera.startCapture', state: 'done' });
    expect((await state())['state']._captureStatus).toBe('shooting');
    const stopped = await exec('camera.stopCapture');
    expect(stopped.json['results'].fileUrls.length).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await state())['state']._captureStatus, { timeout: 10_000 }).toBe('idle');

    const again = await exec('camera.startCapture', { _mode: 'interval' });
    expect(again.json['state']).toBe('inProgress');
    const count = cam.device.catalog.count;
    expect((await exec('camera._stopSelfTimer')).json).toEqual({ name: 'camera._stopSelfTimer', state: 'done' });
    expect(await commandOutcome(cam.url, again.json['id'])).toEqual({
      name: 'camera.startCapture',
      state: 'error',
      error: { code: 'canceledShooting', message: expect.any(String) },
    });
    expect((await state())['state']._captureStatus).toBe('idle');
    expect(cam.device.catalog.count).toBe(count);
    await exec('camera.setOptions', { options: { exposureDelay: 0 } });
    await exec('camera._finishWlan');
  });
});

describe('API v2.1 has no sessions (theta-web-api-v2.1 lists no session command)', () => {
  it('answers startSession, updateSession and closeSession with 400 unknownCommand, and sessionId with invalidParameterName', async () => {
    await toV21();
    for (const [name, parameters] of [
      ['camera.startSession', {}],
      ['camera.updateSession', { sessionId: 'SID_0001' }],
      ['camera.closeSession', { sessionId: 'SID_0001' }],
    ] as const) {
      const r = await exec(name, parameters);
      expect(r.status).toBe(400);
      expect(r.type).toBe('application/json; charset=utf-8');
      expect(r.json).toEqual({ name, state: 'error', error: { code: 'unknownCommand', message: expect.any(String) } });
    }
    // Still in v2.1, no session was issued.
    const st = (await state())['state'];
    expect(st._apiVersion).toBe(2);
    expect(cam.osc.sessions.current).toBeUndefined();
    const withSid = await exec('camera.getOptions', { sessionId: 'SID_0001', optionNames: ['iso'] });
    expect([withSid.status, withSid.json['error'].code]).toEqual([400, 'invalidParameterName']);
    await exec('camera._finishWlan');
    // Back in v2.0 the session commands work again.
    expect((await exec('camera.startSession', {})).json['state']).toBe('done');
  });
});

describe('tooManyParameters (v2.1 errors.md; camera.delete takes up to 128 fileUrls)', () => {
  it('refuses 129 fileUrls with 403 tooManyParameters and deletes nothing; 128 are judged one by one', async () => {
    await toV21();
    await exec('camera.setOptions', { options: { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } } });
    const url = await shoot();
    const before = cam.device.catalog.count;
    const many = Array.from({ length: 129 }, () => url);
    const r = await exec('camera.delete', { fileUrls: many });
    expect(r.status).toBe(403);
    expect(r.type).toBe('application/json; charset=utf-8');
    expect(r.json).toEqual({
      name: 'camera.delete',
      state: 'error',
      error: { code: 'tooManyParameters', message: expect.any(String) },
    });
    expect(cam.device.catalog.count).toBe(before);
    expect((await fetch(url)).status).toBe(200);
    // At the limit the request is taken: 127 URLs of missing files and one real one fail whole as
    // an invalid value, not as too many.
    const missing = Array.from(
      { length: 127 },
      (_, i) => `${cam.url}/files/${cam.device.storageId}/100RICOH/R001${String(5000 + i)}.JPG`,
    );
    const atLimit = await exec('camera.delete', { fileUrls: [url, ...missing] });
    expect([atLimit.status, atLimit.json['error'].code]).toEqual([400, 'invalidParameterValue']);
    expect((await fetch(url)).status).toBe(200);
    // 128 copies of a file that exists: taken and done.
    expect((await exec('camera.delete', { fileUrls: Array.from({ length: 128 }, () => url) })).json).toEqual(
      await fixture('delete/delete_done.json'),
    );
    expect((await fetch(url)).status).toBe(404);
    await exec('camera._finishWlan');
  });

  it('has no tooManyParameters in v2.0 (not in its errors.md): one fileUri per delete', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    const r = await exec('camera.delete', { fileUri: '100RICOH/R0019990.JPG' });
    expect([r.status, r.json['error'].code]).toEqual([400, 'invalidParameterValue']);
    expect(sid).toMatch(/^SID_/);
  });
});

describe('a file named in a parameter that the camera does not have', () => {
  it('is invalidParameterValue (400) in v2.0 and v2.1; only a /files/ address is notFound (404)', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    for (const [name, parameters] of [
      ['camera.getImage', { fileUri: '100RICOH/R0019991.JPG' }],
      ['camera._getVideo', { fileUri: '100RICOH/R0019991.MP4' }],
      ['camera.getMetadata', { fileUri: '100RICOH/R0019991.JPG' }],
      ['camera.delete', { fileUri: '100RICOH/R0019991.JPG' }],
    ] as const) {
      const r = await exec(name, parameters);
      expect([name, r.status, r.json['error'].code]).toEqual([name, 400, 'invalidParameterValue']);
    }
    expect(sid).toMatch(/^SID_/);
    await toV21();
    const gone = `${cam.url}/files/${cam.device.storageId}/100RICOH/R0019991.JPG`;
    for (const [name, parameters] of [
      ['camera._getMetadata', { fileUrl: gone }],
      ['camera.delete', { fileUrls: [gone] }],
    ] as const) {
      const r = await exec(name, parameters);
      expect([name, r.status, r.json['error'].code]).toEqual([name, 400, 'invalidParameterValue']);
    }
    const file = await fetch(gone);
    expect(file.status).toBe(404);
    expect(((await file.json()) as Record<string, any>)['error'].code).toBe('notFound');
    await exec('camera._finishWlan');
  });
});

describe('fileFormatSupport follows captureMode (file_format.md: "depends on the shooting mode")', () => {
  it('lists the jpeg sizes in image mode and the mp4 sizes in video mode, in v2.0 and v2.1', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    const jpeg = [
      { type: 'jpeg', width: 5376, height: 2688 },
      { type: 'jpeg', width: 2048, height: 1024 },
    ];
    const mp4 = [
      { type: 'mp4', width: 1920, height: 1080 },
      { type: 'mp4', width: 1280, height: 720 },
    ];
    const support = async (p: Record<string, unknown>) =>
      (await exec('camera.getOptions', { ...p, optionNames: ['captureMode', 'fileFormatSupport'] })).json['results']
        .options;
    expect(await support({ sessionId: sid })).toEqual({ captureMode: 'image', fileFormatSupport: jpeg });
    await exec('camera.setOptions', { sessionId: sid, options: { captureMode: '_video' } });
    expect(await support({ sessionId: sid })).toEqual({ captureMode: '_video', fileFormatSupport: mp4 });
    await exec('camera.setOptions', { sessionId: sid, options: { captureMode: 'image', clientVersion: 2 } });
    // getting_started.md (v2.1): an S or SC in image mode.
    expect(await support({})).toEqual({ captureMode: 'image', fileFormatSupport: jpeg });
    await exec('camera.setOptions', { options: { captureMode: 'video' } });
    expect(await support({})).toEqual({ captureMode: 'video', fileFormatSupport: mp4 });
    await exec('camera.setOptions', { options: { captureMode: 'image' } });
    await exec('camera._finishWlan');
  });
});

describe('exposure …Support values follow exposureProgram and captureMode (iso.md, shutter_speed.md, exposure_compensation.md, exposure_delay.md)', () => {
  it('offers ISO in manual and ISO priority, the shutter in manual and shutter priority, EV outside manual, the self-timer in image mode', async () => {
    await toV21();
    const names = [
      'exposureProgram',
      'isoSupport',
      'shutterSpeedSupport',
      'exposureCompensationSupport',
      'exposureDelaySupport',
    ];
    const get = async () =>
      (await exec('camera.getOptions', { optionNames: names })).json['results'].options as Record<string, any>;
    const auto = await get();
    expect(auto.exposureProgram).toBe(2);
    expect(auto.isoSupport).toEqual([0]);
    expect(auto.shutterSpeedSupport).toEqual([0]);
    expect(auto.exposureCompensationSupport).toEqual([-2, -1.7, -1.3, -1, -0.7, -0.3, 0, 0.3, 0.7, 1, 1.3, 1.7, 2]);
    expect(auto.exposureDelaySupport).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Not offered, not taken: ISO 400 in the normal program.
    const refused = await exec('camera.setOptions', { options: { iso: 400 } });
    expect([refused.status, refused.json['error'].code]).toEqual([400, 'invalidParameterValue']);

    // Manual: ISO 100…1600, 1/6400…60 s, no compensation. Program and values in one request.
    expect(
      (await exec('camera.setOptions', { options: { iso: 400, shutterSpeed: 0.01, exposureProgram: 1 } })).json[
        'state'
      ],
    ).toBe('done');
    const manual = await get();
    expect(manual.isoSupport).toEqual([100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600]);
    expect(manual.shutterSpeedSupport[0]).toBe(0.00015625);
    expect(manual.shutterSpeedSupport.at(-1)).toBe(60);
    expect(manual.shutterSpeedSupport).not.toContain(0);
    expect(manual.exposureCompensationSupport).toEqual([0]);
    expect((await exec('camera.setOptions', { options: { exposureCompensation: 0.3 } })).json['error'].code).toBe(
      'invalidParameterValue',
    );

    // Shutter priority: up to 1/8 s; ISO back to auto, the 1/100 s kept.
    await exec('camera.setOptions', { options: { exposureProgram: 4 } });
    const shutter = await get();
    expect(shutter.shutterSpeedSupport.at(-1)).toBe(0.125);
    expect(shutter.isoSupport).toEqual([0]);
    const now = (await exec('camera.getOptions', { optionNames: ['iso', 'shutterSpeed'] })).json['results'].options;
    expect(now).toEqual({ iso: 0, shutterSpeed: 0.01 });
    expect((await exec('camera.setOptions', { options: { shutterSpeed: 1 } })).json['error'].code).toBe(
      'invalidParameterValue',
    );

    // Video mode: no self-timer.
    await exec('camera.setOptions', { options: { exposureProgram: 2, exposureDelay: 4 } });
    await exec('camera.setOptions', { options: { captureMode: 'video' } });
    const video = await exec('camera.getOptions', { optionNames: ['exposureDelay', 'exposureDelaySupport'] });
    expect(video.json['results'].options).toEqual({ exposureDelay: 0, exposureDelaySupport: [0] });
    expect((await exec('camera.setOptions', { options: { exposureDelay: 2 } })).json['error'].code).toBe(
      'invalidParameterValue',
    );
    await exec('camera.setOptions', { options: { captureMode: 'image' } });
    expect((await exec('camera.getOptions', { optionNames: ['exposureDelay'] })).json['results'].options).toEqual({
      exposureDelay: 4,
    });
    await exec('camera.setOptions', { options: { exposureDelay: 0 } });
    await exec('camera._finishWlan');
  });
});

describe('camera.reset on an S in v2.1', () => {
  it('restores every setting and restarts the camera, which comes back in v2.0 without a session', async () => {
    await toV21();
    await exec('camera.setOptions', {
      options: {
        exposureProgram: 9,
        iso: 400,
        exposureDelay: 3,
        _shutterVolume: 10,
        fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
      },
    });
    const r = await exec('camera.reset');
    expect(r.json).toEqual(await fixture('reset/reset_done.json'));
    const st = (await state())['state'];
    expect(st._apiVersion).toBe(1);
    expect(st.sessionId).toBe('');
    // v2.1 commands are gone until the client switches again.
    expect(
      (await exec('camera.listFiles', { fileType: 'all', entryCount: 1, maxThumbSize: 0 })).json['error'].code,
    ).toBe('unknownCommand');
    expect((await exec('camera.getOptions', { optionNames: ['iso'] })).json['error'].code).toBe('missingParameter');
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    const o = (
      await exec('camera.getOptions', {
        sessionId: sid,
        optionNames: ['exposureProgram', 'iso', 'exposureDelay', '_shutterVolume', 'fileFormat', 'clientVersion'],
      })
    ).json['results'].options;
    expect(o).toEqual({
      exposureProgram: 2,
      iso: 0,
      exposureDelay: 0,
      _shutterVolume: 100,
      fileFormat: { type: 'jpeg', width: 5376, height: 2688 },
      clientVersion: 1,
    });
  });

  it('is refused while a capture runs (reset.md: not during continuous shooting), keeping v2.1', async () => {
    await toV21();
    await exec('camera.setOptions', {
      options: { captureMode: 'video', fileFormat: { type: 'mp4', width: 1280, height: 720 } },
    });
    expect((await exec('camera.startCapture')).json['state']).toBe('done');
    const r = await exec('camera.reset');
    expect([r.status, r.json['error'].code]).toEqual([403, 'disabledCommand']);
    expect((await state())['state']._apiVersion).toBe(2);
    // Not during video recording either (list_files.md, delete.md, _get_metadata.md).
    const some = `${cam.url}/files/${cam.device.storageId}/100RICOH/R0010001.JPG`;
    for (const [name, parameters] of [
      ['camera.listFiles', { fileType: 'all', entryCount: 1, maxThumbSize: 0 }],
      ['camera.delete', { fileUrls: [some] }],
      ['camera._getMetadata', { fileUrl: some }],
    ] as const) {
      const refused = await exec(name, parameters);
      expect([name, refused.status, refused.json['error'].code]).toEqual([name, 403, 'disabledCommand']);
    }
    expect((await exec('camera.stopCapture')).json['state']).toBe('done');
    await exec('camera.setOptions', { options: { captureMode: 'image' } });
    await exec('camera._finishWlan');
  });
});

describe('interval composite and multi bracket shooting in v2.1 (start_capture.md, list_files.md)', () => {
  it('composite: startCapture stays in progress for _compositeShootingTime, then done; bracket shots carry _autoBracketGroupId', async () => {
    const clock = new ManualClock(Date.UTC(2016, 6, 1, 9, 0, 0));
    const cam2 = await startThetaEmulator({ dataDir: path.join(dir, 'theta-composite'), clock, shotProcessingMs: 100 });
    const x = (name: string, parameters: Record<string, unknown> = {}) =>
      post(cam2.url, '/osc/commands/execute', { name, parameters });
    try {
      const sid = (await x('camera.startSession')).json['results'].sessionId as string;
      await x('camera.setOptions', { sessionId: sid, options: { clientVersion: 2 } });
      await x('camera.setOptions', {
        options: {
          fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
          _compositeShootingTime: 600,
          _compositeShootingOutputInterval: 0,
        },
      });
      const start = await x('camera.startCapture', { _mode: 'composite' });
      expect(start.json).toMatchObject({ name: 'camera.startCapture', state: 'inProgress', id: expect.any(String) });
      // The client polls, as it must: a link without requests for 180 s counts as dropped.
      const poll = async () => (await post(cam2.url, '/osc/commands/status', { id: start.json['id'] })).json;
      for (let t = 0; t < 300; t += 60) {
        await clock.advance(60_000);
        expect((await poll())['state']).toBe('inProgress');
      }
      expect(await poll()).toMatchObject({ state: 'inProgress', progress: { completion: 0.5 } });
      expect((await post(cam2.url, '/osc/state')).json['state']._compositeShootingElapsedTime).toBe(300);
      for (let t = 300; t < 600; t += 60) {
        await clock.advance(60_000);
        await poll();
      }
      let done: Record<string, any> = {};
      await expect
        .poll(
          async () => (done = (await post(cam2.url, '/osc/commands/status', { id: start.json['id'] })).json)['state'],
          { timeout: 20_000 },
        )
        .toBe('done');
      expect(done['results'].fileUrls).toHaveLength(1);
      const listed = (await x('camera.listFiles', { fileType: 'image', entryCount: 10, maxThumbSize: 0 })).json[
        'results'
      ].entries;
      expect(listed[0]).toMatchObject({
        fileUrl: done['results'].fileUrls[0],
        _compositeShootingGroupId: expect.any(String),
      });
      expect(listed[0]._intervalCaptureGroupId).toBeUndefined();

      const bracket = await x('camera.startCapture', { _mode: 'bracket' });
      expect(bracket.json['state']).toBe('inProgress');
      let b: Record<string, any> = {};
      for (let i = 0; i < 400 && b['state'] !== 'done'; i++) {
        await clock.advance(500);
        await new Promise((r) => setTimeout(r, 25));
        b = (await post(cam2.url, '/osc/commands/status', { id: bracket.json['id'] })).json;
      }
      expect(b['results'].fileUrls).toHaveLength(3);
      const shots = (await x('camera.listFiles', { fileType: 'image', entryCount: 3, maxThumbSize: 0 })).json['results']
        .entries as Record<string, any>[];
      expect(new Set(shots.map((e) => e['_autoBracketGroupId'])).size).toBe(1);
      expect(shots[0]!['_autoBracketGroupId']).toEqual(expect.any(String));
      expect(shots[0]!['_autoBracketGroupId']).not.toBe(listed[0]._compositeShootingGroupId);
    } finally {
      await cam2.close();
    }
  });
});

describe('My Settings (camera._getMySetting / _setMySetting, S firmware 01.82 and later)', () => {
  it('answers as get_my_setting_done_s.json, registers still-image settings the camera starts with, and reset clears them', async () => {
    const data = path.join(dir, 'theta-mysetting');
    let c = await startThetaEmulator({ dataDir: data, speed: 20 });
    const x = (name: string, parameters: Record<string, unknown> = {}) =>
      post(c.url, '/osc/commands/execute', { name, parameters });
    try {
      const initial = await x('camera._getMySetting', { optionNames: ['fileFormat', 'whiteBalance'] });
      expect(initial.json).toEqual(await fixture('getMySetting/get_my_setting_done_s.json'));
      const set = await x('camera._setMySetting', {
        options: {
          exposureProgram: 9,
          iso: 200,
          _filter: 'Noise Reduction',
          fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
        },
      });
      expect(set.json).toEqual({ name: 'camera._setMySetting', state: 'done' });
      expect(
        (await x('camera._getMySetting', { optionNames: ['exposureProgram', 'iso', '_filter', 'fileFormat'] })).json[
          'results'
        ].options,
      ).toEqual({
        exposureProgram: 9,
        iso: 200,
        _filter: 'Noise Reduction',
        fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
      });
      // Registered for the next start; the current settings stay.
      const sid = (await x('camera.startSession')).json['results'].sessionId as string;
      expect(
        (await x('camera.getOptions', { sessionId: sid, optionNames: ['iso', '_filter'] })).json['results'].options,
      ).toEqual({ iso: 0, _filter: 'off' });
      // Not a My Settings option; a video format; a value the program does not offer.
      for (const [options, code] of [
        [{ offDelay: 600 }, 'invalidParameterName'],
        [{ fileFormat: { type: 'mp4', width: 1920, height: 1080 } }, 'invalidParameterValue'],
        [{ exposureProgram: 2, iso: 400 }, 'invalidParameterValue'],
      ] as const) {
        const r = await x('camera._setMySetting', { options });
        expect([r.status, r.json['error'].code]).toEqual([400, code]);
      }
      expect((await x('camera._getMySetting', { optionNames: ['offDelay'] })).json['error'].code).toBe(
        'invalidParameterName',
      );

      // Power cycle: the camera starts with My Settings.
      await c.close();
      c = await startThetaEmulator({ dataDir: data, speed: 20 });
      const sid2 = (await x('camera.startSession')).json['results'].sessionId as string;
      expect(
        (
          await x('camera.getOptions', {
            sessionId: sid2,
            optionNames: ['exposureProgram', 'iso', '_filter', 'fileFormat'],
          })
        ).json['results'].options,
      ).toEqual({
        exposureProgram: 9,
        iso: 200,
        _filter: 'Noise Reduction',
        fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
      });

      // v2.1: the S takes optionNames, not mode; reset puts My Settings back to the defaults.
      await x('camera.setOptions', { sessionId: sid2, options: { clientVersion: 2 } });
      expect((await x('camera._getMySetting', { mode: 'image', optionNames: ['iso'] })).json['error'].code).toBe(
        'invalidParameterName',
      );
      expect((await x('camera._getMySetting', { optionNames: ['iso'] })).json['results'].options).toEqual({ iso: 200 });
      expect((await x('camera.reset')).json['state']).toBe('done');
      expect((await x('camera._getMySetting', { optionNames: ['fileFormat', 'whiteBalance'] })).json).toEqual(
        await fixture('getMySetting/get_my_setting_done_s.json'),
      );
      expect(
        (await x('camera._getMySetting', { optionNames: ['exposureProgram', 'iso', '_filter'] })).json['results']
          .options,
      ).toEqual({ exposureProgram: 2, iso: 0, _filter: 'off' });
    } finally {
      await c.close();
    }
  });
});

describe('v2.0 commands refused during video recording (their reference pages)', () => {
  it('getImage, _getVideo, getMetadata, listImages, _listAll and delete answer 403 disabledCommand', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    await exec('camera.setOptions', {
      sessionId: sid,
      options: { captureMode: '_video', fileFormat: { type: 'mp4', width: 1280, height: 720 } },
    });
    expect((await exec('camera._startCapture', { sessionId: sid })).json['state']).toBe('done');
    for (const [name, parameters] of [
      ['camera.getImage', { fileUri: '100RICOH/R0010001.JPG' }],
      ['camera._getVideo', { fileUri: '100RICOH/R0010001.MP4' }],
      ['camera.getMetadata', { fileUri: '100RICOH/R0010001.JPG' }],
      ['camera.listImages', { entryCount: 1, includeThumb: false }],
      ['camera._listAll', { entryCount: 1 }],
      ['camera.delete', { fileUri: '100RICOH/R0010001.JPG' }],
    ] as const) {
      const r = await exec(name, parameters);
      expect([name, r.status, r.json['error'].code]).toEqual([name, 403, 'disabledCommand']);
    }
    expect((await exec('camera._stopCapture', { sessionId: sid })).json['state']).toBe('done');
    expect((await exec('camera._listAll', { entryCount: 1 })).json['state']).toBe('done');
    await exec('camera.setOptions', { sessionId: sid, options: { captureMode: 'image' } });
  });
});

describe('_cameraError', () => {
  it('appears only when the camera has an error: NO_MEMORY when the storage is full', async () => {
    const full = await startThetaEmulator({ dataDir: path.join(dir, 'theta-full'), capacityBytes: 64 * 1024 });
    try {
      const st = (await post(full.url, '/osc/state')).json['state'];
      expect(st._cameraError).toEqual(['NO_MEMORY']);
      expect(Object.keys(st).slice(0, -1)).toEqual(Object.keys((await fixture('state/state_s_api1.json'))['state']));
    } finally {
      await full.close();
    }
  });
});

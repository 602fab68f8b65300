import { mkdtemp, rm, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ExifReader from 'exifreader';
import { ManualClock } from '../../src/util/clock.js';
import { ThetaDevice } from '../../src/devices/theta/device.js';
import { OscSessions } from '../../src/emulator/theta/osc-sessions.js';
import { OscState } from '../../src/emulator/theta/osc-state.js';
import { getOptions, setOptions } from '../../src/emulator/theta/osc-options.js';
import { toOscError } from '../../src/emulator/theta/osc-errors.js';
import { mp4DurationSeconds, mp4Dimensions } from '../../src/devices/images/theta-mp4.js';

let dir: string;
let clock: ManualClock;
let theta: ThetaDevice;
// The device through the OSC face's eyes (no HTTP): sessions, API level, option names per level,
// the state fingerprint and OSC error codes are the face's.
let sessions: OscSessions;
let state: OscState;

function attach(): void {
  sessions = new OscSessions(theta, () => state.check());
  state = new OscState(theta, () => sessions);
  state.start();
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-dev-'));
  clock = new ManualClock(Date.UTC(2016, 6, 1, 14, 28, 45));
  theta = await ThetaDevice.open({ dataDir: dir, clock });
  attach();
});

afterEach(async () => {
  await theta.close();
  await rm(dir, { recursive: true, force: true });
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    const osc = toOscError(err);
    if (osc) return osc.oscCode;
    throw err;
  }
  return undefined;
}

describe('THETA device model', () => {
  it('issues sessions; only the last id is valid; sessions expire after 180 s', async () => {
    const a = sessions.start();
    expect(a).toEqual({ sessionId: 'SID_0001', timeout: 180 });
    const b = sessions.start();
    expect(b.sessionId).toBe('SID_0002');
    expect(code(() => sessions.use('SID_0001'))).toBe('invalidSessionId');
    expect(code(() => sessions.use('SID_0002'))).toBeUndefined();
    await clock.advance(181_000);
    expect(code(() => sessions.use('SID_0002'))).toBe('invalidSessionId');
  });

  it('switches to v2.1 with clientVersion 2 and falls back to v2.0 when the link goes idle', async () => {
    sessions.start();
    theta.touch();
    expect(sessions.api).toBe(1);
    setOptions(theta, sessions, { clientVersion: 2 });
    expect(sessions.api).toBe(2);
    expect(getOptions(theta, sessions, ['clientVersion', 'captureMode', 'captureModeSupport'])).toEqual({
      clientVersion: 2,
      captureMode: 'image',
      captureModeSupport: ['image', 'video'],
    });
    theta.touch();
    await clock.advance(179_000);
    expect(sessions.api).toBe(2);
    await clock.advance(2_000);
    expect(sessions.api).toBe(1);
    expect(getOptions(theta, sessions, ['captureModeSupport'])).toEqual({ captureModeSupport: ['image', '_video'] });
  });

  it('validates options and applies none of a refused request', () => {
    expect(code(() => setOptions(theta, sessions, { iso: 123 }))).toBe('invalidParameterValue');
    expect(code(() => setOptions(theta, sessions, { exposureDelay: 3, nonsense: 1 }))).toBe('invalidParameterName');
    expect(getOptions(theta, sessions, ['exposureDelay'])).toEqual({ exposureDelay: 0 });
    expect(code(() => setOptions(theta, sessions, { remainingPictures: 3 }))).toBe('invalidParameterName');
    expect(code(() => setOptions(theta, sessions, { fileFormat: { type: 'mp4', width: 1920, height: 1080 } }))).toBe(
      'invalidParameterValue',
    );
    setOptions(theta, sessions, { captureMode: '_video', fileFormat: { type: 'mp4', width: 1280, height: 720 } });
    expect(getOptions(theta, sessions, ['fileFormat'])).toEqual({
      fileFormat: { type: 'mp4', width: 1280, height: 720 },
    });
    setOptions(theta, sessions, { captureMode: 'image' });
    expect(getOptions(theta, sessions, ['fileFormat'])).toEqual({
      fileFormat: { type: 'jpeg', width: 5376, height: 2688 },
    });
    setOptions(theta, sessions, { dateTimeZone: '2020:01:02 03:04:05+09:00' });
    expect(String(getOptions(theta, sessions, ['dateTimeZone'])['dateTimeZone'])).toMatch(
      /^2020:01:02 03:04:0\d\+09:00$/,
    );
    expect(code(() => setOptions(theta, sessions, { dateTimeZone: '2020-01-02T03:04:05Z' }))).toBe(
      'invalidParameterValue',
    );
    expect(getOptions(theta, sessions, ['_captureIntervalSupport'])).toEqual({
      _captureIntervalSupport: { minInterval: 8, maxInterval: 3600 },
    });
    setOptions(theta, sessions, { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    expect(getOptions(theta, sessions, ['_captureIntervalSupport'])).toEqual({
      _captureIntervalSupport: { minInterval: 5, maxInterval: 3600 },
    });
  });

  it('takes a picture: in progress while stitching, then a real equirectangular JPEG', async () => {
    setOptions(theta, sessions, { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    const fp0 = state.fingerprint;
    const job = theta.takePicture();
    expect(job.state).toBe('running');
    expect(theta.snapshot().captureStatus).toBe('shooting');
    expect(state.fingerprint).not.toBe(fp0);
    expect(code(() => theta.takePicture())).toBe('disabledCommand');
    await clock.advance(1000);
    expect(job.completion()).toBeGreaterThan(0);
    expect(job.completion()).toBeLessThan(1);
    await clock.advance(1500);
    await job.finished;
    expect(job.state).toBe('done');
    expect(job.files).toEqual(['100RICOH/R0010001.JPG']);
    expect(theta.snapshot().latestFile).toBe('100RICOH/R0010001.JPG');
    const file = theta.findFile('100RICOH/R0010001.JPG');
    const bytes = await readFile(await theta.filePath(file));
    const tags = ExifReader.load(bytes);
    expect(tags['Make']?.description).toBe('RICOH');
    expect(tags['Model']?.description).toBe('RICOH THETA S');
    expect(tags['ProjectionType']?.description).toBe('equirectangular');
    expect(tags['DateTimeOriginal']?.description).toBe('2016:07:01 14:28:45');
    expect(tags['Image Width']?.value).toBe(2048);
    const meta = await theta.metadata(file);
    expect(meta.exif['Model']).toBe('RICOH THETA S');
    expect(meta.xmp['FullPanoWidthPixels']).toBe(2048);
    expect(meta.xmp['UsePanoramaViewer']).toBe(true);
    const thumb = await theta.thumbnail(file);
    expect(thumb[0]).toBe(0xff);
    expect(ExifReader.load(thumb)['Image Width']?.value).toBe(640);
  });

  it('self-timer counts down and _stopSelfTimer cancels with canceledShooting', async () => {
    setOptions(theta, sessions, { exposureDelay: 5 });
    const job = theta.takePicture();
    expect(theta.snapshot().captureStatus).toBe('self-timer countdown');
    await clock.advance(2000);
    theta.stopSelfTimer();
    await job.finished;
    expect(job.state).toBe('failed');
    expect(toOscError(job.error)?.oscCode).toBe('canceledShooting');
    expect(job.error?.reason).toBe('canceled');
    expect(theta.snapshot().captureStatus).toBe('idle');
    expect(theta.catalog.count).toBe(0);
  });

  it('interval shooting writes pictures at the interval and stops at _captureNumber', async () => {
    setOptions(theta, sessions, {
      fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
      _captureInterval: 10,
      _captureNumber: 3,
    });
    theta.startCapture();
    expect(theta.snapshot().captureStatus).toBe('shooting');
    expect(code(() => theta.takePicture())).toBe('disabledCommand');
    for (let i = 0; i < 4; i++) {
      await clock.advance(10_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    await expect.poll(() => theta.snapshot().captureStatus, { timeout: 10_000 }).toBe('idle');
    const names = theta.listFiles('image', 'oldest', 0, 10).entries.map((f) => f.name);
    expect(names).toEqual(['R0010001.JPG', 'R0010002.JPG', 'R0010003.JPG']);
    const times = theta.listFiles('image', 'oldest', 0, 10).entries.map((f) => f.timeMs);
    expect(times[1]! - times[0]!).toBe(10_000);
  });

  it('records a video into a playable MJPEG MP4 with the recorded duration', async () => {
    setOptions(theta, sessions, { captureMode: '_video', fileFormat: { type: 'mp4', width: 1280, height: 720 } });
    expect(theta.snapshot().recordableTime).toBeGreaterThan(0);
    theta.startCapture();
    await clock.advance(3000);
    expect(theta.snapshot().recordedTime).toBe(3);
    const files = await theta.stopCapture();
    expect(files).toEqual(['100RICOH/R0010001.MP4']);
    const f = theta.findFile(files[0]!);
    expect(f.recordTime).toBe(3);
    const bytes = await readFile(await theta.filePath(f));
    expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
    expect(mp4DurationSeconds(bytes)).toBeCloseTo(3, 1);
    expect(mp4Dimensions(bytes)).toEqual({ width: 1280, height: 720 });
    expect((await stat(await theta.filePath(f))).size).toBe(f.size);
  });

  it('refuses paths outside the folder and deletes by kind', async () => {
    expect(code(() => theta.findFile('../etc/passwd'))).toBe('invalidParameterValue');
    expect(code(() => theta.findFile('100RICOH/../../x'))).toBe('invalidParameterValue');
    expect(code(() => theta.findFile('100RICOH/R0019999.JPG'))).toBe('notFound');
    setOptions(theta, sessions, { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    const job = theta.takePicture();
    await clock.advance(3000);
    await job.finished;
    expect(await theta.deleteFiles('video')).toBe(0);
    expect(await theta.deleteFiles('image')).toBe(1);
    expect(theta.catalog.count).toBe(0);
  });

  it('keeps the counter across restarts and reads the catalog back from disk', async () => {
    setOptions(theta, sessions, { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    const job = theta.takePicture();
    await clock.advance(3000);
    await job.finished;
    await theta.close();
    theta = await ThetaDevice.open({ dataDir: dir, clock });
    attach();
    expect(sessions.api).toBe(1);
    const [f] = theta.listFiles('all', 'newest', 0, 1).entries;
    expect(f).toMatchObject({ name: 'R0010001.JPG', width: 2048, height: 1024, kind: 'image' });
    await theta.deleteFiles('all');
    const job2 = theta.takePicture();
    await clock.advance(4000);
    await job2.finished;
    expect(job2.files).toEqual(['100RICOH/R0010002.JPG']);
  });

  it('simulates the battery: drains by the hour, charges on the charger, reports the four steps of the S, powers off when empty', async () => {
    expect(theta.snapshot()).toMatchObject({ batteryLevel: 1, batteryState: 'disconnect' });
    await clock.advance(1.5 * 3600_000);
    expect(theta.snapshot().batteryLevel).toBe(0.67);
    theta.battery.setPower('charger');
    expect(theta.snapshot().batteryState).toBe('charging');
    await clock.advance(3 * 3600_000);
    expect(theta.snapshot()).toMatchObject({ batteryLevel: 1, batteryState: 'charged' });
    theta.battery.setPower('battery');
    theta.battery.setCharge(0);
    expect(code(() => theta.takePicture())).toBe('powerOffSequenceRunning');
  });

  it('answers cameraInExclusiveUse to a new session while another client records', async () => {
    sessions.start();
    setOptions(theta, sessions, { captureMode: '_video' });
    theta.startCapture();
    expect(code(() => sessions.start())).toBe('cameraInExclusiveUse');
    await clock.advance(1000);
    await theta.stopCapture();
    expect(sessions.start().sessionId).toBe('SID_0002');
  });

  it('bracket shooting writes three exposures; composite writes one picture at the end', async () => {
    setOptions(theta, sessions, { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    theta.startCapture('bracket');
    expect(theta.snapshot().captureStatus).toBe('bracket shooting');
    // Each exposure is written for real, then the camera waits a second of device time.
    const deadline = Date.now() + 40_000;
    while (theta.snapshot().captureStatus !== 'idle' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      await clock.advance(1000);
    }
    expect(theta.snapshot().captureStatus).toBe('idle');
    // The default _autoBracket: ISO 100 at 1/250, 1/60 and 1/15 s.
    const exif = await Promise.all(
      theta.listFiles('image', 'oldest', 0, 3).entries.map(async (f) => (await theta.metadata(f)).exif),
    );
    expect(exif.map((e) => e['PhotographicSensitivity'])).toEqual([100, 100, 100]);
    expect(exif.map((e) => Math.round(1 / (e['ExposureTime'] as number)))).toEqual([250, 60, 15]);
    theta.startCapture('composite');
    await clock.advance(30_000);
    expect(theta.snapshot().compositeShootingElapsedTime).toBe(30);
    expect(await theta.stopCapture()).toEqual(['100RICOH/R0010004.JPG']);
  });

  it('interval composite shooting runs for _compositeShootingTime, saving every _compositeShootingOutputInterval', async () => {
    setOptions(theta, sessions, {
      fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
      _compositeShootingTime: 1200,
      _compositeShootingOutputInterval: 300,
    });
    expect(getOptions(theta, sessions, ['_compositeShootingTime', '_compositeShootingOutputInterval'])).toEqual({
      _compositeShootingTime: 1200,
      _compositeShootingOutputInterval: 300,
    });
    // Out of the documented steps: 600 … 86400 by 600, and 0 or 60 … 600 by 60.
    for (const bad of [
      { _compositeShootingTime: 900 },
      { _compositeShootingTime: 0 },
      { _compositeShootingOutputInterval: 30 },
      { _compositeShootingOutputInterval: 660 },
    ]) {
      expect(code(() => setOptions(theta, sessions, bad))).toBe('invalidParameterValue');
    }
    const run = theta.startCapture('composite');
    expect(run.limited).toBe(true);
    let ended: string[] | undefined;
    void run.finished.then((f) => (ended = f));
    // Device time moves in steps, letting each save reach the disk.
    for (let t = 0; t < 1200 && ended === undefined; t += 60) {
      await clock.advance(60_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    await expect.poll(() => ended, { timeout: 20_000 }).toBeDefined();
    expect(theta.snapshot().captureStatus).toBe('idle');
    // Saves at 300, 600 and 900 s, and the final composite at 1200 s.
    expect(ended).toHaveLength(4);
    const files = theta.listFiles('image', 'oldest', 0, 10).entries;
    expect(new Set(files.map((f) => f.compositeShootingGroupId)).size).toBe(1);
    expect(files[0]?.compositeShootingGroupId).toBeTruthy();
    expect(files[0]?.intervalCaptureGroupId).toBeUndefined();
  });

  it('answers the S options the reference lists: _latestEnabledExposureDelayTime, _HDMIreso, _wlanChannel, remaining video time', () => {
    expect(
      getOptions(theta, sessions, [
        '_HDMIresoSupport',
        '_compositeShootingTimeSupport',
        '_compositeShootingOutputIntervalSupport',
      ]),
    ).toEqual({
      _HDMIresoSupport: ['Auto', 'L', 'M', 'S'],
      _compositeShootingTimeSupport: { maxTime: 86400, minTime: 600, stepSize: 600 },
      _compositeShootingOutputIntervalSupport: { maxInterval: 600, minInterval: 0, stepSize: 60 },
    });
    setOptions(theta, sessions, { _HDMIreso: 'M', _wlanChannel: 6 });
    expect(getOptions(theta, sessions, ['_HDMIreso', '_wlanChannel'])).toEqual({ _HDMIreso: 'M', _wlanChannel: 6 });
    expect(code(() => setOptions(theta, sessions, { _wlanChannel: 3 }))).toBe('invalidParameterValue');
    // Options the reference gives no support value have no …Support name.
    for (const name of [
      '_wlanChannelSupport',
      'clientVersionSupport',
      'gpsInfoSupport',
      'dateTimeZoneSupport',
      'remainingPicturesSupport',
    ]) {
      expect(code(() => getOptions(theta, sessions, [name]))).toBe('invalidParameterName');
    }
    expect(code(() => setOptions(theta, sessions, { _latestEnabledExposureDelayTime: 5 }))).toBe(
      'invalidParameterName',
    );
    // The last self-timer that was on, kept when the timer is switched off.
    setOptions(theta, sessions, { exposureDelay: 4 });
    setOptions(theta, sessions, { exposureDelay: 0 });
    expect(getOptions(theta, sessions, ['exposureDelay', '_latestEnabledExposureDelayTime'])).toEqual({
      exposureDelay: 0,
      _latestEnabledExposureDelayTime: 4,
    });
    // v2.0 calls the remaining video time _remainingVideos, v2.1 remainingVideoSeconds.
    const v20 = getOptions(theta, sessions, ['_remainingVideos'])['_remainingVideos'] as number;
    expect(v20).toBeGreaterThan(0);
    expect(code(() => getOptions(theta, sessions, ['remainingVideoSeconds']))).toBe('invalidParameterName');
    setOptions(theta, sessions, { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    sessions.start();
    setOptions(theta, sessions, { clientVersion: 2 });
    expect(getOptions(theta, sessions, ['remainingVideoSeconds'])).toEqual({ remainingVideoSeconds: v20 });
    expect(code(() => getOptions(theta, sessions, ['_remainingVideos']))).toBe('invalidParameterName');
    // A smaller video format holds more seconds.
    setOptions(theta, sessions, { captureMode: 'video', fileFormat: { type: 'mp4', width: 1280, height: 720 } });
    expect(getOptions(theta, sessions, ['remainingVideoSeconds'])['remainingVideoSeconds']).toBeGreaterThan(v20);
  });

  it('_autoBracket (S firmware 01.82+): 2 to 13 exposures of iso, shutterSpeed and _colorTemperature, all given', async () => {
    expect(getOptions(theta, sessions, ['_autoBracketSupport'])).toEqual({
      _autoBracketSupport: { _bracketNumber: 13 },
    });
    const two = {
      _bracketNumber: 2,
      _bracketParameters: [
        { shutterSpeed: 0.004, iso: 400, _colorTemperature: 5100 },
        { shutterSpeed: 0.01, iso: 1600, _colorTemperature: 3000 },
      ],
    };
    setOptions(theta, sessions, { _autoBracket: two, fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    expect(getOptions(theta, sessions, ['_autoBracket'])).toEqual({ _autoBracket: two });
    for (const bad of [
      { _bracketNumber: 1, _bracketParameters: [two._bracketParameters[0]] },
      { _bracketNumber: 14, _bracketParameters: Array.from({ length: 14 }, () => two._bracketParameters[0]) },
      { _bracketNumber: 3, _bracketParameters: two._bracketParameters },
      { _bracketNumber: 2, _bracketParameters: [{ shutterSpeed: 0.004, iso: 400 }, two._bracketParameters[1]] },
      {
        _bracketNumber: 2,
        _bracketParameters: [{ shutterSpeed: 0.004, iso: 2500, _colorTemperature: 5000 }, two._bracketParameters[1]],
      },
      {
        _bracketNumber: 2,
        _bracketParameters: [{ shutterSpeed: 0.004, iso: 400, _colorTemperature: 5050 }, two._bracketParameters[1]],
      },
    ]) {
      expect(code(() => setOptions(theta, sessions, { _autoBracket: bad }))).toBe('invalidParameterValue');
    }
    expect(getOptions(theta, sessions, ['_autoBracket'])).toEqual({ _autoBracket: two });
    const run = theta.startCapture('bracket');
    let files: string[] | undefined;
    void run.finished.then((f) => (files = f));
    const deadline = Date.now() + 40_000;
    while (files === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      await clock.advance(1000);
    }
    expect(files).toHaveLength(2);
    const exif = await Promise.all(files!.map(async (f) => (await theta.metadata(theta.findFile(f))).exif));
    expect(exif.map((e) => e['PhotographicSensitivity'])).toEqual([400, 1600]);
    expect(exif.map((e) => Math.round(1 / (e['ExposureTime'] as number)))).toEqual([250, 100]);
  });

  it('reports a file it cannot read as corruptedFile', async () => {
    await theta.close();
    await writeFile(path.join(dir, 'internal', '100RICOH', 'R0010042.JPG'), 'not a jpeg at all');
    theta = await ThetaDevice.open({ dataDir: dir, clock });
    attach();
    const f = theta.findFile('100RICOH/R0010042.JPG');
    await expect(theta.metadata(f)).rejects.toMatchObject({ reason: 'corrupted-file' });
    // The counter continues after the highest number on the card.
    setOptions(theta, sessions, { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    const job = theta.takePicture();
    await clock.advance(2500);
    await job.finished;
    expect(job.files).toEqual(['100RICOH/R0010043.JPG']);
  });
});

/**
 * The THETA device speaks its own domain — refusals with a reason, bad setting values as
 * InvalidOptionError naming the setting, typed events — and each face translates: the OSC face
 * into OSC error codes, HTTP statuses and the option names of its API level, the PTP face into
 * response codes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { CamctlError, InvalidOptionError } from '../../src/util/errors.js';
import { ThetaDevice } from '../../src/devices/theta/device.js';
import { ThetaDeviceError } from '../../src/devices/theta/errors.js';
import type { ThetaRefusal } from '../../src/devices/theta/errors.js';
import type { ThetaFile } from '../../src/devices/theta/catalog.js';
import { OscCommandError, oscCodeOf, toOscError } from '../../src/emulator/theta/osc-errors.js';
import { deviceOptionName, getOptions, setOptions } from '../../src/emulator/theta/osc-options.js';
import { OscSessions } from '../../src/emulator/theta/osc-sessions.js';
import { ptpResponseOf } from '../../src/emulator/theta/ptp-face.js';
import { statusForOscError } from '../../src/osc/types.js';
import { Resp } from '../../src/ptp/codes.js';

let dir: string;
let clock: ManualClock;
let theta: ThetaDevice;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-domain-'));
  clock = new ManualClock(Date.UTC(2016, 6, 1, 14, 28, 45));
  theta = await ThetaDevice.open({ dataDir: dir, clock });
});

afterEach(async () => {
  await theta.close();
  await rm(dir, { recursive: true, force: true });
});

/** The refusal `fn` throws (sync or async), or undefined. */
async function refusal(fn: () => unknown): Promise<ThetaRefusal | undefined> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ThetaDeviceError) return err.reason;
    throw err;
  }
  return undefined;
}

describe('THETA device refusals', () => {
  it('are CamctlErrors with a stable code and a domain reason, no protocol names', async () => {
    theta.setOptions({ exposureDelay: 5 });
    const job = theta.takePicture();
    expect(job.state).toBe('running');
    expect(await refusal(() => theta.takePicture())).toBe('busy');
    expect(await refusal(() => theta.startCapture())).toBe('busy');
    expect(await refusal(() => theta.sleep())).toBe('busy');
    expect(await refusal(() => theta.reset())).toBe('busy');
    expect(theta.stopSelfTimer()).toBe(true);
    await job.finished;
    expect(job.state).toBe('failed');
    expect(job.error).toBeInstanceOf(CamctlError);
    expect([job.error?.code, job.error?.reason]).toEqual(['ERR_CAMCTL_THETA_DEVICE', 'canceled']);
    // Nothing runs now: stopping is a refusal, a self-timer stop an outcome the faces judge.
    expect(theta.stopSelfTimer()).toBe(false);
    expect(await refusal(() => theta.stopCapture())).toBe('nothing-running');
  });

  it('say which file is missing or malformed, and refuse metadata of a video', async () => {
    expect(await refusal(() => theta.findFile('100RICOH/R0019999.JPG'))).toBe('no-such-file');
    expect(await refusal(() => theta.findFile('../etc/passwd'))).toBe('bad-file-name');
    expect(await refusal(() => theta.findFile('100RICOH/../../x'))).toBe('bad-file-name');
    const video: ThetaFile = {
      folder: '100RICOH',
      name: 'R0010001.MP4',
      kind: 'video',
      size: 1,
      timeMs: 0,
      utcOffsetMinutes: 0,
      width: 1920,
      height: 1080,
    };
    expect(await refusal(() => theta.metadata(video))).toBe('wrong-file-kind');
    expect(await refusal(() => theta.assertReadable({ ...video, width: 0 }))).toBe('corrupted-file');
  });

  it("know settings by the camera's one vocabulary; a bad value is an InvalidOptionError naming it", async () => {
    expect(theta.getOptions(['captureInterval', 'captureMode', 'captureModeSupport'])).toEqual({
      captureInterval: 8,
      captureMode: 'image',
      captureModeSupport: ['image', 'video'],
    });
    // The v2.0 spellings and clientVersion are the OSC face's, not the camera's.
    for (const name of ['_captureInterval', '_remainingVideos', 'clientVersion'])
      expect(await refusal(() => theta.getOptions([name]))).toBe('unknown-setting');
    expect(await refusal(() => theta.setOptions({ remainingPictures: 3 }))).toBe('read-only-setting');
    let bad: unknown;
    try {
      theta.setOptions({ captureInterval: 2 });
    } catch (err) {
      bad = err;
    }
    expect(bad).toBeInstanceOf(InvalidOptionError);
    expect(bad).toMatchObject({ code: 'ERR_CAMCTL_INVALID_OPTION', option: 'captureInterval' });
    expect(theta.getOptions(['captureInterval'])).toEqual({ captureInterval: 8 });
  });

  it('a tiny medium is storage-full; asleep and off are refusals of their own', async () => {
    const small = await ThetaDevice.open({ dataDir: path.join(dir, 'small'), clock, capacityBytes: 1024 });
    try {
      expect(await refusal(() => small.takePicture())).toBe('storage-full');
      expect(small.snapshot().cameraError).toEqual(['NO_MEMORY']);
    } finally {
      await small.close();
    }
    theta.sleep();
    expect(await refusal(() => theta.takePicture())).toBe('asleep');
    await theta.switchOff();
    expect(await refusal(() => theta.setOptions({ iso: 0 }))).toBe('off');
    expect(await refusal(() => theta.wake())).toBe('off');
    theta.switchOn();
    expect(theta.power).toBe('on');
  });

  it('emits typed events: power, link-dropped with why, status, settings', async () => {
    const seen: string[] = [];
    theta.on('power', (state) => seen.push(`power:${state}`));
    theta.on('link-dropped', (why) => seen.push(`link:${why}`));
    theta.on('settings', () => seen.push('settings'));
    theta.finishWlan();
    theta.setOptions({ _filter: 'hdr' });
    theta.sleep();
    theta.wake();
    expect(seen).toEqual(['link:_finishWlan', 'settings', 'link:put to sleep', 'power:asleep', 'power:on']);
    let status = 0;
    theta.on('status', () => status++);
    theta.setOptions({ captureMode: 'video' });
    expect(status).toBe(1); // recordableTime appears in video mode
  });
});

describe('the OSC face translates', () => {
  it("every refusal into an OSC error code with RICOH's HTTP status", () => {
    const expected: Record<ThetaRefusal, [string, number]> = {
      busy: ['disabledCommand', 403],
      'storage-full': ['disabledCommand', 403],
      'nothing-running': ['disabledCommand', 403],
      asleep: ['powerOffSequenceRunning', 403],
      off: ['powerOffSequenceRunning', 403],
      canceled: ['canceledShooting', 403],
      'no-such-file': ['notFound', 404],
      'bad-file-name': ['invalidParameterValue', 400],
      'corrupted-file': ['corruptedFile', 403],
      'wrong-file-kind': ['invalidFileFormat', 403],
      'unknown-setting': ['invalidParameterName', 400],
      'read-only-setting': ['invalidParameterName', 400],
      failed: ['unexpected', 503],
    };
    for (const [reason, [code, status]] of Object.entries(expected)) {
      const osc = toOscError(new ThetaDeviceError(reason as ThetaRefusal, 'why'));
      expect([osc?.oscCode, statusForOscError(oscCodeOf(reason as ThetaRefusal)), osc?.message]).toEqual([
        code,
        status,
        'why',
      ]);
    }
    expect(toOscError(new InvalidOptionError('iso', '123 is not one of [0]'))).toMatchObject({
      oscCode: 'invalidParameterValue',
      message: 'iso: 123 is not one of [0]',
    });
    const own = new OscCommandError('invalidSessionId', 'no');
    expect(toOscError(own)).toBe(own);
    expect(toOscError(new Error('bug'))).toBeUndefined();
  });

  it('option names per API level, and refusals in the names the client used', () => {
    expect(deviceOptionName('_captureInterval', 1)).toBe('captureInterval');
    expect(deviceOptionName('_captureIntervalSupport', 1)).toBe('captureIntervalSupport');
    expect(deviceOptionName('_remainingVideos', 1)).toBe('remainingVideoSeconds');
    expect(deviceOptionName('iso', 1)).toBe('iso');
    expect(() => deviceOptionName('captureInterval', 1)).toThrow(
      expect.objectContaining({ oscCode: 'invalidParameterName' }),
    );
    expect(() => deviceOptionName('previewFormat', 1)).toThrow(
      expect.objectContaining({ oscCode: 'invalidParameterName' }),
    );
    expect(() => deviceOptionName('_captureNumber', 2)).toThrow(
      expect.objectContaining({ oscCode: 'invalidParameterName' }),
    );
    expect(deviceOptionName('captureNumber', 2)).toBe('captureNumber');

    const sessions = new OscSessions(theta);
    expect(getOptions(theta, sessions, ['captureModeSupport', '_captureInterval', 'clientVersion'])).toEqual({
      captureModeSupport: ['image', '_video'],
      _captureInterval: 8,
      clientVersion: 1,
    });
    let err: unknown;
    try {
      setOptions(theta, sessions, { _captureInterval: 3 });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      oscCode: 'invalidParameterValue',
      message: expect.stringMatching(/^_captureInterval: 3 must be/),
    });
    expect(() => setOptions(theta, sessions, { captureMode: 'video' })).toThrow(
      expect.objectContaining({ oscCode: 'invalidParameterValue' }),
    );
    setOptions(theta, sessions, { captureMode: '_video' });
    expect(theta.captureMode).toBe('video');
    setOptions(theta, sessions, { clientVersion: 2 });
    expect(sessions.api).toBe(2);
    expect(getOptions(theta, sessions, ['captureMode', 'remainingVideoSeconds'])).toEqual({
      captureMode: 'video',
      remainingVideoSeconds: expect.any(Number),
    });
    // The link drops: the face is back in v2.0 without a session.
    theta.finishWlan();
    expect([sessions.api, sessions.current]).toEqual([1, undefined]);
    sessions.detach();
  });
});

describe('the PTP face translates', () => {
  it('refusals into PTP response codes', () => {
    expect(ptpResponseOf('no-such-file')).toBe(Resp.InvalidObjectHandle);
    expect(ptpResponseOf('bad-file-name')).toBe(Resp.InvalidDevicePropValue);
    expect(ptpResponseOf('storage-full')).toBe(Resp.StoreFull);
    for (const r of ['busy', 'nothing-running', 'asleep', 'off', 'canceled', 'failed'] as const)
      expect(ptpResponseOf(r)).toBe(Resp.DeviceBusy);
  });
});

/**
 * The device answers typed outcomes and each face words them its own way: a busy camera is PTP
 * DeviceBusy and the firmware's "Storage is busy" / "Not available" over HTTP, a value off its
 * range is PTP InvalidDevicePropValue and the firmware's "Bad value" (or "Invalid resolution" …),
 * and every device change is the WebSocket notification Parrot's Sequoia API reference lists.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureStartOutcome, SettingOutcome } from '../../src/devices/sequoia/outcomes.js';
import {
  SETTING_LIMITS,
  DEFAULT_CONFIG,
  CONFIG_KEYS,
  CAPTURE_MODES,
  MONO_BANDS,
  CALIBRATION_STATES,
} from '../../src/devices/sequoia/types.js';
import { changeNotification, configNotifications } from '../../src/emulator/sequoia/notifications.js';
import { SequoiaPtpBackend } from '../../src/emulator/sequoia/ptp-face.js';
import { captureStartReply, captureStatus, settingText, settingsStatus } from '../../src/emulator/sequoia/replies.js';
import { PtpDeviceError } from '../../src/ptp/backend.js';
import { Prop, Resp } from '../../src/ptp/codes.js';
import { ParrotProp } from '../../src/ptp/vendors/parrot.js';
import * as wire from '../../src/sequoia/types.js';
import { startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';

const SMALL = { sensors_mask: 2, resolution_mono: 0.3 };

/** The PTP response code a property write gets, or 'ok'. */
async function ptpSet(ptp: SequoiaPtpBackend, code: number, value: number | string): Promise<number | 'ok'> {
  try {
    await ptp.setProp(code, value);
    return 'ok';
  } catch (err) {
    if (err instanceof PtpDeviceError) return err.responseCode;
    throw err;
  }
}

describe('settings outcomes, worded by each face', () => {
  let cam: TestSequoia | undefined;
  afterEach(async () => {
    await cam?.stop();
    cam = undefined;
  });

  it('an out-of-range value: reason out-of-range, InvalidDevicePropValue over PTP, the firmware text over HTTP', async () => {
    cam = await startTestSequoia();
    const ptp = new SequoiaPtpBackend(cam.device);
    expect(
      cam.device.setConfig({ overlap_param: 80.5, resolution_rgb: 13, bit_depth: 9, sensors_mask: 0, gps_param: 4 })
        .outcomes,
    ).toEqual({
      overlap_param: { ok: false, reason: 'out-of-range' },
      resolution_rgb: { ok: false, reason: 'out-of-range' },
      bit_depth: { ok: false, reason: 'out-of-range' },
      sensors_mask: { ok: false, reason: 'out-of-range' },
      gps_param: { ok: false, reason: 'out-of-range' },
    });
    expect(await ptpSet(ptp, ParrotProp.OverlapRate, 100)).toBe(Resp.InvalidDevicePropValue);
    expect(await ptpSet(ptp, ParrotProp.GPSInterval, 400)).toBe(Resp.InvalidDevicePropValue);
    expect(await ptpSet(ptp, ParrotProp.PhotoSensorEnableMask, 32)).toBe(Resp.InvalidDevicePropValue);
    const r = await cam.post('/config', { overlap_param: 80.5, resolution_rgb: 13, bit_depth: 9, sensors_mask: 0 });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      request: 'set_config',
      overlap_param: 'Bad value',
      resolution_rgb: 'Invalid resolution',
      bit_depth: 'Invalid bit depth',
      sensors_mask: 'Invalid mask',
    });
    ptp.close();
  });

  it('a picture size PTP does not list is refused, never taken for another size', async () => {
    cam = await startTestSequoia();
    const ptp = new SequoiaPtpBackend(cam.device);
    cam.device.setConfig({ resolution_rgb: 12, resolution_mono: 0.3 });
    expect(await ptpSet(ptp, Prop.ImageSize, '1 x 1')).toBe(Resp.InvalidDevicePropValue);
    expect(await ptpSet(ptp, ParrotProp.MultispectralImageSize, '2 x 2')).toBe(Resp.InvalidDevicePropValue);
    expect(cam.device.getConfig()).toMatchObject({ resolution_rgb: 12, resolution_mono: 0.3 });
    expect(await ptpSet(ptp, Prop.ImageSize, '4608 x 3456')).toBe('ok');
    expect(cam.device.getConfig().resolution_rgb).toBe(16);
    ptp.close();
  });

  it('storage while capturing: reason busy, DeviceBusy over PTP, "Storage is busy" over HTTP; other fields still apply', async () => {
    cam = await startTestSequoia();
    const ptp = new SequoiaPtpBackend(cam.device);
    cam.device.setConfig({ ...SMALL, capture_mode: 'timelapse', timelapse_param: 10 });
    expect((await cam.device.startCapture()).ok).toBe(true);
    expect(cam.device.setConfig({ storage_selected: 'sd', overlap_param: 70 }).outcomes).toEqual({
      storage_selected: { ok: false, reason: 'busy' },
      overlap_param: { ok: true },
    });
    expect(await ptpSet(ptp, ParrotProp.SelectedStorage, 0x00020001)).toBe(Resp.DeviceBusy);
    const r = await cam.post('/config', { storage_selected: 'sd' });
    expect(r).toMatchObject({ status: 400, body: { request: 'set_config', storage_selected: 'Storage is busy' } });
    expect(cam.device.stopCapture()).toEqual({ ok: true });
    await cam.device.whenSessionEnds();
    expect(await ptpSet(ptp, ParrotProp.SelectedStorage, 0x00020001)).toBe('ok');
    ptp.close();
  });

  it('the SD card selected while absent: reason no-medium, InvalidDevicePropValue over PTP, "Bad value" over HTTP', async () => {
    cam = await startTestSequoia({ sdPresent: false });
    const ptp = new SequoiaPtpBackend(cam.device);
    expect(cam.device.setConfig({ storage_selected: 'sd' }).outcomes).toEqual({
      storage_selected: { ok: false, reason: 'no-medium' },
    });
    expect(await ptpSet(ptp, ParrotProp.SelectedStorage, 0x00020001)).toBe(Resp.InvalidDevicePropValue);
    expect((await cam.post('/config', { storage_selected: 'sd' })).body).toEqual({
      request: 'set_config',
      storage_selected: 'Bad value',
    });
    ptp.close();
  });

  it('an unknown setting: reason unknown-setting, "Unknown setting"; the request field is not a setting', async () => {
    cam = await startTestSequoia();
    expect(cam.device.setConfig({ shutter: 1 }).outcomes).toEqual({
      shutter: { ok: false, reason: 'unknown-setting' },
    });
    expect((await cam.post('/config', { request: 'set_config', shutter: 1 })).body).toEqual({
      request: 'set_config',
      shutter: 'Unknown setting',
    });
  });

  it('the model takes typed values only; the web UI forms ("10bits", "0.3") are read by the HTTP face', async () => {
    cam = await startTestSequoia();
    expect(cam.device.setConfig({ bit_depth: '8bits', resolution_mono: '0.3' }).applied).toBe(false);
    const r = await cam.post('/config', { bit_depth: '8bits', resolution_mono: '0.3' });
    expect(r).toMatchObject({ status: 200, body: { bit_depth: 'Ok', resolution_mono: 'Ok' } });
    expect(cam.device.getConfig()).toMatchObject({ bit_depth: 8, resolution_mono: 0.3 });
  });
});

describe('capture outcomes, worded by each face', () => {
  let cam: TestSequoia | undefined;
  afterEach(async () => {
    await cam?.stop();
    cam = undefined;
  });

  it('a second start while one runs: reason busy, DeviceBusy over PTP, 409 "Not available" over HTTP', async () => {
    cam = await startTestSequoia();
    const ptp = new SequoiaPtpBackend(cam.device);
    cam.device.setConfig({ ...SMALL, capture_mode: 'timelapse', timelapse_param: 10 });
    const first = await cam.device.startCapture();
    expect(first).toEqual({
      ok: true,
      activity: { kind: 'series', medium: 'internal', folder: '0000' },
      medium: 'internal',
      folder: '0000',
    });
    expect(await cam.device.startCapture()).toEqual({ ok: false, reason: 'busy' });
    const viaPtp = await ptp.initiateOpenCapture(0, 0, { transactionId: 7, sendEvent: () => undefined }).then(
      () => 'ok',
      (e: PtpDeviceError) => e.responseCode,
    );
    expect(viaPtp).toBe(Resp.DeviceBusy);
    expect(await cam.get('/capture/start')).toMatchObject({
      status: 409,
      body: { request: 'capture_start', status: 'Not available' },
    });
    expect(cam.device.stopCapture()).toEqual({ ok: true });
    await cam.device.whenSessionEnds();
    expect(cam.device.stopCapture()).toEqual({ ok: false, reason: 'not-running' });
    expect(await cam.get('/capture/stop')).toMatchObject({ status: 409, body: { status: 'Capture is not running' } });
    ptp.close();
  });

  it('each refusal has its HTTP status and firmware text', () => {
    const table: Array<[CaptureStartOutcome, number, string]> = [
      [{ ok: false, reason: 'busy' }, 409, 'Not available'],
      [{ ok: false, reason: 'calibrating' }, 409, 'Calibration running'],
      [{ ok: false, reason: 'full' }, 507, 'Storage full'],
      [{ ok: false, reason: 'no-medium' }, 503, 'Not available'],
      [{ ok: false, reason: 'read-only' }, 503, 'Not available'],
      [{ ok: false, reason: 'medium-fault' }, 503, 'Not available'],
    ];
    for (const [outcome, status, text] of table)
      expect(captureStartReply(outcome), outcome.ok ? '' : outcome.reason).toEqual({
        httpStatus: status,
        status: text,
      });
    // The radiometric start answers 409 for anything but a full medium.
    expect(captureStartReply({ ok: false, reason: 'no-medium' }, true)).toEqual({
      httpStatus: 409,
      status: 'Not available',
    });
    expect(captureStartReply({ ok: false, reason: 'full' }, true)).toEqual({ httpStatus: 507, status: 'Storage full' });
    expect(captureStartReply({ ok: true, activity: { kind: 'radiometric' }, medium: 'sd' })).toEqual({
      httpStatus: 200,
      status: 'Radiometric Calibration Running',
      path: '/sd',
    });
    expect(
      captureStartReply({
        ok: true,
        activity: { kind: 'snapshot', medium: 'internal', folder: '0003' },
        medium: 'internal',
        folder: '0003',
      }),
    ).toEqual({
      httpStatus: 200,
      status: 'Snapshot running',
      path: '/internal/0003',
    });
    expect(captureStatus({ kind: 'idle' })).toEqual({ status: 'Ready' });
    expect(captureStatus({ kind: 'calibrating' })).toEqual({ status: 'Calibration running' });
    expect(captureStatus({ kind: 'series' })).toEqual({ status: 'Timelapse running' });
  });
});

describe('the words of the wire', () => {
  it('a refused setting reads as the firmware says, by field', () => {
    const out: SettingOutcome = { ok: false, reason: 'out-of-range' };
    expect(
      ['capture_mode', 'timelapse_param', 'resolution_rgb', 'resolution_mono', 'bit_depth', 'sensors_mask', 'ssid'].map(
        (k) => settingText(k, out),
      ),
    ).toEqual([
      'Bad value',
      'Bad value',
      'Invalid resolution',
      'Invalid resolution',
      'Invalid bit depth',
      'Invalid mask',
      'Bad value',
    ]);
    expect(settingText('storage_selected', { ok: false, reason: 'busy' })).toBe('Storage is busy');
    expect(settingText('storage_selected', { ok: false, reason: 'no-medium' })).toBe('Bad value');
    expect(settingText('x', { ok: false, reason: 'unknown-setting' })).toBe('Unknown setting');
    expect(settingText('x', { ok: true })).toBe('Ok');
    expect(settingsStatus({ a: { ok: false, reason: 'busy' } }, false)).toBe(400);
    expect(settingsStatus({ a: { ok: false, reason: 'busy' }, b: { ok: true } }, true)).toBe(200);
    expect(settingsStatus({ rgb: { iso: { ok: false, reason: 'out-of-range' } } }, false)).toBe(400);
    expect(settingsStatus({}, false)).toBe(200);
  });

  it('every device change is one of the notifications the API reference lists', () => {
    expect(changeNotification({ kind: 'capture', running: true })).toEqual({ status: 'change', capture: 'running' });
    expect(changeNotification({ kind: 'capture', running: false })).toEqual({ status: 'change', capture: 'ready' });
    expect(changeNotification({ kind: 'sunshine', connected: false })).toEqual({
      status: 'change',
      sunshine: 'disconnected',
    });
    expect(changeNotification({ kind: 'stay-still', still: true })).toEqual({ status: 'change', staystill: 'yes' });
    expect(changeNotification({ kind: 'storage-selected', medium: 'sd' })).toEqual({
      status: 'change',
      storage_select: 'sd',
    });
    expect(changeNotification({ kind: 'medium-state', medium: 'sd', state: 'no-longer-full' })).toEqual({
      status: 'change',
      storage_status: 'sd',
      state: 'no_longer_full',
    });
    expect(changeNotification({ kind: 'calibration', target: 'body', state: 'Psi pending' })).toEqual({
      status: 'change',
      calibration: 'body',
      state: 'Psi pending',
    });
    expect(changeNotification({ kind: 'gps-fix', fix: true })).toEqual({ status: 'change', fix: 'yes' });
    const c = { ...DEFAULT_CONFIG, resolution_rgb: 12 as const };
    expect(
      configNotifications({ storage_selected: 'sd', resolution_rgb: 12, capture_mode: 'single', auto_select: 'on' }, c),
    ).toEqual([
      { status: 'change', capture_mode: 'single' },
      { status: 'change', resolution_rgb: 12, resolution_mono: 1.2 },
      { status: 'change', storage_select: 'internal' },
    ]);
  });

  it("the model's vocabulary and limits are the ones the client checks against", () => {
    // The client refuses before sending what the camera would refuse: the two must agree.
    expect(SETTING_LIMITS).toEqual(wire.LIMITS);
    expect(DEFAULT_CONFIG).toEqual(wire.DEFAULT_CONFIG);
    expect(CONFIG_KEYS).toEqual(wire.CONFIG_KEYS);
    expect(CAPTURE_MODES).toEqual(wire.CAPTURE_MODES);
    expect(MONO_BANDS).toEqual(wire.MONO_BANDS);
    expect(CALIBRATION_STATES).toEqual(wire.CALIBRATION_STATES);
  });
});

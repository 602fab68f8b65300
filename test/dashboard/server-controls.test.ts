/**
 * The dashboard's Sequoia control routes (calibration, Wi-Fi, manual exposure) and the picture
 * metadata route over real loopback sockets, against an emulated Sequoia and an emulated THETA:
 * the camera's answers, bad input refused in the API's shape before anything reaches the camera,
 * a THETA asked for a Sequoia control, and EXIF / GPS / band read from a captured band file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiError,
  CaptureReply,
  PictureMetadata,
  SequoiaAnswer,
  SequoiaManual,
  SequoiaWifi,
} from '../../src/dashboard/api-types.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import { startSequoiaEmulator, type RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';

describe('dashboard camera controls API', () => {
  let tmp: string;
  let seq: RunningSequoiaEmulator;
  let theta: { url: string; close(): Promise<void> };
  let dash: RunningDashboard;
  let seqId: string;
  let thetaId: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-dash-ctl-api-'));
    seq = await startSequoiaEmulator({ dataDir: path.join(tmp, 'seq'), calibrationStepMs: 200 });
    theta = await startThetaEmulator({ dataDir: path.join(tmp, 'theta'), httpPort: 0 });
    dash = await startDashboard({
      cameras: [seq.url.replace('http:', 'sequoia:'), theta.url.replace('http:', 'theta:')],
      cacheDir: path.join(tmp, 'cache'),
      assetsDir: path.join(tmp, 'no-ui'),
      pollIntervalMs: 200,
    });
    seqId = dash.hub.list().find((c) => c.protocol === 'sequoia')!.id;
    thetaId = dash.hub.list().find((c) => c.protocol === 'theta')!.id;
    for (let i = 0; i < 300 && !dash.hub.list().every((c) => c.state === 'online'); i++)
      await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    await dash?.close();
    await seq?.close();
    await theta?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const call = async <T>(
    method: 'GET' | 'POST',
    id: string,
    action: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const init: RequestInit = {
      method,
      headers: { origin: dash.url.slice(0, -1), 'content-type': 'application/json' },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${dash.url}api/cameras/${id}/${action}`, init);
    return { status: res.status, body: (await res.json()) as T };
  };

  it('starts a calibration and reads it through to Ok', async () => {
    expect((await call<{ body: string }>('GET', seqId, 'sequoia/calibration')).body.body).toBe('None');
    const started = await call<SequoiaAnswer>('POST', seqId, 'sequoia/calibration/start', { target: 'body' });
    expect(started.status).toBe(200);
    expect(started.body.results).toEqual({ body: expect.any(String) });
    await expect
      .poll(async () => (await call<{ body: string }>('GET', seqId, 'sequoia/calibration')).body.body, {
        timeout: 10_000,
      })
      .toBe('Ok');
    const bad = await call<ApiError>('POST', seqId, 'sequoia/calibration/start', { target: 'lens' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/body, sunshine, radiometric/);
  });

  it('renames the Wi-Fi, and refuses a name over 32 bytes before asking the camera', async () => {
    const r = await call<SequoiaAnswer>('POST', seqId, 'sequoia/wifi', { ssid: 'Field_7' });
    expect(r.status).toBe(200);
    expect((await call<SequoiaWifi>('GET', seqId, 'sequoia/wifi')).body).toEqual({ ssid: 'Field_7', status: 'on' });
    const long = await call<ApiError>('POST', seqId, 'sequoia/wifi', { ssid: 'x'.repeat(33) });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('ERR_CAMCTL_DASHBOARD_BAD_REQUEST');
    expect((await call<SequoiaWifi>('GET', seqId, 'sequoia/wifi')).body.ssid).toBe('Field_7');
  });

  it('sets manual exposure per sensor and refuses unknown keys and bad numbers', async () => {
    const r = await call<SequoiaAnswer>('POST', seqId, 'sequoia/manual', {
      values: { rgb: { mode: 'manual', exp_us: 2530, iso: 200 }, monochrome: { red_edge: { iso: 400 } } },
    });
    expect(r.status).toBe(200);
    const m = (await call<SequoiaManual>('GET', seqId, 'sequoia/manual')).body;
    expect(m.rgb).toEqual({ mode: 'manual', exp_us: 2530, iso: 200 });
    expect(m.monochrome.red_edge.iso).toBe(400);
    for (const values of [
      { rgb: { exp_us: -1 } },
      { rgb: { shutter: 1 } },
      { thermal: {} },
      { monochrome: { blue: { iso: 100 } } },
      { rgb: { mode: 'fast' } },
    ]) {
      const bad = await call<ApiError>('POST', seqId, 'sequoia/manual', { values });
      expect(bad.status, JSON.stringify(values)).toBe(400);
    }
  });

  it('answers a Sequoia control asked of a THETA with UNSUPPORTED, in camera words', async () => {
    const r = await call<ApiError>('GET', thetaId, 'sequoia/wifi');
    expect(r.status).toBe(501);
    expect(r.body.error.message).toMatch(/Parrot Sequoia.*theta:\/\//);
    expect((await call<ApiError>('GET', seqId, 'sequoia/nothing')).status).toBe(404);
  });

  it('reads the band, camera and attitude of a captured band file', async () => {
    const shot = (await call<CaptureReply>('POST', seqId, 'capture')).body;
    const nir = shot.files.find((f) => f.name.endsWith('_NIR.TIF'))!;
    const m = await call<PictureMetadata>('GET', seqId, `metadata?path=${encodeURIComponent(nir.path)}`);
    expect(m.status).toBe(200);
    expect(m.body).toMatchObject({
      path: nir.path,
      make: 'Parrot',
      model: 'Sequoia',
      band: 'NIR',
      centralWavelength: 790,
      wavelengthFwhm: 40,
    });
    expect(m.body.attitude).toEqual({ yaw: expect.any(Number), pitch: expect.any(Number), roll: expect.any(Number) });
    expect(m.body.captureTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(m.body.width).toBeGreaterThan(0);
    expect(m.body.exposureTime).toBeGreaterThan(0);
    const rgb = shot.files.find((f) => f.name.endsWith('_RGB.JPG'))!;
    expect((await call<PictureMetadata>('GET', seqId, `metadata?path=${encodeURIComponent(rgb.path)}`)).body.band).toBe(
      'RGB',
    );
    expect((await call<ApiError>('GET', seqId, 'metadata?path=/internal/9999/nothing.TIF')).status).toBe(404);
  });
});

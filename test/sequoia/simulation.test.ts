/**
 * What moves on its own: the status simulation, GPS fix, calibration, WebSocket pings and
 * notifications to many clients, and what persists across a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openWs, startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';
import { tempDir } from '../helpers/tmp.js';

let cam: TestSequoia | undefined;
afterEach(async () => {
  await cam?.stop();
  cam = undefined;
});

describe('status simulation', () => {
  it('temperatures warm up, the IMU moves, sunshine follows the sun (zero at night)', async () => {
    // 12:00 UTC on a June day over the default survey in France.
    const { ManualClock } = await import('../../src/util/clock.js');
    cam = await startTestSequoia({ clock: new ManualClock(Date.UTC(2024, 5, 21, 12, 0, 0)) });
    const a = (await cam.get('/status')).body;
    await cam.clock.advance(600_000);
    const b = (await cam.get('/status')).body;
    expect(b.temperature.body_p7).toBeGreaterThan(a.temperature.body_p7);
    expect(b.instruments.body_yaw).not.toBe(a.instruments.body_yaw);
    // More than the real camera's sensor read under an April morning sun (28 counts in red).
    expect(b.sunshine.red_0).toBeGreaterThan(40);
    expect(b.sunshine.status).toBe('Ok');
    await cam.clock.advance(12 * 3_600_000); // midnight
    expect((await cam.get('/status/sunshine')).body.sunshine.red_0).toBe(0);
  });

  it('GPS gets its fix after the configured time, announces it, and then follows the track', async () => {
    cam = await startTestSequoia({ gpsFixAfterMs: 20_000 });
    const events = await openWs(cam.url);
    expect((await cam.get('/status/gps')).body.gps.fix).toBe(0);
    await cam.clock.advance(20_000);
    await events.next((m) => m.fix === 'yes');
    const g1 = (await cam.get('/status/gps')).body.gps;
    expect(g1).toMatchObject({ fix: 1, status: 'Ok', speed: 12 });
    expect(g1.satellite_number).toBeGreaterThanOrEqual(7);
    for (const k of [
      'degres_lat',
      'minutes_lat',
      'seconds_lat',
      'degres_lon',
      'minutes_lon',
      'seconds_lon',
      'altitude',
    ])
      expect(typeof g1[k]).toBe('number');
    await cam.clock.advance(10_000);
    const g2 = (await cam.get('/status/gps')).body.gps;
    expect([g2.minutes_lon, g2.seconds_lon]).not.toEqual([g1.minutes_lon, g1.seconds_lon]);
    await cam.post('/_emulator/gps', { fix: false });
    await events.next((m) => m.fix === 'no');
    events.close();
  });

  it('without the sunshine sensor its angles read "none"', async () => {
    cam = await startTestSequoia({ sunshineConnected: false });
    const i = (await cam.get('/status/instruments')).body.instruments;
    expect([i.sunshine_yaw, i.sunshine_pitch, i.sunshine_roll]).toEqual(['none', 'none', 'none']);
  });
});

describe('calibration', () => {
  it('walks Psi, Theta, Phi pending to Ok as the device turns, with notifications', async () => {
    cam = await startTestSequoia({ calibrationStepMs: 4000 });
    const events = await openWs(cam.url);
    const r = await cam.get('/calibration/body/start');
    expect(r.body).toEqual({ request: 'calibration_body_start', status: 'Calibration running' });
    expect((await cam.get('/capture')).body.status).toBe('Calibration running');
    expect((await cam.get('/calibration')).body).toEqual({
      body: 'Psi pending',
      sunshine: 'None',
      request: 'get_calibration',
    });
    const yaw0 = (await cam.get('/status/instruments')).body.instruments.body_yaw;
    await cam.clock.advance(2000);
    expect((await cam.get('/status/instruments')).body.instruments.body_yaw).not.toBeCloseTo(yaw0, 0);
    await cam.clock.advance(2000);
    expect((await cam.get('/calibration')).body.body).toBe('Theta pending');
    await cam.clock.advance(4000);
    expect((await cam.get('/calibration')).body.body).toBe('Phi pending');
    await cam.clock.advance(4000);
    expect((await cam.get('/calibration')).body.body).toBe('Ok');
    const states = events.messages.filter((m) => m.calibration === 'body').map((m) => m.state);
    expect(states).toEqual(['Running', 'Psi pending', 'Theta pending', 'Phi pending', 'Ok']);
    expect((await cam.get('/capture')).body.status).toBe('Ready');
    events.close();
  });

  it('stop aborts both targets', async () => {
    cam = await startTestSequoia();
    await cam.get('/calibration/start');
    await cam.clock.advance(1000);
    expect((await cam.get('/calibration/stop')).status).toBe(200);
    expect((await cam.get('/calibration')).body).toEqual({
      body: 'Aborted',
      sunshine: 'Aborted',
      request: 'get_calibration',
    });
    expect((await cam.get('/calibration/sunshine/stop')).status).toBe(409);
  });
});

describe('websocket', () => {
  it('pings every few seconds; a client answering pong stays, a silent one is dropped; many clients get every notification', async () => {
    cam = await startTestSequoia({ pingIntervalMs: 3000 });
    const polite = await openWs(cam.url);
    const silent = await openWs(cam.url, false);
    const third = await openWs(cam.url);
    const silentClosed = new Promise<void>((r) => silent.ws.once('close', () => r()));
    await cam.clock.advance(3000);
    await polite.next((m) => m.status === 'ping');
    await silent.next((m) => m.status === 'ping');
    await new Promise((r) => setTimeout(r, 100));
    await cam.clock.advance(3000);
    await silentClosed;
    await cam.post('/config', { capture_mode: 'timelapse', timelapse_param: 5, sensors_mask: 16 });
    for (const c of [polite, third]) {
      await c.next((m) => m.capture_mode === 'timelapse');
      await c.next((m) => m.timelapse_param === 5);
      await c.next((m) => m.sensors_mask === 16);
    }
    expect(polite.ws.readyState).toBe(WebSocket.OPEN);
    polite.close();
    third.close();
  });

  it('sunshine, resolution and bit depth notifications', async () => {
    cam = await startTestSequoia();
    const c = await openWs(cam.url);
    await cam.post('/_emulator/sunshine', { connected: false });
    await c.next((m) => m.sunshine === 'disconnected');
    await cam.post('/config', { resolution_rgb: 12, bit_depth: 8 });
    expect(await c.next((m) => 'resolution_rgb' in m)).toEqual({
      status: 'change',
      resolution_rgb: 12,
      resolution_mono: 1.2,
    });
    expect(await c.next((m) => 'bit_depth' in m)).toEqual({ status: 'change', bit_depth: 8 });
    c.close();
  });
});

describe('persistence', () => {
  it('files, folder counter, config, SSID and manual mode survive a restart', async () => {
    const tmp = await tempDir();
    try {
      let c = await startTestSequoia({}, tmp.dir);
      await c.post('/config', { sensors_mask: 16, resolution_mono: 0.3, capture_mode: 'single', gps_param: 40 });
      await c.post('/wifi', { ssid: 'Field_7' });
      await c.post('/manualmode', { rgb: { mode: 'manual', exp_us: 1000, iso: 400 } });
      await c.get('/capture/start');
      await c.device.whenSessionEnds();
      await c.close();
      c = await startTestSequoia({}, tmp.dir);
      expect((await c.get('/config')).body).toMatchObject({ sensors_mask: 16, resolution_mono: 0.3, gps_param: 40 });
      expect((await c.get('/wifi')).body.ssid).toBe('Field_7');
      expect((await c.get('/manualmode')).body.rgb).toEqual({ mode: 'manual', exp_us: 1000, iso: 400 });
      expect((await c.get('/file/internal')).body).toEqual({ request: 'file_info', '/internal/0000': 1 });
      expect((await c.get('/capture/start')).body.path).toBe('/internal/0001');
      await c.device.whenSessionEnds();
      await c.close();
    } finally {
      await tmp.cleanup();
    }
  });
});

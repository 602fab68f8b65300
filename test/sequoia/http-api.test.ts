/**
 * The emulated Sequoia's HTTP API against the examples of Parrot's Sequoia API reference: every endpoint's keys, value types
 * and units, over real HTTP on 127.0.0.1 port 0 and real files in a temp dir.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';

let cam: TestSequoia;
beforeEach(async () => {
  cam = await startTestSequoia();
});
afterEach(async () => {
  await cam.stop();
});

describe('reply shapes (seed examples)', () => {
  it('GET /capture when idle', async () => {
    const r = await cam.get('/capture');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.body).toEqual({ request: 'capture_status', status: 'Ready' });
  });

  it('GET /config has every key with the API reference types; doubles keep their decimal point', async () => {
    const r = await cam.get('/config');
    expect(Object.keys(r.body)).toEqual([
      'request',
      'capture_mode',
      'timelapse_param',
      'gps_param',
      'overlap_param',
      'resolution_rgb',
      'resolution_mono',
      'bit_depth',
      'sensors_mask',
      'storage_selected',
      'auto_select',
    ]);
    expect(r.body).toMatchObject({
      request: 'get_config',
      capture_mode: 'single',
      resolution_rgb: 16,
      resolution_mono: 1.2,
      bit_depth: 10,
      sensors_mask: 31,
      storage_selected: 'internal',
      auto_select: 'off',
    });
    // As the camera prints them: "gps_param": 25.0
    expect(r.text).toContain('"gps_param":25.0');
    expect(r.text).toContain('"overlap_param":80.0');
  });

  it('POST /config with the API reference payload echoes Ok for every key and applies it', async () => {
    const payload = {
      capture_mode: 'single',
      timelapse_param: 2.5,
      gps_param: 25.0,
      overlap_param: 80.0,
      resolution_rgb: 12,
      resolution_mono: 1.2,
      bit_depth: 10,
      sensors_mask: 31,
      storage_selected: 'internal',
      auto_select: 'off',
    };
    const r = await cam.post('/config', payload);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      request: 'set_config',
      ...Object.fromEntries(Object.keys(payload).map((k) => [k, 'Ok'])),
    });
    const g = await cam.get('/config');
    expect(g.body.timelapse_param).toBe(2.5);
    expect(g.body.resolution_rgb).toBe(12);
  });

  it('GET /status has the four parts with the API reference keys', async () => {
    const r = await cam.get('/status');
    expect(r.body.request).toBe('get_status');
    expect(Object.keys(r.body.sunshine).sort()).toEqual(
      [
        'green_0',
        'red_0',
        'red_edge_0',
        'near_infrared_0',
        'green_1',
        'red_1',
        'red_edge_1',
        'near_infrared_1',
        'status',
      ].sort(),
    );
    expect(Object.keys(r.body.temperature).sort()).toEqual(
      ['body_p7', 'body_p7mu', 'body_ddr3', 'body_wifi', 'body_imu', 'sunshine_imu', 'status'].sort(),
    );
    expect(r.body.gps).toEqual({
      satellite_number: expect.any(Number),
      precision: 0,
      speed: 0,
      fix: 0,
      status: 'No GPS coordinates available',
    });
    expect(Object.keys(r.body.instruments).sort()).toEqual(
      ['body_yaw', 'body_pitch', 'body_roll', 'sunshine_yaw', 'sunshine_pitch', 'sunshine_roll', 'status'].sort(),
    );
    for (const v of Object.values(r.body.instruments)) if (v !== 'Ok') expect(typeof v).toBe('number');
    expect(r.text).toMatch(/"body_p7":\d+\.0/);
  });

  it.each(['gps', 'instruments', 'sunshine', 'temperature'])('GET /status/%s answers that part alone', async (part) => {
    const r = await cam.get(`/status/${part}`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['request', part].sort());
    expect(r.body.request).toBe(`get_${part}`);
  });

  it('GET /calibration', async () => {
    const r = await cam.get('/calibration');
    expect(r.body).toEqual({ body: 'None', sunshine: 'None', request: 'get_calibration' });
  });

  it('GET /storage: KiB as doubles, both media, sd absent without a card', async () => {
    const r = await cam.get('/storage');
    expect(r.body).toEqual({
      request: 'get_storage',
      storage_selected: 'internal',
      internal: { total: 59272328, free: 59272328, path: '/internal', read_only: 'no', corrupted: 'no' },
      sd: { total: 7630848, free: 7630848, path: '/sd', read_only: 'no', corrupted: 'no' },
    });
    expect(r.text).toContain('"total":59272328.0');
    await cam.post('/_emulator/sd', { present: false });
    const r2 = await cam.get('/storage');
    expect(r2.body.sd).toBeUndefined();
  });

  it('GET /file on an empty camera', async () => {
    const r = await cam.get('/file');
    expect(r.body).toEqual({ request: 'file_info', '/internal': 0, '/sd': 0 });
    expect(r.text).toContain('"/internal":0.0');
    expect((await cam.get('/file/internal')).body).toEqual({ request: 'file_info' });
  });

  it('GET /version with and without the sunshine sensor', async () => {
    const r = await cam.get('/version');
    expect(r.body).toEqual({
      request: 'get_version',
      version: '1.4.1',
      serial_number: 'PI040378AA6A000109',
      sunshine_serial_number: expect.any(String),
    });
    await cam.post('/_emulator/sunshine', { connected: false });
    expect((await cam.get('/version')).body.sunshine_serial_number).toBeUndefined();
  });

  it('GET and POST /wifi; the SSID persists', async () => {
    expect((await cam.get('/wifi')).body).toEqual({ request: 'get_wifi', ssid: 'Sequoia_0109', status: 'on' });
    const r = await cam.post('/wifi', { ssid: 'new_ssid' });
    expect(r.body).toEqual({ request: 'set_wifi', ssid: 'Ok' });
    expect((await cam.get('/wifi')).body.ssid).toBe('new_ssid');
    const bad = await cam.post('/wifi', { ssid: 'x'.repeat(33) });
    expect(bad.status).toBe(400);
    expect(bad.body.ssid).toBe('Bad value');
  });

  it('POST then GET /manualmode as in the API reference (near_infrared, the firmware key)', async () => {
    const payload = {
      monochrome: {
        mode: 'manual',
        green: { exp_us: 12000, iso: 800 },
        red: { exp_us: 13000, iso: 200 },
        red_edge: { exp_us: 14000, iso: 400 },
        near_infrared: { exp_us: 15000, iso: 100 },
      },
      rgb: { mode: 'manual', exp_us: 2530, iso: 200 },
    };
    const r = await cam.post('/manualmode', payload);
    expect(r.body).toEqual({
      request: 'set_manualmode',
      monochrome: {
        mode: 'Ok',
        green: { exp_us: 'Ok', iso: 'Ok' },
        red: { exp_us: 'Ok', iso: 'Ok' },
        red_edge: { exp_us: 'Ok', iso: 'Ok' },
        near_infrared: { exp_us: 'Ok', iso: 'Ok' },
      },
      rgb: { mode: 'Ok', exp_us: 'Ok', iso: 'Ok' },
    });
    const g = await cam.get('/manualmode');
    expect(g.body).toEqual({ request: 'get_manualmode', ...payload });
  });
});

describe('bad input', () => {
  it('POST /config: each rejected field gets its error text, accepted ones apply', async () => {
    const r = await cam.post('/config', {
      timelapse_param: 0.1,
      resolution_rgb: 13,
      bit_depth: 9,
      sensors_mask: 40,
      gps_param: 30,
      colour: 'red',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      request: 'set_config',
      timelapse_param: 'Bad value',
      resolution_rgb: 'Invalid resolution',
      bit_depth: 'Invalid bit depth',
      sensors_mask: 'Invalid mask',
      gps_param: 'Ok',
      colour: 'Unknown setting',
    });
    expect((await cam.get('/config')).body.gps_param).toBe(30);
  });

  it('POST /config: nothing applicable → 400; the UI form values ("10bits", numbers as strings) are accepted', async () => {
    const r = await cam.post('/config', { capture_mode: 'burst', overlap_param: '120' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ request: 'set_config', capture_mode: 'Bad value', overlap_param: 'Bad value' });
    const ui = await cam.post('/config', { bit_depth: '8bits', timelapse_param: '5', sensors_mask: '30' });
    expect(ui.body).toEqual({ request: 'set_config', bit_depth: 'Ok', timelapse_param: 'Ok', sensors_mask: 'Ok' });
    const g = (await cam.get('/config')).body;
    expect([g.bit_depth, g.timelapse_param, g.sensors_mask]).toEqual([8, 5, 30]);
  });

  it('timelapse under 1 s is refused with RGB on and accepted with RGB off', async () => {
    expect((await cam.post('/config', { timelapse_param: 0.5 })).body.timelapse_param).toBe('Bad value');
    expect((await cam.post('/config', { sensors_mask: 30, timelapse_param: 0.5 })).body).toEqual({
      request: 'set_config',
      sensors_mask: 'Ok',
      timelapse_param: 'Ok',
    });
  });

  it('malformed JSON, non-object bodies, oversized bodies', async () => {
    const bad = await cam.post('/config', '{"capture_mode": ');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ request: 'set_config', error: 'Unable to parse json' });
    expect((await cam.post('/config', '[1,2]')).status).toBe(400);
    const big = await cam.post('/config', JSON.stringify({ capture_mode: 'x'.repeat(70 * 1024) }));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatch(/larger than/);
    // The server is still fine.
    expect((await cam.get('/capture')).status).toBe(200);
  });

  it('unknown route → 404 JSON, wrong method → 405 with Allow', async () => {
    const r = await cam.get('/nothing/here');
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('Unknown request');
    const m = await cam.get('/version', { method: 'POST' });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET');
    expect(m.body.error).toMatch(/not allowed/);
    expect((await cam.get('/capture/start', { method: 'PUT' })).status).toBe(405);
  });
});

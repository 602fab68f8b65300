/**
 * Capture modes as state machines over injected time: single, timelapse (an hour in
 * milliseconds), gps_position and auto along the simulated track, radiometric; real files.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { FILE_NAME_PATTERN } from '../../src/sequoia/types.js';
import { openWs, startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';

let cam: TestSequoia | undefined;
afterEach(async () => {
  await cam?.stop();
  cam = undefined;
});

/** Small, fast captures: mono 0.3 MP only (the RGB path is covered by the single-shot test). */
const SMALL = { sensors_mask: 30, resolution_mono: 0.3 };

describe('single', () => {
  it('one capture per start: Snapshot running with its folder, then Ready; five real files named as the camera names them', async () => {
    cam = await startTestSequoia();
    const events = await openWs(cam.url);
    const start = await cam.get('/capture/start');
    expect(start.status).toBe(200);
    expect(start.body).toEqual({ request: 'capture_start', status: 'Snapshot running', path: '/internal/0000' });
    const running = await cam.get('/capture');
    if (running.body.status !== 'Ready')
      expect(running.body).toEqual({ request: 'capture_status', status: 'Snapshot running', path: '/internal/0000' });
    await events.next((m) => m.capture === 'running');
    await events.next((m) => m.capture === 'ready', 30_000);
    expect((await cam.get('/capture')).body).toEqual({ request: 'capture_status', status: 'Ready' });

    const listing = (await cam.get('/file/internal/0000')).body;
    const names = Object.keys(listing).filter((k) => k !== 'request');
    expect(names).toHaveLength(5);
    for (const n of names) {
      const base = path.basename(n);
      expect(base).toMatch(FILE_NAME_PATTERN);
      expect(base).toHaveLength(30);
    }
    expect(names.map((n) => n.slice(-7)).sort()).toEqual(['GRE.TIF', 'NIR.TIF', 'RED.TIF', 'REG.TIF', 'RGB.JPG']);
    expect((await cam.get('/file/internal')).body).toEqual({ request: 'file_info', '/internal/0000': 5 });

    const rgbName = names.find((n) => n.endsWith('RGB.JPG'))!;
    const rgb = await fetch(`${cam.url}/download${rgbName}`);
    const rgbMeta = await sharp(Buffer.from(await rgb.arrayBuffer())).metadata();
    expect([rgbMeta.format, rgbMeta.width, rgbMeta.height]).toEqual(['jpeg', 4608, 3456]);
    const nir = await fetch(`${cam.url}/download${names.find((n) => n.endsWith('NIR.TIF'))!}`);
    const nirMeta = await sharp(Buffer.from(await nir.arrayBuffer())).metadata();
    expect([nirMeta.format, nirMeta.width, nirMeta.height, nirMeta.depth]).toEqual(['tiff', 1280, 960, 'ushort']);
    expect(listing[names.find((n) => n.endsWith('NIR.TIF'))!]).toBeGreaterThan(2_400_000);

    // The next start opens the next folder.
    await cam.post('/config', SMALL);
    expect((await cam.get('/capture/start')).body.path).toBe('/internal/0001');
    await cam.device.whenSessionEnds();
    expect(Object.keys((await cam.get('/file/internal/0001')).body)).toHaveLength(5);
    events.close();
  });

  it('starting while a capture runs answers the camera error status and writes nothing extra', async () => {
    cam = await startTestSequoia();
    await cam.post('/config', { ...SMALL, capture_mode: 'timelapse', timelapse_param: 10 });
    expect((await cam.get('/capture/start')).status).toBe(200);
    const again = await cam.get('/capture/start');
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ request: 'capture_start', status: 'Not available' });
    expect((await cam.get('/capture/stop')).body).toEqual({ request: 'capture_stop', status: 'Ready' });
    await cam.device.whenSessionEnds();
    const stopAgain = await cam.get('/capture/stop');
    expect(stopAgain.status).toBe(409);
    expect(stopAgain.body.status).toBe('Capture is not running');
    expect(Object.keys((await cam.get('/file/internal')).body)).toEqual(['request', '/internal/0000']);
  });
});

describe('timelapse', () => {
  it('a one-hour timelapse every 600 s runs in injected time: 7 captures, all in one folder, until stop', async () => {
    cam = await startTestSequoia();
    await cam.post('/config', { ...SMALL, capture_mode: 'timelapse', timelapse_param: 600 });
    const start = await cam.get('/capture/start');
    expect(start.body.status).toBe('Timelapse running');
    for (let i = 0; i < 6; i++) {
      await cam.device.whenIdle();
      await cam.clock.advance(600_000);
    }
    await cam.device.whenIdle();
    expect((await cam.get('/capture')).body).toEqual({
      request: 'capture_status',
      status: 'Timelapse running',
      path: '/internal/0000',
    });
    await cam.get('/capture/stop');
    await cam.device.whenSessionEnds();
    const files = Object.keys((await cam.get('/file/internal/0000')).body).filter((k) => k !== 'request');
    expect(files).toHaveLength(7 * 4);
    const indices = new Set(files.map((f) => f.split('_')[3]));
    expect([...indices].sort()).toEqual(['0000', '0001', '0002', '0003', '0004', '0005', '0006']);
    // Capture times are ten minutes apart in the names (HHMMSS).
    const times = [...new Set(files.map((f) => f.split('_')[2]))].sort();
    expect(times).toHaveLength(7);
    await cam.clock.advance(3_600_000);
    expect(Object.keys((await cam.get('/file/internal/0000')).body)).toHaveLength(29);
  });
});

describe('distance-triggered modes', () => {
  it('gps_position: one capture every gps_param metres along the track once the GPS has a fix', async () => {
    cam = await startTestSequoia({
      gpsFixAfterMs: 0,
      track: {
        waypoints: [
          { lat: 48, lon: 1.6 },
          { lat: 48.01, lon: 1.6 },
        ],
        speed: 10,
        altitude: 100,
      },
    });
    await cam.post('/config', { ...SMALL, sensors_mask: 16, capture_mode: 'gps_position', gps_param: 100 });
    await cam.get('/capture/start');
    // 60 s at 10 m/s = 600 m → a capture at 0 m, then at 100, 200 … 600 m.
    for (let t = 0; t < 60; t++) {
      await cam.clock.advance(1000);
      await cam.device.whenIdle();
    }
    await cam.get('/capture/stop');
    await cam.device.whenSessionEnds();
    const files = Object.keys((await cam.get('/file/internal/0000')).body).filter((k) => k !== 'request');
    expect(files.length).toBeGreaterThanOrEqual(6);
    expect(files.length).toBeLessThanOrEqual(7);
  });

  it('gps_position waits for a fix', async () => {
    cam = await startTestSequoia({ gpsFixAfterMs: 3_600_000 });
    await cam.post('/config', { ...SMALL, capture_mode: 'gps_position', gps_param: 5 });
    await cam.get('/capture/start');
    await cam.clock.advance(30_000);
    await cam.device.whenIdle();
    expect((await cam.get('/file/internal/0000')).body).toEqual({ request: 'file_info' });
    await cam.get('/capture/stop');
  });

  it('auto: spacing from overlap, altitude and speed (80 % at 100 m ≈ 18 m)', async () => {
    cam = await startTestSequoia({
      gpsFixAfterMs: 0,
      track: {
        waypoints: [
          { lat: 48, lon: 1.6 },
          { lat: 48.01, lon: 1.6 },
        ],
        speed: 6,
        altitude: 100,
      },
    });
    await cam.post('/config', { ...SMALL, sensors_mask: 16, capture_mode: 'auto', overlap_param: 80 });
    await cam.get('/capture/start');
    for (let t = 0; t < 30; t++) {
      await cam.clock.advance(1000);
      await cam.device.whenIdle();
    }
    await cam.get('/capture/stop');
    await cam.device.whenSessionEnds();
    // 30 s × 6 m/s = 180 m at ≈ 18.1 m spacing → 10 or 11 captures.
    const n = Object.keys((await cam.get('/file/internal/0000')).body).length - 1;
    expect(n).toBeGreaterThanOrEqual(9);
    expect(n).toBeLessThanOrEqual(11);
  });
});

describe('radiometric', () => {
  it('counts down with stay-still notifications, then takes one capture', async () => {
    cam = await startTestSequoia();
    const events = await openWs(cam.url);
    await cam.post('/config', { ...SMALL, capture_mode: 'radiometric' });
    const start = await cam.get('/capture/start');
    expect(start.body.status).toBe('Radiometric Calibration Running');
    await events.next((m) => m.staystill === 'yes');
    await cam.clock.advance(10_000);
    await events.next((m) => m.staystill === 'no');
    await cam.device.whenSessionEnds();
    expect((await cam.get('/file/internal')).body).toEqual({ request: 'file_info', '/internal/0000': 4 });
    events.close();
  });
});

describe('storage', () => {
  it('a full medium refuses capture with the full notification; deleting frees it again', async () => {
    cam = await startTestSequoia();
    const events = await openWs(cam.url);
    await cam.post('/config', SMALL);
    await cam.get('/capture/start');
    await cam.device.whenSessionEnds();
    await cam.post('/_emulator/fill', { medium: 'internal', free: 1000 });
    await events.next((m) => m.storage_status === 'internal' && m.state === 'full');
    const r = await cam.get('/capture/start');
    expect(r.status).toBe(507);
    expect(r.body.status).toBe('Storage full');
    expect((await cam.get('/storage')).body.internal.free).toBe(0);
    await cam.post('/_emulator/fill', { medium: 'internal', free: null });
    await events.next((m) => m.state === 'no_longer_full');
    // No partial file was ever left behind.
    const dir = path.join(cam.dataDir, 'media', 'internal', '0000');
    expect((await fs.readdir(dir)).filter((n) => n.startsWith('.tmp'))).toEqual([]);
    events.close();
  });

  it('auto_select moves to the SD card when one is inserted; removing it falls back to internal', async () => {
    cam = await startTestSequoia({ sdPresent: false });
    const events = await openWs(cam.url);
    expect((await cam.post('/config', { storage_selected: 'sd' })).body.storage_selected).toBe('Bad value');
    await cam.post('/config', { auto_select: 'on' });
    await cam.post('/_emulator/sd', { present: true });
    await events.next((m) => m.storage_status === 'sd' && m.state === 'connected');
    await events.next((m) => m.storage_select === 'sd');
    expect((await cam.get('/config')).body.storage_selected).toBe('sd');
    await cam.post('/config', SMALL);
    expect((await cam.get('/capture/start')).body.path).toBe('/sd/0000');
    await cam.device.whenSessionEnds();
    await cam.post('/_emulator/sd', { present: false });
    await events.next((m) => m.storage_status === 'sd' && m.state === 'disconnected');
    expect((await cam.get('/config')).body.storage_selected).toBe('internal');
    expect((await cam.get('/file/sd')).status).toBe(404);
    events.close();
  });

  it('storage_selected cannot change while capturing ("Storage is busy")', async () => {
    cam = await startTestSequoia();
    await cam.post('/config', { ...SMALL, capture_mode: 'timelapse', timelapse_param: 60 });
    await cam.get('/capture/start');
    expect((await cam.post('/config', { storage_selected: 'sd' })).body.storage_selected).toBe('Storage is busy');
    // Deleting the folder being written is refused too, and nothing is lost.
    const del = await cam.get('/delete/internal/0000');
    expect(del.status).toBe(409);
    expect(del.body).toEqual({ '/internal/0000': 'Storage is busy' });
    await cam.get('/capture/stop');
    await cam.device.whenSessionEnds();
    expect((await cam.get('/delete/internal/0000')).body).toEqual({ '/internal/0000': 'deleted' });
  });
});

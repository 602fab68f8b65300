/**
 * A medium that failed, went read-only or is corrupted, as Parrot's Sequoia API reference reports
 * it: `/storage` says `read_only` / `corrupted` "yes", the WebSocket sends
 * `{"status":"change","storage_status":<medium>,"state":"error"}`, a capture onto it is refused,
 * listing and downloading a corrupted medium fail with the camera's JSON error; over PTP/IP the
 * StorageInfo's AccessCapability follows and StorageInfoChanged is sent. Plus the calibration
 * walk-through's "Running" notification.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openCamera } from '../../src/camera/open.js';
import { CameraError } from '../../src/camera/errors.js';
import { AccessCapability, Ev, Resp } from '../../src/ptp/codes.js';
import { PtpResponseError } from '../../src/ptp/errors.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { openWs, startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';
import { nextEvent } from '../ptp/next-event.js';

let cam: TestSequoia | undefined;
let client: PtpIpClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await cam?.stop();
  cam = undefined;
});

const SD = 0x00020001;

describe('storage states (emulator control /_emulator/storage)', () => {
  it('read-only: /storage says so, a notification says "error", a capture is refused, files still list', async () => {
    cam = await startTestSequoia();
    const ws = await openWs(cam.url);
    expect((await cam.post('/config', { storage_selected: 'sd' })).status).toBe(200);
    expect((await cam.get('/capture/start')).status).toBe(200);
    await cam.device.whenSessionEnds();

    const r = await cam.post('/_emulator/storage', { medium: 'sd', state: 'read-only' });
    expect(r.body).toEqual({ request: 'emulator_storage', status: 'Ok' });
    await ws.next((m) => m.storage_status === 'sd' && m.state === 'error');
    const storage = (await cam.get('/storage')).body;
    expect(storage.sd).toMatchObject({ read_only: 'yes', corrupted: 'no' });
    expect(storage.internal).toMatchObject({ read_only: 'no', corrupted: 'no' });

    const refused = await cam.get('/capture/start');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ status: 'Not available' });
    expect((await cam.get('/capture')).body.status).toBe('Ready');
    // What is on it can still be read.
    expect(Object.keys((await cam.get('/file/sd')).body)).toContain('/sd/0000');
    // …but not deleted.
    expect((await cam.get('/delete/sd/0000')).status).toBe(403);

    expect((await cam.post('/_emulator/storage', { medium: 'sd', state: 'ok' })).status).toBe(200);
    await ws.next((m) => m.storage_status === 'sd' && m.state === 'connected');
    expect((await cam.get('/storage')).body.sd).toMatchObject({ read_only: 'no', corrupted: 'no' });
    expect((await cam.get('/capture/start')).status).toBe(200);
    await cam.device.whenSessionEnds();
    ws.close();
  });

  it('corrupted: /storage says so; listing and downloading fail with a JSON error; capture refused', async () => {
    cam = await startTestSequoia();
    expect((await cam.get('/capture/start')).status).toBe(200);
    await cam.device.whenSessionEnds();
    const ws = await openWs(cam.url);
    expect((await cam.post('/_emulator/storage', { medium: 'internal', state: 'corrupted' })).status).toBe(200);
    await ws.next((m) => m.storage_status === 'internal' && m.state === 'error');
    expect((await cam.get('/storage')).body.internal).toMatchObject({ read_only: 'no', corrupted: 'yes' });
    const listing = await cam.get('/file/internal');
    expect(listing.status).toBe(503);
    expect(listing.body).toEqual({ request: 'file_info', error: 'Storage is corrupted' });
    const zip = await cam.get('/download/internal/0000');
    expect(zip.status).toBe(503);
    expect(zip.body).toMatchObject({ error: 'Storage is corrupted' });
    expect((await cam.get('/capture/start')).status).toBe(503);
    ws.close();
  });

  it('error: a capture running onto the medium stops; the next one is refused', async () => {
    cam = await startTestSequoia();
    const ws = await openWs(cam.url);
    expect((await cam.post('/config', { capture_mode: 'timelapse', timelapse_param: 1 })).status).toBe(200);
    expect((await cam.get('/capture/start')).status).toBe(200);
    await cam.device.whenIdle();
    expect((await cam.post('/_emulator/storage', { medium: 'internal', state: 'error' })).status).toBe(200);
    await ws.next((m) => m.storage_status === 'internal' && m.state === 'error');
    await ws.next((m) => m.capture === 'ready');
    expect((await cam.get('/capture')).body.status).toBe('Ready');
    expect((await cam.get('/storage')).body.internal).toMatchObject({ read_only: 'no', corrupted: 'no' });
    expect((await cam.get('/capture/start')).status).toBe(503);
    ws.close();
  });

  it('a bad card put back is still bad: "connected", then "error"', async () => {
    cam = await startTestSequoia();
    const ws = await openWs(cam.url);
    expect((await cam.post('/_emulator/storage', { medium: 'sd', state: 'corrupted' })).status).toBe(200);
    expect((await cam.post('/_emulator/sd', { present: false })).status).toBe(200);
    expect((await cam.post('/_emulator/sd', { present: true })).status).toBe(200);
    await ws.next((m) => m.storage_status === 'sd' && m.state === 'connected');
    const states = () => ws.messages.filter((m) => m.storage_status === 'sd').map((m) => m.state);
    await ws.next((m) => m.storage_status === 'sd' && m.state === 'error' && states().length === 4);
    expect(states()).toEqual(['error', 'disconnected', 'connected', 'error']);
    expect((await cam.get('/storage')).body.sd).toMatchObject({ corrupted: 'yes' });
    ws.close();
  });

  it('bad control input gets a 400 with the reason', async () => {
    cam = await startTestSequoia();
    expect((await cam.post('/_emulator/storage', { medium: 'usb', state: 'ok' })).status).toBe(400);
    const r = await cam.post('/_emulator/storage', { medium: 'sd', state: 'broken' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/ok.*read-only.*corrupted.*error/);
  });

  it('over PTP/IP: StorageInfoChanged, AccessCapability read-only, capture refused with StoreReadOnly', async () => {
    cam = await startTestSequoia({ ptpipPort: 0 });
    const [host, port] = cam.ptpip!.split(':') as [string, string];
    client = await PtpIpClient.connect({ host, port: Number(port) });
    const c = client;
    expect((await c.getStorageInfo(SD)).accessCapability).toBe(AccessCapability.ReadOnlyWithDelete);
    const changed = nextEvent(c, (e) => e.code === Ev.StorageInfoChanged && e.params[0] === SD);
    expect((await cam.post('/_emulator/storage', { medium: 'sd', state: 'read-only' })).status).toBe(200);
    await changed;
    expect((await c.getStorageInfo(SD)).accessCapability).toBe(AccessCapability.ReadOnly);
    expect((await cam.post('/config', { storage_selected: 'sd' })).status).toBe(200);
    const err = await c.initiateCapture().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PtpResponseError);
    expect((err as PtpResponseError).responseCode).toBe(Resp.StoreReadOnly);
  });
});

describe('what camctl says about a refused capture', () => {
  it('names the medium and its condition, and what to do next', async () => {
    cam = await startTestSequoia();
    const camera = await openCamera(`sequoia://${cam.url.replace(/^http:\/\//, '')}`);
    try {
      expect((await cam.post('/_emulator/storage', { medium: 'internal', state: 'read-only' })).status).toBe(200);
      const err = await camera.capture().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CameraError);
      expect((err as CameraError).message).toMatch(/internal memory is read-only.*storage_selected=sd/);
      expect((err as CameraError).deviceMessage).toBe('Not available');
      expect((await cam.post('/_emulator/storage', { medium: 'internal', state: 'corrupted' })).status).toBe(200);
      const again = await camera.startCapture().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((again as CameraError).message).toMatch(/internal memory is corrupted/);
      const listing = await camera.list('/internal').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((listing as CameraError).message).toBe(
        'the internal memory cannot be read (the camera says "Storage is corrupted"); save new pictures to the other medium: camctl config set storage_selected=sd',
      );
      expect((listing as CameraError).deviceHttpStatus).toBe(503);
    } finally {
      await camera.close();
    }
  });
});

describe('what camctl says about a capture refused over PTP/IP', () => {
  it('says the storage is read-only and what to do, keeping the response code for --json', async () => {
    cam = await startTestSequoia({ ptpipPort: 0 });
    const camera = await openCamera(`ptpip://${cam.ptpip as string}`);
    try {
      expect((await cam.post('/_emulator/storage', { medium: 'internal', state: 'read-only' })).status).toBe(200);
      const err = await camera.capture().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CameraError);
      expect((err as CameraError).message).toMatch(
        /^capture not started: the camera's storage is read-only; select another medium/,
      );
      expect((err as CameraError).deviceMessage).toBe('StoreReadOnly');
    } finally {
      await camera.close();
    }
  });
});

describe('calibration walk-through', () => {
  it('announces "Running" when it starts, before the first axis it waits for', async () => {
    cam = await startTestSequoia({ calibrationStepMs: 4000 });
    const ws = await openWs(cam.url);
    expect((await cam.get('/calibration/body/start')).status).toBe(200);
    await ws.next((m) => m.calibration === 'body' && m.state === 'Psi pending');
    const states = ws.messages.filter((m) => m.calibration === 'body').map((m) => m.state);
    expect(states).toEqual(['Running', 'Psi pending']);
    ws.close();
  });
});

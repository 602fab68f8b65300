import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { digestAuthorization } from '../../src/osc/digest.js';
import { commandOutcome } from '../helpers/osc-commands.js';

let dir: string;
let cam: RunningThetaEmulator;
let canary: string;

async function post(
  p: string,
  body?: unknown,
  raw?: string,
): Promise<{ status: number; type: string | null; json: Record<string, any>; bytes: Buffer }> {
  const payload = raw ?? (body === undefined ? null : JSON.stringify(body));
  const r = await fetch(cam.url + p, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: payload,
  });
  const bytes = Buffer.from(await r.arrayBuffer());
  const type = r.headers.get('content-type');
  return {
    status: r.status,
    type,
    json: type?.startsWith('application/json') ? JSON.parse(bytes.toString('utf8')) : {},
    bytes,
  };
}

const exec = (name: string, parameters?: Record<string, unknown>) =>
  post('/osc/commands/execute', parameters === undefined ? { name } : { name, parameters });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-osc-'));
  canary = path.join(dir, 'canary.txt');
  await writeFile(canary, 'do not read me');
  cam = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 20, maxBodyBytes: 4096 });
});

afterAll(async () => {
  await cam.close();
  await rm(dir, { recursive: true, force: true });
});

describe('OSC server face (API v2.0)', () => {
  it('answers /osc/info and /osc/state as a THETA S with the exact JSON content type', async () => {
    const r = await fetch(`${cam.url}/osc/info`);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const info = (await r.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      manufacturer: 'RICOH',
      model: 'RICOH THETA S',
      apiLevel: [1, 2],
      gps: false,
      gyro: false,
    });
    expect(info['api']).toEqual([
      '/osc/info',
      '/osc/state',
      '/osc/checkForUpdates',
      '/osc/commands/execute',
      '/osc/commands/status',
    ]);
    const st = await post('/osc/state');
    expect(st.json['fingerprint']).toMatch(/^FIG_\d{4}$/);
    // Field for field and in order, as the S in v2.0 answers (no _cameraError while it has none).
    expect(Object.keys(st.json['state'])).toEqual([
      'sessionId',
      'batteryLevel',
      'storageChanged',
      '_captureStatus',
      '_recordedTime',
      '_recordableTime',
      '_compositeShootingElapsedTime',
      '_latestFileUri',
      '_batteryState',
      '_apiVersion',
    ]);
    expect(st.json['state']._apiVersion).toBe(1);
  });

  it('runs startSession → takePicture (in progress, then status done) → getImage → getMetadata', async () => {
    const s = await exec('camera.startSession', {});
    expect(s.json).toEqual({
      name: 'camera.startSession',
      state: 'done',
      results: { sessionId: expect.stringMatching(/^SID_\d{4}$/), timeout: 180 },
    });
    const sid = s.json['results'].sessionId as string;
    await exec('camera.setOptions', {
      sessionId: sid,
      options: { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } },
    });
    const t = await exec('camera.takePicture', { sessionId: sid });
    expect(t.json).toMatchObject({
      name: 'camera.takePicture',
      state: 'inProgress',
      progress: { completion: expect.any(Number) },
    });
    const done = await commandOutcome(cam.url, t.json['id']);
    expect(done).toEqual({
      name: 'camera.takePicture',
      state: 'done',
      results: { fileUri: expect.stringMatching(/^100RICOH\/R\d{7}\.JPG$/) },
    });
    const uri = done['results'].fileUri as string;
    const img = await exec('camera.getImage', { fileUri: uri, _type: 'image' });
    expect(img.status).toBe(200);
    expect(img.type).toBe('image/jpeg');
    expect(img.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const thumb = await exec('camera.getImage', { fileUri: uri, _type: 'thumb' });
    expect(thumb.bytes.length).toBeLessThan(img.bytes.length);
    const meta = await exec('camera.getMetadata', { fileUri: uri });
    expect(meta.json['results'].exif.Make).toBe('RICOH');
    expect(meta.json['results'].xmp.ProjectionType).toBe('equirectangular');
    const upd = await exec('camera.updateSession', { sessionId: sid });
    expect(upd.json).toEqual({
      name: 'camera.updateSession',
      state: 'done',
      results: { sessionId: sid, timeout: 180 },
    });
    const list = await exec('camera._listAll', { entryCount: 3 });
    expect(list.json['results'].entries[0]).toMatchObject({ name: uri.split('/')[1], uri, width: 2048, height: 1024 });
    const st = await post('/osc/state');
    expect(st.json['state']._latestFileUri).toBe(uri);
  });

  it('answers errors in the OSC shape with the right statuses', async () => {
    const unknown = await exec('camera.fly', {});
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      name: 'camera.fly',
      state: 'error',
      error: { code: 'unknownCommand', message: expect.any(String) },
    });
    expect((await exec('camera.takePicture', {})).json['error'].code).toBe('missingParameter');
    const stale = await exec('camera.takePicture', { sessionId: 'SID_9999' });
    expect([stale.status, stale.json['error'].code]).toEqual([403, 'invalidSessionId']);
    expect((await exec('camera._listAll', { entryCount: 'three' })).json['error'].code).toBe('invalidParameterValue');
    expect((await exec('camera._listAll', { entryCount: 3, colour: 'red' })).json['error'].code).toBe(
      'invalidParameterName',
    );
    expect(
      (await exec('camera.listFiles', { fileType: 'all', entryCount: 3, maxThumbSize: 0 })).json['error'].code,
    ).toBe('unknownCommand');
    const notJson = await post('/osc/commands/execute', undefined, '{"name": "camera.startSession",');
    expect([notJson.status, notJson.json['state'], notJson.json['error'].code]).toEqual([
      400,
      'error',
      'invalidParameterValue',
    ]);
    const huge = await post(
      '/osc/commands/execute',
      undefined,
      JSON.stringify({ name: 'camera.startSession', parameters: { x: 'y'.repeat(10_000) } }),
    );
    expect(huge.status).toBe(413);
    expect(huge.json['state']).toBe('error');
    expect(huge.type).toBe('application/json; charset=utf-8');
    const badStatus = await post('/osc/commands/status', { id: 'nope' });
    expect(badStatus.json['error'].code).toBe('invalidParameterValue');
  });

  it('rejects traversal attempts without reading or deleting outside the storage (canary)', async () => {
    for (const fileUri of [
      '../canary.txt',
      '../../canary.txt',
      '100RICOH/../../canary.txt',
      '/etc/passwd',
      '100RICOH/%2e%2e%2fcanary.txt',
      '100RICOH\\..\\canary.txt',
    ]) {
      const g = await exec('camera.getImage', { fileUri });
      expect(g.status).toBeGreaterThanOrEqual(400);
      expect(g.bytes.toString()).not.toContain('do not read me');
      const d = await exec('camera.delete', { fileUri });
      expect(d.json['state']).toBe('error');
    }
    for (const p of [
      '/files/x/../../canary.txt',
      `/files/${cam.device.storageId}/..%2f..%2fcanary.txt/x`,
      `/files/${cam.device.storageId}/../canary.txt`,
    ]) {
      const status = await new Promise<number>((resolve, reject) => {
        const u = new URL(cam.url);
        request({ host: u.hostname, port: u.port, path: p, method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(404);
    }
    expect(await readFile(canary, 'utf8')).toBe('do not read me');
  });

  it('long-polls checkForUpdates until the state changes', async () => {
    const fp = (await post('/osc/state')).json['fingerprint'] as string;
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    const fp2 = (await post('/osc/state')).json['fingerprint'] as string;
    expect(fp2).not.toBe(fp);
    const quick = await post('/osc/checkForUpdates', { stateFingerprint: fp });
    expect(quick.json).toEqual({ stateFingerprint: fp2, throttleTimeout: expect.any(Number) });
    const waiting = post('/osc/checkForUpdates', { stateFingerprint: fp2, waitTimeout: 30 });
    await new Promise((r) => setTimeout(r, 100));
    // Video mode shows _recordableTime: a state change.
    await exec('camera.setOptions', { sessionId: sid, options: { captureMode: '_video' } });
    const changed = await waiting;
    expect(changed.json['stateFingerprint']).not.toBe(fp2);
    await exec('camera.setOptions', { sessionId: sid, options: { captureMode: 'image' } });
    expect((await post('/osc/checkForUpdates', {})).json['error'].code).toBe('missingParameter');
  });

  it('streams the live preview as multipart MJPEG of changing frames', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    const ac = new AbortController();
    const r = await fetch(`${cam.url}/osc/commands/execute`, {
      method: 'POST',
      body: JSON.stringify({ name: 'camera._getLivePreview', parameters: { sessionId: sid } }),
      signal: ac.signal,
    });
    expect(r.headers.get('content-type')).toBe('multipart/x-mixed-replace; boundary="---osclivepreview---"');
    const reader = r.body!.getReader();
    let buf = Buffer.alloc(0);
    while (buf.toString('latin1').split('---osclivepreview---').length < 4) {
      const { value, done } = await reader.read();
      if (done) break;
      buf = Buffer.concat([buf, Buffer.from(value)]);
    }
    ac.abort();
    const parts = buf.toString('latin1').split('---osclivepreview---\r\n').filter(Boolean);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts[0]).toMatch(/^Content-type: image\/jpeg\r\nContent-Length: \d+\r\n\r\n\xff\xd8/);
    expect(parts[0]).not.toBe(parts[1]);
  });
});

describe('OSC server face: paging, preview end, counted interval', () => {
  it('pages _listAll with continuationToken and sort; ends the live preview when a shot starts', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    await exec('camera.setOptions', {
      sessionId: sid,
      options: { fileFormat: { type: 'jpeg', width: 2048, height: 1024 } },
    });
    for (let i = 0; i < 2; i++)
      await commandOutcome(cam.url, (await exec('camera.takePicture', { sessionId: sid })).json['id']);
    const total = cam.device.catalog.count;
    expect(total).toBeGreaterThanOrEqual(3);
    const p1 = await exec('camera._listAll', { entryCount: 2, sort: 'oldest', detail: false });
    expect(p1.json['results'].entries).toHaveLength(2);
    expect(p1.json['results'].entries[0]).toEqual({
      name: expect.any(String),
      uri: expect.any(String),
      size: expect.any(Number),
      dateTime: expect.stringMatching(/^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d$/),
    });
    expect(p1.json['results'].continuationToken).toBe('2');
    const p2 = await exec('camera._listAll', { entryCount: 100, sort: 'oldest', continuationToken: '2' });
    expect(p2.json['results'].entries).toHaveLength(total - 2);
    expect(p2.json['results'].continuationToken).toBeUndefined();
    const newest = await exec('camera._listAll', { entryCount: 1 });
    expect(newest.json['results'].entries[0].uri).toBe(p2.json['results'].entries.at(-1).uri);

    const ac = new AbortController();
    const r = await fetch(`${cam.url}/osc/commands/execute`, {
      method: 'POST',
      body: JSON.stringify({ name: 'camera._getLivePreview', parameters: { sessionId: sid } }),
      signal: ac.signal,
    });
    const reader = r.body!.getReader();
    await reader.read();
    await exec('camera.takePicture', { sessionId: sid });
    // The stream ends by itself: the shot stopped the preview.
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    await expect.poll(() => cam.device.snapshot().captureStatus, { timeout: 10_000 }).toBe('idle');
  });

  it('v2.1 startCapture with a shot count stays in progress and ends with its fileUrls', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    await exec('camera.setOptions', { sessionId: sid, options: { clientVersion: 2 } });
    await exec('camera.setOptions', {
      options: { fileFormat: { type: 'jpeg', width: 2048, height: 1024 }, captureInterval: 5, captureNumber: 2 },
    });
    const start = await exec('camera.startCapture');
    expect(start.json).toMatchObject({ name: 'camera.startCapture', state: 'inProgress' });
    const done = await commandOutcome(cam.url, start.json['id']);
    expect(done['results'].fileUrls).toHaveLength(2);
    await exec('camera.setOptions', { options: { captureNumber: 0 } });
    await exec('camera._finishWlan');
  });
});

describe('OSC server face: video and OSC 1 listings', () => {
  it('records with _startCapture/_stopCapture in _video mode and serves it with _getVideo (full and thumb)', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    await exec('camera.setOptions', {
      sessionId: sid,
      options: { captureMode: '_video', fileFormat: { type: 'mp4', width: 1280, height: 720 } },
    });
    expect((await exec('camera.takePicture', { sessionId: sid })).json['error'].code).toBe('disabledCommand');
    expect((await exec('camera._startCapture', { sessionId: sid })).json['state']).toBe('done');
    await expect
      .poll(async () => (await post('/osc/state')).json['state']._recordedTime, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect((await exec('camera._listAll', { entryCount: 1 })).json['error'].code).toBe('disabledCommand');
    expect((await exec('camera._stopCapture', { sessionId: sid })).json).toEqual({
      name: 'camera._stopCapture',
      state: 'done',
    });
    const uri = (await post('/osc/state')).json['state']._latestFileUri as string;
    expect(uri).toMatch(/^100RICOH\/R\d{7}\.MP4$/);
    const listed = (await exec('camera._listAll', { entryCount: 1 })).json['results'].entries[0];
    expect(listed).toMatchObject({ uri, width: 1280, height: 720, recordTime: expect.any(Number) });
    const full = await exec('camera._getVideo', { fileUri: uri, type: 'full' });
    expect(full.type).toBe('video/mp4');
    expect(full.bytes.toString('latin1', 4, 8)).toBe('ftyp');
    const thumb = await exec('camera._getVideo', { fileUri: uri, _type: 'thumb' });
    expect(thumb.type).toBe('image/jpeg');
    expect((await exec('camera.getImage', { fileUri: uri })).json['error'].code).toBe('invalidFileFormat');
    await exec('camera.setOptions', { sessionId: sid, options: { captureMode: 'image' } });
  });

  it('answers OSC 1 listImages with base64 thumbnails', async () => {
    const r = await exec('camera.listImages', { entryCount: 2, includeThumb: true });
    const e = r.json['results'].entries[0];
    expect(e.uri).toMatch(/\.JPG$/);
    expect(Buffer.from(e.thumbnail, 'base64').subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(r.json['results'].totalEntries).toBeGreaterThan(0);
  });
});

describe('OSC server face: GPS, resized getImage, delete all', () => {
  it('records gpsInfo in EXIF and listings, resizes getImage to maxSize, deletes everything with ["all"]', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    await exec('camera.setOptions', {
      sessionId: sid,
      options: { gpsInfo: { lat: 35.4836, lng: 134.234 }, fileFormat: { type: 'jpeg', width: 2048, height: 1024 } },
    });
    const uri = (await commandOutcome(cam.url, (await exec('camera.takePicture', { sessionId: sid })).json['id']))[
      'results'
    ].fileUri as string;
    const listed = (await exec('camera._listAll', { entryCount: 1 })).json['results'].entries[0];
    expect(listed).toMatchObject({ uri, lat: 35.4836, lng: 134.234 });
    const exif = (await exec('camera.getMetadata', { fileUri: uri })).json['results'].exif;
    expect(exif.GPSLatitudeRef).toBe('N');
    expect(exif.GPSLatitude).toBeCloseTo(35.4836, 5);
    const small = await exec('camera.getImage', { fileUri: uri, maxSize: 400 });
    expect(small.type).toBe('image/jpeg');
    expect(small.bytes.readUInt16BE(0)).toBe(0xffd8);
    const full = await exec('camera.getImage', { fileUri: uri });
    expect(small.bytes.length).toBeLessThan(full.bytes.length / 4);
    await exec('camera.setOptions', {
      sessionId: sid,
      options: { gpsInfo: { lat: 65535, lng: 65535 }, clientVersion: 2 },
    });
    expect((await exec('camera.delete', { fileUrls: ['all', 'image'] })).json['error'].code).toBe(
      'invalidParameterValue',
    );
    expect((await exec('camera.delete', { fileUrls: ['all'] })).json['state']).toBe('done');
    expect(
      (await exec('camera.listFiles', { fileType: 'all', entryCount: 10, maxThumbSize: 0 })).json['results'],
    ).toEqual({ entries: [], totalEntries: 0 });
    await exec('camera._finishWlan');
  });
});

describe('OSC server face (API v2.1)', () => {
  it('switches with clientVersion 2: fileUrl, listFiles with thumbnails, /files/ with Range, delete', async () => {
    const sid = (await exec('camera.startSession', {})).json['results'].sessionId as string;
    expect((await exec('camera.setOptions', { sessionId: sid, options: { clientVersion: 2 } })).json).toEqual({
      name: 'camera.setOptions',
      state: 'done',
    });
    const st = await post('/osc/state');
    expect(st.json['state']._apiVersion).toBe(2);
    expect(st.json['state'].storageUri).toBe(`${cam.url}/files/${cam.device.storageId}/`);
    expect(st.json['state'].sessionId).toBeUndefined();
    expect((await exec('camera.takePicture', { sessionId: sid })).json['error'].code).toBe('invalidParameterName');
    const t = await exec('camera.takePicture');
    const done = await commandOutcome(cam.url, t.json['id']);
    const url = done['results'].fileUrl as string;
    expect(url).toMatch(new RegExp(`^${cam.url}/files/${cam.device.storageId}/100RICOH/R\\d{7}\\.JPG$`));
    const files = await exec('camera.listFiles', { fileType: 'image', entryCount: 2, maxThumbSize: 640 });
    const e = files.json['results'].entries[0];
    expect(e).toMatchObject({ fileUrl: url, isProcessed: true, previewUrl: '' });
    expect(Buffer.from(e.thumbnail, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(files.json['results'].totalEntries).toBeGreaterThanOrEqual(1);
    const full = Buffer.from(await (await fetch(url)).arrayBuffer());
    const part = await fetch(url, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${full.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(full.subarray(10, 20));
    const tail = await fetch(url, { headers: { Range: 'bytes=-5' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(full.subarray(full.length - 5));
    expect((await fetch(url, { headers: { Range: `bytes=${full.length}-` } })).status).toBe(416);
    const thumb = await fetch(`${url}?type=thumb`);
    expect(Number(thumb.headers.get('content-length'))).toBeLessThan(full.length);
    const bad = await exec('camera.delete', {
      fileUrls: [url, `${cam.url}/files/${cam.device.storageId}/100RICOH/R0019999.JPG`],
    });
    expect(bad.json['state']).toBe('error');
    expect((await fetch(url)).status).toBe(200);
    expect((await exec('camera.delete', { fileUrls: [url] })).json['state']).toBe('done');
    expect((await fetch(url)).status).toBe(404);
    expect((await exec('camera.reset')).json['state']).toBe('done');
    await exec('camera._finishWlan');
    expect((await post('/osc/state')).json['state']._apiVersion).toBe(1);
  });
});

describe('OSC digest authentication', () => {
  it('challenges, accepts the right password and refuses a wrong one', async () => {
    const authed = await startThetaEmulator({
      dataDir: path.join(dir, 'theta-auth'),
      auth: { user: 'THETAYL00105377', password: '00105377' },
    });
    try {
      const r1 = await fetch(`${authed.url}/osc/info`);
      expect(r1.status).toBe(401);
      const challenge = r1.headers.get('www-authenticate')!;
      expect(challenge).toMatch(/^Digest .*qop="auth"/);
      const ok = await fetch(`${authed.url}/osc/info`, {
        headers: {
          Authorization: digestAuthorization(
            { user: 'THETAYL00105377', password: '00105377' },
            challenge,
            'GET',
            '/osc/info',
            1,
          ),
        },
      });
      expect(ok.status).toBe(200);
      const no = await fetch(`${authed.url}/osc/info`, {
        headers: {
          Authorization: digestAuthorization(
            { user: 'THETAYL00105377', password: 'wrong' },
            challenge,
            'GET',
            '/osc/info',
            2,
          ),
        },
      });
      expect(no.status).toBe(401);
    } finally {
      await authed.close();
    }
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCameraAddress } from '../../src/camera/address.js';
import type { NetworkAddress } from '../../src/camera/address.js';
import { openCamera } from '../../src/camera/open.js';
import { ThetaCamera } from '../../src/camera/theta.js';
import type { Camera, CameraEvent } from '../../src/camera/types.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';

let dir: string;
let emu: RunningThetaEmulator;
let cam: Camera;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-cam-'));
  emu = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 20 });
  cam = await openCamera(`theta://127.0.0.1:${new URL(emu.url).port}`);
});

afterAll(async () => {
  await cam.close();
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

describe('theta:// Camera adapter', () => {
  it('describes the camera, its status and its settings', async () => {
    const info = await cam.info();
    expect(info).toMatchObject({
      protocol: 'theta',
      manufacturer: 'RICOH',
      model: 'RICOH THETA S',
      serialNumber: '00301770',
      details: { api: 'v2.1' },
    });
    const status = await cam.status();
    expect(status.capture.state).toBe('idle');
    expect(status.battery?.level).toBe(1);
    expect(status.media[0]).toMatchObject({ id: 'internal', path: '/internal', present: true });
    expect(status.media[0]?.totalBytes).toBeGreaterThan(0);
    const config = await cam.getConfig();
    const ff = config.find((s) => s.key === 'fileFormat');
    expect(ff).toMatchObject({ type: 'enum', value: 'jpeg 5376x2688' });
    expect(ff?.allowed).toContain('jpeg 2048x1024');
    // In the normal program ISO is automatic; ISO priority offers the S's 100…1600.
    expect(config.find((s) => s.key === 'iso')?.allowed).toEqual([0]);
    expect(config.find((s) => s.key === 'remainingPictures')?.writable).toBe(false);
  });

  it('checks values before sending and reports the camera refusing one', async () => {
    await expect(cam.setConfig({ iso: 123 })).rejects.toMatchObject({ code: 'BAD_VALUE' });
    await expect(cam.setConfig({ nonsense: 1 })).rejects.toMatchObject({ code: 'UNKNOWN_SETTING' });
    // Allowed by the description (offDelay range includes 65535), refused by the camera.
    await expect(cam.setConfig({ offDelay: 5000 })).rejects.toMatchObject({ code: 'REJECTED' });
    expect(await cam.setConfig({ fileFormat: 'jpeg 2048x1024' })).toEqual([
      { key: 'fileFormat', ok: true, message: 'done' },
    ]);
    // ISO is offered in ISO priority only: the program and the ISO go together in one request.
    await expect(cam.setConfig({ iso: 400 })).rejects.toMatchObject({ code: 'BAD_VALUE' });
    await cam.setConfig({ exposureProgram: 9, iso: 400 });
    const iso = (await cam.getConfig(['iso']))[0]!;
    expect(iso.value).toBe(400);
    expect(iso.allowed).toContain(1600);
    // A value the new program does not offer is refused by the camera, whole.
    await expect(cam.setConfig({ exposureProgram: 2, iso: 800 })).rejects.toMatchObject({ code: 'REJECTED' });
    expect((await cam.getConfig(['exposureProgram']))[0]!.value).toBe(9);
    await cam.setConfig({ exposureProgram: 2 });
    expect((await cam.getConfig(['iso']))[0]!.value).toBe(0);
  });

  it('captures, lists, downloads (with resume), makes thumbnails and deletes; events report the new file', async () => {
    const ac = new AbortController();
    const events: CameraEvent[] = [];
    const watching = (async () => {
      for await (const e of cam.events({ signal: ac.signal })) events.push(e);
    })();
    await new Promise((r) => setTimeout(r, 200));
    const seen: string[] = [];
    const shot = await cam.capture({ onFile: (f) => seen.push(f.path) });
    expect(shot.files).toHaveLength(1);
    const f = shot.files[0]!;
    expect(f.path).toMatch(/^\/internal\/100RICOH\/R\d{7}\.JPG$/);
    expect(seen).toEqual([f.path]);
    expect(await cam.list('/')).toEqual([{ kind: 'medium', path: '/internal', name: 'internal', count: 1 }]);
    expect(await cam.list('/internal')).toEqual([
      { kind: 'folder', path: '/internal/100RICOH', name: '100RICOH', count: 1 },
    ]);
    expect((await cam.list('/internal/100RICOH'))[0]).toMatchObject({ path: f.path, size: f.size });
    const local = path.join(dir, f.name);
    const onCamera = await readFile(await emu.device.filePath(emu.device.findFile(f.path.replace('/internal/', ''))));
    await writeFile(local, onCamera.subarray(0, 1000));
    const r = await cam.download(f.path, local, { resume: true, expectedSize: f.size });
    expect(r).toMatchObject({ resumedFrom: 1000, transferred: f.size - 1000, size: f.size });
    expect((await readFile(local)).equals(onCamera)).toBe(true);
    const thumb = await cam.thumbnail!(f.path);
    expect(Buffer.from(thumb).subarray(0, 2).toString('hex')).toBe('ffd8');
    await expect
      .poll(() => events.some((e) => e.type === 'file-added' && e.path === f.path), { timeout: 10_000 })
      .toBe(true);
    expect(events.some((e) => e.type === 'capture' && e.state === 'capturing')).toBe(true);
    ac.abort();
    await watching;
    expect(await cam.delete(f.path)).toEqual([f.path]);
    expect(await cam.list('/internal/100RICOH')).toEqual([]);
    await expect(cam.download('/internal/../etc/passwd', path.join(dir, 'x'))).rejects.toMatchObject({
      code: 'BAD_PATH',
    });
  });

  it('records a video with startCapture/stopCapture and streams the live preview', async () => {
    const frames: Uint8Array[] = [];
    for await (const fr of cam.livePreview!()) {
      frames.push(fr);
      if (frames.length === 2) break;
    }
    expect(frames).toHaveLength(2);
    await cam.setConfig({ captureMode: 'video', fileFormat: 'mp4 1280x720' });
    await expect(cam.capture()).rejects.toMatchObject({ code: 'BUSY' });
    const started = await cam.startCapture();
    expect(started.text).toBe('video recording');
    await new Promise((r) => setTimeout(r, 200));
    const stopped = await cam.stopCapture();
    expect(stopped.text).toMatch(/R\d{7}\.MP4/);
    const files = await cam.list('/internal/100RICOH');
    expect(files.some((x) => x.name.endsWith('.MP4'))).toBe(true);
    await cam.setConfig({ captureMode: 'image' });
  });

  it('a file the camera does not have is NOT_FOUND (the THETA says invalidParameterValue), in v2.1 and v2.0', async () => {
    const missing = '/internal/100RICOH/R0019999.JPG';
    await expect(cam.delete(missing)).rejects.toMatchObject({ code: 'NOT_FOUND', deviceCode: 'invalidParameterValue' });
    await expect(cam.thumbnail!(missing)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const v20 = new ThetaCamera(parseCameraAddress(`theta://127.0.0.1:${new URL(emu.url).port}`) as NetworkAddress, {
      apiVersion: 1,
    });
    try {
      await v20.connect();
      expect(v20.client.api).toBe(1);
      await expect(v20.delete(missing)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        deviceCode: 'invalidParameterValue',
      });
      await expect(v20.thumbnail(missing)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        deviceCode: 'invalidParameterValue',
      });
    } finally {
      await v20.close();
    }
    // The shared adapter switches the camera back to v2.1 by itself.
    expect(await cam.list('/internal')).toBeInstanceOf(Array);
    expect(emu.osc.sessions.api).toBe(2);
  });

  it('opens theta://user:password@host with digest authentication', async () => {
    const authed = await startThetaEmulator({
      dataDir: path.join(dir, 'auth'),
      auth: { user: 'THETAYL00105377', password: '00105377' },
    });
    try {
      const port = new URL(authed.url).port;
      const ok = await openCamera(`theta://THETAYL00105377:00105377@127.0.0.1:${port}`);
      expect((await ok.info()).model).toBe('RICOH THETA S');
      await ok.close();
      await expect(openCamera(`theta://THETAYL00105377:wrong@127.0.0.1:${port}`)).rejects.toMatchObject({
        code: 'CAMERA_ERROR',
        deviceCode: undefined,
      });
    } finally {
      await authed.close();
    }
  });

  it('events report a lost link and its return (the camera restarted on the same port)', async () => {
    const first = await startThetaEmulator({ dataDir: path.join(dir, 'restart'), speed: 20 });
    const port = Number(new URL(first.url).port);
    const c = await openCamera(`theta://127.0.0.1:${port}`, { timeoutMs: 2000 });
    const ac = new AbortController();
    const events: CameraEvent[] = [];
    const watching = (async () => {
      for await (const e of c.events({ signal: ac.signal })) events.push(e);
    })();
    let second: RunningThetaEmulator | undefined;
    try {
      await new Promise((r) => setTimeout(r, 300));
      await first.close();
      await expect
        .poll(() => events.some((e) => e.type === 'connection' && e.state === 'lost'), { timeout: 20_000 })
        .toBe(true);
      second = await startThetaEmulator({ dataDir: path.join(dir, 'restart'), speed: 20, httpPort: port });
      await expect
        .poll(() => events.some((e) => e.type === 'connection' && e.state === 'restored'), { timeout: 30_000 })
        .toBe(true);
      // The restarted S is back in v2.0; the client switches it to v2.1 again on its own.
      expect(second.osc.sessions.api).toBe(1);
      expect(await c.list('/')).toEqual([{ kind: 'medium', path: '/internal', name: 'internal', count: 0 }]);
      expect(second.osc.sessions.api).toBe(2);
    } finally {
      ac.abort();
      await watching;
      await c.close();
      await second?.close();
    }
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { OscClient } from '../../src/osc/client.js';
import { OscClientError } from '../../src/osc/errors.js';
import { LivePreviewParser, boundaryOf } from '../../src/osc/live-preview.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/theta-real');

let dir: string;
let cam: RunningThetaEmulator;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-oscc-'));
  cam = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 20 });
});

afterAll(async () => {
  await cam.close();
  await rm(dir, { recursive: true, force: true });
});

function sink(): { stream: PassThrough; data: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, data: () => Buffer.concat(chunks) };
}

describe('OscClient against the emulator', () => {
  it('switches a THETA S to v2.1 like RICOH’s SDK, shoots, lists, downloads with progress and resume', async () => {
    const c = new OscClient({ baseUrl: cam.url, pollIntervalMs: 50 });
    const { info, api } = await c.connect();
    expect(info.model).toBe('RICOH THETA S');
    expect(api).toBe(2);
    expect((await c.state()).state._apiVersion).toBe(2);
    await c.setOptions({ fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    const progress: number[] = [];
    const url = await c.takePicture({ onProgress: (r) => progress.push(r.progress?.completion ?? -1) });
    expect(url).toMatch(/\/files\/[0-9a-f]+\/100RICOH\/R\d{7}\.JPG$/);
    expect(progress.length).toBeGreaterThan(0);
    const page = await c.listFiles({ type: 'image', count: 5, thumbnails: true });
    expect(page.entries[0]?.fileUrl).toBe(url);
    expect(page.entries[0]?.thumbnail).toBeTruthy();
    const full = sink();
    const seen: number[] = [];
    const r = await c.download(url, full.stream, { onProgress: (p) => seen.push(p.bytes) });
    expect(r.bytes).toBe(r.total);
    expect(seen.at(-1)).toBe(r.total);
    const onCam = await readFile(await cam.device.filePath(cam.device.findFile(url.split('/').slice(-2).join('/'))));
    expect(full.data().equals(onCam)).toBe(true);
    const rest = sink();
    await c.download(url, rest.stream, { start: 1000 });
    expect(rest.data().equals(onCam.subarray(1000))).toBe(true);
    expect((await c.metadata(url)).xmp['ProjectionType']).toBe('equirectangular');
    const frames: Buffer[] = [];
    for await (const f of c.livePreview()) {
      frames.push(f);
      if (frames.length === 3) break;
    }
    expect(frames.map((f) => f.subarray(0, 2).toString('hex'))).toEqual(['ffd8', 'ffd8', 'ffd8']);
    await c.delete([url]);
    await expect(c.download(url, sink().stream)).rejects.toMatchObject({
      code: 'ERR_CAMCTL_OSC_CAMERA_ERROR',
      oscCode: 'notFound',
      status: 404,
    });
    cam.device.finishWlan();
  });

  it('stays in v2.0 with a session when asked, renews a stale session, downloads with getImage', async () => {
    const c = new OscClient({ baseUrl: cam.url, apiVersion: 1, pollIntervalMs: 50 });
    expect((await c.connect()).api).toBe(1);
    expect(c.sessionId).toMatch(/^SID_/);
    cam.osc.sessions.start(); // another client takes the session
    await c.setOptions({ fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    const uri = await c.takePicture();
    expect(uri).toMatch(/^100RICOH\/R\d{7}\.JPG$/);
    const out = sink();
    await c.download(uri, out.stream);
    expect(out.data().subarray(0, 2).toString('hex')).toBe('ffd8');
    const all = await c.listAllFiles();
    expect(all.some((e) => e.uri === uri)).toBe(true);
    await c.close();
  });

  it('never starts a session in v2.1: switches once, reuses a camera already in v2.1, goes back to v2.0 when asked', async () => {
    const sessions = cam.osc.sessions;
    const original = sessions.start.bind(sessions);
    let started = 0;
    sessions.start = () => {
      started++;
      return original();
    };
    try {
      const a = new OscClient({ baseUrl: cam.url, pollIntervalMs: 50 });
      expect((await a.connect()).api).toBe(2);
      expect(started).toBe(1); // the switch from v2.0, as RICOH's SDK does it
      const b = new OscClient({ baseUrl: cam.url, pollIntervalMs: 50 });
      expect((await b.connect()).api).toBe(2);
      expect(b.sessionId).toBeUndefined();
      expect(started).toBe(1);
      // v2.0 asked of a camera in v2.1: clientVersion 1 first (no session in v2.1), then a session.
      const c = new OscClient({ baseUrl: cam.url, apiVersion: 1, pollIntervalMs: 50 });
      expect((await c.connect()).api).toBe(1);
      expect(c.sessionId).toMatch(/^SID_\d{4}$/);
      expect(started).toBe(2);
      expect((await c.state()).state._apiVersion).toBe(1);
      expect(await c.getOptions(['clientVersion'])).toEqual({ clientVersion: 1 });
      await c.close();
    } finally {
      sessions.start = original;
    }
  });

  it('reset: the S restarts into v2.0; the next command switches it to v2.1 again and sees the defaults', async () => {
    const c = new OscClient({ baseUrl: cam.url, pollIntervalMs: 50 });
    await c.connect();
    await c.setOptions({ exposureProgram: 9, iso: 800, _shutterVolume: 5 });
    await c.reset();
    expect((await c.state()).state._apiVersion).toBe(1);
    expect(await c.getOptions(['iso', '_shutterVolume', 'clientVersion'])).toEqual({
      iso: 0,
      _shutterVolume: 100,
      clientVersion: 2,
    });
    expect((await c.state()).state._apiVersion).toBe(2);
    // The live preview after a reset switches the camera again too.
    await c.reset();
    const frames: Buffer[] = [];
    for await (const f of c.livePreview()) {
      frames.push(f);
      if (frames.length === 2) break;
    }
    expect(frames.map((f) => f.subarray(0, 2).toString('hex'))).toEqual(['ffd8', 'ffd8']);
    expect((await c.state()).state._apiVersion).toBe(2);
    const v20 = new OscClient({ baseUrl: cam.url, apiVersion: 1 });
    await v20.connect();
    await expect(v20.reset()).rejects.toMatchObject({ code: 'ERR_CAMCTL_OSC_PROTOCOL' });
    await v20.close();
  });

  it('honours the overall command timeout and the AbortSignal', async () => {
    const c = new OscClient({ baseUrl: cam.url, apiVersion: 1, pollIntervalMs: 20 });
    await c.connect();
    await c.setOptions({ exposureDelay: 10 });
    // 10 s self-timer at 20× = 500 ms real: a 100 ms budget cannot make it.
    await expect(c.takePicture({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'ERR_CAMCTL_OSC_TIMEOUT' });
    await expect.poll(() => cam.device.snapshot().captureStatus, { timeout: 10_000 }).toBe('idle');
    const ac = new AbortController();
    const p = c.takePicture({ signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ code: 'ERR_CAMCTL_OSC_ABORTED' });
    await expect.poll(() => cam.device.snapshot().captureStatus, { timeout: 10_000 }).toBe('idle');
    await c.setOptions({ exposureDelay: 0 });
    await c.close();
  });

  it('reports an unreachable camera, and camera errors with their OSC code', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    await expect(new OscClient({ baseUrl: `http://127.0.0.1:${port}` }).info()).rejects.toMatchObject({
      code: 'ERR_CAMCTL_OSC_UNREACHABLE',
    });
    const c = new OscClient({ baseUrl: cam.url });
    const err = await c.execute('camera.fly').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OscClientError);
    expect(err).toMatchObject({ code: 'ERR_CAMCTL_OSC_CAMERA_ERROR', oscCode: 'unknownCommand', status: 400 });
    expect(() => new OscClient({ baseUrl: 'ftp://x' })).toThrow(/http/);
    expect(() => new OscClient({ baseUrl: 'http://x', timeoutMs: -1 })).toThrow(/timeoutMs/);
  });

  it('authenticates with HTTP Digest', async () => {
    const authed = await startThetaEmulator({
      dataDir: path.join(dir, 'auth'),
      auth: { user: 'THETAYL00105377', password: '00105377' },
    });
    try {
      const ok = new OscClient({ baseUrl: authed.url, auth: { user: 'THETAYL00105377', password: '00105377' } });
      expect((await ok.info()).model).toBe('RICOH THETA S');
      expect((await ok.state()).fingerprint).toMatch(/^FIG_/);
      await expect(
        new OscClient({ baseUrl: authed.url, auth: { user: 'THETAYL00105377', password: 'nope' } }).info(),
      ).rejects.toMatchObject({ code: 'ERR_CAMCTL_OSC_AUTH' });
      await expect(new OscClient({ baseUrl: authed.url }).info()).rejects.toMatchObject({
        code: 'ERR_CAMCTL_OSC_AUTH',
      });
    } finally {
      await authed.close();
    }
  });
});

describe('OscClient parses leniently (recorded replies of newer THETAs)', () => {
  it('passes unknown fields and enum values through, rejects missing required ones', async () => {
    const replies: Record<string, string> = {
      '/osc/info': await readFile(path.join(FIXTURES, 'info/info_z1.json'), 'utf8'),
      '/osc/state': await readFile(path.join(FIXTURES, 'state/state_x_unknown_camera_error.json'), 'utf8'),
      '/osc/commands/execute': await readFile(path.join(FIXTURES, 'listFiles/listfiles_all_50.json'), 'utf8'),
    };
    const srv = createServer((req, res) => {
      req.resume();
      const body = req.url === '/osc/commands/status' ? '{"name":"x"}' : replies[req.url ?? ''];
      res.writeHead(200, { 'Content-Type': 'application/json;charset=utf-8' });
      res.end(body ?? '{}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const c = new OscClient({ baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` });
      const info = await c.info();
      expect(info.model).toBe('RICOH THETA Z1');
      const st = await c.state();
      expect(Array.isArray(st.state._cameraError)).toBe(true);
      c.api = 2;
      const list = await c.listFiles({ count: 50 });
      expect(list.entries.length).toBeGreaterThan(0);
      expect(list.totalEntries).toBeGreaterThan(0);
      await expect(c.commandStatus('1')).rejects.toMatchObject({ code: 'ERR_CAMCTL_OSC_PROTOCOL' });
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});

describe('LivePreviewParser', () => {
  const jpeg = (n: number) =>
    Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(n, n & 0xff), Buffer.from([0xff, 0xd9])]);
  const stream = (frames: Buffer[], dashes: boolean, lengths = true) =>
    Buffer.concat(
      frames.flatMap((f) => [
        Buffer.from(
          `${dashes ? '--' : ''}---osclivepreview---\r\nContent-type: image/jpeg\r\n${lengths ? `Content-Length: ${f.length}\r\n` : ''}\r\n`,
        ),
        f,
        Buffer.from('\r\n'),
      ]),
    );

  it('reads the recorded dummy stream (bare boundary, LF line ends)', async () => {
    const raw = await readFile(path.join(FIXTURES, 'getLivePreview/preview_dummy_1.txt'));
    const frames = new LivePreviewParser('---osclivepreview---').push(raw);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.toString()).toMatch(/^1234567890/);
    expect(frames[0]!.length).toBe(100);
  });

  it('accepts the boundary with or without "--", split at every offset, with or without Content-Length', () => {
    const frames = [jpeg(10), jpeg(300), jpeg(5)];
    for (const dashes of [false, true]) {
      for (const lengths of [true, false]) {
        const all = stream(frames, dashes, lengths);
        for (let cut = 0; cut <= all.length; cut += 7) {
          const p = new LivePreviewParser(boundaryOf('multipart/x-mixed-replace; boundary="---osclivepreview---"'));
          const got = [...p.push(all.subarray(0, cut)), ...p.push(all.subarray(cut))];
          expect(got).toEqual(frames);
        }
      }
    }
  });

  it('never throws anything but an OSC protocol error on random input (fuzz)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const p = new LivePreviewParser(undefined, 4096);
        try {
          for (const c of chunks) p.push(c);
        } catch (err) {
          expect(err).toBeInstanceOf(OscClientError);
          expect(err).toMatchObject({ code: 'ERR_CAMCTL_OSC_PROTOCOL' });
        }
      }),
    );
  });
});

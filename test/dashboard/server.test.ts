/**
 * The dashboard server over real loopback sockets, against an emulated Sequoia: Host and Origin
 * rules, no CORS headers, error replies in the API's shape, settings errors per field, downloads
 * (file and selection zip, byte-identical), thumbnails cached on disk, and the live socket.
 */
import * as http from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import yauzl from 'yauzl';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSequoiaEmulator, type RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import type { RemoteEntry, ServerMessage } from '../../src/dashboard/api-types.js';
import { nonReadingClient } from '../helpers/websocket.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(
  port: number,
  method: string,
  p: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const all: Record<string, string> = { host: `127.0.0.1:${port}`, ...headers };
    // An empty host means "send no Host header at all" (HTTP/1.0 style clients).
    const setHost = all.host !== '';
    if (!setHost) delete all.host;
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: all, setHost }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (r: Reply): any => JSON.parse(r.body.toString('utf8'));

describe('dashboard server', () => {
  let tmp: string;
  let cam: RunningSequoiaEmulator;
  let dash: RunningDashboard;
  let port: number;
  let id: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-dash-srv-'));
    cam = await startSequoiaEmulator({ dataDir: path.join(tmp, 'seq') });
    dash = await startDashboard({
      cameras: [cam.url.replace('http:', 'sequoia:')],
      cacheDir: path.join(tmp, 'cache'),
      assetsDir: path.join(tmp, 'no-ui'),
      pollIntervalMs: 200,
    });
    port = dash.port;
    id = dash.hub.list()[0]!.id;
    for (let i = 0; i < 300 && dash.hub.view(id).state !== 'online'; i++) await new Promise((r) => setTimeout(r, 50));
    if (dash.hub.view(id).state !== 'online')
      throw new Error(`camera did not come online: ${dash.hub.view(id).error?.message}`);
  });

  afterAll(async () => {
    await dash?.close();
    await cam?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it.each([
    ['a foreign name', 'evil.example'],
    ['a foreign name on our port', 'evil.example:PORT'],
    ['our address on another port', '127.0.0.1:1'],
    ['an empty name', ':PORT'],
  ])('refuses %s in the Host header with 421 (DNS rebinding)', async (_what, host) => {
    const r = await request(port, 'GET', '/api/cameras', { host: host.replace('PORT', String(port)) });
    expect(r.status).toBe(421);
    expect(json(r).error.code).toBe('ERR_CAMCTL_DASHBOARD_FORBIDDEN_HOST');
  });

  it('refuses a request without Host (node:http answers 400 before the dashboard sees it)', async () => {
    const r = await request(port, 'GET', '/api/cameras', { host: '' });
    expect(r.status).toBe(400);
  });

  it('accepts its own address and the loopback names for the same port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const r = await request(port, 'GET', '/api/cameras', { host });
      expect(r.status).toBe(200);
    }
  });

  it('refuses a cross-origin POST (403) and does nothing', async () => {
    const before = await (await fetch(`${cam.url}/file/internal`)).json();
    for (const origin of ['http://evil.example', `http://localhost:${port + 1}`, 'null']) {
      const r = await request(port, 'POST', `/api/cameras/${id}/capture`, { origin });
      expect(r.status).toBe(403);
      expect(json(r).error.code).toBe('ERR_CAMCTL_DASHBOARD_FORBIDDEN_ORIGIN');
    }
    expect(await (await fetch(`${cam.url}/file/internal`)).json()).toEqual(before);
  });

  it('sends no CORS headers, even to a preflight', async () => {
    const pre = await request(port, 'OPTIONS', '/api/cameras', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
    });
    expect([403, 405]).toContain(pre.status);
    const get = await request(port, 'GET', '/api/cameras', { origin: 'http://evil.example' });
    for (const r of [pre, get])
      expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a cross-origin WebSocket and serves a same-origin one', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(403);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, { origin: `http://127.0.0.1:${port}` });
    const hello = await new Promise<ServerMessage>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(String(d)) as ServerMessage));
      ws.once('error', reject);
    });
    expect(hello.type).toBe('hello');
    // A camera notification (sunshine sensor unplugged) arrives as a log entry.
    const seen = new Promise<ServerMessage>((resolve) => {
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as ServerMessage;
        if (m.type === 'log' && m.entry.text.includes('sunshine disconnected')) resolve(m);
      });
    });
    await fetch(`${cam.url}/_emulator/sunshine`, { method: 'POST', body: '{"connected":false}' });
    expect((await seen).type).toBe('log');
    await fetch(`${cam.url}/_emulator/sunshine`, { method: 'POST', body: '{"connected":true}' });
    ws.close();
  });

  it('answers errors in its own shape', async () => {
    expect(json(await request(port, 'GET', '/api/cameras/nope/files')).error.code).toBe(
      'ERR_CAMCTL_DASHBOARD_NOT_FOUND',
    );
    const bad = await request(
      port,
      'POST',
      '/api/cameras',
      { 'content-type': 'application/json' },
      '{"address":"sequoia//x"}',
    );
    expect(bad.status).toBe(400);
    expect(json(bad).error.code).toBe('BAD_ADDRESS');
    const form = await request(
      port,
      'POST',
      '/api/cameras',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'address=x',
    );
    expect(form.status).toBe(415);
    const big = await request(
      port,
      'POST',
      `/api/cameras/${id}/config`,
      { 'content-type': 'application/json' },
      `{"values":{"x":"${'a'.repeat(70_000)}"}}`,
    );
    expect(big.status).toBe(413);
    expect((await request(port, 'GET', '/api/cameras/%E0%A4%A/files')).status).toBe(400);
    await expect(startDashboard({ cameras: ['sequoia//nope'], cacheDir: path.join(tmp, 'c2') })).rejects.toMatchObject({
      code: 'BAD_ADDRESS',
    });
    const dotdot = await request(port, 'GET', `/api/cameras/${id}/files?path=/internal/../etc`);
    expect(dotdot.status).toBe(400);
    expect((await request(port, 'GET', '/')).status).toBe(500); // this server has no built page
  });

  it('puts setting errors beside their field', async () => {
    const r = await request(
      port,
      'POST',
      `/api/cameras/${id}/config`,
      { 'content-type': 'application/json' },
      '{"values":{"timelapse_param":99999}}',
    );
    expect(r.status).toBe(400);
    expect(json(r).error.fields).toHaveProperty('timelapse_param');
    const unknown = await request(
      port,
      'POST',
      `/api/cameras/${id}/config`,
      { 'content-type': 'application/json' },
      '{"values":{"colour":"red"}}',
    );
    expect(json(unknown).error.code).toBe('UNKNOWN_SETTING');
    const ok = await request(
      port,
      'POST',
      `/api/cameras/${id}/config`,
      { 'content-type': 'application/json' },
      '{"values":{"bit_depth":8}}',
    );
    expect(ok.status).toBe(200);
    expect(json(ok).settings.find((s: { key: string }) => s.key === 'bit_depth').value).toBe(8);
  });

  it('a partly refused change says which keys the camera applied and which it refused, and why (207)', async () => {
    const sd = (present: boolean) =>
      fetch(`${cam.url}/_emulator/sd`, { method: 'POST', body: JSON.stringify({ present }) });
    await sd(false);
    try {
      const r = await request(
        port,
        'POST',
        `/api/cameras/${id}/config`,
        { 'content-type': 'application/json' },
        '{"values":{"capture_mode":"timelapse","storage_selected":"sd"}}',
      );
      expect(r.status).toBe(207);
      const reply = json(r);
      expect({ applied: reply.applied, refused: reply.refused }).toEqual({
        applied: [{ key: 'capture_mode', value: 'timelapse' }],
        refused: [{ key: 'storage_selected', value: 'sd', reason: 'Bad value' }],
      });
      // The settings as the camera has them now: the applied key changed, the refused one did not.
      expect(reply.settings.find((s: { key: string }) => s.key === 'capture_mode').value).toBe('timelapse');
      expect(reply.settings.find((s: { key: string }) => s.key === 'storage_selected').value).toBe('internal');
    } finally {
      await sd(true);
      await request(
        port,
        'POST',
        `/api/cameras/${id}/config`,
        { 'content-type': 'application/json' },
        '{"values":{"capture_mode":"single"}}',
      );
    }
  });

  it('captures, streams a file and a selection zip byte-identical, and caches thumbnails on disk', async () => {
    const shot = json(await request(port, 'POST', `/api/cameras/${id}/capture`));
    expect(shot.files).toHaveLength(5);
    const files = shot.files as RemoteEntry[];
    const one = files[0]!;
    const got = await request(port, 'GET', `/api/cameras/${id}/download?path=${encodeURIComponent(one.path)}`);
    const direct = Buffer.from(await (await fetch(`${cam.url}/download${one.path}`)).arrayBuffer());
    expect(got.status).toBe(200);
    expect(got.body.equals(direct)).toBe(true);
    expect(got.headers['content-disposition']).toContain(one.name);

    const q = files
      .slice(0, 2)
      .map((f) => `path=${encodeURIComponent(f.path)}`)
      .join('&');
    const zip = await request(port, 'GET', `/api/cameras/${id}/download?${q}`);
    expect(zip.headers['content-type']).toBe('application/zip');
    const entries = await unzip(zip.body);
    for (const f of files.slice(0, 2)) {
      const fromCamera = Buffer.from(await (await fetch(`${cam.url}/download${f.path}`)).arrayBuffer());
      expect(entries.get(f.name)?.equals(fromCamera)).toBe(true);
    }

    const thumb = await request(port, 'GET', `/api/cameras/${id}/thumb?path=${encodeURIComponent(one.path)}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect(thumb.body.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect((await readdir(path.join(tmp, 'cache', 'img'))).length).toBeGreaterThan(0);
    const again = await request(port, 'GET', `/api/cameras/${id}/thumb?path=${encodeURIComponent(one.path)}`);
    expect(again.body.equals(thumb.body)).toBe(true);
    expect((await request(port, 'GET', `/api/cameras/${id}/thumb?path=/internal/0000/NOPE.JPG`)).status).toBe(404);
  });

  it('streams a folder as the camera’s own zip and reports download progress to live pages', async () => {
    const shot = json(await request(port, 'POST', `/api/cameras/${id}/capture`));
    const folder = shot.folder as string;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`);
    await new Promise((resolve) => ws.once('message', resolve)); // hello
    const done = new Promise<any>((resolve) => {
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as ServerMessage;
        if (m.type === 'download' && m.id === 'dl-test' && m.state !== 'running') resolve(m);
      });
    });
    const zip = await request(port, 'GET', `/api/cameras/${id}/download?path=${encodeURIComponent(folder)}&dl=dl-test`);
    expect(zip.status).toBe(200);
    expect(zip.headers['content-disposition']).toContain(`${folder.split('/').pop()}.zip`);
    const entries = await unzip(zip.body);
    expect([...entries.keys()].map((k) => k.split('/').pop()).sort()).toEqual(
      (shot.files as RemoteEntry[]).map((f) => f.name).sort(),
    );
    const msg = await done;
    // Finished, a zip says its total too (unknown while it streamed): the page's bar can be full.
    expect(msg).toMatchObject({ state: 'done', cameraId: id, bytes: zip.body.length, total: zip.body.length });
    ws.close();
  });

  it('shows a camera that does not answer as offline, and online once it does', async () => {
    const later = await startSequoiaEmulator({ dataDir: path.join(tmp, 'later') });
    const address = later.url.replace('http:', 'sequoia:');
    const laterPort = Number(new URL(later.url).port);
    await later.close();
    const view = dash.hub.add(address);
    for (let i = 0; i < 200 && dash.hub.view(view.id).state !== 'offline'; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(dash.hub.view(view.id)).toMatchObject({ state: 'offline', error: { code: 'UNREACHABLE' } });
    const offline = await request(port, 'GET', `/api/cameras/${view.id}/files`);
    expect(offline.status).toBe(503);
    expect(json(offline).error.code).toBe('ERR_CAMCTL_DASHBOARD_CAMERA_OFFLINE');
    const back = await startSequoiaEmulator({ dataDir: path.join(tmp, 'later'), httpPort: laterPort });
    try {
      for (let i = 0; i < 400 && dash.hub.view(view.id).state !== 'online'; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(dash.hub.view(view.id).state).toBe('online');
    } finally {
      await dash.hub.remove(view.id);
      await back.close();
    }
  });
});

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe("dashboard passing on a camera's refusal", () => {
  it('answers a camera’s 4xx with that status and the camera’s words; a camera’s 5xx stays 502', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-dash-refusal-'));
    // A camera that takes at most 16 bytes of request body: it answers any setting change 413.
    const cam = await startSequoiaEmulator({ dataDir: path.join(tmp, 'seq'), maxBodyBytes: 16 });
    const dash = await startDashboard({
      cameras: [cam.url.replace('http:', 'sequoia:')],
      cacheDir: path.join(tmp, 'cache'),
      assetsDir: path.join(tmp, 'no-ui'),
    });
    try {
      const id = dash.hub.list()[0]!.id;
      for (let i = 0; i < 300 && dash.hub.view(id).state !== 'online'; i++) await new Promise((r) => setTimeout(r, 50));
      const refused = await request(
        dash.port,
        'POST',
        `/api/cameras/${id}/config`,
        { 'content-type': 'application/json' },
        '{"values":{"bit_depth":8,"timelapse_param":2}}',
      );
      expect(refused.status).toBe(413);
      expect(json(refused).error).toMatchObject({
        code: 'CAMERA_ERROR',
        message: expect.stringContaining('Request body larger than 16 bytes'),
      });

      // A full medium: the camera answers capture/start 507, its own failure, so the gateway's 502.
      expect(
        (await fetch(`${cam.url}/_emulator/fill`, { method: 'POST', body: '{"medium":"internal","free":0}' })).status,
      ).toBe(200);
      const full = await request(dash.port, 'POST', `/api/cameras/${id}/capture`);
      expect(full.status).toBe(502);
    } finally {
      await dash.close();
      await cam.close();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('dashboard live socket and a page that stops reading', () => {
  it('drops the page with close 1008 once its queue passes the bound, instead of queueing every log entry', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-dash-slow-'));
    const dash = await startDashboard({
      cacheDir: path.join(tmp, 'cache'),
      assetsDir: path.join(tmp, 'no-ui'),
      maxLiveQueueBytes: 256 * 1024,
    });
    try {
      const page = await nonReadingClient(`${dash.url}api/live`);
      // Log entries are never skipped for a slow page. 30,000 of ~250 bytes (7 MB) overflow the
      // kernel's socket buffers and the bound; a server that queues without bound sends them all.
      for (let i = 0; i < 30_000; i++) {
        dash.hub.log('cam', 'action', `entry ${i} ${'x'.repeat(160)}`);
        if (i % 500 === 0) await new Promise((r) => setImmediate(r));
      }
      const close = await page.readRest();
      expect(close.readUInt16BE(0)).toBe(1008);
      expect(close.subarray(2).toString('utf8')).toMatch(/too slow/);
      page.socket.destroy();
    } finally {
      await dash.close();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

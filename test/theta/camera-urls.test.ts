/**
 * A THETA writes its own address into the URLs it hands out (a real one: http://192.168.1.1/…),
 * whatever address it was reached at. camctl must talk only to the address the user gave: the
 * emulator here reports 192.168.1.1 in storageUri, fileUrl and _latestFileUrl, and a guard on
 * every socket of this process refuses — before any packet leaves — a connection to anything but
 * loopback. The OSC client, the camctl CLI and the dashboard all work through it.
 */
import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../../src/dashboard/server.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { OscClient } from '../../src/osc/client.js';
import { rebaseCameraUrl } from '../../src/osc/camera-url.js';
import { camctlInProcess } from '../helpers/camctl-in-process.js';
import { guardConnections, type ConnectionGuard } from '../helpers/loopback-guard.js';
import { tempDir } from '../helpers/tmp.js';

const FOREIGN = '192.168.1.1';
let tmp: { dir: string; cleanup: () => Promise<void> };
let cam: RunningThetaEmulator;
let guard: ConnectionGuard;

beforeAll(async () => {
  guard = guardConnections();
  tmp = await tempDir('camctl-theta-urls-');
  cam = await startThetaEmulator({ dataDir: path.join(tmp.dir, 'theta'), speed: 20, advertisedHost: FOREIGN });
});

afterEach(() => {
  expect(guard.refused).toEqual([]);
});

afterAll(async () => {
  await cam?.close();
  await tmp?.cleanup();
  guard.restore();
  // The guard was on the path all along: it saw the loopback connections the tests made.
  expect(guard.allowed.length).toBeGreaterThan(0);
  expect(guard.refused).toEqual([]);
});

function sink(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }),
    bytes: () => Buffer.concat(chunks),
  };
}

async function original(fileUrl: string): Promise<Buffer> {
  const rel = new URL(fileUrl).pathname.split('/').slice(-2).join('/');
  return readFile(await cam.device.filePath(cam.device.findFile(rel)));
}

describe('camera URLs are put on the address the user gave', () => {
  it('the guard refuses a non-loopback destination before connecting', async () => {
    // 0.0.0.0 is this machine: even a broken guard would send nothing off it.
    const err = await fetch('http://0.0.0.0:9999/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(guard.refused).toEqual(['0.0.0.0:9999']);
    guard.refused.length = 0;
  });

  it('rebaseCameraUrl keeps path and query, drops host, credentials and fragment', () => {
    expect(
      rebaseCameraUrl('http://192.168.1.1/files/abc/100RICOH/R0010001.JPG?type=thumb', 'http://127.0.0.1:8080'),
    ).toBe('http://127.0.0.1:8080/files/abc/100RICOH/R0010001.JPG?type=thumb');
    expect(rebaseCameraUrl('http://u:p@192.168.1.1:81/files/a%20b/x.JPG#frag', 'http://[::1]:9/')).toBe(
      'http://[::1]:9/files/a%20b/x.JPG',
    );
    expect(rebaseCameraUrl('//192.168.1.1/files/x', 'http://127.0.0.1:1')).toBe('http://127.0.0.1:1/files/x');
    expect(rebaseCameraUrl('/osc/info', 'http://127.0.0.1:1')).toBe('http://127.0.0.1:1/osc/info');
  });

  it('the emulator reports the foreign host, as a real THETA reports its own address', async () => {
    const client = new OscClient({ baseUrl: cam.url });
    await client.connect();
    const st = await client.state();
    expect(st.state.storageUri).toBe(`http://${FOREIGN}/files/${cam.device.storageId}/`);
  });

  it('OscClient downloads fileUrls (whole, thumbnail, resumed) from the given address', async () => {
    const client = new OscClient({ baseUrl: cam.url });
    await client.connect();
    const ref = await client.takePicture();
    expect(ref.startsWith(`http://${FOREIGN}/files/`)).toBe(true);
    const whole = sink();
    await client.download(ref, whole.stream);
    expect(whole.bytes().equals(await original(ref))).toBe(true);
    const thumb = sink();
    await client.download(ref, thumb.stream, { thumb: true });
    expect(thumb.bytes().subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const tail = sink();
    await client.download(ref, tail.stream, { start: 1000 });
    expect(tail.bytes().equals((await original(ref)).subarray(1000))).toBe(true);
    const listed = (await client.listAllFiles()).find((e) => e.name === ref.split('/').pop());
    expect(listed?.fileUrl?.startsWith(`http://${FOREIGN}/`)).toBe(true);
    // Identifiers handed back to the camera stay as it wrote them: it recognises its own URLs.
    const meta = await client.metadata(ref);
    expect(meta.exif).toBeTypeOf('object');
  });

  it('camctl capture, ls, get and rm over theta:// stay on the given address', async () => {
    const camera = `theta://${new URL(cam.url).host}`;
    const shot = await camctlInProcess('--camera', camera, '--json', 'capture');
    expect(shot.code, shot.stderr).toBe(0);
    const file = (JSON.parse(shot.stdout) as { files: { path: string; size: number }[] }).files[0]!;
    const ls = await camctlInProcess('--camera', camera, 'ls', file.path.split('/').slice(0, -1).join('/'));
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain(file.path.split('/').pop());
    const out = path.join(tmp.dir, 'get');
    const got = await camctlInProcess('--camera', camera, 'get', file.path, '-o', out);
    expect(got.code, got.stderr).toBe(0);
    const [name] = await readdir(out, { recursive: true }).then((names) =>
      names.filter((n) => n.endsWith(file.path.split('/').pop()!)),
    );
    expect(name).toBeDefined();
    const bytes = await readFile(path.join(out, name!));
    expect(bytes.length).toBe(file.size);
    const rm = await camctlInProcess('--camera', camera, 'rm', file.path);
    expect(rm.code, rm.stderr).toBe(0);
    // The URLs it prints lead to the camera it was given.
    expect((await camctlInProcess('--camera', camera, 'video', 'start')).code).toBe(0);
    const stop = await camctlInProcess('--camera', camera, '--json', 'video', 'stop');
    expect(stop.code, stop.stderr).toBe(0);
    // `files` are camera paths (as ls/get/rm take them); the camera's own URLs, kept under
    // `details`, lead to the camera it was given.
    const stopped = JSON.parse(stop.stdout) as { files: string[]; details: { fileUrls: string[] } };
    expect(stopped.details.fileUrls.length).toBeGreaterThan(0);
    for (const f of stopped.details.fileUrls) expect(f.startsWith(`${cam.url}/files/`), f).toBe(true);
    for (const f of stopped.files) expect(f).toMatch(/^\/internal\/\w+\/[^/]+\.MP4$/);
  });

  it('the dashboard shows thumbnails, previews and downloads, and shows camera URLs on the given address', async () => {
    const client = new OscClient({ baseUrl: cam.url });
    await client.connect();
    await client.setOptions({ captureMode: 'image' });
    const ref = await client.takePicture();
    const dash = await startDashboard({
      cameras: [`theta://${new URL(cam.url).host}`],
      cacheDir: path.join(tmp.dir, 'dash-cache'),
      assetsDir: path.join(tmp.dir, 'no-ui'),
      pollIntervalMs: 200,
    });
    try {
      const id = dash.hub.list()[0]!.id;
      for (let i = 0; i < 300 && dash.hub.view(id).state !== 'online'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(dash.hub.view(id).state).toBe('online');
      const camPath = `/internal/${ref.split('/').slice(-2).join('/')}`;
      const api = (what: string) =>
        fetch(`${dash.url}api/cameras/${encodeURIComponent(id)}/${what}?path=${encodeURIComponent(camPath)}`);
      const thumb = await api('thumb');
      expect(thumb.status).toBe(200);
      expect(Buffer.from(await thumb.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      const preview = await api('preview');
      expect(preview.status).toBe(200);
      await preview.arrayBuffer();
      const download = await api('download');
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(await original(ref))).toBe(true);
      // The status page shows the camera's URLs; a click or a copy must lead to the same camera.
      const view = (await (await fetch(`${dash.url}api/cameras/${encodeURIComponent(id)}`)).json()) as {
        status?: { details?: Record<string, unknown> };
      };
      const details = view.status?.details ?? {};
      expect(details['storageUri']).toBe(`${cam.url}/files/${cam.device.storageId}/`);
      expect(JSON.stringify(details)).not.toContain(FOREIGN);
    } finally {
      await dash.close();
    }
  });
});

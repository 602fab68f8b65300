/**
 * The Python examples of Parrot's Sequoia API reference (test/sequoia/python/, changed only in host/port and Python 3
 * print syntax) run with Debian's /usr/bin/python3 + python3-requests + python3-websocket against
 * the emulator. Their printed JSON must have the reference's shapes.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/util/clock.js';
import { startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';
import { requireTool, tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const PY = '/usr/bin/python3';
const DIR = path.join(import.meta.dirname, 'python');
const havePython = spawnSync(PY, ['-c', 'import requests, websocket'], { stdio: 'ignore' }).status === 0;
const enabled = requireTool(havePython, 'Debian python3 with python3-requests and python3-websocket');

let cam: TestSequoia;
let host: string;

async function py(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(PY, [path.join(DIR, script), host, ...args], { timeout: 30_000 });
  return stdout;
}

/** The JSON documents a script printed (json.dumps(indent=4) blocks, separated by text lines). */
function documents(out: string): any[] {
  const docs: any[] = [];
  let buf = '';
  let depth = 0;
  for (const line of out.split('\n')) {
    if (depth === 0 && !line.startsWith('{')) continue;
    buf += `${line}\n`;
    depth += (line.match(/{/g) ?? []).length - (line.match(/}/g) ?? []).length;
    if (depth === 0) {
      docs.push(JSON.parse(buf));
      buf = '';
    }
  }
  return docs;
}

describe.skipIf(!enabled)('the Sequoia API reference Python examples against the emulator', () => {
  beforeAll(async () => {
    cam = await startTestSequoia({ clock: new RealClock(), pingIntervalMs: 500 });
    host = new URL(cam.url).host;
    await cam.post('/config', { sensors_mask: 30, resolution_mono: 0.3 });
    for (let i = 0; i < 3; i++) {
      await cam.get('/capture/start');
      await cam.device.whenSessionEnds();
    }
    await cam.post('/config', { sensors_mask: 31, resolution_mono: 1.2 });
  });
  afterAll(async () => {
    await cam?.stop();
  });

  it('capture, status, calibration, storage, version', async () => {
    expect(documents(await py('capture.py'))).toEqual([{ request: 'capture_status', status: 'Ready' }]);
    const [status] = documents(await py('status.py'));
    expect(Object.keys(status).sort()).toEqual(['gps', 'instruments', 'request', 'sunshine', 'temperature']);
    expect(documents(await py('calibration.py'))).toEqual([
      { body: 'None', sunshine: 'None', request: 'get_calibration' },
    ]);
    const [storage] = documents(await py('storage.py'));
    expect(storage.internal.path).toBe('/internal');
    expect(documents(await py('version.py'))[0].request).toBe('get_version');
  });

  it('config get and post print the reference shapes', async () => {
    const [get, post] = documents(await py('config.py'));
    expect(get.request).toBe('get_config');
    expect(Object.values(post).filter((v) => v !== 'Ok')).toEqual(['set_config']);
  });

  it('file listing of /internal/0002 and download of a file and a folder zip', async () => {
    const [all, media, folder] = documents(await py('file.py'));
    expect(Object.keys(all)).toEqual(['request', '/internal', '/sd']);
    expect(media).toEqual({ request: 'file_info', '/internal/0000': 4, '/internal/0001': 4, '/internal/0002': 4 });
    const names = Object.keys(folder).filter((k) => k !== 'request');
    expect(names).toHaveLength(4);
    const tmp = await tempDir();
    try {
      const img = names[0]!.slice(1);
      await run(PY, [path.join(DIR, 'download.py'), host, img, 'internal/0002'], { cwd: tmp.dir, timeout: 30_000 });
      const got = await fs.readFile(path.join(tmp.dir, path.basename(img)));
      expect(got.equals(await fs.readFile(path.join(cam.dataDir, 'media', img)))).toBe(true);
      const zip = await fs.readFile(path.join(tmp.dir, '0002.zip'));
      expect(zip.subarray(0, 4).toString('hex')).toBe('504b0304');
    } finally {
      await tmp.cleanup();
    }
  });

  it('wifi and manualmode', async () => {
    const [get, post] = documents(await py('wifi.py'));
    expect(get).toMatchObject({ request: 'get_wifi', status: 'on' });
    expect(post).toEqual({ request: 'set_wifi', ssid: 'Ok' });
    const [set, read] = documents(await py('manualmode.py'));
    expect(set.rgb).toEqual({ mode: 'Ok', exp_us: 'Ok', iso: 'Ok' });
    expect(read.monochrome.near_infrared).toEqual({ exp_us: 15000, iso: 100 });
  });

  it('delete of a file and a folder', async () => {
    const folder = Object.keys((await cam.get('/file/internal/0001')).body).filter((k) => k !== 'request');
    await py('delete.py', folder[0]!.slice(1), 'internal/0000');
    const left = (await cam.get('/file/internal')).body;
    expect(left['/internal/0000']).toBeUndefined();
    expect(left['/internal/0001']).toBe(3);
  });

  it('the websocket example stays connected answering pings and prints notifications', async () => {
    const child = spawn(PY, [path.join(DIR, 'websocket_client.py'), host], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const waitFor = async (needle: string) => {
        for (let i = 0; i < 200 && !out.includes(needle); i++) await new Promise((r) => setTimeout(r, 50));
        expect(out).toContain(needle);
      };
      await waitFor('### opened ###');
      await cam.post('/config', { capture_mode: 'timelapse' });
      await waitFor('"capture_mode": "timelapse"');
      // Several ping periods later it is still connected: it answered every ping.
      await new Promise((r) => setTimeout(r, 1800));
      expect(cam.http.webSocketClients).toBe(1);
      expect(out).toContain('"status": "ping"');
      expect(out).not.toContain('### closed ###');
    } finally {
      child.kill();
      await cam.post('/config', { capture_mode: 'single' });
    }
  });
});

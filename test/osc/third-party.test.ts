/**
 * Real third-party clients against the THETA emulator on loopback:
 * - the npm `osc-client` package (the library of the THETA community guide's Node example), unmodified: the guide's
 *   script itself, and its Osc2Client flows;
 * - the guide's Python examples with Debian's python3 + python3-requests.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExifReader from 'exifreader';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { requireTool } from '../helpers/tmp.js';

const SEED = path.resolve(import.meta.dirname, 'seed');
const NODE_MODULES = path.resolve(import.meta.dirname, '../../node_modules');
const require = createRequire(import.meta.url);

let dir: string;
let cam: RunningThetaEmulator;
let port: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-osc-3p-'));
  // Faster simulated time so osc-client's fixed 2 s status polling sees the shot end quickly.
  cam = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 10 });
  port = new URL(cam.url).port;
});

afterAll(async () => {
  await cam.close();
  await rm(dir, { recursive: true, force: true });
});

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function idle(): Promise<void> {
  await expect.poll(async () => cam.device.snapshot().captureStatus, { timeout: 20_000, interval: 50 }).toBe('idle');
}

describe('npm osc-client against the emulator', () => {
  it('uses osc-client 1.1.0 for the guide example and 2.x for Osc2Client', () => {
    expect((require('osc-client-v1/package.json') as { version: string }).version).toBe('1.1.0');
    expect((require('osc-client/package.json') as { version: string }).version).toMatch(/^2\./);
  });

  it("runs the guide's Node example unmodified but host and port: startSession → takePicture → getImage → closeSession", async () => {
    const work = await mkdtemp(path.join(dir, 'node-'));
    const src = await readFile(path.join(SEED, 'node-take-picture.js'), 'utf8');
    const script = src
      .replace("var domain = '192.168.1.1';", "var domain = '127.0.0.1';")
      .replace("var port = '80';", `var port = '${port}';`);
    expect(script).not.toBe(src);
    await writeFile(path.join(work, 'main.js'), script);
    // The guide dates from Node 4–6, where fs.writeFile without a callback only warned; Node ≥ 10
    // throws. This preload restores that old runtime behaviour — the script itself is untouched.
    await writeFile(
      path.join(work, 'node6-fs.cjs'),
      "const fs = require('fs'); const orig = fs.writeFile; fs.writeFile = function (...a) { if (typeof a[a.length - 1] !== 'function') a.push((err) => { if (err) process.exitCode = 1; }); return orig.apply(this, a); };\n",
    );
    // The example was written against osc-client 1.x (it reads `res.body.results`; 2.x resolves with
    // the body itself), so `require('osc-client')` resolves to that release, installed unmodified
    // as the devDependency osc-client-v1.
    await mkdir(path.join(work, 'node_modules'));
    await symlink(path.join(NODE_MODULES, 'osc-client-v1'), path.join(work, 'node_modules', 'osc-client'), 'dir');
    const r = await run(process.execPath, ['--require', './node6-fs.cjs', 'main.js'], work);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = /pictureUri :(100RICOH\/(R\d{7}\.JPG))/.exec(r.stdout);
    expect(m).not.toBeNull();
    const jpeg = await readFile(path.join(work, m![2]!));
    const tags = ExifReader.load(jpeg);
    expect(tags['Model']?.description).toBe('RICOH THETA S');
    expect(tags['ProjectionType']?.description).toBe('equirectangular');
    const onCamera = await readFile(await cam.device.filePath(cam.device.findFile(m![1]!)));
    expect(jpeg.equals(onCamera)).toBe(true);
    // closeSession ran: the session is gone.
    expect(cam.osc.sessions.current).toBeUndefined();
  });

  it('runs Osc2Client flows after the switch to v2.1: takePicture, listFiles, startCapture/stopCapture, delete2, reset', async () => {
    const { OscClient, Osc2Client } = require('osc-client') as {
      OscClient: new (host: string, port: string) => any;
      Osc2Client: new (host: string, port: string) => any;
    };
    const v1 = new OscClient('127.0.0.1', port);
    const info = await v1.getInfo();
    expect(info.model).toBe('RICOH THETA S');
    const sid = (await v1.startSession()).results.sessionId;
    await v1.setOptions(sid, { clientVersion: 2, fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    const c = new Osc2Client('127.0.0.1', port);
    const state = await c.getState();
    expect(state.state._apiVersion).toBe(2);

    const shot = await c.takePicture();
    expect(shot.results.fileUrl).toMatch(/\/files\/[0-9a-f]+\/100RICOH\/R\d{7}\.JPG$/);

    const list = await c.listFiles('image', 10, 640);
    expect(list.results.totalEntries).toBeGreaterThanOrEqual(1);
    expect(list.results.entries[0].fileUrl).toBe(shot.results.fileUrl);
    expect(Buffer.from(list.results.entries[0].thumbnail, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    // Interval shooting: every 5 s of camera time (10× faster here), stopped by the client.
    await c.setOptions(undefined, { captureInterval: 5, captureNumber: 0 }); // v2.1 names (theta-web-api-v2.1/options.md)
    const before = cam.device.catalog.count;
    const started = await c.startCapture();
    expect(started.state).toBe('done');
    await expect
      .poll(() => cam.device.catalog.count, { timeout: 20_000, interval: 50 })
      .toBeGreaterThanOrEqual(before + 2);
    const stopped = await c.stopCapture();
    expect(stopped.results.fileUrls.length).toBeGreaterThanOrEqual(2);
    await idle();

    // Video: a real MP4 comes back.
    await c.setOptions(undefined, { captureMode: 'video', fileFormat: { type: 'mp4', width: 1280, height: 720 } });
    await c.startCapture();
    await new Promise((r) => setTimeout(r, 300));
    const video = await c.stopCapture();
    expect(video.results.fileUrls).toHaveLength(1);
    const mp4 = Buffer.from(await (await fetch(video.results.fileUrls[0])).arrayBuffer());
    expect(mp4.toString('latin1', 4, 8)).toBe('ftyp');

    const del = await c.delete2([shot.results.fileUrl, video.results.fileUrls[0]]);
    expect(del.state).toBe('done');
    expect((await fetch(shot.results.fileUrl)).status).toBe(404);
    // A URL of a file the camera no longer has is a bad parameter value (OSC camera.delete).
    await expect(c.delete2([shot.results.fileUrl])).rejects.toMatchObject({ oscCode: 'invalidParameterValue' });

    const reset = await c.reset();
    expect(reset.state).toBe('done');
    // The S restarts after a reset and comes back in v2.0: a session again for the options.
    expect((await c.getState()).state._apiVersion).toBe(1);
    const sid2 = (await v1.startSession()).results.sessionId;
    const opts = await v1.getOptions(sid2, ['captureMode', 'fileFormat', 'clientVersion']);
    expect(opts.results.options).toEqual({
      captureMode: 'image',
      fileFormat: { type: 'jpeg', width: 5376, height: 2688 },
      clientVersion: 1,
    });
    await v1.closeSession(sid2);
  });
});

describe("the THETA guide's Python examples (Debian python3-requests)", () => {
  const python = '/usr/bin/python3';
  const has = existsSync(python) && existsSync('/usr/lib/python3/dist-packages/requests/__init__.py');
  it('state, info, startSession, takePicture, _listAll and getImage into output.jpg', async (ctx) => {
    if (!requireTool(has, 'python3 with python3-requests (apt-get install -y python3-requests)')) {
      ctx.skip();
      return;
    }
    const work = await mkdtemp(path.join(dir, 'py-'));
    for (const f of ['thetaPythonTest.py', 'theta-python-download.py']) {
      const src = await readFile(path.join(SEED, f), 'utf8');
      await writeFile(path.join(work, f), src.replace('http://192.168.1.1/osc/', `http://127.0.0.1:${port}/osc/`));
    }
    const first = await run(python, ['thetaPythonTest.py'], work);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("'model': 'RICOH THETA S'");
    expect(first.stdout).toMatch(/'sessionId': 'SID_\d{4}'/);
    expect(first.stdout).toMatch(/'state': 'inProgress'/);
    await idle();
    const second = await run(python, ['theta-python-download.py'], work);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const latest = cam.device.snapshot().latestFile;
    expect(second.stdout).toContain(`'uri': '${latest}'`);
    const out = await readFile(path.join(work, 'output.jpg'));
    expect(out.equals(await readFile(await cam.device.filePath(cam.device.findFile(latest))))).toBe(true);
  });
});

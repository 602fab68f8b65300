/**
 * The dashboard's per-camera S3 sync against a real emulated Sequoia and a real S3 engine (Ceph's
 * RADOS Gateway on a single-node cluster on loopback, started once for this file): the API starts
 * a sync, shows its progress and end state, refuses a second one with 409, stops one, refuses
 * other origins; the objects are checked in the bucket byte by byte; and in Chromium the page
 * starts a sync from its form and sees it finish with the manifest's key.
 *
 * The dashboard runs in this process, so its AWS credential chain is this process's environment:
 * every AWS_* variable is cleared first, then the gateway's keys are set, instance metadata is off.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { hasChromium, launchChromium } from '../../bench/dashboard-browser.js';
import type { S3SyncState, ServerMessage } from '../../src/dashboard/api-types.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import { startSequoiaEmulator, type RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { cameraFiles } from '../helpers/camera-files.js';
import { isolateAwsEnvironment, startCephForTests, type RunningCeph } from '../helpers/ceph.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'dashboard');

isolateAwsEnvironment();
// Started while the file is collected, so that tests can be skipped visibly when Ceph is missing.
const ceph: RunningCeph | undefined = await startCephForTests();
const noChromium = !hasChromium();
if (noChromium && process.env.CI === 'true')
  throw new Error('chromium is required in CI (apt-get install -y chromium)');
if (noChromium)
  console.warn('SKIPPED: the dashboard S3 sync browser test needs /usr/bin/chromium (apt-get install -y chromium)');

interface Reply {
  status: number;
  body: any;
}

function request(
  port: number,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const all: Record<string, string> = { host: `127.0.0.1:${port}`, ...headers };
    if (body !== undefined) all['content-type'] = 'application/json';
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe.skipIf(!ceph)('dashboard S3 sync', () => {
  let tmp: string;
  let s3: S3Client;
  let cam: RunningSequoiaEmulator;
  let dash: RunningDashboard;
  let port: number;
  let id: string;
  let bucketCount = 0;

  async function newBucket(): Promise<string> {
    const bucket = `camctl-dash-${++bucketCount}-${randomBytes(3).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  }

  async function keys(bucket: string): Promise<string[]> {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (r.Contents ?? []).map((o) => o.Key!).sort();
  }

  async function objectBytes(bucket: string, key: string): Promise<Buffer> {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  /** Waits (on the API, not a clock) until the camera's sync is no longer running. */
  async function ended(): Promise<S3SyncState> {
    await expect
      .poll(async () => (await request(port, 'GET', `/api/cameras/${id}/s3-sync`)).body.state, {
        timeout: 60_000,
        interval: 100,
      })
      .not.toBe('running');
    return (await request(port, 'GET', `/api/cameras/${id}/s3-sync`)).body as S3SyncState;
  }

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = ceph!.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = ceph!.secretAccessKey;
    s3 = new S3Client({
      endpoint: ceph!.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ceph!.accessKeyId, secretAccessKey: ceph!.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-dash-s3-'));
    cam = await startSequoiaEmulator({ dataDir: path.join(tmp, 'seq') });
    cam.device.setConfig({
      capture_mode: 'single',
      resolution_mono: 0.3,
      resolution_rgb: 12,
      storage_selected: 'internal',
    });
    for (let i = 0; i < 2; i++) {
      expect((await cam.device.startCapture()).ok).toBe(true);
      await cam.device.whenSessionEnds();
    }
    dash = await startDashboard({
      cameras: [cam.url.replace('http:', 'sequoia:')],
      cacheDir: path.join(tmp, 'cache'),
      assetsDir: path.join(tmp, 'ui'),
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
    s3?.destroy();
    await ceph?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('syncs every picture of the camera into the bucket and ends with the manifest key', async () => {
    expect((await request(port, 'GET', `/api/cameras/${id}/s3-sync`)).status).toBe(404);
    const bucket = await newBucket();
    // What the pages are told: the live socket's s3-sync messages.
    const live = new WebSocket(`ws://127.0.0.1:${port}/api/live`);
    const pushed: S3SyncState[] = [];
    live.on('message', (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.type === 's3-sync') pushed.push(m.sync);
    });
    await new Promise((resolve, reject) => live.once('open', resolve).once('error', reject));
    const start = await request(port, 'POST', `/api/cameras/${id}/s3-sync`, {
      to: `s3://${bucket}/survey`,
      endpoint: ceph!.endpoint,
    });
    expect(start.status).toBe(202);
    expect(start.body.state).toBe('running');
    const done = await ended();
    await expect.poll(() => pushed.at(-1)?.state).toBe('finished');
    live.close();
    const files = await cameraFiles(cam.dataDir);
    // The plan (files and bytes to sync) is pushed while running, and the counts only grow.
    expect(pushed.some((p) => p.state === 'running' && p.files === files.size)).toBe(true);
    for (let i = 1; i < pushed.length; i++) {
      expect(pushed[i]!.filesDone).toBeGreaterThanOrEqual(pushed[i - 1]!.filesDone);
      expect(pushed[i]!.bytesDone).toBeGreaterThanOrEqual(pushed[i - 1]!.bytesDone);
    }
    expect(pushed.at(-1)).toEqual(done);
    expect(done).toMatchObject({
      state: 'finished',
      files: files.size,
      filesDone: files.size,
      errors: 0,
      to: `s3://${bucket}/survey`,
    });
    expect(done.bytesDone).toBe([...files.values()].reduce((n, b) => n + b.length, 0));
    expect(done.manifest).toMatch(/^survey\/.+\.json$/);
    const inBucket = await keys(bucket);
    expect(inBucket).toContain(done.manifest);
    for (const [rel, bytes] of files) {
      const key = `survey/${done.cameraDir}/${rel}`;
      expect(inBucket).toContain(key);
      expect((await objectBytes(bucket, key)).equals(bytes)).toBe(true);
    }
    const manifest = JSON.parse((await objectBytes(bucket, done.manifest!)).toString('utf8'));
    expect(manifest.files).toHaveLength(files.size);
  });

  it('runs one sync per camera: a second start is refused with 409 until the first is stopped', async () => {
    // A store that accepts connections and never answers keeps the sync running until stopped.
    const silent = http.createServer(() => undefined);
    const sockets = new Set<Socket>();
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const first = await request(port, 'POST', `/api/cameras/${id}/s3-sync`, { to: 's3://silent-bucket/x', endpoint });
      expect(first.status).toBe(202);
      const second = await request(port, 'POST', `/api/cameras/${id}/s3-sync`, {
        to: 's3://silent-bucket/x',
        endpoint,
      });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('ERR_CAMCTL_DASHBOARD_SYNC_RUNNING');
      expect(second.body.error.message).toMatch(/already syncing/);
      const stopped = await request(port, 'POST', `/api/cameras/${id}/s3-sync/stop`, {});
      expect(stopped.status).toBe(200);
      expect(await ended()).toMatchObject({ state: 'stopped' });
      // Stopping again has nothing to stop.
      expect((await request(port, 'POST', `/api/cameras/${id}/s3-sync/stop`, {})).status).toBe(409);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('stops a camera’s sync when the camera is removed from the dashboard', async () => {
    const silent = http.createServer(() => undefined);
    const sockets = new Set<Socket>();
    silent.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const other = await startSequoiaEmulator({ dataDir: path.join(tmp, 'seq2') });
    try {
      const view = (await request(port, 'POST', '/api/cameras', { address: other.url.replace('http:', 'sequoia:') }))
        .body as { id: string };
      await expect.poll(() => dash.hub.view(view.id).state, { timeout: 15_000 }).toBe('online');
      const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      expect(
        (await request(port, 'POST', `/api/cameras/${view.id}/s3-sync`, { to: 's3://silent-bucket/x', endpoint }))
          .status,
      ).toBe(202);
      await expect.poll(() => sockets.size).toBeGreaterThan(0);
      expect((await request(port, 'DELETE', `/api/cameras/${view.id}`)).status).toBe(200);
      expect((await request(port, 'GET', `/api/cameras/${view.id}/s3-sync`)).status).toBe(404);
      // The sync's requests to the store were given up, not left hanging.
      await expect.poll(() => sockets.size).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await other.close();
    }
  });

  it('says in the store’s words when the bucket does not exist, and refuses a bad address with 400', async () => {
    const bad = await request(port, 'POST', `/api/cameras/${id}/s3-sync`, {
      to: 'survey/2026',
      endpoint: ceph!.endpoint,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/s3:\/\/BUCKET\/PREFIX/);
    expect(
      (await request(port, 'POST', `/api/cameras/${id}/s3-sync`, { to: 's3://x/y', endpoint: 'ftp://127.0.0.1:1' }))
        .status,
    ).toBe(400);
    expect((await request(port, 'POST', `/api/cameras/${id}/s3-sync`, { endpoint: ceph!.endpoint })).status).toBe(400);
    const start = await request(port, 'POST', `/api/cameras/${id}/s3-sync`, {
      to: 's3://no-such-bucket-here/p',
      endpoint: ceph!.endpoint,
    });
    expect(start.status).toBe(202);
    const failed = await ended();
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'ERR_CAMCTL_S3_NO_BUCKET' });
    expect(failed.error!.message).toMatch(/there is no bucket "no-such-bucket-here"/);
  });

  it('refuses a start from another origin (403) and an unknown camera (404)', async () => {
    const r = await request(
      port,
      'POST',
      `/api/cameras/${id}/s3-sync`,
      { to: 's3://x-bucket/y', endpoint: ceph!.endpoint },
      { origin: 'http://evil.example' },
    );
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('ERR_CAMCTL_DASHBOARD_FORBIDDEN_ORIGIN');
    expect((await request(port, 'POST', '/api/cameras/c99/s3-sync', { to: 's3://x-bucket/y' })).status).toBe(404);
  });

  it.skipIf(noChromium)(
    'starts a sync from the page and shows it finish with the manifest',
    async () => {
      await mkdir(ARTIFACTS, { recursive: true });
      execFileSync(process.execPath, [
        path.join(ROOT, 'scripts', 'build-ui.mjs'),
        '--quiet',
        '--out',
        path.join(tmp, 'ui'),
      ]);
      const bucket = await newBucket();
      const context = await launchChromium(path.join(tmp, 'profile'));
      try {
        const page = await context.newPage();
        await page.goto(dash.url);
        await page.click(`[data-camera="${id}"]`);
        await page.getByRole('tab', { name: 'S3 sync' }).click();
        await page.fill('#s3-to', `s3://${bucket}/from-page`);
        await page.fill('#s3-endpoint', ceph!.endpoint);
        await page.getByRole('button', { name: 'Start sync', exact: true }).click();
        await expect
          .poll(() => page.getAttribute('[data-testid="s3-sync"]', 'data-state'), { timeout: 60_000 })
          .toBe('finished');
        const text = (await page.textContent('[data-testid="s3-sync"]'))!;
        const files = await cameraFiles(cam.dataDir);
        expect(text).toContain(`${files.size} of ${files.size} files`);
        const manifest = (await keys(bucket)).find((k) => k.endsWith('.json'));
        expect(manifest).toBeDefined();
        expect(text).toContain(`s3://${bucket}/${manifest}`);
        await page.screenshot({ path: path.join(ARTIFACTS, 's3-sync.png'), fullPage: true });
      } finally {
        await context.close();
      }
    },
    120_000,
  );
});

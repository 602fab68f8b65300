/**
 * The emulated radio link on real sockets: every connection and face of one emulated camera draws
 * from one budget. The link runs on a ManualClock, so "how much got through by now" is checked
 * against simulated time — exact accounting, no timed assertions.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { burstFor } from '../../src/emulator/fair-bucket.js';
import type { EmulatedLink } from '../../src/emulator/link.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { ManualClock } from '../../src/util/clock.js';
import { openWs, startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const FILE_BYTES = 400_000;

/** An emulated Sequoia whose link runs on `linkClock`, with three 400 kB files in /internal/0000. */
async function sequoia(
  linkClock: ManualClock,
  link: { bandwidthBytesPerSec?: number; perConnectionBytesPerSec?: number },
): Promise<TestSequoia> {
  const tmp = await tempDir('camctl-link-');
  cleanups.push(tmp.cleanup);
  const folder = path.join(tmp.dir, 'media', 'internal', '0000');
  await mkdir(folder, { recursive: true });
  for (const band of ['GRE', 'RED', 'NIR'])
    await writeFile(path.join(folder, `IMG_180413_080658_0000_${band}.TIF`), randomBytes(FILE_BYTES));
  const cam = await startTestSequoia({ linkClock, ptpipPort: 0, ...link }, tmp.dir);
  cleanups.push(() => cam.close());
  return cam;
}

/** A raw HTTP/1.1 GET counting every byte that arrives (headers included: they cross the air too). */
function rawGet(url: string, target: string): { received: () => number; done: Promise<Buffer> } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  let received = 0;
  const done = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(all.subarray(0, end).toString('latin1'))?.[1]);
      if (all.length >= end + 4 + length) {
        socket.destroy();
        resolve(all.subarray(end + 4));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed after ${received} bytes`)));
  });
  cleanups.push(async () => socket.destroy());
  socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
  return { received: () => received, done };
}

/** Resolves once `cond()` holds, giving I/O its turns (no clock moves here). */
async function settle(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * Moves the link's clock in `stepMs` steps, after each waiting until every transfer still running is
 * blocked on the air again (the system has caught up with simulated time), and calls `check`.
 */
async function runLink(
  clock: ManualClock,
  link: EmulatedLink,
  running: () => number,
  check: (elapsedMs: number) => void,
  stepMs = 10,
): Promise<number> {
  const start = clock.now();
  for (let step = 0; step < 10_000 && running() > 0; step++) {
    await clock.advance(stepMs);
    await settle(() => running() === 0 || link.waitingConnections >= running(), 'transfers waiting on the air');
    check(clock.now() - start);
  }
  return clock.now() - start;
}

describe('the emulated link', () => {
  it('holds parallel HTTP downloads together to the shared budget, and a status request still gets through', async () => {
    const clock = new ManualClock();
    const rate = 1_000_000;
    const cam = await sequoia(clock, { bandwidthBytesPerSec: rate });
    const downloads = ['GRE', 'RED', 'NIR', 'GRE'].map((b) =>
      rawGet(cam.url, `/download/internal/0000/IMG_180413_080658_0000_${b}.TIF`),
    );
    let finished = 0;
    const bodies = downloads.map((d) => d.done.then((b) => (finished++, b)));
    await settle(() => cam.link.waitingConnections === downloads.length, 'four downloads on the air');
    // A status request arrives while all four are under way.
    let statusLeftOver: number[] | undefined;
    const status = rawGet(cam.url, '/status');
    void status.done.then(() => (statusLeftOver = downloads.map((d) => FILE_BYTES - d.received())));
    const total = () => downloads.reduce((n, d) => n + d.received(), 0) + status.received();
    const running = () => downloads.length - finished + (statusLeftOver ? 0 : 1);
    const elapsed = await runLink(clock, cam.link, running, (ms) => {
      expect(total()).toBeLessThanOrEqual(burstFor(rate) + (rate * ms) / 1000);
    });
    for (const b of await Promise.all(bodies)) expect(b.length).toBe(FILE_BYTES);
    // Four downloads in parallel took as long as 1.6 MB at 1 MB/s, not a quarter of it.
    expect(elapsed).toBeGreaterThanOrEqual(((4 * FILE_BYTES - burstFor(rate)) / rate) * 1000);
    // Round-robin: the status reply was through while every download had most of its file to go.
    expect(statusLeftOver).toBeDefined();
    for (const left of statusLeftOver!) expect(left).toBeGreaterThan(FILE_BYTES / 2);
    expect(JSON.parse((await status.done).toString()).request).toBe('get_status');
  });

  it('makes a PTP/IP download and an HTTP download of the same camera share the budget', async () => {
    const clock = new ManualClock();
    const rate = 2_000_000;
    const cam = await sequoia(clock, { bandwidthBytesPerSec: rate });
    const client = await PtpIpClient.connect({
      host: '127.0.0.1',
      port: Number(cam.ptpip!.split(':')[1]),
      dataTimeoutMs: 600_000,
    });
    cleanups.push(() => client.close());
    const handles = await client.getObjectHandles();
    let ptpHandle: number | undefined;
    for (const h of handles) if ((await client.getObjectInfo(h)).filename.endsWith('_RED.TIF')) ptpHandle = h;
    expect(ptpHandle).toBeDefined();
    const sentBefore = cam.link.sentBytes;
    let done = 0;
    const viaPtp = client.getObject(ptpHandle!).then((b) => (done++, b));
    const viaHttp = rawGet(cam.url, '/download/internal/0000/IMG_180413_080658_0000_GRE.TIF');
    const httpBody = viaHttp.done.then((b) => (done++, b));
    await settle(() => cam.link.waitingConnections === 2, 'both downloads on the air');
    const elapsed = await runLink(
      clock,
      cam.link,
      () => 2 - done,
      (ms) => {
        expect(cam.link.sentBytes - sentBefore).toBeLessThanOrEqual(burstFor(rate) + (rate * ms) / 1000);
      },
    );
    expect((await viaPtp).length).toBe(FILE_BYTES);
    expect((await httpBody).length).toBe(FILE_BYTES);
    // Both faces' bytes went through the one budget.
    expect(cam.link.sentBytes - sentBefore).toBeGreaterThanOrEqual(2 * FILE_BYTES);
    expect(elapsed).toBeGreaterThanOrEqual(((2 * FILE_BYTES - burstFor(rate)) / rate) * 1000);
  });

  it('adds its latency once per request: per HTTP request and per PTP operation', async () => {
    const clock = new ManualClock();
    const cam = await sequoia(clock, {});
    cam.link.set({ latencyMs: 50 });
    /** Resolves `p` by moving the link's clock one round trip at a time; how many it took. */
    const roundTrips = async <T>(p: Promise<T>): Promise<{ value: T; trips: number }> => {
      let settled = false;
      const done = p.finally(() => (settled = true));
      let trips = 0;
      for (;;) {
        await settle(() => settled || clock.pending > 0, 'a request waiting its round trip');
        if (settled) return { value: await done, trips };
        // Half a round trip is not enough.
        await clock.advance(25);
        expect(settled).toBe(false);
        await clock.advance(25);
        trips++;
      }
    };
    expect((await roundTrips(fetch(`${cam.url}/status`).then((r) => r.json()))).trips).toBe(1);
    // PTP/IP: the init handshake is not an operation; connecting runs OpenSession and GetDeviceInfo.
    const connected = await roundTrips(
      PtpIpClient.connect({ host: '127.0.0.1', port: Number(cam.ptpip!.split(':')[1]) }),
    );
    expect(connected.trips).toBe(2);
    const handles = await roundTrips(connected.value.getObjectHandles());
    expect(handles.value.length).toBeGreaterThan(0);
    expect(handles.trips).toBe(1);
    expect((await roundTrips(connected.value.close())).trips).toBe(1); // CloseSession
  });

  it('sends WebSocket notifications through the same budget', async () => {
    const clock = new ManualClock();
    const cam = await sequoia(clock, { bandwidthBytesPerSec: 100_000_000 });
    const ws = await openWs(cam.url);
    cleanups.push(async () => ws.close());
    const before = cam.link.sentBytes;
    await cam.post('/_emulator/sunshine', { connected: false });
    const n = await ws.next((m) => m.status === 'change');
    // The notification frame's bytes are on the link's account, besides the POST's own reply.
    const post = Buffer.byteLength('{"request":"emulator_sunshine","status":"Ok"}');
    expect(cam.link.sentBytes - before).toBeGreaterThanOrEqual(post + Buffer.byteLength(JSON.stringify(n)));
  });

  it('caps each connection at perConnectionBytesPerSec, connections side by side each getting their own', async () => {
    const clock = new ManualClock();
    const rate = 500_000;
    const cam = await sequoia(clock, { perConnectionBytesPerSec: rate });
    const downloads = ['GRE', 'RED'].map((b) =>
      rawGet(cam.url, `/download/internal/0000/IMG_180413_080658_0000_${b}.TIF`),
    );
    let finished = 0;
    const bodies = downloads.map((d) => d.done.then((b) => (finished++, b)));
    await settle(() => cam.link.waitingConnections === 2, 'both downloads on the air');
    const before = cam.link.sentBytes;
    let beyondOneBudget = false;
    await runLink(
      clock,
      cam.link,
      () => 2 - finished,
      (ms) => {
        for (const d of downloads) expect(d.received()).toBeLessThanOrEqual(burstFor(rate) + (rate * ms) / 1000);
        if (cam.link.sentBytes - before > burstFor(rate) + (rate * ms) / 1000) beyondOneBudget = true;
      },
    );
    expect(beyondOneBudget).toBe(true);
    for (const b of await Promise.all(bodies)) expect(b.length).toBe(FILE_BYTES);
  });

  it('is set at run time through POST /_emulator/link, which checks what it is given', async () => {
    const clock = new ManualClock();
    const cam = await sequoia(clock, {});
    expect((await cam.get('/_emulator')).body.link).toEqual({
      latencyMs: 0,
      bandwidthBytesPerSec: 0,
      perConnectionBytesPerSec: 0,
    });
    expect(
      (await cam.post('/_emulator/link', { bandwidthBytesPerSec: 3_000_000, perConnectionBytesPerSec: 1_000_000 }))
        .body,
    ).toEqual({ request: 'emulator_link', status: 'Ok' });
    expect(cam.link.options).toEqual({
      latencyMs: 0,
      bandwidthBytesPerSec: 3_000_000,
      perConnectionBytesPerSec: 1_000_000,
    });
    const bad = await cam.post('/_emulator/link', { bandwidthBytesPerSec: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/bandwidthBytesPerSec: must be a number ≥ 0/);
    expect((await cam.post('/_emulator/link', { bandwidth: 5 })).body.error).toMatch(/bandwidth: unknown link setting/);
    expect(cam.link.options.bandwidthBytesPerSec).toBe(3_000_000);
  });
});

describe('the emulated THETA', () => {
  it('has the same link: /_emulator/link sets it, and downloads wait for the air', async () => {
    const tmp = await tempDir('camctl-link-theta-');
    cleanups.push(tmp.cleanup);
    const clock = new ManualClock();
    const cam = await startThetaEmulator({
      dataDir: tmp.dir,
      httpPort: 0,
      linkClock: clock,
      latencyMs: 5,
      shotProcessingMs: 0,
    });
    cleanups.push(() => cam.close());
    // Latency: a request waits one round trip on the link's clock.
    let answered = false;
    const info = fetch(`${cam.url}/osc/info`).then((r) => ((answered = true), r.json()));
    await settle(() => clock.pending > 0, 'the request waiting its round trip');
    expect(answered).toBe(false);
    await clock.advance(5);
    expect(await info).toMatchObject({ model: 'RICOH THETA S' });

    const post = (p: string, body: unknown) => {
      const r = fetch(`${cam.url}${p}`, { method: 'POST', body: JSON.stringify(body) }).then(async (x) => ({
        status: x.status,
        body: await x.json(),
      }));
      return settle(() => clock.pending > 0, 'round trip')
        .then(() => clock.advance(5))
        .then(() => r);
    };
    expect(await post('/_emulator/link', { latencyMs: 0, bandwidthBytesPerSec: 200_000 })).toEqual({
      status: 200,
      body: { request: 'emulator_link', status: 'Ok' },
    });
    expect(cam.link.options).toEqual({ latencyMs: 0, bandwidthBytesPerSec: 200_000, perConnectionBytesPerSec: 0 });
    expect(((await fetch(`${cam.url}/_emulator`).then((r) => r.json())) as { link: unknown }).link).toEqual(
      cam.link.options,
    );
    expect((await fetch(`${cam.url}/_emulator/link`, { method: 'POST', body: '{"latencyMs": 1e9}' })).status).toBe(400);

    // A picture to download, fetched by its /files/ URL.
    const job = cam.device.takePicture();
    await job.finished;
    expect(job.state).toBe('done');
    const size = (await stat(await cam.device.filePath(cam.device.findFile(job.files[0]!)))).size;
    const got = rawGet(cam.url, `/files/${cam.device.storageId}/${job.files[0]!}`);
    let done = false;
    void got.done.then(() => (done = true));
    const rate = 200_000;
    await settle(() => cam.link.waitingConnections === 1, 'the download on the air');
    await runLink(
      clock,
      cam.link,
      () => (done ? 0 : 1),
      (ms) => {
        expect(got.received()).toBeLessThanOrEqual(burstFor(rate) + (rate * ms) / 1000);
      },
      50,
    );
    expect((await got.done).length).toBe(size);
  });
});

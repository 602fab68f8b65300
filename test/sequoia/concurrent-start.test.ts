/**
 * Starting a capture is one atomic step across every face: many starts fired at once over real
 * loopback sockets (HTTP `/capture/start` and PTP/IP InitiateCapture, mixed) are either
 * acknowledged — and then each has its own folder on disk with all its bands, listed through HTTP
 * and PTP/IP and announced over the WebSocket — or answered as the camera answers when busy
 * ("Not available" over HTTP, DeviceBusy over PTP). Acknowledged and stored must be equal. A stop
 * that comes while an acknowledged start is still opening its folder is not lost either.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Format, Resp } from '../../src/ptp/codes.js';
import { PtpResponseError } from '../../src/ptp/errors.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { captureStartReply } from '../../src/emulator/sequoia/replies.js';
import { openWs, startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';

let cam: TestSequoia | undefined;
const clients: PtpIpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await cam?.stop();
  cam = undefined;
});

/** Four mono bands at 0.3 MP: small and quick, and still one file per band. */
const SMALL = { sensors_mask: 30, resolution_mono: 0.3, capture_mode: 'single' };
const BANDS_PER_CAPTURE = 4;

type Outcome = 'acknowledged' | 'busy';

async function httpStart(c: TestSequoia): Promise<Outcome> {
  const r = await c.get('/capture/start');
  if (r.status === 200 && r.body.status === 'Snapshot running' && typeof r.body.path === 'string')
    return 'acknowledged';
  expect({ status: r.status, body: r.body }).toEqual({
    status: 409,
    body: { request: 'capture_start', status: 'Not available' },
  });
  return 'busy';
}

async function ptpStart(client: PtpIpClient): Promise<Outcome> {
  try {
    await client.initiateCapture();
    return 'acknowledged';
  } catch (err) {
    expect(err).toBeInstanceOf(PtpResponseError);
    expect((err as PtpResponseError).responseCode).toBe(Resp.DeviceBusy);
    return 'busy';
  }
}

describe('concurrent capture starts', () => {
  it('HTTP and PTP/IP starts racing: every acknowledged capture has its own complete folder, listed on every face', async () => {
    cam = await startTestSequoia({ ptpipPort: 0 });
    expect((await cam.post('/config', SMALL)).status).toBe(200);
    const port = Number(cam.ptpip!.split(':').pop());
    for (let i = 0; i < 2; i++)
      clients.push(await PtpIpClient.connect({ host: '127.0.0.1', port, name: `racer-${i}` }));
    const ws = await openWs(cam.url);

    let acknowledged = 0;
    let busy = 0;
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      // Two HTTP starts on their own connections and one PTP/IP InitiateCapture per session, all at once.
      const outcomes = await Promise.all([httpStart(cam), httpStart(cam), ...clients.map((c) => ptpStart(c))]);
      acknowledged += outcomes.filter((o) => o === 'acknowledged').length;
      busy += outcomes.filter((o) => o === 'busy').length;
      await cam.device.whenSessionEnds();
    }
    // Each round starts from an idle camera, so at least one start per round is acknowledged.
    expect(acknowledged).toBeGreaterThanOrEqual(rounds);
    expect(acknowledged + busy).toBe(rounds * 4);

    // On disk: one folder per acknowledged capture, each with every band.
    const mediaDir = path.join(cam.dataDir, 'media', 'internal');
    const folders = (await fs.readdir(mediaDir)).filter((f) => /^\d{4}$/.test(f)).sort();
    const perFolder = await Promise.all(
      folders.map(async (f) => (await fs.readdir(path.join(mediaDir, f))).filter((n) => !n.startsWith('.'))),
    );
    expect({
      folders: folders.length,
      complete: perFolder.filter((files) => files.length === BANDS_PER_CAPTURE).length,
    }).toEqual({
      folders: acknowledged,
      complete: acknowledged,
    });

    // Over HTTP: the same folders, each with its files.
    const httpListing = (await cam.get('/file/internal')).body;
    expect(Object.entries(httpListing).filter(([k]) => k !== 'request')).toEqual(
      folders.map((f) => [`/internal/${f}`, BANDS_PER_CAPTURE]),
    );

    // Over PTP/IP: the same folders as associations, and every file.
    const ptp = clients[0]!;
    const folderHandles = await ptp.getObjectHandles(0xffffffff, Format.Association, 0);
    const ptpFolders = await Promise.all(folderHandles.map(async (h) => (await ptp.getObjectInfo(h)).filename));
    expect(ptpFolders.sort()).toEqual(folders);
    const fileHandles = await ptp.getObjectHandles(0xffffffff, Format.TIFF, 0);
    expect(fileHandles).toHaveLength(acknowledged * BANDS_PER_CAPTURE);

    // Over the WebSocket: one "capture running" per acknowledged start.
    await ws.next(() => ws.messages.filter((m) => m.capture === 'ready').length === acknowledged);
    expect(ws.messages.filter((m) => m.capture === 'running')).toHaveLength(acknowledged);
    ws.close();
  });

  it('a stop that arrives while the start is still opening its folder stops that capture', async () => {
    cam = await startTestSequoia();
    expect((await cam.post('/config', { ...SMALL, capture_mode: 'timelapse', timelapse_param: 10 })).status).toBe(200);
    // The start is acknowledged once its folder is open; the stop comes in between.
    const starting = cam.device.startCapture();
    expect(cam.device.stopCapture()).toEqual({ ok: true });
    const started = await starting;
    expect(started).toEqual({
      ok: true,
      activity: { kind: 'series', medium: 'internal', folder: '0000' },
      medium: 'internal',
      folder: '0000',
    });
    expect(captureStartReply(started)).toEqual({
      httpStatus: 200,
      status: 'Timelapse running',
      path: '/internal/0000',
    });
    await cam.device.whenSessionEnds();
    expect((await cam.get('/capture')).body).toEqual({ request: 'capture_status', status: 'Ready' });
    // It took its first picture, as a timelapse stopped right after its start does.
    expect((await cam.get('/file/internal')).body).toEqual({
      request: 'file_info',
      '/internal/0000': BANDS_PER_CAPTURE,
    });
  });
});

/**
 * The THETA takes one picture at a time whatever asks: OSC camera.takePicture and PTP/IP
 * InitiateCapture fired at once over real loopback sockets are either acknowledged — and then
 * each is one picture on disk, listed by OSC listFiles and by PTP/IP — or refused as the camera
 * refuses a shot while busy (OSC disabledCommand with HTTP 403, PTP DeviceBusy).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startThetaEmulator, type RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { Format, Resp } from '../../src/ptp/codes.js';
import { PtpResponseError } from '../../src/ptp/errors.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { tempDir } from '../helpers/tmp.js';

let emu: RunningThetaEmulator | undefined;
let cleanup: (() => Promise<void>) | undefined;
const clients: PtpIpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await emu?.close();
  await cleanup?.();
  emu = undefined;
});

async function exec(name: string, parameters: Record<string, unknown> = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`${emu!.url}/osc/commands/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, parameters }),
  });
  return { status: r.status, json: await r.json() };
}

type Outcome = 'acknowledged' | 'busy';

async function oscShot(): Promise<Outcome> {
  const r = await exec('camera.takePicture');
  if (r.status === 200 && (r.json.state === 'inProgress' || r.json.state === 'done')) return 'acknowledged';
  expect({ status: r.status, code: r.json.error?.code }).toEqual({ status: 403, code: 'disabledCommand' });
  return 'busy';
}

async function ptpShot(c: PtpIpClient): Promise<Outcome> {
  try {
    await c.initiateCapture();
    return 'acknowledged';
  } catch (err) {
    expect(err).toBeInstanceOf(PtpResponseError);
    expect((err as PtpResponseError).responseCode).toBe(Resp.DeviceBusy);
    return 'busy';
  }
}

/** Resolves once the camera is idle again (its own state notifications). */
function idle(e: RunningThetaEmulator): Promise<void> {
  if (e.device.snapshot().captureStatus === 'idle') return Promise.resolve();
  return new Promise((resolve) => {
    const on = (): void => {
      if (e.device.snapshot().captureStatus !== 'idle') return;
      e.device.off('status', on);
      resolve();
    };
    e.device.on('status', on);
  });
}

/** A THETA on loopback in OSC v2.1 with small pictures, and two PTP/IP sessions. */
async function start(): Promise<RunningThetaEmulator> {
  const tmp = await tempDir('camctl-theta-race-');
  cleanup = tmp.cleanup;
  emu = await startThetaEmulator({
    dataDir: path.join(tmp.dir, 'camera'),
    httpPort: 0,
    ptpipPort: 0,
    shotProcessingMs: 50,
  });
  const session = (await exec('camera.startSession')).json.results.sessionId as string;
  expect(
    (
      await exec('camera.setOptions', {
        sessionId: session,
        options: { clientVersion: 2, fileFormat: { type: 'jpeg', width: 2048, height: 1024 } },
      })
    ).status,
  ).toBe(200);
  const port = Number(emu.ptpip!.split(':').pop());
  for (let i = 0; i < 2; i++) clients.push(await PtpIpClient.connect({ host: '127.0.0.1', port, name: `racer-${i}` }));
  return emu;
}

/** Pictures on disk, listed by OSC, listed by PTP/IP. */
async function stored(e: RunningThetaEmulator): Promise<{ onDisk: number; osc: number; ptp: number }> {
  const onDisk = (await fs.readdir(path.join(e.dataDir, 'internal', '100RICOH'))).filter((n) => n.endsWith('.JPG'));
  const listed = (await exec('camera.listFiles', { fileType: 'image', entryCount: 100, maxThumbSize: 0 })).json.results;
  const ptpFiles = await clients[0]!.getObjectHandles(0xffffffff, Format.EXIF_JPEG, 0);
  return { onDisk: onDisk.length, osc: listed.totalEntries, ptp: ptpFiles.length };
}

describe('THETA concurrent shots', () => {
  it('OSC takePicture and PTP/IP InitiateCapture racing: one picture per acknowledgement, on disk and in every listing', async () => {
    emu = await start();

    let acknowledged = 0;
    let busy = 0;
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      const outcomes = await Promise.all([oscShot(), oscShot(), ...clients.map((c) => ptpShot(c))]);
      acknowledged += outcomes.filter((o) => o === 'acknowledged').length;
      busy += outcomes.filter((o) => o === 'busy').length;
      await idle(emu);
    }
    expect(acknowledged).toBeGreaterThanOrEqual(rounds);
    expect(acknowledged + busy).toBe(rounds * 4);

    expect(await stored(emu)).toEqual({ onDisk: acknowledged, osc: acknowledged, ptp: acknowledged });
  });

  it('OSC startCapture (interval) racing takePicture and PTP/IP InitiateCapture: every file an acknowledged start reports is stored', async () => {
    emu = await start();
    let reported = 0;
    let acknowledged = 0;
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      let intervalRunning = false;
      const interval = async (): Promise<Outcome> => {
        const r = await exec('camera.startCapture');
        if (r.status === 200 && r.json.state === 'done') {
          intervalRunning = true;
          return 'acknowledged';
        }
        expect({ status: r.status, code: r.json.error?.code }).toEqual({ status: 403, code: 'disabledCommand' });
        return 'busy';
      };
      const outcomes = await Promise.all([interval(), oscShot(), ...clients.map((c) => ptpShot(c))]);
      const acks = outcomes.filter((o) => o === 'acknowledged').length;
      // One start wins each round: the camera was idle, and it does one thing at a time.
      expect(acks).toBe(1);
      acknowledged += acks;
      if (intervalRunning) {
        const stop = await exec('camera.stopCapture');
        expect(stop.status).toBe(200);
        reported += (stop.json.results.fileUrls as string[]).length;
      } else {
        reported += 1;
      }
      await idle(emu);
    }
    expect(acknowledged).toBe(rounds);
    expect(await stored(emu)).toEqual({ onDisk: reported, osc: reported, ptp: reported });
  });
});

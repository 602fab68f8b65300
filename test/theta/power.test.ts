/**
 * The emulated THETA S sleeps and switches itself off as its sleepDelay / offDelay say (RICOH's
 * theta-api-specs: options/sleep_delay.md, off_delay.md; USB properties 0xD803 SleepDelay, 0xD802
 * AutoPowerOffDelay): idle time counts on the device clock from the last request on any face and
 * not while it shoots; asleep or off, both faces are unreachable until the emulator's controls wake
 * it or switch it on. camctl says so in camera words, and its event stream comes back on wake.
 * Device time is a ManualClock: nothing here sleeps.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCameraAddress, type NetworkAddress } from '../../src/camera/address.js';
import { ThetaCamera } from '../../src/camera/theta.js';
import type { CameraEvent } from '../../src/camera/types.js';
import type { CameraView } from '../../src/dashboard/api-types.js';
import { CameraHub } from '../../src/dashboard/hub.js';
import { startThetaEmulator, type RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { Op } from '../../src/ptp/codes.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { ManualClock } from '../../src/util/clock.js';

let dir: string;
const emus: RunningThetaEmulator[] = [];
const cams: ThetaCamera[] = [];
const clients: PtpIpClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-power-'));
});
afterEach(async () => {
  for (const c of cams.splice(0)) await c.close();
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  for (const e of emus.splice(0)) await e.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function camera(opts: { ptpip?: boolean } = {}): Promise<{ emu: RunningThetaEmulator; clock: ManualClock }> {
  const clock = new ManualClock();
  const emu = await startThetaEmulator({
    dataDir: path.join(dir, `cam${n++}`),
    clock,
    shotProcessingMs: 10,
    ...(opts.ptpip ? { ptpipPort: 0 } : {}),
  });
  emus.push(emu);
  return { emu, clock };
}

const controls = async (emu: RunningThetaEmulator): Promise<Record<string, unknown>> =>
  (await fetch(`${emu.url}/_emulator`)).json() as Promise<Record<string, unknown>>;
const post = (emu: RunningThetaEmulator, name: string, body = '{}'): Promise<Response> =>
  fetch(`${emu.url}/_emulator/${name}`, { method: 'POST', body });
const info = (emu: RunningThetaEmulator): Promise<Response> => fetch(`${emu.url}/osc/info`);
const setOptions = async (emu: RunningThetaEmulator, options: Record<string, unknown>): Promise<void> => {
  // v2.0 needs a session for setOptions.
  const start = (await (
    await fetch(`${emu.url}/osc/commands/execute`, {
      method: 'POST',
      body: JSON.stringify({ name: 'camera.startSession', parameters: {} }),
    })
  ).json()) as { results: { sessionId: string } };
  const r = await fetch(`${emu.url}/osc/commands/execute`, {
    method: 'POST',
    body: JSON.stringify({ name: 'camera.setOptions', parameters: { sessionId: start.results.sessionId, options } }),
  });
  expect(((await r.json()) as { state: string }).state).toBe('done');
};

describe('THETA S sleep and auto power-off', () => {
  it('sleeps after sleepDelay seconds without a request: the OSC face stops answering, the controls stay', async () => {
    const { emu, clock } = await camera();
    expect((await info(emu)).status).toBe(200);
    await clock.advance(299_000);
    expect((await info(emu)).status).toBe(200); // a request: the 300 s start again
    await clock.advance(299_000);
    expect(await controls(emu)).toMatchObject({ power: 'on' });
    await clock.advance(2_000);
    expect(await controls(emu)).toMatchObject({ power: 'asleep' });
    await expect(info(emu)).rejects.toThrow();
    // Woken by a press of its power button.
    expect(await (await post(emu, 'wake')).json()).toEqual({ request: 'emulator_wake', status: 'Ok' });
    expect(await controls(emu)).toMatchObject({ power: 'on' });
    expect((await info(emu)).status).toBe(200);
  });

  it('switches itself off after offDelay seconds; asleep does not stop that count; power on brings it back', async () => {
    const { emu, clock } = await camera();
    await setOptions(emu, { sleepDelay: 60, offDelay: 120 });
    // A long poll open as it falls asleep: its connection drops, which is no use of the camera.
    const fingerprint = (
      (await (await fetch(`${emu.url}/osc/state`, { method: 'POST', body: '{}' })).json()) as { fingerprint: string }
    ).fingerprint;
    await clock.advance(1_000);
    const poll = fetch(`${emu.url}/osc/checkForUpdates`, {
      method: 'POST',
      body: JSON.stringify({ stateFingerprint: fingerprint, waitTimeout: 30 }),
    }).catch(() => 'dropped');
    await clock.advance(1_000);
    expect(await post(emu, 'sleep').then((r) => r.status)).toBe(200);
    expect(await poll).toBe('dropped');
    expect(await controls(emu)).toMatchObject({ power: 'asleep' });
    // In use until it fell asleep: offDelay counts from then.
    await clock.advance(119_000);
    expect(await controls(emu)).toMatchObject({ power: 'asleep' });
    await clock.advance(2_000);
    expect(await controls(emu)).toMatchObject({ power: 'off' });
    await expect(info(emu)).rejects.toThrow();
    // A short press does not start a camera that is off.
    expect((await post(emu, 'wake')).status).toBe(400);
    expect((await post(emu, 'power', '{"on": true}')).status).toBe(200);
    expect((await info(emu)).status).toBe(200);
    // Switched on again, it counts afresh.
    await clock.advance(59_000);
    expect(await controls(emu)).toMatchObject({ power: 'on' });
  });

  it('65535 means never (off_delay.md, sleep_delay.md)', async () => {
    const { emu, clock } = await camera();
    await setOptions(emu, { sleepDelay: 65535, offDelay: 65535 });
    await clock.advance(2 * 3600_000);
    expect(await controls(emu)).toMatchObject({ power: 'on' });
    expect((await info(emu)).status).toBe(200);
  });

  it('a request still being answered (a long poll) is use: the camera does not sleep under it', async () => {
    const { emu, clock } = await camera();
    const fingerprint = (
      (await (await fetch(`${emu.url}/osc/state`, { method: 'POST', body: '{}' })).json()) as { fingerprint: string }
    ).fingerprint;
    const poll = fetch(`${emu.url}/osc/checkForUpdates`, {
      method: 'POST',
      body: JSON.stringify({ stateFingerprint: fingerprint, waitTimeout: 1 }),
    });
    await clock.advance(400_000);
    expect(await controls(emu)).toMatchObject({ power: 'on' });
    expect((await poll).status).toBe(200);
    // Idle from the reply on.
    await clock.advance(299_000);
    expect(await controls(emu)).toMatchObject({ power: 'on' });
    await clock.advance(2_000);
    expect(await controls(emu)).toMatchObject({ power: 'asleep' });
  });

  it('does not count time spent recording or shooting an interval run as idle', async () => {
    const { emu, clock } = await camera();
    await setOptions(emu, { sleepDelay: 60, offDelay: 120, captureMode: '_video' });
    emu.device.startCapture();
    await clock.advance(200_000);
    expect(await controls(emu)).toMatchObject({ power: 'on' });
    await emu.device.stopCapture();
    // Idle from the end of the recording on.
    await clock.advance(59_000);
    expect(await controls(emu)).toMatchObject({ power: 'on' });
    await clock.advance(2_000);
    expect(await controls(emu)).toMatchObject({ power: 'asleep' });
  });

  it('asleep, the PTP/IP face drops its connections and refuses new ones; PTP requests are activity; waking brings it back', async () => {
    const { emu, clock } = await camera({ ptpip: true });
    const port = emu.ptpipFace!.port;
    const c = await PtpIpClient.connect({ host: '127.0.0.1', port, name: 'camctl-test' });
    clients.push(c);
    await clock.advance(299_000);
    await c.getStorageIds(); // over USB/PTP: activity too
    await clock.advance(299_000);
    expect(await controls(emu)).toMatchObject({ power: 'on', ptpip: 'on' });
    const dropped = new Promise((r) => c.session.once('closed', r));
    await clock.advance(2_000);
    await dropped;
    expect(await controls(emu)).toMatchObject({ power: 'asleep', ptpip: 'off' });
    await expect(PtpIpClient.connect({ host: '127.0.0.1', port, name: 'camctl-test' })).rejects.toMatchObject({
      code: 'ERR_CAMCTL_PTP_CLOSED',
    });
    await post(emu, 'wake');
    const again = await PtpIpClient.connect({ host: '127.0.0.1', port, name: 'camctl-test' });
    clients.push(again);
    expect(again.deviceInfo!.model).toBe('RICOH THETA S');
  });

  it('PTP PowerDown switches the whole camera off, the OSC face too', async () => {
    const { emu } = await camera({ ptpip: true });
    const c = await PtpIpClient.connect({ host: '127.0.0.1', port: emu.ptpipFace!.port, name: 'camctl-test' });
    clients.push(c);
    const dropped = new Promise((r) => c.session.once('closed', r));
    await c.operation(Op.PowerDown);
    await dropped;
    expect(await controls(emu)).toMatchObject({ power: 'off', ptpip: 'off' });
    await expect(info(emu)).rejects.toThrow();
    await post(emu, 'power', '{"on": true}');
    expect((await info(emu)).status).toBe(200);
  });
});

describe('camctl and a THETA that went to sleep', () => {
  const addressOf = (emu: RunningThetaEmulator): NetworkAddress =>
    parseCameraAddress(`theta://127.0.0.1:${new URL(emu.url).port}`) as NetworkAddress;

  it('says the THETA went to sleep, and how to wake it', async () => {
    const { emu, clock } = await camera();
    const cam = new ThetaCamera(addressOf(emu), { clock });
    cams.push(cam);
    await cam.connect();
    await clock.advance(301_000);
    const err = await cam.status().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'ASLEEP',
      message: expect.stringMatching(/the THETA went to sleep \(sleepDelay 300 s\).*power button/),
    });
  });

  it('says the THETA switched itself off after offDelay', async () => {
    const { emu, clock } = await camera();
    const cam = new ThetaCamera(addressOf(emu), { clock });
    cams.push(cam);
    await cam.connect();
    await clock.advance(601_000);
    const err = await cam.status().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'POWERED_OFF',
      message: expect.stringMatching(/the THETA switched itself off \(offDelay 600 s\).*power button/),
    });
  });

  it('watch reports the link lost when the THETA sleeps, and restored when it wakes', async () => {
    const { emu, clock } = await camera();
    const cam = new ThetaCamera(addressOf(emu), { clock });
    cams.push(cam);
    await cam.connect();
    const ac = new AbortController();
    const events = cam.events({ signal: ac.signal })[Symbol.asyncIterator]();
    const next = async (): Promise<CameraEvent> => (await events.next()).value as CameraEvent;
    const first = next();
    // Nothing asks the camera for a while (the long poll waits), then it is put to sleep.
    expect((await post(emu, 'sleep')).status).toBe(200);
    expect(await first).toMatchObject({ type: 'connection', state: 'lost' });
    await post(emu, 'wake');
    expect(await next()).toMatchObject({ type: 'connection', state: 'restored' });
    ac.abort();
    await events.return?.();
  });

  it('the dashboard shows the THETA offline while it sleeps and online again once woken', async () => {
    const { emu } = await camera();
    const hub = new CameraHub({ pollIntervalMs: 50, maxRetryMs: 100, timeoutMs: 2000 });
    try {
      const states: string[] = [];
      const reached = (state: CameraView['state']): Promise<void> =>
        new Promise((resolve) => {
          const on = (m: { type: string; camera?: CameraView }): void => {
            if (m.type !== 'camera' || m.camera?.state !== state) return;
            hub.off('message', on);
            resolve();
          };
          hub.on('message', on);
        });
      hub.on('message', (m) => void (m.type === 'camera' && states.push(m.camera.state)));
      const online = reached('online');
      hub.add(`theta://127.0.0.1:${new URL(emu.url).port}`);
      await online;
      const offline = reached('offline');
      expect((await post(emu, 'sleep')).status).toBe(200);
      await offline;
      const back = reached('online');
      await post(emu, 'wake');
      await back;
      expect(states.filter((x, i) => x !== states[i - 1])).toEqual(['connecting', 'online', 'offline', 'online']);
    } finally {
      await hub.close();
    }
  });
});

/**
 * `camctl watch --json`: NDJSON notifications that survive an emulator restart on the same port
 * and data dir, reporting what changed while the link was down.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { cleanup, closedPort, requireBuild, startCli, startEmu, type Emu } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

beforeAll(requireBuild);
afterEach(cleanup);

/**
 * Clients that have not answered the last ping yet, as the camera counts them: the answer
 * ("pong") is a masked frame from the watching process, seen nowhere else.
 */
function unansweredPings(emu: Emu['emu']): number {
  return emu.http.websocket.unansweredPings;
}

async function postConfig(url: string, body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${url}/config`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  expect(r.status).toBe(200);
}

describe('camctl watch', () => {
  it('prints NDJSON and survives an emulator restart (same port, same data dir)', async () => {
    // The first camera's time (and so its pings) moves only when the test moves it.
    const clock = new ManualClock();
    const first = await startEmu({ pingIntervalMs: 1000, clock });
    const { port, dataDir } = first;
    const child = startCli(['--camera', first.camera, 'watch', '--json']);
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const lines = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const has = (pred: (l: Record<string, unknown>) => boolean) => () => lines().some(pred);

    // The watcher is connected once the emulator counts a WebSocket client.
    await waitFor(() => first.emu.http.webSocketClients === 1, 'the watch to connect');
    await postConfig(first.emu.url, { capture_mode: 'timelapse' });
    await waitFor(
      has((l) => l.type === 'setting' && l.key === 'capture_mode' && l.value === 'timelapse'),
      'a capture_mode event',
    );
    // Pings are answered: the camera drops a client that has not answered the previous ping when
    // it sends the next one. Three pings, each answered before the next; the client is still there.
    const dropped: unknown[] = [];
    first.emu.http.on('websocket-dropped', (e: unknown) => dropped.push(e));
    for (let ping = 1; ping <= 3; ping++) {
      await clock.advance(1000);
      await waitFor(() => unansweredPings(first.emu) === 0, `the answer to ping ${ping}`);
    }
    expect(dropped).toEqual([]);
    expect(first.emu.http.webSocketClients).toBe(1);
    expect(lines().some((l) => l.type === 'connection')).toBe(false);

    const beforeRestart = lines().length;
    await first.emu.close();
    await waitFor(
      () =>
        lines()
          .slice(beforeRestart)
          .some((l) => l.type === 'connection' && l.state === 'lost'),
      'the link-lost line',
    );

    // While the watcher is away the camera changes: a second emulator on another port edits the
    // persisted settings, then the camera comes back on the original port with the same data dir.
    // (On a port other than the original: port 0 could hand the just-freed one back.)
    let otherPort = await closedPort();
    while (otherPort === port) otherPort = await closedPort();
    const meanwhile = await startEmu({ dataDir, httpPort: otherPort });
    await postConfig(meanwhile.emu.url, { capture_mode: 'gps_position', gps_param: 50 });
    await meanwhile.emu.close();
    const again = await startEmu({ dataDir, httpPort: port, pingIntervalMs: 1000 });

    await waitFor(
      () =>
        lines()
          .slice(beforeRestart)
          .some((l) => l.type === 'connection' && l.state === 'restored'),
      'the link-restored line',
      30_000,
    );
    const all = lines().slice(beforeRestart);
    const restoredAt = all.findIndex((l) => l.type === 'connection' && l.state === 'restored');
    const resynced = all.slice(0, restoredAt);
    expect(resynced).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'setting', key: 'capture_mode', value: 'gps_position' }),
        expect.objectContaining({ type: 'setting', key: 'gps_param', value: 50 }),
      ]),
    );

    await postConfig(again.emu.url, { capture_mode: 'single' });
    await waitFor(
      has((l) => l.type === 'setting' && l.key === 'capture_mode' && l.value === 'single'),
      'an event after the restart',
    );
    for (const l of lines()) expect(typeof l.time).toBe('string');
    expect(stderr).toBe('');

    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code).toBe(0);
  });

  it('prints one line per notification for people', async () => {
    const { emu, camera } = await startEmu();
    const child = startCli(['--camera', camera, 'watch']);
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    await waitFor(() => emu.http.webSocketClients === 1, 'the watch to connect');
    await postConfig(emu.url, { bit_depth: 8 });
    await waitFor(() => /^\d\d:\d\d:\d\d setting bit_depth = 8$/m.test(stdout), 'a human line');
    child.kill('SIGTERM');
  });
});

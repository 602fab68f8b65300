/**
 * `camctl watch --json`: NDJSON notifications that survive an emulator restart on the same port
 * and data dir, reporting what changed while the link was down.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, closedPort, requireBuild, startCli, startEmu } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

beforeAll(requireBuild);
afterEach(cleanup);

async function postConfig(url: string, body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${url}/config`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
}

describe('camctl watch', () => {
  it('prints NDJSON and survives an emulator restart (same port, same data dir)', async () => {
    const first = await startEmu({ pingIntervalMs: 1000 });
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
    await waitFor(has((l) => l.type === 'setting' && l.key === 'capture_mode' && l.value === 'timelapse'), 'a capture_mode event');
    // Pings every second are answered: after two and a half the client is still there.
    await new Promise((r) => setTimeout(r, 2500));
    expect(first.emu.http.webSocketClients).toBe(1);
    expect(lines().some((l) => l.type === 'connection')).toBe(false);

    const beforeRestart = lines().length;
    await first.emu.close();
    await waitFor(() => lines().slice(beforeRestart).some((l) => l.type === 'connection' && l.state === 'lost'), 'the link-lost line');

    // While the watcher is away the camera changes: a second emulator on another port edits the
    // persisted settings, then the camera comes back on the original port with the same data dir.
    // (On a port other than the original: port 0 could hand the just-freed one back.)
    let otherPort = await closedPort();
    while (otherPort === port) otherPort = await closedPort();
    const meanwhile = await startEmu({ dataDir, httpPort: otherPort });
    await postConfig(meanwhile.emu.url, { capture_mode: 'gps_position', gps_param: 50 });
    await meanwhile.emu.close();
    const again = await startEmu({ dataDir, httpPort: port, pingIntervalMs: 1000 });

    await waitFor(() => lines().slice(beforeRestart).some((l) => l.type === 'connection' && l.state === 'restored'), 'the link-restored line', 30_000);
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
    await waitFor(has((l) => l.type === 'setting' && l.key === 'capture_mode' && l.value === 'single'), 'an event after the restart');
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

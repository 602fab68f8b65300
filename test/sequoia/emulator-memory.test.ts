/**
 * The emulated Sequoia gives back what its WebSocket clients cost once they are gone: after a
 * round of clients that never read (queues, drops, close handshakes) and a full garbage
 * collection, the V8 heap is where it was, and the server holds no client. Runs the emulator as
 * `node --expose-gc bin/camctl.js emulate sequoia`, read through its `/_emulator` controls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { spawnCamctl, type CamctlProcess } from '../helpers/camctl-process.js';
import { tempDir } from '../helpers/tmp.js';
import { nonReadingClient } from '../helpers/websocket.js';

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

let emulator: CamctlProcess | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  emulator?.child.kill('SIGKILL');
  emulator = undefined;
  for (const c of cleanups.splice(0)) await c();
});

async function startEmulator(nodeArgs: string[]): Promise<string> {
  const tmp = await tempDir();
  cleanups.push(() => tmp.cleanup());
  emulator = await spawnCamctl(
    ['emulate', 'sequoia', '--http-port', '0', '--data-dir', tmp.dir],
    30_000,
    undefined,
    nodeArgs,
  );
  return (JSON.parse(emulator.firstLine) as { http: string }).http;
}

async function gc(url: string): Promise<Memory> {
  const r = await fetch(`${url}/_emulator/gc`, { method: 'POST', body: '{}' });
  expect(r.status).toBe(200);
  return ((await r.json()) as { memory: Memory }).memory;
}

/** Notifications by the emulator control, 200 requests at a time, each answered 200. */
async function notify(url: string, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 200) {
    const replies = await Promise.all(
      Array.from({ length: Math.min(200, count - sent) }, (_, i) =>
        fetch(`${url}/_emulator/sunshine`, {
          method: 'POST',
          body: JSON.stringify({ connected: (sent + i) % 2 === 1 }),
        }),
      ),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
  }
}

/**
 * One round: a client that reads and `slowClients` that never do; `notifications` go out, the
 * reader gets them all, then everyone leaves (the slow ones abruptly, with data unread).
 */
async function round(url: string, slowClients: number, notifications: number): Promise<void> {
  const reader = new WebSocket(`${url.replace('http', 'ws')}/websocket`);
  let received = 0;
  let allReceived!: () => void;
  const done = new Promise<void>((r) => (allReceived = r));
  reader.on('message', (d) => {
    if (d.toString().includes('"sunshine"') && ++received === notifications) allReceived();
  });
  await new Promise((resolve, reject) => reader.once('open', resolve).once('error', reject));
  const slow = await Promise.all(Array.from({ length: slowClients }, () => nonReadingClient(`${url}/websocket`)));
  await notify(url, notifications);
  await done;
  for (const s of slow) s.socket.destroy();
  reader.close();
  await new Promise((r) => reader.once('close', r));
}

describe('emulated Sequoia memory after WebSocket clients leave', () => {
  it('GET /_emulator reports the process memory; POST /_emulator/gc says how to enable it when node hides gc', async () => {
    const url = await startEmulator([]);
    const state = (await (await fetch(`${url}/_emulator`)).json()) as { memory: Memory };
    for (const k of ['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const)
      expect(state.memory[k]).toBeGreaterThan(0);
    const r = await fetch(`${url}/_emulator/gc`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(409);
    expect(((await r.json()) as { error: string }).error).toMatch(/--expose-gc/);
  });

  it('after clients that never read have come and gone, the V8 heap is back where it was (after a full GC)', async () => {
    const url = await startEmulator(['--expose-gc']);
    // A first round warms up what stays for good (compiled code, ws's and http's lazily built
    // state); the second must then leave nothing behind.
    await round(url, 8, 4000);
    await gc(url);
    const baseline = await gc(url);
    await round(url, 8, 4000);
    await round(url, 8, 4000);
    await gc(url);
    const after = await gc(url);
    // 2 rounds × 8 clients × 4,000 notifications: a leak of even a few bytes per notification
    // queued for a client, or of each client's state, shows far above 1 MB.
    expect(after.heapUsed - baseline.heapUsed).toBeLessThan(1_000_000);
    expect(after.arrayBuffers - baseline.arrayBuffers).toBeLessThan(256 * 1024);
  });
});

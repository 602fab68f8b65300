/**
 * The Sequoia WebSocket's limits, over real loopback sockets: a client that stops reading is
 * dropped (close 1008) once the notifications queued for it pass the per-client bound, while the
 * others get every notification; and `camctl emulate sequoia --max-ws-clients N` holds N clients at
 * once, delivers notifications to all of them, and answers the next one 503.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCamctl, type CamctlProcess } from '../helpers/camctl-process.js';
import { openWs, startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';
import { requireTool, tempDir } from '../helpers/tmp.js';
import { zeroCopyUnavailableReason } from '../../src/util/zero-copy.js';
import { nonReadingClient } from '../helpers/websocket.js';

const addon = requireTool(
  zeroCopyUnavailableReason === undefined,
  `the native addon (${zeroCopyUnavailableReason ?? ''})`,
);

/** Bytes the kernel holds to send from local port `from` to port `to` (tx_queue of /proc/net/tcp). */
function kernelSendQueue(from: number, to: number): number {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    if (parseInt(f[1]!.split(':')[1]!, 16) === from && parseInt(f[2]!.split(':')[1]!, 16) === to)
      return parseInt(f[4]!.split(':')[0]!, 16);
  }
  throw new Error(`no connection ${from} → ${to} in /proc/net/tcp`);
}

let cam: TestSequoia | undefined;
let emulator: CamctlProcess | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await cam?.stop();
  cam = undefined;
  emulator?.child.kill('SIGKILL');
  emulator = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('Sequoia WebSocket limits', () => {
  it('drops a client that stops reading once its queue passes the bound, with close 1008, and keeps serving the others', async () => {
    const maxQueue = 64 * 1024;
    cam = await startTestSequoia({ maxWebSocketQueueBytes: maxQueue });
    const fast = await openWs(cam.url);
    const slow = await nonReadingClient(`${cam.url}/websocket`);
    const dropped: Array<{ reason: string }> = [];
    cam.http.on('websocket-dropped', (d: { reason: string }) => dropped.push(d));
    expect(cam.http.webSocketClients).toBe(2);

    // Notifications until the server gives up on the client that does not read. The kernel's
    // socket buffers take some megabytes first; a server that queues without bound never drops it.
    let sent = 0;
    const ceiling = 200_000;
    while (dropped.length === 0 && sent < ceiling) {
      for (let i = 0; i < 200; i++, sent++) cam.device.setSunshineConnected(sent % 2 === 1);
      await nextTurn();
    }
    expect(sent).toBeLessThan(ceiling);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.reason).toMatch(/too slow/);

    // The client that reads got every notification, in order.
    const last = sent % 2 === 1 ? 'disconnected' : 'connected';
    await fast.next(() => fast.messages.length >= sent);
    const notes = fast.messages.filter((m) => m.sunshine !== undefined);
    expect(notes).toHaveLength(sent);
    expect(notes.at(-1)).toEqual({ status: 'change', sunshine: last });

    // The slow one, once it reads, finds what was queued for it and then a close frame: 1008.
    const close = await slow.readRest();
    expect(close.readUInt16BE(0)).toBe(1008);
    expect(close.subarray(2).toString('utf8')).toMatch(/too slow/);
    slow.socket.destroy();
    fast.close();
  });

  it('`--max-ws-clients 1000` holds 1,000 clients, notifies all of them, and answers the next with 503', async () => {
    const clients = 1000;
    // Each client is a socket here and one in the emulator: the test process needs ~1,000 descriptors.
    const soft = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
    if (Number.isFinite(soft) && soft < clients + 200) {
      throw new Error(
        `open file limit ${soft} is too low for ${clients} WebSocket clients: run \`ulimit -n 4096\` first`,
      );
    }
    const tmp = await tempDir();
    cleanups.push(() => tmp.cleanup());
    emulator = await spawnCamctl([
      'emulate',
      'sequoia',
      '--http-port',
      '0',
      '--data-dir',
      tmp.dir,
      '--max-ws-clients',
      String(clients),
    ]);
    const url = (JSON.parse(emulator.firstLine) as { http: string }).http;
    const wsUrl = `${url.replace('http', 'ws')}/websocket`;

    const open: WebSocket[] = [];
    cleanups.push(async () => {
      for (const ws of open) ws.terminate();
    });
    const counts = new Map<WebSocket, number>();
    // In batches, so the listen backlog never overflows into SYN retries.
    for (let i = 0; i < clients; i += 100) {
      const batch = Array.from({ length: Math.min(100, clients - i) }, () => {
        const ws = new WebSocket(wsUrl);
        open.push(ws);
        counts.set(ws, 0);
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString()) as { status: string };
          if (m.status === 'ping') ws.send('pong');
          else counts.set(ws, counts.get(ws)! + 1);
        });
        return new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
      });
      await Promise.all(batch);
    }
    expect(open).toHaveLength(clients);

    const extra = new WebSocket(wsUrl);
    const refused = await new Promise<number>((resolve) => {
      extra.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      extra.once('open', () => resolve(101));
    });
    expect(refused).toBe(503);

    const notifications = 4;
    for (let n = 1; n <= notifications; n++) {
      const all = Promise.all(
        open.map((ws) =>
          counts.get(ws)! >= n
            ? undefined
            : new Promise<void>((resolve) => ws.on('message', () => counts.get(ws)! >= n && resolve())),
        ),
      );
      const r = await fetch(`${url}/_emulator/sunshine`, {
        method: 'POST',
        body: JSON.stringify({ connected: n % 2 === 0 }),
      });
      expect(r.status).toBe(200);
      await all;
    }
    expect([...counts.values()].every((c) => c === notifications)).toBe(true);
    expect(open.every((ws) => ws.readyState === WebSocket.OPEN)).toBe(true);
  });

  it.runIf(addon && process.platform === 'linux')(
    'keeps the kernel send queue toward a client that stops reading near the queue bound, not megabytes',
    async () => {
      const maxQueue = 64 * 1024;
      cam = await startTestSequoia({ maxWebSocketQueueBytes: maxQueue });
      const slow = await nonReadingClient(`${cam.url}/websocket`);
      const serverPort = Number(new URL(cam.url).port);
      const clientPort = slow.socket.localPort!;
      let atDrop: number | undefined;
      // Read at the moment of the drop, before the socket is closed.
      cam.http.on('websocket-dropped', () => (atDrop ??= kernelSendQueue(serverPort, clientPort)));
      let sent = 0;
      while (atDrop === undefined && sent < 200_000) {
        for (let i = 0; i < 200; i++, sent++) cam.device.setSunshineConnected(sent % 2 === 1);
        await nextTurn();
      }
      expect(atDrop).toBeDefined();
      // SO_SNDBUF = the queue bound, which Linux doubles (and a segment or so more can be in flight:
      // 150 KB seen at 64 KiB); autotuned, it grows to megabytes (3.9 MB before the bound).
      expect(atDrop!).toBeLessThanOrEqual(2 * maxQueue + 64 * 1024);
      slow.socket.destroy();
    },
  );
});

/** Sequoia WebSocket events: pings, link loss, reconnect limits, idle detection, abort. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { SequoiaClient } from '../../src/sequoia/client.js';
import { SequoiaEvents, type SequoiaEventItem } from '../../src/sequoia/events-client.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function take(it: AsyncIterator<SequoiaEventItem>, n: number): Promise<SequoiaEventItem[]> {
  const out: SequoiaEventItem[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('SequoiaClient.events', () => {
  it('yields notifications, answers pings, and ends on abort', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'camctl-ev-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const emu = await startSequoiaEmulator({ dataDir, httpPort: 0, pingIntervalMs: 250 });
    cleanups.push(() => emu.close());
    const client = new SequoiaClient({ host: '127.0.0.1', port: Number(new URL(emu.url).port) });
    cleanups.push(() => client.close());
    const ac = new AbortController();
    const iter = client.events({ signal: ac.signal, includePings: true })[Symbol.asyncIterator]();
    expect(await take(iter, 1)).toEqual([{ kind: 'connection', state: 'open' }]);
    // Several pings come and are answered: the emulator would drop a client that did not.
    let pings = 0;
    while (pings < 3) {
      const item = (await take(iter, 1))[0];
      if (item?.kind === 'notification' && item.message.status === 'ping') pings++;
      else expect(item?.kind).toBe('notification'); // other notifications (GPS fix…) may come too
    }
    expect(emu.http.webSocketClients).toBe(1);
    await client.setConfig({ sensors_mask: 7 });
    let next: SequoiaEventItem | undefined;
    do next = (await iter.next()).value as SequoiaEventItem;
    while (next.kind === 'notification' && !('sensors_mask' in next.message));
    expect(next).toEqual({ kind: 'notification', message: { status: 'change', sensors_mask: 7 } });
    ac.abort();
    expect((await iter.next()).done).toBe(true);
  });

  it('with reconnect off, ends after the link is lost', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    cleanups.push(() => new Promise((r) => wss.close(r)));
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ status: 'change', capture: 'running' }));
      setTimeout(() => ws.terminate(), 50);
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/websocket`;
    const items: SequoiaEventItem[] = [];
    for await (const item of new SequoiaEvents({ url, reconnect: false })) items.push(item);
    expect(items.map((i) => (i.kind === 'connection' ? i.state : i.message))).toEqual([
      'open',
      { status: 'change', capture: 'running' },
      'lost',
    ]);
  });

  it('reconnects after a silent link (idle timeout) and gives up after maxAttempts', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    let connections = 0;
    wss.on('connection', () => connections++); // never says anything
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/websocket`;
    const iter = new SequoiaEvents({ url, idleTimeoutMs: 100, initialBackoffMs: 10, maxAttempts: 2 })[
      Symbol.asyncIterator
    ]();
    const first = await take(iter, 3);
    expect(first).toEqual([
      { kind: 'connection', state: 'open' },
      { kind: 'connection', state: 'lost', error: 'no message for 100 ms' },
      { kind: 'connection', state: 'restored' },
    ]);
    expect(connections).toBe(2);
    // The camera goes away for good: after maxAttempts failed reconnects the iteration throws.
    await take(iter, 1); // lost again (idle)
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
    await expect(take(iter, 5)).rejects.toMatchObject({ code: 'ERR_CAMCTL_SEQUOIA_UNREACHABLE' });
  });

  it('a first connection that fails is an error, not an endless retry', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const port = (wss.address() as { port: number }).port;
    await new Promise((r) => wss.close(r));
    const iter = new SequoiaEvents({ url: `ws://127.0.0.1:${port}/websocket` })[Symbol.asyncIterator]();
    await expect(iter.next()).rejects.toMatchObject({ code: 'ERR_CAMCTL_SEQUOIA_UNREACHABLE', phase: 'connect' });
  });
});

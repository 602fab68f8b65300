/**
 * The emulated Sequoia's WebSocket under clients that do not keep up, and under many clients.
 *
 * - Memory: twice in one emulator (started with --expose-gc), 32 clients that answer pings but
 *   never read, one client that reads, 60,000 notifications (sunshine sensor unplugged / plugged
 *   through the emulator controls), then the slow clients read what is left and leave. Reported,
 *   from `GET /_emulator` after a full GC (`POST /_emulator/gc`) before and after, sampled during:
 *   the V8 heap (used / total), external memory and RSS; the kernel send queues toward the slow
 *   clients (/proc/net/tcp); how many were dropped (close 1008); that the reading client got all
 *   60,000. Targets: the heap in use back within 2 MB of where it started (a leak of per-client
 *   state or queued notifications would show far above), RSS within 40 MB. A second round whose
 *   peak is no higher than the first's shows the RSS kept is reused, not leaked.
 * - Clients held: as many WebSocket clients as the default limit allows, each receiving a
 *   notification; the next one must be refused (503). Target: ≥ 1,000.
 *
 * The emulator runs as a child process (`camctl emulate sequoia`), so its RSS is its own.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { Benchmark, BenchContext, BenchRow } from './run.js';
import { startSequoiaChild } from './peers/sequoia-emulator.js';
import { DEFAULT_MAX_WEBSOCKET_CLIENTS } from '../src/emulator/sequoia/websocket-limits.js';

const SLOW_CLIENTS = 32;
const NOTIFICATIONS = 60_000;
const RSS_GROWTH_LIMIT_MB = 40;
/** The V8 heap after a full GC, once the clients are gone: back where it started, give or take. */
const HEAP_GROWTH_LIMIT_MB = 2;

/** A WebSocket client that completes the handshake, then never reads; it sends "pong" every 2 s, as the camera's clients answer pings. */
async function slowClient(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  socket.write(
    `GET /websocket HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
  });
  const pong = (): void => {
    // A masked client text frame "pong" (RFC 6455 §5.3).
    const mask = randomBytes(4);
    const payload = Buffer.from('pong').map((b, i) => b ^ mask[i % 4]!);
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload]));
  };
  const timer = setInterval(pong, 2000);
  socket.once('close', () => clearInterval(timer));
  return socket;
}

/**
 * Reads a paused raw WebSocket client's socket until a close frame with code 1008 arrives (true),
 * or nothing more does for `quietMs` (false). Server frames are unmasked; the notifications are
 * short ASCII texts, so the byte 0x88 (FIN + close opcode) appears only as a frame header.
 */
function readUntilClose1008(socket: net.Socket, quietMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let tail = Buffer.alloc(0);
    let timer = setTimeout(() => finish(false), quietMs);
    const finish = (found: boolean): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      resolve(found);
    };
    const onData = (d: Buffer): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
      const buf = Buffer.concat([tail, d]);
      for (let at = buf.indexOf(0x88); at >= 0 && at + 4 <= buf.length; at = buf.indexOf(0x88, at + 1)) {
        if (buf.readUInt16BE(at + 2) === 1008) return finish(true);
      }
      tail = buf.subarray(Math.max(0, buf.length - 3));
    };
    socket.on('data', onData);
    socket.resume();
  });
}

/** Bytes queued in the kernel for sending from local port `port` (tx_queue of /proc/net/tcp). */
function kernelSendQueueBytes(port: number): number | undefined {
  try {
    let total = 0;
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5) continue;
      if (parseInt(f[1]!.split(':')[1]!, 16) !== port) continue;
      total += parseInt(f[4]!.split(':')[0]!, 16);
    }
    return total;
  } catch {
    return undefined;
  }
}

/**
 * POSTs `count` JSON bodies to `/_emulator/sunshine`, pipelined on one kept-alive connection in
 * batches, each batch after the previous one's answers (all 200).
 */
async function postPipelined(
  url: string,
  count: number,
  body: (i: number) => unknown,
  onBatch: (sent: number) => void,
): Promise<void> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  try {
    let pending = '';
    let answered = 0;
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      pending += d;
      for (
        let at = pending.indexOf('HTTP/1.1 ');
        at >= 0 && pending.length >= at + 12;
        at = pending.indexOf('HTTP/1.1 ')
      ) {
        const status = pending.slice(at + 9, at + 12);
        if (status !== '200') failure ??= new Error(`emulator answered ${status}`);
        answered++;
        pending = pending.slice(at + 12);
      }
      wake?.();
    });
    socket.once('close', () => {
      failure ??= new Error('the emulator closed the connection');
      wake?.();
    });
    const batch = 500;
    for (let sent = 0; sent < count;) {
      const n = Math.min(batch, count - sent);
      let requests = '';
      for (let i = sent; i < sent + n; i++) {
        const text = JSON.stringify(body(i));
        requests += `POST /_emulator/sunshine HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n${text}`;
      }
      socket.write(requests);
      sent += n;
      while (answered < sent && !failure) await new Promise<void>((r) => (wake = r));
      if (failure) throw failure;
      if (sent % 10_000 === 0) onBatch(sent);
    }
  } finally {
    socket.destroy();
  }
}

const mb = (bytes: number | undefined): number => Math.round(((bytes ?? NaN) / 1e6) * 10) / 10;

/** The emulator process's memory as `GET /_emulator` reports it (process.memoryUsage()). */
interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

async function emulatorMemory(url: string, signal: AbortSignal): Promise<Memory> {
  return ((await (await fetch(`${url}/_emulator`, { signal })).json()) as { memory: Memory }).memory;
}

/** A full garbage collection in the emulator (started with --expose-gc), then its memory. */
async function collectedMemory(url: string, signal: AbortSignal): Promise<Memory> {
  const r = await fetch(`${url}/_emulator/gc`, { method: 'POST', body: '{}', signal });
  if (r.status !== 200) throw new Error(`POST /_emulator/gc answered ${r.status}`);
  return ((await r.json()) as { memory: Memory }).memory;
}

const show = (m: Memory): string =>
  `heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)} (arrayBuffers ${mb(m.arrayBuffers)}), RSS ${mb(m.rss)}`;

interface Round {
  before: Memory;
  peak: Memory;
  after: Memory;
  maxSendQueue: number;
  slowDropped: number;
  received: number;
}

/**
 * One round: a reading client and SLOW_CLIENTS non-reading ones connect, NOTIFICATIONS
 * notifications go out, then the slow clients read what is left (those dropped find the close
 * frame) and leave; memory is taken after a full GC before and after, and sampled during.
 */
async function memoryRound(ctx: BenchContext, url: string, port: number): Promise<Round> {
  const before = await collectedMemory(url, ctx.signal);
  const peak: Memory = { ...before };
  const sampler = setInterval(() => {
    void emulatorMemory(url, ctx.signal).then(
      (m) => {
        for (const k of Object.keys(peak) as Array<keyof Memory>) peak[k] = Math.max(peak[k], m[k]);
      },
      () => undefined,
    );
  }, 200);
  try {
    const reader = new WebSocket(`${url.replace('http', 'ws')}/websocket`);
    let received = 0;
    let allReceived!: () => void;
    const done = new Promise<void>((r) => (allReceived = r));
    reader.on('message', (d) => {
      if (d.toString().includes('"ping"')) reader.send('pong');
      else if (d.toString().includes('"sunshine"') && ++received === NOTIFICATIONS) allReceived();
    });
    await new Promise((r, j) => reader.once('open', r).once('error', j));
    reader.once('close', (code, reason) => ctx.log(`the reading client was closed: ${code} ${reason.toString()}`));
    const slow = await Promise.all(Array.from({ length: SLOW_CLIENTS }, () => slowClient(url)));

    // 60,000 notifications: the sensor unplugged and plugged again, by POSTs pipelined on one
    // connection (node:http answers them in order, so every POST changes the state and notifies).
    const started = Date.now();
    let maxSendQueue = 0;
    await postPipelined(
      url,
      NOTIFICATIONS,
      (i) => ({ connected: i % 2 === 1 }),
      (sent) => {
        maxSendQueue = Math.max(maxSendQueue, kernelSendQueueBytes(port) ?? 0);
        ctx.log(`${sent} notifications sent, reading client has ${received}`);
      },
    );
    await done;
    maxSendQueue = Math.max(maxSendQueue, kernelSendQueueBytes(port) ?? 0);
    ctx.log(
      `${NOTIFICATIONS} notifications in ${((Date.now() - started) / 1000).toFixed(1)} s; reading client got ${received}`,
    );
    // Reading at last, each slow client finds what is left of its queue and, if the emulator
    // dropped it, the close frame 1008 (ws then waits 30 s for a close reply these clients never send).
    const dropped = await Promise.all(slow.map((s) => readUntilClose1008(s, 3000)));
    for (const s of slow) s.destroy();
    reader.close();
    await new Promise((r) => reader.once('close', r));
    await sleep(1000, undefined, { signal: ctx.signal });
    clearInterval(sampler);
    // A first full GC frees the objects; V8 gives the emptied heap pages back to the system
    // only on a later one, so the figure is taken after a second.
    await collectedMemory(url, ctx.signal);
    await sleep(1000, undefined, { signal: ctx.signal });
    const after = await collectedMemory(url, ctx.signal);
    ctx.log(`before ${show(before)}; peak ${show(peak)}; after ${show(after)} (MB)`);
    return { before, peak, after, maxSendQueue, slowDropped: dropped.filter(Boolean).length, received };
  } finally {
    clearInterval(sampler);
  }
}

async function memory(ctx: BenchContext): Promise<BenchRow[]> {
  const emu = await startSequoiaChild({
    repoRoot: ctx.repoRoot,
    dataDir: path.join(ctx.tmpDir, 'data'),
    nodeArgs: ['--expose-gc'],
    signal: ctx.signal,
  });
  ctx.defer(() => emu.stop());
  const port = Number(new URL(emu.url).port);
  await fetch(`${emu.url}/status`, { signal: ctx.signal });
  await sleep(500, undefined, { signal: ctx.signal });
  // Twice in one emulator: if the second round's peak is no higher than the first's, the memory
  // kept after the first is reused (the allocator's), not leaked.
  const first = await memoryRound(ctx, emu.url, port);
  const second = await memoryRound(ctx, emu.url, port);
  const r = (x: Round): string =>
    `heap used ${mb(x.before.heapUsed)} → ${mb(x.peak.heapUsed)} → ${mb(x.after.heapUsed)}, heap total ${mb(x.before.heapTotal)} → ${mb(x.peak.heapTotal)} → ${mb(x.after.heapTotal)}, ` +
    `external ${mb(x.before.external)} → ${mb(x.peak.external)} → ${mb(x.after.external)}, RSS ${mb(x.before.rss)} → ${mb(x.peak.rss)} → ${mb(x.after.rss)} MB; ` +
    `kernel send queues peak ${mb(x.maxSendQueue)} MB; reading client got ${x.received}/${NOTIFICATIONS}; slow clients dropped (close 1008): ${x.slowDropped}/${SLOW_CLIENTS}`;
  return [
    {
      name: `sequoia websocket heap growth after ${SLOW_CLIENTS} non-reading clients, ${NOTIFICATIONS / 1000}k notifications (after GC)`,
      ours: { value: mb(second.after.heapUsed - first.before.heapUsed), unit: 'MB', label: 'camctl emulator' },
      target: { kind: 'at-most', value: HEAP_GROWTH_LIMIT_MB, unit: 'MB' },
      note: `before → peak → after (GC), round 1: ${r(first)}. Round 2: ${r(second)}`,
    },
    {
      name: `sequoia websocket RSS growth, 2 rounds of ${SLOW_CLIENTS} non-reading clients, ${NOTIFICATIONS / 1000}k notifications`,
      ours: { value: mb(second.after.rss - first.before.rss), unit: 'MB', label: 'camctl emulator' },
      target: { kind: 'at-most', value: RSS_GROWTH_LIMIT_MB, unit: 'MB' },
      note: `RSS ${mb(first.before.rss)} → peak ${mb(first.peak.rss)} → ${mb(first.after.rss)} MB after round 1, peak ${mb(second.peak.rss)} → ${mb(second.after.rss)} MB after round 2`,
    },
  ];
}

async function clientsHeld(ctx: BenchContext): Promise<BenchRow[]> {
  const emu = await startSequoiaChild({
    repoRoot: ctx.repoRoot,
    dataDir: path.join(ctx.tmpDir, 'data'),
    signal: ctx.signal,
  });
  ctx.defer(() => emu.stop());
  const wsUrl = `${emu.url.replace('http', 'ws')}/websocket`;
  const open: WebSocket[] = [];
  ctx.defer(() => open.forEach((ws) => ws.terminate()));
  const counts = new Map<WebSocket, number>();
  let refused = 0;
  // Connect in batches until the emulator says no (503) or the default limit is reached.
  while (open.length < DEFAULT_MAX_WEBSOCKET_CLIENTS + 1 && refused === 0) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, DEFAULT_MAX_WEBSOCKET_CLIENTS + 1 - open.length) }, () => {
        const ws = new WebSocket(wsUrl);
        return new Promise<WebSocket | undefined>((resolve) => {
          ws.once('open', () => resolve(ws));
          ws.once('unexpected-response', (_req, res) => {
            if (res.statusCode === 503) refused++;
            resolve(undefined);
          });
          ws.once('error', () => resolve(undefined));
        });
      }),
    );
    for (const ws of batch) {
      if (!ws) continue;
      open.push(ws);
      counts.set(ws, 0);
      ws.on('message', (d) => {
        if (d.toString().includes('"ping"')) ws.send('pong');
        else counts.set(ws, counts.get(ws)! + 1);
      });
    }
  }
  const all = Promise.all(open.map((ws) => new Promise<void>((r) => ws.once('message', () => r()))));
  await fetch(`${emu.url}/_emulator/sunshine`, { method: 'POST', body: '{"connected":false}', signal: ctx.signal });
  await all;
  const notified = [...counts.values()].filter((c) => c >= 1).length;
  return [
    {
      name: 'sequoia websocket clients held at once, each notified',
      ours: { value: notified, unit: 'clients', label: 'camctl emulator (default limit)' },
      target: { kind: 'at-least', value: 1000, unit: 'clients' },
      note: `${open.length} connected, ${notified} got the notification, ${refused} refused with 503 past the limit of ${DEFAULT_MAX_WEBSOCKET_CLIENTS}`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'sequoia-websocket-memory',
    description: `emulated Sequoia RSS under ${SLOW_CLIENTS} WebSocket clients that never read and ${NOTIFICATIONS} notifications`,
    // 60,000 HTTP requests and a 32 s wait: about 2 minutes on a quiet machine.
    timeoutMs: 10 * 60_000,
    run: memory,
  },
  {
    name: 'sequoia-websocket-clients',
    description: 'emulated Sequoia: WebSocket clients held at once with the default limit, each notified',
    timeoutMs: 3 * 60_000,
    run: clientsHeld,
  },
];

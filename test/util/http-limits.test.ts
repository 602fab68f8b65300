/**
 * The limits every HTTP server we run puts on a request, over real loopback sockets: the emulated
 * Sequoia, the emulated THETA and the dashboard. A client that trickles its headers or its body is
 * cut off by the header / request timeout; a body whose Content-Length is over the limit is refused
 * with 413 in the protocol's own error shape before a byte of it is sent; a chunked body is cut off
 * at the limit with 413 and the connection closed. Long replies (MJPEG live preview, WebSocket)
 * outlive the request timeout: it covers receiving the request, not answering it.
 *
 * Timeouts here are short and set through options; the tests only wait for "the server closed it".
 */
import * as net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { ManualClock } from '../../src/util/clock.js';

const HEADERS_TIMEOUT_MS = 300;
const REQUEST_TIMEOUT_MS = 600;
const MAX_BODY = 4096;
const LIMITS = { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, maxBodyBytes: MAX_BODY };

interface Target {
  name: string;
  port: number;
  /** A JSON POST route of this server. */
  post: string;
  /** Extra request headers the route needs. */
  headers: string;
  /** Checks a 413 reply body is in the protocol's own error shape. */
  errorShape: (body: unknown) => void;
  close(): Promise<void>;
}

let tmp: string;
const targets: Target[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-limits-'));
  const seq = await startSequoiaEmulator({ dataDir: path.join(tmp, 'seq'), clock: new ManualClock(), ...LIMITS });
  targets.push({
    name: 'sequoia emulator',
    port: Number(new URL(seq.url).port),
    post: '/config',
    headers: 'Content-Type: application/json\r\n',
    errorShape: (b) => expect(b).toEqual({ request: 'error', error: expect.stringContaining(`${MAX_BODY} bytes`) }),
    close: () => seq.close(),
  });
  const theta = await startThetaEmulator({ dataDir: path.join(tmp, 'theta'), speed: 20, ...LIMITS });
  targets.push({
    name: 'theta emulator',
    port: Number(new URL(theta.url).port),
    post: '/osc/commands/execute',
    headers: 'Content-Type: application/json; charset=utf-8\r\n',
    errorShape: (b) =>
      expect(b).toEqual({
        name: 'camera.execute',
        state: 'error',
        error: { code: 'invalidParameterValue', message: expect.stringContaining(`${MAX_BODY} bytes`) },
      }),
    close: () => theta.close(),
  });
  const dash = await startDashboard({
    cacheDir: path.join(tmp, 'cache'),
    assetsDir: path.join(tmp, 'no-ui'),
    ...LIMITS,
  });
  targets.push({
    name: 'dashboard',
    port: dash.port,
    post: '/api/cameras',
    headers: 'Content-Type: application/json\r\n',
    errorShape: (b) =>
      expect(b).toEqual({
        error: { code: 'ERR_CAMCTL_DASHBOARD_BODY_TOO_LARGE', message: expect.stringContaining(`${MAX_BODY} bytes`) },
      }),
    close: () => dash.close(),
  });
});

afterAll(async () => {
  for (const t of targets) await t.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A raw connection that records what the server sends and when it closes. */
async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (received += d));
  // A reset after the reply (unread request bytes at close) is still "the server closed it".
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  return {
    socket,
    closed,
    get isClosed() {
      return isClosed;
    },
    received: () => received,
  };
}

/** Sends `text` one byte every `everyMs` until the server closes the connection. */
async function trickle(conn: Awaited<ReturnType<typeof connect>>, text: string, everyMs = 50): Promise<void> {
  for (let i = 0; !conn.isClosed; i = (i + 1) % text.length) {
    conn.socket.write(text[i]!);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function parseReply(raw: string): { status: number; headers: string; body: unknown } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const text = raw.slice(end + 4);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status, headers: head.toLowerCase(), body };
}

describe.each(['sequoia emulator', 'theta emulator', 'dashboard'])('%s', (name) => {
  const target = () => targets.find((t) => t.name === name)!;

  it('cuts off a client that trickles its headers (header timeout)', async () => {
    const t = target();
    const conn = await connect(t.port);
    conn.socket.write(`POST ${t.post} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n`);
    await trickle(conn, 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n');
    await conn.closed;
    // node:http answers 408 before closing when it can.
    if (conn.received() !== '') expect(parseReply(conn.received()).status).toBe(408);
  });

  it('cuts off a client that trickles its body (request timeout)', async () => {
    const t = target();
    const conn = await connect(t.port);
    conn.socket.write(
      `POST ${t.post} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n${t.headers}Content-Length: 1000\r\n\r\n`,
    );
    await trickle(conn, ' ');
    await conn.closed;
    if (conn.received() !== '') expect(parseReply(conn.received()).status).toBe(408);
  });

  it('refuses a 100 MB Content-Length with 413 before the body is sent, and closes', async () => {
    const t = target();
    const conn = await connect(t.port);
    conn.socket.write(
      `POST ${t.post} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n${t.headers}Content-Length: ${100 * 1024 * 1024}\r\n\r\n`,
    );
    // Not a byte of the body goes out: the answer can only come from the headers.
    await conn.closed;
    const reply = parseReply(conn.received());
    expect(reply.status).toBe(413);
    expect(reply.headers).toContain('connection: close');
    t.errorShape(reply.body);
  });

  it('cuts a chunked body off at the limit with 413, and closes', async () => {
    const t = target();
    const conn = await connect(t.port);
    conn.socket.write(
      `POST ${t.post} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n${t.headers}Transfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = `{"pad":"${'x'.repeat(1000)}"`;
    // Chunks up to a little past the limit, and no last chunk: the body never ends by itself.
    for (let sent = 0; sent <= MAX_BODY + 1000; sent += chunk.length)
      conn.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    await conn.closed;
    const reply = parseReply(conn.received());
    expect(reply.status).toBe(413);
    expect(reply.headers).toContain('connection: close');
    t.errorShape(reply.body);
  });
});

/** Resolves after the server has had time to enforce its request timeout on a finished request. */
const pastRequestTimeout = () => new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS * 2));

describe('long replies outlive the request timeout', () => {
  it('the Sequoia WebSocket keeps delivering notifications', async () => {
    const seq = await startSequoiaEmulator({ dataDir: path.join(tmp, 'seq-ws'), clock: new ManualClock(), ...LIMITS });
    try {
      const ws = new WebSocket(`${seq.url.replace('http', 'ws')}/websocket`);
      const messages: unknown[] = [];
      ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      await pastRequestTimeout();
      const got = new Promise((r) => ws.once('message', r));
      seq.device.setSunshineConnected(false);
      await got;
      expect(messages).toContainEqual({ status: 'change', sunshine: 'disconnected' });
      ws.close();
    } finally {
      await seq.close();
    }
  });

  it('the THETA live preview and the dashboard passing it on keep streaming', async () => {
    const theta = await startThetaEmulator({ dataDir: path.join(tmp, 'theta-live'), ...LIMITS });
    const dash = await startDashboard({
      cacheDir: path.join(tmp, 'cache-live'),
      assetsDir: path.join(tmp, 'no-ui'),
      cameras: [theta.url.replace('http:', 'theta:')],
      ...LIMITS,
    });
    try {
      const id = dash.hub.list()[0]!.id;
      for (let i = 0; i < 300 && dash.hub.view(id).state !== 'online'; i++) await new Promise((r) => setTimeout(r, 50));
      const direct = fetch(`${theta.url}/osc/commands/execute`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'camera.getLivePreview' }),
      });
      const viaDashboard = fetch(`${dash.url}api/cameras/${id}/live`);
      for (const res of await Promise.all([direct, viaDashboard])) {
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        expect((await reader.read()).done).toBe(false);
        await pastRequestTimeout();
        // Still streaming: frames keep coming after the timeout has passed.
        let bytes = 0;
        while (bytes < 64 * 1024) {
          const r = await reader.read();
          expect(r.done).toBe(false);
          bytes += r.value!.length;
        }
        await reader.cancel();
      }
    } finally {
      await dash.close();
      await theta.close();
    }
  });
});

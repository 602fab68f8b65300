/**
 * Sequoia WebSocket notifications (`ws://camera/websocket`) as an async iterable.
 *
 * - Answers the camera's `{"status":"ping"}` with the text `pong` (Parrot's Sequoia API reference, "PING"): a client that
 *   does not is dropped by the camera.
 * - When the link drops, reconnects with exponential backoff (with jitter, capped), and after
 *   reconnecting re-reads the camera's state over HTTP and emits a synthetic `change`
 *   notification (`resync: true`) for everything that changed while it was away — so a consumer
 *   that tracks state from notifications misses nothing.
 * - The first connection failing is an error (the camera is not there); later failures are retried.
 * - Iteration ends quietly when `signal` aborts or the consumer breaks out of `for await`.
 *
 * @example
 * for await (const item of client.events({ signal })) {
 *   if (item.kind === 'notification') console.log(item.message);
 * }
 */
import { debuglog } from 'node:util';
import type WebSocket from 'ws';
import { SequoiaError } from './client-errors.js';
import { isObject } from './client-schemas.js';
import type { CalibrationReply, CaptureStatusReply, ChangeNotification, ConfigReply, StorageReply } from './types.js';
import { wallClock } from '../util/clock.js';

const debug = debuglog('camctl:sequoia-ws');

/** A notification of the API reference's list, or any other JSON object the camera sent (passed through). */
export type NotificationMessage = ChangeNotification | (Record<string, unknown> & { status: string });

/** What {@link SequoiaEvents} yields: a notification from the camera, or a change of the connection's state. */
export type SequoiaEventItem =
  | {
      kind: 'notification';
      message: NotificationMessage;
      /** True when synthesised from re-read state after a reconnect. */
      resync?: boolean;
    }
  | { kind: 'connection'; state: 'open' | 'lost' | 'restored'; attempt?: number; error?: string };

/** What the events need of the HTTP client to re-read state (kept narrow to avoid a cycle). */
export interface StateReader {
  /** `GET /capture`. */
  getCaptureStatus(o?: { signal?: AbortSignal }): Promise<CaptureStatusReply>;
  /** `GET /config`. */
  getConfig(o?: { signal?: AbortSignal }): Promise<ConfigReply>;
  /** `GET /calibration`. */
  getCalibration(o?: { signal?: AbortSignal }): Promise<CalibrationReply>;
  /** `GET /storage`. */
  getStorage(o?: { signal?: AbortSignal }): Promise<StorageReply>;
}

/** Options of {@link SequoiaClient.events}. */
export interface SequoiaEventOptions {
  url: string;
  /** Used to re-read state after a reconnect; without it no resync notifications are made. */
  client?: StateReader;
  signal?: AbortSignal;
  /** Reconnect when the link drops (default true). */
  reconnect?: boolean;
  /** First retry delay, ms (default 250); doubles up to `maxBackoffMs` (default 5000). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Give up after this many failed reconnects in a row (default unlimited). */
  maxAttempts?: number;
  /** WebSocket handshake timeout, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Reconnect if nothing (not even a ping) arrives for this long, ms (default: off). */
  idleTimeoutMs?: number;
  /** Also yield the camera's pings as notifications (default false). */
  includePings?: boolean;
}

/** State that notifications describe, as re-read over HTTP. */
type Snapshot = Map<string, ChangeNotification>;

class Queue<T> {
  private items: T[] = [];
  private waiter: ((v: void) => void) | undefined;
  push(item: T): void {
    this.items.push(item);
    this.waiter?.();
    this.waiter = undefined;
  }
  async shift(signal: AbortSignal): Promise<T | undefined> {
    while (this.items.length === 0) {
      if (signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        this.waiter = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    return this.items.shift();
  }
}

/** `{"status":"ping"}` with any spacing (the camera sends exactly this object). */
const PING = /^\s*\{\s*"status"\s*:\s*"ping"\s*\}\s*$/;

type LinkEvent = { type: 'message'; data: string } | { type: 'closed'; error?: string };

/** The camera's WebSocket notifications as an async iterable (see the module's description). */
export class SequoiaEvents implements AsyncIterable<SequoiaEventItem> {
  constructor(private readonly options: SequoiaEventOptions) {}

  /** Iterates the notifications; each instance is iterated once. */
  async *[Symbol.asyncIterator](): AsyncGenerator<SequoiaEventItem, void, undefined> {
    const o = this.options;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    if (o.signal?.aborted) return;
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const { WebSocket: WS } = await import('ws');
    let snapshot: Snapshot | undefined;
    let failures = 0;
    let opened = false;
    try {
      while (!stop.signal.aborted) {
        const queue = new Queue<LinkEvent>();
        let ws: WebSocket;
        try {
          ws = await connect(WS, o.url, o.connectTimeoutMs ?? 10_000, stop.signal, queue);
        } catch (err) {
          if (stop.signal.aborted) return;
          if (!opened) throw err; // nothing there: report it rather than retry forever
          failures++;
          if (o.maxAttempts !== undefined && failures > o.maxAttempts) throw err;
          await sleep(backoff(failures, o), stop.signal);
          continue;
        }
        const reconnected = opened;
        opened = true;
        failures = 0;
        try {
          if (!reconnected) {
            yield { kind: 'connection', state: 'open' };
            if (o.client) snapshot = await readSnapshot(o.client, stop.signal).catch(() => undefined);
          } else {
            // Re-read what may have changed while the link was down, then say we are back.
            if (o.client) {
              const now = await readSnapshot(o.client, stop.signal).catch(() => undefined);
              if (now) {
                for (const message of diff(snapshot, now)) yield { kind: 'notification', message, resync: true };
                snapshot = now;
              }
            }
            yield { kind: 'connection', state: 'restored' };
          }
          const lost = yield* this.pump(ws, queue, stop.signal, snapshot);
          if (stop.signal.aborted) return;
          yield { kind: 'connection', state: 'lost', ...(lost ? { error: lost } : {}) };
        } finally {
          ws.removeAllListeners();
          ws.on('error', () => {});
          ws.terminate();
        }
        if (o.reconnect === false) return;
        failures++;
        await sleep(backoff(failures, o), stop.signal);
      }
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }

  /** Yields messages of one connection; returns the reason it ended. */
  private async *pump(
    ws: WebSocket,
    queue: Queue<LinkEvent>,
    signal: AbortSignal,
    snapshot: Snapshot | undefined,
  ): AsyncGenerator<SequoiaEventItem, string | undefined, undefined> {
    const idleMs = this.options.idleTimeoutMs;
    let idle: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (!idleMs) return;
      clearTimeout(idle);
      idle = setTimeout(() => queue.push({ type: 'closed', error: `no message for ${idleMs} ms` }), idleMs);
    };
    arm();
    try {
      for (;;) {
        const ev = await queue.shift(signal);
        if (!ev) return undefined;
        if (ev.type === 'closed') return ev.error;
        arm();
        let msg: unknown;
        try {
          msg = JSON.parse(ev.data);
        } catch {
          debug('ignoring non-JSON message %s', ev.data.slice(0, 80));
          continue;
        }
        if (!isObject(msg) || typeof msg.status !== 'string') {
          debug('ignoring message without status %s', ev.data.slice(0, 80));
          continue;
        }
        if (msg.status === 'ping' && !this.options.includePings) continue; // answered on arrival
        const message = msg as NotificationMessage;
        if (snapshot && msg.status === 'change') remember(snapshot, message as ChangeNotification);
        yield { kind: 'notification', message };
      }
    } finally {
      clearTimeout(idle);
    }
  }
}

function connect(
  WS: typeof WebSocket,
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
  queue: Queue<LinkEvent>,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WS(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
    const onAbort = (): void => {
      ws.terminate();
      reject(new SequoiaError('ERR_CAMCTL_SEQUOIA_ABORTED', 'websocket connect aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    ws.once('open', () => {
      signal.removeEventListener('abort', onAbort);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const text = data.toString('utf8');
        // Answer pings here, not where the consumer reads: a consumer busy for longer than the
        // ping period (or our own state re-read) must not get the client dropped by the camera.
        if (PING.test(text) && ws.readyState === ws.OPEN) ws.send('pong');
        queue.push({ type: 'message', data: text });
      });
      ws.on('close', (code: number, reason: Buffer) =>
        queue.push({ type: 'closed', error: `closed (${code}${reason.length ? ` ${reason.toString()}` : ''})` }),
      );
      ws.on('error', (err: Error) => queue.push({ type: 'closed', error: err.message }));
      debug('open %s', url);
      resolve(ws);
    });
    ws.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      const timeout = /timed out|timeout/i.test(err.message);
      reject(
        new SequoiaError(
          timeout ? 'ERR_CAMCTL_SEQUOIA_TIMEOUT' : 'ERR_CAMCTL_SEQUOIA_UNREACHABLE',
          `websocket ${url}: ${err.code ?? err.message}`,
          {
            cause: err,
            phase: 'connect',
          },
        ),
      );
    });
  });
}

function backoff(failures: number, o: SequoiaEventOptions): number {
  const base = o.initialBackoffMs ?? 250;
  const max = o.maxBackoffMs ?? 5000;
  const ms = Math.min(max, base * 2 ** Math.max(0, failures - 1));
  // Jitter: several clients of one camera should not reconnect in lockstep after it reboots.
  return ms * (0.75 + Math.random() * 0.5);
}

/** The backoff pause: on the wall clock, cut short (not failed) by an abort. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return wallClock.sleep(ms, signal).catch(() => undefined);
}

// ---- state re-read ---------------------------------------------------------------------------

/** Keys a snapshot entry is stored under: the notification's distinguishing field(s). */
function keyOf(n: ChangeNotification): string | undefined {
  const r = n as unknown as Record<string, unknown>;
  if ('calibration' in r) return `calibration:${String(r.calibration)}`;
  if ('storage_status' in r) return `storage_status:${String(r.storage_status)}`;
  if ('resolution_rgb' in r) return 'resolution';
  for (const k of Object.keys(r)) if (k !== 'status') return k;
  return undefined;
}

function remember(snapshot: Snapshot, n: ChangeNotification): void {
  const k = keyOf(n);
  if (k) snapshot.set(k, n);
}

async function readSnapshot(client: StateReader, signal: AbortSignal): Promise<Snapshot> {
  const [capture, config, calibration, storage] = await Promise.all([
    client.getCaptureStatus({ signal }),
    client.getConfig({ signal }),
    client.getCalibration({ signal }),
    client.getStorage({ signal }),
  ]);
  const s: Snapshot = new Map();
  const add = (n: Record<string, unknown>): void => remember(s, { status: 'change', ...n } as ChangeNotification);
  add({ capture: capture.status === 'Ready' || !/running/i.test(capture.status) ? 'ready' : 'running' });
  add({ capture_mode: config.capture_mode });
  for (const k of ['timelapse_param', 'gps_param', 'overlap_param', 'sensors_mask', 'bit_depth'] as const) {
    if (typeof config[k] === 'number') add({ [k]: config[k] });
  }
  add({ resolution_rgb: config.resolution_rgb, resolution_mono: config.resolution_mono });
  add({ storage_select: config.storage_selected });
  add({ calibration: 'body', state: calibration.body });
  add({ calibration: 'sunshine', state: calibration.sunshine });
  add({ storage_status: 'sd', state: storage.sd ? 'connected' : 'disconnected' });
  return s;
}

function diff(before: Snapshot | undefined, after: Snapshot): ChangeNotification[] {
  if (!before) return [];
  const out: ChangeNotification[] = [];
  for (const [k, n] of after) {
    const old = before.get(k);
    if (!old || JSON.stringify(old) !== JSON.stringify(n)) out.push(n);
  }
  return out;
}

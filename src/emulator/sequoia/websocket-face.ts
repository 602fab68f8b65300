/**
 * The Sequoia's WebSocket face (`/websocket` on its HTTP port): the device's changes as the
 * notifications of Parrot's Sequoia API reference (notifications.ts), a `{"status":"ping"}` every
 * few seconds that clients answer with the text `pong`, and bounded memory per client — a client
 * that stops reading or answering is dropped rather than queued for without end.
 */
import { EventEmitter } from 'node:events';
import type * as http from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { debuglog } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SequoiaDevice } from '../../devices/sequoia/device.js';
import type { DeviceChange } from '../../devices/sequoia/events.js';
import type { DeviceConfig } from '../../devices/sequoia/types.js';
import type { ChangeNotification } from '../../sequoia/types.js';
import type { TimerHandle } from '../../util/clock.js';
import { InvalidOptionError } from '../../util/errors.js';
import { setSocketSendBuffer } from '../../util/zero-copy.js';
import { cameraJson } from './camera-json.js';
import { changeNotification, configNotifications } from './notifications.js';
import {
  CLOSE_TOO_SLOW,
  DEFAULT_MAX_WEBSOCKET_CLIENTS,
  DEFAULT_MAX_WEBSOCKET_QUEUE_BYTES,
} from './websocket-limits.js';

const log = debuglog('camctl:sequoia-http');

/** Limits of the WebSocket face. */
export interface SequoiaWebSocketOptions {
  /** WebSocket ping period (device clock ms). Default 5000. */
  pingIntervalMs?: number;
  /** Most simultaneous WebSocket clients; the next one is answered 503. Default 1024. */
  maxWebSocketClients?: number;
  /**
   * Most bytes queued for one WebSocket client (ws's `bufferedAmount`, on top of what the kernel's
   * socket buffers hold). A client further behind is dropped with close code 1008. Default 64 KiB.
   */
  maxWebSocketQueueBytes?: number;
}

/** Why a WebSocket client was dropped, as given to `websocket-dropped` listeners. */
export interface WebSocketDrop {
  /** `address:port` of the client. */
  peer: string;
  reason: string;
}

/** The events of {@link SequoiaWebSocketFace}. */
export interface SequoiaWebSocketEvents {
  /** Each notification as it is sent to every client. */
  notification: [ChangeNotification];
  /** A client dropped: too slow to read its notifications, or silent to pings. */
  'websocket-dropped': [WebSocketDrop];
}

/** Serves `/websocket`; emits {@link SequoiaWebSocketEvents}. */
export class SequoiaWebSocketFace extends EventEmitter<SequoiaWebSocketEvents> {
  private readonly wss: WebSocketServer;
  private readonly maxClients: number;
  private readonly maxQueue: number;
  private readonly onChange: (c: DeviceChange) => void;
  private readonly onConfig: (changed: Partial<DeviceConfig>) => void;
  private readonly pingTimer: TimerHandle;
  private readonly awaitingPong = new Set<WebSocket>();
  /** Each client's `address:port`, for the log. */
  private readonly peers = new WeakMap<WebSocket, string>();

  constructor(
    private readonly device: SequoiaDevice,
    opts: SequoiaWebSocketOptions = {},
  ) {
    super();
    this.maxClients = opts.maxWebSocketClients ?? DEFAULT_MAX_WEBSOCKET_CLIENTS;
    this.maxQueue = opts.maxWebSocketQueueBytes ?? DEFAULT_MAX_WEBSOCKET_QUEUE_BYTES;
    for (const [k, v] of Object.entries({
      maxWebSocketClients: this.maxClients,
      maxWebSocketQueueBytes: this.maxQueue,
    })) {
      if (!Number.isSafeInteger(v) || v < 1) throw new InvalidOptionError(k, `must be a positive integer, got ${v}`);
    }
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.onChange = (c) => this.notify(changeNotification(c));
    this.onConfig = (changed) => {
      for (const n of configNotifications(changed, device.getConfig())) this.notify(n);
    };
    device.on('change', this.onChange);
    device.on('config-changed', this.onConfig);
    this.pingTimer = device.clock.setInterval(() => this.ping(), opts.pingIntervalMs ?? 5000);
  }

  /** Takes over an HTTP upgrade request: `/websocket` becomes a client, anything else a refusal. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/websocket' || this.wss.clients.size >= this.maxClients) {
      socket.end(
        `HTTP/1.1 ${path !== '/websocket' ? '404 Not Found' : '503 Service Unavailable'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // The kernel's send queue is kept as small as ours (Linux doubles SO_SNDBUF), instead of the
      // megabytes it would autotune to: a client that stops reading then passes
      // `maxWebSocketQueueBytes` after some 200 KB (on loopback, plus its own receive buffer), and
      // each one costs the machine that much at most. Without the native addon the kernel decides.
      if (socket instanceof Socket) setSocketSendBuffer(socket, this.maxQueue);
      this.peers.set(ws, peer);
      ws.on('message', (data, isBinary) => {
        // The API reference's client answers each ping with the text "pong".
        if (!isBinary && data.toString().trim() === 'pong') this.awaitingPong.delete(ws);
      });
      ws.on('close', () => this.awaitingPong.delete(ws));
      ws.on('error', () => ws.terminate());
    });
  }

  /** Pings every client; one that did not answer the previous ping is dropped, as the camera does. */
  private ping(): void {
    const ping = Buffer.from(cameraJson({ status: 'ping' }));
    for (const ws of this.wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (this.awaitingPong.has(ws)) {
        this.awaitingPong.delete(ws);
        this.dropped(ws, 'did not answer ping');
        ws.terminate();
        continue;
      }
      this.awaitingPong.add(ws);
      this.sendBounded(ws, ping);
    }
  }

  private notify(n: ChangeNotification): void {
    this.emit('notification', n);
    this.broadcast(cameraJson(n));
  }

  private broadcast(text: string): void {
    // Encoded once for all clients: ws frames a Buffer without copying it.
    const data = Buffer.from(text);
    for (const ws of this.wss.clients) if (ws.readyState === ws.OPEN) this.sendBounded(ws, data);
  }

  /**
   * Sends a text message, then drops the client if that leaves it too far behind. A client that
   * does not read would otherwise make the server queue every notification for it, without bound. Skipping
   * messages would silently lose notifications, so the client is dropped instead: close 1008
   * after what was already queued (a client that reads again learns why), no further sends, and
   * ws destroys the socket if the close handshake does not finish within its 30 s. Memory per
   * client stays under `maxWebSocketQueueBytes` plus one message.
   */
  private sendBounded(ws: WebSocket, data: Buffer): void {
    ws.send(data, { binary: false });
    if (ws.bufferedAmount > this.maxQueue) {
      const reason = `client too slow: ${ws.bufferedAmount} bytes unread`;
      this.dropped(ws, reason);
      ws.close(CLOSE_TOO_SLOW, reason.slice(0, 123));
    }
  }

  private dropped(ws: WebSocket, reason: string): void {
    const peer = this.peers.get(ws) ?? 'unknown';
    log('websocket client %s dropped: %s', peer, reason);
    this.emit('websocket-dropped', { peer, reason });
  }

  get clients(): number {
    return this.wss.clients.size;
  }

  /** Clients that have not answered the last ping yet (the camera drops them at the next one). */
  get unansweredPings(): number {
    return this.awaitingPong.size;
  }

  close(): void {
    this.device.off('change', this.onChange);
    this.device.off('config-changed', this.onConfig);
    this.device.clock.clearTimer(this.pingTimer);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}

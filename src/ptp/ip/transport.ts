/**
 * PTP/IP initiator transport: opens the command connection, performs the init handshake
 * (GUID, friendly name, version), then opens the event connection — the order gphoto2 uses
 * (docs/ptp.md "Connect order") — and carries a {@link PtpSession}'s packets.
 *
 * @example
 * const transport = await PtpIpTransport.connect({ host: '127.0.0.1', port, signal });
 * const session = new PtpSession(transport);
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { debuglog } from 'node:util';
import { PtpAbortError, PtpClosedError, PtpIpInitError, PtpProtocolError, PtpTimeoutError } from '../errors.js';
import type { PtpCommand, PtpTransport, PtpTransportReceiver } from '../transport.js';
import {
  PTPIP_DEFAULT_PORT,
  PacketType,
  encodeCancel,
  encodeCmdRequest,
  encodeInitCommandRequest,
  encodeInitEventRequest,
  encodeProbeResponse,
  type ControlPacket,
} from './packets.js';
import { PacketWriter } from './packet-writer.js';
import { PtpIpParser, type ParsedItem } from './parser.js';
import { InvalidOptionError } from '../../util/errors.js';

const debug = debuglog('camctl:ptpip');

/** Read size during a data phase, and otherwise (control packets and events are small). */
const DATA_READ_BYTES = 1024 * 1024;
const CONTROL_READ_BYTES = 64 * 1024;
/** The current consumer of each socket's incoming bytes (sockets read through `onread`). */
const readers = new WeakMap<Socket, (chunk: Buffer) => void>();
/** Sockets in a device→host data phase, which read in large buffers. */
const inDataPhase = new WeakSet<Socket>();

/** Where and how {@link PtpIpClient.connect} connects. */
export interface PtpIpConnectOptions {
  host: string;
  /** Command port. Default 15740. */
  port?: number;
  /** Event port. Default: the command port. */
  eventPort?: number;
  /** Our GUID, 16 bytes. Default: random. */
  guid?: Uint8Array;
  /** Our friendly name. Default "camctl". */
  name?: string;
  /** Time for TCP connect plus init handshake of each connection, ms. Default 5 000. */
  connectTimeoutMs?: number;
  /** Largest control packet accepted, bytes. Default 64 KiB. */
  maxPacketSize?: number;
  /** Payload bytes per outgoing Data packet. Default 65 536 (as gphoto2). */
  dataChunkSize?: number;
  signal?: AbortSignal;
}

export class PtpIpTransport implements PtpTransport {
  private receiver: PtpTransportReceiver | undefined;
  private readonly cmdWriter: PacketWriter;
  private closing = false;
  private reported = false;
  private inData: number | undefined;

  private constructor(
    private readonly command: Socket,
    private readonly event: Socket,
    private readonly cmdParser: PtpIpParser,
    private readonly evParser: PtpIpParser,
    /** The responder's InitCommandAck. */
    readonly responder: { connectionNumber: number; guid: Uint8Array; name: string; version: number },
    private readonly dataChunkSize: number,
  ) {
    this.cmdWriter = new PacketWriter(command);
  }

  static async connect(opts: PtpIpConnectOptions): Promise<PtpIpTransport> {
    if (!opts || typeof opts.host !== 'string' || opts.host === '')
      throw new InvalidOptionError('host', 'PtpIpTransport.connect needs a host');
    const port = opts.port ?? PTPIP_DEFAULT_PORT;
    const eventPort = opts.eventPort ?? port;
    const guid = opts.guid ?? randomBytes(16);
    const timeoutMs = opts.connectTimeoutMs ?? 5_000;
    const maxPacketSize = opts.maxPacketSize ?? 64 * 1024;
    const dataChunkSize = opts.dataChunkSize ?? 65_536;
    const signal = opts.signal;

    const command = await openSocket(opts.host, port, timeoutMs, signal);
    let event: Socket | undefined;
    try {
      const ack = await handshake(
        command,
        encodeInitCommandRequest(guid, opts.name ?? 'camctl'),
        PacketType.InitCommandAck,
        timeoutMs,
        signal,
        maxPacketSize,
      );
      if (ack.packet.type !== PacketType.InitCommandAck) throw new PtpProtocolError('expected InitCommandAck');
      const info = {
        connectionNumber: ack.packet.connectionNumber,
        guid: ack.packet.guid,
        name: ack.packet.name,
        version: ack.packet.version,
      };
      event = await openSocket(opts.host, eventPort, timeoutMs, signal);
      const evAck = await handshake(
        event,
        encodeInitEventRequest(info.connectionNumber),
        PacketType.InitEventAck,
        timeoutMs,
        signal,
        maxPacketSize,
      );
      const t = new PtpIpTransport(command, event, ack.parser, evAck.parser, info, dataChunkSize);
      t.wire(ack.rest, evAck.rest);
      return t;
    } catch (e) {
      command.destroy();
      event?.destroy();
      throw e;
    }
  }

  setReceiver(receiver: PtpTransportReceiver): void {
    this.receiver = receiver;
  }

  private wire(cmdRest: ParsedItem[], evRest: ParsedItem[]): void {
    const onCmd = (item: ParsedItem): void => this.onCommandItem(item);
    const onEv = (item: ParsedItem): void => this.onEventItem(item);
    this.cmdParser.onItem = onCmd;
    this.evParser.onItem = onEv;
    for (const i of cmdRest) onCmd(i);
    for (const i of evRest) onEv(i);
    for (const [s, parser] of [
      [this.command, this.cmdParser],
      [this.event, this.evParser],
    ] as const) {
      readers.set(s, (chunk: Buffer) => {
        try {
          parser.push(chunk);
        } catch (e) {
          this.fail(e as Error);
        }
      });
      s.on('error', (e) => this.fail(e));
      s.on('close', () => this.fail(this.closing ? undefined : new PtpClosedError('connection closed by the camera')));
      s.resume();
    }
  }

  private fail(error: Error | undefined): void {
    if (this.reported) return;
    this.reported = true;
    if (error) debug('transport failed: %s', error.message);
    this.command.destroy();
    this.event.destroy();
    this.receiver?.closed(error);
  }

  private onCommandItem(item: ParsedItem): void {
    const r = this.receiver;
    if (!r) return;
    switch (item.kind) {
      case 'packet': {
        const p = item.packet;
        if (p.type === PacketType.StartData) {
          this.inData = p.transactionId;
          inDataPhase.add(this.command);
          r.dataStart(p.transactionId, p.totalLength);
        } else if (p.type === PacketType.CmdResponse) {
          r.response({ code: p.code, transactionId: p.transactionId, params: p.params });
        } else if (p.type === PacketType.ProbeRequest) {
          this.cmdWriter.write(encodeProbeResponse()).catch(() => undefined);
        } else if (p.type === PacketType.Event) {
          r.event({ code: p.code, transactionId: p.transactionId, params: p.params });
        } else {
          this.fail(new PtpProtocolError(`unexpected packet type ${p.type} on the command connection`));
        }
        return;
      }
      case 'data-header':
        if (this.inData !== item.transactionId) this.fail(new PtpProtocolError('Data without StartData'));
        return;
      case 'data-chunk':
        if (this.inData !== undefined) r.data(this.inData, item.chunk);
        return;
      case 'data-end':
        if (item.type === PacketType.EndData && this.inData !== undefined) {
          const tid = this.inData;
          this.inData = undefined;
          inDataPhase.delete(this.command);
          r.dataEnd(tid);
        }
        return;
    }
  }

  private onEventItem(item: ParsedItem): void {
    if (item.kind !== 'packet') return this.fail(new PtpProtocolError('data on the event connection'));
    const p = item.packet;
    if (p.type === PacketType.Event)
      this.receiver?.event({ code: p.code, transactionId: p.transactionId, params: p.params });
    else if (p.type === PacketType.ProbeRequest)
      new PacketWriter(this.event).write(encodeProbeResponse()).catch(() => undefined);
    else if (p.type !== PacketType.ProbeResponse)
      this.fail(new PtpProtocolError(`unexpected packet type ${p.type} on the event connection`));
  }

  sendCommand(c: PtpCommand): Promise<void> {
    return this.cmdWriter.write(encodeCmdRequest(c.direction === 'out' ? 2 : 1, c.code, c.transactionId, c.params));
  }

  sendData(
    transactionId: number,
    totalLength: bigint,
    source: Uint8Array | AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.cmdWriter.writeDataPhase(transactionId, totalLength, source, this.dataChunkSize, signal);
  }

  cancel(transactionId: number): Promise<void> {
    if (this.reported) return Promise.resolve();
    return this.cmdWriter.write(encodeCancel(transactionId));
  }

  pause(): void {
    this.command.pause();
  }
  resume(): void {
    if (!this.reported) this.command.resume();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.reported) return;
    const gone = new Promise<void>((resolve) => this.command.once('close', () => resolve()));
    this.command.end();
    this.event.end();
    const t = setTimeout(() => {
      this.command.destroy();
      this.event.destroy();
    }, 1000);
    await gone;
    clearTimeout(t);
    this.fail(undefined);
  }
}

function openSocket(host: string, port: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new PtpAbortError({ cause: signal.reason }));
    // Reads land in fresh buffers handed to whoever listens now (handshake, then wire()), 1 MiB
    // during a data phase: 16× fewer wake-ups than the default 64 KiB 'data' chunks, and no copy,
    // since a buffer is never reused (chunks may be kept by the session's sink).
    // The socket is referenced by its own read callbacks: `buffer` runs once inside netConnect().
    const ref: { socket?: Socket } = {};
    const s = netConnect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: (): Buffer =>
          Buffer.allocUnsafe(ref.socket && inDataPhase.has(ref.socket) ? DATA_READ_BYTES : CONTROL_READ_BYTES),
        callback: (n: number, buf: Uint8Array): boolean => {
          if (ref.socket) readers.get(ref.socket)?.(Buffer.from(buf.buffer, buf.byteOffset, n));
          return true;
        },
      },
    });
    ref.socket = s;
    const done = (err?: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      s.off('error', onError);
      if (err) {
        s.destroy();
        reject(err);
      } else resolve(s);
    };
    const onError = (e: Error): void =>
      done(new PtpClosedError(`cannot connect to ${host}:${port}: ${e.message}`, { cause: e }));
    const onAbort = (): void => done(new PtpAbortError({ cause: signal?.reason }));
    const timer = setTimeout(() => done(new PtpTimeoutError('connect', timeoutMs)), timeoutMs);
    s.once('connect', () => {
      s.setNoDelay(true);
      done();
    });
    s.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Sends an init packet and waits for the expected answer; returns the parser and any extra items. */
function handshake(
  socket: Socket,
  request: Uint8Array,
  expect: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  maxPacketSize: number,
): Promise<{ packet: ControlPacket; parser: PtpIpParser; rest: ParsedItem[] }> {
  return new Promise((resolve, reject) => {
    let answer: ControlPacket | undefined;
    const rest: ParsedItem[] = [];
    const parser = new PtpIpParser(
      (item) => {
        if (answer === undefined && item.kind === 'packet') answer = item.packet;
        else rest.push(item);
      },
      { maxPacketSize },
    );
    const done = (err?: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      readers.delete(socket);
      socket.off('close', onClose);
      socket.off('error', onError);
      // Hold further bytes until the transport attaches its own listener (wire()).
      socket.pause();
      if (err) reject(err);
      else resolve({ packet: answer as ControlPacket, parser, rest });
    };
    const onData = (chunk: Buffer): void => {
      try {
        parser.push(chunk);
      } catch (e) {
        return done(e as Error);
      }
      if (!answer) return;
      if (answer.type === PacketType.InitFail) return done(new PtpIpInitError(answer.reason));
      if (answer.type !== expect)
        return done(new PtpProtocolError(`expected packet type ${expect}, got ${answer.type}`));
      done();
    };
    const onClose = (): void => done(new PtpClosedError('connection closed during the PTP/IP handshake'));
    const onError = (e: Error): void => done(new PtpClosedError(`PTP/IP handshake failed: ${e.message}`, { cause: e }));
    const onAbort = (): void => done(new PtpAbortError({ cause: signal?.reason }));
    const timer = setTimeout(() => done(new PtpTimeoutError('init', timeoutMs)), timeoutMs);
    readers.set(socket, onData);
    socket.once('close', onClose);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.write(request);
  });
}

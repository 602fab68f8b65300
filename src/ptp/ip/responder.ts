/**
 * PTP/IP responder: the camera side of ISO 15740 over TCP (CIPA DC-005), serving any
 * {@link PtpResponderBackend}. Several initiators at once, each with its own pair of connections
 * and its own PTP session; events go out on each initiator's event connection.
 *
 * The init handshake (DC-005 §2.3): the initiator opens the command connection and sends
 * InitCommandRequest (its GUID and name); we answer InitCommandAck with a connection number; it
 * opens a second connection and sends InitEventRequest with that number; we answer InitEventAck and
 * the session exists. An initiator in between is half-open, and a half-open one can hold nothing:
 * - it takes no session slot (`maxInitiators` counts finished handshakes only); half-open ones
 *   have their own table (`maxHandshakes`), and when that is full the oldest of the host holding
 *   the most is closed, so a dead or hostile initiator never locks a legitimate one out;
 * - it is closed when the handshake is not finished within `handshakeTimeoutMs`;
 * - connection numbers are random (non-zero, unique among live ones), and an event connection is
 *   accepted only for a number handed out and not yet used, from the host the command connection
 *   came from; anything else gets InitFail(rejected initiator) and is closed without touching the
 *   initiator the number belongs to. (InitEventRequest carries no GUID, so the number and the host
 *   are all that tie the two connections together.)
 * Commands that arrive before the event connection wait for it (libgphoto2 and camctl never send
 * any, but the spec does not forbid it).
 *
 * Bad input never takes the server down: before the init handshake a
 * malformed or unexpected packet is answered with InitFail and the socket closed; after it, the
 * initiator's two connections are closed. Other initiators carry on. TCP_NODELAY is set on every
 * socket (docs/ptp.md "Nagle": gphoto2 otherwise stalls ≈ 44 ms per transaction).
 *
 * @example
 * const responder = new PtpIpResponder({ backend });
 * const { port } = await responder.listen(0, '127.0.0.1');
 * // gphoto2 --port ptpip:127.0.0.1:PORT:PORT --summary
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { debuglog } from 'node:util';
import type { PtpResponderBackend } from '../backend.js';
import { PtpResponderCore } from '../responder.js';
import { PtpLimitError, PtpProtocolError } from '../errors.js';
import type { PtpCommand } from '../transport.js';
import {
  InitFailReason,
  PacketType,
  encodeCmdResponse,
  encodeEvent,
  encodeInitCommandAck,
  encodeInitEventAck,
  encodeInitFail,
  encodeProbeResponse,
  type ControlPacket,
} from './packets.js';
import { PacketWriter } from './packet-writer.js';
import { PtpIpParser, type ParsedItem } from './parser.js';
import { InvalidOptionError } from '../../util/errors.js';

const debug = debuglog('camctl:ptpip');

export interface PtpIpResponderOptions {
  backend: PtpResponderBackend;
  /** The responder's GUID (16 bytes). Default: random per process. */
  guid?: Uint8Array;
  /** Friendly name sent in InitCommandAck. Default: the DeviceInfo model. */
  name?: string;
  /**
   * Sessions served at once (initiators that finished the handshake); one more gets InitFail(Busy).
   * Default 8: cameras commonly serve one initiator, the emulators let `camctl watch`, a download
   * and gphoto2 share one.
   */
  maxInitiators?: number;
  /**
   * Initiators in the middle of their handshake at once; when full, the oldest of the host holding
   * the most is closed to make room. Default 16.
   */
  maxHandshakes?: number;
  /** Largest control packet, bytes. Default 64 KiB. */
  maxPacketSize?: number;
  /** Largest host→device data phase, bytes. Default 16 MiB. */
  maxDataOut?: number;
  /**
   * Time allowed for the whole init handshake, ms: from accepting the command connection to
   * InitEventAck on its event connection (and from accepting an event connection to its
   * InitEventRequest). An initiator that takes longer is disconnected. Default 5 000.
   */
  handshakeTimeoutMs?: number;
  /** Payload bytes per Data packet sent. Default 1 MiB. */
  dataChunkSize?: number;
  /**
   * Called with every accepted connection before anything is read from or written to it (the
   * emulators put it on their emulated radio link).
   */
  onConnection?: (socket: Socket) => void;
  /** Awaited before each operation is handled (the emulated link's round trip). */
  beforeOperation?: () => Promise<void>;
}

/** An initiator between InitCommandAck and InitEventAck. */
interface Handshake {
  number: number;
  /** The command connection's remote address: the event connection must come from it too. */
  address: string;
  command: Socket;
  /** Makes the session once the event connection is acknowledged. */
  complete(event: Socket, eventWriter: PacketWriter): Initiator;
}

interface Initiator {
  number: number;
  command: Socket;
  event: Socket;
  eventWriter: PacketWriter;
  core: PtpResponderCore;
  /** A CmdRequest waiting for its data-out phase. */
  awaitingData:
    { cmd: PtpCommand; total: number; chunks: Uint8Array[]; received: number; started: boolean } | undefined;
  /** Commands run one after another. */
  queue: Promise<void>;
}

export class PtpIpResponder {
  private readonly server: Server;
  private readonly backend: PtpResponderBackend;
  private readonly guid: Uint8Array;
  private readonly name: string;
  private readonly maxInitiators: number;
  private readonly maxHandshakes: number;
  private readonly maxPacketSize: number;
  private readonly maxDataOut: number;
  private readonly handshakeTimeoutMs: number;
  private readonly dataChunkSize: number;
  private readonly beforeOperation: (() => Promise<void>) | undefined;
  /** Sessions, by connection number. */
  private readonly initiators = new Map<number, Initiator>();
  /** Half-open initiators, by connection number, oldest first. */
  private readonly handshakes = new Map<number, Handshake>();
  private readonly sockets = new Set<Socket>();

  constructor(options: PtpIpResponderOptions) {
    if (!options || typeof options.backend !== 'object')
      throw new InvalidOptionError('backend', 'PtpIpResponder needs a backend');
    this.backend = options.backend;
    this.guid = options.guid ?? randomBytes(16);
    if (this.guid.length !== 16) throw new InvalidOptionError('guid', 'must be 16 bytes');
    this.name = options.name ?? this.backend.deviceInfo().model;
    this.maxInitiators = intOption(options.maxInitiators, 8, 1, 'maxInitiators');
    this.maxHandshakes = intOption(options.maxHandshakes, 16, 1, 'maxHandshakes');
    this.maxPacketSize = intOption(options.maxPacketSize, 64 * 1024, 64, 'maxPacketSize');
    this.maxDataOut = intOption(options.maxDataOut, 16 * 1024 * 1024, 0, 'maxDataOut');
    this.handshakeTimeoutMs = intOption(options.handshakeTimeoutMs, 5_000, 1, 'handshakeTimeoutMs');
    this.dataChunkSize = intOption(options.dataChunkSize, 1024 * 1024, 1, 'dataChunkSize');
    this.beforeOperation = options.beforeOperation;
    const onConnection = options.onConnection;
    this.server = createServer({ noDelay: true }, (s) => {
      onConnection?.(s);
      this.accept(s);
    });
  }

  /** Listens on host:port (port 0 = a free port) and resolves with the bound address. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Number of sessions (initiators that finished the handshake), for tests and status. */
  get initiatorCount(): number {
    return this.initiators.size;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('error', (e) => debug('socket error: %s', e.message));
    let role: 'unknown' | 'command' | 'event' | 'refused' = 'unknown';
    let handshake: Handshake | undefined;
    let initiator: Initiator | undefined;
    /** Command-connection items that arrived before the event connection: run once it is there. */
    let held: ParsedItem[] = [];
    // One deadline per connection, from accept: a command connection's covers the whole
    // handshake (its event connection included), an event connection's its InitEventRequest.
    const deadline = setTimeout(() => {
      debug('handshake not finished within %d ms (%s connection)', this.handshakeTimeoutMs, role);
      socket.destroy();
    }, this.handshakeTimeoutMs);
    deadline.unref();
    const writer = new PacketWriter(socket);

    const refuse = (reason: number, why: string): void => {
      debug('InitFail(%d): %s', reason, why);
      role = 'refused';
      clearTimeout(deadline);
      socket.end(encodeInitFail(reason));
      socket.destroySoon?.();
      setTimeout(() => socket.destroy(), 1000).unref();
    };

    const parser = new PtpIpParser(
      (item) => {
        if (role === 'refused') return;
        if (role === 'unknown') {
          if (item.kind !== 'packet') return refuse(InitFailReason.Unspecified, 'data before init');
          const p = item.packet;
          if (p.type === PacketType.InitCommandRequest) {
            if (this.initiators.size >= this.maxInitiators)
              return refuse(InitFailReason.Busy, 'every session slot is taken');
            const address = socket.remoteAddress;
            if (address === undefined) return refuse(InitFailReason.Unspecified, 'connection already gone');
            role = 'command';
            const number = this.freeNumber();
            handshake = {
              number,
              address,
              command: socket,
              complete: (event, eventWriter) => {
                clearTimeout(deadline);
                handshake = undefined;
                const init = this.addInitiator(number, socket, event, eventWriter);
                initiator = init;
                const waiting = held;
                held = [];
                for (const i of waiting) if (this.initiators.get(number) === init) this.onCommandItem(init, i, writer);
                socket.resume();
                return init;
              },
            };
            this.addHandshake(handshake);
            debug('initiator %d "%s" from %s: InitCommandAck', handshake.number, p.name, address);
            void writer
              .write(encodeInitCommandAck(handshake.number, this.guid, this.name))
              .catch(() => socket.destroy());
            return;
          }
          if (p.type === PacketType.InitEventRequest) {
            const owner = this.handshakes.get(p.connectionNumber);
            if (!owner || owner.command.destroyed)
              return refuse(
                InitFailReason.RejectedInitiator,
                `no initiator waits for event connection ${p.connectionNumber}`,
              );
            if (owner.address !== socket.remoteAddress) {
              return refuse(
                InitFailReason.RejectedInitiator,
                `event connection ${p.connectionNumber} from ${socket.remoteAddress}, not ${owner.address}`,
              );
            }
            this.handshakes.delete(owner.number);
            if (this.initiators.size >= this.maxInitiators) {
              // Another initiator took the last slot during this one's handshake.
              owner.command.destroy();
              return refuse(InitFailReason.Busy, 'every session slot is taken');
            }
            clearTimeout(deadline);
            role = 'event';
            void writer.write(encodeInitEventAck()).catch(() => socket.destroy());
            initiator = owner.complete(socket, writer);
            debug('initiator %d: InitEventAck, session ready', initiator.number);
            return;
          }
          return refuse(InitFailReason.Unspecified, `packet type ${p.type} before init`);
        }
        if (role === 'command' && !initiator) {
          held.push(item);
          socket.pause();
          return;
        }
        if (!initiator) return;
        if (role === 'event') return this.onEventPacket(initiator, item, writer);
        this.onCommandItem(initiator, item, writer);
      },
      { maxPacketSize: this.maxPacketSize },
    );

    socket.on('data', (chunk: Buffer) => {
      if (role === 'refused') return;
      try {
        parser.push(chunk);
      } catch (e) {
        if (role === 'unknown') refuse(InitFailReason.Unspecified, (e as Error).message);
        else if (initiator) this.drop(initiator, (e as Error).message);
        else socket.destroy();
      }
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      this.sockets.delete(socket);
      if (handshake && this.handshakes.get(handshake.number) === handshake) {
        debug('initiator %d left during its handshake', handshake.number);
        this.handshakes.delete(handshake.number);
      }
      if (initiator) this.drop(initiator, `${role} connection closed`);
    });
  }

  /** A random connection number: nobody can predict the one handed to another initiator. */
  private freeNumber(): number {
    for (;;) {
      const n = randomInt(1, 0x1_0000_0000);
      if (!this.initiators.has(n) && !this.handshakes.has(n)) return n;
    }
  }

  /** Registers a half-open initiator, closing the oldest of the most represented host when full. */
  private addHandshake(h: Handshake): void {
    if (this.handshakes.size >= this.maxHandshakes) {
      const perHost = new Map<string, number>();
      for (const x of this.handshakes.values()) perHost.set(x.address, (perHost.get(x.address) ?? 0) + 1);
      const most = Math.max(...perHost.values());
      // The map keeps insertion order: the first match is that host's oldest.
      const evict = [...this.handshakes.values()].find((x) => perHost.get(x.address) === most) as Handshake;
      debug(
        'initiator %d closed: %d handshakes pending, %d from %s',
        evict.number,
        this.handshakes.size,
        most,
        evict.address,
      );
      this.handshakes.delete(evict.number);
      evict.command.destroy();
    }
    this.handshakes.set(h.number, h);
  }

  private addInitiator(number: number, command: Socket, event: Socket, eventWriter: PacketWriter): Initiator {
    const writer = new PacketWriter(command, { coalesceResponse: true });
    const init: Initiator = {
      number,
      command,
      event,
      eventWriter,
      awaitingData: undefined,
      queue: Promise.resolve(),
      core: undefined as unknown as PtpResponderCore,
    };
    init.core = new PtpResponderCore(this.backend, {
      sendData: (tid, total, chunks, signal) => writer.writeDataPhase(tid, total, chunks, this.dataChunkSize, signal),
      sendResponse: (r) => writer.write(encodeCmdResponse(r.code, r.transactionId, r.params)),
      sendEvent: (e) => {
        init.eventWriter.write(encodeEvent(e.code, e.transactionId, e.params.slice(0, 3))).catch(() => undefined);
      },
    });
    this.initiators.set(number, init);
    return init;
  }

  private drop(initiator: Initiator | undefined, why: string): void {
    if (!initiator || this.initiators.get(initiator.number) !== initiator) return;
    debug('initiator %d dropped: %s', initiator.number, why);
    this.initiators.delete(initiator.number);
    initiator.core.close();
    initiator.command.destroy();
    initiator.event.destroy();
  }

  private onEventPacket(initiator: Initiator, item: ParsedItem, writer: PacketWriter): void {
    if (item.kind === 'packet' && item.packet.type === PacketType.ProbeRequest) {
      void writer.write(encodeProbeResponse()).catch(() => undefined);
      return;
    }
    if (item.kind === 'packet' && item.packet.type === PacketType.ProbeResponse) return;
    this.drop(initiator, `unexpected ${item.kind} on the event connection`);
  }

  private onCommandItem(init: Initiator, item: ParsedItem, writer: PacketWriter): void {
    const fail = (why: string): void => this.drop(init, why);
    const pending = init.awaitingData;
    if (item.kind === 'packet') {
      const p: ControlPacket = item.packet;
      switch (p.type) {
        case PacketType.CmdRequest: {
          if (pending) return fail('command while a data phase was expected');
          if (p.code > 0xffff) return fail('bad opcode');
          const cmd: PtpCommand = {
            code: p.code,
            transactionId: p.transactionId,
            params: p.params,
            direction: p.direction === 2 ? 'out' : 'none-or-in',
          };
          if (cmd.direction === 'out') {
            init.awaitingData = { cmd, total: -1, chunks: [], received: 0, started: false };
            return;
          }
          this.run(init, cmd, undefined);
          return;
        }
        case PacketType.StartData: {
          if (!pending || pending.started || p.transactionId !== pending.cmd.transactionId)
            return fail('unexpected StartData');
          if (p.totalLength > BigInt(this.maxDataOut))
            return fail(new PtpLimitError(`data phase of ${p.totalLength} bytes exceeds maxDataOut`).message);
          pending.total = Number(p.totalLength);
          pending.started = true;
          return;
        }
        case PacketType.Cancel:
          // Cancel of an outgoing phase: forget it; of a running operation: abort it (§2.3.11).
          if (pending && pending.cmd.transactionId === p.transactionId) {
            init.awaitingData = undefined;
            void writer.write(encodeCmdResponse(0x201f, p.transactionId, [])).catch(() => undefined);
          } else init.core.cancel(p.transactionId);
          return;
        case PacketType.ProbeRequest:
          void writer.write(encodeProbeResponse()).catch(() => undefined);
          return;
        default:
          return fail(`unexpected packet type ${p.type} on the command connection`);
      }
    }
    if (!pending || !pending.started) return fail(new PtpProtocolError('data without StartData').message);
    if (item.kind === 'data-header') {
      if (item.transactionId !== pending.cmd.transactionId) return fail('data for another transaction');
      if (pending.received + item.payloadLength > pending.total) return fail('more data than announced');
      return;
    }
    if (item.kind === 'data-chunk') {
      pending.chunks.push(item.chunk);
      pending.received += item.chunk.length;
      return;
    }
    // data-end
    if (item.type === PacketType.EndData) {
      if (pending.received !== pending.total)
        return fail(`EndData after ${pending.received} of ${pending.total} bytes`);
      init.awaitingData = undefined;
      this.run(init, pending.cmd, Buffer.concat(pending.chunks, pending.received));
    }
  }

  private run(init: Initiator, cmd: PtpCommand, dataOut: Uint8Array | undefined): void {
    const before = this.beforeOperation;
    init.queue = init.queue.then(() =>
      (before ? before().then(() => init.core.handle(cmd, dataOut)) : init.core.handle(cmd, dataOut)).catch(
        (e: unknown) => {
          // A write failed mid-phase (initiator gone, or a source broke its length): drop it.
          this.drop(
            init,
            `operation 0x${cmd.code.toString(16)} aborted: ${e instanceof Error ? e.message : String(e)}`,
          );
        },
      ),
    );
  }
}

function intOption(v: number | undefined, dflt: number, min: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min) throw new InvalidOptionError(name, `must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/**
 * The PTP/IP responder's init handshake under hostile initiators, over real loopback sockets
 * (CIPA DC-005: InitCommandRequest → InitCommandAck on the command connection, then a second
 * connection InitEventRequest(connection number) → InitEventAck):
 * - an initiator that does not finish the handshake is closed by the server after the handshake
 *   timeout, and half-open initiators never take a session slot, so a legitimate one gets in;
 * - connection numbers cannot be guessed, and an event connection is accepted only for a number
 *   just handed to an initiator on the same host; anything else gets InitFail(rejected initiator)
 *   and never touches the session the number belongs to.
 */
import { connect, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SequoiaDevice } from '../../src/devices/sequoia/device.js';
import { startSequoiaPtpIp } from '../../src/emulator/sequoia/ptp-face.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import {
  InitFailReason,
  PacketType,
  encodeCmdRequest,
  encodeInitCommandRequest,
  encodeInitEventRequest,
  type ControlPacket,
} from '../../src/ptp/ip/packets.js';
import { PtpIpParser } from '../../src/ptp/ip/parser.js';
import { Op, Resp } from '../../src/ptp/codes.js';

/** A hand-driven PTP/IP connection: the control packets it received, and whether the server closed it. */
interface Raw {
  socket: Socket;
  /** The next control packet received, or undefined when the server closed the connection first. */
  next(): Promise<ControlPacket | undefined>;
  closed: Promise<void>;
}

const open = new Set<Socket>();
afterEach(() => {
  for (const s of open) s.destroy();
  open.clear();
});

function raw(port: number, localAddress = '127.0.0.1'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress, noDelay: true });
    open.add(socket);
    const got: ControlPacket[] = [];
    const waiting: Array<(p: ControlPacket | undefined) => void> = [];
    let ended = false;
    const parser = new PtpIpParser((item) => {
      if (item.kind !== 'packet') return;
      const w = waiting.shift();
      if (w) w(item.packet);
      else got.push(item.packet);
    });
    socket.on('data', (d) => parser.push(d));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) =>
      socket.on('close', () => {
        ended = true;
        for (const w of waiting.splice(0)) w(undefined);
        r();
      }),
    );
    socket.once('connect', () =>
      resolve({
        socket,
        closed,
        next: () =>
          got.length > 0
            ? Promise.resolve(got.shift())
            : ended
              ? Promise.resolve(undefined)
              : new Promise((r) => waiting.push(r)),
      }),
    );
    socket.once('error', reject);
  });
}

const guidOf = (n: number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => (n * 31 + i) & 0xff);

/** Sends InitCommandRequest and returns the connection with the number the responder gave it. */
async function halfOpen(
  port: number,
  guid: Uint8Array,
  localAddress?: string,
): Promise<{ command: Raw; number: number }> {
  const command = await raw(port, localAddress);
  command.socket.write(encodeInitCommandRequest(guid, 'hostile'));
  const ack = await command.next();
  if (ack?.type !== PacketType.InitCommandAck) throw new Error(`expected InitCommandAck, got ${JSON.stringify(ack)}`);
  return { command, number: ack.connectionNumber };
}

/** Opens an event connection for `number`; returns the responder's answer (InitEventAck or InitFail). */
async function eventRequest(
  port: number,
  number: number,
  localAddress?: string,
): Promise<{ event: Raw; reply: ControlPacket | undefined }> {
  const event = await raw(port, localAddress);
  event.socket.write(encodeInitEventRequest(number));
  return { event, reply: await event.next() };
}

/** OpenSession on a hand-driven command connection: OK the first time, SessionAlreadyOpen after. */
async function openSession(command: Raw, tid: number): Promise<number | undefined> {
  command.socket.write(encodeCmdRequest(1, Op.OpenSession, tid, [1]));
  const r = await command.next();
  return r?.type === PacketType.CmdResponse ? r.code : undefined;
}

const refused = { type: PacketType.InitFail, reason: InitFailReason.RejectedInitiator };

describe('PTP/IP handshake against hostile initiators', () => {
  let dir: string;
  let device: SequoiaDevice;
  /** Closes unfinished handshakes quickly, yet leaves a loaded machine time to finish a real one. */
  let quick: Awaited<ReturnType<typeof startSequoiaPtpIp>>;
  /** Never closes them within a test: whatever gets through here did not wait for the timeout. */
  let patient: Awaited<ReturnType<typeof startSequoiaPtpIp>>;
  /** Serves one session at a time, as many cameras do. */
  let single: Awaited<ReturnType<typeof startSequoiaPtpIp>>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'camctl-ptphs-'));
    device = await SequoiaDevice.open({ dataDir: path.join(dir, 'cam') });
    quick = await startSequoiaPtpIp(device, { host: '127.0.0.1', port: 0, handshakeTimeoutMs: 2_000 });
    patient = await startSequoiaPtpIp(device, { host: '127.0.0.1', port: 0, handshakeTimeoutMs: 600_000 });
    single = await startSequoiaPtpIp(device, {
      host: '127.0.0.1',
      port: 0,
      maxInitiators: 1,
      handshakeTimeoutMs: 600_000,
    });
  });
  afterAll(async () => {
    await quick?.close();
    await patient?.close();
    await single?.close();
    await device?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('closes initiators that do not finish the handshake once the handshake timeout passes', async () => {
    const hostile = await Promise.all(Array.from({ length: 10 }, (_, i) => halfOpen(quick.port, guidOf(i))));
    const silent = await raw(quick.port);
    const halfPacket = await raw(quick.port);
    halfPacket.socket.write(encodeInitCommandRequest(guidOf(99), 'slow').subarray(0, 10));
    const acked = await halfOpen(quick.port, guidOf(100));
    const { reply } = await eventRequest(quick.port, acked.number);
    expect(reply).toEqual({ type: PacketType.InitEventAck });
    // The server closes every unfinished one; the finished handshake stays.
    await Promise.all([...hostile.map((h) => h.command.closed), silent.closed, halfPacket.closed]);
    expect(await openSession(acked.command, 0)).toBe(Resp.OK);
    const client = await PtpIpClient.connect({ host: '127.0.0.1', port: quick.port });
    expect((await client.getDeviceInfo()).model).toBe('Sequoia');
    await client.close();
  });

  it('half-open initiators take no session slot: a client gets in at once, however many there are', async () => {
    // Twelve, more than the eight sessions served at once, then fifty more.
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => halfOpen(patient.port, guidOf(i))));
    const a = await PtpIpClient.connect({ host: '127.0.0.1', port: patient.port });
    expect((await a.getDeviceInfo()).model).toBe('Sequoia');
    for (let i = 0; i < 50; i++) await halfOpen(patient.port, guidOf(100 + i));
    const b = await PtpIpClient.connect({ host: '127.0.0.1', port: patient.port });
    expect((await b.getStorageIds()).length).toBeGreaterThan(0);
    expect((await a.getStorageIds()).length).toBeGreaterThan(0);
    await a.close();
    await b.close();
    expect(first).toHaveLength(12);
  });

  it("a flood of half-open initiators from one host closes its own, not another host's handshake", async () => {
    const legit = await halfOpen(patient.port, guidOf(7));
    const flood = [];
    for (let i = 0; i < 40; i++) flood.push(await halfOpen(patient.port, guidOf(200 + i), '127.0.0.2'));
    // The flood's oldest were closed to make room (at most 16 handshakes wait at once).
    await flood[0]!.command.closed;
    const { reply } = await eventRequest(patient.port, legit.number);
    expect(reply).toEqual({ type: PacketType.InitEventAck });
    expect(await openSession(legit.command, 0)).toBe(Resp.OK);
  });

  it('commands sent before the event connection wait for it, then run', async () => {
    const early = await halfOpen(patient.port, guidOf(8));
    early.command.socket.write(encodeCmdRequest(1, Op.OpenSession, 0, [1]));
    const { reply } = await eventRequest(patient.port, early.number);
    expect(reply).toEqual({ type: PacketType.InitEventAck });
    const r = await early.command.next();
    expect(r).toMatchObject({ type: PacketType.CmdResponse, code: Resp.OK, transactionId: 0 });
  });

  it('one session at a time: the second initiator to finish its handshake gets InitFail(busy), the first carries on', async () => {
    const a = await halfOpen(single.port, guidOf(9));
    const b = await halfOpen(single.port, guidOf(10));
    expect((await eventRequest(single.port, a.number)).reply).toEqual({ type: PacketType.InitEventAck });
    const late = await eventRequest(single.port, b.number);
    expect(late.reply).toEqual({ type: PacketType.InitFail, reason: InitFailReason.Busy });
    await Promise.all([late.event.closed, b.command.closed]);
    // A new one is refused at once while the session lasts, and gets in once it has ended.
    const c = await raw(single.port);
    c.socket.write(encodeInitCommandRequest(guidOf(11), 'third'));
    expect(await c.next()).toEqual({ type: PacketType.InitFail, reason: InitFailReason.Busy });
    expect(await openSession(a.command, 0)).toBe(Resp.OK);
    a.command.socket.destroy();
    await a.command.closed;
    let client: PtpIpClient | undefined;
    // The responder sees the close a moment after the initiator: until then it is still busy.
    while (!client) client = await PtpIpClient.connect({ host: '127.0.0.1', port: single.port }).catch(() => undefined);
    expect((await client.getDeviceInfo()).model).toBe('Sequoia');
    await client.close();
  });

  it('hands out connection numbers that are random, non-zero and unique', async () => {
    const numbers: number[] = [];
    for (let i = 0; i < 12; i++) numbers.push((await halfOpen(patient.port, guidOf(i))).number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.every((n) => n !== 0 && n <= 0xffffffff)).toBe(true);
    // Sequential numbers would let one initiator predict the next one's.
    const steps = numbers.slice(1).map((n, i) => n - (numbers[i] as number));
    expect(steps.filter((d) => Math.abs(d) <= 16)).toEqual([]);
  });

  it('refuses a guessed connection number; the initiator it belongs to finishes its handshake and works', async () => {
    const attacker = await halfOpen(patient.port, guidOf(1));
    const victim = await halfOpen(patient.port, guidOf(2));
    for (const guess of [attacker.number + 1, attacker.number + 2, attacker.number - 1, 1, 2, 0, 0xffffffff]) {
      if (guess === attacker.number) continue;
      const { event, reply } = await eventRequest(patient.port, guess >>> 0);
      expect(reply).toEqual(refused);
      await event.closed;
    }
    const { reply } = await eventRequest(patient.port, victim.number);
    expect(reply).toEqual({ type: PacketType.InitEventAck });
    expect(await openSession(victim.command, 0)).toBe(Resp.OK);
    expect(await openSession(victim.command, 1)).toBe(Resp.SessionAlreadyOpen);
  });

  it('refuses the right number from another host, and the initiator it was handed to carries on', async () => {
    const victim = await halfOpen(patient.port, guidOf(3));
    const { event, reply } = await eventRequest(patient.port, victim.number, '127.0.0.2');
    expect(reply).toEqual(refused);
    await event.closed;
    const own = await eventRequest(patient.port, victim.number);
    expect(own.reply).toEqual({ type: PacketType.InitEventAck });
    expect(await openSession(victim.command, 0)).toBe(Resp.OK);
  });

  it('a second event connection for a number, and closing foreign or half-open connections, leave an established session alone', async () => {
    const victim = await PtpIpClient.connect({ host: '127.0.0.1', port: patient.port, guid: guidOf(4) });
    const number = victim.transport.responder.connectionNumber;
    // Another initiator (its own GUID, its own command connection) claims the victim's number.
    const other = await halfOpen(patient.port, guidOf(5));
    const stolen = await eventRequest(patient.port, number);
    expect(stolen.reply).toEqual(refused);
    await stolen.event.closed;
    other.command.socket.destroy();
    await other.command.closed;
    // Even the victim's own GUID on a new command connection does not reach its session.
    const twin = await halfOpen(patient.port, guidOf(4));
    twin.command.socket.destroy();
    await twin.command.closed;
    expect((await victim.getDeviceInfo()).model).toBe('Sequoia');
    expect((await victim.getStorageIds()).length).toBeGreaterThan(0);
    await victim.close();
  });

  it('fast-check: random handshake scripts never reach an established session, and are answered by the spec', async () => {
    const victim = await PtpIpClient.connect({ host: '127.0.0.1', port: patient.port });
    const victimNumber = victim.transport.responder.connectionNumber;
    type Step =
      | { kind: 'command'; guid: number }
      | { kind: 'event'; target: 'victim' | 'own' | 'random'; n: number; remote: '127.0.0.1' | '127.0.0.2' }
      | { kind: 'close'; n: number }
      | { kind: 'garbage'; bytes: Uint8Array };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('command' as const), guid: fc.nat(1000) }),
      fc.record({
        kind: fc.constant('event' as const),
        target: fc.constantFrom('victim' as const, 'own' as const, 'random' as const),
        n: fc.nat(),
        remote: fc.constantFrom('127.0.0.1' as const, '127.0.0.2' as const),
      }),
      fc.record({ kind: fc.constant('close' as const), n: fc.nat() }),
      fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const pending: Array<{ command: Raw; number: number }> = [];
        const sockets: Raw[] = [];
        try {
          for (const s of steps) {
            if (s.kind === 'command') {
              const h = await halfOpen(patient.port, guidOf(s.guid));
              pending.push(h);
              sockets.push(h.command);
            } else if (s.kind === 'event') {
              const own =
                pending.length > 0 && s.target === 'own' ? pending.splice(s.n % pending.length, 1)[0] : undefined;
              const number = own ? own.number : s.target === 'victim' ? victimNumber : (s.n * 2654435761) >>> 0;
              const { event, reply } = await eventRequest(patient.port, number, s.remote);
              sockets.push(event);
              if (own && s.remote === '127.0.0.1') expect(reply).toEqual({ type: PacketType.InitEventAck });
              else {
                expect(reply).toEqual(refused);
                await event.closed;
                if (own) pending.push(own);
              }
            } else if (s.kind === 'close') {
              if (sockets.length === 0) continue;
              const gone = sockets[s.n % sockets.length]!;
              gone.socket.destroy();
              await gone.closed;
              const i = pending.findIndex((p) => p.command === gone);
              if (i >= 0) pending.splice(i, 1);
            } else {
              const g = await raw(patient.port);
              sockets.push(g);
              g.socket.write(s.bytes);
            }
          }
        } finally {
          for (const r of sockets) r.socket.destroy();
        }
        expect((await victim.getStorageIds()).length).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
    await victim.close();
  });
});

/**
 * PTP/IP packet codec, incremental parser (split at every offset, fast-check), and the responder
 * under bad input over real loopback sockets: the responder answers InitFail
 * or closes, stays up, and other initiators' sessions carry on.
 */
import { connect, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SequoiaDevice } from '../../src/devices/sequoia/device.js';
import { startSequoiaPtpIp } from '../../src/emulator/sequoia/ptp-face.js';
import { PtpIpInitError, PtpLimitError, PtpProtocolError } from '../../src/ptp/errors.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import {
  PacketType,
  decodeControlPacket,
  encodeCancel,
  encodeCmdRequest,
  encodeCmdResponse,
  encodeDataHeader,
  encodeEvent,
  encodeInitCommandAck,
  encodeInitCommandRequest,
  encodeInitEventAck,
  encodeInitEventRequest,
  encodeInitFail,
  encodeProbeRequest,
  encodeStartData,
} from '../../src/ptp/ip/packets.js';
import { PtpIpParser, type ParsedItem } from '../../src/ptp/ip/parser.js';
import { Op } from '../../src/ptp/codes.js';
import { splitAt } from './split.js';

const GUID = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

function stream(): Uint8Array {
  const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  return Buffer.concat([
    encodeInitCommandRequest(GUID, 'gphoto2'),
    encodeInitCommandAck(7, GUID, 'Sequoia'),
    encodeInitEventRequest(7),
    encodeInitEventAck(),
    encodeCmdRequest(1, 0x1001, 0, []),
    encodeStartData(0, payload.length),
    encodeDataHeader(PacketType.Data, 0, 100),
    payload.subarray(0, 100),
    encodeDataHeader(PacketType.EndData, 0, 200),
    payload.subarray(100),
    encodeCmdResponse(0x2001, 0, [1, 2, 3, 4, 5]),
    encodeEvent(0x4002, 0xffffffff, [42]),
    encodeCancel(3),
    encodeProbeRequest(),
    encodeInitFail(2),
  ]);
}

/** Normalises parser output: data chunks merged per packet, so any split gives the same list. */
function parseAll(chunks: Uint8Array[]): unknown[] {
  const out: unknown[] = [];
  let data: number[] = [];
  const p = new PtpIpParser((item: ParsedItem) => {
    if (item.kind === 'data-chunk') data.push(...item.chunk);
    else if (item.kind === 'data-end') {
      out.push({ end: item.type, tid: item.transactionId, bytes: Buffer.from(data).toString('hex') });
      data = [];
    } else if (item.kind === 'packet') out.push(item.packet);
  });
  for (const c of chunks) p.push(c);
  expect(p.idle).toBe(true);
  return out;
}

describe('PTP/IP packets and parser', () => {
  it('decodes every packet type it encodes', () => {
    const items = parseAll([stream()]);
    expect(items).toHaveLength(13);
    expect(items[6]).toEqual({
      end: 10,
      tid: 0,
      bytes: Buffer.from(Uint8Array.from({ length: 100 }, (_, i) => i)).toString('hex'),
    });
    expect(items[0]).toEqual({ type: 1, guid: GUID, name: 'gphoto2', version: 0x10000 });
    expect(items[1]).toEqual({ type: 2, connectionNumber: 7, guid: GUID, name: 'Sequoia', version: 0x10000 });
    expect(items[8]).toEqual({ type: 7, code: 0x2001, transactionId: 0, params: [1, 2, 3, 4, 5] });
    expect(items[9]).toEqual({ type: 8, code: 0x4002, transactionId: 0xffffffff, params: [42, 0, 0] });
    expect(items[12]).toEqual({ type: 5, reason: 2 });
  });

  it('gives the same result when the stream is split at every offset (and byte by byte)', () => {
    const all = stream();
    const whole = parseAll([all]);
    for (let cut = 1; cut < all.length; cut++)
      expect(parseAll([all.subarray(0, cut), all.subarray(cut)])).toEqual(whole);
    expect(parseAll([...all].map((b) => Uint8Array.of(b)))).toEqual(whole);
  });

  it('fast-check: random splits give the same packets; random bytes only ever fail with coded errors', () => {
    const all = stream();
    const whole = parseAll([all]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: all.length - 1 }), { maxLength: 20 }), (cuts) => {
        expect(parseAll(splitAt(all, cuts))).toEqual(whole);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const p = new PtpIpParser(() => undefined, { maxPacketSize: 1024 });
        try {
          p.push(bytes);
        } catch (e) {
          expect(e instanceof PtpProtocolError || e instanceof PtpLimitError).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses lying lengths and unknown types', () => {
    const header = (len: number, type: number): Uint8Array => {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(len, 0);
      b.writeUInt32LE(type, 4);
      return b;
    };
    for (const [len, type, err] of [
      [0, 6, PtpProtocolError],
      [7, 6, PtpProtocolError],
      [0xffffffff, 6, PtpLimitError],
      [20, 99, PtpProtocolError],
      [12, 6, PtpProtocolError],
    ] as const) {
      expect(() => new PtpIpParser(() => undefined).push(header(len, type))).toThrow(err);
    }
    expect(() => decodeControlPacket(Buffer.concat([encodeCmdRequest(1, 1, 1, []), Buffer.alloc(2)]))).toThrow(
      PtpProtocolError,
    );
  });
});

describe('PTP/IP responder under bad input', () => {
  let dir: string;
  let device: SequoiaDevice;
  let ptp: Awaited<ReturnType<typeof startSequoiaPtpIp>>;
  let good: PtpIpClient;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'camctl-ptpbad-'));
    device = await SequoiaDevice.open({ dataDir: path.join(dir, 'cam') });
    ptp = await startSequoiaPtpIp(device, { host: '127.0.0.1', port: 0, maxInitiators: 4 });
    good = await PtpIpClient.connect({ host: '127.0.0.1', port: ptp.port });
    // An object big enough that a transfer is still running when its client vanishes.
    await device.medium('internal').ensureFolder('0100');
    await device.medium('internal').writeFile('0100', 'BIG.TIF', Buffer.alloc(32 * 1024 * 1024, 7));
  });
  afterAll(async () => {
    await good?.close();
    await ptp?.close();
    await device?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Sends bytes on a fresh connection and returns everything received until the server closes it. */
  function exchange(bytes: Uint8Array, keepWriting = false): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const s: Socket = connect(ptp.port, '127.0.0.1');
      const got: Buffer[] = [];
      s.on('data', (d) => got.push(d));
      s.on('error', () => undefined);
      s.on('close', () => resolve(Buffer.concat(got)));
      s.write(bytes);
      if (!keepWriting) setTimeout(() => reject(new Error('server did not close the connection')), 8000).unref();
    });
  }
  const initFail = (reason: number): string => Buffer.from(encodeInitFail(reason)).toString('hex');

  it('random bytes, lying lengths, unknown types and commands before init get InitFail and a close', async () => {
    const header = (len: number, type: number): Buffer => {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(len, 0);
      b.writeUInt32LE(type, 4);
      return b;
    };
    const cases = [
      header(0, 1),
      header(7, 1),
      header(0xffffffff, 1),
      header(8, 77),
      encodeCmdRequest(1, Op.GetDeviceInfo, 0, []),
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      encodeDataHeader(PacketType.Data, 0, 0),
    ];
    for (const c of cases) {
      const reply = await exchange(c);
      expect(reply.toString('hex')).toBe(initFail(3));
    }
    expect((await good.getDeviceInfo()).model).toBe('Sequoia');
  });

  it('an InitEventRequest with a wrong connection number is refused', async () => {
    expect((await exchange(encodeInitEventRequest(12345))).toString('hex')).toBe(initFail(1));
  });

  it('more data than announced drops that initiator; the other session carries on', async () => {
    const s = connect(ptp.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    s.on('error', () => undefined);
    const ack = new Promise<Buffer>((r) => s.once('data', r));
    s.write(encodeInitCommandRequest(GUID, 'liar'));
    // The session exists once its event connection is acknowledged (commands before it wait).
    const acked = decodeControlPacket(await ack);
    if (acked.type !== PacketType.InitCommandAck) throw new Error(`expected InitCommandAck, got type ${acked.type}`);
    const ev = connect(ptp.port, '127.0.0.1');
    ev.on('error', () => undefined);
    const evAck = new Promise<Buffer>((r) => ev.once('data', r));
    ev.write(encodeInitEventRequest(acked.connectionNumber));
    expect(decodeControlPacket(await evAck)).toEqual({ type: PacketType.InitEventAck });
    s.write(
      Buffer.concat([
        encodeCmdRequest(1, Op.OpenSession, 0, [1]),
        encodeCmdRequest(2, Op.SetDevicePropValue, 1, [0x5003]),
        encodeStartData(1, 4),
        encodeDataHeader(PacketType.EndData, 1, 10),
        Buffer.alloc(10),
      ]),
    );
    await Promise.all([closed, new Promise((r) => ev.on('close', r))]);
    expect((await good.getStorageIds()).length).toBeGreaterThan(0);
  });

  it('a client vanishing mid-transfer leaves the responder serving others', async () => {
    const victim = await PtpIpClient.connect({ host: '127.0.0.1', port: ptp.port });
    const info = await Promise.all(
      (await victim.getObjectHandles(0x00010001, 0, 0)).map(async (h) => [h, await victim.getObjectInfo(h)] as const),
    );
    const big = info.find(([, i]) => i.filename === 'BIG.TIF')![0];
    const transfer = victim.downloadObject(big, path.join(dir, 'big.tif'), {
      onProgress: (d) => {
        if (d > 1024 * 1024) victim.transport['command'].destroy();
      },
    });
    await expect(transfer).rejects.toThrow();
    expect((await good.getDeviceInfo()).model).toBe('Sequoia');
    const again = await PtpIpClient.connect({ host: '127.0.0.1', port: ptp.port });
    expect((await again.getStorageIds()).length).toBeGreaterThan(0);
    await again.close();
  });

  it('beyond maxInitiators a new initiator gets InitFail(Busy)', async () => {
    const extra: PtpIpClient[] = [];
    let refused: unknown;
    for (let i = 0; i < 5 && !refused; i++) {
      try {
        extra.push(await PtpIpClient.connect({ host: '127.0.0.1', port: ptp.port }));
      } catch (e) {
        refused = e;
      }
    }
    expect(refused).toBeInstanceOf(PtpIpInitError);
    expect((refused as PtpIpInitError).reason).toBe(2);
    for (const c of extra) await c.close();
    expect((await good.getDeviceInfo()).model).toBe('Sequoia');
  });

  it('several initiators each have their own session', async () => {
    const a = await PtpIpClient.connect({ host: '127.0.0.1', port: ptp.port });
    const b = await PtpIpClient.connect({ host: '127.0.0.1', port: ptp.port });
    await a.session.closeSession();
    await expect(a.getStorageIds()).rejects.toMatchObject({ responseCode: 0x2003 });
    expect((await b.getStorageIds()).length).toBeGreaterThan(0);
    await a.close();
    await b.close();
  });
});

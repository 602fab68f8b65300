/**
 * How the PTP/IP responder's packets reach the socket (for throughput): a data phase and
 * the CmdResponse written right after it leave in ONE writev, and the hold never outlives the
 * current tick — a response that comes later does not delay the data.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PacketWriter } from '../../src/ptp/ip/packet-writer.js';
import { PacketType, encodeCmdResponse, encodeDataHeader, encodeStartData } from '../../src/ptp/ip/packets.js';
import { waitFor } from '../helpers/wait-for.js';

interface Pair {
  server: Server;
  local: Socket;
  remote: Socket;
  /** Every call that handed bytes to the kernel on `local`: the byte lengths of its buffers. */
  calls: number[][];
  received: () => Buffer;
}

let open: Pair | undefined;
afterEach(async () => {
  open?.local.destroy();
  open?.remote.destroy();
  await new Promise<void>((r) => (open ? open.server.close(() => r()) : r()));
  open = undefined;
});

async function pair(): Promise<Pair> {
  const accepted = new Promise<Socket>((resolve) => {
    const server = createServer({ noDelay: true }, resolve);
    server.listen(0, '127.0.0.1');
    open = { server } as Pair;
  });
  await new Promise<void>((r) => (open!.server.listening ? r() : open!.server.once('listening', () => r())));
  const port = (open!.server.address() as { port: number }).port;
  const remote = connect(port, '127.0.0.1');
  const local = await accepted;
  const got: Buffer[] = [];
  remote.on('data', (d: Buffer) => got.push(d));
  const calls: number[][] = [];
  // Spy on this socket only: _writev (corked batches) and _write (single buffers).
  const s = local as unknown as {
    _writev: (chunks: Array<{ chunk: Buffer }>, cb: (e?: Error) => void) => void;
    _write: (chunk: Buffer, enc: string, cb: (e?: Error) => void) => void;
  };
  const writev = s._writev.bind(local);
  const write = s._write.bind(local);
  s._writev = (chunks, cb) => {
    calls.push(chunks.map((c) => c.chunk.length));
    writev(chunks, cb);
  };
  s._write = (chunk, enc, cb) => {
    calls.push([chunk.length]);
    write(chunk, enc, cb);
  };
  open = { server: open!.server, local, remote, calls, received: () => Buffer.concat(got) };
  return open;
}

describe('PacketWriter write pattern', () => {
  it('with coalesceResponse, a data phase and the response written after it leave in one writev', async () => {
    const p = await pair();
    const w = new PacketWriter(p.local, { coalesceResponse: true });
    const payload = Buffer.alloc(3000, 0xab);
    const response = encodeCmdResponse(0x2001, 5, [payload.length]);
    // As PtpResponderCore does it: the response follows the data phase's promise.
    await (async () => {
      await w.writeDataPhase(5, payload.length, payload, 1024 * 1024);
      await Promise.resolve();
      await w.write(response);
    })();
    const expected = Buffer.concat([
      encodeStartData(5, payload.length),
      encodeDataHeader(PacketType.EndData, 5, payload.length),
      payload,
      response,
    ]);
    await waitFor(() => p.received().length === expected.length, 'every packet');
    expect(p.received().equals(expected)).toBe(true);
    expect(p.calls).toEqual([[20, 12, 3000, response.length]]);
  });

  it('the data is not held past the current tick when no response follows', async () => {
    const p = await pair();
    const w = new PacketWriter(p.local, { coalesceResponse: true });
    const payload = Buffer.alloc(100, 1);
    await w.writeDataPhase(9, payload.length, payload, 1024 * 1024);
    await new Promise((r) => setImmediate(r));
    expect(p.calls).toEqual([[20, 12, 100]]);
    const later = encodeCmdResponse(0x2001, 9, []);
    await new Promise((r) => setTimeout(r, 20));
    await w.write(later);
    await waitFor(() => p.received().length === 20 + 12 + 100 + later.length, 'the later packets');
    expect(p.calls).toEqual([[20, 12, 100], [later.length]]);
  });

  it('a multi-packet phase still ends with the response in the same writev as the last packet', async () => {
    const p = await pair();
    const w = new PacketWriter(p.local, { coalesceResponse: true });
    const payload = Buffer.alloc(2500, 2);
    const response = encodeCmdResponse(0x2001, 3, []);
    await w.writeDataPhase(3, payload.length, payload, 1000);
    await w.write(response);
    await waitFor(() => p.received().length === 20 + 3 * 12 + 2500 + response.length, 'the response');
    expect(p.calls.at(-1)).toEqual([12, 500, response.length]);
  });

  it('without the option every unit goes out at once (the initiator side)', async () => {
    const p = await pair();
    const w = new PacketWriter(p.local);
    const payload = Buffer.alloc(64, 3);
    await w.writeDataPhase(1, payload.length, payload, 1024);
    expect(p.calls).toEqual([[20, 12, 64]]);
  });
});

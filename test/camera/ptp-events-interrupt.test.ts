/**
 * Stopping `events()` over PTP/IP while the camera is being asked about an event (the value of a
 * changed property, the name of an added object) ends the stream quietly, as an abort anywhere
 * else does. It once surfaced as `ABORTED: PTP operation aborted`, which `watch --json` printed as
 * an error line after Ctrl-C.
 *
 * A loopback relay between client and emulator aborts the moment the client's
 * GetDevicePropDesc request (ISO 15740 operation 0x1014) passes, so the abort always lands while
 * that transaction is in flight.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openCamera } from '../../src/camera/open.js';
import type { CameraEvent } from '../../src/camera/types.js';
import { startSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const OPERATION_REQUEST = 6; // PTP/IP packet type
const GET_DEVICE_PROP_DESC = 0x1014;

/** Relays TCP to `target`; calls `onOperation(code)` for every PTP/IP OperationRequest the client sends. */
async function relay(target: string, onOperation: (code: number) => void): Promise<{ port: number; close(): void }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const camera = net.connect(port, host);
    sockets.add(client).add(camera);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8 && pending.length >= pending.readUInt32LE(0)) {
        const length = pending.readUInt32LE(0);
        if (pending.readUInt32LE(4) === OPERATION_REQUEST) onOperation(pending.readUInt16LE(12));
        camera.write(pending.subarray(0, length));
        pending = pending.subarray(length);
      }
    });
    camera.pipe(client);
    const end = (): void => {
      client.destroy();
      camera.destroy();
    };
    client.on('error', end).on('close', end);
    camera.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

it('an abort while an event is being looked up ends events() without an error', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'camctl-evabort-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const emu = await startSequoiaEmulator({ dataDir, httpPort: 0, ptpipPort: 0 });
  cleanups.push(() => emu.close());
  const ac = new AbortController();
  let armed = false;
  let abortedInFlight = false;
  const proxy = await relay(emu.ptpip!, (code) => {
    if (armed && code === GET_DEVICE_PROP_DESC) {
      abortedInFlight = true;
      ac.abort(new Error('interrupted by SIGINT'));
    }
  });
  cleanups.push(() => proxy.close());
  const camera = await openCamera(`ptpip://127.0.0.1:${proxy.port}`);
  cleanups.push(() => camera.close());

  const seen: CameraEvent[] = [];
  const iterator = camera.events({ signal: ac.signal, reconnect: false })[Symbol.asyncIterator]();
  const first = iterator.next(); // subscribes and learns the folders, then waits for news
  // Changes until the stream is asking about one of them (the relay then aborts).
  armed = true;
  let mask = 1;
  const changing = setInterval(() => emu.device.setConfig({ sensors_mask: (mask = mask === 1 ? 3 : 1) }), 20);
  cleanups.push(() => clearInterval(changing));
  let result = await first;
  while (!result.done) {
    seen.push(result.value);
    if (seen.length > 100) throw new Error('the relay never saw the camera asked about a change');
    result = await iterator.next();
  }
  expect(abortedInFlight).toBe(true);
  expect(result.done).toBe(true);
});

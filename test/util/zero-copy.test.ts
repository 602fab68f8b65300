/**
 * The sendfile(2) addon over real loopback sockets: exact bytes for ranges and for data queued
 * before it, a file shorter than asked, a client that leaves mid-transfer, and cancel. Under
 * CI=true the addon must have been built (`npm ci` → the install script → scripts/build-native.mjs, node-gyp).
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canSendFileToSocket,
  sendFileToSocket,
  zeroCopyUnavailableReason,
  ZeroCopyError,
} from '../../src/util/zero-copy.js';
import { requireTool, tempDir } from '../helpers/tmp.js';

const available = requireTool(
  zeroCopyUnavailableReason === undefined,
  `the sendfile addon (${zeroCopyUnavailableReason ?? ''})`,
);

/** A loopback connection: `server` is our side (the one that sends), `client` the peer. */
async function connectedPair(): Promise<{ server: net.Socket; client: net.Socket; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  listener.close();
  return { server, client, close: () => (server.destroy(), client.destroy()) };
}

function receive(client: net.Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    client.on('data', (d: Buffer) => {
      parts.push(d);
      n += d.length;
      if (n >= bytes) resolve(Buffer.concat(parts));
    });
    client.once('error', reject);
  });
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!available)('sendfile addon (zero-copy downloads)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  const content = randomBytes(24 * 1024 * 1024 + 123); // larger than a loopback socket buffer: EAGAIN + poll happen

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('camctl-zerocopy-'));
    file = path.join(dir, 'big.bin');
    await writeFile(file, content);
  });
  afterAll(() => cleanup());

  it('sends a whole file, after what was written to the socket before', async () => {
    const { server, client, close } = await connectedPair();
    const handle = await open(file, 'r');
    try {
      expect(canSendFileToSocket(server)).toBe(true);
      const got = receive(client, 5 + content.length);
      server.write('HEAD:');
      await sendFileToSocket(server, handle, 0, content.length);
      const bytes = await got;
      expect(bytes.subarray(0, 5).toString()).toBe('HEAD:');
      expect(sha(bytes.subarray(5))).toBe(sha(content));
    } finally {
      await handle.close();
      close();
    }
  });

  it('sends a range from an offset', async () => {
    const { server, client, close } = await connectedPair();
    const handle = await open(file, 'r');
    try {
      const got = receive(client, 1_000_000);
      await sendFileToSocket(server, handle, 3_333_333, 1_000_000);
      expect(sha(await got)).toBe(sha(content.subarray(3_333_333, 4_333_333)));
    } finally {
      await handle.close();
      close();
    }
  });

  it('rejects with FILE_ENDED when the file is shorter than asked', async () => {
    const { server, client, close } = await connectedPair();
    client.resume();
    const handle = await open(file, 'r');
    try {
      const err = await sendFileToSocket(server, handle, content.length - 10, 100).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZeroCopyError);
      expect((err as ZeroCopyError).reason).toBe('FILE_ENDED');
      expect((err as ZeroCopyError).bytesSent).toBe(10);
    } finally {
      await handle.close();
      close();
    }
  });

  it('rejects promptly when the client leaves mid-transfer', async () => {
    const { server, client, close } = await connectedPair();
    server.on('error', () => undefined);
    const handle = await open(file, 'r');
    try {
      // The client reads nothing and goes away: the socket buffer fills, then the peer resets.
      setTimeout(() => client.resetAndDestroy(), 50);
      const err = await sendFileToSocket(server, handle, 0, content.length).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZeroCopyError);
      expect(['EPIPE', 'ECONNRESET']).toContain((err as ZeroCopyError).reason);
      expect((err as ZeroCopyError).bytesSent).toBeLessThan(content.length);
    } finally {
      await handle.close();
      close();
    }
  });

  it('stops on abort while the client is not reading', async () => {
    const { server, close } = await connectedPair();
    const handle = await open(file, 'r');
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const err = await sendFileToSocket(server, handle, 0, content.length, ac.signal).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZeroCopyError);
      expect((err as ZeroCopyError).reason).toBe('ECANCELED');
    } finally {
      await handle.close();
      close();
    }
  });
});

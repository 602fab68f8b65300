/** WebSocket clients for limit tests, on raw sockets (the `ws` client always reads). */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { expect } from 'vitest';

/** A WebSocket client on a raw socket that, once the handshake is done, never reads again. */
export async function nonReadingClient(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ socket: net.Socket; readRest(): Promise<Buffer> }> {
  const { hostname, port, pathname } = new URL(url);
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let head = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        socket.pause();
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  const afterHead = head.subarray(head.indexOf('\r\n\r\n') + 4);
  return {
    socket,
    /** Reads what the server queued, up to and including its close frame; returns the close frame's payload. */
    readRest: () =>
      new Promise((resolve, reject) => {
        let buf = afterHead;
        const scan = () => {
          // Server frames are unmasked: opcode byte, length byte (126 → 16-bit, 127 → 64-bit length).
          let at = 0;
          while (buf.length - at >= 2) {
            const opcode = buf[at]! & 0x0f;
            let len = buf[at + 1]! & 0x7f;
            let headLen = 2;
            if (len === 126) {
              if (buf.length - at < 4) break;
              len = buf.readUInt16BE(at + 2);
              headLen = 4;
            } else if (len === 127) {
              if (buf.length - at < 10) break;
              len = Number(buf.readBigUInt64BE(at + 2));
              headLen = 10;
            }
            if (buf.length - at < headLen + len) break;
            if (opcode === 0x8) {
              socket.off('data', onData);
              resolve(buf.subarray(at + headLen, at + headLen + len));
              return;
            }
            at += headLen + len;
          }
          buf = buf.subarray(at);
        };
        const onData = (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          scan();
        };
        socket.on('data', onData);
        socket.once('error', reject);
        socket.once('end', () => reject(new Error('connection ended without a close frame')));
        socket.resume();
        scan();
      }),
  };
}

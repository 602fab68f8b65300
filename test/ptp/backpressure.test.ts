/**
 * Backpressure over PTP/IP (docs/architecture.md "Backpressure both ways"): while the data sink is busy the
 * initiator stops reading the socket, so a 64 MiB GetObject into a stalled sink delivers only a
 * few MiB (what one socket read and the kernel buffers hold), and finishes byte-exact once the
 * sink drains.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SequoiaDevice } from '../../src/devices/sequoia/device.js';
import { startSequoiaPtpIp } from '../../src/emulator/sequoia/ptp-face.js';
import { Format, Op } from '../../src/ptp/codes.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';

const SIZE = 64 * 1024 * 1024;
let dir: string;
let device: SequoiaDevice;
let ptp: Awaited<ReturnType<typeof startSequoiaPtpIp>>;
let content: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-ptp-bp-'));
  device = await SequoiaDevice.open({ dataDir: path.join(dir, 'cam') });
  const folder = path.join(dir, 'cam', 'media', 'internal', '0000');
  await mkdir(folder, { recursive: true });
  content = randomBytes(SIZE);
  await writeFile(path.join(folder, 'IMG_180413_080658_0000_NIR.TIF'), content);
  ptp = await startSequoiaPtpIp(device, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await ptp?.close();
  await device?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('PTP/IP initiator backpressure', () => {
  it('stops reading while the sink is busy and resumes byte-exact', async () => {
    const client = await PtpIpClient.connect({ host: '127.0.0.1', port: ptp.port, dataTimeoutMs: 30_000 });
    try {
      const [handle] = await client.getObjectHandles(0x00010001, Format.TIFF, 0);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const chunks: Buffer[] = [];
      let received = 0;
      const sink = {
        write: (chunk: Uint8Array): void | Promise<void> => {
          chunks.push(Buffer.from(chunk));
          received += chunk.length;
          // The first chunk stalls until released: nothing more may be read meanwhile.
          if (chunks.length === 1) return gate;
        },
      };
      const done = client.session.transaction(Op.GetObject, [handle as number], { dataIn: sink });
      await new Promise((r) => setTimeout(r, 500));
      const whileStalled = received;
      expect(whileStalled).toBeGreaterThan(0);
      expect(whileStalled).toBeLessThanOrEqual(4 * 1024 * 1024);
      release();
      await done;
      expect(received).toBe(SIZE);
      expect(Buffer.concat(chunks).equals(content)).toBe(true);
    } finally {
      await client.close();
    }
  });
});

/**
 * The emulated radio link (link.ts) in front of a file download: a client that reads slower than
 * the link (it is busy uploading what it got, say) must still receive the file's exact bytes. The
 * file is read into a few reused buffers (send-file.ts), so the link must not acknowledge a write
 * while the bytes it holds are still on their way to the socket.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanup, startEmu } from '../cli/helpers.js';

afterEach(cleanup);

it('a slow reader downloads the exact bytes of a large file through the link-limited emulator', async () => {
  const { camera, dataDir } = await startEmu({ bandwidthBytesPerSec: 40_000_000 });
  const dir = path.join(dataDir, 'media', 'internal', '0901');
  await mkdir(dir, { recursive: true });
  const data = randomBytes(24 * 1024 * 1024);
  await writeFile(path.join(dir, 'BIG.MP4'), data);
  const url = `http://${camera.slice('sequoia://'.length)}/download/internal/0901/BIG.MP4`;
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    http
      .get(url, (res) => {
        expect(res.statusCode).toBe(200);
        // Read a little, then stall a while, as an uploader waiting on its store does.
        res.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          res.pause();
          setTimeout(() => res.resume(), 2);
        });
        res.on('end', resolve);
        res.on('error', reject);
      })
      .on('error', reject);
  });
  expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
});

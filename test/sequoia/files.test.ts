/**
 * Listing, downloading (Range resume, streamed zip) and deleting, and every path-taking route
 * against traversal: a canary file beside the data dir must never be read, listed or deleted.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';
import { tempDir } from '../helpers/tmp.js';

let cam: TestSequoia;
let root: { dir: string; cleanup: () => Promise<void> };
let files: Record<string, number>;
const CANARY = 'canary: must never leave the machine';

beforeAll(async () => {
  root = await tempDir('camctl-files-');
  const dataDir = path.join(root.dir, 'data');
  await fs.mkdir(dataDir);
  await fs.writeFile(path.join(root.dir, 'canary.txt'), CANARY);
  cam = await startTestSequoia({}, dataDir);
  await cam.post('/config', { sensors_mask: 30, resolution_mono: 0.3 });
  await cam.get('/capture/start');
  await cam.device.whenSessionEnds();
  await cam.get('/capture/start');
  await cam.device.whenSessionEnds();
  const body = (await cam.get('/file/internal/0000')).body;
  delete body.request;
  files = body;
  // A symlink planted inside the media root that leads out of it.
  await fs.symlink(path.join(root.dir, 'canary.txt'), path.join(dataDir, 'media', 'internal', '0000', 'IMG_LINK.TIF'));
  await fs.symlink(root.dir, path.join(dataDir, 'media', 'internal', '9999'));
});

afterAll(async () => {
  await cam.stop();
  await root.cleanup();
});

/** Sends a raw request line, so no client library normalises the path for us. */
async function raw(p: string): Promise<{ status: number; text: string }> {
  const u = new URL(cam.url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () =>
      s.write(`GET ${p} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`),
    );
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(text.split(' ')[1]), text });
    });
    s.on('error', reject);
  });
}

describe('listing', () => {
  it('/file: GB used per medium; /file/<m>: pictures per folder; /file/<m>/<f>: bytes per file', async () => {
    const all = (await cam.get('/file')).body;
    expect(all['/internal']).toBeGreaterThan(0);
    expect(all['/sd']).toBe(0);
    expect((await cam.get('/file/internal')).body).toMatchObject({
      request: 'file_info',
      '/internal/0000': 4,
      '/internal/0001': 4,
    });
    for (const [name, size] of Object.entries(files)) {
      expect(name).toMatch(/^\/internal\/0000\/IMG_\d{6}_\d{6}_0000_(GRE|RED|REG|NIR)\.TIF$/);
      expect(size).toBeGreaterThan(600_000);
    }
  });

  it('/storage free space follows the real files', async () => {
    const s = (await cam.get('/storage')).body;
    const used = s.internal.total - s.internal.free;
    const onDisk = Object.values(files).reduce((a, b) => a + b, 0) * 2;
    expect(used * 1024).toBeGreaterThanOrEqual(onDisk);
  });
});

describe('download', () => {
  it('streams the file with Content-Length; Range resumes (206) and bad ranges are 416', async () => {
    const [name, size] = Object.entries(files)[0]!;
    const onDisk = await fs.readFile(path.join(cam.dataDir, 'media', name));
    const full = await fetch(`${cam.url}/download${name}`);
    expect(full.status).toBe(200);
    expect(Number(full.headers.get('content-length'))).toBe(size);
    expect(full.headers.get('content-type')).toBe('image/tiff');
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await full.arrayBuffer()).equals(onDisk)).toBe(true);

    const part = await fetch(`${cam.url}/download${name}`, { headers: { range: `bytes=1000-` } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-${size - 1}/${size}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(onDisk.subarray(1000))).toBe(true);

    const suffix = await fetch(`${cam.url}/download${name}`, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(onDisk.subarray(size - 10))).toBe(true);

    // If-Range: the rest only while the file is the same version; otherwise the whole file.
    const etag = full.headers.get('etag')!;
    const same = await fetch(`${cam.url}/download${name}`, { headers: { range: 'bytes=10-', 'if-range': etag } });
    expect(same.status).toBe(206);
    await same.arrayBuffer();
    const sameDate = await fetch(`${cam.url}/download${name}`, {
      headers: { range: 'bytes=10-', 'if-range': full.headers.get('last-modified')! },
    });
    expect(sameDate.status).toBe(206);
    await sameDate.arrayBuffer();
    const changed = await fetch(`${cam.url}/download${name}`, { headers: { range: 'bytes=10-', 'if-range': '"0-0"' } });
    expect(changed.status).toBe(200);
    expect(Buffer.from(await changed.arrayBuffer()).equals(onDisk)).toBe(true);

    const bad = await fetch(`${cam.url}/download${name}`, { headers: { range: `bytes=${size}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${size}`);
    await bad.text();
  });

  it('back to back on one keep-alive connection, every file arrives whole (each next request comes before the previous response has ended)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const get = (p: string) =>
      new Promise<Buffer>((resolve, reject) => {
        http
          .get(`${cam.url}${p}`, { agent }, (res) => {
            sockets.add(res.socket);
            const parts: Buffer[] = [];
            res.on('data', (d: Buffer) => parts.push(d));
            res.on('end', () =>
              res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`HTTP ${res.statusCode}`)),
            );
            res.on('error', reject);
          })
          .on('error', reject);
      });
    try {
      for (let round = 0; round < 3; round++) {
        for (const name of Object.keys(files)) {
          expect((await get(`/download${name}`)).equals(await fs.readFile(path.join(cam.dataDir, 'media', name)))).toBe(
            true,
          );
        }
        const zip = await get('/download/internal/0000');
        expect(zip.readUInt32LE(0)).toBe(0x04034b50);
      }
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  /** Downloads a folder's zip and returns its entries, checking length, type and every CRC. */
  async function zipEntries(folder: string): Promise<Map<string, Buffer>> {
    const r = await fetch(`${cam.url}/download/internal/${folder}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    const buf = Buffer.from(await r.arrayBuffer());
    expect(Number(r.headers.get('content-length'))).toBe(buf.length);
    const entries = await new Promise<Map<string, { data: Buffer; crc: number }>>((resolve, reject) => {
      const out = new Map<string, { data: Buffer; crc: number }>();
      yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
        if (err || !zip) return reject(err);
        zip.readEntry();
        zip.on('entry', (e: yauzl.Entry) => {
          zip.openReadStream(e, (err2, stream) => {
            if (err2 || !stream) return reject(err2);
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('end', () => {
              out.set(e.fileName, { data: Buffer.concat(chunks), crc: e.crc32 });
              zip.readEntry();
            });
          });
        });
        zip.on('end', () => resolve(out));
      });
    });
    const data = new Map<string, Buffer>();
    for (const [name, { data: bytes, crc }] of entries) {
      expect(crc).toBe(zlib.crc32(bytes));
      data.set(name, bytes);
    }
    return data;
  }

  it('a folder downloads as a streamed zip holding exactly its files, byte for byte, with right CRCs (known from the capture)', async () => {
    for (let round = 0; round < 2; round++) {
      const entries = await zipEntries('0000');
      // The symlink leading outside is not a regular file of the folder: not in the zip.
      expect([...entries.keys()].sort()).toEqual(
        Object.keys(files)
          .map((f) => `0000/${path.basename(f)}`)
          .sort(),
      );
      for (const [name, data] of entries) {
        expect(data.equals(await fs.readFile(path.join(cam.dataDir, 'media', 'internal', name)))).toBe(true);
      }
    }
  });

  it('files put on the card by hand: CRCs computed while zipping, then remembered (the second zip is the same)', async () => {
    const dir = path.join(cam.dataDir, 'media', 'internal', '0042');
    await fs.mkdir(dir);
    const written = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) {
      const bytes = randomBytes(700_000 + i * 333);
      written.set(`0042/IMG_000000_000000_000${i}_NIR.TIF`, bytes);
      await fs.writeFile(path.join(cam.dataDir, 'media', 'internal', `0042/IMG_000000_000000_000${i}_NIR.TIF`), bytes);
    }
    try {
      for (let round = 0; round < 2; round++) {
        const entries = await zipEntries('0042');
        expect([...entries.keys()].sort()).toEqual([...written.keys()].sort());
        for (const [name, data] of entries) expect(data.equals(written.get(name)!)).toBe(true);
      }
    } finally {
      await fs.rm(dir, { recursive: true });
    }
  });
});

describe('traversal and bad paths never reach outside the media', () => {
  const attempts = [
    '/download/internal/0000/..%2f..%2f..%2fcanary.txt',
    '/download/internal/../../canary.txt',
    '/download/internal/%2e%2e/%2e%2e/canary.txt',
    '/download/internal/0000/%2e%2e%2f%2e%2e%2fcanary.txt',
    '/download/internal/0000/..%5c..%5ccanary.txt',
    '/download/internal/0000/IMG_LINK.TIF',
    '/download/internal/9999/canary.txt',
    '/download/internal/0000/%00canary.txt',
    '/download//etc/passwd',
    '/download/%2fetc%2fpasswd',
    '/file/internal/..%2f..',
    '/file/internal/9999',
    '/file/..%2f..',
    '/download/internal/9999',
  ];
  it.each(attempts)('%s → 4xx JSON, canary untouched', async (p) => {
    const r = await raw(p);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text).not.toContain('canary: must never');
    expect(r.text).toMatch(/application\/json/);
  });

  const deletes = [
    '/delete/internal/0000/..%2f..%2f..%2fcanary.txt',
    '/delete/internal/..%2f..%2f..',
    '/delete/internal/9999',
    '/delete/internal/9999/canary.txt',
    '/delete/internal/0000/IMG_LINK.TIF',
    '/delete/%2e%2e/data',
    '/delete/internal',
  ];
  it.each(deletes)('%s deletes nothing outside', async (p) => {
    const r = await raw(p);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(await fs.readFile(path.join(root.dir, 'canary.txt'), 'utf8')).toBe(CANARY);
    expect(await fs.readdir(root.dir)).toContain('data');
  });
});

describe('delete', () => {
  it('a file, then a folder; replies keyed by the deleted path; gone from listings', async () => {
    const name = Object.keys(files)[0]!;
    const r = await cam.get(`/delete${name}`);
    expect(r.body).toEqual({ [name]: 'deleted' });
    expect((await cam.get('/file/internal')).body['/internal/0000']).toBe(3);
    expect((await cam.get(`/delete${name}`)).status).toBe(404);
    const f = await cam.get('/delete/internal/0001');
    expect(f.body).toEqual({ '/internal/0001': 'deleted' });
    expect((await cam.get('/file/internal')).body['/internal/0001']).toBeUndefined();
    expect((await cam.get('/download/internal/0001')).status).toBe(404);
  });
});

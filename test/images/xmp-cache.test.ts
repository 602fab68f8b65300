/** The XMP packet writer and the on-disk tile cache. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import ExifReader from 'exifreader';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheKey, cached } from '../../src/devices/images/tile-cache.js';
import { encodeCameraXmp } from '../../src/devices/images/xmp.js';

describe('encodeCameraXmp', () => {
  const packet = () =>
    encodeCameraXmp({
      attributes: [
        ['RigName', 'Sequoia'],
        ['Note', 'a "quoted" <value> & more'],
      ],
      sequences: [['BandName', ['Red', 'Green', 'Blue']]],
      blobs: [['IrradianceList', 'AAAA']],
      padTo: 4096,
    });

  it('pads to the fixed size with the camera’s trailer and NUL', () => {
    const x = packet();
    expect(x.length).toBe(4096);
    expect(x.toString('latin1', 4096 - 20)).toBe('<?xpacket end="w"?>\0');
  });

  it('is valid XMP: exifreader reads attributes (escaped), sequences and blobs', () => {
    const jpeg = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe1]),
      Buffer.from([(4096 + 31) >> 8, (4096 + 31) & 0xff]),
      Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'),
      packet(),
      Buffer.from([0xff, 0xd9]),
    ]);
    const xmp = ExifReader.load(jpeg, { expanded: true }).xmp as Record<string, { description: string }>;
    expect(xmp['RigName']?.description).toBe('Sequoia');
    expect(xmp['Note']?.description).toBe('a "quoted" <value> & more');
    expect(xmp['BandName']?.description).toBe('Red, Green, Blue');
    expect(xmp['IrradianceList']?.description.trim()).toBe('AAAA');
  });

  it('grows by whole pad sizes when the content does not fit', () => {
    const x = encodeCameraXmp({ attributes: [], sequences: [], blobs: [['Big', 'A'.repeat(5000)]], padTo: 4096 });
    expect(x.length).toBe(8192);
  });
});

describe('tile cache', () => {
  let dir: string | undefined;
  afterEach(async () => {
    delete process.env['CAMCTL_CACHE_DIR'];
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const codec = [
    (s: string) => Buffer.from(s),
    (b: Buffer) => {
      const s = b.toString();
      if (!s.startsWith('ok:')) throw new Error('bad entry');
      return s;
    },
  ] as const;

  it('builds once, then serves from disk; a corrupt entry is rebuilt', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'camctl-cache-test-'));
    process.env['CAMCTL_CACHE_DIR'] = dir;
    let builds = 0;
    const build = async () => `ok:${++builds}`;
    const key = cacheKey(['v1', 1280, new Uint8Array([1, 2, 3])]);
    expect(await cached('t', key, build, ...codec)).toBe('ok:1');
    expect(await cached('t', key, build, ...codec)).toBe('ok:1');
    expect(builds).toBe(1);
    const [file] = (await readdir(dir)).filter((f) => f.endsWith('.bin'));
    await writeFile(path.join(dir, file!), 'garbage');
    expect(await cached('t', key, build, ...codec)).toBe('ok:2');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('CAMCTL_CACHE_DIR=off always builds', async () => {
    process.env['CAMCTL_CACHE_DIR'] = 'off';
    let builds = 0;
    const build = async () => `ok:${++builds}`;
    await cached('t', 'k', build, ...codec);
    await cached('t', 'k', build, ...codec);
    expect(builds).toBe(2);
  });

  it('keys differ when any part differs', () => {
    expect(cacheKey([1, 'a'])).not.toBe(cacheKey([1, 'b']));
    expect(cacheKey(['1a'])).not.toBe(cacheKey(['1', 'a']));
  });
});

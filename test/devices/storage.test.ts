/**
 * The media store's promises: confinement (names and symlinks), atomic writes that never leave a
 * partial file under its final name, and usage that follows the real files.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaStorage, StorageError, checkName } from '../../src/devices/storage.js';
import { tempDir } from '../helpers/tmp.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('checkName', () => {
  it.each(['..', '.', '', '.hidden', 'a/b', 'a\\b', 'a\u0000b', '../x', 'x..y', '/abs', 'é'])('refuses %j', (n) => {
    expect(() => checkName(n)).toThrow(StorageError);
  });
  it.each(['0000', 'IMG_160629_123655_0000_RGB.JPG', 'R0010015.JPG', '100RICOH'])('accepts %s', (n) => {
    expect(checkName(n)).toBe(n);
  });
});

describe('Medium', () => {
  it('writes atomically, counts usage, lists only visible files, deletes with the thumbnail', async () => {
    const s = await MediaStorage.open(tmp.dir, [{ name: 'internal', capacityBytes: 10_000 }]);
    const m = s.get('internal');
    await m.ensureFolder('0000');
    await m.writeFile('0000', 'A.TIF', Buffer.alloc(1000, 1));
    await m.writeFile('0000', 'A.jpg', Buffer.alloc(100, 2), { subdir: '.thumb' });
    await m.writeFile('0000', 'B.TIF', Readable.from([Buffer.alloc(500, 3)]));
    expect(m.usedBytes).toBe(1600);
    expect((await m.listFiles('0000')).map((f) => [f.name, f.size])).toEqual([
      ['A.TIF', 1000],
      ['B.TIF', 500],
    ]);
    await m.deleteFile('0000', 'A.TIF');
    expect(m.usedBytes).toBe(500);
    await expect(fs.stat(path.join(tmp.dir, 'internal', '0000', '.thumb', 'A.jpg'))).rejects.toThrow();
    await m.deleteFolder('0000');
    expect(m.usedBytes).toBe(0);
    expect(await m.listFolders()).toEqual([]);
  });

  it('knows the CRC-32 of what it wrote, for that exact size and mtime only', async () => {
    const s = await MediaStorage.open(tmp.dir, [{ name: 'internal', capacityBytes: 100_000 }]);
    const m = s.get('internal');
    await m.ensureFolder('0000');
    const bytes = Buffer.from('the camera wrote these bytes');
    await m.writeFile('0000', 'A.TIF', bytes, { mtimeMs: 1_523_606_400_000 });
    await m.writeFile('0000', 'B.TIF', Readable.from([bytes]));
    const [a, b] = await m.listFiles('0000');
    const realA = await m.resolve('0000', 'A.TIF');
    expect(m.knownCrc32(realA, a!.size, a!.mtimeMs)).toBe(zlib.crc32(bytes));
    expect(m.knownCrc32(realA, a!.size + 1, a!.mtimeMs)).toBeUndefined();
    expect(m.knownCrc32(realA, a!.size, a!.mtimeMs + 1)).toBeUndefined();
    // A streamed write is not checksummed on the way.
    expect(m.knownCrc32(await m.resolve('0000', 'B.TIF'), b!.size, b!.mtimeMs)).toBeUndefined();
  });

  it('refuses a file that does not fit, leaving nothing behind', async () => {
    const s = await MediaStorage.open(tmp.dir, [{ name: 'sd', capacityBytes: 1000 }]);
    const m = s.get('sd');
    await m.ensureFolder('0000');
    await expect(m.writeFile('0000', 'BIG.TIF', Buffer.alloc(2000))).rejects.toMatchObject({ code: 'FULL' });
    await expect(m.writeFile('0000', 'BIG.TIF', Readable.from([Buffer.alloc(2000)]))).rejects.toMatchObject({
      code: 'FULL',
    });
    expect(await fs.readdir(path.join(tmp.dir, 'sd', '0000'))).toEqual([]);
    expect(m.usedBytes).toBe(0);
  });

  it('a failed stream leaves no file under its final name', async () => {
    const s = await MediaStorage.open(tmp.dir, [{ name: 'internal', capacityBytes: 1e9 }]);
    const m = s.get('internal');
    await m.ensureFolder('0000');
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(100));
        this.destroy(new Error('camera unplugged'));
      },
    });
    await expect(m.writeFile('0000', 'X.TIF', failing)).rejects.toThrow('camera unplugged');
    expect(await fs.readdir(path.join(tmp.dir, 'internal', '0000'))).toEqual([]);
  });

  it('a part file written over time stays hidden until committed under its name, and FULL leaves nothing', async () => {
    const s = await MediaStorage.open(tmp.dir, [{ name: 'internal', capacityBytes: 1000 }]);
    const m = s.get('internal');
    await m.ensureFolder('100RICOH');
    const part = await m.createPartFile('100RICOH', 'recording.MP4');
    await fs.appendFile(part.path, Buffer.alloc(300, 1));
    await fs.appendFile(part.path, Buffer.alloc(300, 2));
    expect(await m.listFiles('100RICOH')).toEqual([]);
    expect(m.usedBytes).toBe(0);
    expect(await part.commit('R0010001.MP4', { mtimeMs: 1_523_606_400_000 })).toBe(600);
    expect((await m.listFiles('100RICOH')).map((f) => [f.name, f.size, f.mtimeMs])).toEqual([
      ['R0010001.MP4', 600, 1_523_606_400_000],
    ]);
    expect(m.usedBytes).toBe(600);
    // A clip that no longer fits is refused whole: no final name, no hidden leftover.
    const big = await m.createPartFile('100RICOH', 'recording.MP4');
    await fs.appendFile(big.path, Buffer.alloc(500));
    await expect(big.commit('R0010002.MP4')).rejects.toMatchObject({ code: 'FULL' });
    // An abandoned recording is removed too.
    const gone = await m.createPartFile('100RICOH', 'recording.MP4');
    await gone.discard();
    expect(await fs.readdir(path.join(tmp.dir, 'internal', '100RICOH'))).toEqual(['R0010001.MP4']);
    expect(m.usedBytes).toBe(600);
  });

  it('leftovers of an interrupted write are removed and not counted at start-up', async () => {
    await fs.mkdir(path.join(tmp.dir, 'internal', '0003'), { recursive: true });
    await fs.writeFile(path.join(tmp.dir, 'internal', '0003', '.tmp-123-abc-IMG.TIF'), Buffer.alloc(4000));
    await fs.writeFile(path.join(tmp.dir, 'internal', '0003', 'IMG.TIF'), Buffer.alloc(300));
    const s = await MediaStorage.open(tmp.dir, [{ name: 'internal', capacityBytes: 1e9 }]);
    expect(s.get('internal').usedBytes).toBe(300);
    expect(await fs.readdir(path.join(tmp.dir, 'internal', '0003'))).toEqual(['IMG.TIF']);
  });

  it('symlinks leading out of the medium are refused', async () => {
    const outside = path.join(tmp.dir, 'secret.txt');
    await fs.writeFile(outside, 'secret');
    const s = await MediaStorage.open(path.join(tmp.dir, 'media'), [{ name: 'internal', capacityBytes: 1e9 }]);
    const m = s.get('internal');
    await m.ensureFolder('0000');
    await fs.symlink(outside, path.join(tmp.dir, 'media', 'internal', '0000', 'LINK.TIF'));
    await fs.symlink(tmp.dir, path.join(tmp.dir, 'media', 'internal', '0001'));
    await expect(m.resolve('0000', 'LINK.TIF')).rejects.toMatchObject({ code: 'BAD_PATH' });
    await expect(m.resolve('0001', 'secret.txt')).rejects.toMatchObject({ code: 'BAD_PATH' });
    await expect(m.deleteFolder('0001')).rejects.toMatchObject({ code: 'BAD_PATH' });
    await expect(m.deleteFile('0000', 'LINK.TIF')).rejects.toMatchObject({ code: 'BAD_PATH' });
    expect(await fs.readFile(outside, 'utf8')).toBe('secret');
  });

  it('a removed medium is not available', async () => {
    const s = await MediaStorage.open(tmp.dir, [{ name: 'sd', capacityBytes: 1e9, present: false }]);
    expect(() => s.get('sd')).toThrow(StorageError);
  });
});

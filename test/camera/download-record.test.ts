/**
 * The per-directory download record: what survives a torn last line (kill -9 mid-append), which
 * line wins, what counts as "this camera file", and that a grown log is rewritten without losing
 * a name (deleted files included: --new needs them).
 */
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DownloadLedger, RECORD_NAME, sameObject, type CameraObject } from '../../src/camera/download-record.js';
import { cleanup, tempDir } from '../cli/helpers.js';

afterEach(cleanup);

const object = (over: Partial<CameraObject> = {}): CameraObject => ({
  camera: 'Sequoia#PI040416AA6L060011',
  path: '/internal/0003/IMG_261207_142549_0000_NIR.TIF',
  size: 2_000_000,
  time: 1_796_653_549_000,
  ...over,
});

describe('download record', () => {
  it('ties a local file to one camera object: serial, path, size, and time where both sides know it', () => {
    expect(sameObject(object(), object())).toBe(true);
    expect(sameObject(object(), object({ path: '/internal/0002/IMG_261207_142549_0000_NIR.TIF' }))).toBe(false);
    expect(sameObject(object(), object({ camera: 'Sequoia#OTHER' }))).toBe(false);
    expect(sameObject(object(), object({ size: 1 }))).toBe(false);
    expect(sameObject(object(), object({ time: 1 }))).toBe(false);
    expect(sameObject(object(), object({ time: null }))).toBe(true);
  });

  it('a complete copy is known only while the local file is as written', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'IMG.TIF');
    await writeFile(file, Buffer.alloc(2_000_000));
    const records = await new DownloadLedger('Sequoia#PI040416AA6L060011').directory(dir);
    await records.noteComplete('IMG.TIF', object(), await stat(file));
    const again = await new DownloadLedger('x').directory(dir);
    expect(again.isCompleteCopy('IMG.TIF', object(), await stat(file))).toBe(true);
    expect(again.isCompleteCopy('IMG.TIF', object({ path: '/internal/0002/IMG.TIF' }), await stat(file))).toBe(false);
    const st = await stat(file);
    expect(again.isCompleteCopy('IMG.TIF', object(), { size: st.size, mtimeMs: st.mtimeMs + 1000 })).toBe(false);
    expect(again.downloadedBefore(object())?.name).toBe('IMG.TIF');
  });

  it('ignores a torn last line, lets the last line for a name win, and compacts a long log', async () => {
    const dir = await tempDir();
    const records = await new DownloadLedger('c').directory(dir);
    for (let i = 0; i < 200; i++) await records.notePartial('.A.part', object({ size: i + 1 }));
    await records.noteComplete('B', object(), { size: 2_000_000, mtimeMs: 5 });
    await appendFile(path.join(dir, RECORD_NAME), '{"name":"C","state":"comp');
    const reread = await new DownloadLedger('c').directory(dir);
    expect(reread.isPartialOf('.A.part', object({ size: 200 }))).toBe(true);
    expect(reread.isPartialOf('.A.part', object({ size: 199 }))).toBe(false);
    expect(reread.get('C')).toBeUndefined();
    expect(reread.downloadedBefore(object())?.name).toBe('B');
    // 202 lines for 2 names: rewritten to 2, nothing lost.
    const lines = (await readFile(path.join(dir, RECORD_NAME), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    const third = await new DownloadLedger('c').directory(dir);
    expect(third.isPartialOf('.A.part', object({ size: 200 }))).toBe(true);
    expect(third.downloadedBefore(object())?.name).toBe('B');
  });

  it('a line appended after a torn one is not glued to it', async () => {
    const dir = await tempDir();
    const records = await new DownloadLedger('c').directory(dir);
    await records.noteComplete('B', object(), { size: 2_000_000, mtimeMs: 5 });
    await appendFile(path.join(dir, RECORD_NAME), '{"name":"C","state":"comp');
    const next = await new DownloadLedger('c').directory(dir);
    await next.noteComplete('D', object({ path: '/internal/0003/D' }), { size: 2_000_000, mtimeMs: 7 });
    const last = await new DownloadLedger('c').directory(dir);
    expect([last.get('B')?.state, last.get('C'), last.get('D')?.state]).toEqual(['complete', undefined, 'complete']);
  });
});

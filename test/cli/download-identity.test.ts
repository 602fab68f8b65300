/**
 * A local file counts as a camera file's download only when camctl knows it is that object (the
 * camera's serial, path, size and time, recorded when it was written) — never by its name and
 * size alone. The Sequoia names files by capture time and a per-folder counter, so two captures in
 * the same second write the same names into two folders: these tests make exactly that happen
 * (ManualClock) and check that nothing is overwritten or reported downloaded with someone else's
 * bytes, over sequoia://, ptpip:// and theta://, and with --skip-existing, --overwrite and --new.
 */
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { ManualClock } from '../../src/util/clock.js';
import { camctlInProcess, startCamctlInProcess } from '../helpers/camctl-in-process.js';
import { cleanup, onCleanup, startEmu, tempDir, type Emu } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

afterEach(cleanup);

interface FileResult {
  path: string;
  file: string;
  status: string;
  reason: string | null;
  size: number;
  transferred: number;
  resumedFrom: number;
  downloaded: boolean;
  resumed: boolean;
  skipped: boolean;
  overwritten: boolean;
}

async function json<T>(...args: string[]): Promise<{ code: number; json: T; stderr: string }> {
  const r = await camctlInProcess(...args, '--json');
  try {
    return { code: r.code, json: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/** A Sequoia whose clock only moves when told: two captures get the same file names. */
async function frozenSequoia(options: Parameters<typeof startEmu>[0] = {}): Promise<Emu & { clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 14, 25, 49));
  const emu = await startEmu({ clock, ...options });
  emu.emu.device.setConfig({
    capture_mode: 'single',
    resolution_mono: 0.3,
    resolution_rgb: 12,
    storage_selected: 'internal',
  });
  return { ...emu, clock };
}

/** The camera's own bytes for a camera path, as the emulator stores them. */
function cameraBytes(emu: Emu, cameraPath: string): Promise<Buffer> {
  return readFile(path.join(emu.dataDir, 'media', ...cameraPath.split('/').filter(Boolean)));
}

/** One capture through the device (no CLI), waiting for its files. */
async function shoot(emu: Emu): Promise<{ folder: string; names: string[] }> {
  const r = await emu.emu.device.startCapture();
  expect(r.ok).toBe(true);
  await emu.emu.device.whenSessionEnds();
  if (!r.ok || r.folder === undefined) throw new Error('the capture did not start');
  const folder = `/${r.medium}/${r.folder}`;
  const names = (await readdir(path.join(emu.dataDir, 'media', ...folder.split('/').filter(Boolean))))
    .filter((n) => !n.startsWith('.'))
    .sort();
  return { folder, names };
}

/** Every file under `dir` (relative), hidden ones included. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

describe('two captures with the same file names in different folders (sequoia://)', () => {
  it('capture --download twice in the same second keeps both captures, each with its own bytes', async () => {
    const emu = await frozenSequoia();
    const out = await tempDir();
    const first = await json<{
      folder: string;
      files: Array<{ path: string; name: string }>;
      downloaded: FileResult[];
    }>('-c', emu.camera, 'capture', '--download', out);
    expect(first.code).toBe(0);
    // A little device time, still the same second: the second shot's pictures differ, its names do not.
    await emu.clock.advance(300);
    const second = await json<{
      folder: string;
      files: Array<{ path: string; name: string }>;
      downloaded: FileResult[];
    }>('-c', emu.camera, 'capture', '--download', out);
    expect(second.code).toBe(0);
    expect(second.json.folder).not.toBe(first.json.folder);
    expect(second.json.files.map((f) => f.name).sort()).toEqual(first.json.files.map((f) => f.name).sort());

    for (const shot of [first.json, second.json]) {
      expect(shot.downloaded).toHaveLength(5);
      for (const d of shot.downloaded) {
        expect(d).toMatchObject({
          status: 'downloaded',
          downloaded: true,
          skipped: false,
          resumed: false,
          overwritten: false,
          reason: null,
        });
        // The camera folder is kept: /internal/0003/X lands in DIR/internal/0003/X.
        expect(d.file).toBe(path.join(out, ...d.path.split('/').filter(Boolean)));
        expect((await readFile(d.file)).equals(await cameraBytes(emu, d.path)), d.path).toBe(true);
      }
    }
    // And the files really differ between the two shots (else this test would prove nothing).
    const nir = (s: typeof first.json) => s.downloaded.find((d) => d.path.endsWith('_NIR.TIF'))!;
    expect((await readFile(nir(first.json).file)).equals(await readFile(nir(second.json).file))).toBe(false);
    expect((await listTree(out)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('get of the second folder\'s file never reports the first folder\'s bytes as "already complete"', async () => {
    const emu = await frozenSequoia();
    const a = await shoot(emu);
    await emu.clock.advance(300);
    const b = await shoot(emu);
    expect(b.names).toEqual(a.names);
    const name = a.names.find((n) => n.endsWith('_NIR.TIF'))!;
    const out = await tempDir();
    const got1 = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', `${a.folder}/${name}`, '-o', out);
    expect(got1.code).toBe(0);
    const got2 = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', `${b.folder}/${name}`, '-o', out);
    expect(got2.code).toBe(0);
    expect(got2.json.files[0]).toMatchObject({ status: 'downloaded', skipped: false });
    expect(got2.json.files[0]!.file).not.toBe(got1.json.files[0]!.file);
    expect((await readFile(got1.json.files[0]!.file)).equals(await cameraBytes(emu, `${a.folder}/${name}`))).toBe(true);
    expect((await readFile(got2.json.files[0]!.file)).equals(await cameraBytes(emu, `${b.folder}/${name}`))).toBe(true);
    // Run again: both are known to be those camera files now.
    const again = await json<{ files: FileResult[] }>(
      '-c',
      emu.camera,
      'get',
      `${a.folder}/${name}`,
      `${b.folder}/${name}`,
      '-o',
      out,
    );
    expect(again.json.files.map((f) => [f.status, f.reason, f.transferred])).toEqual([
      ['skipped', 'already-downloaded', 0],
      ['skipped', 'already-downloaded', 0],
    ]);
  });

  it('a local file of the same name that camctl did not write is never overwritten nor taken for the camera file', async () => {
    const emu = await frozenSequoia();
    const a = await shoot(emu);
    await emu.clock.advance(300);
    const b = await shoot(emu);
    const name = a.names.find((n) => n.endsWith('_NIR.TIF'))!;
    const out = await tempDir();
    // What the old layout left: the first folder's bytes where the second folder's file now goes.
    const target = path.join(out, ...b.folder.split('/').filter(Boolean), name);
    await mkdir(path.dirname(target), { recursive: true });
    const foreign = await cameraBytes(emu, `${a.folder}/${name}`);
    await writeFile(target, foreign);
    expect(foreign.length).toBe((await cameraBytes(emu, `${b.folder}/${name}`)).length);

    // Same size, other bytes: compared, found different, kept; the run says so and fails.
    const same = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', `${b.folder}/${name}`, '-o', out);
    expect(same.code).toBe(1);
    expect(same.json.files[0]).toMatchObject({
      file: target,
      status: 'skipped',
      reason: 'conflict',
      downloaded: false,
      skipped: true,
      overwritten: false,
    });
    expect((await readFile(target)).equals(foreign)).toBe(true);
    const human = await camctlInProcess('-c', emu.camera, 'get', `${b.folder}/${name}`, '-o', out);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(target);
    expect(human.stderr).toMatch(/--overwrite/);
    expect(human.stdout).not.toContain('already complete');

    // Other size: kept too, not overwritten without a word.
    await writeFile(target, 'my own notes');
    const other = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', `${b.folder}/${name}`, '-o', out);
    expect(other.code).toBe(1);
    expect(other.json.files[0]).toMatchObject({ status: 'skipped', reason: 'conflict' });
    expect(await readFile(target, 'utf8')).toBe('my own notes');

    // The same bytes as the camera's (a copy made by hand): recognised by content, then known.
    await writeFile(target, await cameraBytes(emu, `${b.folder}/${name}`));
    const identical = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', `${b.folder}/${name}`, '-o', out);
    expect(identical.code).toBe(0);
    expect(identical.json.files[0]).toMatchObject({ status: 'skipped', reason: 'identical', skipped: true });
    const known = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', `${b.folder}/${name}`, '-o', out);
    expect(known.json.files[0]).toMatchObject({ status: 'skipped', reason: 'already-downloaded', transferred: 0 });
    expect((await listTree(out)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('--skip-existing keeps the local file, --overwrite replaces it, --new fetches only what was never downloaded', async () => {
    const emu = await frozenSequoia();
    const a = await shoot(emu);
    const out = await tempDir();
    const rgb = a.names.find((n) => n.endsWith('_RGB.JPG'))!;
    const nir = a.names.find((n) => n.endsWith('_NIR.TIF'))!;
    const target = path.join(out, ...a.folder.split('/').filter(Boolean), rgb);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, 'not a picture');

    const skip = await json<{ files: FileResult[] }>(
      '-c',
      emu.camera,
      'get',
      `${a.folder}/${rgb}`,
      '-o',
      out,
      '--skip-existing',
    );
    expect(skip.code).toBe(0);
    expect(skip.json.files[0]).toMatchObject({
      status: 'skipped',
      reason: 'exists',
      skipped: true,
      downloaded: false,
      transferred: 0,
    });
    expect(await readFile(target, 'utf8')).toBe('not a picture');

    const both = await camctlInProcess(
      '-c',
      emu.camera,
      'get',
      `${a.folder}/${rgb}`,
      '-o',
      out,
      '--skip-existing',
      '--overwrite',
    );
    expect(both.code).toBe(2);

    const over = await json<{ files: FileResult[] }>(
      '-c',
      emu.camera,
      'get',
      `${a.folder}/${rgb}`,
      '-o',
      out,
      '--overwrite',
    );
    expect(over.code).toBe(0);
    expect(over.json.files[0]).toMatchObject({
      status: 'downloaded',
      downloaded: true,
      overwritten: true,
      skipped: false,
    });
    expect((await readFile(target)).equals(await cameraBytes(emu, `${a.folder}/${rgb}`))).toBe(true);
    // Known now: --overwrite does not fetch it again.
    const overAgain = await json<{ files: FileResult[] }>(
      '-c',
      emu.camera,
      'get',
      `${a.folder}/${rgb}`,
      '-o',
      out,
      '--overwrite',
    );
    expect(overAgain.json.files[0]).toMatchObject({ status: 'skipped', reason: 'already-downloaded', transferred: 0 });

    // --new: the RGB was downloaded before (even though its local copy is gone now); the NIR never was.
    await import('node:fs/promises').then((fs) => fs.rm(target));
    const fresh = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', a.folder, '-o', out, '--new');
    expect(fresh.code).toBe(0);
    const by = new Map(fresh.json.files.map((f) => [path.basename(f.path), f]));
    expect(by.get(rgb)).toMatchObject({ status: 'skipped', reason: 'downloaded-before', transferred: 0 });
    expect(by.get(nir)).toMatchObject({ status: 'downloaded', downloaded: true });
    expect(fresh.json.files.filter((f) => f.downloaded)).toHaveLength(4);
    await expect(stat(target)).rejects.toThrow();
    // Without --new the missing RGB is fetched again.
    const all = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', a.folder, '-o', out);
    expect(all.json.files.filter((f) => f.downloaded).map((f) => path.basename(f.path))).toEqual([rgb]);
    expect((await readFile(target)).equals(await cameraBytes(emu, `${a.folder}/${rgb}`))).toBe(true);
  });

  it('an interrupted download resumes only from a partial file known to be that camera file', async () => {
    const emu = await frozenSequoia({ bandwidthBytesPerSec: 1_000_000 });
    const a = await shoot(emu);
    const nir = a.names.find((n) => n.endsWith('_NIR.TIF'))!;
    const remote = `${a.folder}/${nir}`;
    const want = await cameraBytes(emu, remote);
    const out = await tempDir();
    const dir = path.join(out, ...a.folder.split('/').filter(Boolean));
    const part = path.join(dir, `.${nir}.part`);

    const run = startCamctlInProcess(['-c', emu.camera, 'get', remote, '-o', out]);
    await waitFor(
      async () => ((await stat(part).catch(() => undefined))?.size ?? 0) > 0,
      'the first bytes of the download',
    );
    run.interrupt();
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    // As sync says it: one line, and that running it again resumes.
    expect(stopped.stderr.trim().split('\n').at(-1)).toBe('camctl: interrupted; run the same command again to resume');
    // Never under its final name while incomplete.
    await expect(stat(path.join(dir, nir))).rejects.toThrow();
    const left = (await stat(part)).size;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(want.length);

    const resumed = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', remote, '-o', out);
    expect(resumed.code).toBe(0);
    expect(resumed.json.files[0]).toMatchObject({
      status: 'resumed',
      resumed: true,
      downloaded: true,
      resumedFrom: left,
      transferred: want.length - left,
    });
    expect((await readFile(path.join(dir, nir))).equals(want)).toBe(true);

    // A partial file camctl knows nothing about (same name, other bytes) is not continued.
    const rgb = a.names.find((n) => n.endsWith('_RGB.JPG'))!;
    const rgbWant = await cameraBytes(emu, `${a.folder}/${rgb}`);
    await writeFile(path.join(dir, `.${rgb}.part`), Buffer.alloc(1000, 0x55));
    const fresh = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', `${a.folder}/${rgb}`, '-o', out);
    expect(fresh.json.files[0]).toMatchObject({
      status: 'downloaded',
      resumed: false,
      resumedFrom: 0,
      transferred: rgbWant.length,
    });
    expect((await readFile(path.join(dir, rgb))).equals(rgbWant)).toBe(true);
    expect((await listTree(out)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('sync does not take a same-named file from elsewhere for the camera file', async () => {
    const emu = await frozenSequoia();
    const a = await shoot(emu);
    const out = await tempDir();
    const nir = a.names.find((n) => n.endsWith('_NIR.TIF'))!;
    const target = path.join(out, ...a.folder.split('/').filter(Boolean), nir);
    await mkdir(path.dirname(target), { recursive: true });
    const mine = Buffer.from((await cameraBytes(emu, `${a.folder}/${nir}`)).map((x) => x ^ 0xff));
    mine.write('II*\0', 0, 'latin1');
    await writeFile(target, mine);
    const r = await json<{ files: number; downloaded: number; skipped: number; conflicts: number; failed: number }>(
      '-c',
      emu.camera,
      'sync',
      out,
    );
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ files: 5, downloaded: 4, skipped: 0, conflicts: 1, failed: 0 });
    expect((await readFile(target)).equals(mine)).toBe(true);
    const over = await json<{ downloaded: number; conflicts: number }>('-c', emu.camera, 'sync', out, '--overwrite');
    expect(over.code).toBe(0);
    expect(over.json).toMatchObject({ downloaded: 1, conflicts: 0 });
    expect((await readFile(target)).equals(await cameraBytes(emu, `${a.folder}/${nir}`))).toBe(true);
  });
});

describe('zips and help', () => {
  it('get --zip never writes over an existing zip unless --overwrite, and never leaves a partial one under its name', async () => {
    const emu = await frozenSequoia();
    const a = await shoot(emu);
    const out = await tempDir();
    const zip = path.join(out, `${path.basename(a.folder)}.zip`);
    await writeFile(zip, 'an older zip');
    const kept = await json<{ files: FileResult[] }>('-c', emu.camera, 'get', a.folder, '--zip', '-o', out);
    expect(kept.code).toBe(1);
    expect(kept.json.files[0]).toMatchObject({ file: zip, status: 'skipped', reason: 'conflict', downloaded: false });
    expect(await readFile(zip, 'utf8')).toBe('an older zip');
    const over = await json<{ files: FileResult[] }>(
      '-c',
      emu.camera,
      'get',
      a.folder,
      '--zip',
      '-o',
      out,
      '--overwrite',
    );
    expect(over.code).toBe(0);
    expect(over.json.files[0]).toMatchObject({ status: 'downloaded', overwritten: true });
    expect((await readFile(zip)).subarray(0, 4).toString('hex')).toBe('504b0304');
    expect(await listTree(out)).toEqual([path.basename(zip)]);
  });

  it('get, capture and sync --help explain the layout and the choices', async () => {
    for (const command of ['get', 'capture', 'sync']) {
      const help = (await camctlInProcess(command, '--help')).stdout;
      for (const word of [
        '--skip-existing',
        '--overwrite',
        '--new',
        'DIR/<medium>/<folder>/<file>',
        'already downloaded',
      ])
        expect(help, `${command}: ${word}`).toContain(word);
    }
  });
});

describe('the same rules over ptpip:// and theta://', () => {
  it('ptpip://: a foreign file is kept by default, replaced with --overwrite, then known', async () => {
    const emu = await startEmu({ ptpipPort: 0 });
    emu.emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12 });
    const cam = `ptpip://${emu.emu.ptpip}`;
    const out = await tempDir();
    const shot = await json<{ folder: string; downloaded: FileResult[] }>('-c', cam, 'capture', '--download', out);
    expect(shot.code).toBe(0);
    expect(shot.json.downloaded).toHaveLength(5);
    for (const d of shot.json.downloaded) {
      expect(d.file).toBe(path.join(out, ...d.path.split('/').filter(Boolean)));
      expect((await readFile(d.file)).equals(await cameraBytes(emu, d.path))).toBe(true);
    }
    const one = shot.json.downloaded[0]!;
    const again = await json<{ files: FileResult[] }>('-c', cam, 'get', one.path, '-o', out);
    expect(again.json.files[0]).toMatchObject({ status: 'skipped', reason: 'already-downloaded', transferred: 0 });
    await writeFile(one.file, 'someone else');
    const kept = await json<{ files: FileResult[] }>('-c', cam, 'get', one.path, '-o', out);
    expect(kept.code).toBe(1);
    expect(kept.json.files[0]).toMatchObject({ status: 'skipped', reason: 'conflict' });
    expect(await readFile(one.file, 'utf8')).toBe('someone else');
    const over = await json<{ files: FileResult[] }>('-c', cam, 'get', one.path, '-o', out, '--overwrite');
    expect(over.json.files[0]).toMatchObject({ status: 'downloaded', overwritten: true });
    expect((await readFile(one.file)).equals(await cameraBytes(emu, one.path))).toBe(true);
  });

  it('theta://: capture --download into the camera folder, a foreign file is kept, --skip-existing and --new', async () => {
    const dir = await tempDir('camctl-theta-');
    const theta = await startThetaEmulator({ dataDir: path.join(dir, 'cam'), speed: 20 });
    onCleanup(() => theta.close());
    const cam = `theta://127.0.0.1:${new URL(theta.url).port}`;
    expect((await camctlInProcess('-c', cam, 'config', 'set', 'fileFormat=jpeg 2048x1024')).code).toBe(0);
    const out = path.join(dir, 'shots');
    const shot = await json<{ downloaded: FileResult[] }>('-c', cam, 'capture', '--download', out);
    expect(shot.code).toBe(0);
    const d = shot.json.downloaded[0]!;
    expect(d.file).toBe(path.join(out, 'internal', '100RICOH', path.basename(d.path)));
    const bytes = async (p: string) =>
      Buffer.from(
        await (await fetch(`${theta.url}/files/${theta.device.storageId}/100RICOH/${path.basename(p)}`)).arrayBuffer(),
      );
    expect((await readFile(d.file)).equals(await bytes(d.path))).toBe(true);

    const second = await json<{ downloaded: FileResult[] }>('-c', cam, 'capture');
    expect(second.code).toBe(0);
    const files = (
      await json<{ entries: Array<{ path: string }> }>('-c', cam, 'ls', '/internal/100RICOH')
    ).json.entries.map((e) => e.path);
    const other = files.find((p) => p !== d.path)!;
    const otherLocal = path.join(out, 'internal', '100RICOH', path.basename(other));
    await writeFile(otherLocal, 'a file of mine');
    const plain = await json<{ files: FileResult[] }>('-c', cam, 'get', '/internal/100RICOH', '-o', out);
    expect(plain.code).toBe(1);
    const byPath = new Map(plain.json.files.map((f) => [f.path, f]));
    expect(byPath.get(d.path)).toMatchObject({ status: 'skipped', reason: 'already-downloaded' });
    expect(byPath.get(other)).toMatchObject({ status: 'skipped', reason: 'conflict' });
    expect(await readFile(otherLocal, 'utf8')).toBe('a file of mine');
    const skip = await json<{ files: FileResult[] }>('-c', cam, 'get', other, '-o', out, '--skip-existing');
    expect([skip.code, skip.json.files[0]?.reason]).toEqual([0, 'exists']);
    await import('node:fs/promises').then((fs) => fs.rm(d.file));
    const fresh = await json<{ files: FileResult[] }>('-c', cam, 'get', d.path, '-o', out, '--new');
    expect(fresh.json.files[0]).toMatchObject({ status: 'skipped', reason: 'downloaded-before' });
  });
});

/**
 * `camctl sync`: a run killed with SIGKILL in the middle, then run again, ends with every file of
 * the camera present locally, byte-identical, once, with no temporary files left.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_NAME } from '../../src/camera/download-record.js';
import type { RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { cleanup, collect, requireBuild, runCli, runJson, startCli, startEmu, tempDir } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

beforeAll(requireBuild);
afterEach(cleanup);

/** Takes `n` single captures on `medium` through the device (small resolutions to keep it quick). */
async function capture(emu: RunningSequoiaEmulator, n: number, medium: 'internal' | 'sd'): Promise<void> {
  emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12, storage_selected: medium });
  for (let i = 0; i < n; i++) {
    const r = await emu.device.startCapture();
    expect(r.ok).toBe(true);
    await emu.device.whenSessionEnds();
  }
}

/** Every file name under `dir`, relative (cheap enough to poll). */
async function names(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)));
}

/** Every file under `dir`, relative, with its bytes (camctl's download records left out). */
async function tree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name !== RECORD_NAME) out.set(path.relative(dir, p), await readFile(p));
    }
  };
  await walk(dir);
  return out;
}

/** The camera's files as stored by the emulator: `<medium>/<folder>/<name>` (thumbnails excluded). */
async function cameraTree(dataDir: string): Promise<Map<string, Buffer>> {
  const all = await tree(path.join(dataDir, 'media'));
  return new Map([...all].filter(([k]) => !k.split(path.sep).some((p) => p.startsWith('.'))));
}

describe('camctl sync', () => {
  it('survives kill -9 mid-run: the rerun finishes with nothing lost, duplicated or corrupt', async () => {
    // 3 MB/s shared by all connections, as the camera's Wi-Fi: the first run is slow enough to be killed mid-way.
    const { emu, camera, dataDir } = await startEmu({ bandwidthBytesPerSec: 3_000_000 });
    await capture(emu, 4, 'internal');
    await capture(emu, 2, 'sd');
    const expected = await cameraTree(dataDir);
    expect(expected.size).toBe(30);

    const out = await tempDir();
    const first = startCli(['--camera', camera, 'sync', out, '-j', '3']);
    const firstDone = collect(first);
    // Kill once some files are complete and others are still partial.
    await waitFor(async () => {
      const keys = await names(out);
      const parts = keys.filter((k) => path.basename(k).endsWith('.part'));
      const sizes = await Promise.all(
        parts.map((k) =>
          stat(path.join(out, k)).then(
            (st) => st.size,
            () => 0,
          ),
        ),
      );
      return keys.some((k) => !path.basename(k).startsWith('.')) && sizes.some((n) => n > 0);
    }, 'a partly synced directory');
    first.kill('SIGKILL');
    const killed = await firstDone;
    expect(killed.signal).toBe('SIGKILL');
    const between = await tree(out);
    const partial = [...between.keys()].filter((k) => k.endsWith('.part'));
    expect(partial.length).toBeGreaterThan(0);
    // Whatever carries a final name is already complete and correct.
    for (const [k, bytes] of between) {
      if (k.endsWith('.part')) continue;
      expect(bytes.equals(expected.get(k)!), k).toBe(true);
    }

    const second = await runJson<{
      files: number;
      downloaded: number;
      resumed: number;
      skipped: number;
      failed: number;
      transferredBytes: number;
      bytes: number;
    }>(['--camera', camera, 'sync', out, '-j', '4']);
    expect(second.result.code).toBe(0);
    expect(second.json.files).toBe(30);
    expect(second.json.failed).toBe(0);
    expect(second.json.skipped).toBe(between.size - partial.length);
    // Every non-empty temporary file is continued where it stopped (an empty one starts over) —
    // unless the kill came between linking it to its final name and removing it: that file is
    // already complete under its final name and counts as skipped.
    const finalName = (k: string): string =>
      path.join(path.dirname(k), path.basename(k).replace(/^\.(.*)\.part$/, '$1'));
    expect(second.json.resumed).toBe(
      partial.filter((k) => between.get(k)!.length > 0 && !between.has(finalName(k))).length,
    );
    expect(second.json.downloaded + second.json.resumed + second.json.skipped).toBe(30);
    expect(second.json.transferredBytes).toBeLessThan(second.json.bytes);

    const final = await tree(out);
    expect([...final.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, bytes] of final) expect(bytes.equals(expected.get(k)!), k).toBe(true);

    // A third run has nothing to do.
    const third = await runJson<{ skipped: number; transferredBytes: number }>(['--camera', camera, 'sync', out]);
    expect(third.json).toMatchObject({ skipped: 30, transferredBytes: 0 });
  });

  it('--delete-after deletes on the camera only what is verified locally', async () => {
    const { emu, camera, dataDir } = await startEmu();
    await capture(emu, 2, 'internal');
    const expected = await cameraTree(dataDir);
    const out = await tempDir();
    const r = await runJson<{ files: number; deleted: number }>(['--camera', camera, 'sync', out, '--delete-after']);
    expect(r.result.code).toBe(0);
    expect(r.json).toMatchObject({ files: 10, deleted: 10, deletedFolders: 2 });
    expect((await runJson<{ entries: unknown[] }>(['--camera', camera, 'ls', '/internal'])).json.entries).toEqual([]);
    const local = await tree(out);
    expect(local.size).toBe(10);
    for (const [k, bytes] of local) expect(bytes.equals(expected.get(k)!), k).toBe(true);
    expect((await cameraTree(dataDir)).size).toBe(0);
    const human = await runCli(['--camera', camera, 'sync', out]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Files: +0 on camera/m);
  });

  it('stops cleanly on SIGINT and says how to resume', async () => {
    const { emu, camera } = await startEmu({ bandwidthBytesPerSec: 1_000_000 });
    await capture(emu, 1, 'internal');
    const out = await tempDir();
    const child = startCli(['--camera', camera, 'sync', out]);
    const done = collect(child);
    await waitFor(async () => (await names(out)).length > 0, 'the first bytes');
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr.trim()).toBe('camctl: interrupted; run the same command again to resume');
    const again = await runJson<{ files: number; failed: number }>(['--camera', camera, 'sync', out]);
    expect(again.json).toMatchObject({ files: 5, failed: 0 });
  });

  it('prints a summary for people', async () => {
    const { emu, camera } = await startEmu();
    await capture(emu, 1, 'sd');
    const out = await tempDir();
    const r = await runCli(['--camera', camera, 'sync', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Files: +5 on camera: 5 downloaded, 0 resumed, 0 already downloaded, 0 failed$/m);
    expect(r.stdout).toMatch(/^Bytes: +[\d.]+ MiB transferred of [\d.]+ MiB$/m);
    expect(r.stdout).toMatch(/^Time: +[\d.]+ s \([\d.]+ [KMG]?i?B\/s\)$/m);
    expect(r.stderr).toBe(''); // no progress bars without a TTY
    expect((await stat(path.join(out, 'sd'))).isDirectory()).toBe(true);
  });
});

/**
 * gphoto2's `--filenumber N`: where `%n` of a `--filename` pattern starts (1 unless given), on
 * every command that takes --filename — get, capture --download and watch --download — against
 * the emulated Sequoia. Which files `--range` picks still goes by their numbers in the folder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FilenamePattern, filenamePatternOf } from '../../src/cli/filename-pattern.js';
import type { RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { startCamctlInProcess } from '../helpers/camctl-in-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { localFiles } from '../helpers/camera-files.js';
import { cleanup, runCli, runJson, startEmu, tempDir } from './helpers.js';

afterEach(cleanup);

async function capture(emu: RunningSequoiaEmulator): Promise<void> {
  emu.device.setConfig({
    capture_mode: 'single',
    resolution_mono: 0.3,
    resolution_rgb: 12,
    storage_selected: 'internal',
  });
  expect((await emu.device.startCapture()).ok).toBe(true);
  await emu.device.whenSessionEnds();
}

/** The folder's files in listing order, as `ls` gives them (the order %n numbers). */
async function listing(camera: string, folder: string): Promise<string[]> {
  const { json } = await runJson<{ entries: Array<{ name: string }> }>(['--camera', camera, 'ls', folder]);
  return json.entries.map((e) => e.name);
}

describe('--filenumber', () => {
  it('numbers from N in a pattern, padded as %0Wn says; 1 without it', () => {
    const file = { path: '/internal/0001/IMG_1.TIF', name: 'IMG_1.TIF', number: 3 };
    expect(new FilenamePattern('%04n_%f.%C').expand(file)).toBe('0003_IMG_1.TIF');
    expect(new FilenamePattern('%04n_%f.%C', 100).expand(file)).toBe('0102_IMG_1.TIF');
    expect(new FilenamePattern('%n', 0).expand({ ...file, number: 1 })).toBe('0');
    expect(filenamePatternOf({ filename: '%n', filenumber: '7' })?.expand({ ...file, number: 1 })).toBe('7');
    expect(filenamePatternOf({})).toBeUndefined();
  });

  it('get: the first file of the folder is N, and --range still picks by the number in the folder', async () => {
    const { emu, camera } = await startEmu();
    await capture(emu);
    const folder = '/internal/0000';
    const names = await listing(camera, folder);
    expect(names).toHaveLength(5);
    const out = await tempDir();
    const got = await runJson<{ files: Array<{ file: string }> }>([
      '--camera',
      camera,
      'get',
      folder,
      '-o',
      out,
      '--filename',
      '%04n_%f.%C',
      '--filenumber',
      '100',
      '--range',
      '2-3',
    ]);
    expect(got.result.code, got.result.stderr).toBe(0);
    expect(await localFiles(out)).toEqual([`0101_${names[1]!}`, `0102_${names[2]!}`]);
  });

  it('capture --download: %n from N (0 here), by the folder as the whole shot left it', async () => {
    const { emu, camera } = await startEmu();
    emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12 });
    const out = await tempDir();
    const shot = await runJson<{ folder: string }>([
      '--camera',
      camera,
      'capture',
      '--download',
      out,
      '--filename',
      '%n-%f.%C',
      '--filenumber',
      '0',
    ]);
    expect(shot.result.code, shot.result.stderr).toBe(0);
    const names = await listing(camera, shot.json.folder);
    expect(await localFiles(out)).toEqual(names.map((n, i) => `${i}-${n}`).sort());
  });

  it('watch --download: each new picture named from N, by its number in its folder', async () => {
    const { emu, camera } = await startEmu();
    const out = await tempDir();
    const watch = startCamctlInProcess([
      '--camera',
      camera,
      'watch',
      '--json',
      '--download',
      out,
      '--band',
      'nir',
      '--filename',
      '%F/%03n_%f.%C',
      '--filenumber',
      '500',
    ]);
    await waitFor(() => emu.http.webSocketClients === 1, 'the watch to connect');
    await capture(emu);
    await waitFor(() => watch.stdout().includes('"type":"download"'), 'the NIR picture downloaded');
    watch.interrupt();
    const r = await watch.done;
    expect(r.code, r.stderr).toBe(0);
    const folder = '/internal/0000';
    const names = await listing(camera, folder);
    const nir = names.findIndex((n) => n.endsWith('_NIR.TIF'));
    expect(await localFiles(out)).toEqual([`internal/0000/${String(500 + nir)}_${names[nir]!}`]);
  });

  it.each([
    [['get', '/internal/0000', '--filenumber', '5'], /--filenumber .* goes with --filename/],
    [['get', '/internal/0000', '--filename', '%n_%f.%C', '--filenumber', '-1'], /--filenumber must be a whole number/],
    [['get', '/internal/0000', '--filename', '%n_%f.%C', '--filenumber', 'ten'], /--filenumber must be a whole number/],
    [['get', '/internal/0000', '--filename', '%f.%C', '--filenumber', '5'], /has no %n/],
    [['watch', '--filenumber', '5'], /go with --download DIR/],
    [['capture', '--filenumber', '5'], /go with --download DIR/],
  ])('%j is a usage error (exit 2, one line)', async (args, message) => {
    const { camera } = await startEmu();
    const r = await runCli(['--camera', camera, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

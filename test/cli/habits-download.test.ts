/**
 * gphoto2 habits in camctl's downloads, against the emulators over real sockets with the built CLI:
 * choosing files (--band, --type, --range), --filename patterns, --thumbnail, --hook-script,
 * `watch --download` fetching a timelapse as it is written, and `capture --download` with the same choices.
 */
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCamera } from '../../src/camera/open.js';
import type { RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { cameraFiles } from '../helpers/camera-files.js';
import { localFiles } from '../helpers/camera-files.js';
import { cleanup, onCleanup, requireBuild, runCli, runJson, startCli, startEmu, tempDir } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

beforeAll(requireBuild);
afterEach(cleanup);

interface Files {
  files: Array<{ path: string; file: string; status: string; reason: string | null; skipped: boolean }>;
}

/** Takes `n` single captures (small resolutions to keep it quick). */
async function capture(emu: RunningSequoiaEmulator, n: number): Promise<void> {
  emu.device.setConfig({
    capture_mode: 'single',
    resolution_mono: 0.3,
    resolution_rgb: 12,
    storage_selected: 'internal',
  });
  for (let i = 0; i < n; i++) {
    expect((await emu.device.startCapture()).ok).toBe(true);
    await emu.device.whenSessionEnds();
  }
}

/** An executable hook script that appends `ACTION ARGUMENT CAMCTL_CAMERA_PATH` to a log. */
async function hookScript(
  dir: string,
  initExit = 0,
): Promise<{ script: string; log: string; lines(): Promise<string[]> }> {
  const script = path.join(dir, 'hook.sh');
  const log = path.join(dir, 'hook.log');
  await writeFile(
    script,
    `#!/bin/sh\necho "$ACTION $ARGUMENT $CAMCTL_CAMERA_PATH" >> '${log}'\nif [ "$ACTION" = init ]; then exit ${initExit}; fi\necho "hook ran for $ACTION"\n`,
  );
  await chmod(script, 0o755);
  return { script, log, lines: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean) };
}

describe('camctl get: choosing files as in gphoto2', () => {
  it('--band, --type and --range (gphoto2 RANGE, exclusive-or) pick files by band, suffix and number in the folder', async () => {
    const { emu, camera, dataDir } = await startEmu();
    await capture(emu, 1);
    const onCamera = await cameraFiles(dataDir);
    const folder = [...onCamera.keys()][0]!.split('/').slice(0, 2).join('/');
    const listed = [...onCamera.keys()].filter((k) => k.startsWith(`${folder}/`)).sort();
    expect(listed).toHaveLength(5);

    const out = await tempDir();
    const nir = await runJson<Files>(['--camera', camera, 'get', `/${folder}`, '-o', out, '--band', 'nir,REG']);
    expect(nir.result.code, nir.result.stderr).toBe(0);
    expect(nir.json.files.map((f) => path.basename(f.path)).sort()).toEqual(
      listed.filter((k) => /_(NIR|REG)\.TIF$/.test(k)).map((k) => path.basename(k)),
    );

    const jpg = await runJson<Files>(['--camera', camera, 'get', `/${folder}`, '-o', out, '--type', 'JPEG']);
    expect(jpg.json.files.map((f) => path.basename(f.path))).toEqual(
      listed.filter((k) => k.endsWith('.JPG')).map((k) => path.basename(k)),
    );

    // The camera's listing order numbers the files; 1-4,3,5 is 1, 2, 4, 5.
    const order = (
      await runJson<{ entries: Array<{ path: string }> }>(['--camera', camera, 'ls', `/${folder}`])
    ).json.entries.map((e) => e.path);
    expect(order).toHaveLength(5);
    const range = await runJson<Files>([
      '--camera',
      camera,
      'get',
      `/${folder}`,
      '-o',
      await tempDir(),
      '--range',
      '1-4,3,5',
    ]);
    expect(range.result.code, range.result.stderr).toBe(0);
    expect(range.json.files.map((f) => f.path)).toEqual([0, 1, 3, 4].map((i) => order[i]));
    // A single file keeps its number in its folder.
    const one = await runJson<Files>(['--camera', camera, 'get', order[3]!, '-o', await tempDir(), '--range', '4']);
    expect(one.json.files.map((f) => f.path)).toEqual([order[3]]);
    const none = await runJson<Files>(['--camera', camera, 'get', order[3]!, '-o', await tempDir(), '--range', '1-3']);
    expect(none.json.files).toEqual([]);

    const bad = await runCli(['--camera', camera, 'get', `/${folder}`, '--band', 'ultraviolet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--band: unknown band "ultraviolet"; the Sequoia's bands are green, red, red-edge, nir and rgb/,
    );
    const badRange = await runCli(['--camera', camera, 'get', `/${folder}`, '--range', '5-2']);
    expect(badRange.code).toBe(2);
    expect(badRange.stderr).toMatch(/--range: "5-2" is not a number or a span/);
    const zip = await runCli(['--camera', camera, 'get', `/${folder}`, '--zip', '--band', 'nir']);
    expect(zip.code).toBe(2);
  });

  it("--filename names local files with gphoto2's patterns (capture time, number, name, suffix, folder); a rerun knows them", async () => {
    const { emu, camera, dataDir } = await startEmu();
    await capture(emu, 1);
    const onCamera = await cameraFiles(dataDir);
    const folder = [...onCamera.keys()][0]!.split('/').slice(0, 2).join('/');
    const ls = (
      await runJson<{ entries: Array<{ path: string; name: string; time: number }> }>([
        '--camera',
        camera,
        'ls',
        `/${folder}`,
      ])
    ).json.entries;
    const out = await tempDir();
    const args = [
      '--camera',
      camera,
      'get',
      `/${folder}`,
      '-o',
      out,
      '--filename',
      '%Y/%m%d/%H%M%S-%03n-%f.%C',
      '--band',
      'rgb,nir',
    ];
    const env = { TZ: 'UTC' };
    const first = await runJson<Files>(args, env);
    expect(first.result.code, first.result.stderr).toBe(0);
    const expected = ls
      .map((e, i) => ({ ...e, n: i + 1 }))
      .filter((e) => /_(RGB|NIR)\./.test(e.name))
      .map((e) => {
        const d = new Date(e.time);
        const p = (n: number) => String(n).padStart(2, '0');
        const base = e.name.slice(0, e.name.lastIndexOf('.'));
        return {
          path: e.path,
          local: `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}/${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${String(e.n).padStart(3, '0')}-${base}.${e.name.split('.').pop()}`,
        };
      });
    expect(expected).toHaveLength(2);
    expect(await localFiles(out)).toEqual(expected.map((e) => e.local).sort());
    for (const e of expected)
      expect((await readFile(path.join(out, e.local))).equals(onCamera.get(e.path.slice(1))!)).toBe(true);

    const again = await runJson<Files>(args, env);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.json.files.map((f) => f.reason)).toEqual(['already-downloaded', 'already-downloaded']);
    // %F/%: — the camera folder and the lower-case name.
    const lower = await runJson<Files>(
      ['--camera', camera, 'get', `/${folder}`, '-o', out, '--filename', 'low/%F/%:', '--type', 'jpg'],
      env,
    );
    expect(lower.result.code, lower.result.stderr).toBe(0);
    expect(lower.json.files.map((f) => path.relative(out, f.file))).toEqual([
      path.join('low', folder, ls.find((e) => e.name.endsWith('.JPG'))!.name.toLowerCase()),
    ]);

    // A pattern that gives two camera files one name is refused before anything is written.
    const clash = await runCli([
      '--camera',
      camera,
      'get',
      `/${folder}`,
      '-o',
      await tempDir(),
      '--filename',
      '%Y%m%d.%C',
    ]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(
      /--filename "%Y%m%d\.%C" gives .* for both .* and .*; add %f or %n to tell them apart/,
    );
    const unknown = await runCli(['--camera', camera, 'get', `/${folder}`, '--filename', '%q_%f']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--filename: unknown conversion %q/);
    const escape = await runCli([
      '--camera',
      camera,
      'get',
      `/${folder}`,
      '-o',
      await tempDir(),
      '--filename',
      '../%f.%C',
    ]);
    expect(escape.code).toBe(2);
    expect(escape.stderr).toMatch(/must not be empty, hidden \(start with a dot\) or leave the output directory/);
  });

  it('--hook-script runs with ACTION init, start, download (ARGUMENT = the local file) and stop; not for files already there; a failing init stops camctl', async () => {
    const { emu, camera, dataDir } = await startEmu();
    await capture(emu, 1);
    const folder = [...(await cameraFiles(dataDir)).keys()][0]!.split('/').slice(0, 2).join('/');
    const work = await tempDir();
    const out = path.join(work, 'out');
    const hook = await hookScript(work);
    const first = await runJson<Files>([
      '--camera',
      camera,
      'get',
      `/${folder}`,
      '-o',
      out,
      '--hook-script',
      hook.script,
      '--type',
      'tif',
    ]);
    expect(first.result.code, first.result.stderr).toBe(0);
    // The script's own output goes to stderr under --json: stdout stayed one JSON document.
    expect(first.result.stderr).toMatch(/hook ran for download/);
    const lines = await hook.lines();
    expect(lines[0]).toMatch(/^init\s*$/);
    expect(lines[1]).toMatch(/^start\s*$/);
    expect(lines.at(-1)).toMatch(/^stop\s*$/);
    const downloads = lines.slice(2, -1);
    expect(downloads.sort()).toEqual(first.json.files.map((f) => `download ${path.resolve(f.file)} ${f.path}`).sort());
    expect(downloads).toHaveLength(4);

    const again = await runJson<Files>([
      '--camera',
      camera,
      'get',
      `/${folder}`,
      '-o',
      out,
      '--hook-script',
      hook.script,
      '--type',
      'tif',
    ]);
    expect(again.result.code).toBe(0);
    expect((await hook.lines()).slice(lines.length).map((l) => l.trim())).toEqual(['init', 'start', 'stop']);

    const refusing = await hookScript(await tempDir(), 3);
    const stopped = await runCli([
      '--camera',
      camera,
      'get',
      `/${folder}`,
      '-o',
      path.join(work, 'other'),
      '--hook-script',
      refusing.script,
    ]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/the hook script .*hook\.sh stopped camctl at init \(exit 3\)/);
    await expect(readdir(path.join(work, 'other'))).rejects.toThrow();
    const missing = await runCli([
      '--camera',
      camera,
      'get',
      `/${folder}`,
      '--hook-script',
      path.join(work, 'nope.sh'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--hook-script .*nope\.sh: no such file/);
  });

  it('sync DIR --hook-script runs the script for every file it writes', async () => {
    const { emu, camera, dataDir } = await startEmu();
    await capture(emu, 1);
    const onCamera = await cameraFiles(dataDir);
    const work = await tempDir();
    const out = path.join(work, 'out');
    const hook = await hookScript(work);
    const r = await runCli(['--camera', camera, 'sync', out, '--hook-script', hook.script, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const lines = await hook.lines();
    expect(lines.filter((l) => l.startsWith('download ')).sort()).toEqual(
      [...onCamera.keys()].map((k) => `download ${path.join(out, k)} /${k}`).sort(),
    );
    expect(lines.at(-1)?.trim()).toBe('stop');
    const s3 = await runCli(['--camera', camera, 'sync', '--to', 's3://bucket/x', '--hook-script', hook.script]);
    expect(s3.code).toBe(2);
    expect(s3.stderr).toMatch(/--hook-script goes with a directory/);
  });

  it("--thumbnail saves the THETA's own thumbnails as thumb_NAME.jpg, recorded like any download; the Sequoia says it has none", async () => {
    const dataDir = await tempDir('camctl-theta-');
    const theta = await startThetaEmulator({ dataDir, speed: 20 });
    onCleanup(() => theta.close());
    const address = `theta://127.0.0.1:${new URL(theta.url).port}`;
    const cam = await openCamera(address);
    onCleanup(() => cam.close());
    const shot = await cam.capture();
    const picture = shot.files[0]!;
    const thumb = Buffer.from(await cam.thumbnail!(picture.path));
    expect(thumb.subarray(0, 2).toString('hex')).toBe('ffd8');

    const out = await tempDir();
    const folder = picture.path.slice(0, picture.path.lastIndexOf('/'));
    const got = await runJson<Files>(['--camera', address, 'get', folder, '-o', out, '--thumbnail']);
    expect(got.result.code, got.result.stderr).toBe(0);
    const local = path.join(out, folder.slice(1), `thumb_${picture.name.replace(/\.JPG$/i, '')}.jpg`);
    expect(got.json.files.map((f) => f.file)).toEqual([local]);
    expect((await readFile(local)).equals(thumb)).toBe(true);
    const again = await runJson<Files>(['--camera', address, 'get', folder, '-o', out, '--thumbnail']);
    expect(again.json.files.map((f) => f.reason)).toEqual(['already-downloaded']);

    const sequoia = await startEmu();
    await capture(sequoia.emu, 1);
    const rgb = [...(await cameraFiles(sequoia.dataDir)).keys()].find((k) => k.endsWith('.JPG'))!;
    const none = await runCli(['--camera', sequoia.camera, 'get', `/${rgb}`, '-o', out, '--thumbnail']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /this camera \(sequoia\) sends no thumbnails of its files; download the pictures themselves/,
    );
  });
});

describe('camctl watch --download', () => {
  it('fetches a timelapse picture by picture as the camera writes it, runs the hook for each, and only the chosen bands', async () => {
    const { emu, camera, dataDir } = await startEmu();
    // A picture taken before the watch starts is not a new one.
    await capture(emu, 1);
    const before = new Set((await cameraFiles(dataDir)).keys());
    const work = await tempDir();
    const out = path.join(work, 'out');
    const hook = await hookScript(work);
    const child = startCli([
      '--camera',
      camera,
      'watch',
      '--json',
      '--download',
      out,
      '--band',
      'nir,rgb',
      '--hook-script',
      hook.script,
    ]);
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const lines = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await waitFor(() => emu.http.webSocketClients === 1, 'the watch to connect');

    emu.device.setConfig({ capture_mode: 'timelapse', timelapse_param: 1 });
    expect((await emu.device.startCapture()).ok).toBe(true);
    await waitFor(() => lines().filter((l) => l.type === 'download').length >= 4, 'four downloads', 60_000);
    await emu.device.stopCapture();
    await emu.device.whenSessionEnds();
    // Every NIR and RGB picture of the timelapse, and nothing else, arrives.
    const taken = [...(await cameraFiles(dataDir)).entries()].filter(([k]) => !before.has(k) && /_(NIR|RGB)\./.test(k));
    await waitFor(
      () => lines().filter((l) => l.type === 'download').length === taken.length,
      'the last pictures',
      30_000,
    );
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code, stderr).toBe(0);

    expect(await localFiles(out)).toEqual(taken.map(([k]) => k).sort());
    for (const [k, bytes] of taken) expect((await readFile(path.join(out, k))).equals(bytes), k).toBe(true);
    const downloads = lines().filter((l) => l.type === 'download');
    expect(downloads.every((l) => l.status === 'downloaded')).toBe(true);
    const hookLines = await hook.lines();
    expect(hookLines.filter((l) => l.startsWith('download ')).sort()).toEqual(
      taken.map(([k]) => `download ${path.join(out, k)} /${k}`).sort(),
    );
    expect(hookLines.at(-1)?.trim()).toBe('stop');
  });

  it('options of --download without it are refused', async () => {
    const { camera } = await startEmu();
    const r = await runCli(['--camera', camera, 'watch', '--band', 'nir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/go with --download DIR/);
  });
});

describe('camctl capture --download', () => {
  it('takes the choices of get: --band/--type, --filename (with %n, the number in its folder) and --hook-script', async () => {
    const { emu, camera, dataDir } = await startEmu();
    emu.device.setConfig({
      capture_mode: 'single',
      resolution_mono: 0.3,
      resolution_rgb: 12,
      storage_selected: 'internal',
    });
    const work = await tempDir();
    const out = path.join(work, 'out');
    const hook = await hookScript(work);
    const shot = await runJson<{ folder: string; files: Array<{ path: string }>; downloaded: Files['files'] }>([
      '--camera',
      camera,
      'capture',
      '--download',
      out,
      '--band',
      'nir,rgb',
      '--filename',
      '%F/%03n_%f.%C',
      '--hook-script',
      hook.script,
    ]);
    expect(shot.result.code, shot.result.stderr).toBe(0);
    // The shot lists all five files; only the chosen bands are downloaded.
    expect(shot.json.files).toHaveLength(5);
    const onCamera = await cameraFiles(dataDir);
    const folder = shot.json.folder.replace(/^\//, '');
    const order = (
      await runJson<{ entries: Array<{ path: string; name: string }> }>(['--camera', camera, 'ls', `/${folder}`])
    ).json.entries;
    const expected = order
      .map((e, i) => ({ ...e, local: `${folder}/${String(i + 1).padStart(3, '0')}_${e.name}` }))
      .filter((e) => /_(NIR|RGB)\./.test(e.name));
    expect(expected).toHaveLength(2);
    expect(await localFiles(out)).toEqual(expected.map((e) => e.local).sort());
    for (const e of expected)
      expect((await readFile(path.join(out, e.local))).equals(onCamera.get(e.path.slice(1))!), e.path).toBe(true);
    expect(shot.json.downloaded.map((f) => f.path).sort()).toEqual(expected.map((e) => e.path).sort());
    expect(shot.json.downloaded.every((f) => f.status === 'downloaded')).toBe(true);
    const lines = (await hook.lines()).map((l) => l.trim());
    expect(lines.slice(0, 2)).toEqual(['init', 'start']);
    expect(lines.at(-1)).toBe('stop');
    expect(lines.slice(2, -1).sort()).toEqual(
      expected.map((e) => `download ${path.resolve(out, e.local)} ${e.path}`).sort(),
    );
  });

  it('on a THETA --type and a folder in the pattern; a pattern giving two files of the shot one name is refused for the second; choices without --download are refused', async () => {
    const dataDir = await tempDir('camctl-theta-');
    const theta = await startThetaEmulator({ dataDir, speed: 20 });
    onCleanup(() => theta.close());
    const address = `theta://127.0.0.1:${new URL(theta.url).port}`;
    const out = await tempDir();
    const shot = await runJson<{ files: Array<{ path: string; name: string }>; downloaded: Files['files'] }>(
      ['--camera', address, 'capture', '--download', out, '--type', 'jpg', '--filename', 'sphere/%f.%C'],
      { TZ: 'UTC' },
    );
    expect(shot.result.code, shot.result.stderr).toBe(0);
    const picture = shot.json.files[0]!;
    expect(await localFiles(out)).toEqual([`sphere/${picture.name}`]);
    const none = await runCli(['--camera', address, 'capture', '--download', await tempDir(), '--type', 'tif']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toMatch(/no file of the picture matches --band and --type; nothing downloaded/);

    const { emu, camera, dataDir: seqData } = await startEmu();
    emu.device.setConfig({
      capture_mode: 'single',
      resolution_mono: 0.3,
      resolution_rgb: 12,
      storage_selected: 'internal',
    });
    const clashDir = await tempDir();
    const clash = await runCli([
      '--camera',
      camera,
      'capture',
      '--download',
      clashDir,
      '--type',
      'tif',
      '--filename',
      'one.%C',
    ]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(
      /--filename "one\.%C" gives .*one\.TIF for both \S+ and \S+; add %f or %n to tell them apart/,
    );
    // The file that took the name first is there whole; nothing else was written.
    const [only, ...rest] = await localFiles(clashDir);
    expect(rest).toEqual([]);
    expect(only).toBe('one.TIF');
    const tif = await readFile(path.join(clashDir, 'one.TIF'));
    expect([...(await cameraFiles(seqData)).values()].some((b) => b.equals(tif))).toBe(true);

    const refused = await runCli(['--camera', camera, 'capture', '--band', 'nir']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/go with --download DIR/);
  });
});

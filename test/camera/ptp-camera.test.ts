/**
 * The common CLI commands over both PTP links, one suite: what the CLI does through PTP is checked
 * through the emulator's other face (HTTP) and its files on disk.
 * - `ptpip://`: the built CLI (`node bin/camctl.js`) against the emulated camera's PTP/IP face,
 *   on 127.0.0.1 with OS-picked ports.
 * - `usb:`: the CLI in-process (main()), since its camera is an in-memory USB device with the same
 *   emulated camera's PTP responder behind it (this machine and CI have no USB bus).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cameraIdentity, DownloadLedger } from '../../src/camera/download-record.js';
import { openCamera } from '../../src/camera/open.js';
import type { RunningSequoiaEmulator, SequoiaEmulatorOptions } from '../../src/emulator/sequoia/emulator.js';
import { SequoiaPtpBackend } from '../../src/emulator/sequoia/ptp-face.js';
import { startThetaEmulator, type RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { ThetaPtpBackend } from '../../src/emulator/theta/ptp-face.js';
import type { MemoryUsbDevice } from '../../src/emulator/usb/memory-device.js';
import {
  cleanup,
  closedPort,
  onCleanup,
  requireBuild,
  runJson,
  startCli,
  startEmu,
  tempDir,
  type Emu,
} from '../cli/helpers.js';
import { camctlInProcess, startCamctlInProcess } from '../helpers/camctl-in-process.js';
import { emptyUsbBus, plugUsbCamera, unplugAllUsbCameras, unplugUsbCamera } from '../helpers/usb-cameras.js';
import { waitFor } from '../helpers/wait-for.js';

beforeAll(requireBuild);
// Sessions and emulators first, then the bus goes back to its real source.
afterEach(async () => {
  await cleanup();
  unplugAllUsbCameras();
});

interface Run {
  result: { code: number | null; stdout: string; stderr: string };
}
interface Watcher {
  stdout(): string;
  stop(): void;
}
type PtpEmu = Emu & { cam: string };

/** How the suite reaches an emulated camera over one link, and how it runs the CLI there. */
interface Link {
  name: string;
  /** `CameraInfo.protocol` over this link. */
  protocol: string;
  /** What `info().details` says about the link. */
  linkDetails: Record<string, unknown>;
  /** The emulated Sequoia, with the address of its PTP face on this link. */
  sequoia(options?: SequoiaEmulatorOptions): Promise<PtpEmu>;
  /** The emulated THETA (closed after the test), with its address on this link. */
  theta(dataDir: string): Promise<{ theta: RunningThetaEmulator; cam: string }>;
  /** The camera goes away and comes back on the same data directory, at the same address. */
  restart(emu: RunningSequoiaEmulator, dataDir: string): Promise<Emu>;
  /** An address where no camera answers. */
  nowhere(): Promise<string>;
  runJson<T>(args: string[]): Promise<Run & { json: T }>;
  watch(args: string[]): Watcher;
}

const ptpip: Link = {
  name: 'ptpip://',
  protocol: 'ptpip',
  linkDetails: { responderName: 'Sequoia' },
  async sequoia(options = {}) {
    const e = await startEmu({ ptpipPort: 0, ...options });
    return { ...e, cam: `ptpip://${e.emu.ptpip as string}` };
  },
  async theta(dataDir) {
    const theta = await startThetaEmulator({ dataDir, httpPort: 0, ptpipPort: 0, shotProcessingMs: 100 });
    onCleanup(() => theta.close());
    return { theta, cam: `ptpip://${theta.ptpip as string}` };
  },
  async restart(emu, dataDir) {
    const port = Number((emu.ptpip as string).split(':')[1]);
    await emu.close();
    let httpPort = await closedPort();
    while (httpPort === port) httpPort = await closedPort();
    return startEmu({ dataDir, ptpipPort: port, httpPort });
  },
  async nowhere() {
    return `ptpip://127.0.0.1:${await closedPort()}`;
  },
  runJson,
  watch(args) {
    const child = startCli(args);
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    return { stdout: () => stdout, stop: () => child.kill('SIGINT') };
  },
};

/** The memory device each emulator is plugged in as, for restart(). */
const usbDevices = new WeakMap<RunningSequoiaEmulator, MemoryUsbDevice>();

const usb: Link = {
  name: 'usb:',
  protocol: 'usb',
  // Where the camera was found, as lsusb would print it.
  linkDetails: { usb: expect.stringMatching(/^usb:001:\d{3}$/), usbId: '19cf:0001' },
  async sequoia(options = {}) {
    const e = await startEmu(options);
    usbDevices.set(e.emu, plugUsbCamera(new SequoiaPtpBackend(e.emu.device), { vendorId: 0x19cf }));
    return { ...e, cam: 'usb:' };
  },
  async theta(dataDir) {
    const theta = await startThetaEmulator({ dataDir, httpPort: 0, shotProcessingMs: 100 });
    onCleanup(() => theta.close());
    plugUsbCamera(new ThetaPtpBackend(theta.device), { vendorId: 0x05ca, productId: 0x0366 });
    return { theta, cam: 'usb:' };
  },
  async restart(emu, dataDir) {
    const device = usbDevices.get(emu);
    if (device) unplugUsbCamera(device);
    await emu.close();
    const again = await startEmu({ dataDir });
    usbDevices.set(again.emu, plugUsbCamera(new SequoiaPtpBackend(again.emu.device), { vendorId: 0x19cf }));
    return again;
  },
  async nowhere() {
    emptyUsbBus();
    return 'usb:';
  },
  async runJson<T>(args: string[]) {
    const result = await camctlInProcess(...args, '--json');
    try {
      return { result, json: JSON.parse(result.stdout) as T };
    } catch {
      throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\nstderr: ${result.stderr}`);
    }
  },
  watch(args) {
    const run = startCamctlInProcess(args);
    onCleanup(() => (run.interrupt(), run.done));
    return { stdout: run.stdout, stop: run.interrupt };
  },
};

/** One small single capture through the device (the HTTP face's path) on the selected medium; its folder. */
async function shoot(emu: RunningSequoiaEmulator): Promise<string> {
  emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12 });
  const r = await emu.device.startCapture();
  expect(r.ok).toBe(true);
  await emu.device.whenSessionEnds();
  const medium = emu.device.getConfig().storage_selected;
  const folders = (await (await fetch(`${emu.url}/file/${medium}`)).json()) as Record<string, unknown>;
  // Keys are folder paths: {"/internal/0000": 5, …}.
  const names = Object.keys(folders)
    .flatMap((k) => /^\/\w+\/(\d{4})$/.exec(k)?.[1] ?? [])
    .sort();
  return names.at(-1) as string;
}

async function httpBytes(emu: RunningSequoiaEmulator, p: string): Promise<Buffer> {
  const r = await fetch(`${emu.url}/download${p}`);
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

interface Entry {
  kind: string;
  path: string;
  name: string;
  size?: number;
  count?: number;
}

describe.each([ptpip, usb])('camctl over $name', (link) => {
  const runJson = link.runJson.bind(link);

  it('info and status name the camera, its extension and both media', async () => {
    const { cam } = await link.sequoia();
    const info = await runJson<{
      protocol: string;
      manufacturer: string;
      model: string;
      serialNumber: string;
      details: Record<string, unknown>;
    }>(['--camera', cam, 'info']);
    expect(info.result.code).toBe(0);
    expect(info.json).toMatchObject({
      protocol: link.protocol,
      manufacturer: 'Parrot',
      model: 'Sequoia',
      serialNumber: 'PI040378AA6A000109',
    });
    expect(info.json.details).toMatchObject({
      vendorExtensionId: '0x001b',
      vendorExtensionDesc: 'parrot.com: 1.0;',
      ...link.linkDetails,
    });

    const status = await runJson<{
      capture: { state: string };
      battery: { level: number };
      media: Array<{ id: string; present: boolean; selected: boolean; totalBytes: number }>;
    }>(['--camera', cam, 'status']);
    expect(status.result.code).toBe(0);
    expect(status.json.capture.state).toBe('idle');
    expect(status.json.battery.level).toBe(1);
    expect(status.json.media.map((m) => [m.id, m.selected])).toEqual([
      ['internal', true],
      ['sd', false],
    ]);
    expect(status.json.media[0]?.totalBytes).toBeGreaterThan(0);
  });

  it("config lists the Sequoia's settings (PTP names as aliases); config set changes /config over HTTP; bad values are refused before sending", async () => {
    const { emu, cam } = await link.sequoia();
    const all = await runJson<{
      settings: Array<{
        key: string;
        type: string;
        value: unknown;
        writable: boolean;
        range?: { min: number; max: number };
        raw?: unknown;
      }>;
    }>(['--camera', cam, 'config']);
    expect(all.result.code).toBe(0);
    const mask = all.json.settings.find((s) => s.key === 'sensors_mask');
    expect(mask).toMatchObject({
      type: 'integer',
      value: 31,
      writable: true,
      range: { min: 1, max: 31 },
      raw: { name: 'PhotoSensorEnableMask', value: 31 },
    });
    expect(all.json.settings.find((s) => s.key === 'BatteryLevel')).toMatchObject({ writable: false, value: 100 });

    const set = await runJson<{ applied: Array<{ key: string; value: unknown }>; refused: unknown[] }>([
      '--camera',
      cam,
      'config',
      'set',
      'PhotoSensorEnableMask=3',
      'ImageSize=4000 x 3000',
    ]);
    expect(set.result.code).toBe(0);
    expect(set.json.applied).toEqual([
      { key: 'sensors_mask', value: 3 },
      { key: 'resolution_rgb', value: 12 },
    ]);
    expect(set.json.refused).toEqual([]);
    const http = (await (await fetch(`${emu.url}/config`)).json()) as { sensors_mask: number; resolution_rgb: number };
    expect(http.sensors_mask).toBe(3);
    expect(http.resolution_rgb).toBe(12);

    const bad = await runJson<{ error: { code: string } }>([
      '--camera',
      cam,
      'config',
      'set',
      'PhotoSensorEnableMask=99',
    ]);
    expect(bad.result.code).toBe(2);
    expect(bad.json.error.code).toBe('BAD_VALUE');
    const unknown = await runJson<{ error: { code: string } }>(['--camera', cam, 'config', 'get', 'NoSuchThing']);
    expect(unknown.json.error.code).toBe('UNKNOWN_SETTING');
  });

  it('capture takes a picture through PTP and lists its files; in timelapse mode the camera says busy', async () => {
    const { emu, cam } = await link.sequoia();
    emu.device.setConfig({ resolution_mono: 0.3, resolution_rgb: 12, sensors_mask: 31 });
    const shot = await runJson<{ folder: string; files: Entry[] }>(['--camera', cam, 'capture']);
    expect(shot.result.code).toBe(0);
    expect(shot.json.folder).toMatch(/^\/internal\/\d{4}$/);
    expect(shot.json.files.map((f) => f.name.slice(-7)).sort()).toEqual([
      'GRE.TIF',
      'NIR.TIF',
      'RED.TIF',
      'REG.TIF',
      'RGB.JPG',
    ]);
    for (const f of shot.json.files) expect(f.size).toBe((await httpBytes(emu, f.path)).length);

    emu.device.setConfig({ capture_mode: 'timelapse' });
    const busy = await runJson<{ error: { code: string; deviceMessage: string } }>(['--camera', cam, 'capture']);
    expect(busy.result.code).toBe(1);
    expect(busy.json.error).toMatchObject({ code: 'BUSY', deviceMessage: 'DeviceBusy' });
  });

  it('ls maps storages and folders onto /<medium>/<folder>/<file>, as the HTTP face lists them', async () => {
    const { emu, cam } = await link.sequoia();
    const folder = await shoot(emu);
    const media = await runJson<{ entries: Entry[] }>(['--camera', cam, 'ls']);
    expect(media.json.entries.map((e) => e.path)).toEqual(['/internal', '/sd']);
    const folders = await runJson<{ entries: Entry[] }>(['--camera', cam, 'ls', '/internal']);
    expect(folders.json.entries).toEqual([
      expect.objectContaining({ kind: 'folder', path: `/internal/${folder}`, count: 5 }),
    ]);
    const files = await runJson<{ entries: Entry[] }>(['--camera', cam, 'ls', `/internal/${folder}`]);
    const http = (await (await fetch(`${emu.url}/file/internal/${folder}`)).json()) as Record<
      string,
      { size?: number } | unknown
    >;
    const httpNames = Object.keys(http)
      .flatMap((k) => /\/(IMG_[^/]+)$/.exec(k)?.[1] ?? [])
      .sort();
    expect(httpNames).toHaveLength(5);
    expect(files.json.entries.map((e) => e.name).sort()).toEqual(httpNames);
    const missing = await runJson<{ error: { code: string } }>(['--camera', cam, 'ls', '/internal/9999']);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    const bad = await runJson<{ error: { code: string } }>(['--camera', cam, 'ls', '/internal/../x']);
    expect(bad.json.error.code).toBe('BAD_PATH');
  });

  it('get downloads byte-identical files and resumes a partial one with GetPartialObject', async () => {
    const { emu, cam } = await link.sequoia();
    const folder = await shoot(emu);
    const out = await tempDir();
    const all = await runJson<{ files: Array<{ path: string; file: string; size: number; transferred: number }> }>([
      '--camera',
      cam,
      'get',
      `/internal/${folder}`,
      '-o',
      out,
    ]);
    expect(all.result.code).toBe(0);
    expect(all.json.files).toHaveLength(5);
    for (const f of all.json.files) expect((await readFile(f.file)).equals(await httpBytes(emu, f.path))).toBe(true);

    // An interrupted earlier run left the first 100 000 bytes in the temporary file, recorded as
    // begun for this camera file (as camctl records it before the first byte).
    const tif = all.json.files.find((f) => f.path.endsWith('_NIR.TIF')) as { path: string; size: number };
    const want = await httpBytes(emu, tif.path);
    const dir = await tempDir();
    const local = path.join(dir, ...tif.path.split('/').filter(Boolean));
    await mkdir(path.dirname(local), { recursive: true });
    const camera = await openCamera(cam);
    const ledger = new DownloadLedger(await cameraIdentity(camera).finally(() => camera.close()));
    const records = await ledger.directory(path.dirname(local));
    await records.notePartial(
      `.${path.basename(tif.path)}.part`,
      ledger.objectOf({ path: tif.path, size: want.length }),
    );
    await writeFile(path.join(path.dirname(local), `.${path.basename(tif.path)}.part`), want.subarray(0, 100_000));
    const resumed = await runJson<{
      files: Array<{ file: string; size: number; transferred: number; resumedFrom: number }>;
    }>(['--camera', cam, 'get', tif.path, '-o', dir]);
    expect(resumed.result.code).toBe(0);
    expect(resumed.json.files[0]).toMatchObject({
      status: 'resumed',
      resumedFrom: 100_000,
      transferred: want.length - 100_000,
      size: want.length,
    });
    expect((await readFile(local)).equals(want)).toBe(true);
  });

  it('rm deletes a file and a folder; HTTP no longer lists them', async () => {
    const { emu, cam } = await link.sequoia();
    const first = await shoot(emu);
    const second = await shoot(emu);
    const files = await runJson<{ entries: Entry[] }>(['--camera', cam, 'ls', `/internal/${first}`]);
    const victim = files.json.entries[0] as Entry;
    const rm = await runJson<{ deleted: string[] }>(['--camera', cam, 'rm', victim.path]);
    expect(rm.result.code).toBe(0);
    expect(rm.json.deleted).toEqual([victim.path]);
    expect((await fetch(`${emu.url}/download${victim.path}`)).status).toBe(404);

    const folder = await runJson<{ deleted: string[] }>(['--camera', cam, 'rm', `/internal/${second}`]);
    expect(folder.result.code).toBe(0);
    expect(folder.json.deleted).toContain(`/internal/${second}`);
    expect(folder.json.deleted).toHaveLength(6);
    const left = await runJson<{ entries: Entry[] }>(['--camera', cam, 'ls', '/internal']);
    expect(left.json.entries.map((e) => e.path)).toEqual([`/internal/${first}`]);
  });

  it('watch prints settings, files added and removed from the event connection, and survives a restart', async () => {
    const { emu, cam, dataDir } = await link.sequoia();
    const folder = await shoot(emu);
    const victim = `/internal/${folder}/${(await runJson<{ entries: Entry[] }>(['--camera', cam, 'ls', `/internal/${folder}`])).json.entries[0]?.name as string}`;
    const watcher = link.watch(['--camera', cam, 'watch', '--json']);
    const lines = (): Array<Record<string, unknown>> =>
      watcher
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const has = (pred: (l: Record<string, unknown>) => boolean) => (): boolean => lines().some(pred);

    // Ready once a change made now is reported (the watcher lists the card before listening).
    let mask = 1;
    await waitFor(() => {
      emu.device.setConfig({ sensors_mask: (mask = mask === 1 ? 3 : 1) });
      return lines().some((l) => l.type === 'setting' && l.key === 'sensors_mask');
    }, 'the watcher to report a setting');

    emu.device.setConfig({ sensors_mask: 31 });
    const r = await emu.device.startCapture();
    expect(r.ok).toBe(true);
    await waitFor(
      has((l) => l.type === 'capture' && l.state === 'idle'),
      'capture complete',
    );
    expect(lines().filter((l) => l.type === 'file-added')).toHaveLength(5);
    expect(lines().some((l) => l.type === 'capture' && l.state === 'capturing')).toBe(true);

    expect((await fetch(`${emu.url}/delete${victim}`)).status).toBe(200);
    await waitFor(
      has((l) => l.type === 'file-removed' && l.path === victim),
      'file-removed with its path',
    );

    // The camera goes away and comes back (same port; over USB, a new device number): the watcher
    // says so and carries on.
    const restarted = link.restart(emu, dataDir);
    await waitFor(
      has((l) => l.type === 'connection' && l.state === 'lost'),
      'the link-lost line',
    );
    const again = await restarted;
    await waitFor(
      has((l) => l.type === 'connection' && l.state === 'restored'),
      'the link-restored line',
    );
    let other = 1;
    await waitFor(() => {
      again.emu.device.setConfig({ overlap_param: (other = other === 1 ? 2 : 1) });
      return lines().some((l) => l.type === 'setting' && l.key === 'overlap_param');
    }, 'a setting after the restart');
    watcher.stop();
  });

  it('sync mirrors every medium and resumes partial files', async () => {
    const { emu, cam } = await link.sequoia();
    await shoot(emu);
    emu.device.setConfig({ storage_selected: 'sd' });
    const sdFolder = await shoot(emu);
    const out = await tempDir();
    const first = await runJson<{ files: number; downloaded: number; failed: number }>(['--camera', cam, 'sync', out]);
    expect(first.result.code).toBe(0);
    expect(first.json).toMatchObject({ files: 10, downloaded: 10, failed: 0 });

    // Make one file partial again (as a killed run leaves it) and another missing.
    const listed = await runJson<{ entries: Entry[] }>(['--camera', cam, 'ls', `/sd/${sdFolder}`]);
    const [a, b] = listed.json.entries as [Entry, Entry];
    const localA = path.join(out, 'sd', sdFolder, a.name);
    const full = await readFile(localA);
    const { rm } = await import('node:fs/promises');
    await rm(localA);
    await writeFile(path.join(out, 'sd', sdFolder, `.${a.name}.part`), full.subarray(0, 4096));
    await rm(path.join(out, 'sd', sdFolder, b.name));
    const second = await runJson<{
      files: number;
      downloaded: number;
      resumed: number;
      skipped: number;
      transferredBytes: number;
    }>(['--camera', cam, 'sync', out]);
    expect(second.result.code).toBe(0);
    expect(second.json).toMatchObject({ files: 10, resumed: 1, downloaded: 1, skipped: 8 });
    expect(second.json.transferredBytes).toBe(full.length - 4096 + (b.size as number));
    expect((await readFile(localA)).equals(await httpBytes(emu, a.path))).toBe(true);
    await expect(stat(path.join(out, 'sd', sdFolder, `.${a.name}.part`))).rejects.toThrow();
  });

  it(`the emulated THETA over ${link.name} lists, captures and downloads under the same paths as theta://`, async () => {
    const { theta, cam } = await link.theta(await tempDir('camctl-theta-'));
    const osc = `theta://${theta.url.replace(/^http:\/\//, '')}`;
    const info = await runJson<{ manufacturer: string; model: string; details: Record<string, unknown> }>([
      '--camera',
      cam,
      'info',
    ]);
    expect(info.json).toMatchObject({
      manufacturer: 'Ricoh Company, Ltd.',
      model: 'RICOH THETA S',
      details: { vendorExtensionId: '0x0006' },
    });
    const shot = await runJson<{ folder: string; files: Entry[] }>(['--camera', cam, 'capture']);
    expect(shot.result.code).toBe(0);
    expect(shot.json.folder).toBe('/internal/100RICOH');
    expect(shot.json.files).toHaveLength(1);
    const file = shot.json.files[0] as Entry;
    const viaOsc = await runJson<{ entries: Entry[] }>(['--camera', osc, 'ls', '/internal/100RICOH']);
    expect(viaOsc.json.entries.map((e) => [e.path, e.size])).toEqual([[file.path, file.size]]);
    const out = await tempDir();
    const got = await runJson<{ files: Array<{ file: string }> }>(['--camera', cam, 'get', file.path, '-o', out]);
    expect(got.result.code).toBe(0);
    const bytes = Buffer.from(
      await (await fetch(`${theta.url}/files/${theta.device.storageId}/100RICOH/${file.name}`)).arrayBuffer(),
    );
    expect((await readFile(got.json.files[0]?.file as string)).equals(bytes)).toBe(true);
  });

  it('a camera that is not there is UNREACHABLE, as with the other schemes', async () => {
    const r = await runJson<{ error: { code: string } }>(['--camera', await link.nowhere(), 'info']);
    expect(r.result.code).toBe(1);
    expect(r.json.error.code).toBe('UNREACHABLE');
  });
});

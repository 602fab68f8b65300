/**
 * One documented shape per command, for the commands beyond the common ones (json-shapes.test.ts):
 * THETA video, interval, preview and options; exif; detect; the Sequoia's wifi, calibrate and
 * manual; every `ptp` subcommand. Each runs against the emulators on every camera kind it applies
 * to, and its --json output is checked against its JSON Schema (src/cli/json-schemas.ts): the same
 * fields and result words on each camera and API level, camera paths rather than http:// URLs.
 * A command asked of a camera it does not apply to answers in the one error shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_SCHEMAS, type JsonCommand } from '../../src/cli/json-schemas.js';
import type { CommandJson } from '../../src/cli/json-shapes.js';
import { SequoiaPtpBackend } from '../../src/emulator/sequoia/ptp-face.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { ThetaPtpBackend } from '../../src/emulator/theta/ptp-face.js';
import type { RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { camctlInProcess } from '../helpers/camctl-in-process.js';
import { urlsOutsideDetails, validate } from '../helpers/json-schema.js';
import { plugUsbCamera, unplugAllUsbCameras } from '../helpers/usb-cameras.js';
import { cleanup, onCleanup, startEmu, tempDir } from './helpers.js';

let sequoia: RunningSequoiaEmulator;
let sequoiaCamera = '';
let thetaHttp = '';
let sequoiaPtp = '';
let thetaPtp = '';
let dir = '';

beforeAll(async () => {
  const { emu, camera } = await startEmu({ ptpipPort: 0 });
  sequoia = emu;
  sequoiaCamera = camera;
  const theta = await startThetaEmulator({
    dataDir: await tempDir('camctl-theta-shapes2-'),
    httpPort: 0,
    ptpipPort: 0,
    shotProcessingMs: 100,
  });
  onCleanup(() => theta.close());
  thetaHttp = `theta://${new URL(theta.url).host}`;
  sequoiaPtp = `ptpip://${emu.ptpip as string}`;
  thetaPtp = `ptpip://${theta.ptpip as string}`;
  plugUsbCamera(new SequoiaPtpBackend(emu.device), { vendorId: 0x19cf, bus: '001', address: 4 });
  plugUsbCamera(new ThetaPtpBackend(theta.device), { vendorId: 0x05ca, productId: 0x0366, bus: '003', address: 9 });
  dir = await tempDir('camctl-shapes2-');
});
afterAll(async () => {
  unplugAllUsbCameras();
  await cleanup();
});

/** Runs camctl --json and checks its output against the command's schema; returns the output. */
async function shaped<C extends JsonCommand>(command: C, args: string[], exit = 0): Promise<CommandJson[C]> {
  const r = await camctlInProcess(...args, '--json');
  expect(r.code, `${args.join(' ')}: ${r.stdout} ${r.stderr}`).toBe(exit);
  const json = JSON.parse(r.stdout) as unknown;
  expect(validate(JSON_SCHEMAS[command], json), `${args.join(' ')} against the ${command} schema`).toEqual([]);
  expect(urlsOutsideDetails(json), `${args.join(' ')}: http:// URLs`).toEqual([]);
  return json as CommandJson[C];
}

/** The top-level field names of an output, for comparing two of the same command. */
function fieldsOf(v: unknown): string[] {
  return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).sort() : [];
}

describe.each([
  ['theta:// at OSC API 2.1', []],
  ['theta:// at OSC API 2.0', ['--osc-api', '2.0']],
])('THETA commands --json over %s', (name, level) => {
  it('video, interval, preview, options and exif have their shapes', async () => {
    const c = ['--camera', thetaHttp, ...level];
    const started = await shaped('video', [...c, 'video', 'start']);
    expect(started).toEqual({ recording: true, files: [], details: { fileUrls: [] } });
    // Writing the video out takes a while on a busy machine.
    const stopped = await shaped('video', [...c, '--timeout', '60', 'video', 'stop']);
    expect(stopped.recording).toBe(false);
    expect(stopped.files, name).toEqual([expect.stringMatching(/^\/internal\/\d{3}RICOH\/R\d{7}\.MP4$/)]);
    // The camera path is one `ls` lists and `rm` takes.
    const folder = stopped.files[0]!.slice(0, stopped.files[0]!.lastIndexOf('/'));
    const listed = await shaped('ls', [...c, 'ls', folder]);
    expect(listed.entries.map((e) => e.path)).toContain(stopped.files[0]);
    expect((await shaped('rm', [...c, 'rm', stopped.files[0]!])).deleted).toEqual(stopped.files);

    const shooting = await shaped('interval', [...c, 'interval', 'start', '--every', '8', '--count', '0']);
    expect([shooting.shooting, shooting.files]).toEqual([true, []]);
    const done = await shaped('interval', [...c, 'interval', 'stop']);
    expect(done.shooting).toBe(false);
    expect(fieldsOf(done)).toEqual(fieldsOf(shooting));
    for (const f of done.files) expect(f).toMatch(/^\/internal\/\d{3}RICOH\/R\d{7}\.JPG$/);

    const frames = await shaped('preview', [...c, 'preview', '--frames', '2', '-o', `${dir}/preview-${level.length}/`]);
    expect(frames).toMatchObject({ frames: 2, output: `${dir}/preview-${level.length}/` });
    expect(frames.bytes).toBeGreaterThan(0);

    const options = await shaped('options get', [...c, 'options', 'get', 'exposureDelay', 'noSuchOption']);
    expect(options).toEqual({ exposureDelay: expect.any(Number) as unknown, noSuchOption: null });
    const set = await shaped('options set', [...c, 'options', 'set', `exposureDelay=${String(options.exposureDelay)}`]);
    expect(set).toEqual({ set: { exposureDelay: options.exposureDelay } });
    const all = await shaped('options get', [...c, 'options', 'get']);
    expect(Object.keys(all).length).toBeGreaterThan(5);

    const shot = await shaped('capture', [...c, 'capture']);
    const exif = await shaped('exif', [...c, 'exif', shot.files[0]!.path]);
    expect(exif.files.map((f) => [f.path, f.source])).toEqual([[shot.files[0]!.path, 'camera']]);
    expect(exif.files[0]!.metadata.panorama).toMatchObject({ ProjectionType: 'equirectangular' });
    await shaped('rm', [...c, 'rm', shot.files[0]!.path]);
  }, 60_000);
});

describe('Sequoia commands --json', () => {
  it('wifi, calibrate, manual and exif have their shapes', async () => {
    const c = ['--camera', sequoiaCamera];
    const wifi = await shaped('wifi', [...c, 'wifi']);
    expect(wifi.status).toBe('on');
    expect(await shaped('wifi set', [...c, 'wifi', 'ssid', 'Shapes_1'])).toEqual({ results: { ssid: 'Ok' } });
    expect(await shaped('wifi set', [...c, 'wifi', 'on'])).toEqual({ results: { status: 'Ok' } });
    expect((await shaped('wifi', [...c, 'wifi'])).ssid).toBe('Shapes_1');

    expect(await shaped('calibrate', [...c, 'calibrate'])).toEqual({ body: 'None', sunshine: 'None' });
    const start = await shaped('calibrate start|stop', [...c, 'calibrate', 'start', 'body']);
    expect(start).toMatchObject({ action: 'start', target: 'body' });
    // Stopped while it runs (the usual case) or, on a very slow machine, refused as finished.
    const stop = await camctlInProcess(...c, 'calibrate', 'stop', '--json');
    const stopJson = JSON.parse(stop.stdout) as unknown;
    expect(validate(stop.code === 0 ? JSON_SCHEMAS['calibrate start|stop'] : JSON_SCHEMAS.error, stopJson)).toEqual([]);
    if (stop.code === 0) expect(stopJson).toMatchObject({ action: 'stop', target: null });

    const manual = await shaped('manual set', [...c, 'manual', 'set', 'rgb.mode=manual', 'rgb.iso=200']);
    expect(manual).toEqual({ results: { 'rgb.mode': 'Ok', 'rgb.iso': 'Ok' } });
    expect((await shaped('manual', [...c, 'manual'])).rgb).toMatchObject({ mode: 'manual', iso: 200 });
    await shaped('manual set', [...c, 'manual', 'auto']);
    expect((await shaped('manual', [...c, 'manual'])).monochrome.mode).toBe('auto');

    sequoia.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12 });
    const shot = await shaped('capture', [...c, 'capture']);
    const nir = shot.files.find((f) => f.name.endsWith('_NIR.TIF'))!;
    // The same picture read through the Sequoia's own API and through PTP/IP: the same shape.
    for (const cam of [sequoiaCamera, sequoiaPtp]) {
      const exif = await shaped('exif', ['--camera', cam, 'exif', nir.path]);
      expect(exif.files[0]).toMatchObject({ path: nir.path, source: 'camera', metadata: { band: 'NIR' } });
    }
    const local = await shaped('get', [...c, 'get', '-o', `${dir}/seq`, nir.path]);
    const onDisk = local.files[0]!.file;
    const exifLocal = await shaped('exif', ['exif', onDisk]);
    expect(exifLocal.files[0]).toMatchObject({ path: onDisk, source: 'local', metadata: { band: 'NIR' } });
  }, 60_000);
});

describe('a command asked of a camera it does not apply to', () => {
  it.each([
    ['video', ['video', 'start']],
    ['interval', ['interval', 'stop']],
    ['preview', ['preview', '--frames', '1', '-o', '/dev/null']],
    ['options', ['options', 'get']],
    ['wifi', ['wifi']],
    ['calibrate', ['calibrate']],
    ['manual', ['manual']],
    ['ptp', ['ptp', 'info']],
  ])('%s answers in the error shape, exit 2', async (command, args) => {
    const other = ['wifi', 'calibrate', 'manual', 'ptp'].includes(command) ? thetaHttp : sequoiaCamera;
    const e = await shaped('error', ['--camera', other, ...args], 2);
    expect(e.error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });
});

describe('detect --json', () => {
  it('lists the USB cameras in the detect shape', async () => {
    const found = await shaped('detect', ['detect']);
    expect(found.map((f) => [f.address, f.unreadable])).toEqual([
      ['usb:001:004', null],
      ['usb:003:009', null],
    ]);
  });
});

describe.each([
  ['a Sequoia over ptpip://', () => sequoiaPtp],
  ['a THETA over ptpip://', () => thetaPtp],
  ['a Sequoia over usb:', () => 'usb:001:004'],
  ['a THETA over usb:', () => 'usb:003:009'],
])('ptp --json with %s', (_name, address) => {
  it('info, storage, props, prop get, prop set and op have their shapes', async () => {
    const c = ['--camera', address()];
    const info = await shaped('ptp info', [...c, 'ptp', 'info']);
    expect(info.hex).toBeNull();
    expect((await shaped('ptp info', [...c, 'ptp', 'info', '--hex'])).hex).toMatch(/^[0-9a-f]+$/);
    const storage = await shaped('ptp storage', [...c, 'ptp', 'storage']);
    expect(storage.length).toBeGreaterThan(0);
    const props = await shaped('ptp props', [...c, 'ptp', 'props']);
    expect(props.length).toBe(info.devicePropertiesSupported.length);
    const writable = props.find((p) => p.getSet === 1 && p.form.kind === 'enum' && typeof p.current === 'number');
    expect(writable, 'a writable enumerated property').toBeDefined();
    const got = await shaped('ptp prop get', [...c, 'ptp', 'prop', 'get', writable!.name]);
    expect([got.code, got.current, got.hex]).toEqual([writable!.code, writable!.current, null]);
    expect((await shaped('ptp prop get', [...c, 'ptp', 'prop', 'get', writable!.name, '--hex'])).hex).toMatch(
      /^[0-9a-f]+$/,
    );
    const set = await shaped('ptp prop set', [...c, 'ptp', 'prop', 'set', writable!.name, String(writable!.current)]);
    expect(set).toEqual({ code: writable!.code, name: writable!.name, value: writable!.current });
    const op = await shaped('ptp op', [...c, 'ptp', 'op', 'GetStorageIDs']);
    expect(op).toMatchObject({
      operation: 'GetStorageIDs',
      response: 'OK',
      dataset: 'StorageIDs',
      decoded: storage.map((s) => s.id),
      hex: null,
    });
    // No data phase: dataset, decoded and hex are there, each null.
    const noData = await shaped('ptp op', [...c, 'ptp', 'op', 'GetNumObjects', '0xffffffff']);
    expect(noData).toMatchObject({ dataset: null, decoded: null, hex: null });
  }, 60_000);
});

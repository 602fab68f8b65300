/**
 * -q and -v do something visible on the commands beyond the common ones (quiet-verbose.test.ts):
 * the Sequoia's wifi, calibrate and manual, the THETA's options, video and interval, and `ptp
 * prop get|set`. -q leaves the bare values (KEY=VALUE, camera paths, a property's value) and
 * nothing on stderr; -v adds which camera answered, over what, on stderr, the output unchanged.
 * `emulate -q` leaves out its hints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { camctlInProcess } from '../helpers/camctl-in-process.js';
import { spawnCamctl } from '../helpers/camctl-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { cleanup, onCleanup, requireBuild, startEmu, tempDir } from './helpers.js';

let sequoia = '';
let sequoiaPtp = '';
let theta = '';
beforeAll(async () => {
  const { emu, camera } = await startEmu({ ptpipPort: 0 });
  sequoia = camera;
  sequoiaPtp = `ptpip://${emu.ptpip as string}`;
  const t = await startThetaEmulator({ dataDir: await tempDir('camctl-qv2-'), httpPort: 0, shotProcessingMs: 100 });
  onCleanup(() => t.close());
  theta = `theta://${new URL(t.url).host}`;
});
afterAll(cleanup);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function three(camera: string, args: string[]): Promise<{ plain: Run; quiet: Run; verbose: Run }> {
  const plain = await camctlInProcess('--camera', camera, ...args);
  const quiet = await camctlInProcess('--camera', camera, '-q', ...args);
  const verbose = await camctlInProcess('--camera', camera, '-v', ...args);
  for (const r of [plain, quiet, verbose]) expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  expect(quiet.stderr, `${args.join(' ')} -q stderr`).toBe('');
  expect(verbose.stderr, `${args.join(' ')} -v`).toMatch(/^camctl: .+ \(firmware [^)]+\) at \S+ over \w+/);
  return { plain, quiet, verbose };
}

describe('-q and -v beyond the common commands', () => {
  it('Sequoia wifi, calibrate and manual: -q prints KEY=VALUE', async () => {
    const wifi = await three(sequoia, ['wifi']);
    expect(wifi.quiet.stdout).toMatch(/^ssid=\S+\nstatus=on\n$/);
    expect(wifi.plain.stdout).toMatch(/^SSID: /);
    const renamed = await three(sequoia, ['wifi', 'ssid', 'Quiet_1']);
    expect(renamed.quiet.stdout).toBe('ssid=Ok\n');
    const cal = await three(sequoia, ['calibrate']);
    expect(cal.quiet.stdout).toBe('body=None\nsunshine=None\n');
    const manual = await three(sequoia, ['manual']);
    expect(manual.quiet.stdout.split('\n').filter(Boolean)).toEqual(
      expect.arrayContaining(['rgb.mode=auto', 'monochrome.mode=auto', expect.stringMatching(/^rgb\.iso=\d+$/)]),
    );
    expect(manual.plain.stdout).toMatch(/^SENSOR +MODE/);
    const set = await three(sequoia, ['manual', 'set', 'rgb.iso=200']);
    expect(set.quiet.stdout).toBe('rgb.iso=Ok\n');
    expect(set.plain.stdout).toMatch(/^KEY +RESULT/);
  });

  it('THETA options, video and interval: -q prints NAME=VALUE and the camera paths', async () => {
    const options = await three(theta, ['options', 'get', 'exposureDelay', 'captureMode']);
    expect(options.quiet.stdout).toMatch(/^exposureDelay=\d+\ncaptureMode=image\n$/);
    const set = await three(theta, ['options', 'set', 'exposureDelay=0']);
    expect(set.quiet.stdout).toBe('exposureDelay=0\n');

    // One run each, start and stop, with -q: nothing when it starts, the files when it stops.
    const start = await camctlInProcess('--camera', theta, '-q', 'video', 'start');
    expect([start.code, start.stdout, start.stderr]).toEqual([0, '', '']);
    const stop = await camctlInProcess('--camera', theta, '--timeout', '60', '-q', 'video', 'stop');
    expect([stop.code, stop.stderr]).toEqual([0, '']);
    expect(stop.stdout).toMatch(/^\/internal\/\d{3}RICOH\/R\d{7}\.MP4\n$/);
    const shooting = await camctlInProcess('--camera', theta, '-v', 'interval', 'start');
    expect(shooting.code).toBe(0);
    expect(shooting.stderr).toMatch(/^camctl: RICOH THETA S \(firmware [^)]+\) at theta:\/\//);
    const stopped = await camctlInProcess('--camera', theta, '-q', 'interval', 'stop');
    expect([stopped.code, stopped.stderr]).toEqual([0, '']);
    for (const l of stopped.stdout.split('\n').filter(Boolean))
      expect(l).toMatch(/^\/internal\/\d{3}RICOH\/R\d{7}\.JPG$/);
    await camctlInProcess('--camera', theta, 'options', 'set', 'captureMode=image');
  }, 60_000);

  it('exif -v of a camera file: which camera it was read from', async () => {
    const shot = await camctlInProcess('--camera', sequoia, '-q', 'capture');
    const file = shot.stdout.split('\n').find((l) => l.endsWith('_NIR.TIF'))!;
    const plain = await camctlInProcess('--camera', sequoia, 'exif', file);
    const verbose = await camctlInProcess('--camera', sequoia, '-v', 'exif', file);
    expect([plain.code, plain.stderr, verbose.code]).toEqual([0, '', 0]);
    expect(verbose.stdout).toBe(plain.stdout);
    expect(verbose.stderr).toMatch(/^camctl: Parrot Sequoia \(firmware [^)]+\) at sequoia:\/\//);
  });

  it('ptp prop get and set: -q prints the bare value', async () => {
    const get = await three(sequoiaPtp, ['ptp', 'prop', 'get', 'BatteryLevel']);
    expect(get.quiet.stdout).toMatch(/^\d+\n$/);
    expect(get.plain.stdout.length).toBeGreaterThan(get.quiet.stdout.length);
    const value = get.quiet.stdout.trim();
    expect(get.plain.stdout).toContain(value);
  });

  it('emulate -q leaves out the hints of what to try', async () => {
    requireBuild();
    const data = await tempDir('camctl-emu-q-');
    const plain = await spawnCamctl(['emulate', 'sequoia', '--http-port', '0', '--data-dir', `${data}/plain`]);
    const quiet = await spawnCamctl(['-q', 'emulate', 'sequoia', '--http-port', '0', '--data-dir', `${data}/q`]);
    for (const p of [plain, quiet]) onCleanup(async () => void p.child.kill('SIGKILL'));
    for (const p of [plain, quiet]) {
      // A picture taken: its log line comes after everything printed at start.
      const { http } = JSON.parse(p.firstLine) as { http: string };
      expect((await fetch(`${http}/capture/start`)).status).toBe(200);
      await waitFor(() => p.stderr().includes('wrote /internal/'), 'the picture written');
    }
    expect(plain.stderr()).toContain('try:');
    expect(quiet.stderr()).toContain('listening on');
    expect(quiet.stderr()).not.toContain('try:');
  });
});

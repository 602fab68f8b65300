/**
 * -q and -v do something visible on every camera command: -q leaves the bare values (paths,
 * KEY=VALUE, a state) and no notes or progress; -v adds which camera answered and how it speaks
 * (protocol, the protocol's own facts) on stderr. Walked over the emulated Sequoia by HTTP and PTP/IP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { camctlInProcess } from '../helpers/camctl-in-process.js';
import { cleanup, startEmu, tempDir } from './helpers.js';

let http = '';
let ptp = '';
let dir = '';
beforeAll(async () => {
  const { emu, camera } = await startEmu({ ptpipPort: 0 });
  http = camera;
  ptp = `ptpip://${emu.ptpip as string}`;
  dir = await tempDir('camctl-qv-');
});
afterAll(cleanup);

interface Three {
  plain: { code: number; stdout: string; stderr: string };
  quiet: { code: number; stdout: string; stderr: string };
  verbose: { code: number; stdout: string; stderr: string };
}

async function three(camera: string, args: string[]): Promise<Three> {
  const plain = await camctlInProcess('--camera', camera, ...args);
  const quiet = await camctlInProcess('--camera', camera, '-q', ...args);
  const verbose = await camctlInProcess('--camera', camera, '-v', ...args);
  for (const r of [plain, quiet, verbose]) expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return { plain, quiet, verbose };
}

function expectVisible(name: string, r: Three, camera: string): void {
  // -q: nothing on stderr, and less (or nothing) on stdout.
  expect(r.quiet.stderr, `${name} -q stderr`).toBe('');
  expect(r.quiet.stdout.length, `${name} -q prints less`).toBeLessThan(r.plain.stdout.length);
  // -v: the camera and its protocol, on stderr.
  expect(r.verbose.stderr, `${name} -v`).toContain(`Parrot Sequoia (firmware 1.4.1) at ${camera} over `);
  expect(r.plain.stderr, `${name} without -v`).not.toContain('over ');
}

describe.each([['sequoia://'], ['ptpip://']])('-q and -v over %s', (scheme) => {
  it('info, status, config, config set, ls, capture, get, sync and rm each show them', async () => {
    const camera = scheme === 'sequoia://' ? http : ptp;
    const at = `${dir}/${scheme.replace(/\W/g, '')}`;
    const info = await three(camera, ['info']);
    expectVisible('info', info, camera);
    expect(info.quiet.stdout).toBe('Parrot Sequoia PI040378AA6A000109\n');
    const status = await three(camera, ['status']);
    expectVisible('status', status, camera);
    expect(status.quiet.stdout).toBe('idle\n');
    const config = await three(camera, ['config']);
    expectVisible('config', config, camera);
    expect(config.quiet.stdout).toMatch(/^capture_mode=single$/m);
    const set = await three(camera, ['config', 'set', 'capture_mode=single']);
    expectVisible('config set', set, camera);
    expect(set.quiet.stdout).toBe('capture_mode=single\n');
    const ls = await three(camera, ['ls']);
    expectVisible('ls', ls, camera);
    expect(ls.quiet.stdout).toBe('/internal\n/sd\n');

    const shots = await three(camera, ['capture']);
    expectVisible('capture', shots, camera);
    const file = shots.quiet.stdout.split('\n')[0] as string;
    expect(file).toMatch(/^\/internal\/\d{4}\/IMG_\w+\.(JPG|TIF)$/);
    const get = await three(camera, ['get', '-o', at, file]);
    expectVisible('get', get, camera);
    expect(get.quiet.stdout).toBe('');
    const sync = await three(camera, ['sync', `${at}-sync`]);
    expectVisible('sync', sync, camera);
    expect(sync.quiet.stdout).toBe('');
    const rm = await camctlInProcess('--camera', camera, '-v', 'rm', file);
    expect(rm.stderr).toContain(`at ${camera} over `);
    expect(rm.stdout).toContain(`deleted ${file}`);
  }, 120_000);
});

/**
 * One documented shape per command: what each command prints with --json is checked against its
 * JSON Schema (src/cli/json-schemas.ts, the types in json-shapes.ts) on the emulated Sequoia and
 * THETA, each over its own API and over PTP/IP — the same fields and result words on every camera,
 * camera paths rather than http:// URLs, yes/no fields present whether true or false.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_SCHEMAS, type JsonCommand } from '../../src/cli/json-schemas.js';
import type { CommandJson } from '../../src/cli/json-shapes.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { camctlInProcess, startCamctlInProcess } from '../helpers/camctl-in-process.js';
import { urlsOutsideDetails, validate } from '../helpers/json-schema.js';
import { cleanup, onCleanup, startEmu, tempDir } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const cameras: Array<[string, string]> = [];
let dir = '';
let sequoia: RunningSequoiaEmulator;

beforeAll(async () => {
  const { emu, camera } = await startEmu({ ptpipPort: 0 });
  sequoia = emu;
  const theta = await startThetaEmulator({
    dataDir: await tempDir('camctl-theta-shapes-'),
    httpPort: 0,
    ptpipPort: 0,
    shotProcessingMs: 100,
  });
  onCleanup(() => theta.close());
  cameras.push(
    ['sequoia://', camera],
    ['Sequoia over ptpip://', `ptpip://${emu.ptpip as string}`],
    ['theta://', `theta://${new URL(theta.url).host}`],
    ['THETA over ptpip://', `ptpip://${theta.ptpip as string}`],
  );
  dir = await tempDir('camctl-shapes-');
});
afterAll(cleanup);

/** Runs camctl --json and checks its output against the command's schema; returns the output. */
async function shaped<C extends JsonCommand>(command: C, args: string[], exit = 0): Promise<CommandJson[C]> {
  const r = await camctlInProcess(...args, '--json');
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(exit);
  const json = JSON.parse(r.stdout) as unknown;
  expect(validate(JSON_SCHEMAS[command], json), `${args.join(' ')} against the ${command} schema`).toEqual([]);
  expect(urlsOutsideDetails(json), `${args.join(' ')}: http:// URLs`).toEqual([]);
  return json as CommandJson[C];
}

describe('usage errors', () => {
  it('with --json, an unknown option gives the error shape too (code USAGE, exit 2)', async () => {
    const r = await camctlInProcess('ls', '--bogus', '--json');
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as unknown;
    expect(validate(JSON_SCHEMAS.error, json)).toEqual([]);
    expect(json).toMatchObject({
      error: { code: 'USAGE', message: expect.stringMatching(/unknown option '--bogus'/) as unknown },
    });
  });
});

describe('the validator', () => {
  it('reports a missing field, a wrong type, an unknown field and a value outside an enum', () => {
    expect(validate(JSON_SCHEMAS.rm, { deleted: ['/internal/0001/a.jpg'] })).toEqual([]);
    expect(validate(JSON_SCHEMAS.rm, {})).toEqual(['$: missing deleted']);
    expect(validate(JSON_SCHEMAS.rm, { deleted: [1] })[0]).toMatch(/^\$\.deleted\[0\]: number/);
    expect(validate(JSON_SCHEMAS.rm, { deleted: [], extra: true })).toEqual(['$: unexpected extra']);
    expect(validate(JSON_SCHEMAS.watch, { type: 'capture', state: 'sleeping' })[0]).toMatch(/anyOf/);
  });
});

describe.each([0, 1, 2, 3])('every command --json has its documented shape', (i) => {
  it(`camera ${i}: info, status, config, config set, capture, ls, get, sync, rm and an error`, async () => {
    const [name, cam] = cameras[i] as [string, string];
    const c = ['--camera', cam];
    const info = await shaped('info', [...c, 'info']);
    expect(info.address, name).toBe(cam);
    const status = await shaped('status', [...c, 'status']);
    expect(status.capture.state).toBe('idle');

    const config = await shaped('config', [...c, 'config']);
    const writable = config.settings.find((s) => s.writable && s.type === 'enum' && s.value !== null);
    expect(writable, `${name}: a writable setting`).toBeDefined();
    const set = await shaped('config set', [
      ...c,
      'config',
      'set',
      `${writable?.key as string}=${String(writable?.value)}`,
    ]);
    expect(set.applied.map((a) => a.key)).toEqual([writable?.key]);

    const shot = await shaped('capture', [...c, 'capture']);
    expect(shot.files.length).toBeGreaterThan(0);
    const file = shot.files[0]?.path as string;
    const media = await shaped('ls', [...c, 'ls']);
    const folders = await shaped('ls', [...c, 'ls', media.entries[0]?.path as string]);
    expect(folders.entries.every((e) => e.kind === 'folder')).toBe(true);
    await shaped('ls', [...c, 'ls', file.slice(0, file.lastIndexOf('/'))]);

    const got = await shaped('get', [...c, 'get', '-o', `${dir}/${i}`, file]);
    expect(got.files.map((f) => [f.path, f.status, f.downloaded, f.skipped])).toEqual([
      [file, 'downloaded', true, false],
    ]);
    const again = await shaped('get', [...c, 'get', '-o', `${dir}/${i}`, file]);
    expect(again.files.map((f) => [f.status, f.downloaded, f.skipped])).toEqual([['skipped', false, true]]);
    const sync = await shaped('sync', [...c, 'sync', `${dir}/sync-${i}`]);
    expect(sync.failed).toBe(0);
    const rm = await shaped('rm', [...c, 'rm', file]);
    expect(rm.deleted).toEqual([file]);
    const missing = await shaped('error', [...c, 'ls', '/nosuchmedium'], 1);
    expect(missing.error.code).toBe('NOT_FOUND');
  }, 60_000);
});

describe.each([0, 1])('watch --json', (i) => {
  it(`camera ${i}: one event a line, each of the watch shape`, async () => {
    const [, cam] = cameras[i] as [string, string];
    const watch = startCamctlInProcess(['--camera', cam, 'watch', '--json']);
    const lines = (): unknown[] =>
      watch
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown);
    let mask = 1;
    await waitFor(() => {
      sequoia.device.setConfig({ sensors_mask: (mask = mask === 1 ? 3 : 1) });
      return lines().some(
        (l) =>
          (l as { type: string; key?: string }).type === 'setting' && (l as { key: string }).key === 'sensors_mask',
      );
    }, 'a setting event');
    watch.interrupt();
    await watch.done;
    for (const l of lines()) expect(validate(JSON_SCHEMAS.watch, l), JSON.stringify(l)).toEqual([]);
    sequoia.device.setConfig({ sensors_mask: 31 });
  }, 60_000);
});

/**
 * Progress bars show on a terminal only: run the CLI under a pseudo-terminal with util-linux's
 * `script` (Debian's bsdutils), and check bars appear for people and never with --json.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanup, cliEnv, requireBuild, startEmu, tempDir } from './helpers.js';

const SCRIPT = '/usr/bin/script';
const haveScript = existsSync(SCRIPT);
if (!haveScript && process.env.CI === 'true')
  throw new Error(`${SCRIPT} is required on CI (Debian: apt-get install -y bsdutils)`);

beforeAll(requireBuild);
afterEach(cleanup);

function underTty(args: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], {
      env: { ...cliEnv(), COLUMNS: '120', TERM: 'xterm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe.skipIf(!haveScript)('progress bars', () => {
  it('are drawn on a TTY for downloads and sync, and never with --json', async () => {
    const { emu, camera } = await startEmu({ bandwidthBytesPerSec: 2_000_000 });
    emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12, sensors_mask: 3 });
    expect((await emu.device.startCapture()).ok).toBe(true);
    await emu.device.whenSessionEnds();

    const out = await tempDir();
    const sync = await underTty(['--camera', camera, 'sync', out]);
    expect(sync.code).toBe(0);
    expect(sync.output).toMatch(/ETA/);
    expect(sync.output).toMatch(/\d+%/);
    expect(sync.output).toMatch(/Files: +2 on camera/);

    const json = await underTty(['--camera', camera, 'sync', await tempDir(), '--json']);
    expect(json.code).toBe(0);
    expect(json.output).not.toMatch(/ETA/);
    expect(JSON.parse(json.output.trim())).toMatchObject({ files: 2, downloaded: 2 });
  });
});

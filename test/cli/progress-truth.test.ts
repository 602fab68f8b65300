/**
 * Progress that tells the truth: files already complete count as done (the total reaches 100 %,
 * no bar sits at 0 % for them), and many parallel downloads print no listener warnings. Bars are
 * looked at under a pseudo-terminal (util-linux's `script`), like progress.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanup, cliEnv, requireBuild, runCli, startEmu, tempDir, type Emu } from './helpers.js';

const SCRIPT = '/usr/bin/script';
const haveScript = existsSync(SCRIPT);

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

/** An emulated Sequoia with `shots` single shots of 5 small files each, in one folder per shot. */
async function cameraWithShots(shots: number): Promise<Emu> {
  const emu = await startEmu();
  emu.emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12, sensors_mask: 31 });
  for (let i = 0; i < shots; i++) {
    expect((await emu.emu.device.startCapture()).ok).toBe(true);
    await emu.emu.device.whenSessionEnds();
  }
  return emu;
}

describe('parallel downloads', () => {
  it('get -j 8 and sync -j 8 print no MaxListenersExceededWarning', async () => {
    const { camera } = await cameraWithShots(3);
    const get = await runCli([
      '--camera',
      camera,
      'get',
      '/internal/0000',
      '/internal/0001',
      '/internal/0002',
      '-o',
      await tempDir(),
      '-j',
      '8',
    ]);
    expect(get.code).toBe(0);
    expect(get.stderr).not.toMatch(/Warning/);
    const sync = await runCli(['--camera', camera, 'sync', await tempDir(), '-j', '8']);
    expect(sync.code).toBe(0);
    expect(sync.stderr).not.toMatch(/Warning/);
  });
});

describe.skipIf(!haveScript)('bars after a resume', () => {
  /** Every value the overall bar was drawn with, `12%` → 12. */
  const totals = (output: string, label: string): number[] =>
    [...output.matchAll(new RegExp(`${label} +\\[[^\\]]*\\] (\\d+)%`, 'g'))].map((m) => Number(m[1]));

  it('get: files there already count as done, and none shows a bar at 0 %', async () => {
    const { camera } = await cameraWithShots(1);
    const dir = await tempDir();
    expect((await runCli(['--camera', camera, 'get', '/internal/0000', '-o', dir])).code).toBe(0);
    const again = await underTty(['--camera', camera, 'get', '/internal/0000', '-o', dir, '-j', '2']);
    expect(again.code).toBe(0);
    expect(again.output).not.toMatch(/\.(TIF|JPG) +\[[^\]]*\] 0%/);
    expect(totals(again.output, 'download').at(-1)).toBe(100);
    expect(again.output).not.toMatch(/Warning/);
  });

  it('sync: files there already count as done', async () => {
    const { camera } = await cameraWithShots(1);
    const dir = await tempDir();
    expect((await runCli(['--camera', camera, 'sync', dir])).code).toBe(0);
    const again = await underTty(['--camera', camera, 'sync', dir, '-j', '2']);
    expect(again.code).toBe(0);
    expect(again.output).not.toMatch(/\.(TIF|JPG) +\[[^\]]*\] 0%/);
    expect(totals(again.output, 'sync').at(-1)).toBe(100);
  });
});

/**
 * What a terminal shows once `output` has been drawn on it: the few VT100 controls cli-progress
 * and readline write (cursor up, column, clear line, clear below) applied to a grid of lines.
 */
function screenOf(output: string): string[] {
  const rows: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (text: string): void => {
    const line = rows[row] ?? '';
    rows[row] = line.padEnd(col).slice(0, col) + text + line.slice(col + text.length);
    col += text.length;
  };
  for (const m of output.matchAll(/\x1b\[([?\d;]*)([A-Za-z])|\r|\n|[^\x1b\r\n]+/g)) {
    const [all, arg, op] = m;
    if (all === '\r') col = 0;
    else if (all === '\n') {
      row++;
      col = 0; // the pseudo-terminal's ONLCR
      while (rows.length <= row) rows.push('');
    } else if (op === undefined) put(all);
    else if (arg?.startsWith('?'))
      continue; // cursor shown/hidden, line wrapping
    else if (op === 'A') row = Math.max(0, row - Number(arg || 1));
    else if (op === 'G') col = Number(arg || 1) - 1;
    else if (op === 'K') rows[row] = arg === '2' ? '' : (rows[row] ?? '').slice(0, col);
    else if (op === 'J') {
      rows.length = row + 1;
      rows[row] = (rows[row] ?? '').slice(0, col);
    }
  }
  return rows.map((r) => r.trimEnd()).filter(Boolean);
}

describe.skipIf(!haveScript)('bars on a slow link', () => {
  it('get -j 2: finished files leave the screen, no total line is left behind, each saved file is said once', async () => {
    // Slow enough that the bars are drawn many times while files finish under them.
    const emu = await startEmu({ bandwidthBytesPerSec: 2_000_000 });
    emu.emu.device.setConfig({ capture_mode: 'single', resolution_mono: 1.2, resolution_rgb: 12, sensors_mask: 31 });
    expect((await emu.emu.device.startCapture()).ok).toBe(true);
    await emu.emu.device.whenSessionEnds();
    const dir = await tempDir();
    const run = await underTty(['--camera', emu.camera, 'get', '/internal/0000', '-o', dir, '-j', '2']);
    expect(run.code).toBe(0);
    // The bars were drawn (on the way), and are gone at the end.
    expect(run.output).toMatch(/download +\[[^\]]*\] \d+%/);
    const screen = screenOf(run.output);
    expect(screen.filter((l) => /\[[█░]*\] \d+%/.test(l))).toEqual([]);
    expect(screen.length).toBe(5);
    expect(new Set(screen).size).toBe(5);
    for (const l of screen)
      expect(l).toMatch(
        new RegExp(`^${dir}/internal/0000/IMG_\\d{6}_\\d{6}_\\d{4}_(GRE|RED|REG|NIR|RGB)\\.(TIF|JPG)$`),
      );
  }, 60_000);
});

/**
 * `camctl emulate sequoia` as a process: one JSON ready line on stdout, logs on stderr, a clean
 * exit on SIGTERM/SIGINT, bad flags refused with one line. Runs the built CLI (npm test builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CAMCTL_BIN, spawnCamctl } from '../helpers/camctl-process.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = CAMCTL_BIN;

async function startEmulator(args: string[]) {
  const p = await spawnCamctl(['emulate', 'sequoia', ...args]);
  return { ...p, ready: JSON.parse(p.firstLine) };
}

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
});

describe('camctl emulate sequoia', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints exactly one ready line, serves, and closes cleanly on %s',
    async (signal) => {
      const tmp = await tempDir();
      try {
        const emu = await startEmulator(['--http-port', '0', '--data-dir', tmp.dir]);
        running = emu.child;
        expect(emu.ready).toEqual({
          event: 'listening',
          model: 'sequoia',
          http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        });
        const r = await fetch(`${emu.ready.http}/capture`);
        expect(await r.json()).toEqual({ request: 'capture_status', status: 'Ready' });
        const exited = new Promise<number | null>((res) => emu.child.once('exit', (code) => res(code)));
        emu.child.kill(signal);
        expect(await exited).toBe(0);
        expect(emu.stdout().trim().split('\n')).toHaveLength(1);
        expect(emu.stderr()).toContain('listening on');
      } finally {
        await tmp.cleanup();
      }
    },
  );

  it('refuses bad flags with one line and a non-zero exit, no stack trace', () => {
    const r = spawnSync(process.execPath, [BIN, 'emulate', 'sequoia', '--http-port', '70000'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--http-port must be a port number/);
    const b = spawnSync(process.execPath, [BIN, 'emulate', 'sequoia', '--bandwidth', 'fast'], { encoding: 'utf8' });
    expect(b.stderr).toMatch(/--bandwidth must be a size/);
    expect(b.stderr).not.toMatch(/at .*\.js:\d+/);
    const p = spawnSync(process.execPath, [BIN, 'emulate', 'sequoia', '--per-connection-bandwidth', 'lots'], {
      encoding: 'utf8',
    });
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(/--per-connection-bandwidth must be a size/);
  });

  it('a port in use is a one-line error', async () => {
    const tmp = await tempDir();
    try {
      const emu = await startEmulator(['--http-port', '0', '--data-dir', tmp.dir]);
      running = emu.child;
      const port = new URL(emu.ready.http).port;
      const r = spawnSync(process.execPath, [BIN, 'emulate', 'sequoia', '--http-port', port, '--data-dir', tmp.dir], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/cannot listen/);
    } finally {
      await tmp.cleanup();
    }
  });
});

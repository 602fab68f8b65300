/**
 * `camctl emulate theta` as a process: one JSON ready line on stdout, logs on stderr, a clean exit
 * on SIGTERM/SIGINT, bad flags refused with one line. Runs the built CLI (npm test builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CAMCTL_BIN, spawnCamctl } from '../helpers/camctl-process.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = CAMCTL_BIN;

async function startEmulator(args: string[]) {
  const p = await spawnCamctl(['emulate', 'theta', ...args]);
  return { ...p, ready: JSON.parse(p.firstLine) };
}

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
});

describe('camctl emulate theta', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints exactly one ready line, serves OSC, and closes cleanly on %s',
    async (signal) => {
      const tmp = await tempDir();
      try {
        const emu = await startEmulator(['--http-port', '0', '--data-dir', tmp.dir]);
        running = emu.child;
        expect(emu.ready).toEqual({
          event: 'listening',
          model: 'theta',
          http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        });
        const r = await fetch(`${emu.ready.http}/osc/info`);
        expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(await r.json()).toMatchObject({ model: 'RICOH THETA S' });
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

  it('--advertised-host: the host it writes into its URLs (only written, never connected to)', async () => {
    const tmp = await tempDir();
    try {
      const emu = await startEmulator(['--data-dir', tmp.dir, '--advertised-host', '192.168.1.1']);
      running = emu.child;
      const exec = (body: unknown) =>
        fetch(`${emu.ready.http}/osc/commands/execute`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<Record<string, any>>);
      const session = await exec({ name: 'camera.startSession', parameters: {} });
      await exec({
        name: 'camera.setOptions',
        parameters: { sessionId: session['results'].sessionId, options: { clientVersion: 2 } },
      });
      const st = (await (await fetch(`${emu.ready.http}/osc/state`, { method: 'POST' })).json()) as {
        state: { storageUri: string };
      };
      expect(st.state.storageUri).toMatch(/^http:\/\/192\.168\.1\.1\/files\/[0-9a-f]+\/$/);
    } finally {
      await tmp.cleanup();
    }
  });

  it('--firmware 01.42: an S that speaks API v2.0 only (no apiLevel in its info)', async () => {
    const tmp = await tempDir();
    try {
      const emu = await startEmulator(['--data-dir', tmp.dir, '--firmware', '01.42']);
      running = emu.child;
      const info = (await (await fetch(`${emu.ready.http}/osc/info`)).json()) as Record<string, unknown>;
      expect(info).toMatchObject({ model: 'RICOH THETA S', firmwareVersion: '01.42' });
      expect(info).not.toHaveProperty('apiLevel');
      expect(emu.stderr()).toContain('firmware 01.42');
    } finally {
      await tmp.cleanup();
    }
  });

  it('--latency, --bandwidth, --per-connection-bandwidth: the emulated link, shown and changed under /_emulator', async () => {
    const tmp = await tempDir();
    try {
      const emu = await startEmulator([
        '--data-dir',
        tmp.dir,
        '--latency',
        '2',
        '--bandwidth',
        '3MB',
        '--per-connection-bandwidth',
        '1MB',
      ]);
      running = emu.child;
      const state = async () => ((await (await fetch(`${emu.ready.http}/_emulator`)).json()) as { link: unknown }).link;
      expect(await state()).toEqual({
        latencyMs: 2,
        bandwidthBytesPerSec: 3_000_000,
        perConnectionBytesPerSec: 1_000_000,
      });
      const r = await fetch(`${emu.ready.http}/_emulator/link`, {
        method: 'POST',
        body: JSON.stringify({ perConnectionBytesPerSec: 0 }),
      });
      expect(await r.json()).toEqual({ request: 'emulator_link', status: 'Ok' });
      expect(await state()).toEqual({ latencyMs: 2, bandwidthBytesPerSec: 3_000_000, perConnectionBytesPerSec: 0 });
    } finally {
      await tmp.cleanup();
    }
  });

  it('refuses bad flags with one line and a non-zero exit, no stack trace', () => {
    for (const [args, msg] of [
      [['--http-port', '70000'], /--http-port must be a port number/],
      [['--auth', 'basic'], /--auth must be "digest"/],
      [['--auth', 'digest'], /needs --user and --password/],
      [['--serial', '12'], /--serial must be 8 digits/],
      [['--advertised-host', 'http://x/'], /--advertised-host must be host or host:port/],
      [['--firmware', '2.0'], /--firmware must read like 01\.62/],
      [['--bandwidth', 'fast'], /--bandwidth must be a size/],
      [['--per-connection-bandwidth', '-1'], /--per-connection-bandwidth must be a size/],
      [['--latency', '-5'], /--latency must be a number between 0 and 60000/],
    ] as const) {
      const r = spawnSync(process.execPath, [BIN, 'emulate', 'theta', ...args], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
  });
});

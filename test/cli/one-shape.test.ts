/**
 * One shape: each command's --help lists the global options (--camera, --json, --timeout) and shows
 * at least one example (read from the commander program in-process); `watch` says when it is
 * connected; THETA `video stop` / `interval stop` give camera paths like every other command.
 */
import type { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { cleanup, onCleanup, requireBuild, runCli, runJson, startCli, startEmu, tempDir } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

afterEach(cleanup);

/** Every command below the program, with its full name (`ptp prop get`). */
function commands(cmd: Command, prefix: string[] = []): Array<[string, Command]> {
  const out: Array<[string, Command]> = [];
  for (const sub of cmd.commands) {
    const name = [...prefix, sub.name()];
    out.push([name.join(' '), sub], ...commands(sub, name));
  }
  return out;
}

/** The whole help text, with what addHelpText adds after the generated part. */
function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

describe('per-command --help', () => {
  const all = commands(buildProgram());

  it('covers the commands the issue names', () => {
    const names = all.map(([n]) => n);
    for (const n of ['options', 'config set', 'ptp prop get', 'ptp prop set', 'capture start', 'capture stop'])
      expect(names).toContain(n);
  });

  it.each(all)('%s shows the global options and an example', (_name, cmd) => {
    const help = helpOf(cmd);
    expect(help).toMatch(/Global Options:/);
    for (const option of ['--camera', '--json', '--timeout']) expect(help).toContain(option);
    expect(help).toMatch(/Examples?:\n {2}camctl /);
  });
});

describe('watch', () => {
  it('says on stderr once it is connected', async () => {
    requireBuild();
    const { camera } = await startEmu();
    const child = startCli(['--camera', camera, 'watch']);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await waitFor(
      () => /connected to Sequoia at sequoia:\/\/127\.0\.0\.1:\d+; watching \(Ctrl-C to stop\)/.test(stderr),
      'the connected line',
    );
    child.kill('SIGINT');
  });
});

describe('THETA video stop and interval stop', () => {
  it('give camera paths in files (the URLs on the given address under details.fileUrls)', async () => {
    requireBuild();
    const emu = await startThetaEmulator({ dataDir: await tempDir('camctl-shape-theta-'), httpPort: 0, speed: 20 });
    onCleanup(() => emu.close());
    const camera = `theta://${new URL(emu.url).host}`;
    expect((await runJson(['-c', camera, 'video', 'start'])).result.code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const video = await runJson<{ recording: boolean; files: string[]; details: { fileUrls: string[] } }>([
      '-c',
      camera,
      '--timeout',
      '60',
      'video',
      'stop',
    ]);
    expect(video.result.code).toBe(0);
    expect(video.json.recording).toBe(false);
    expect(video.json.files.length).toBeGreaterThan(0);
    for (const f of video.json.files) expect(f).toMatch(/^\/internal\/\w+\/[^/]+\.MP4$/);
    for (const u of video.json.details.fileUrls)
      expect(u.startsWith(`${emu.url}/files/`), `${u} on ${emu.url}`).toBe(true);
    expect((await runJson(['-c', camera, 'interval', 'start', '--every', '8'])).result.code).toBe(0);
    await waitFor(() => emu.device.catalog.count >= 2, 'an interval shot');
    const interval = await runJson<{ shooting: boolean; files: string[] }>(['-c', camera, 'interval', 'stop']);
    expect(interval.result.code).toBe(0);
    for (const f of interval.json.files) expect(f).toMatch(/^\/internal\/\w+\/[^/]+\.JPG$/);
  }, 180_000);
});

describe('THETA config', () => {
  it('fits a 100-column terminal, and interval shots show 0 (until stopped) among the values the camera accepts', async () => {
    requireBuild();
    const emu = await startThetaEmulator({ dataDir: await tempDir('camctl-shape-config-'), httpPort: 0 });
    onCleanup(() => emu.close());
    const camera = `theta://${new URL(emu.url).host}`;
    const shown = await runCli(['-c', camera, 'config']);
    expect(shown.code).toBe(0);
    for (const line of shown.stdout.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(100);
    // Every allowed white balance is still listed, wrapped rather than cut.
    for (const v of ['daylight |', 'cloudy-daylight |', '_warmWhiteFluorescent |', '_colorTemperature'])
      expect(shown.stdout).toContain(v);
    expect(shown.stdout).toMatch(/captureNumber +\d+ +0 \| 2 … 9999 /);
    // …and says what 0 means, beside it.
    expect(shown.stdout).toMatch(/captureNumber +\d+ +0 \| 2 … 9999 +Interval shots \(0 = until\s+stopped\)/);
    const json = await runJson<{ settings: Array<{ key: string; range?: unknown; also?: unknown }> }>([
      '-c',
      camera,
      'config',
      'get',
      'captureNumber',
    ]);
    expect(json.json.settings[0]).toMatchObject({ key: 'captureNumber', range: { min: 2, max: 9999 }, also: [0] });
    expect((await runCli(['-c', camera, 'config', 'set', 'captureNumber=0'])).code).toBe(0);
    const one = await runCli(['-c', camera, 'config', 'set', 'captureNumber=1']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('captureNumber must be 0 or between 2 and 9999, got 1');
  });
});

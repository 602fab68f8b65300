/**
 * `camctl watch --json` over both of the Sequoia's faces ends a single capture where the camera
 * ends it: the last capture-state line is "idle", as `/capture` and the PTP status mask say.
 * (Over PTP/IP a Parrot Status event that still counted the camera capturing used to arrive after
 * CaptureComplete, leaving the watcher in "capturing" for good.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSequoiaEmulator, type RunningSequoiaEmulator } from '../../src/emulator/index.js';
import { startCamctlInProcess, type InProcessCamctl } from '../helpers/camctl-in-process.js';
import { waitFor } from '../helpers/wait-for.js';

let emu: RunningSequoiaEmulator | undefined;
let dir: string | undefined;
let watch: InProcessCamctl | undefined;

afterEach(async () => {
  watch?.interrupt();
  await watch?.done;
  watch = undefined;
  await emu?.close();
  emu = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function postConfig(url: string, body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${url}/config`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  expect(r.status).toBe(200);
}

describe.each(['sequoia://', 'ptpip://'])('camctl watch --json over %s, one single capture', (scheme) => {
  it('the last capture-state line is idle, as the camera is', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'camctl-watch-state-'));
    emu = await startSequoiaEmulator({ dataDir: dir, ptpipPort: 0 });
    const camera =
      scheme === 'ptpip://' ? `ptpip://${emu.ptpip as string}` : `sequoia://${emu.url.replace(/^http:\/\//, '')}`;
    watch = startCamctlInProcess(['--camera', camera, 'watch', '--json']);
    const w = watch;
    const lines = () =>
      w
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The multispectral bit depth: `bit_depth` over HTTP, MultispectralBitDepth (0xD205) over PTP.
    const isDepth = (l: Record<string, unknown>) =>
      l.type === 'setting' && (l.key === 'bit_depth' || l.key === 'MultispectralBitDepth');

    // The watcher is listening once a setting change reaches it (keep changing until one does).
    let depth = 8;
    for (let i = 0; i < 100 && !lines().some(isDepth); i++) {
      await postConfig(emu.url, { bit_depth: depth });
      depth = depth === 8 ? 10 : 8;
      await new Promise((r) => setTimeout(r, 50));
    }
    await postConfig(emu.url, { capture_mode: 'single', bit_depth: 10 });

    const started = await fetch(`${emu.url}/capture/start`);
    expect(started.status).toBe(200);
    await emu.device.whenSessionEnds();
    expect(emu.device.captureActivity()).toEqual({ kind: 'idle' });
    await waitFor(() => lines().some((l) => l.type === 'capture' && l.state === 'capturing'), 'the capturing line');

    // Events arrive in order: once a later change is seen, everything the capture sent is too.
    const seen = lines().length;
    await postConfig(emu.url, { bit_depth: 8 });
    await waitFor(
      () =>
        lines()
          .slice(seen)
          .some((l) => isDepth(l) && l.value === 8),
      'a change after the capture',
    );
    const states = lines()
      .filter((l) => l.type === 'capture')
      .map((l) => l.state);
    expect(states.at(-1), w.stdout()).toBe('idle');
  });
});

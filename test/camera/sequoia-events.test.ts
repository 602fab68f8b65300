/** The Sequoia adapter's events: WebSocket notifications plus file-added for every captured file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCamera } from '../../src/camera/open.js';
import type { CameraEvent } from '../../src/camera/types.js';
import { startSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('SequoiaCamera.events', () => {
  it('announces capture state, settings and each file a capture writes', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'camctl-sev-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const emu = await startSequoiaEmulator({ dataDir, httpPort: 0 });
    cleanups.push(() => emu.close());
    const camera = await openCamera(`sequoia://127.0.0.1:${new URL(emu.url).port}`);
    cleanups.push(() => camera.close());
    await camera.setConfig({ resolution_mono: 0.3, resolution_rgb: 12 });

    const ac = new AbortController();
    const seen: CameraEvent[] = [];
    const done = (async () => {
      for await (const ev of camera.events({ signal: ac.signal })) {
        seen.push(ev);
        if (seen.filter((e) => e.type === 'file-added').length === 10) ac.abort();
      }
    })();
    while (emu.http.webSocketClients === 0) await new Promise((r) => setTimeout(r, 20));
    const first = await camera.capture();
    await camera.setConfig({ bit_depth: 8 });
    const second = await camera.capture();
    await done;

    const added = seen.filter((e): e is Extract<CameraEvent, { type: 'file-added' }> => e.type === 'file-added');
    expect(added.map((e) => e.path).sort()).toEqual([...first.files, ...second.files].map((f) => f.path).sort());
    for (const e of added) expect(e.size).toBeGreaterThan(0);
    const states = seen.filter((e) => e.type === 'capture').map((e) => (e as { state: string }).state);
    expect(states.slice(0, 2)).toEqual(['capturing', 'idle']);
    expect(seen).toContainEqual(expect.objectContaining({ type: 'setting', key: 'bit_depth', value: 8 }));
  });
});

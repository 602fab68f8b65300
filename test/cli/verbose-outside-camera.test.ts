/**
 * `-v` does something visible on the commands that do not open one camera the common way:
 * `detect` says what it looked for on the USB bus and each camera's USB identity; `ptp` says which
 * camera answered over what, as every camera command does; `emulate` and `ui` log each request
 * they answer. Without -v none of it is printed. And `ui` says when port 8787 was taken and it
 * fell back to another.
 */
import * as net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SequoiaPtpBackend } from '../../src/emulator/sequoia/ptp-face.js';
import { PREFERRED_PORT } from '../../src/cli/ui.js';
import { camctlInProcess, startCamctlInProcess } from '../helpers/camctl-in-process.js';
import { spawnCamctl } from '../helpers/camctl-process.js';
import { plugUsbCamera, unplugAllUsbCameras } from '../helpers/usb-cameras.js';
import { waitFor } from '../helpers/wait-for.js';
import { cleanup, onCleanup, requireBuild, startEmu, tempDir } from './helpers.js';

let ptpip = '';
beforeAll(async () => {
  requireBuild();
  const { emu } = await startEmu({ ptpipPort: 0 });
  ptpip = `ptpip://${emu.ptpip as string}`;
  plugUsbCamera(new SequoiaPtpBackend(emu.device), { vendorId: 0x19cf, bus: '001', address: 4 });
});
afterAll(async () => {
  unplugAllUsbCameras();
  await cleanup();
});

describe('-v outside the common camera commands', () => {
  it('detect -v: what it looked for on the bus and each camera by its USB numbers', async () => {
    const plain = await camctlInProcess('detect');
    const verbose = await camctlInProcess('-v', 'detect');
    expect([plain.code, verbose.code]).toEqual([0, 0]);
    expect(verbose.stdout).toBe(plain.stdout);
    expect(plain.stderr).not.toMatch(/still-image class/);
    expect(verbose.stderr).toContain('camctl: looked for still-image class (PTP) interfaces on the USB bus: 1 found\n');
    expect(verbose.stderr).toContain(
      'camctl: usb:001:004: bus 1 device 4, vendor 0x19cf product 0x0001, a still-image class (PTP) interface\n',
    );
    // --json stays the list alone.
    expect((await camctlInProcess('-v', 'detect', '--json')).stderr).toBe('');
  });

  it.each([
    ['ptpip://', () => ptpip],
    ['usb:', () => 'usb:001:004'],
  ])('ptp -v over %s: which camera answered, over what', async (_name, address) => {
    const plain = await camctlInProcess('--camera', address(), 'ptp', 'storage');
    const verbose = await camctlInProcess('--camera', address(), '-v', 'ptp', 'storage');
    expect([plain.code, verbose.code]).toEqual([0, 0]);
    expect(plain.stderr).toBe('');
    expect(verbose.stdout).toBe(plain.stdout);
    expect(verbose.stderr).toMatch(
      new RegExp(`^camctl: Parrot Sequoia \\(firmware [^)]+\\) at ${address().replace(/[.:]/g, '\\$&')} over \\w+`),
    );
  });

  it.each([
    ['sequoia', '/status', 'GET'],
    ['theta', '/osc/state', 'POST'],
  ])('emulate %s -v logs each request it answers', async (model, route, method) => {
    const data = await tempDir('camctl-emu-v-');
    const quiet = await spawnCamctl(['emulate', model, '--http-port', '0', '--data-dir', `${data}/plain`]);
    const verbose = await spawnCamctl(['-v', 'emulate', model, '--http-port', '0', '--data-dir', `${data}/v`]);
    for (const p of [quiet, verbose]) onCleanup(async () => void p.child.kill('SIGKILL'));
    for (const p of [quiet, verbose]) {
      const { http } = JSON.parse(p.firstLine) as { http: string };
      expect((await fetch(`${http}${route}`, { method })).status).toBe(200);
    }
    await waitFor(() => verbose.stderr().includes(`http: ${method} ${route} → 200\n`), 'the request line');
    expect(quiet.stderr()).not.toContain(`${method} ${route}`);
  });

  it('ui -v logs each request the dashboard answers', async () => {
    const ui = startCamctlInProcess(['-v', 'ui', '--port', '0']);
    await waitFor(() => /camctl dashboard: (\S+)\n/.test(ui.stdout()), 'the dashboard address');
    const url = /camctl dashboard: (\S+)\n/.exec(ui.stdout())![1]!;
    expect((await fetch(new URL('api/cameras', url))).status).toBe(200);
    await waitFor(() => ui.stderr().includes('dashboard: GET /api/cameras → 200\n'), 'the request line');
    ui.interrupt();
    expect((await ui.done).code).toBe(0);
  });
});

describe('camctl ui and port 8787', () => {
  let holder: net.Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (holder ? holder.close(() => r()) : r()));
    holder = undefined;
  });

  it('says when 8787 is taken and which port it took instead', async () => {
    // Taken by this test, or already by something else on the machine: either way in use.
    holder = net.createServer();
    await new Promise<void>((resolve) => {
      holder!.once('error', () => ((holder = undefined), resolve()));
      holder!.listen(PREFERRED_PORT, '127.0.0.1', resolve);
    });
    const ui = startCamctlInProcess(['ui']);
    await waitFor(() => /camctl dashboard: (\S+)\n/.test(ui.stdout()), 'the dashboard address');
    const port = new URL(/camctl dashboard: (\S+)\n/.exec(ui.stdout())![1]!).port;
    expect(port).not.toBe(String(PREFERRED_PORT));
    await waitFor(() => ui.stderr().includes('is in use'), 'the fallback note');
    expect(ui.stderr()).toContain(
      `port ${PREFERRED_PORT} is in use (another dashboard?), so the dashboard took ${port}; --port chooses one\n`,
    );
    ui.interrupt();
    expect((await ui.done).code).toBe(0);
  });
});

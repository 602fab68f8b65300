/**
 * Debian's gphoto2 against the emulated Sequoia's PTP/IP face, on 127.0.0.1 with a port picked by the OS. gphoto2 is a real third-party initiator:
 * nothing here is mocked. Skips with a reason when gphoto2 is missing, except on CI.
 */
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSequoiaEmulator, type RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { PacketType, encodeInitCommandRequest } from '../../src/ptp/ip/packets.js';

const run = promisify(execFile);
const hasGphoto2 = await run('gphoto2', ['--version']).then(
  () => true,
  () => false,
);
if (!hasGphoto2 && process.env.CI === 'true') throw new Error('gphoto2 is required on CI (apt-get install -y gphoto2)');
if (!hasGphoto2) console.warn('skipping gphoto2 tests: gphoto2 is not installed (apt-get install -y gphoto2)');

describe.skipIf(!hasGphoto2)('gphoto2 against the emulated Sequoia over PTP/IP', () => {
  let emu: RunningSequoiaEmulator;
  let dir: string;
  let port: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'camctl-gphoto2-'));
    emu = await startSequoiaEmulator({ dataDir: path.join(dir, 'camera'), ptpipPort: 0, httpPort: 0 });
    port = (emu.ptpip as string).split(':')[1] as string;
  });
  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const gphoto2 = async (cwd: string, ...args: string[]): Promise<string> => {
    const { stdout } = await run('gphoto2', ['--port', `ptpip:127.0.0.1:${port}:${port}`, ...args], {
      cwd,
      timeout: 60_000,
    });
    return stdout;
  };
  const http = async (p: string): Promise<Response> => fetch(`${emu.url}${p}`);
  const workdir = async (name: string): Promise<string> => mkdtemp(path.join(dir, `${name}-`));

  it('--summary names the camera, its Parrot extension, storages and properties', async () => {
    const out = await gphoto2(dir, '--summary');
    expect(out).toContain('Manufacturer: Parrot');
    expect(out).toContain('Model: Sequoia');
    expect(out).toContain('Serial Number: PI040378AA6A000109');
    expect(out).toContain('Vendor Extension ID: 0x1b');
    expect(out).toContain('parrot.com: 1.0;');
    expect(out).toContain('store_00010001');
    expect(out).toContain('store_00020001');
    expect(out).toMatch(/Battery Level\(0x5001\):\(read only\) \(type=0x2\)/);
    expect(out).toMatch(/Image Size\(0x5003\):\(readwrite\) \(type=0xffff\)/);
    expect(out).toMatch(/Still Capture Mode\(0x5013\):\(readwrite\) \(type=0x4\)/);
  });

  it('--list-files and --get-all-files see an HTTP capture, byte-identical to HTTP /download', async () => {
    const started = (await (await http('/capture/start')).json()) as { path: string };
    await emu.device.whenSessionEnds();
    const folder = started.path.split('/')[2] as string;
    const listing = await gphoto2(dir, '--list-files');
    expect(listing).toContain(`There are 5 files in folder '/store_00010001/${folder}'`);
    for (const band of ['RGB.JPG', 'GRE.TIF', 'RED.TIF', 'REG.TIF', 'NIR.TIF']) expect(listing).toContain(band);

    const cwd = await workdir('all');
    await gphoto2(cwd, '--get-all-files');
    const got = (await readdir(cwd)).sort();
    expect(got).toHaveLength(5);
    for (const name of got) {
      const viaHttp = Buffer.from(await (await http(`/download/internal/${folder}/${name}`)).arrayBuffer());
      const viaPtp = await readFile(path.join(cwd, name));
      expect(viaPtp.length).toBe(viaHttp.length);
      expect(viaPtp.equals(viaHttp)).toBe(true);
    }
  });

  it('--capture-image-and-download captures through PTP, downloads and deletes the file', async () => {
    const cwd = await workdir('capture');
    const out = await gphoto2(cwd, '--capture-image-and-download');
    expect(out).toMatch(/New file is in location \/store_00010001\/\d{4}\/IMG_\d{6}_\d{6}_0000_[A-Z]{3}\.(JPG|TIF)/);
    const files = await readdir(cwd);
    expect(files).toHaveLength(1);
    const bytes = await readFile(path.join(cwd, files[0] as string));
    // A real JPEG (FF D8) or little-endian TIFF (II*\0) written by the emulator's capture pipeline.
    expect(bytes.subarray(0, 2).toString('hex') === 'ffd8' || bytes.subarray(0, 4).toString('hex') === '49492a00').toBe(
      true,
    );
    // The capture is visible through the HTTP face too (the downloaded file was deleted by gphoto2).
    const folder = /\/store_00010001\/(\d{4})\//.exec(out)?.[1] as string;
    const perFolder = (await (await http(`/file/internal/${folder}`)).json()) as Record<string, unknown>;
    expect(Object.keys(perFolder).filter((k) => k !== 'request')).toHaveLength(4);
  });

  it('--get-config / --set-config reach the same settings as HTTP /config', async () => {
    const get = await gphoto2(dir, '--get-config', '/main/other/5003');
    expect(get).toContain('Current: 4608 x 3456');
    expect(get).toContain('Choice: 1 4000 x 3000');
    await gphoto2(dir, '--set-config', '/main/other/5003=4000 x 3000');
    const cfg = (await (await http('/config')).json()) as { resolution_rgb: number; overlap_param: number };
    expect(cfg.resolution_rgb).toBe(12);

    await gphoto2(dir, '--set-config', '/main/other/d219=75');
    expect(((await (await http('/config')).json()) as { overlap_param: number }).overlap_param).toBe(75);

    // A value outside the range is refused by the camera (InvalidDevicePropValue; gphoto2 reports
    // it but still exits 0) and leaves the setting alone; a valid one is applied.
    await gphoto2(dir, '--set-config', '/main/other/d201=99').catch(() => '');
    expect(((await (await http('/config')).json()) as { sensors_mask: number }).sensors_mask).toBe(31);
    await gphoto2(dir, '--set-config', '/main/other/d201=7');
    expect(((await (await http('/config')).json()) as { sensors_mask: number }).sensors_mask).toBe(7);
  });

  it('--get-config shows the Sequoia’s own capture modes as "Unknown value": libgphoto2’s capture-mode table holds vendor values for Nikon and Sony only', async () => {
    const out = await gphoto2(dir, '--get-config', '/main/capturesettings/capturemode');
    expect(out.split('\n').filter((l) => l.startsWith('Choice:'))).toEqual([
      'Choice: 0 Single Shot',
      'Choice: 1 Timelapse',
      'Choice: 2 Unknown value 8002', // GPS position
      'Choice: 3 Unknown value 8003', // automatic overlap
      'Choice: 4 Unknown value 8004', // radiometric calibration
    ]);
  });

  it('--summary gets in at once while initiators that never finish their handshake hold connections', async () => {
    // Eight initiators stop after InitCommandAck, as many as the sessions served at once; the
    // responder's 5 s handshake timeout has not passed when gphoto2 connects.
    const hostile: Socket[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const s = connect(Number(port), '127.0.0.1');
        hostile.push(s);
        s.on('error', () => undefined);
        const acked = new Promise<number>((resolve) => s.once('data', (d: Buffer) => resolve(d.readUInt32LE(4))));
        s.write(
          encodeInitCommandRequest(
            Uint8Array.from({ length: 16 }, (_, j) => i + j),
            'half-open',
          ),
        );
        expect(await acked).toBe(PacketType.InitCommandAck);
      }
      const out = await gphoto2(dir, '--summary');
      expect(out).toContain('Model: Sequoia');
    } finally {
      for (const s of hostile) s.destroy();
    }
  });
});

/**
 * `camctl emulate theta --ptpip-port 0`: the ready line names the PTP/IP address, a PTP/IP
 * initiator reaches the emulated THETA S there, and SIGTERM closes both faces cleanly.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { BIN, requireBuild } from '../cli/helpers.js';

let dir: string;
beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-emu-theta-ptp-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('camctl emulate theta --ptpip-port', () => {
  it('prints the PTP/IP address in its ready line and serves the THETA there', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'emulate', 'theta', '--ptpip-port', '0', '--data-dir', path.join(dir, 'cam')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
      });
      const ready = JSON.parse(line) as { event: string; model: string; http: string; ptpip: string };
      expect(ready).toMatchObject({ event: 'listening', model: 'theta' });
      expect(ready.ptpip).toMatch(/^127\.0\.0\.1:\d+$/);
      const client = await PtpIpClient.connect({ host: '127.0.0.1', port: Number(ready.ptpip.split(':')[1]) });
      expect(client.deviceInfo).toMatchObject({
        manufacturer: 'Ricoh Company, Ltd.',
        model: 'RICOH THETA S',
        vendorExtensionId: 6,
      });
      await client.close();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

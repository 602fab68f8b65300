/**
 * `camctl ui` as a process (what `npm start` runs): the dashboard address as the first stdout
 * line, the demo cameras behind it, a clean exit on SIGTERM; bad input refused with one line.
 * Runs the built CLI (npm test builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CAMCTL_BIN, spawnCamctl } from '../helpers/camctl-process.js';

const BIN = CAMCTL_BIN;

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
});

async function startUi(
  args: string[],
): Promise<{ child: ChildProcess; url: string; stderr: () => string; stdout: () => string }> {
  const p = await spawnCamctl(['ui', ...args]);
  running = p.child;
  const m = /^camctl dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(p.firstLine);
  if (!m) throw new Error(`unexpected first line: ${p.firstLine}`);
  return { child: p.child, url: m[1]!, stderr: p.stderr, stdout: p.stdout };
}

describe('camctl ui', () => {
  it('prints its address first, serves the page and the demo cameras, and exits cleanly on SIGTERM', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-ui-cli-'));
    try {
      const ui = await startUi([
        '--demo',
        '--port',
        '0',
        '--data-dir',
        path.join(tmp, 'cams'),
        '--cache-dir',
        path.join(tmp, 'cache'),
      ]);
      const page = await fetch(ui.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('<script type="module"');
      const cameras = (await (await fetch(`${ui.url}api/cameras`)).json()) as Array<{
        protocol: string;
        address: string;
      }>;
      expect(cameras.map((c) => c.protocol)).toContain('sequoia');
      for (const c of cameras) expect(c.address).toMatch(/^\w+:\/\/127\.0\.0\.1:\d+$/);
      expect(ui.stderr()).toContain('demo camera: sequoia://127.0.0.1:');
      const exited = new Promise<number | null>((res) => ui.child.once('exit', (code) => res(code)));
      ui.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(ui.stdout().trim().split('\n')).toHaveLength(1);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it.each([
    [['--camera', 'sequoia//192.168.47.1'], /invalid camera address/, 2],
    [['--port', '70000'], /--port must be a port number/, 1],
  ])('refuses %j with one line and a non-zero exit', (args, message, code) => {
    const r = spawnSync(process.execPath, [BIN, 'ui', ...args], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('says so when the port it was given is taken', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const port = (other.address() as { port: number }).port;
      const r = spawnSync(process.execPath, [BIN, 'ui', '--port', String(port)], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/cannot listen/);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});

// The benchmark peers against real tools on loopback: nginx serves exact bytes from a temp dir,
// curl measures what it downloads, wrk loads the bare node:http peer. Correctness only — speed is
// the harness's business, never asserted in tests.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child } from '../../bench/peers/child.js';
import { curlDownload, DownloadError } from '../../bench/peers/curl.js';
import { ensureSpace, writeRandomFile } from '../../bench/peers/files.js';
import { nginxConfig, startNginx } from '../../bench/peers/nginx.js';
import { findTool } from '../../bench/peers/tools.js';
import { parseWrk, runWrk, WrkError } from '../../bench/peers/wrk.js';
import { BenchSkip } from '../../bench/run.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const tools = { nginx: await findTool('nginx'), curl: await findTool('curl'), wrk: await findTool('wrk') };

/** A visible skip where a tool is missing; in CI a missing tool is a failure (.ci/run installs it). */
function needs(...names: Array<keyof typeof tools>): { title: string; skip: boolean } {
  const missing = names.filter((n) => !tools[n]);
  if (missing.length > 0 && process.env.CI === 'true') {
    throw new Error(`CI needs ${missing.join(', ')} (apt-get install -y nginx-light curl wrk)`);
  }
  return {
    title: missing.length
      ? ` (skipped: ${missing.join(', ')} not installed; apt-get install -y nginx-light curl wrk)`
      : '',
    skip: missing.length > 0,
  };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-bench-peers-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('writeRandomFile / ensureSpace', () => {
  it('writes exactly the size asked, with no repeated 4 MiB block', async () => {
    const file = path.join(tmp, 'r.bin');
    const size = 9 * 1024 * 1024 + 123;
    await writeRandomFile(file, size);
    const data = await readFile(file);
    expect(data.length).toBe(size);
    const mib4 = 4 * 1024 * 1024;
    expect(data.subarray(0, 4096).equals(data.subarray(mib4, mib4 + 4096))).toBe(false);
    const other = path.join(tmp, 'r2.bin');
    await writeRandomFile(other, 4096, undefined, 1);
    expect((await readFile(other)).equals(data.subarray(0, 4096))).toBe(false);
  });

  it('skips instead of filling the disk', async () => {
    await expect(ensureSpace(tmp, Number.MAX_SAFE_INTEGER)).rejects.toBeInstanceOf(BenchSkip);
    await expect(ensureSpace(tmp, 1024)).resolves.toBeUndefined();
  });
});

describe('nginxConfig', () => {
  it('keeps every path nginx writes inside its work dir and binds loopback only', () => {
    const conf = nginxConfig({ root: '/data/root', workDir: '/w', port: 1234 });
    expect(conf).toContain('listen 127.0.0.1:1234;');
    expect(conf).toContain('sendfile on;');
    expect(conf).toContain('daemon off;');
    for (const m of conf.matchAll(/(?:pid|error_log|_temp_path)\s+"([^"]+)"/g))
      expect(m[1]?.startsWith('/w/')).toBe(true);
    expect(conf).not.toMatch(/\/var\//);
  });
});

const ng = needs('nginx', 'curl');
describe.skipIf(ng.skip)(`nginx + curl${ng.title}`, () => {
  it('serves the exact bytes of a file and curl measures them', async () => {
    const root = path.join(tmp, 'www');
    await mkdir(path.join(root, '0000'), { recursive: true });
    const size = 3 * 1024 * 1024 + 7;
    await writeRandomFile(path.join(root, '0000', 'IMG.TIF'), size);
    const nginx = await startNginx({ root, workDir: path.join(tmp, 'nginx') });
    try {
      expect(nginx.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(nginx.version).toMatch(/^\d+\.\d+/);
      const body = Buffer.from(await (await fetch(`${nginx.url}/0000/IMG.TIF`)).arrayBuffer());
      expect(body.equals(await readFile(path.join(root, '0000', 'IMG.TIF')))).toBe(true);
      const d = await curlDownload(`${nginx.url}/0000/IMG.TIF`, { expectBytes: size });
      expect(d).toMatchObject({ bytes: size, httpCode: 200 });
      expect(d.throughput).toBeGreaterThan(0);
      // A wrong size or a 404 is an error, never a fast figure.
      await expect(curlDownload(`${nginx.url}/0000/IMG.TIF`, { expectBytes: size + 1 })).rejects.toBeInstanceOf(
        DownloadError,
      );
      await expect(curlDownload(`${nginx.url}/0000/nope`)).rejects.toThrow(/HTTP 404/);
      // nginx's CPU time includes its worker (a child of the master), which did the sending.
      expect(nginx.child.cpuSeconds()).toBeGreaterThanOrEqual(0);
    } finally {
      await nginx.stop();
    }
    expect(existsSync(path.join(tmp, 'nginx', 'nginx.pid'))).toBe(false);
    // Nothing but its own files in the work dir, and its error log has no bind/permission error.
    expect((await readdir(path.join(tmp, 'nginx'))).sort()).toEqual(
      expect.arrayContaining(['client_body', 'error.log', 'nginx.conf']),
    );
    expect(await readFile(path.join(tmp, 'nginx', 'error.log'), 'utf8')).not.toMatch(/\[(emerg|crit)\]/);
  });
});

describe('parseWrk', () => {
  const sample = `Running 5s test @ http://127.0.0.1:40000/status
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.46ms  238.32us   6.98ms   92.17%
    Req/Sec    22.02k     1.18k   23.45k    86.00%
  109570 requests in 5.00s, 25.39MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  21911.16
Transfer/sec:      5.08MB
`;
  it('reads totals, rate, and errors', () => {
    expect(parseWrk(sample)).toEqual({
      requests: 109570,
      seconds: 5,
      requestsPerSec: 21911.16,
      non2xx: 3,
      socketErrors: { connect: 0, read: 2, write: 0, timeout: 1 },
    });
    expect(parseWrk(sample.replace('5.00s', '500.00ms')).seconds).toBeCloseTo(0.5);
  });
  it('rejects output it does not understand', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(WrkError);
  });
});

const bare = path.join(repoRoot, 'dist', 'bench', 'peers', 'bare-status-server.js');
const wk = needs('wrk');
describe.skipIf(wk.skip)(`wrk + bare node:http peer${wk.title}`, () => {
  it('serves the given JSON and survives a wrk run without errors', async () => {
    // The peer runs compiled (npm test builds first), exactly as the harness runs it.
    expect(existsSync(bare), `${bare} missing: run npm run build`).toBe(true);
    const json = { request: 'get_status', temperature: { value: 41.5 }, list: [1, 2, 3] };
    const file = path.join(tmp, 'status.json');
    await writeFile(file, JSON.stringify(json));
    const child = await Child.spawn(process.execPath, [bare, file], { label: 'bare' });
    try {
      const url = await child.waitForLine((l) => (JSON.parse(l) as { http?: string }).http);
      const res = await fetch(`${url}/status`);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual(json);
      expect((await fetch(`${url}/other`)).status).toBe(404);
      const report = await runWrk(`${url}/status`, { threads: 1, connections: 4, durationSeconds: 1 });
      expect(report.requests).toBeGreaterThan(0);
      expect(report.non2xx).toBe(0);
      // wrk treats 404 as an error answer, which the runner refuses.
      await expect(runWrk(`${url}/other`, { threads: 1, connections: 2, durationSeconds: 1 })).rejects.toThrow(
        /non-2xx/,
      );
      expect(child.peakRssBytes()).toBeGreaterThan(1024 * 1024);
      expect(child.rssBytes()).toBeGreaterThan(1024 * 1024);
      // A second of wrk load costs the server some CPU time, which /proc accounts to it.
      expect(child.cpuSeconds()).toBeGreaterThan(0);
    } finally {
      await child.stop();
    }
    expect((await child.exited).code).toBe(0);
  });

  it('reports a child that dies before it is ready, with its stderr', async () => {
    const child = await Child.spawn(process.execPath, [bare], { label: 'bare' });
    await expect(child.waitForLine(() => undefined)).rejects.toThrow(
      /bare exited \(code 2\) before it was ready; stderr:\nusage/,
    );
    expect((await stat(bare)).isFile()).toBe(true);
  });
});

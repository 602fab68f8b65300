/**
 * Target: `GET /status` of the emulated Sequoia under wrk, against a bare node:http
 * server (bench/peers/bare-status-server.ts) answering the same JSON: ≥ 0.8× its requests/s.
 *
 * "The same JSON" is the emulator's own answer, fetched once before the runs. Both servers are
 * child node processes; wrk gets identical settings for both; runs alternate (ours, bare, ours,
 * bare, …) after an untimed warm-up each, and the best run of each side is compared.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchContext, BenchRow } from './run.js';
import { Child } from './peers/child.js';
import { startSequoiaChild } from './peers/sequoia-emulator.js';
import { DEFAULT_WRK, runWrk, type WrkSettings } from './peers/wrk.js';

const DEFAULT_REPS = 3;
const BARE_SERVER = fileURLToPath(new URL('./peers/bare-status-server.js', import.meta.url));

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  const emu = await startSequoiaChild({
    repoRoot: ctx.repoRoot,
    dataDir: path.join(ctx.tmpDir, 'data'),
    signal: ctx.signal,
  });
  ctx.defer(() => emu.stop());

  const res = await fetch(`${emu.url}/status`, { signal: ctx.signal });
  if (res.status !== 200) throw new Error(`emulator GET /status answered HTTP ${res.status}`);
  const sample = (await res.json()) as unknown;
  const jsonFile = path.join(ctx.tmpDir, 'status.json');
  await writeFile(jsonFile, JSON.stringify(sample));

  const bare = await Child.spawn(process.execPath, [BARE_SERVER, jsonFile, '/status'], { label: 'bare node:http' });
  ctx.defer(() => bare.stop());
  const bareUrl = await bare.waitForLine(
    (l) => (l.startsWith('{') ? (JSON.parse(l) as { http?: string }).http : undefined),
    {
      signal: ctx.signal,
    },
  );

  const settings: WrkSettings = DEFAULT_WRK;
  /** Requests/s under wrk, and the server's CPU microseconds per request over the run. */
  const wrk = async (server: Child, url: string, s: WrkSettings = settings) => {
    const cpu0 = server.cpuSeconds() ?? NaN;
    const r = await runWrk(`${url}/status`, s, ctx.signal);
    return { rps: r.requestsPerSec, cpuUs: (((server.cpuSeconds() ?? NaN) - cpu0) / r.requests) * 1e6 };
  };
  const warmUp: WrkSettings = { ...settings, durationSeconds: 1 };
  await wrk(emu.child, emu.url, warmUp);
  await wrk(bare, bareUrl, warmUp);
  const ours: Array<{ rps: number; cpuUs: number }> = [];
  const peer: Array<{ rps: number; cpuUs: number }> = [];
  for (let i = 0; i < reps; i++) {
    ours.push(await wrk(emu.child, emu.url));
    peer.push(await wrk(bare, bareUrl));
    ctx.log(
      `run ${i + 1}/${reps}: emulator ${ours.at(-1)?.rps.toFixed(0)} req/s, bare node:http ${peer.at(-1)?.rps.toFixed(0)} req/s`,
    );
  }
  const rps = (xs: typeof ours) => xs.map((x) => x.rps);
  const cpuUs = (xs: typeof ours) => Math.min(...xs.map((x) => x.cpuUs)).toFixed(0);
  return [
    {
      name: 'sequoia GET /status (wrk)',
      ours: { value: Math.max(...rps(ours)), unit: 'req/s', label: 'camctl emulator', samples: rps(ours) },
      peer: { value: Math.max(...rps(peer)), unit: 'req/s', label: 'bare node:http', samples: rps(peer) },
      target: { kind: 'ratio-at-least', ratio: 0.8 },
      note:
        `wrk -t${settings.threads} -c${settings.connections} -d${settings.durationSeconds}s, best of ${reps} alternating runs, ${JSON.stringify(sample).length}-byte JSON; ` +
        `server CPU per request: emulator ${cpuUs(ours)} µs, bare ${cpuUs(peer)} µs`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'sequoia-status',
    description: 'emulated Sequoia GET /status under wrk vs a bare node:http server sending the same JSON',
    requires: ['wrk'],
    timeoutMs: 5 * 60_000,
    run,
  },
];

/**
 * Targets of the emulated THETA.
 *
 * - `camera.getImage` of a full-size picture (5376×2688, ≈3.5 MB) and the v2.1 `/files/` download
 *   of the same file, each ≥ 0.9× Debian's nginx serving that file (sendfile on). curl is the
 *   client for all three (POST for getImage), one connection per download; runs alternate nginx /
 *   getImage / files so load from elsewhere hits all alike; the median of the runs is compared
 *   (single small files are noisy). Beside them, without a target, the same over keep-alive
 *   connections (10 downloads each, as OSC clients fetch one picture after another).
 * - `camera.listFiles` over 10,000 pictures: a page of 100 with 640-px thumbnails in under 50 ms at
 *   the 99th percentile (random start positions, curl as the client, real HTTP over loopback).
 * - `camera.stopCapture` of a 2.5-second 1080p video in under a second, the slowest of the runs
 *   (the first included, which also waits for the frame loop's encoding): a THETA S writes the
 *   clip while it records, so stopping only closes the file.
 *
 * The emulator runs as `camctl emulate theta` in a child process, like a user runs it.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { Benchmark, BenchContext, BenchRow } from './run.js';
import { startNginx } from './peers/nginx.js';
import { thetaPicture } from '../src/devices/images/theta.js';
import { curlTimed, curlTimedKeepAlive, pictureFolder, seedPictures, startThetaChild } from './theta-emulator.js';

const MiB = 1024 * 1024;
const FULL = {
  width: 5376,
  height: 2688,
  iso: 0,
  shutterSpeed: 0,
  exposureProgram: 2,
  exposureCompensation: 0,
  whiteBalance: 'auto',
  filter: 'off',
  firmwareVersion: '01.90',
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  return (await r.json()) as Record<string, unknown>;
}

async function download(ctx: BenchContext): Promise<BenchRow[]> {
  const reps = ctx.reps ?? 40;
  const dataDir = path.join(ctx.tmpDir, 'data');
  ctx.log('rendering a full-size THETA picture');
  const { jpeg, thumb } = await thetaPicture(FULL, Date.now(), 0);
  const [name] = await seedPictures(dataDir, jpeg, thumb, 1);
  const nginx = await startNginx({
    root: pictureFolder(dataDir),
    workDir: path.join(ctx.tmpDir, 'nginx'),
    signal: ctx.signal,
  });
  ctx.defer(() => nginx.stop());
  const emu = await startThetaChild({ repoRoot: ctx.repoRoot, dataDir, signal: ctx.signal });
  ctx.defer(() => emu.stop());
  const exec = `${emu.url}/osc/commands/execute`;
  const sid = ((await post(exec, { name: 'camera.startSession', parameters: {} }))['results'] as { sessionId: string })
    .sessionId;
  // getImage is v2.0; /files/ is served at either level, its storage id read from a v2.1 state.
  await post(exec, { name: 'camera.setOptions', parameters: { sessionId: sid, options: { clientVersion: 2 } } });
  const storageUri = ((await post(`${emu.url}/osc/state`, {}))['state'] as { storageUri: string }).storageUri;
  await post(exec, { name: 'camera._finishWlan', parameters: {} });
  const fileUrl = `${storageUri}100RICOH/${name}`;
  const nginxUrl = `${nginx.url}/${name}`;
  const getImage = { name: 'camera.getImage', parameters: { fileUri: `100RICOH/${name}` } };
  const check = (what: string, r: { status: number; bytes: number }) => {
    if (r.status !== 200 || r.bytes !== jpeg.length)
      throw new Error(`${what}: HTTP ${r.status}, ${r.bytes} bytes (expected ${jpeg.length})`);
  };
  // Warm-up: page cache, JIT, connections.
  for (let i = 0; i < 5; i++) {
    check('nginx', await curlTimed(nginxUrl));
    check('getImage', await curlTimed(exec, getImage));
    check('/files/', await curlTimed(fileUrl));
  }
  const speed = (r: { bytes: number; seconds: number }) => r.bytes / r.seconds / MiB;
  // Keep-alive (informative): one curl fetches the file PER_CONNECTION times over one connection,
  // as an OSC client (osc-client, RICOH's SDK, camctl) fetches one picture after another.
  const PER_CONNECTION = 10;
  const n: number[] = [];
  const g: number[] = [];
  const f: number[] = [];
  for (let i = 0; i < Math.ceil(reps / PER_CONNECTION); i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    for (const [what, url, body, into] of [
      ['nginx', nginxUrl, undefined, n],
      ['getImage', exec, getImage, g],
      ['/files/', fileUrl, undefined, f],
    ] as const) {
      for (const r of await curlTimedKeepAlive(url, PER_CONNECTION, body, ctx.signal)) {
        check(what, r);
        into.push(speed(r));
      }
    }
  }
  // The target rows: a new curl and a new connection per download.
  const nCold: number[] = [];
  const gCold: number[] = [];
  const fCold: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const a = await curlTimed(nginxUrl);
    const b = await curlTimed(exec, getImage);
    const c = await curlTimed(fileUrl);
    check('nginx', a);
    check('getImage', b);
    check('/files/', c);
    nCold.push(speed(a));
    gCold.push(speed(b));
    fCold.push(speed(c));
  }
  ctx.log(
    `median MiB/s, keep-alive: nginx ${median(n).toFixed(0)}, getImage ${median(g).toFixed(0)}, /files/ ${median(f).toFixed(0)}`,
  );
  ctx.log(
    `median MiB/s, a connection each: nginx ${median(nCold).toFixed(0)}, getImage ${median(gCold).toFixed(0)}, /files/ ${median(fCold).toFixed(0)}`,
  );
  const label = `nginx ${nginx.version} sendfile`;
  const peer = { value: median(n), unit: 'MiB/s', label, samples: n };
  const peerCold = { value: median(nCold), unit: 'MiB/s', label, samples: nCold };
  const mib = (jpeg.length / MiB).toFixed(1);
  const coldNote = `${mib} MiB JPEG, curl → /dev/null over loopback, one connection per download, median of ${reps} alternating runs; both send with sendfile`;
  const note =
    `informative: ${PER_CONNECTION} downloads per keep-alive connection, median of ${n.length} per server; node's HTTP ` +
    `server sends its first byte ≈ 0.3 ms after nginx's (curl time_starttransfer), and nginx moves this file in under 1 ms`;
  return [
    {
      name: 'theta getImage full-size picture',
      ours: { value: median(gCold), unit: 'MiB/s', label: 'camctl emulator', samples: gCold },
      peer: peerCold,
      target: { kind: 'ratio-at-least', ratio: 0.9 },
      note: coldNote,
    },
    {
      name: 'theta /files/ download',
      ours: { value: median(fCold), unit: 'MiB/s', label: 'camctl emulator', samples: fCold },
      peer: peerCold,
      target: { kind: 'ratio-at-least', ratio: 0.9 },
      note: coldNote,
    },
    {
      name: 'theta getImage, keep-alive',
      ours: { value: median(g), unit: 'MiB/s', label: 'camctl emulator', samples: g },
      peer,
      target: { kind: 'info' },
      note,
    },
    {
      name: 'theta /files/, keep-alive',
      ours: { value: median(f), unit: 'MiB/s', label: 'camctl emulator', samples: f },
      peer,
      target: { kind: 'info' },
      note,
    },
  ];
}

async function listFiles(ctx: BenchContext): Promise<BenchRow[]> {
  const reps = ctx.reps ?? 300;
  const dataDir = path.join(ctx.tmpDir, 'data');
  await mkdir(dataDir, { recursive: true });
  ctx.log('seeding 10,000 pictures (hard links of one, with thumbnails)');
  const { jpeg, thumb } = await thetaPicture(FULL, Date.now(), 0);
  await seedPictures(dataDir, jpeg, thumb, 10_000);
  const emu = await startThetaChild({ repoRoot: ctx.repoRoot, dataDir, signal: ctx.signal });
  ctx.defer(() => emu.stop());
  const exec = `${emu.url}/osc/commands/execute`;
  const sid = ((await post(exec, { name: 'camera.startSession', parameters: {} }))['results'] as { sessionId: string })
    .sessionId;
  await post(exec, { name: 'camera.setOptions', parameters: { sessionId: sid, options: { clientVersion: 2 } } });
  const page = (start: number) => ({
    name: 'camera.listFiles',
    parameters: { fileType: 'image', entryCount: 100, maxThumbSize: 640, startPosition: start },
  });
  const first = await post(exec, page(0));
  const results = first['results'] as { totalEntries: number; entries: Array<{ thumbnail?: string }> };
  if (results.totalEntries !== 10_000 || results.entries.length !== 100 || !results.entries.every((e) => e.thumbnail)) {
    throw new Error(`listFiles answered ${results.totalEntries} entries / page of ${results.entries.length}`);
  }
  // Warm-up: one pass over the whole list, as a gallery app does once.
  for (let i = 0; i < 100; i++) await post(exec, page(i * 100));
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < reps; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const start = Math.floor(Math.random() * 99) * 100;
    // curl (C) as the client, its own request-to-last-byte time: the client's cost stays out.
    const r = await curlTimed(exec, page(start));
    if (r.status !== 200) throw new Error(`listFiles: HTTP ${r.status}`);
    ms.push(r.seconds * 1000);
    bytes = r.bytes;
  }
  const p99 = percentile(ms, 99);
  ctx.log(`listFiles page of 100 with thumbnails: p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
  return [
    {
      name: 'theta listFiles 100 of 10,000 + thumbs (p99)',
      ours: { value: p99, unit: 'ms', label: 'camctl emulator', samples: ms },
      target: { kind: 'at-most', value: 50, unit: 'ms' },
      note: `${reps} curl requests at random start positions after one pass over the list, ${(bytes / 1024).toFixed(0)} KiB per reply; p50 ${percentile(ms, 50).toFixed(1)} ms`,
    },
  ];
}

async function videoStop(ctx: BenchContext): Promise<BenchRow[]> {
  const reps = ctx.reps ?? 8;
  const RECORD_MS = 2500;
  const dataDir = path.join(ctx.tmpDir, 'data');
  await mkdir(dataDir, { recursive: true });
  const emu = await startThetaChild({ repoRoot: ctx.repoRoot, dataDir, signal: ctx.signal });
  ctx.defer(() => emu.stop());
  const exec = `${emu.url}/osc/commands/execute`;
  const sid = ((await post(exec, { name: 'camera.startSession', parameters: {} }))['results'] as { sessionId: string })
    .sessionId;
  await post(exec, { name: 'camera.setOptions', parameters: { sessionId: sid, options: { clientVersion: 2 } } });
  await post(exec, {
    name: 'camera.setOptions',
    parameters: { options: { captureMode: 'video', fileFormat: { type: 'mp4', width: 1920, height: 1080 } } },
  });
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const started = await post(exec, { name: 'camera.startCapture', parameters: {} });
    if (started['state'] !== 'done') throw new Error(`startCapture: ${JSON.stringify(started)}`);
    await new Promise((r) => setTimeout(r, RECORD_MS));
    const r = await curlTimed(exec, { name: 'camera.stopCapture', parameters: {} });
    if (r.status !== 200) throw new Error(`stopCapture: HTTP ${r.status}`);
    ms.push(r.seconds * 1000);
  }
  const worst = Math.max(...ms);
  ctx.log(
    `video stop after ${RECORD_MS / 1000} s at 1080p: first ${ms[0]!.toFixed(0)} ms, median ${median(ms).toFixed(0)} ms, worst ${worst.toFixed(0)} ms`,
  );
  return [
    {
      name: 'theta video stop, 2.5 s 1080p clip (worst)',
      ours: { value: worst, unit: 'ms', label: 'camctl emulator', samples: ms },
      target: { kind: 'at-most', value: 1000, unit: 'ms' },
      note: `${reps} clips, stopCapture timed by curl; first ${ms[0]!.toFixed(0)} ms (frame loop encoded during it), median ${median(ms).toFixed(0)} ms`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'theta-download',
    description: 'emulated THETA: getImage and /files/ of a full-size picture vs nginx sendfile (curl client)',
    requires: ['nginx', 'curl'],
    timeoutMs: 10 * 60_000,
    run: download,
  },
  {
    name: 'theta-listfiles',
    description: 'emulated THETA: listFiles page of 100 with thumbnails over 10,000 pictures, p99 latency',
    requires: ['curl'],
    timeoutMs: 10 * 60_000,
    run: listFiles,
  },
  {
    name: 'theta-video-stop',
    description: 'emulated THETA: stopCapture latency of a 2.5 s 1080p video (the clip is written while recording)',
    requires: ['curl'],
    timeoutMs: 5 * 60_000,
    run: videoStop,
  },
];

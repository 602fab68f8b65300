/**
 * Target: `camctl sync` of 500 captures from the emulated Sequoia over an emulated
 * Wi-Fi link (20 ms added round trip per request, 3 MB/s per connection) against the way the Sequoia API
 * reference's Python examples do it —
 * sequential Python `requests`, file by file (bench/peers/sequoia_sync_requests.py, Debian's
 * /usr/bin/python3 + python3-requests) — in the same run, on the same data. Target ≥ 3×.
 *
 * Capture settings, chosen so the row runs in a few minutes: RGB 12 MP, mono 0.3 MP, and by default
 * only the Green band (sensors_mask 2): 500 captures = 500 files ≈ 310 MB; Python needs ≈ 2 min at
 * 3 MB/s. `CAMCTL_BENCH_SYNC_SENSORS=31` runs all five bands (2,500 files ≈ 1.9 GB, ≈ 12 min for
 * the Python side). The 500 captures are one real capture of the emulator, hard-linked under 500
 * folders and names (the bytes on the wire are the camera's own files; writing 500 captures
 * through the image pipeline would take longer than the comparison itself).
 */
import { spawn } from 'node:child_process';
import { link, mkdir, readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { BenchSkip, type Benchmark, type BenchContext, type BenchRow } from './run.js';
import { startSequoiaChild } from './peers/sequoia-emulator.js';
import { startSequoiaEmulator } from '../src/emulator/sequoia.js';

const CAPTURES = 500;
const LATENCY_MS = 20;
const BANDWIDTH = 3_000_000;
const PARALLEL = 8;
const PYTHON = '/usr/bin/python3';

function run(cmd: string, args: string[], signal: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** One real capture, then 500 captures made of it: folders 0000…0499, names with their own index and time. */
async function makeCaptures(ctx: BenchContext, dataDir: string, sensorsMask: number): Promise<{ files: number; bytes: number }> {
  const seedDir = path.join(ctx.tmpDir, 'seed');
  const emu = await startSequoiaEmulator({ dataDir: seedDir, httpPort: 0 });
  try {
    emu.device.setConfig({ capture_mode: 'single', resolution_rgb: 12, resolution_mono: 0.3, sensors_mask: sensorsMask });
    const r = await emu.device.startCapture();
    if (!r.ok) throw new Error(`seed capture failed: ${r.status}`);
    await emu.device.whenSessionEnds();
  } finally {
    await emu.close();
  }
  const src = path.join(seedDir, 'media', 'internal', '0000');
  const names = (await readdir(src)).filter((n) => !n.startsWith('.'));
  const { stat } = await import('node:fs/promises');
  let bytes = 0;
  for (let i = 0; i < CAPTURES; i++) {
    const folder = path.join(dataDir, 'media', 'internal', String(i).padStart(4, '0'));
    await mkdir(folder, { recursive: true });
    const hh = String(8 + Math.floor(i / 3600)).padStart(2, '0');
    const mm = String(Math.floor(i / 60) % 60).padStart(2, '0');
    const ss = String(i % 60).padStart(2, '0');
    for (const n of names) {
      // IMG_YYMMDD_HHMMSS_NNNN_BAND.EXT: one picture per folder (index 0000), a second apart.
      const name = n.replace(/^IMG_(\d{6})_\d{6}_\d{4}_/, `IMG_180413_${hh}${mm}${ss}_0000_`);
      await link(path.join(src, n), path.join(folder, name));
      bytes += (await stat(path.join(src, n))).size;
    }
  }
  return { files: CAPTURES * names.length, bytes };
}

async function benchSync(ctx: BenchContext): Promise<BenchRow[]> {
  const probe = await run(PYTHON, ['-c', 'import requests'], ctx.signal).catch(() => undefined);
  if (!probe || probe.code !== 0) throw new BenchSkip(`${PYTHON} with requests not found (Debian: apt-get install -y python3-requests)`);
  const sensorsMask = Number(process.env.CAMCTL_BENCH_SYNC_SENSORS ?? 2);
  if (!Number.isInteger(sensorsMask) || sensorsMask < 1 || sensorsMask > 31) throw new Error('CAMCTL_BENCH_SYNC_SENSORS must be 1-31');
  const dataDir = path.join(ctx.tmpDir, 'camera');
  ctx.log(`making ${CAPTURES} captures (sensors_mask ${sensorsMask})`);
  const { files, bytes } = await makeCaptures(ctx, dataDir, sensorsMask);
  const emu = await startSequoiaChild({
    repoRoot: ctx.repoRoot,
    dataDir,
    extraArgs: ['--latency', String(LATENCY_MS), '--bandwidth', String(BANDWIDTH)],
    signal: ctx.signal,
  });
  ctx.defer(() => emu.stop());

  const oursDir = path.join(ctx.tmpDir, 'ours');
  const peerDir = path.join(ctx.tmpDir, 'peer');
  ctx.log(`camctl sync -j ${PARALLEL}: ${files} files, ${(bytes / 1e6).toFixed(0)} MB`);
  const camera = `sequoia://${new URL(emu.url).host}`;
  const ours = await run(process.execPath, [path.join(ctx.repoRoot, 'bin', 'camctl.js'), '--camera', camera, 'sync', oursDir, '-j', String(PARALLEL), '--json'], ctx.signal);
  if (ours.code !== 0) throw new Error(`camctl sync failed (${ours.code}): ${ours.stderr}`);
  const summary = JSON.parse(ours.stdout) as { files: number; downloaded: number; transferredBytes: number };
  if (summary.downloaded !== files || summary.transferredBytes !== bytes) {
    throw new Error(`camctl sync moved ${summary.downloaded} files / ${summary.transferredBytes} bytes, expected ${files} / ${bytes}`);
  }
  await rm(oursDir, { recursive: true, force: true });
  ctx.log(`camctl: ${ours.seconds.toFixed(1)} s; now Python requests, sequentially (≈ ${Math.round(bytes / BANDWIDTH)} s)`);

  const script = path.join(ctx.repoRoot, 'bench', 'peers', 'sequoia_sync_requests.py');
  const peer = await run(PYTHON, [script, emu.url, peerDir], ctx.signal);
  if (peer.code !== 0) throw new Error(`python requests peer failed (${peer.code}): ${peer.stderr}`);
  const peerOut = JSON.parse(peer.stdout) as { files: number; bytes: number };
  if (peerOut.files !== files || peerOut.bytes !== bytes) throw new Error(`python peer got ${peerOut.files} files / ${peerOut.bytes} bytes`);
  ctx.log(`python: ${peer.seconds.toFixed(1)} s`);
  const mbps = (s: number) => bytes / 1e6 / s;
  return [
    {
      name: `sequoia sync ${CAPTURES} captures (${files} files)`,
      ours: { value: mbps(ours.seconds), unit: 'MB/s', label: `camctl sync -j ${PARALLEL}`, samples: [ours.seconds] },
      peer: { value: mbps(peer.seconds), unit: 'MB/s', label: 'python3 requests, sequential', samples: [peer.seconds] },
      target: { kind: 'ratio-at-least', ratio: 3 },
      note:
        `${(bytes / 1e6).toFixed(0)} MB, RGB 12 MP + mono 0.3 MP, sensors_mask ${sensorsMask}; link ${LATENCY_MS} ms RTT, ` +
        `${BANDWIDTH / 1e6} MB/s per connection; wall time incl. process start: camctl ${ours.seconds.toFixed(1)} s, python ${peer.seconds.toFixed(1)} s`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'sequoia-sync',
    description: 'camctl sync of 500 captures over a 20 ms / 3 MB/s link vs sequential Python requests (as the Sequoia API reference\'s examples do)',
    timeoutMs: 30 * 60_000,
    run: benchSync,
  },
];

/**
 * Targets of downloads from the emulated Sequoia against Debian's nginx (sendfile on).
 *
 * - `/download/internal/0000/<file>` of a 1 GiB file vs nginx serving the same file: ≥ 0.9×.
 * - `/download/internal/0001` (a streamed zip of 100 files, 1 GiB in all) vs that same nginx
 *   figure: ≥ 0.7×, and the emulator's peak RSS (VmHWM) under 200 MB.
 *
 * Both servers are child processes serving the same files from the same page cache; the client is
 * curl to /dev/null for both; runs alternate (nginx, ours, nginx, ours, …) so a burst of load from
 * elsewhere on the machine hits both sides alike, and the best run of each side is compared (the
 * least disturbed one; every sample is in bench-results.json). The zip is measured on a freshly
 * started emulator so its peak RSS is start-up plus the zip, nothing else.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { Benchmark, BenchContext, BenchRow } from './run.js';
import { curlDownload, type Download } from './peers/curl.js';
import { ensureSpace, GiB, MiB, writeRandomFile } from './peers/files.js';
import type { Child } from './peers/child.js';
import { startNginx } from './peers/nginx.js';
import { startSequoiaChild } from './peers/sequoia-emulator.js';

const FILE_BYTES = GiB;
const ZIP_FILES = 100;
/** 100 files adding up to 1 GiB (the last one takes the remainder). */
const ZIP_FILE_BYTES = Math.floor(GiB / ZIP_FILES);
const RSS_LIMIT_MB = 200;
const DEFAULT_REPS = 3;

/** Camera-style names (docs/sequoia.md: IMG_YYMMDD_HHMMSS_NNNN_<BAND>.<EXT>), 20 captures × 5 bands. */
const BANDS = [
  ['RGB', 'JPG'],
  ['GRE', 'TIF'],
  ['RED', 'TIF'],
  ['REG', 'TIF'],
  ['NIR', 'TIF'],
] as const;
function imageName(index: number): string {
  const capture = Math.floor(index / BANDS.length);
  const [band, ext] = BANDS[index % BANDS.length] ?? BANDS[0];
  const time = `0800${String(capture).padStart(2, '0')}`;
  return `IMG_180413_${time}_${String(capture).padStart(4, '0')}_${band}.${ext}`;
}

const best = (xs: number[]) => Math.max(...xs);
const least = (xs: number[]) => Math.min(...xs);

interface Run {
  mibps: number;
  /** Server CPU seconds per GiB sent (user + system, workers included). */
  cpuPerGiB: number;
}

/** One timed download, with the server's CPU time over it. */
async function timed(server: Child, get: () => Promise<Download>): Promise<Run> {
  const cpu0 = server.cpuSeconds() ?? NaN;
  const d = await get();
  const cpu = (server.cpuSeconds() ?? NaN) - cpu0;
  return { mibps: d.throughput / MiB, cpuPerGiB: cpu / (d.bytes / GiB) };
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  await ensureSpace(ctx.tmpDir, 2 * GiB);
  // The emulator keeps its media in <data dir>/media/<medium>/<folder>/ (src/devices/sequoia/device.ts).
  const dataDir = path.join(ctx.tmpDir, 'data');
  const internal = path.join(dataDir, 'media', 'internal');
  const fileName = imageName(4); // a NIR TIFF
  await mkdir(path.join(internal, '0000'), { recursive: true });
  await mkdir(path.join(internal, '0001'), { recursive: true });
  ctx.log('writing a 1 GiB file and a 1 GiB folder of 100 files');
  await writeRandomFile(path.join(internal, '0000', fileName), FILE_BYTES, ctx.signal);
  let folderBytes = 0;
  for (let i = 0; i < ZIP_FILES; i++) {
    const size = i === ZIP_FILES - 1 ? GiB - ZIP_FILE_BYTES * (ZIP_FILES - 1) : ZIP_FILE_BYTES;
    await writeRandomFile(path.join(internal, '0001', imageName(i)), size, ctx.signal, i + 1);
    folderBytes += size;
  }

  const nginx = await startNginx({ root: internal, workDir: path.join(ctx.tmpDir, 'nginx'), signal: ctx.signal });
  ctx.defer(() => nginx.stop());
  const emu = await startSequoiaChild({ repoRoot: ctx.repoRoot, dataDir, signal: ctx.signal });
  ctx.defer(() => emu.stop());

  const nginxUrl = `${nginx.url}/0000/${fileName}`;
  const oursUrl = `${emu.url}/download/internal/0000/${fileName}`;
  const get = (url: string) => curlDownload(url, { expectBytes: FILE_BYTES, signal: ctx.signal });
  // One untimed pass each: both read from a warm page cache, and the emulator's code is hot.
  await get(nginxUrl);
  await get(oursUrl);
  const nginxRuns: Run[] = [];
  const oursRuns: Run[] = [];
  for (let i = 0; i < reps; i++) {
    nginxRuns.push(await timed(nginx.child, () => get(nginxUrl)));
    oursRuns.push(await timed(emu.child, () => get(oursUrl)));
    ctx.log(
      `file run ${i + 1}/${reps}: nginx ${nginxRuns.at(-1)?.mibps.toFixed(0)} MiB/s, emulator ${oursRuns.at(-1)?.mibps.toFixed(0)} MiB/s`,
    );
  }
  const fileRssMB = (emu.child.peakRssBytes() ?? NaN) / 1e6;
  await emu.stop();

  // A fresh emulator for the zip, so its peak RSS belongs to the zip download alone.
  const zipEmu = await startSequoiaChild({ repoRoot: ctx.repoRoot, dataDir, signal: ctx.signal });
  ctx.defer(() => zipEmu.stop());
  const idleRssMB = (zipEmu.child.peakRssBytes() ?? NaN) / 1e6;
  const zipUrl = `${zipEmu.url}/download/internal/0001`;
  // A stored zip is the files plus headers (≈ 100 × 150 bytes): at least the folder's bytes.
  const zipGet = () => curlDownload(zipUrl, { minBytes: folderBytes, signal: ctx.signal });
  const zipRuns: Run[] = [];
  let zipBytes = 0;
  for (let i = 0; i < reps; i++) {
    zipRuns.push(
      await timed(zipEmu.child, async () => {
        const d = await zipGet();
        zipBytes = d.bytes;
        return d;
      }),
    );
    ctx.log(
      `zip run ${i + 1}/${reps}: emulator ${zipRuns.at(-1)?.mibps.toFixed(0)} MiB/s, peak RSS ${((zipEmu.child.peakRssBytes() ?? NaN) / 1e6).toFixed(0)} MB`,
    );
  }
  const peakRss = zipEmu.child.peakRssBytes();
  const speeds = (runs: Run[]) => runs.map((r) => r.mibps);
  const cpu = (runs: Run[]) => `${least(runs.map((r) => r.cpuPerGiB)).toFixed(2)} s`;
  const nginxFigure = {
    value: best(speeds(nginxRuns)),
    unit: 'MiB/s',
    label: `nginx ${nginx.version} sendfile`,
    samples: speeds(nginxRuns),
  };
  const rows: BenchRow[] = [
    {
      name: 'sequoia download 1 GiB file',
      ours: { value: best(speeds(oursRuns)), unit: 'MiB/s', label: 'camctl emulator', samples: speeds(oursRuns) },
      peer: nginxFigure,
      target: { kind: 'ratio-at-least', ratio: 0.9 },
      note:
        `curl → /dev/null over loopback, best of ${reps} alternating runs; server CPU per GiB: ` +
        `nginx ${cpu(nginxRuns)}, emulator ${cpu(oursRuns)}; emulator peak RSS ${fileRssMB.toFixed(0)} MB`,
    },
    {
      name: 'sequoia zip download 1 GiB folder',
      ours: { value: best(speeds(zipRuns)), unit: 'MiB/s', label: 'camctl emulator', samples: speeds(zipRuns) },
      peer: nginxFigure,
      target: { kind: 'ratio-at-least', ratio: 0.7 },
      // The first run is shown apart: a server may cache per-file work (CRC-32) between runs.
      note:
        `${ZIP_FILES} files, zip of ${zipBytes} bytes, best of ${reps} (first ${zipRuns[0]?.mibps.toFixed(0)} MiB/s), ` +
        `emulator CPU ${cpu(zipRuns)} per GiB; peer is the nginx single-file figure above`,
    },
  ];
  if (peakRss !== undefined) {
    rows.push({
      name: 'sequoia zip download peak RSS',
      ours: { value: peakRss / 1e6, unit: 'MB', label: 'VmHWM' },
      target: { kind: 'at-most', value: RSS_LIMIT_MB, unit: 'MB' },
      note: `emulator's VmHWM after ${reps} zip downloads (${idleRssMB.toFixed(0)} MB when ready)`,
    });
  }
  return rows;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'sequoia-download',
    description: 'emulated Sequoia /download: 1 GiB file and 1 GiB folder zip vs nginx sendfile (curl client)',
    requires: ['nginx', 'curl'],
    timeoutMs: 15 * 60_000,
    run,
  },
];

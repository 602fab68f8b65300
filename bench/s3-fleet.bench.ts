/**
 * `camctl sync --to s3://…` at fleet scale, into Ceph's RADOS Gateway on loopback (bench/peers/ceph.ts):
 *
 * 1. Eight emulated Sequoias (each with its own serial, as real cameras), each behind its own
 *    emulated radio link (`bandwidthBytesPerSec`: one budget shared by all of that camera's
 *    connections, as its radio is), synced at once by one camctl: aggregate throughput against the
 *    sum of the links' capacities (target ≥ 0.9×), and camctl's peak RSS (target < 300 MB). Two
 *    files at once per camera (`-j 2`): while one picture's PUT is in flight the next is already
 *    coming over the radio, as a real station would keep the link busy; the link budget keeps the
 *    two from taking more than the radio carries. Throughput is given twice: over the transfer
 *    window (from the first picture byte on any link to the last one, sampled from the links
 *    themselves: every gap between files and the cameras finishing apart are in it) with the
 *    target, and over the whole run including process start, the bucket check, the listings and
 *    the manifests (fixed costs that a real flight of gigabytes amortises), for context. The note
 *    names what bounds it and camctl's CPU per MB, the figure that holds on a loaded machine.
 * 2. One flight synced to a local folder and to the gateway, both over the camera's link (the
 *    physics a station meets: the radio is the narrow part, the disk and the store are not): the
 *    S3 path against the local one (target ≥ 0.9×). The same over loopback with no link limit is
 *    reported as context: there Ceph's monitor, OSD and gateway share this machine's cores with
 *    camctl and the emulator, which a store on its own hardware does not.
 *
 * Sizes: CAMCTL_BENCH_S3_MB (default 96) MB per camera in 4 MB pictures, CAMCTL_BENCH_S3_LINK
 * (default 3000000) bytes/s per link, as the Sequoia's 802.11g. 96 MB is a few minutes of a
 * Sequoia's flight; a whole flight is gigabytes.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { mkdir, open, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Child } from './peers/child.js';
import { CEPH_PACKAGES, missingCephTools, startCeph, type RunningCeph } from './peers/ceph.js';
import { writeRandomFile } from './peers/files.js';
import { startSequoiaChild } from './peers/sequoia-emulator.js';
import { startSequoiaEmulator } from '../src/emulator/sequoia/emulator.js';
import { BenchSkip, type Benchmark, type BenchContext, type BenchRow } from './run.js';

const CAMERAS = 8;
const PICTURE = 4_000_000;

/** A camera's card: `count` pictures of PICTURE bytes with Sequoia names. */
async function fillCard(dataDir: string, count: number, salt: number, signal: AbortSignal): Promise<void> {
  const folder = path.join(dataDir, 'media', 'internal', '0001');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    const name = `IMG_260601_1200${String(i % 60).padStart(2, '0')}_${String(i).padStart(4, '0')}_RGB.JPG`;
    const file = path.join(folder, name);
    await writeRandomFile(file, PICTURE, signal, salt * 1000 + i);
    // JPEG markers at both ends: the local sync checks them (fetch.ts).
    const fh = await open(file, 'r+');
    try {
      await fh.write(Buffer.from([0xff, 0xd8]), 0, 2, 0);
      await fh.write(Buffer.from([0xff, 0xd9]), 0, 2, PICTURE - 2);
    } finally {
      await fh.close();
    }
  }
}

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function createBucket(ceph: RunningCeph, bucket: string): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({
    endpoint: ceph.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}

/**
 * Samples the bytes the links have carried since now, every 50 ms: when the first picture bytes
 * went out (past the small JSON replies of info and listing) and when the flight's bytes were all
 * out. Read from the emulated links themselves, so the window is what the radios saw.
 */
function watchLinks(links: ReadonlyArray<{ sentBytes: number }>, flightBytes: number) {
  const sent = () => links.reduce((n, l) => n + l.sentBytes, 0);
  const base = sent();
  const t0 = performance.now();
  let first: number | undefined;
  let last: number | undefined;
  let before = t0;
  const timer = setInterval(() => {
    const now = performance.now();
    const carried = sent() - base;
    if (first === undefined && carried >= 64 * 1024) first = before;
    if (last === undefined && carried >= flightBytes) last = now;
    before = now;
  }, 50);
  return {
    /** Seconds from the first picture byte to the last, and from the start of the run to each. */
    stop(): { window: number; firstAt: number; lastAt: number } {
      clearInterval(timer);
      const f = first ?? t0;
      const l = last ?? performance.now();
      return { window: (l - f) / 1000, firstAt: (f - t0) / 1000, lastAt: (l - t0) / 1000 };
    },
  };
}

/** Runs camctl with ARGS, sampling its peak RSS; returns wall seconds, peak RSS, CPU and stdout. */
async function camctl(
  ctx: BenchContext,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; peakRss: number; cpu: number; stdout: string }> {
  const t0 = performance.now();
  const child = await Child.spawn(process.execPath, [path.join(ctx.repoRoot, 'bin', 'camctl.js'), ...args], {
    env,
    label: 'camctl sync',
  });
  let peakRss = 0;
  let cpu = 0;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, child.peakRssBytes() ?? 0);
    cpu = Math.max(cpu, child.cpuSeconds() ?? 0);
  }, 100);
  const lines: string[] = [];
  const collect = child
    .waitForLine((l) => void lines.push(l), { timeoutMs: 30 * 60_000, signal: ctx.signal })
    .catch(() => undefined);
  const exit = await child.exited;
  clearInterval(timer);
  await collect;
  if (exit.code !== 0)
    throw new Error(
      `camctl ${args.join(' ')} exited ${exit.code}: ${child.stderrTail} ${lines.join('\n').slice(0, 2000)}`,
    );
  return { seconds: (performance.now() - t0) / 1000, peakRss, cpu, stdout: lines.join('\n') };
}

async function benchFleet(ctx: BenchContext): Promise<BenchRow[]> {
  const missing = await missingCephTools();
  if (missing.length)
    throw new BenchSkip(`${missing.join(', ')} not installed (Debian: apt-get install -y ${CEPH_PACKAGES})`);
  const mbPerCamera = Number(process.env.CAMCTL_BENCH_S3_MB ?? 96);
  const link = Number(process.env.CAMCTL_BENCH_S3_LINK ?? 3_000_000);
  const pictures = Math.max(1, Math.round((mbPerCamera * 1e6) / PICTURE));
  ctx.log(`starting Ceph; ${CAMERAS} cameras × ${pictures} pictures of 4 MB, links of ${link / 1e6} MB/s`);
  const ceph = await startCeph({ tmpDir: ctx.tmpDir, signal: ctx.signal });
  ctx.defer(() => ceph.stop());
  await createBucket(ceph, 'fleet');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: ceph.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ceph.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(ctx.tmpDir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(ctx.tmpDir, 'none'),
  };
  const addresses: string[] = [];
  const links: Array<{ sentBytes: number }> = [];
  for (let c = 0; c < CAMERAS; c++) {
    const dataDir = path.join(ctx.tmpDir, `camera-${c}`);
    await fillCard(dataDir, pictures, c, ctx.signal);
    // In this process (camctl is the one measured), each with a serial of its own as real cameras.
    const emu = await startSequoiaEmulator({
      dataDir,
      httpPort: 0,
      bandwidthBytesPerSec: link,
      serialNumber: `PI0403BENCH${String(c).padStart(7, '0')}`,
    });
    ctx.defer(() => emu.close());
    addresses.push(`sequoia://${new URL(emu.url).host}`);
    links.push(emu.link);
  }
  const total = CAMERAS * pictures * PICTURE;
  const gatewayCpu0 = ceph.pids().reduce((n, p) => n + cpuOf(p), 0);
  const emulatorCpu0 = process.cpuUsage();
  const watch = watchLinks(links, total);
  const fleet = await camctl(
    ctx,
    [
      ...addresses.flatMap((a) => ['--camera', a]),
      'sync',
      '--to',
      's3://fleet/bench',
      '--endpoint',
      ceph.endpoint,
      '-j',
      '2',
      '--json',
    ],
    env,
  );
  const transfer = watch.stop();
  const storeCpu = ceph.pids().reduce((n, p) => n + cpuOf(p), 0) - gatewayCpu0;
  const emulatorCpuUs = process.cpuUsage(emulatorCpu0);
  const emulatorCpu = (emulatorCpuUs.user + emulatorCpuUs.system) / 1e6;
  const summary = JSON.parse(fleet.stdout) as { cameras: Array<{ sentBytes: number; failed: number }> };
  const sent = summary.cameras.reduce((n, c) => n + c.sentBytes, 0);
  if (sent !== total || summary.cameras.some((c) => c.failed > 0))
    throw new Error(`the fleet sync sent ${sent} of ${total} bytes`);
  const wholeRun = total / fleet.seconds / 1e6;
  const aggregate = total / transfer.window / 1e6;
  const capacity = (CAMERAS * link) / 1e6;
  // Everything here shares this machine's cores: camctl, Ceph's daemons and the emulators (this process).
  const cores = availableParallelism();
  const machineBusy = (fleet.cpu + storeCpu + emulatorCpu) / (cores * fleet.seconds);
  const load = loadavg()[0]!;
  const heaviest = fleet.cpu > storeCpu ? 'camctl' : 'Ceph';
  const bottleneck =
    aggregate >= 0.9 * capacity
      ? "the cameras' links"
      : machineBusy >= 0.85
        ? `the ${cores} cores shared by camctl, Ceph and the emulators (${(machineBusy * 100).toFixed(0)} % busy; ${heaviest} uses the most)`
        : load > cores
          ? `CPU time: the machine runs more than this benchmark (1-min load ${load.toFixed(1)} on ${cores} cores; of ours ${heaviest} uses the most)`
          : "the links idle between files, waiting for the store's answers";
  const cpuPerMb = (fleet.cpu * 1000) / (total / 1e6);
  ctx.log(
    `fleet: ${aggregate.toFixed(1)} MB/s of ${capacity} MB/s over ${transfer.window.toFixed(1)} s of transfer, ${wholeRun.toFixed(1)} MB/s over the whole run; peak RSS ${(fleet.peakRss / 1e6).toFixed(0)} MB`,
  );

  // One flight, over the camera's link and then over bare loopback: to a folder, then to the gateway.
  const flightDir = path.join(ctx.tmpDir, 'flight');
  await fillCard(flightDir, pictures, 99, ctx.signal);
  const bytes = pictures * PICTURE;
  const flight = async (extraArgs: string[], bucketPrefix: string) => {
    const emu = await startSequoiaChild({ repoRoot: ctx.repoRoot, dataDir: flightDir, extraArgs, signal: ctx.signal });
    try {
      const camera = `sequoia://${new URL(emu.url).host}`;
      const localDir = path.join(ctx.tmpDir, `local-${bucketPrefix}`);
      const local = await camctl(ctx, ['--camera', camera, 'sync', localDir, '-j', '4', '--json'], env);
      await rm(localDir, { recursive: true, force: true });
      const s3 = await camctl(
        ctx,
        [
          '--camera',
          camera,
          'sync',
          '--to',
          `s3://fleet/${bucketPrefix}`,
          '--endpoint',
          ceph.endpoint,
          '-j',
          '4',
          '--json',
        ],
        env,
      );
      return { local, s3 };
    } finally {
      await emu.stop();
    }
  };
  const overLink = await flight(['--bandwidth', String(link)], 'one-link');
  ctx.log(
    `one flight over a ${link / 1e6} MB/s link: S3 ${overLink.s3.seconds.toFixed(1)} s, local ${overLink.local.seconds.toFixed(1)} s`,
  );
  const overLoopback = await flight([], 'one-loopback');
  const mbps = (s: number) => bytes / 1e6 / s;
  return [
    {
      name: `s3 sync: ${CAMERAS} cameras at once into the RADOS Gateway, while the pictures flow`,
      ours: {
        value: aggregate,
        unit: 'MB/s',
        label: 'camctl sync --to s3:// (8 × --camera, -j 2)',
        samples: [transfer.window],
      },
      peer: { value: capacity, unit: 'MB/s', label: `sum of ${CAMERAS} links of ${link / 1e6} MB/s` },
      target: { kind: 'ratio-at-least', ratio: 0.9 },
      note: `${(total / 1e6).toFixed(0)} MB in ${transfer.window.toFixed(1)} s from the first picture byte on the links to the last (${transfer.firstAt.toFixed(1)} s after start); bottleneck: ${bottleneck}; CPU camctl ${fleet.cpu.toFixed(1)} s (${cpuPerMb.toFixed(1)} ms/MB), Ceph ${storeCpu.toFixed(1)} s, emulators ${emulatorCpu.toFixed(1)} s`,
    },
    {
      name: `s3 sync: ${CAMERAS} cameras at once into the RADOS Gateway, whole run`,
      ours: {
        value: wholeRun,
        unit: 'MB/s',
        label: 'camctl sync --to s3:// (8 × --camera, -j 2)',
        samples: [fleet.seconds],
      },
      peer: { value: capacity, unit: 'MB/s', label: `sum of ${CAMERAS} links of ${link / 1e6} MB/s` },
      target: { kind: 'info' },
      note: `context: ${fleet.seconds.toFixed(1)} s including process start, the bucket check, the listings and the manifests (${(fleet.seconds - transfer.window).toFixed(1)} s outside the transfer window); a real flight of gigabytes amortises them`,
    },
    {
      name: `s3 sync: camctl peak RSS, ${CAMERAS} cameras`,
      ours: { value: fleet.peakRss / 1e6, unit: 'MB', label: 'camctl (VmHWM)' },
      target: { kind: 'at-most', value: 300, unit: 'MB' },
    },
    {
      name: "sync one flight over the camera's link: to the RADOS Gateway vs to a local folder",
      ours: {
        value: mbps(overLink.s3.seconds),
        unit: 'MB/s',
        label: 'camctl sync --to s3:// -j 4',
        samples: [overLink.s3.seconds],
      },
      peer: {
        value: mbps(overLink.local.seconds),
        unit: 'MB/s',
        label: 'camctl sync DIR -j 4',
        samples: [overLink.local.seconds],
      },
      target: { kind: 'ratio-at-least', ratio: 0.9 },
      note: `${(bytes / 1e6).toFixed(0)} MB in 4 MB pictures over a ${link / 1e6} MB/s link; wall time incl. process start`,
    },
    {
      name: 'sync one flight over loopback (no link limit): to the RADOS Gateway vs to a local folder',
      ours: {
        value: mbps(overLoopback.s3.seconds),
        unit: 'MB/s',
        label: 'camctl sync --to s3:// -j 4',
        samples: [overLoopback.s3.seconds],
      },
      peer: {
        value: mbps(overLoopback.local.seconds),
        unit: 'MB/s',
        label: 'camctl sync DIR -j 4',
        samples: [overLoopback.local.seconds],
      },
      target: { kind: 'info' },
      note: `context, no target: Ceph's monitor, OSD and gateway run on the same cores as camctl and the emulator here`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 's3-fleet',
    description:
      'sync --to s3:// of 8 link-limited cameras at once into a local Ceph RADOS Gateway; S3 vs local folder',
    timeoutMs: 20 * 60_000,
    run: benchFleet,
  },
];

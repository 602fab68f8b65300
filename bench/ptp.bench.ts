/**
 * Targets of PTP/IP against the emulated Sequoia (in this process, on loopback).
 * - GetObject of a 512 MiB object: our PtpIpClient (a child node process streaming to a file) vs
 *   `gphoto2 --get-file` of the same object from the same responder, same run: ≥ 1.0×.
 * - The responder serving gphoto2 that object vs nginx (sendfile) serving the file to curl: ≥ 0.8×.
 * - `gphoto2 --summary` against the responder: ≤ 0.2 s.
 *
 * What bounds the gphoto2 row is gphoto2 (libgphoto2 2.5.30 as Debian ships it), not the responder:
 * - camlibs/ptp2/library.c, get_file_func: a file over 1 MiB on a device that lists
 *   GetPartialObject (the emulated cameras do, as the real THETA does) is fetched as a loop of
 *   1 MiB GetPartialObject transactions (BLOBSIZE), one after another.
 * - camlibs/ptp2/ptpip.c, ptp_ptpip_generic_read: every read() of a packet calls GP_LOG_DATA on
 *   the bytes read; libgphoto2_port gphoto2-port-log.c, gp_log_data, formats the full hexdump
 *   (up to 1 MiB per call, 4.5 output bytes per input byte) BEFORE gp_logv checks whether any log
 *   function is registered — so it runs without --debug too, on every byte of every file
 *   (callgrind, 16 MiB: gp_log_data 527 M of 672 M instructions, ≈ 31 per byte).
 * So gphoto2 burns ≈ 6.5 ms of CPU per MiB (perf: ≈ 80 % in gp_log_data), which caps it at
 * ≈ 150 MiB/s whatever the responder does. Two rows make that visible: gphoto2 against the smallest
 * possible responder (bench/peers/ptpip_memory_responder.py: the object in memory, a whole
 * transaction per sendmsg), and gphoto2's own ceiling, 512 MiB ÷ its CPU seconds. Each gphoto2
 * run is split (bench/peers/schedrun.py) into CPU, waiting for a CPU, and blocked on the socket.
 *
 * Measured by hand on the 2-core bench machine (2026-11-22), 512 MiB, gphoto2 CPU seconds:
 * - as shipped: 3.3–3.6 s against our responder and against the in-memory one alike;
 * - with gp_log_data replaced by a no-op (LD_PRELOAD, measurement only): 1.2–1.3 s — even then
 *   ≈ 420 MiB/s, 0.14× nginx: what is left is its per-packet malloc and the memory handler's
 *   realloc (without the 4.5 MiB hexdump buffers glibc maps and unmaps them: ≈ 250 000 page
 *   faults instead of ≈ 9 000), the socket read and the file write;
 * - if the device did not list GetPartialObject (one GetObject, one 512 MiB EndData packet — not
 *   something the emulated cameras may claim): 1.8–2.0 s, since a read() returning more than
 *   1 MiB is hexdumped only up to 1 MiB. Still ≈ 270 MiB/s.
 * So ≥ 0.8× nginx (≈ 2.4 GiB/s here) is out of reach for gphoto2 whatever the responder does.
 *
 * Runs alternate between the contenders; the best of N is kept, every sample is in the JSON.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Benchmark, BenchContext, BenchRow } from './run.js';
import { curlDownload } from './peers/curl.js';
import { ensureSpace, MiB, writeRandomFile } from './peers/files.js';
import { gphoto2Get, startMemoryResponder, type GphotoRun } from './peers/gphoto2.js';
import { startNginx } from './peers/nginx.js';
import { requireTool } from './peers/tools.js';
import { SequoiaDevice } from '../src/devices/sequoia/device.js';
import { startSequoiaPtpIp } from '../src/emulator/sequoia/ptp-face.js';

const run = promisify(execFile);
const SIZE = 512 * MiB;
const GiB = 1024 * MiB;
const DEFAULT_REPS = 3;
const FILE_NAME = 'IMG_180413_080658_0000_NIR.TIF';

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
const mibps = (s: number): number => SIZE / MiB / s;
const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** `wall 3.91 s = CPU 3.38 + waiting for a CPU 0.21 + blocked 0.32` (medians). */
const split = (runs: GphotoRun[]): string =>
  `wall ${median(runs.map((r) => r.wall)).toFixed(2)} s = CPU ${median(runs.map((r) => r.cpu)).toFixed(2)} + run queue ${median(runs.map((r) => r.runq)).toFixed(2)} + blocked ${median(runs.map((r) => r.blocked)).toFixed(2)}`;

async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  const python = await requireTool('python3');
  await ensureSpace(ctx.tmpDir, 3 * SIZE);
  const device = await SequoiaDevice.open({ dataDir: path.join(ctx.tmpDir, 'cam') });
  ctx.defer(() => device.close());
  const internal = path.join(ctx.tmpDir, 'cam', 'media', 'internal');
  const objectFile = path.join(internal, '0000', FILE_NAME);
  await mkdir(path.join(internal, '0000'), { recursive: true });
  ctx.log('writing a 512 MiB object');
  await writeRandomFile(objectFile, SIZE, ctx.signal);
  const ptp = await startSequoiaPtpIp(device, { host: '127.0.0.1', port: 0 });
  ctx.defer(() => ptp.close());
  const nginx = await startNginx({ root: internal, workDir: path.join(ctx.tmpDir, 'nginx'), signal: ctx.signal });
  ctx.defer(() => nginx.stop());
  const memory = await startMemoryResponder({ python, repoRoot: ctx.repoRoot, file: objectFile, signal: ctx.signal });
  ctx.defer(() => memory.stop());
  const port = `ptpip:127.0.0.1:${ptp.port}:${ptp.port}`;
  const out = path.join(ctx.tmpDir, 'out');
  await mkdir(out, { recursive: true });

  const gphotoFrom = (p: string): Promise<GphotoRun> =>
    gphoto2Get({
      python,
      repoRoot: ctx.repoRoot,
      port: p,
      folder: '/store_00010001/0000',
      index: 1,
      outDir: out,
      fileName: FILE_NAME,
      expectBytes: SIZE,
      signal: ctx.signal,
    });
  /** gphoto2 from our responder, with the responder's CPU (this process) over the run. */
  const gphotoOurs = async (): Promise<GphotoRun & { serverCpu: number }> => {
    const c0 = process.cpuUsage();
    const r = await gphotoFrom(port);
    const c = process.cpuUsage(c0);
    return { ...r, serverCpu: (c.user + c.system) / 1e6 };
  };
  const gphotoMemory = async (): Promise<GphotoRun & { serverCpu: number }> => {
    const c0 = memory.child.cpuSeconds() ?? NaN;
    const r = await gphotoFrom(`ptpip:127.0.0.1:${memory.port}:${memory.port}`);
    return { ...r, serverCpu: (memory.child.cpuSeconds() ?? NaN) - c0 };
  };
  const clientModule = path.join(ctx.repoRoot, 'dist', 'src', 'ptp', 'ip', 'client.js');
  const script = `
    const { PtpIpClient } = await import(${JSON.stringify(clientModule)});
    const c = await PtpIpClient.connect({ host: '127.0.0.1', port: ${ptp.port} });
    const handles = await c.getObjectHandles(0x00010001, 0x380d, 0);
    const n = await c.downloadObject(handles[0], ${JSON.stringify(path.join(out, 'ours.tif'))});
    await c.close();
    if (n !== ${SIZE}) throw new Error('short download ' + n);`;
  const ours = async (): Promise<void> => {
    await run(process.execPath, ['--input-type=module', '-e', script], { signal: ctx.signal });
  };
  // gphoto2's own access pattern (library.c: files over 1 MiB are fetched as 1 MiB GetPartialObject
  // transactions) replayed by our client without writing a file: the responder's share of
  // gphoto2's figure, without gphoto2's own costs.
  const partialScript = `
    const { PtpIpClient } = await import(${JSON.stringify(clientModule)});
    const c = await PtpIpClient.connect({ host: '127.0.0.1', port: ${ptp.port} });
    const handles = await c.getObjectHandles(0x00010001, 0x380d, 0);
    let n = 0;
    const sink = { write(chunk) { n += chunk.length; } };
    for (let off = 0; off < ${SIZE}; off += 1048576) await c.session.transaction(0x101b, [handles[0], off, 1048576], { dataIn: sink });
    await c.close();
    if (n !== ${SIZE}) throw new Error('short download ' + n);`;
  const partial = async (): Promise<void> => {
    await run(process.execPath, ['--input-type=module', '-e', partialScript], { signal: ctx.signal });
  };
  const nginxGet = async (): Promise<{ mibps: number; cpu: number }> => {
    const c0 = nginx.child.cpuSeconds() ?? NaN;
    const d = await curlDownload(`${nginx.url}/0000/${FILE_NAME}`, { expectBytes: SIZE, signal: ctx.signal });
    return { mibps: mibps(d.seconds), cpu: (nginx.child.cpuSeconds() ?? NaN) - c0 };
  };

  // Warm-up: the page cache, and our responder's code paths (JIT).
  await gphotoOurs();
  await gphotoMemory();
  const gRuns: Array<GphotoRun & { serverCpu: number }> = [];
  const mRuns: Array<GphotoRun & { serverCpu: number }> = [];
  const o: number[] = [];
  const n: number[] = [];
  const nCpu: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < reps; i++) {
    gRuns.push(await gphotoOurs());
    mRuns.push(await gphotoMemory());
    o.push(mibps(await timed(ours)));
    const ng = await nginxGet();
    n.push(ng.mibps);
    nCpu.push(ng.cpu);
    p.push(mibps(await timed(partial)));
    const g = gRuns.at(-1)!;
    const m = mRuns.at(-1)!;
    ctx.log(
      `run ${i + 1}/${reps}: gphoto2 ← ours ${mibps(g.wall).toFixed(0)} MiB/s (CPU ${g.cpu.toFixed(2)} s, run queue ${g.runq.toFixed(2)} s, blocked ${g.blocked.toFixed(2)} s), ` +
        `gphoto2 ← memory responder ${mibps(m.wall).toFixed(0)} MiB/s (CPU ${m.cpu.toFixed(2)} s, run queue ${m.runq.toFixed(2)} s, blocked ${m.blocked.toFixed(2)} s), ` +
        `PtpIpClient ${o.at(-1)!.toFixed(0)} MiB/s, nginx ${n.at(-1)!.toFixed(0)} MiB/s, 1 MiB GetPartialObject loop ${p.at(-1)!.toFixed(0)} MiB/s`,
    );
  }
  const summary: number[] = [];
  for (let i = 0; i < Math.max(5, reps); i++)
    summary.push(await timed(() => run('gphoto2', ['--port', port, '--summary'], { signal: ctx.signal })));
  const best = (a: number[]): number => Math.max(...a);
  const g = gRuns.map((r) => mibps(r.wall));
  const m = mRuns.map((r) => mibps(r.wall));
  // The same runs without the time gphoto2 spent runnable but waiting for a CPU: on a shared
  // machine that wait is other people's work, and it swamps the responder's share.
  const gOwn = gRuns.map((r) => mibps(r.wall - r.runq));
  const mOwn = mRuns.map((r) => mibps(r.wall - r.runq));
  // gphoto2's ceiling: the object's size over the CPU time gphoto2 itself needed for it.
  const ceiling = [...gRuns, ...mRuns].map((r) => mibps(r.cpu));
  const perGiB = (cpu: number[]): string => `${(median(cpu) / (SIZE / GiB)).toFixed(2)} s/GiB`;
  const gCpuPerMiB = (median([...gRuns, ...mRuns].map((r) => r.cpu)) / (SIZE / MiB)) * 1e3;
  return [
    {
      name: 'ptp GetObject 512 MiB: PtpIpClient vs gphoto2',
      ours: { value: best(o), unit: 'MiB/s', label: 'camctl PtpIpClient (child process, to file)', samples: o },
      peer: { value: best(g), unit: 'MiB/s', label: 'gphoto2 --get-file', samples: g },
      target: { kind: 'ratio-at-least', ratio: 1.0 },
      note: `best of ${reps}; both from the same in-process responder; includes connect + session setup`,
    },
    {
      name: 'ptp responder serving gphoto2 vs nginx',
      ours: { value: best(g), unit: 'MiB/s', label: 'camctl responder → gphoto2', samples: g },
      peer: { value: best(n), unit: 'MiB/s', label: `nginx ${nginx.version} sendfile → curl`, samples: n },
      target: { kind: 'ratio-at-least', ratio: 0.8 },
      note:
        `not reachable: gphoto2's own CPU bounds it (next row). gphoto2 ${split(gRuns)} (medians, process start included); ` +
        `CPU per GiB: responder ${perGiB(gRuns.map((r) => r.serverCpu))}, nginx ${perGiB(nCpu)}`,
    },
    {
      name: "gphoto2's own ceiling (512 MiB ÷ gphoto2 CPU time) vs nginx",
      ours: {
        value: best(ceiling),
        unit: 'MiB/s',
        label: 'gphoto2 with a responder that costs nothing',
        samples: ceiling,
      },
      peer: { value: best(n), unit: 'MiB/s', label: `nginx ${nginx.version} sendfile → curl`, samples: n },
      target: { kind: 'info' }, // context for the row above, which carries the target
      note:
        `gphoto2 needs ${gCpuPerMiB.toFixed(1)} ms CPU per MiB: 1 MiB GetPartialObject loop (library.c get_file_func), and a hexdump of ` +
        'every byte read (ptpip.c generic_read → gp_log_data, formatted even without --debug; ≈ 80 % of its CPU under perf)',
    },
    {
      name: 'ptp responder vs in-memory minimal responder, both serving gphoto2 (run-queue wait excluded)',
      ours: { value: best(gOwn), unit: 'MiB/s', label: 'camctl responder → gphoto2', samples: gOwn },
      peer: {
        value: best(mOwn),
        unit: 'MiB/s',
        label: 'ptpip_memory_responder.py (one sendmsg per transaction) → gphoto2',
        samples: mOwn,
      },
      target: { kind: 'ratio-at-least', ratio: 0.9 },
      note:
        'our own bar (the targets set none here): what is left to the responder, with the time gphoto2 waited for a CPU (other work on the machine) taken out. ' +
        `gphoto2 blocked on the socket per 512 MiB: ours ${median(gRuns.map((r) => r.blocked)).toFixed(2)} s, memory ${median(mRuns.map((r) => r.blocked)).toFixed(2)} s. ` +
        `Raw: ours ${best(g).toFixed(0)} MiB/s, memory ${best(m).toFixed(0)} MiB/s; memory responder ${split(mRuns)}, its CPU ${perGiB(mRuns.map((r) => r.serverCpu))}`,
    },
    {
      name: 'ptp responder, gphoto2 pattern (1 MiB GetPartialObject) vs nginx',
      ours: {
        value: best(p),
        unit: 'MiB/s',
        label: 'camctl responder → camctl client, 1 MiB GetPartialObject loop',
        samples: p,
      },
      peer: { value: best(n), unit: 'MiB/s', label: `nginx ${nginx.version} sendfile → curl`, samples: n },
      target: { kind: 'info' }, // context for the row above, which carries the target
      note: "the responder's share of the gphoto2 row: same 512 sequential transactions, no file written, no gphoto2 in the loop",
    },
    {
      name: 'gphoto2 --summary against the responder',
      ours: { value: Math.min(...summary), unit: 's', label: 'camctl responder', samples: summary },
      target: { kind: 'at-most', value: 0.2, unit: 's' },
      note: `best of ${summary.length} (process start included)`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'ptp-getobject',
    description:
      'PTP/IP GetObject 512 MiB (ours vs gphoto2, responder vs nginx and vs a minimal in-memory responder, gphoto2 ceiling) and gphoto2 --summary time',
    requires: ['gphoto2', 'nginx', 'curl', 'python3'],
    timeoutMs: 10 * 60_000,
    run: bench,
  },
];

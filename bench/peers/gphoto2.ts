/**
 * gphoto2 against a PTP/IP responder on loopback, and the smallest responder it can be measured
 * against (bench/peers/ptpip_memory_responder.py).
 *
 * `gphoto2Get` runs `gphoto2 --get-file` under bench/peers/schedrun.py, so each run reports not
 * only its wall time but where gphoto2 spent it: on a CPU, waiting for a CPU (other work on the
 * machine), or blocked (waiting for the responder's bytes, or the disk). That split is what tells
 * a slow responder from a slow gphoto2 on a shared machine.
 */
import { execFile } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Child } from './child.js';

const run = promisify(execFile);

/** Where one gphoto2 run spent its wall time, seconds. */
export interface GphotoRun {
  wall: number;
  /** On a CPU (its main thread). */
  cpu: number;
  /** Runnable, waiting for a CPU. */
  runq: number;
  /** Asleep: waiting for the responder (or the disk). */
  blocked: number;
}

export interface GphotoGetOptions {
  python: string;
  repoRoot: string;
  /** `ptpip:127.0.0.1:P:P` */
  port: string;
  folder: string;
  /** 1-based index in the folder, as `--get-file` takes it. */
  index: number;
  /** Where gphoto2 saves the file (its working directory). */
  outDir: string;
  fileName: string;
  expectBytes: number;
  signal?: AbortSignal;
}

/** `gphoto2 --get-file`, checked for the full size; the saved file is removed afterwards. */
export async function gphoto2Get(o: GphotoGetOptions): Promise<GphotoRun> {
  const saved = path.join(o.outDir, o.fileName);
  await rm(saved, { force: true });
  const script = path.join(o.repoRoot, 'bench', 'peers', 'schedrun.py');
  const { stdout } = await run(
    o.python,
    [script, 'gphoto2', '--port', o.port, '--folder', o.folder, '--get-file', String(o.index), '--force-overwrite'],
    { cwd: o.outDir, signal: o.signal, maxBuffer: 1 << 20 },
  );
  const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Partial<GphotoRun> & { code?: number };
  if (
    r.code !== 0 ||
    typeof r.wall !== 'number' ||
    typeof r.cpu !== 'number' ||
    typeof r.runq !== 'number' ||
    typeof r.blocked !== 'number'
  ) {
    throw new Error(`gphoto2 --get-file failed: ${stdout.trim()}`);
  }
  const size = (await stat(saved)).size;
  await rm(saved, { force: true });
  if (size !== o.expectBytes) throw new Error(`gphoto2 saved ${size} bytes, expected ${o.expectBytes}`);
  return { wall: r.wall, cpu: r.cpu, runq: r.runq, blocked: r.blocked };
}

export interface MemoryResponder {
  port: number;
  child: Child;
  stop(): Promise<void>;
}

/** Starts the in-memory PTP/IP responder serving `file` as /store_00010001/0000/<name>. */
export async function startMemoryResponder(opts: {
  python: string;
  repoRoot: string;
  file: string;
  signal?: AbortSignal;
}): Promise<MemoryResponder> {
  const script = path.join(opts.repoRoot, 'bench', 'peers', 'ptpip_memory_responder.py');
  const child = await Child.spawn(opts.python, [script, opts.file, '0'], { label: 'ptpip_memory_responder.py' });
  try {
    const port = await child.waitForLine((l) => (/^port \d+$/.test(l) ? Number(l.slice(5)) : undefined), {
      timeoutMs: 60_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { port, child, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

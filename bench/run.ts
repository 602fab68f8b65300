/**
 * The single benchmark harness: `npm run bench [-- FILTER…] [--list] [--reps N]`.
 *
 * It discovers every `dist/bench/*.bench.js` (compiled from `bench/*.bench.ts`), runs the
 * benchmarks whose name contains one of the filters (all when none is given), and prints ONE table —
 * benchmark | ours | peer | ratio | target | result — to stdout; progress goes to stderr. The same
 * figures, with every sample, are written to `bench-results.json` in the working directory.
 *
 * Adding a row: create `bench/<area>-<topic>.bench.ts` exporting `benchmarks: Benchmark[]`.
 * Nothing here needs editing. A benchmark gets a private temp dir (removed afterwards, even on
 * Ctrl-C), an abort signal bounded by its `timeoutMs`, and `ctx.defer()` for its own clean-up
 * (children to stop, servers to close). Peers and clients live in `bench/peers/`.
 *
 * @example
 * // bench/theta-list.bench.ts
 * import type { Benchmark } from './run.js';
 * export const benchmarks: Benchmark[] = [{
 *   name: 'theta-list',
 *   description: 'OSC camera.listFiles, 1000 entries',
 *   requires: ['wrk'],
 *   async run(ctx) {
 *     // … start ours and the peer, measure both in the same run …
 *     return [{ name: 'theta listFiles', ours: { value: 950, unit: 'req/s' },
 *               peer: { value: 1000, unit: 'req/s', label: 'bare node:http' },
 *               target: { kind: 'ratio-at-least', ratio: 0.8 } }];
 *   },
 * }];
 *
 * Benchmarks are not part of `npm test`: they need real time and a quiet machine. Rows whose peer
 * tool is missing are skipped with the reason, never silently dropped.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findTool } from './peers/tools.js';

// ─── The interface a benchmark module implements ────────────────────────────────────────────────

/** One measured number. `value` is in `unit`; ours and peer of a row must share a unit. */
export interface Figure {
  value: number;
  unit: string;
  /** What produced it, e.g. `nginx 1.22 (sendfile)` or `camctl emulator`. */
  label?: string;
  /** Every repetition, in `unit`, kept in the JSON so noise can be judged. */
  samples?: number[];
}

/**
 * What a row must reach. Ratio targets compare ours / peer (so `ratio-at-least 0.9` on a
 * throughput, `ratio-at-most 1.5` on a start-up time); absolute targets look at ours alone.
 */
export type Target =
  | { kind: 'ratio-at-least'; ratio: number }
  | { kind: 'ratio-at-most'; ratio: number }
  | { kind: 'at-least'; value: number; unit: string }
  | { kind: 'at-most'; value: number; unit: string }
  /** No target: a figure shown for context beside a row that has one (outcome `info`). */
  | { kind: 'info' };

export interface BenchRow {
  /** Shown in the table's first column, e.g. `sequoia download 1 GiB file`. */
  name: string;
  ours: Figure;
  peer?: Figure;
  target: Target;
  /** One short line shown under the table (how it was measured, caveats). */
  note?: string;
}

export interface BenchContext {
  /** A fresh directory under os.tmpdir(), removed after the benchmark, whatever happens. */
  readonly tmpDir: string;
  /** The repository root (where package.json and bin/camctl.js are). */
  readonly repoRoot: string;
  /** Aborted on timeout or Ctrl-C; pass it to every wait. */
  readonly signal: AbortSignal;
  /** Repetitions asked for with `--reps` (each benchmark picks its own default when undefined). */
  readonly reps: number | undefined;
  /** Runs `fn` when the benchmark ends (last registered, first run), even when it failed. */
  defer(fn: () => unknown): void;
  /** A progress line on stderr. */
  log(message: string): void;
}

export interface Benchmark {
  /** Unique, lowercase, dash-separated; the command-line filter matches substrings of it. */
  name: string;
  description: string;
  /** Executables the benchmark needs (looked up on PATH and in /usr/sbin); missing → skipped. */
  requires?: readonly string[];
  /** Upper bound for the whole benchmark, default 10 minutes; then its signal aborts. */
  timeoutMs?: number;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/**
 * Thrown by a benchmark that finds mid-way it cannot run here (e.g. too little space in the temp
 * dir): the harness shows a skipped row with `reason` instead of an error.
 */
export class BenchSkip extends Error {
  readonly code = 'BENCH_SKIP';
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'BenchSkip';
  }
}

/** A module in dist/bench/ that does not export a valid `benchmarks` array. */
export class BenchModuleError extends Error {
  readonly code = 'BENCH_MODULE';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'BenchModuleError';
  }
}

// ─── Outcomes ────────────────────────────────────────────────────────────────────────────────────

export type Outcome = 'pass' | 'fail' | 'info' | 'skip' | 'error';

export interface RowResult {
  benchmark: string;
  name: string;
  outcome: Outcome;
  ours?: Figure;
  peer?: Figure;
  ratio?: number;
  target?: Target;
  note?: string;
  /** Why the row was skipped or what went wrong. */
  reason?: string;
}

/** Judges one row against its target. A unit mismatch is an error, not a silent pass. */
export function judge(benchmark: string, row: BenchRow): RowResult {
  const base = { benchmark, name: row.name, ours: row.ours, target: row.target };
  const withPeer = row.peer ? { ...base, peer: row.peer } : base;
  const withNote = row.note !== undefined ? { ...withPeer, note: row.note } : withPeer;
  const t = row.target;
  if (t.kind === 'info') {
    const ratio =
      row.peer && row.peer.unit === row.ours.unit && row.peer.value > 0 ? row.ours.value / row.peer.value : undefined;
    return { ...withNote, ...(ratio !== undefined ? { ratio } : {}), outcome: 'info' };
  }
  if (t.kind === 'ratio-at-least' || t.kind === 'ratio-at-most') {
    if (!row.peer) return { ...withNote, outcome: 'error', reason: 'ratio target without a peer figure' };
    if (row.peer.unit !== row.ours.unit) {
      return { ...withNote, outcome: 'error', reason: `units differ: ${row.ours.unit} vs ${row.peer.unit}` };
    }
    if (!(row.peer.value > 0) || !Number.isFinite(row.ours.value)) {
      return { ...withNote, outcome: 'error', reason: 'peer figure is not a positive number' };
    }
    const ratio = row.ours.value / row.peer.value;
    const ok = t.kind === 'ratio-at-least' ? ratio >= t.ratio : ratio <= t.ratio;
    return { ...withNote, ratio, outcome: ok ? 'pass' : 'fail' };
  }
  if (t.unit !== row.ours.unit) {
    return { ...withNote, outcome: 'error', reason: `units differ: ${row.ours.unit} vs target ${t.unit}` };
  }
  const ratio =
    row.peer && row.peer.unit === row.ours.unit && row.peer.value > 0 ? row.ours.value / row.peer.value : undefined;
  const ok = t.kind === 'at-least' ? row.ours.value >= t.value : row.ours.value <= t.value;
  return { ...withNote, ...(ratio !== undefined ? { ratio } : {}), outcome: ok ? 'pass' : 'fail' };
}

// ─── Formatting ──────────────────────────────────────────────────────────────────────────────────

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatFigure(f: Figure | undefined): string {
  return f ? `${formatNumber(f.value)} ${f.unit}` : '–';
}

export function formatTarget(t: Target | undefined): string {
  if (!t) return '–';
  switch (t.kind) {
    case 'ratio-at-least':
      return `≥ ${t.ratio}× peer`;
    case 'ratio-at-most':
      return `≤ ${t.ratio}× peer`;
    case 'at-least':
      return `≥ ${formatNumber(t.value)} ${t.unit}`;
    case 'at-most':
      return `≤ ${formatNumber(t.value)} ${t.unit}`;
    case 'info':
      return '–';
  }
}

/** The one table: benchmark | ours | peer | ratio | target | result, plus notes and reasons. */
export function formatTable(results: readonly RowResult[]): string {
  const header = ['benchmark', 'ours', 'peer', 'ratio', 'target', 'result'];
  const body = results.map((r) => [
    r.name,
    formatFigure(r.ours),
    r.peer ? `${formatFigure(r.peer)}${r.peer.label ? ` (${r.peer.label})` : ''}` : '–',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '–',
    formatTarget(r.target),
    r.outcome.toUpperCase(),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  const notes = results.filter((r) => r.reason !== undefined || r.note !== undefined);
  if (notes.length > 0) out.push('');
  for (const r of notes) {
    if (r.reason !== undefined) out.push(`${r.name}: ${r.outcome}: ${r.reason}`);
    if (r.note !== undefined) out.push(`${r.name}: ${r.note}`);
  }
  return out.join('\n');
}

// ─── Discovery and running ───────────────────────────────────────────────────────────────────────

/** Loads every `*.bench.js` beside this file; a broken module becomes an error row, not a crash. */
export async function discover(dir: string): Promise<{ benchmarks: Benchmark[]; broken: BenchModuleError[] }> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.js')).sort();
  const benchmarks: Benchmark[] = [];
  const broken: BenchModuleError[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    let mod: { benchmarks?: unknown };
    try {
      mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { benchmarks?: unknown };
    } catch (err) {
      broken.push(
        new BenchModuleError(file, `cannot be loaded: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        }),
      );
      continue;
    }
    if (!Array.isArray(mod.benchmarks)) {
      broken.push(new BenchModuleError(file, 'does not export `benchmarks: Benchmark[]`'));
      continue;
    }
    for (const b of mod.benchmarks as unknown[]) {
      if (!isBenchmark(b)) {
        broken.push(new BenchModuleError(file, 'has an entry without name, description and run()'));
      } else if (seen.has(b.name)) {
        broken.push(new BenchModuleError(file, `duplicate benchmark name ${JSON.stringify(b.name)}`));
      } else {
        seen.add(b.name);
        benchmarks.push(b);
      }
    }
  }
  return { benchmarks, broken };
}

function isBenchmark(b: unknown): b is Benchmark {
  if (typeof b !== 'object' || b === null) return false;
  const o = b as Record<string, unknown>;
  return typeof o.name === 'string' && typeof o.description === 'string' && typeof o.run === 'function';
}

/** A benchmark runs when no filter is given or its name contains one of them. */
export function selected(name: string, filters: readonly string[]): boolean {
  return filters.length === 0 || filters.some((f) => name.includes(f));
}

export interface RunOptions {
  repoRoot: string;
  reps?: number;
  /** Aborts every benchmark still to run or running (Ctrl-C). */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Runs one benchmark in its own temp dir and turns whatever happens into rows. */
export async function runBenchmark(b: Benchmark, opts: RunOptions): Promise<RowResult[]> {
  const log = opts.log ?? (() => undefined);
  for (const tool of b.requires ?? []) {
    if (!(await findTool(tool))) {
      return [
        {
          benchmark: b.name,
          name: b.name,
          outcome: 'skip',
          reason: `${tool} not found (Debian: apt-get install -y ${debianPackage(tool)})`,
        },
      ];
    }
  }
  const controller = new AbortController();
  const timeoutMs = b.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(
    () => controller.abort(new Error(`benchmark ${b.name} exceeded ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onOuterAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), `camctl-bench-${b.name}-`));
  const deferred: Array<() => unknown> = [];
  const ctx: BenchContext = {
    tmpDir,
    repoRoot: opts.repoRoot,
    signal: controller.signal,
    reps: opts.reps,
    defer: (fn) => void deferred.push(fn),
    log: (m) => log(`[${b.name}] ${m}`),
  };
  try {
    // Racing against the signal bounds benchmarks that forget to pass it to a wait.
    const rows = await Promise.race([b.run(ctx), rejectOnAbort(controller.signal)]);
    if (rows.length === 0)
      return [{ benchmark: b.name, name: b.name, outcome: 'error', reason: 'benchmark returned no rows' }];
    return rows.map((r) => judge(b.name, r));
  } catch (err) {
    if (err instanceof BenchSkip) return [{ benchmark: b.name, name: b.name, outcome: 'skip', reason: err.reason }];
    return [
      { benchmark: b.name, name: b.name, outcome: 'error', reason: err instanceof Error ? err.message : String(err) },
    ];
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
    controller.abort(new Error('benchmark finished'));
    for (const fn of deferred.reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`[${b.name}] clean-up failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await rm(tmpDir, { recursive: true, force: true });
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** The Debian package that ships a tool, for the skip message. */
function debianPackage(tool: string): string {
  const known: Record<string, string> = { nginx: 'nginx-light', wrk: 'wrk', curl: 'curl' };
  return known[tool] ?? tool;
}

// ─── Command line ────────────────────────────────────────────────────────────────────────────────

interface Args {
  filters: string[];
  list: boolean;
  reps?: number;
  json: string;
}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { filters: [], list: false, json: 'bench-results.json' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--list') args.list = true;
    else if (a === '--reps' || a === '--json') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      if (a === '--json') args.json = v;
      else {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`--reps must be an integer 1–100, got ${v}`);
        args.reps = n;
      }
    } else if (a === '-h' || a === '--help') {
      throw new Error('usage: npm run bench -- [FILTER…] [--list] [--reps N] [--json FILE]');
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else args.filters.push(a);
  }
  return args;
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
    return;
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  // dist/bench/run.js → the repository root two levels up.
  const repoRoot = path.resolve(here, '..', '..');
  const { benchmarks, broken } = await discover(here);
  if (args.list) {
    const width = Math.max(0, ...benchmarks.map((b) => b.name.length));
    for (const b of benchmarks) console.log(`${b.name.padEnd(width)}  ${b.description}`);
    for (const e of broken) console.log(`(broken) ${e.message}`);
    return;
  }
  const chosen = benchmarks.filter((b) => selected(b.name, args.filters));
  const results: RowResult[] = broken.map((e) => ({
    benchmark: e.file,
    name: e.file,
    outcome: 'error',
    reason: e.message,
  }));
  if (chosen.length === 0 && broken.length === 0) {
    console.error(`no benchmark matches ${args.filters.join(', ')}; try --list`);
    process.exitCode = 2;
    return;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const log = (m: string) => console.error(m);
  // Benchmarks compare two servers on the same machine; others' work on it adds noise to both
  // (alternating runs keep the comparison fair, not the absolute figures). Say so when it is busy.
  const loads: number[] = [];
  const sampleLoad = setInterval(() => loads.push(os.loadavg()[0] ?? 0), 5000);
  sampleLoad.unref();
  loads.push(os.loadavg()[0] ?? 0);
  for (const b of chosen) {
    if (stop.signal.aborted) break;
    log(`[${b.name}] ${b.description}`);
    const started = Date.now();
    results.push(
      ...(await runBenchmark(b, {
        repoRoot,
        signal: stop.signal,
        log,
        ...(args.reps !== undefined ? { reps: args.reps } : {}),
      })),
    );
    log(`[${b.name}] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  clearInterval(sampleLoad);
  loads.push(os.loadavg()[0] ?? 0);
  const cpuCount = os.availableParallelism();
  const maxLoad = Math.max(...loads);
  console.log(formatTable(results));
  // The harness itself, curl and wrk account for about one core's worth of load.
  if (maxLoad > cpuCount + 1) {
    console.log(
      `\nnote: the machine was busy (1-min load average up to ${maxLoad.toFixed(1)} on ${cpuCount} CPUs); figures are noisy — rerun on a quiet machine.`,
    );
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os
      .cpus()
      .map((c) => c.model)
      .filter((m, i, all) => all.indexOf(m) === i),
    cpuCount,
    loadAverage: { max: maxLoad, samples: loads },
    filters: args.filters,
    rows: results,
  };
  await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
  console.error(`results written to ${args.json}`);
  if (stop.signal.aborted) process.exitCode = 130;
  else if (results.some((r) => r.outcome === 'fail' || r.outcome === 'error')) process.exitCode = 1;
}

// Importing this module (benchmarks import its types and BenchSkip; tests import its functions)
// must not run it. No top-level await: benchmark modules import this one while main() loads them,
// and a pending top-level await here would deadlock that cycle.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  });
}

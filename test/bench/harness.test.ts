import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BenchSkip,
  discover,
  formatTable,
  judge,
  parseArgs,
  runBenchmark,
  selected,
  type Benchmark,
  type BenchRow,
} from '../../bench/run.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

describe('judge', () => {
  const mibs = (value: number) => ({ value, unit: 'MiB/s' });
  it.each<[string, BenchRow, string, number | undefined]>([
    [
      'ratio met',
      { name: 'r', ours: mibs(950), peer: mibs(1000), target: { kind: 'ratio-at-least', ratio: 0.9 } },
      'pass',
      0.95,
    ],
    [
      'ratio missed',
      { name: 'r', ours: mibs(800), peer: mibs(1000), target: { kind: 'ratio-at-least', ratio: 0.9 } },
      'fail',
      0.8,
    ],
    [
      'ratio at most met',
      { name: 'r', ours: mibs(120), peer: mibs(100), target: { kind: 'ratio-at-most', ratio: 1.5 } },
      'pass',
      1.2,
    ],
    [
      'absolute at most',
      { name: 'r', ours: { value: 150, unit: 'MB' }, target: { kind: 'at-most', value: 200, unit: 'MB' } },
      'pass',
      undefined,
    ],
    ['informative, no target', { name: 'r', ours: mibs(600), peer: mibs(1000), target: { kind: 'info' } }, 'info', 0.6],
    [
      'absolute exceeded',
      { name: 'r', ours: { value: 250, unit: 'MB' }, target: { kind: 'at-most', value: 200, unit: 'MB' } },
      'fail',
      undefined,
    ],
    [
      'absolute at least',
      { name: 'r', ours: { value: 5, unit: 'x' }, target: { kind: 'at-least', value: 6, unit: 'x' } },
      'fail',
      undefined,
    ],
  ])('%s', (_label, row, outcome, ratio) => {
    const r = judge('b', row);
    expect(r.outcome).toBe(outcome);
    if (ratio === undefined) expect(r.ratio).toBeUndefined();
    else expect(r.ratio).toBeCloseTo(ratio, 10);
  });

  it('refuses to compare different units or a missing peer', () => {
    expect(
      judge('b', {
        name: 'r',
        ours: mibs(1),
        peer: { value: 1, unit: 'req/s' },
        target: { kind: 'ratio-at-least', ratio: 1 },
      }),
    ).toMatchObject({
      outcome: 'error',
      reason: expect.stringContaining('units differ'),
    });
    expect(judge('b', { name: 'r', ours: mibs(1), target: { kind: 'ratio-at-least', ratio: 1 } })).toMatchObject({
      outcome: 'error',
    });
    expect(
      judge('b', { name: 'r', ours: mibs(1), peer: mibs(0), target: { kind: 'ratio-at-least', ratio: 1 } }),
    ).toMatchObject({ outcome: 'error' });
    expect(judge('b', { name: 'r', ours: mibs(1), target: { kind: 'at-most', value: 1, unit: 'MB' } })).toMatchObject({
      outcome: 'error',
    });
  });
});

describe('formatTable', () => {
  it('prints one aligned table with every column, then notes and reasons', () => {
    const text = formatTable([
      judge('d', {
        name: 'download',
        ours: { value: 1900.4, unit: 'MiB/s' },
        peer: { value: 2000, unit: 'MiB/s', label: 'nginx' },
        target: { kind: 'ratio-at-least', ratio: 0.9 },
        note: 'best of 3',
      }),
      { benchmark: 's', name: 'status', outcome: 'skip', reason: 'wrk not found' },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\| benchmark\s+\| ours\s+\| peer\s+\| ratio\s+\| target\s+\| result\s+\|$/);
    expect(lines[2]).toContain('| 1,900 MiB/s |');
    expect(lines[2]).toContain('2,000 MiB/s (nginx)');
    expect(lines[2]).toContain('0.95×');
    expect(lines[2]).toContain('≥ 0.9× peer');
    expect(lines[2]).toContain('PASS');
    expect(lines[3]).toContain('SKIP');
    // All table lines have the same width.
    expect(new Set(lines.slice(0, 4).map((l) => l.length)).size).toBe(1);
    expect(text).toContain('status: skip: wrk not found');
    expect(text).toContain('download: best of 3');
  });
});

describe('command line', () => {
  it('parses filters and options', () => {
    expect(parseArgs(['sequoia', '--reps', '5', 'theta', '--json', 'x.json'])).toEqual({
      filters: ['sequoia', 'theta'],
      list: false,
      reps: 5,
      json: 'x.json',
    });
    expect(parseArgs(['--list'])).toMatchObject({ list: true, filters: [] });
    expect(() => parseArgs(['--reps', '0'])).toThrow(/--reps/);
    expect(() => parseArgs(['--reps'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
  });

  it('selects by substring, all when no filter', () => {
    expect(selected('sequoia-download', [])).toBe(true);
    expect(selected('sequoia-download', ['sequoia'])).toBe(true);
    expect(selected('sequoia-download', ['theta', 'down'])).toBe(true);
    expect(selected('sequoia-download', ['theta'])).toBe(false);
  });
});

describe('discover', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'camctl-bench-discover-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every *.bench.js and reports broken modules instead of crashing', async () => {
    const ok = `export const benchmarks = [{ name: 'a-one', description: 'one', run: async () => [] }];`;
    await writeFile(path.join(dir, 'a.bench.js'), ok);
    await writeFile(
      path.join(dir, 'b.bench.js'),
      `export const benchmarks = [{ name: 'a-one', description: 'dup', run: async () => [] }, { name: 'b' }];`,
    );
    await writeFile(path.join(dir, 'c.bench.js'), `export const nothing = 1;`);
    await writeFile(path.join(dir, 'd.bench.js'), `throw new Error('boom');`);
    await writeFile(path.join(dir, 'helper.js'), `throw new Error('not a benchmark module, never imported');`);
    const { benchmarks, broken } = await discover(dir);
    expect(benchmarks.map((b) => b.name)).toEqual(['a-one']);
    expect(broken.map((e) => [e.code, e.file])).toEqual([
      ['BENCH_MODULE', 'b.bench.js'],
      ['BENCH_MODULE', 'b.bench.js'],
      ['BENCH_MODULE', 'c.bench.js'],
      ['BENCH_MODULE', 'd.bench.js'],
    ]);
    expect(broken[0]?.message).toContain('duplicate');
    expect(broken[3]?.message).toContain('boom');
  });
});

describe('runBenchmark', () => {
  it('gives a private temp dir, runs deferred clean-up in reverse, removes the dir', async () => {
    const order: string[] = [];
    let seenDir = '';
    const b: Benchmark = {
      name: 'tmp',
      description: 'temp dir',
      async run(ctx) {
        seenDir = ctx.tmpDir;
        await writeFile(path.join(ctx.tmpDir, 'f'), 'x');
        ctx.defer(() => order.push('first'));
        ctx.defer(async () => {
          order.push('second');
          expect(existsSync(path.join(ctx.tmpDir, 'f'))).toBe(true);
        });
        expect(ctx.repoRoot).toBe(repoRoot);
        return [{ name: 'row', ours: { value: 1, unit: 'x' }, target: { kind: 'at-most', value: 2, unit: 'x' } }];
      },
    };
    const rows = await runBenchmark(b, { repoRoot });
    expect(rows).toMatchObject([{ benchmark: 'tmp', name: 'row', outcome: 'pass' }]);
    expect(order).toEqual(['second', 'first']);
    expect(seenDir.startsWith(os.tmpdir())).toBe(true);
    expect(existsSync(seenDir)).toBe(false);
  });

  it('turns BenchSkip, a missing tool, a throw and a timeout into rows', async () => {
    const skip: Benchmark = { name: 's', description: '', run: () => Promise.reject(new BenchSkip('no room')) };
    expect(await runBenchmark(skip, { repoRoot })).toMatchObject([{ outcome: 'skip', reason: 'no room' }]);

    let ran = false;
    const tool: Benchmark = {
      name: 't',
      description: '',
      requires: ['camctl-no-such-tool'],
      run: async () => ((ran = true), []),
    };
    expect(await runBenchmark(tool, { repoRoot })).toMatchObject([
      { outcome: 'skip', reason: expect.stringContaining('camctl-no-such-tool not found') },
    ]);
    expect(ran).toBe(false);

    const thrower: Benchmark = { name: 'e', description: '', run: () => Promise.reject(new Error('peer crashed')) };
    expect(await runBenchmark(thrower, { repoRoot })).toMatchObject([{ outcome: 'error', reason: 'peer crashed' }]);

    const empty: Benchmark = { name: 'n', description: '', run: async () => [] };
    expect(await runBenchmark(empty, { repoRoot })).toMatchObject([{ outcome: 'error' }]);

    let abortedSeen = false;
    const slow: Benchmark = {
      name: 'slow',
      description: '',
      timeoutMs: 50,
      run: (ctx) =>
        new Promise((_, reject) => {
          // A well-behaved benchmark stops when its signal aborts.
          ctx.signal.addEventListener('abort', () => {
            abortedSeen = true;
            reject(ctx.signal.reason as Error);
          });
        }),
    };
    expect(await runBenchmark(slow, { repoRoot })).toMatchObject([
      { outcome: 'error', reason: expect.stringContaining('exceeded 50 ms') },
    ]);
    expect(abortedSeen).toBe(true);
  });

  it('stops when the outer signal aborts (Ctrl-C)', async () => {
    const outer = new AbortController();
    const b: Benchmark = {
      name: 'int',
      description: '',
      run: () => new Promise(() => outer.abort(new Error('interrupted'))),
    };
    expect(await runBenchmark(b, { repoRoot, signal: outer.signal })).toMatchObject([
      { outcome: 'error', reason: 'interrupted' },
    ]);
  });
});

describe('npm run bench (compiled harness)', () => {
  const runJs = path.join(repoRoot, 'dist', 'bench', 'run.js');
  const exec = async (args: string[]) => {
    const { execFile } = await import('node:child_process');
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [runJs, ...args], { cwd: repoRoot }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  it('lists the discovered benchmarks (loading them must not deadlock on the shared module)', async () => {
    expect(existsSync(runJs), `${runJs} missing: run npm run build`).toBe(true);
    const r = await exec(['--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sequoia-download\s/m);
    expect(r.stdout).toMatch(/^sequoia-status\s/m);
    expect(r.stdout).not.toContain('(broken)');
  });

  it('exits 2 with a hint when no benchmark matches, and on a bad option', async () => {
    const none = await exec(['camctl-no-such-benchmark']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('try --list');
    const bad = await exec(['--reps', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--reps');
  });
});

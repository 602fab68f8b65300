/**
 * Target: `camctl --version` cold start ≤ 2.5× `node -e 0`. bin/camctl.js answers
 * --version from package.json without loading the CLI, so this row guards that shortcut.
 * Runs alternate (node, camctl, node, …) so machine noise hits both; the medians are compared.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Benchmark, BenchContext, BenchRow } from './run.js';

const DEFAULT_REPS = 30;

function timeOnce(args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited ${code}`));
      else resolve(performance.now() - t0);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

async function coldStart(ctx: BenchContext): Promise<BenchRow[]> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  const bin = path.join(ctx.repoRoot, 'bin', 'camctl.js');
  const node: number[] = [];
  const camctl: number[] = [];
  const help: number[] = [];
  await timeOnce(['-e', '0'], ctx.repoRoot);
  await timeOnce([bin, '--version'], ctx.repoRoot);
  for (let i = 0; i < reps; i++) {
    if (ctx.signal.aborted) break;
    node.push(await timeOnce(['-e', '0'], ctx.repoRoot));
    camctl.push(await timeOnce([bin, '--version'], ctx.repoRoot));
    help.push(await timeOnce([bin, '--help'], ctx.repoRoot));
  }
  return [
    {
      name: 'camctl --version cold start',
      ours: { value: median(camctl), unit: 'ms', label: 'node bin/camctl.js --version', samples: camctl },
      peer: { value: median(node), unit: 'ms', label: 'node -e 0', samples: node },
      target: { kind: 'ratio-at-most', ratio: 2.5 },
      note: `median of ${reps} alternating runs; camctl --help (loads the whole CLI) median ${median(help).toFixed(0)} ms`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'coldstart',
    description: 'camctl --version start-up time vs node -e 0',
    timeoutMs: 5 * 60_000,
    run: coldStart,
  },
];

/**
 * wrk (Debian package `wrk`) as the HTTP load generator, with the same settings for every server
 * compared. Its text report is parsed strictly: a run with non-2xx answers or socket errors is an
 * error, because a server that fails fast must not look fast.
 */
import { Child } from './child.js';
import { requireTool } from './tools.js';

export interface WrkSettings {
  threads: number;
  connections: number;
  durationSeconds: number;
}

/** One core for wrk, one for the server on the 2-core machines this project runs on. */
export const DEFAULT_WRK: WrkSettings = { threads: 1, connections: 32, durationSeconds: 5 };

export interface WrkReport {
  requests: number;
  seconds: number;
  requestsPerSec: number;
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

export class WrkError extends Error {
  readonly code = 'WRK';
  constructor(message: string) {
    super(message);
    this.name = 'WrkError';
  }
}

const UNITS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Parses wrk 4's report (exported for tests). */
export function parseWrk(text: string): WrkReport {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h),/.exec(text);
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!total?.[1] || !total[2] || !total[3] || !rps?.[1])
    throw new WrkError(`unrecognised wrk output:\n${text.trim()}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: Number(total[2]) * (UNITS[total[3]] ?? 1),
    requestsPerSec: Number(rps[1]),
    non2xx: non2xx?.[1] ? Number(non2xx[1]) : 0,
    socketErrors: {
      connect: Number(sock?.[1] ?? 0),
      read: Number(sock?.[2] ?? 0),
      write: Number(sock?.[3] ?? 0),
      timeout: Number(sock?.[4] ?? 0),
    },
  };
}

/** Runs wrk against `url` and returns its parsed report; fails on any error answer. */
export async function runWrk(
  url: string,
  settings: WrkSettings = DEFAULT_WRK,
  signal?: AbortSignal,
): Promise<WrkReport> {
  const bin = await requireTool('wrk');
  const child = await Child.spawn(
    bin,
    ['-t', String(settings.threads), '-c', String(settings.connections), '-d', `${settings.durationSeconds}s`, url],
    { label: 'wrk' },
  );
  const lines: string[] = [];
  const onAbort = () => void child.stop(0);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Collect every line until wrk's last one; waitForLine never matches, it just gathers.
    await child
      .waitForLine((l) => (lines.push(l), l.startsWith('Transfer/sec:') ? true : undefined), {
        timeoutMs: (settings.durationSeconds + 30) * 1000,
      })
      .catch((err: unknown) => {
        if (lines.length === 0) throw err;
      });
    const { code } = await child.exited;
    if (code !== 0) throw new WrkError(`wrk exited ${code}: ${child.stderrTail || lines.join('\n')}`);
    const report = parseWrk(lines.join('\n'));
    const errors =
      report.socketErrors.connect + report.socketErrors.read + report.socketErrors.write + report.socketErrors.timeout;
    if (report.non2xx > 0) throw new WrkError(`${url}: ${report.non2xx} non-2xx answers under wrk`);
    if (errors > 0) throw new WrkError(`${url}: socket errors under wrk: ${JSON.stringify(report.socketErrors)}`);
    if (report.requests === 0) throw new WrkError(`${url}: no request completed under wrk`);
    return report;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await child.stop(0);
  }
}

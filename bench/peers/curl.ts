/**
 * The download client used for both sides of a throughput comparison: curl writing to /dev/null.
 *
 * curl is a separate process in C, so the client neither competes with a node server for an event
 * loop nor adds JavaScript overhead that would flatten the difference between two servers. Its
 * own `time_total` (request sent → last byte) is the measurement; process start-up is excluded.
 */
import { Child } from './child.js';
import { requireTool } from './tools.js';

export interface Download {
  bytes: number;
  seconds: number;
  /** Bytes per second. */
  throughput: number;
  httpCode: number;
}

export class DownloadError extends Error {
  readonly code = 'DOWNLOAD';
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

/**
 * GETs `url` once and discards the body. Fails unless the status is 200 and, when given,
 * exactly `expectBytes` arrived (a short or wrong answer must not look fast).
 */
export async function curlDownload(
  url: string,
  opts: { expectBytes?: number; minBytes?: number; signal?: AbortSignal } = {},
): Promise<Download> {
  const bin = await requireTool('curl');
  // --noproxy: a proxy from the environment must never see loopback traffic (and would skew it).
  const child = await Child.spawn(
    bin,
    [
      '--silent',
      '--show-error',
      '--noproxy',
      '*',
      '--output',
      '/dev/null',
      '--write-out',
      '%{http_code} %{size_download} %{time_total}\\n',
      url,
    ],
    { label: 'curl' },
  );
  const onAbort = () => void child.stop(0);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const line = await child.waitForLine((l) => (/^\d{3} \d+ [\d.]+$/.test(l.trim()) ? l.trim() : undefined), {
      timeoutMs: 10 * 60_000,
    });
    const { code } = await child.exited;
    const [status, size, time] = line.split(' ').map(Number) as [number, number, number];
    if (code !== 0) throw new DownloadError(`curl ${url} exited ${code}: ${child.stderrTail}`);
    if (status !== 200) throw new DownloadError(`GET ${url} answered HTTP ${status}`);
    if (opts.expectBytes !== undefined && size !== opts.expectBytes) {
      throw new DownloadError(`GET ${url} delivered ${size} bytes, expected ${opts.expectBytes}`);
    }
    if (opts.minBytes !== undefined && size < opts.minBytes) {
      throw new DownloadError(`GET ${url} delivered ${size} bytes, expected at least ${opts.minBytes}`);
    }
    if (!(time > 0)) throw new DownloadError(`curl reported no transfer time for ${url}`);
    return { bytes: size, seconds: time, throughput: size / time, httpCode: status };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await child.stop(0);
  }
}

/**
 * The emulated Sequoia under test, run as `node bin/camctl.js emulate sequoia` in a child process
 * (see child.ts for why). Readiness is the CLI's documented JSON line on stdout:
 * `{"event":"listening","model":"sequoia","http":"http://127.0.0.1:PORT"}`.
 */
import * as path from 'node:path';
import { Child } from './child.js';

export interface EmulatorChild {
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  child: Child;
  stop(): Promise<void>;
}

interface ReadyLine {
  event?: unknown;
  model?: unknown;
  http?: unknown;
}

export async function startSequoiaChild(opts: {
  repoRoot: string;
  dataDir: string;
  extraArgs?: readonly string[];
  /** Options for node itself, before the script (e.g. `--expose-gc`). */
  nodeArgs?: readonly string[];
  signal?: AbortSignal;
}): Promise<EmulatorChild> {
  const child = await Child.spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      path.join(opts.repoRoot, 'bin', 'camctl.js'),
      'emulate',
      'sequoia',
      '--host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--data-dir',
      opts.dataDir,
      ...(opts.extraArgs ?? []),
    ],
    { cwd: opts.repoRoot, label: 'camctl emulate sequoia' },
  );
  try {
    const url = await child.waitForLine(
      (line) => {
        let parsed: ReadyLine;
        try {
          parsed = JSON.parse(line) as ReadyLine;
        } catch {
          return undefined;
        }
        return parsed.event === 'listening' && parsed.model === 'sequoia' && typeof parsed.http === 'string'
          ? parsed.http
          : undefined;
      },
      { timeoutMs: 60_000, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    return { url: url.replace(/\/$/, ''), child, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

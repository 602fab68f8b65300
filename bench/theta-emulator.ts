/**
 * Helpers of the THETA benchmarks: the emulated THETA as a child process (`camctl emulate theta`,
 * ready when it prints its JSON line), a data directory laid out as the emulator keeps it
 * (`<data dir>/internal/100RICOH/`), and a curl that POSTs an OSC command and times the answer.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { link, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Child } from './peers/child.js';
import { requireTool } from './peers/tools.js';

export interface ThetaChild {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

export async function startThetaChild(opts: {
  repoRoot: string;
  dataDir: string;
  signal?: AbortSignal;
}): Promise<ThetaChild> {
  const child = await Child.spawn(
    process.execPath,
    [
      path.join(opts.repoRoot, 'bin', 'camctl.js'),
      'emulate',
      'theta',
      '--host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--data-dir',
      opts.dataDir,
    ],
    { cwd: opts.repoRoot, label: 'camctl emulate theta' },
  );
  try {
    const url = await child.waitForLine(
      (line) => {
        try {
          const p = JSON.parse(line) as { event?: unknown; model?: unknown; http?: unknown };
          return p.event === 'listening' && p.model === 'theta' && typeof p.http === 'string' ? p.http : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 120_000, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    return { url, child, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** Folder of the pictures inside an emulator data dir (src/devices/theta/catalog.ts FOLDER). */
export function pictureFolder(dataDir: string): string {
  return path.join(dataDir, 'internal', '100RICOH');
}

/**
 * Puts `count` pictures named as the camera names them into the data dir, as hard links of one
 * picture (and its thumbnail), so ten thousand files cost no disk space.
 */
export async function seedPictures(
  dataDir: string,
  jpeg: Uint8Array,
  thumb: Uint8Array,
  count: number,
): Promise<string[]> {
  const folder = pictureFolder(dataDir);
  await mkdir(path.join(folder, '.thumb'), { recursive: true });
  const first = path.join(dataDir, 'seed.jpg');
  const firstThumb = path.join(dataDir, 'seed-thumb.jpg');
  await writeFile(first, jpeg);
  await writeFile(firstThumb, thumb);
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `R${String(10000 + i).padStart(7, '0')}.JPG`;
    await link(first, path.join(folder, name));
    await link(firstThumb, path.join(folder, '.thumb', name));
    names.push(name);
  }
  return names;
}

const execFileP = promisify(execFile);

/** One curl request (POST with a JSON body when given), body to /dev/null; seconds and bytes. */
export async function curlTimed(
  url: string,
  body?: unknown,
): Promise<{ seconds: number; bytes: number; status: number }> {
  const bin = await requireTool('curl');
  const args = [
    '--silent',
    '--show-error',
    '--noproxy',
    '*',
    '--output',
    '/dev/null',
    '--write-out',
    '%{http_code} %{size_download} %{time_total}\\n',
  ];
  if (body !== undefined)
    args.push(
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json; charset=utf-8',
      '--data-binary',
      JSON.stringify(body),
    );
  const child = await Child.spawn(bin, [...args, url], { label: 'curl' });
  try {
    const line = await child.waitForLine((l) => (/^\d{3} \d+ [\d.]+$/.test(l.trim()) ? l.trim() : undefined), {
      timeoutMs: 120_000,
    });
    const [status, bytes, seconds] = line.split(' ').map(Number) as [number, number, number];
    return { status, bytes, seconds };
  } finally {
    await child.stop(0);
  }
}

/**
 * `count` downloads of `url` by ONE curl over one keep-alive connection (as OSC clients fetch one
 * file after another), each transfer timed on its own: request sent → last byte.
 */
export async function curlTimedKeepAlive(
  url: string,
  count: number,
  body?: unknown,
  signal?: AbortSignal,
): Promise<Array<{ seconds: number; bytes: number; status: number }>> {
  const bin = await requireTool('curl');
  const args = [
    '--silent',
    '--show-error',
    '--noproxy',
    '*',
    '--write-out',
    '%{http_code} %{size_download} %{time_total} %{num_connects}\n',
  ];
  if (body !== undefined)
    args.push(
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json; charset=utf-8',
      '--data-binary',
      JSON.stringify(body),
    );
  for (let i = 0; i < count; i++) args.push('--output', '/dev/null', url);
  const { stdout } = await execFileP(bin, args, { ...(signal ? { signal } : {}), maxBuffer: 1 << 20 });
  const lines = stdout.trim().split('\n');
  if (lines.length !== count) throw new Error(`curl made ${lines.length} transfers, expected ${count}`);
  // num_connects is 0 for every transfer after the first: the connection was reused.
  const reconnects = lines.slice(1).filter((l) => l.split(' ')[3] !== '0').length;
  if (reconnects > 0)
    throw new Error(`curl reconnected ${reconnects} times: the server closed a keep-alive connection`);
  return lines.map((l) => {
    const [status, bytes, seconds] = l.split(' ').map(Number) as [number, number, number];
    return { status, bytes, seconds };
  });
}

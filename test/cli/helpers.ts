/**
 * Helpers for CLI tests: the real emulator in-process on 127.0.0.1 port 0, camctl run to the end
 * inside the test process (runCli, runJson: `main()` with stdout and stderr captured) or the built
 * CLI spawned as a child process (startCli, runCliProcess: `node bin/camctl.js …`, for what only a
 * process shows — signals, a command that runs until stopped), temp dirs removed after each test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startSequoiaEmulator,
  type RunningSequoiaEmulator,
  type SequoiaEmulatorOptions,
} from '../../src/emulator/sequoia/emulator.js';
import { runCamctlInProcess } from '../helpers/camctl-in-process.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin', 'camctl.js');

/** The CLI runs from dist/: `npm test` builds first; a bare vitest run needs `npm run build`. */
export function requireBuild(): void {
  if (!existsSync(path.join(REPO, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before these tests');
  }
}

const cleanups: Array<() => Promise<unknown>> = [];

/** Runs `fn` at the next cleanup() (after each test), in reverse order of registration. */
export function onCleanup(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

export async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

export async function tempDir(prefix = 'camctl-cli-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Emu {
  emu: RunningSequoiaEmulator;
  camera: string;
  port: number;
  dataDir: string;
}

export async function startEmu(options: SequoiaEmulatorOptions = {}): Promise<Emu> {
  const dataDir = options.dataDir ?? (await tempDir('camctl-emu-'));
  const emu = await startSequoiaEmulator({ httpPort: 0, ...options, dataDir });
  const port = Number(new URL(emu.url).port);
  let closed = false;
  const close = emu.close.bind(emu);
  emu.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanups.push(() => emu.close());
  return { emu, camera: `sequoia://127.0.0.1:${port}`, port, dataDir };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment without CAMCTL_CAMERA (so "no camera" is really none) and never a TTY. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('CAMCTL_CAMERA' in extra)) delete env.CAMCTL_CAMERA;
  delete env.NODE_DEBUG;
  return env;
}

export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Runs `camctl ARGS…` to the end in this process, with the environment of cliEnv() (`env` added,
 * CAMCTL_CAMERA and NODE_DEBUG unset unless given). Runs take turns (they share stdout).
 */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const unset: Record<string, undefined> = { NODE_DEBUG: undefined };
  if (!('CAMCTL_CAMERA' in env)) unset.CAMCTL_CAMERA = undefined;
  const r = await runCamctlInProcess(args, { env: { ...unset, ...env } });
  return { code: r.code, signal: null, stdout: r.stdout, stderr: r.stderr };
}

/** runCli through the built CLI in a child process, where the process itself is under test. */
export function runCliProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return collect(startCli(args, env));
}

/** Runs the CLI with --json and parses its stdout as one JSON document. */
export async function runJson<T = Record<string, unknown>>(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ result: CliResult; json: T }> {
  const result = await runCli([...args, '--json'], env);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return { result, json };
}

/** A loopback port that nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

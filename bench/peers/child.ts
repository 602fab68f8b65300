/**
 * A server under test running as a child process: the emulator, nginx, the bare node:http peer.
 *
 * Benchmarked servers run out of the harness's process so that the client (curl, wrk, or node
 * code here) never shares an event loop or a heap with them — both sides of a comparison get the
 * same treatment — and so that their memory can be read from /proc (peak RSS = VmHWM).
 * The child's stdout and stderr are always drained (a full pipe would stall a chatty server) and
 * the last few KiB of stderr are kept to explain a failed start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Shown in errors, e.g. `nginx` or `emulator`. */
  label?: string;
}

export class ChildStartError extends Error {
  readonly code = 'CHILD_START';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChildStartError';
  }
}

const STDERR_TAIL = 4096;

/**
 * Children still running. If the harness dies without its clean-up (an uncaught error, a second
 * Ctrl-C), they are killed on the way out rather than left holding ports and temp dirs.
 */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of live) killGroup(p, 'SIGKILL');
    });
  }
}

/**
 * Signals the child's whole process group (each child leads its own, see spawn), so nginx's
 * workers go with their master even when the master is killed outright.
 */
function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (proc.pid !== undefined) process.kill(-proc.pid, signal);
  } catch {
    proc.kill(signal);
  }
}

export class Child {
  readonly pid: number;
  readonly label: string;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly proc: ChildProcess;
  private readonly lines: string[] = [];
  private lineWaiters: Array<() => void> = [];
  private stderr = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(proc: ChildProcess, label: string) {
    if (proc.pid === undefined) throw new ChildStartError(`${label}: could not be started`);
    this.proc = proc;
    this.pid = proc.pid;
    this.label = label;
    this.exited = new Promise((resolve) => {
      proc.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        this.wakeLineWaiters();
        resolve(this.exitInfo);
      });
    });
    if (proc.stdout) {
      createInterface({ input: proc.stdout, crlfDelay: Infinity }).on('line', (line) => {
        // Only the first lines matter (ready announcements); later output is just drained.
        if (this.lines.length < 1000) this.lines.push(line);
        this.wakeLineWaiters();
      });
    }
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL);
    });
  }

  /** Spawns `command` (no shell) with stdin closed and stdout/stderr piped and drained. */
  static async spawn(command: string, args: readonly string[], opts: ChildOptions = {}): Promise<Child> {
    const proc = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: killable as a whole (killGroup). It also means Ctrl-C in a
      // terminal reaches only the harness, which then stops every child in order.
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', (err) =>
        reject(new ChildStartError(`${opts.label ?? command}: ${err.message}`, { cause: err })),
      );
    });
    track(proc);
    return new Child(proc, opts.label ?? command);
  }

  private wakeLineWaiters(): void {
    const waiters = this.lineWaiters;
    this.lineWaiters = [];
    for (const w of waiters) w();
  }

  /** The last lines the child wrote to stderr, for error messages. */
  get stderrTail(): string {
    return this.stderr.trim();
  }

  /**
   * Waits for the first stdout line for which `match` returns a value (e.g. the emulator's JSON
   * ready line) and returns that value. Fails if the child exits or the time runs out first.
   */
  async waitForLine<T>(
    match: (line: string) => T | undefined,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    let next = 0;
    for (;;) {
      for (; next < this.lines.length; next++) {
        const found = match(this.lines[next] ?? '');
        if (found !== undefined) return found;
      }
      if (this.exitInfo)
        throw this.startFailure(`exited (${this.exitInfo.signal ?? `code ${this.exitInfo.code}`}) before it was ready`);
      opts.signal?.throwIfAborted();
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.startFailure('was not ready in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(remaining, 250));
        this.lineWaiters.push(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  /** Waits until something accepts TCP connections on 127.0.0.1:`port` (for servers that print nothing). */
  async waitForPort(port: number, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      if (this.exitInfo)
        throw this.startFailure(`exited (${this.exitInfo.signal ?? `code ${this.exitInfo.code}`}) before it was ready`);
      opts.signal?.throwIfAborted();
      if (await canConnect(port)) return;
      if (Date.now() > deadline) throw this.startFailure(`did not listen on 127.0.0.1:${port} in time`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private startFailure(what: string): ChildStartError {
    const tail = this.stderrTail;
    return new ChildStartError(`${this.label} ${what}${tail ? `; stderr:\n${tail}` : ''}`);
  }

  /** Peak resident set size so far, in bytes (Linux VmHWM), or undefined where /proc is absent. */
  peakRssBytes(): number | undefined {
    return readStatusKiB(this.pid, 'VmHWM');
  }

  /** Current resident set size in bytes (Linux VmRSS), or undefined where /proc is absent. */
  rssBytes(): number | undefined {
    return readStatusKiB(this.pid, 'VmRSS');
  }

  /**
   * CPU time (user + system, seconds) used so far by the child and its descendants that are
   * alive (nginx's workers), or undefined where /proc is absent. On a machine shared with other
   * work, CPU per unit of work is steadier than throughput, so benchmarks report both.
   */
  cpuSeconds(): number | undefined {
    return treeCpuSeconds(this.pid);
  }

  /** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitInfo) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(this.proc, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

const CLOCK_TICKS = 100; // USER_HZ, 100 on every Linux architecture node runs on

function treeCpuSeconds(pid: number, depth = 0): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name (which may contain spaces): utime is field 14,
  // stime field 15 of proc(5), i.e. indexes 11 and 12 here.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let total = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  if (depth < 3) {
    for (const child of childPids(pid)) total += treeCpuSeconds(child, depth + 1) ?? 0;
  }
  return total;
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function readStatusKiB(pid: number, key: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  return m?.[1] !== undefined ? Number(m[1]) * 1024 : undefined;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

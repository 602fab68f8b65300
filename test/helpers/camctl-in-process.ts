/**
 * camctl run inside the test process through `main()`, where the process boundary is not what a
 * test is about: it skips starting Node and loading the CLI for every command (a second or more
 * each on a busy machine). Also for cameras a child process cannot reach: in-memory USB devices
 * with the emulated cameras behind them (camera/usb.ts's setUsbDeviceSource).
 *
 * While a run lasts, stdout and stderr are captured (never a TTY, as for a child with pipes) and
 * `env` is applied to process.env; since both are the process's own, runs take turns:
 * camctlInProcess() waits for the one before, startCamctlInProcess() refuses to overlap.
 */
import { main } from '../../src/cli/main.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessCamctl {
  stdout(): string;
  stderr(): string;
  /** Delivers SIGINT to the handlers this run installed (`watch`), not to the test runner's. */
  interrupt(): void;
  done: Promise<InProcessResult>;
}

export interface InProcessOptions {
  /** Variables set (a string) or removed (undefined) in process.env for the run, restored after. */
  env?: Record<string, string | undefined>;
}

let running = false;
let queue: Promise<unknown> = Promise.resolve();

export function startCamctlInProcess(args: readonly string[], options: InProcessOptions = {}): InProcessCamctl {
  if (running) throw new Error('one in-process camctl at a time: they share process.stdout');
  running = true;
  let out = '';
  let err = '';
  const text = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((out += text(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((err += text(c)), true)) as typeof process.stderr.write;
  const restoreTty = [notATty(process.stdout), notATty(process.stderr)];
  const restoreEnv = applyEnv(options.env ?? {});
  const sigintBefore = new Set(process.listeners('SIGINT'));
  const exitCodeBefore = process.exitCode;
  process.exitCode = 0;
  const done = main(['node', 'camctl', ...args])
    .finally(() => {
      process.stdout.write = writeOut;
      process.stderr.write = writeErr;
      for (const restore of restoreTty) restore();
      restoreEnv();
      running = false;
    })
    .then(() => {
      const code = Number(process.exitCode ?? 0);
      process.exitCode = exitCodeBefore;
      return { code, stdout: out, stderr: err };
    });
  return {
    stdout: () => out,
    stderr: () => err,
    interrupt() {
      for (const l of process.listeners('SIGINT'))
        if (!sigintBefore.has(l)) (l as (signal: NodeJS.Signals) => void)('SIGINT');
    },
    done,
  };
}

/** Runs `camctl ARGS…` to the end, after any in-process run still going. */
export function camctlInProcess(...args: string[]): Promise<InProcessResult> {
  return runCamctlInProcess(args);
}

/** camctlInProcess with options (environment). */
export function runCamctlInProcess(args: readonly string[], options: InProcessOptions = {}): Promise<InProcessResult> {
  const result = queue.then(() => startCamctlInProcess(args, options).done);
  queue = result.catch(() => undefined);
  return result;
}

/** Makes `stream.isTTY` false (a child's piped stdio) until the returned function restores it. */
function notATty(stream: NodeJS.WriteStream): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, 'isTTY');
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(stream, 'isTTY', own);
    else delete (stream as { isTTY?: boolean }).isTTY;
  };
}

function applyEnv(env: Record<string, string | undefined>): () => void {
  const before = Object.entries(env).map(([k]) => [k, process.env[k]] as const);
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

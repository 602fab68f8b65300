/**
 * camctl run inside the test process through `main()`, for cameras a child process cannot reach:
 * in-memory USB devices with the emulated cameras behind them (camera/usb.ts's
 * setUsbDeviceSource). stdout and stderr are captured while it runs; since that replaces the
 * process's own writers, one run at a time.
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

let running = false;

export function startCamctlInProcess(args: readonly string[]): InProcessCamctl {
  if (running) throw new Error('one in-process camctl at a time: they share process.stdout');
  running = true;
  let out = '';
  let err = '';
  const text = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((out += text(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((err += text(c)), true)) as typeof process.stderr.write;
  const sigintBefore = new Set(process.listeners('SIGINT'));
  const exitCodeBefore = process.exitCode;
  process.exitCode = 0;
  const done = main(['node', 'camctl', ...args]).finally(() => {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    running = false;
  }).then(() => {
    const code = Number(process.exitCode ?? 0);
    process.exitCode = exitCodeBefore;
    return { code, stdout: out, stderr: err };
  });
  return {
    stdout: () => out,
    stderr: () => err,
    interrupt() {
      for (const l of process.listeners('SIGINT')) if (!sigintBefore.has(l)) (l as (signal: NodeJS.Signals) => void)('SIGINT');
    },
    done,
  };
}

export function camctlInProcess(...args: string[]): Promise<InProcessResult> {
  return startCamctlInProcess(args).done;
}

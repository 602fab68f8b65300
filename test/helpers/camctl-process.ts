import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** The built CLI (npm test builds first). */
export const CAMCTL_BIN = path.resolve(import.meta.dirname, '../../bin/camctl.js');

export interface CamctlProcess {
  child: ChildProcess;
  /** The first stdout line (an emulator's JSON ready line, the dashboard's address line). */
  firstLine: string;
  stdout: () => string;
  stderr: () => string;
}

/**
 * Spawns `camctl ARGS…` and resolves once it has printed its first stdout line. `bin` is another
 * camctl entry script (an installed package's `bin/camctl.js`); default this checkout's. `nodeArgs`
 * go to node itself, before the script (e.g. `--expose-gc`).
 */
export function spawnCamctl(
  args: string[],
  timeoutMs = 30_000,
  bin = CAMCTL_BIN,
  nodeArgs: readonly string[] = [],
): Promise<CamctlProcess> {
  const child = spawn(process.execPath, [...nodeArgs, bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no first line from camctl ${args.join(' ')}; stderr: ${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d) => {
      out += d;
      const end = out.indexOf('\n');
      if (end > 0) {
        clearTimeout(timer);
        resolve({ child, firstLine: out.slice(0, end), stdout: () => out, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`camctl exited ${code}: ${err}`));
    });
  });
}

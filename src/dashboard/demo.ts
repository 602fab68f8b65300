/**
 * `camctl ui --demo`: emulated cameras started in-process on 127.0.0.1 (port 0), so a person can
 * try the dashboard with no camera at hand — an emulated Sequoia (HTTP + WebSocket, and PTP/IP
 * when that face is built) and an emulated THETA S (OSC, and PTP/IP when its face exists). Their
 * media persist in a per-user directory (`$XDG_DATA_HOME/camctl/demo/…`), like a camera's card.
 *
 * Emulators and adapters that are not part of this checkout are skipped, with the reason in
 * `skipped`, instead of failing the demo: the dashboard works with whatever cameras exist.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { debuglog } from 'node:util';
import { defaultDataDir } from '../emulator/data-dir.js';
import { startSequoiaEmulator } from '../emulator/sequoia/emulator.js';

const debug = debuglog('camctl:dashboard');

export interface DemoOptions {
  /** Parent of the emulators' data dirs. Default `$XDG_DATA_HOME/camctl/demo`. */
  dataDir?: string;
  /** Start the THETA too (when its emulator is part of this checkout). Default true. */
  theta?: boolean;
}

export interface DemoCamera {
  /** Camera address for the dashboard, e.g. `sequoia://127.0.0.1:40123`. */
  address: string;
  label: string;
}

export interface RunningDemo {
  cameras: DemoCamera[];
  /** Emulators or faces left out, with why. */
  skipped: string[];
  /** The emulated Sequoia's HTTP base (tests drive its `/_emulator` controls). */
  sequoiaUrl: string;
  thetaUrl?: string;
  close(): Promise<void>;
}

/** The subset of `src/emulator/theta/emulator.ts` the demo uses (loaded only when present). */
interface ThetaEmulatorModule {
  startThetaEmulator(options: { dataDir?: string; host?: string; httpPort?: number; ptpipPort?: number }): Promise<{
    url: string;
    ptpip?: string;
    close(): Promise<void>;
  }>;
}

/** Whether a sibling module of this package exists (as compiled .js or as .ts under vitest). */
function hasModule(rel: string): boolean {
  const base = fileURLToPath(new URL(rel, import.meta.url));
  return existsSync(base) || existsSync(base.replace(/\.js$/, '.ts'));
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const root = options.dataDir ?? defaultDataDir('demo');
  const closers: Array<() => Promise<void>> = [];
  const cameras: DemoCamera[] = [];
  const skipped: string[] = [];
  const ptpAdapter = hasModule('../camera/ptpip.js');
  try {
    const withPtp = hasModule('../emulator/sequoia/ptp-face.js');
    const seq = await startSequoiaEmulator({
      dataDir: path.join(root, 'sequoia'),
      host: '127.0.0.1',
      httpPort: 0,
      ...(withPtp ? { ptpipPort: 0 } : {}),
    });
    closers.push(() => seq.close());
    cameras.push({ address: seq.url.replace(/^http:/, 'sequoia:'), label: 'Sequoia (HTTP)' });
    if (seq.ptpip && ptpAdapter) cameras.push({ address: `ptpip://${seq.ptpip}`, label: 'Sequoia (PTP/IP)' });
    else if (!withPtp) skipped.push('Sequoia PTP/IP face: not in this build');

    let thetaUrl: string | undefined;
    if (options.theta !== false) {
      if (!hasModule('../emulator/theta/emulator.js')) skipped.push('THETA: its emulator is not in this build');
      else {
        // A variable specifier: the THETA emulator is optional and type-checked on its own.
        const spec = '../emulator/theta/emulator.js';
        const mod = (await import(spec)) as ThetaEmulatorModule;
        const theta = await mod.startThetaEmulator({
          dataDir: path.join(root, 'theta'),
          host: '127.0.0.1',
          httpPort: 0,
          ptpipPort: 0,
        });
        closers.push(() => theta.close());
        thetaUrl = theta.url;
        cameras.push({ address: theta.url.replace(/^http:/, 'theta:'), label: 'THETA (OSC)' });
        if (theta.ptpip && ptpAdapter) cameras.push({ address: `ptpip://${theta.ptpip}`, label: 'THETA (PTP/IP)' });
        if (!hasModule('../camera/theta.js'))
          skipped.push('THETA: no theta:// adapter in this build yet (shown offline)');
      }
    }
    debug('demo cameras %o skipped %o', cameras, skipped);
    const running: RunningDemo = {
      cameras,
      skipped,
      sequoiaUrl: seq.url,
      async close() {
        for (const c of closers.reverse()) await c().catch(() => undefined);
      },
    };
    if (thetaUrl) running.thetaUrl = thetaUrl;
    return running;
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw err;
  }
}

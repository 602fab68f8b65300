/**
 * The emulated Parrot Sequoia: a {@link SequoiaDevice} with its protocol faces bolted on — HTTP +
 * WebSocket always, PTP/IP when `ptpipPort` is given — and the emulator controls.
 *
 * @example
 * const cam = await startSequoiaEmulator({ dataDir: '/tmp/seq', httpPort: 0 });
 * const r = await fetch(`${cam.url}/capture`); // {"request":"capture_status","status":"Ready"}
 * await cam.close();
 */
import { SequoiaDevice, type SequoiaDeviceOptions } from '../devices/sequoia/device.js';
import { SequoiaHttpFace, type SequoiaServerOptions } from '../sequoia/server.js';
import { defaultDataDir } from './data-dir.js';
import { NO_LINK_LIMITS, validateLink, type LinkOptions } from './link.js';
import { sequoiaControlRoutes, type LinkHolder } from './sequoia-controls.js';

/** Options of {@link startSequoiaEmulator}. */
export interface SequoiaEmulatorOptions
  extends Omit<SequoiaDeviceOptions, 'dataDir'>,
    Pick<SequoiaServerOptions, 'maxWebSocketClients' | 'maxWebSocketQueueBytes' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'> {
  /** Media and settings directory. Default: a per-user directory (see data-dir.ts). */
  dataDir?: string;
  /** Address to bind. Default 127.0.0.1 — never a public interface unless asked. */
  host?: string;
  /** HTTP port; 0 picks a free one. Default 0. */
  httpPort?: number;
  /** PTP/IP port; 0 picks a free one; undefined = no PTP/IP face. */
  ptpipPort?: number;
  /** Link emulation at start (changeable at run time via /_emulator/link). */
  latencyMs?: number;
  bandwidthBytesPerSec?: number;
  /** WebSocket ping period in device-clock ms. Default 5000. */
  pingIntervalMs?: number;
  /** Largest POST body. Default 64 KiB. */
  maxBodyBytes?: number;
}

/** A running emulated Sequoia. */
export interface RunningSequoiaEmulator {
  /** `http://host:port` of the HTTP face. */
  url: string;
  /** `host:port` of the PTP/IP face, when started. */
  ptpip?: string;
  device: SequoiaDevice;
  http: SequoiaHttpFace;
  dataDir: string;
  /** Stops serving and closes the device (settings and media stay in `dataDir`). */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts an emulated Parrot Sequoia on 127.0.0.1 (unless `host` says otherwise): its HTTP + WebSocket API, and PTP/IP with `ptpipPort`. */
export async function startSequoiaEmulator(options: SequoiaEmulatorOptions = {}): Promise<RunningSequoiaEmulator> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ?? defaultDataDir('sequoia');
  const holder: LinkHolder = {
    link: validateLink({ latencyMs: options.latencyMs, bandwidthBytesPerSec: options.bandwidthBytesPerSec }, NO_LINK_LIMITS),
  };
  const device = await SequoiaDevice.open({ ...options, dataDir });
  const faceOptions: SequoiaServerOptions = { link: (): LinkOptions => holder.link, extraRoutes: sequoiaControlRoutes(device, holder) };
  for (const k of ['pingIntervalMs', 'maxBodyBytes', 'maxWebSocketClients', 'maxWebSocketQueueBytes', 'headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs'] as const) {
    if (options[k] !== undefined) faceOptions[k] = options[k];
  }
  let httpFace: SequoiaHttpFace;
  try {
    httpFace = new SequoiaHttpFace(device, faceOptions);
  } catch (err) {
    await device.close();
    throw err;
  }
  const closers: Array<() => Promise<void>> = [];
  try {
    const { port } = await httpFace.listen(options.httpPort ?? 0, host);
    closers.push(() => httpFace.close());
    const running: RunningSequoiaEmulator = {
      url: `http://${urlHost(host)}:${port}`,
      device,
      http: httpFace,
      dataDir,
      async close() {
        for (const c of closers.reverse()) await c().catch(() => undefined);
        await device.close();
      },
    };
    if (options.ptpipPort !== undefined) {
      const { startSequoiaPtpIp } = await import('./sequoia-ptp.js');
      const ptp = await startSequoiaPtpIp(device, { host, port: options.ptpipPort });
      closers.push(() => ptp.close());
      running.ptpip = ptp.address;
    }
    return running;
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await device.close();
    throw err;
  }
}

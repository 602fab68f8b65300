/**
 * The emulated Parrot Sequoia: a {@link SequoiaDevice} with its protocol faces bolted on — HTTP +
 * WebSocket always, PTP/IP when `ptpipPort` is given — and the emulator controls. Every face
 * goes through one emulated radio link (link.ts): its bandwidth is shared by all of them.
 *
 * @example
 * const cam = await startSequoiaEmulator({ dataDir: '/tmp/seq', httpPort: 0 });
 * const r = await fetch(`${cam.url}/capture`); // {"request":"capture_status","status":"Ready"}
 * await cam.close();
 */
import { SequoiaDevice, type SequoiaDeviceOptions } from '../../devices/sequoia/device.js';
import { SequoiaHttpFace, type SequoiaServerOptions } from './http-face.js';
import { defaultDataDir } from '../data-dir.js';
import type { Clock } from '../../util/clock.js';
import { EmulatedLink } from '../link.js';
import { sequoiaControlRoutes } from './controls.js';

/** Options of {@link startSequoiaEmulator}. */
export interface SequoiaEmulatorOptions
  extends
    Omit<SequoiaDeviceOptions, 'dataDir'>,
    Pick<
      SequoiaServerOptions,
      'maxWebSocketClients' | 'maxWebSocketQueueBytes' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'
    > {
  /** Media and settings directory. Default: a per-user directory (see data-dir.ts). */
  dataDir?: string;
  /** Address to bind. Default 127.0.0.1 — never a public interface unless asked. */
  host?: string;
  /** HTTP port; 0 picks a free one. Default 0. */
  httpPort?: number;
  /** PTP/IP port; 0 picks a free one; undefined = no PTP/IP face. */
  ptpipPort?: number;
  /** Link emulation at start (changeable at run time via /_emulator/link; see link.ts). */
  latencyMs?: number;
  /** Bandwidth of the whole link, shared by every connection and face. */
  bandwidthBytesPerSec?: number;
  /** Most one connection may use of it. */
  perConnectionBytesPerSec?: number;
  /** The link's clock (default real time, whatever the device's `speed`); a ManualClock for tests. */
  linkClock?: Clock;
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
  /** The radio link every face goes through. */
  link: EmulatedLink;
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
  const link = new EmulatedLink(
    {
      latencyMs: options.latencyMs,
      bandwidthBytesPerSec: options.bandwidthBytesPerSec,
      perConnectionBytesPerSec: options.perConnectionBytesPerSec,
    },
    options.linkClock,
  );
  const device = await SequoiaDevice.open({ ...options, dataDir });
  const faceOptions: SequoiaServerOptions = {
    roundTrip: () => link.roundTrip(),
    extraRoutes: sequoiaControlRoutes(device, link),
  };
  for (const k of [
    'pingIntervalMs',
    'maxBodyBytes',
    'maxWebSocketClients',
    'maxWebSocketQueueBytes',
    'headersTimeoutMs',
    'requestTimeoutMs',
    'keepAliveTimeoutMs',
  ] as const) {
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
  httpFace.server.on('connection', (socket) => link.shape(socket));
  try {
    const { port } = await httpFace.listen(options.httpPort ?? 0, host);
    closers.push(() => httpFace.close());
    const running: RunningSequoiaEmulator = {
      url: `http://${urlHost(host)}:${port}`,
      device,
      http: httpFace,
      link,
      dataDir,
      async close() {
        for (const c of closers.reverse()) await c().catch(() => undefined);
        await device.close();
      },
    };
    if (options.ptpipPort !== undefined) {
      const { startSequoiaPtpIp } = await import('./ptp-face.js');
      const ptp = await startSequoiaPtpIp(device, { host, port: options.ptpipPort, ...link.ptpipOptions() });
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

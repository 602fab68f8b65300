/**
 * The emulated RICOH THETA S: a {@link ThetaDevice} with its OSC server face bolted on, and the
 * PTP/IP face (Ricoh extension) over the same device when `ptpipPort` is given. Both faces go
 * through one emulated radio link (link.ts), set at start or at run time with
 * `POST /_emulator/link` (controls.ts; `GET /_emulator` shows it).
 *
 * @example
 * const cam = await startThetaEmulator({ dataDir: '/tmp/theta' });
 * const info = await (await fetch(`${cam.url}/osc/info`)).json(); // {"model":"RICOH THETA S",…}
 * await cam.close();
 */
import { RealClock } from '../../util/clock.js';
import type { Clock } from '../../util/clock.js';
import { ThetaDevice } from '../../devices/theta/device.js';
import type { ThetaDeviceOptions } from '../../devices/theta/device.js';
import { OscServerFace } from './osc-server.js';
import type { OscServerOptions } from './osc-server.js';
import { defaultDataDir } from '../data-dir.js';
import { emulatorControlRoutes, linkControl } from '../controls.js';
import { EmulatedLink } from '../link.js';
import { thetaEmulatorState, thetaPowerControls } from './controls.js';
import type { RunningThetaPtpIp } from './ptp-face.js';

/** Options of {@link startThetaEmulator}. */
export interface ThetaEmulatorOptions
  extends
    Omit<ThetaDeviceOptions, 'dataDir' | 'clock'>,
    Omit<OscServerOptions, 'advertisedPort' | 'roundTrip' | 'extraRoutes'> {
  /** Media directory. Default: a per-user directory ($XDG_DATA_HOME/camctl/theta). */
  dataDir?: string;
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** HTTP port; 0 picks a free one. Default 0. */
  httpPort?: number;
  /** PTP/IP port (Ricoh extension, ptp.ts); 0 picks a free one; undefined = no PTP/IP face. */
  ptpipPort?: number;
  /**
   * THETA S firmware to emulate, e.g. `01.42` (the same as `firmwareVersion`): before 01.62 the S
   * speaks API v2.0 only; devices/theta/firmware.ts lists what each level brought. Default 01.90.
   */
  firmware?: string;
  /** Simulated time runs this many times faster (ignored when `clock` is given). Default 1. */
  speed?: number;
  clock?: Clock;
  /** Link emulation at start (changeable at run time via /_emulator/link; see link.ts). */
  latencyMs?: number;
  /** Bandwidth of the whole link, shared by every connection and face. */
  bandwidthBytesPerSec?: number;
  /** Most one connection may use of it. */
  perConnectionBytesPerSec?: number;
  /** The link's clock (default real time, whatever `speed` is); a ManualClock for tests. */
  linkClock?: Clock;
}

/** A running emulated THETA S. */
export interface RunningThetaEmulator {
  /** `http://host:port` of the OSC face. */
  url: string;
  device: ThetaDevice;
  osc: OscServerFace;
  /** The radio link every face goes through. */
  link: EmulatedLink;
  /** `host:port` of the PTP/IP face, when started. */
  ptpip?: string;
  /** The PTP/IP face, when started: it follows the camera's power (asleep or off it answers nothing). */
  ptpipFace?: RunningThetaPtpIp;
  dataDir: string;
  /** Stops serving and closes the device (media stay in `dataDir`). */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts an emulated RICOH THETA S on 127.0.0.1 (unless `host` says otherwise): its OSC API, and PTP/IP with `ptpipPort`. */
export async function startThetaEmulator(options: ThetaEmulatorOptions = {}): Promise<RunningThetaEmulator> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ?? defaultDataDir('theta');
  const clock = options.clock ?? new RealClock(options.speed ?? 1);
  const deviceOpts: ThetaDeviceOptions = { dataDir, clock };
  for (const k of [
    'serialNumber',
    'firmwareVersion',
    'capacityBytes',
    'battery',
    'power',
    'shotProcessingMs',
    'fileCacheBytes',
    'thumbCacheBytes',
  ] as const) {
    if (options[k] !== undefined) (deviceOpts as unknown as Record<string, unknown>)[k] = options[k];
  }
  if (options.firmware !== undefined) deviceOpts.firmwareVersion = options.firmware;
  const link = new EmulatedLink(
    {
      latencyMs: options.latencyMs,
      bandwidthBytesPerSec: options.bandwidthBytesPerSec,
      perConnectionBytesPerSec: options.perConnectionBytesPerSec,
    },
    options.linkClock,
  );
  const device = await ThetaDevice.open(deviceOpts);
  let ptp: RunningThetaPtpIp | undefined;
  const faceOpts: OscServerOptions = {
    roundTrip: () => link.roundTrip(),
    extraRoutes: emulatorControlRoutes({
      state: () => thetaEmulatorState(device, osc.sessions, ptp, link),
      controls: { link: linkControl(link), ...thetaPowerControls(device, () => ptp) },
    }),
  };
  if (options.maxBodyBytes !== undefined) faceOpts.maxBodyBytes = options.maxBodyBytes;
  if (options.maxPreviewStreams !== undefined) faceOpts.maxPreviewStreams = options.maxPreviewStreams;
  if (options.maxWaitTimeoutS !== undefined) faceOpts.maxWaitTimeoutS = options.maxWaitTimeoutS;
  for (const k of ['headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs'] as const) {
    if (options[k] !== undefined) faceOpts[k] = options[k];
  }
  if (options.auth !== undefined) faceOpts.auth = options.auth;
  if (options.authPolicy !== undefined) faceOpts.authPolicy = options.authPolicy;
  if (options.advertisedHost !== undefined) faceOpts.advertisedHost = options.advertisedHost;
  let osc: OscServerFace;
  try {
    osc = new OscServerFace(device, faceOpts);
    osc.server.on('connection', (socket) => link.shape(socket));
    const { port } = await osc.listen(options.httpPort ?? 0, host);
    if (options.ptpipPort !== undefined) {
      const { startThetaPtpIp } = await import('./ptp-face.js');
      ptp = await startThetaPtpIp(device, { host, port: options.ptpipPort, ...link.ptpipOptions() }).catch(
        async (err: unknown) => {
          await osc.close().catch(() => undefined);
          throw err;
        },
      );
    }
    const running: RunningThetaEmulator = {
      url: `http://${urlHost(host)}:${port}`,
      device,
      osc,
      link,
      dataDir,
      async close() {
        await ptp?.close().catch(() => undefined);
        await osc.close().catch(() => undefined);
        await device.close();
      },
    };
    if (ptp) {
      running.ptpip = ptp.address;
      running.ptpipFace = ptp;
    }
    return running;
  } catch (err) {
    await device.close();
    throw err;
  }
}

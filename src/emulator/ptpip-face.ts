/**
 * Puts a device's PTP backend on the network: a PTP/IP responder on host:port (port 0 = a free
 * port), closed together with the backend. Shared by the emulated Sequoia and THETA.
 */
import type { PtpResponderBackend } from '../ptp/backend.js';
import { PtpIpResponder, type PtpIpResponderOptions } from '../ptp/ip/responder.js';

export interface PtpIpFaceOptions extends Omit<PtpIpResponderOptions, 'backend'> {
  host: string;
  port: number;
}

export interface RunningPtpIpFace {
  /** `host:port` (IPv6 hosts in brackets), as the emulators' ready line prints it. */
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function startPtpIpFace(backend: PtpResponderBackend & { close(): void }, name: string, opts: PtpIpFaceOptions): Promise<RunningPtpIpFace> {
  const { host, port, ...rest } = opts;
  const responder = new PtpIpResponder({ ...rest, backend, name });
  try {
    const addr = await responder.listen(port, host);
    return {
      address: `${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
      port: addr.port,
      async close() {
        backend.close();
        await responder.close();
      },
    };
  } catch (e) {
    backend.close();
    throw e;
  }
}

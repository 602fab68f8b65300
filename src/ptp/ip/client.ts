/**
 * PtpIpClient: connect to a PTP/IP responder (a camera on TCP 15740, or the emulator), open a
 * session, read DeviceInfo, then use the typed operations of {@link PtpClient}.
 *
 * @example
 * const client = await PtpIpClient.connect({ host: '192.168.47.1' }); // a real Sequoia
 * console.log(client.deviceInfo?.model);
 * for await (const ev of client.events()) console.log(ev.code.toString(16), ev.params);
 * await client.close();
 */
import { PtpClient, startPtpClient, type PtpClientStartOptions } from '../client.js';
import type { PtpSession } from '../session.js';
import { PtpIpTransport, type PtpIpConnectOptions } from './transport.js';

export interface PtpIpClientOptions extends PtpIpConnectOptions, PtpClientStartOptions {}

/** A PTP client over PTP/IP (CIPA DC-005): the command and event TCP connections to a camera (port 15740) or an emulator. */
export class PtpIpClient extends PtpClient {
  private constructor(
    session: PtpSession,
    readonly transport: PtpIpTransport,
  ) {
    super(session);
  }

  /** Connects both connections, opens a session and reads DeviceInfo. */
  static async connect(opts: PtpIpClientOptions): Promise<PtpIpClient> {
    const transport = await PtpIpTransport.connect(opts);
    return startPtpClient(transport, opts, (session) => new PtpIpClient(session, transport));
  }

  /** CloseSession (best effort) and closes both connections. */
  close(): Promise<void> {
    return this.session.close();
  }
}

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
import { PtpClient } from '../client.js';
import { PtpSession, type PtpSessionOptions } from '../session.js';
import { PtpIpTransport, type PtpIpConnectOptions } from './transport.js';

export interface PtpIpClientOptions extends PtpIpConnectOptions, PtpSessionOptions {
  /** Session id for OpenSession. Default 1. */
  sessionId?: number;
}

export class PtpIpClient extends PtpClient {
  private constructor(
    session: PtpSession,
    readonly transport: PtpIpTransport,
  ) {
    super(session);
  }

  static async connect(opts: PtpIpClientOptions): Promise<PtpIpClient> {
    const transport = await PtpIpTransport.connect(opts);
    const sessionOpts: PtpSessionOptions = {};
    if (opts.commandTimeoutMs !== undefined) sessionOpts.commandTimeoutMs = opts.commandTimeoutMs;
    if (opts.dataTimeoutMs !== undefined) sessionOpts.dataTimeoutMs = opts.dataTimeoutMs;
    if (opts.maxInMemoryData !== undefined) sessionOpts.maxInMemoryData = opts.maxInMemoryData;
    const session = new PtpSession(transport, sessionOpts);
    const client = new PtpIpClient(session, transport);
    try {
      await session.open(opts.sessionId ?? 1, opts.signal);
      await client.getDeviceInfo(opts.signal ? { signal: opts.signal } : {});
    } catch (e) {
      await transport.close().catch(() => undefined);
      throw e;
    }
    return client;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

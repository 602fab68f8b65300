/**
 * PtpUsbClient: a PTP camera on USB — claim its PTP interface, open a session, read DeviceInfo,
 * then use the typed operations of {@link PtpClient}, exactly as PtpIpClient does over TCP (same
 * session, same operations, same errors).
 *
 * @example
 * const [camera] = await findPtpUsbCameras();
 * const client = await PtpUsbClient.open(camera.device);
 * console.log(client.deviceInfo?.model); // 'RICOH THETA S'
 * await client.close();
 */
import { PtpClient, startPtpClient, type PtpClientStartOptions } from '../client.js';
import type { PtpSession } from '../session.js';
import type { UsbDeviceLike } from './device.js';
import { PtpUsbTransport, type PtpUsbOpenOptions } from './transport.js';

export interface PtpUsbClientOptions extends PtpUsbOpenOptions, PtpClientStartOptions {}

/** A PTP client over USB: the camera's PTP interface claimed through the `usb` package (find one with {@link findPtpUsbCameras}). */
export class PtpUsbClient extends PtpClient {
  private constructor(
    session: PtpSession,
    readonly transport: PtpUsbTransport,
  ) {
    super(session);
  }

  /** Claims the PTP interface, opens a session and reads DeviceInfo. */
  static async open(device: UsbDeviceLike, opts: PtpUsbClientOptions = {}): Promise<PtpUsbClient> {
    const transport = await PtpUsbTransport.open(device, opts);
    return startPtpClient(transport, opts, (session) => new PtpUsbClient(session, transport));
  }

  /** CloseSession (best effort) and releases the interface. */
  close(): Promise<void> {
    return this.session.close();
  }
}

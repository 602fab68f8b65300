/**
 * PTP (ISO 15740 / PIMA 15740) over IP and over USB: {@link PtpIpClient} and {@link PtpUsbClient}
 * share the typed operations of {@link PtpClient}; the codec reads and writes PTP datasets; the
 * code tables name operations, responses, events, properties and formats, with the Parrot and
 * Ricoh vendor extensions.
 *
 * @example
 * ```ts
 * import { PtpIpClient } from 'camctl/ptp';
 * const ptp = await PtpIpClient.connect({ host: '192.168.47.1' });
 * console.log(ptp.deviceInfo?.model);
 * await ptp.close();
 * ```
 * @packageDocumentation
 */
export {
  PtpClient,
  startPtpClient,
  type PtpClientStartOptions,
  type CallOpts,
  type DownloadOptions,
} from './client.js';
export {
  PtpSession,
  type PtpSessionOptions,
  type PtpDataSink,
  type TransactionOptions,
  type TransactionResult,
} from './session.js';
export type { PtpTransport, PtpTransportReceiver, PtpCommand, PtpContainer, DataDirection } from './transport.js';
export { PtpIpClient, type PtpIpClientOptions } from './ip/client.js';
export type { PtpIpConnectOptions } from './ip/transport.js';
export type { PtpUsbOpenOptions } from './usb/transport.js';
export { PtpUsbClient, type PtpUsbClientOptions } from './usb/client.js';
export { findPtpUsbCameras, parseBusId, type PtpUsbCandidate } from './usb/discovery.js';
export { PtpUsbBusyError, PtpUsbUnavailableError, PtpUsbStallError } from './usb/errors.js';
export * from './errors.js';
export * from './codec.js';
export * from './codes.js';
export * from './vendors/parrot.js';
export * from './vendors/ricoh.js';

/**
 * The Camera adapter for `ptpip://host[:port]`: a {@link PtpCamera} whose session runs over
 * {@link PtpIpClient} (TCP, ISO 15740 port 15740 by default) — the Sequoia on Wi-Fi, or either
 * emulator started with `--ptpip-port`. Loaded by `openCamera` by convention.
 *
 * @example
 * const cam = await openCamera('ptpip://127.0.0.1:15740');
 * for (const e of await cam.list('/internal')) console.log(e.path);
 */
import { PtpIpClient } from '../ptp/ip/client.js';
import { CameraError } from './errors.js';
import type { CameraFactory } from './open.js';
import { PtpCamera } from './ptp-camera.js';

export const openCamera: CameraFactory = async (address, options) => {
  if (address.kind !== 'network') throw new CameraError('BAD_ADDRESS', 'ptpip:// needs a host');
  const { host, port } = address;
  // One budget for each phase (connect + handshake, command, data silence).
  const timeoutMs = options.timeoutMs ?? 10_000;
  return PtpCamera.open(
    {
      protocol: 'ptpip',
      address: address.href,
      link: 'PTP/IP',
      connect: (signal) =>
        PtpIpClient.connect({
          host,
          port,
          name: 'camctl',
          connectTimeoutMs: timeoutMs,
          commandTimeoutMs: timeoutMs,
          dataTimeoutMs: timeoutMs,
          ...(signal ? { signal } : {}),
        }),
      linkDetails: (client) => ({ responderName: client.transport.responder.name }),
    },
    options.signal,
  );
};

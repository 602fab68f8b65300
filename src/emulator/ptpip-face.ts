/**
 * Puts a device's PTP backend on the network: a PTP/IP responder on host:port (port 0 = a free
 * port), closed together with the backend. Shared by the emulated Sequoia and THETA.
 *
 * A face can be switched off and on again, as a camera's power: off drops every connection and
 * stops answering (connections are refused); on answers again on the same port with the same
 * GUID, so an initiator that remembers the camera finds it again.
 */
import { randomBytes } from 'node:crypto';
import type { PtpResponderBackend } from '../ptp/backend.js';
import { PtpIpResponder, type PtpIpResponderOptions } from '../ptp/ip/responder.js';

export interface PtpIpFaceOptions extends Omit<PtpIpResponderOptions, 'backend'> {
  host: string;
  port: number;
}

/** An emulated camera's PTP/IP face, running: its address, and its power switch. */
export interface RunningPtpIpFace {
  /** `host:port` (IPv6 hosts in brackets), as the emulators' ready line prints it. */
  address: string;
  /** The port it listens on (the one picked when 0 was asked for). */
  port: number;
  /** False while switched off. */
  readonly on: boolean;
  /** Switches the face off: connections drop, new ones are refused. Idempotent. */
  switchOff(): Promise<void>;
  /** Switches the face on again on the same port. Idempotent. */
  switchOn(): Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

export async function startPtpIpFace(
  backend: PtpResponderBackend & { close(): void },
  name: string,
  opts: PtpIpFaceOptions,
): Promise<RunningPtpIpFace> {
  const { host, port, ...rest } = opts;
  // One GUID for the camera's life: PTP/IP initiators recognise a responder by it.
  const guid = rest.guid ?? randomBytes(16);
  const start = async (at: number): Promise<{ responder: PtpIpResponder; port: number }> => {
    const responder = new PtpIpResponder({ ...rest, guid, backend, name });
    const addr = await responder.listen(at, host);
    return { responder, port: addr.port };
  };
  let running: PtpIpResponder | undefined;
  let bound: number;
  try {
    ({ responder: running, port: bound } = await start(port));
  } catch (e) {
    backend.close();
    throw e;
  }
  // Power changes one at a time, in the order asked.
  let power: Promise<void> = Promise.resolve();
  let closed = false;
  const serial = (step: () => Promise<void>): Promise<void> => (power = power.then(step, step));
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    get on() {
      return running !== undefined;
    },
    switchOff: () =>
      serial(async () => {
        const r = running;
        running = undefined;
        await r?.close();
      }),
    switchOn: () =>
      serial(async () => {
        if (closed) throw new Error('the PTP/IP face is closed');
        if (!running) running = (await start(bound)).responder;
      }),
    async close() {
      closed = true;
      backend.close();
      await serial(async () => {
        const r = running;
        running = undefined;
        await r?.close();
      });
    },
  };
}

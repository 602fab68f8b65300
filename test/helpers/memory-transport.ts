/**
 * An in-memory {@link PtpTransport} wired straight to a {@link PtpResponderCore}: the same session
 * and client code as over PTP/IP, without sockets. Used by the shared client test suite (it lives
 * with the test helpers: nothing shipped needs it).
 *
 * @example
 * const { transport } = createMemoryTransport(backend);
 * const session = new PtpSession(transport);
 */
import type { PtpResponderBackend } from '../../src/ptp/backend.js';
import { PtpClosedError } from '../../src/ptp/errors.js';
import { PtpResponderCore } from '../../src/ptp/responder.js';
import { InvalidOptionError } from '../../src/util/errors.js';
import type { PtpCommand, PtpTransport, PtpTransportReceiver } from '../../src/ptp/transport.js';

export function createMemoryTransport(backend: PtpResponderBackend): {
  transport: PtpTransport;
  core: PtpResponderCore;
} {
  let receiver: PtpTransportReceiver | undefined;
  let closed = false;
  let paused = false;
  let wake: (() => void) | undefined;
  const waitResume = async (): Promise<void> => {
    while (paused && !closed) await new Promise<void>((r) => (wake = r));
  };
  // Deliveries are deferred a microtask so the session sees the same ordering as over a socket.
  const core = new PtpResponderCore(backend, {
    async sendData(tid, total, chunks, signal) {
      receiver?.dataStart(tid, BigInt(total));
      if (chunks instanceof Uint8Array) {
        if (chunks.length) receiver?.data(tid, chunks.slice());
      } else {
        for await (const c of chunks) {
          if (closed || signal.aborted) throw new PtpClosedError();
          await waitResume();
          receiver?.data(tid, c.slice());
        }
      }
      receiver?.dataEnd(tid);
    },
    async sendResponse(r) {
      await Promise.resolve();
      if (!closed) receiver?.response(r);
    },
    sendEvent(e) {
      queueMicrotask(() => {
        if (!closed) receiver?.event(e);
      });
    },
  });
  let pendingOut: { cmd: PtpCommand } | undefined;
  const transport: PtpTransport = {
    setReceiver(r) {
      receiver = r;
    },
    async sendCommand(cmd) {
      if (closed) throw new PtpClosedError();
      if (cmd.direction === 'out') {
        pendingOut = { cmd };
        return;
      }
      void core.handle({ ...cmd, params: [...cmd.params] });
    },
    async sendData(tid, total, source) {
      const cmd = pendingOut?.cmd;
      if (!cmd || cmd.transactionId !== tid) throw new PtpClosedError('data phase without its command');
      pendingOut = undefined;
      let bytes: Uint8Array;
      if (source instanceof Uint8Array) bytes = source.slice();
      else {
        const parts: Uint8Array[] = [];
        for await (const c of source) parts.push(c);
        bytes = Buffer.concat(parts);
      }
      if (BigInt(bytes.length) !== total)
        throw new InvalidOptionError('data', `data phase announced ${total} bytes, has ${bytes.length}`);
      void core.handle(cmd, bytes);
    },
    async cancel(tid) {
      core.cancel(tid);
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      wake?.();
    },
    async close() {
      if (closed) return;
      closed = true;
      core.close();
      wake?.();
      receiver?.closed(undefined);
    },
  };
  return { transport, core };
}

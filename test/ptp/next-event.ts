/** Waits for a PTP event matching `pred` on a client's session (events are watched from the call on). */
import type { PtpSession } from '../../src/ptp/session.js';
import type { PtpContainer } from '../../src/ptp/transport.js';

export function nextEvent(
  c: { session: PtpSession },
  pred: (e: PtpContainer) => boolean,
  timeoutMs = 20_000,
): Promise<PtpContainer> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      c.session.off('event', on);
      reject(new Error('no matching event'));
    }, timeoutMs);
    const on = (e: PtpContainer): void => {
      if (!pred(e)) return;
      clearTimeout(t);
      c.session.off('event', on);
      resolve(e);
    };
    c.session.on('event', on);
  });
}

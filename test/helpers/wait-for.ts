/**
 * Waiting for a condition that some other process or socket makes true (a line printed by the
 * CLI, a client connecting, bytes written): polls `cond` until it holds, and fails with what was
 * awaited when it does not within `timeoutMs`. No timing is asserted; the limit only keeps a
 * broken test from hanging.
 */
import { wallClock } from '../../src/util/clock.js';

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wallClock.sleep(10);
  }
}

/**
 * The whole download suite of files.test.ts again with the sendfile addon switched off
 * (CAMCTL_SENDFILE=0), so the JavaScript streaming path that machines without the addon use —
 * and the emulated link's throttle always uses — stays byte-exact too.
 */
import { expect, it, vi } from 'vitest';

process.env['CAMCTL_SENDFILE'] = '0';
try {
  // Test files share a worker's modules (vitest.config.ts): start from an empty module registry so
  // this import loads the suite, and a zero-copy module that reads the variable, afresh.
  vi.resetModules();
  await import('./files.test.js');
} finally {
  delete process.env['CAMCTL_SENDFILE'];
}
const { zeroCopyUnavailableReason } = await import('../../src/util/zero-copy.js');
// The files after this one in the worker load zero-copy afresh, with the variable unset.
vi.resetModules();

it('ran with zero-copy off', () => {
  expect(zeroCopyUnavailableReason).toMatch(/CAMCTL_SENDFILE=0/);
});

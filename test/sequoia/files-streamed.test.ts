/**
 * The whole download suite of files.test.ts again with the sendfile addon switched off
 * (CAMCTL_SENDFILE=0), so the JavaScript streaming path that machines without the addon use —
 * and the emulated link's throttle always uses — stays byte-exact too.
 */
import { expect, it } from 'vitest';

process.env['CAMCTL_SENDFILE'] = '0';
try {
  // Module graphs are per test file: this import loads a zero-copy module that read the variable.
  await import('./files.test.js');
} finally {
  delete process.env['CAMCTL_SENDFILE'];
}
const { zeroCopyUnavailableReason } = await import('../../src/util/zero-copy.js');

it('ran with zero-copy off', () => {
  expect(zeroCopyUnavailableReason).toMatch(/CAMCTL_SENDFILE=0/);
});

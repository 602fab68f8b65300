/** Reply validation never fails with anything but BAD_REPLY, whatever the camera sends. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SequoiaError } from '../../src/sequoia/client-errors.js';
import * as schemas from '../../src/sequoia/client-schemas.js';

const parsers: Array<[string, (v: unknown) => unknown]> = [
  ['capture status', (v) => schemas.parseCaptureStatus(v, '/capture')],
  ['capture command', (v) => schemas.parseCaptureCommand(v, '/capture/start')],
  ['config', (v) => schemas.parseConfig(v, '/config')],
  ['status', (v) => schemas.parseStatus(v, '/status', ['gps', 'sunshine', 'temperature', 'instruments'])],
  ['calibration', (v) => schemas.parseCalibration(v, '/calibration')],
  ['storage', (v) => schemas.parseStorage(v, '/storage')],
  ['file info', (v) => schemas.parseFileInfo(v, '/file')],
  ['version', (v) => schemas.parseVersion(v, '/version')],
  ['wifi', (v) => schemas.parseWifi(v, '/wifi')],
  ['manual mode', (v) => schemas.parseManualMode(v, '/manualmode')],
  ['echo', (v) => schemas.parseEcho(v, '/config')],
];

describe('reply validation (property)', () => {
  it.each(parsers)('%s: accepts or throws BAD_REPLY', (_name, parse) => {
    const json = fc
      .jsonValue()
      .map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? { request: 'x', ...v } : v));
    fc.assert(
      fc.property(json, (v) => {
        try {
          parse(v);
        } catch (err) {
          expect(err).toBeInstanceOf(SequoiaError);
          expect((err as SequoiaError).code).toBe('ERR_CAMCTL_SEQUOIA_BAD_REPLY');
        }
      }),
      { numRuns: 300 },
    );
  });
});

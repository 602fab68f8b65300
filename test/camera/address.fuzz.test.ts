/** Property tests of the small parsers of this area: camera addresses and Content-Range. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCameraAddress } from '../../src/camera/address.js';
import { CameraError } from '../../src/camera/errors.js';
import { parseContentRange } from '../../src/sequoia/client-download.js';

describe('parseCameraAddress (property)', () => {
  it('any text either parses or fails with BAD_ADDRESS, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `sequoia://${s}`),
          fc.string().map((s) => `usb:${s}`),
        ),
        (text) => {
          try {
            const a = parseCameraAddress(text);
            expect(a.href.length).toBeGreaterThan(0);
          } catch (err) {
            expect(err).toBeInstanceOf(CameraError);
            expect((err as CameraError).code).toBe('BAD_ADDRESS');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a stray % in the credentials is BAD_ADDRESS (found by the property above)', () => {
    expect(() => parseCameraAddress('sequoia://%@&')).toThrow(expect.objectContaining({ code: 'BAD_ADDRESS' }));
    expect(() => parseCameraAddress('theta://u:%zz@127.0.0.1')).toThrow(
      expect.objectContaining({ code: 'BAD_ADDRESS' }),
    );
  });

  it('round-trips its own normalised form', () => {
    const host = fc.oneof(
      fc.ipV4(),
      fc.domain(),
      fc.ipV6().filter((h) => !h.includes('.')), // dotted-quad tails are rewritten by URL
    );
    fc.assert(
      fc.property(
        fc.constantFrom('sequoia', 'theta', 'ptpip'),
        host,
        fc.integer({ min: 1, max: 65535 }),
        (scheme, h, port) => {
          const text = `${scheme}://${h.includes(':') ? `[${h}]` : h}:${port}`;
          const a = parseCameraAddress(text);
          expect(a.kind).toBe('network');
          const again = parseCameraAddress(a.href);
          expect(again).toEqual(a);
          if (a.kind === 'network') expect(a.port).toBe(port);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('parseContentRange (property)', () => {
  it('reads back what a server writes, and rejects junk without throwing', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), (a, b, c) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect(parseContentRange(`bytes ${start}-${end}/${c}`)).toEqual({ start, end, total: c });
        expect(parseContentRange(`bytes */${c}`)).toEqual({ total: c });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseContentRange(s);
        if (r !== undefined) expect(s.trim().toLowerCase().startsWith('bytes')).toBe(true);
      }),
    );
  });
});

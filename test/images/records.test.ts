/**
 * IrradianceList and IMUAngularVelocity: the camera's base64 record lists, decoded from the real
 * capture, re-encoded byte for byte, round-tripped with random records, and refused when broken.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIrradianceList, encodeIrradianceList } from '../../src/devices/images/sequoia.js';
import { decodeImuList, encodeImuList } from '../../src/devices/images/sequoia-records.js';

/** IMG_180413_080658_0000_NIR.TIF's IrradianceList (test/fixtures/sequoia-real/0077). */
const FIXTURE_NIR =
  'ITbVCAAAAAAOAAcAAQBkAMqhzsIrNQy8/EwAwT1F2AgAAAAADgAHAAEAZADS5c7C+srWPYYfAMGsTNsIAAAAAA4ABwABAGQA5f3Owhdro70vigHB51veCAAAAAAOAAcAAQBkAPoTz8KjTry9CmUCwdxp4QgAAAAADgAHAAEAZAAmD8/C/QwaPeq//8BmeOQIAAAAAA4ABwABAGQAAlDPws4SAb1phwDBgIbnCAAAAAAOAAcAAQBkAIGZz8I8mpG+SDICwe+S6ggAAAAADgAHAAEAZADLiM/Ci79RvnWCAcGdoO0IAAAAAA4ABwABAGQAjYHPwlz8NL4+DQHBWK3wCAAAAAAOAAcAAQBkAP2gz8IgMPq9WGYBwQ==';

describe('IrradianceList', () => {
  it('decodes the real camera’s list: 10 records at ≈5 Hz, and re-encodes it byte for byte', () => {
    const records = decodeIrradianceList(`\n${FIXTURE_NIR}\n`);
    expect(records).toHaveLength(10);
    expect(records[0]).toMatchObject({ timestampUs: 148190753n, ch0: 14, ch1: 7, gainIndex: 1, integrationMs: 100 });
    expect(records[0]!.yaw).toBeCloseTo(-103.3, 1);
    const gaps = records.slice(1).map((r, i) => Number(r.timestampUs - records[i]!.timestampUs));
    expect(Math.min(...gaps)).toBeGreaterThan(150_000);
    expect(Math.max(...gaps)).toBeLessThan(250_000);
    expect(encodeIrradianceList(records)).toBe(FIXTURE_NIR);
  });

  it('round trips random records (floats as float32)', () => {
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const f32 = fc.float({ noNaN: true, noDefaultInfinity: true });
    const record = fc.record({
      timestampUs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      ch0: u16,
      ch1: u16,
      gainIndex: u16,
      integrationMs: u16,
      yaw: f32,
      pitch: f32,
      roll: f32,
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (records) => {
        const b64 = encodeIrradianceList(records);
        expect(Buffer.from(b64, 'base64').length).toBe(28 * records.length);
        expect(decodeIrradianceList(b64)).toEqual(
          records.map((r) => ({
            ...r,
            yaw: Math.fround(r.yaw),
            pitch: Math.fround(r.pitch),
            roll: Math.fround(r.roll),
          })),
        );
      }),
    );
  });

  it.each([
    ['not base64', '!!!!'],
    ['not whole records', Buffer.alloc(27).toString('base64')],
  ])('%s → IMAGE_BAD_RECORDS', (_, text) => {
    expect(() => decodeIrradianceList(text)).toThrow(expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_BAD_RECORDS' }));
  });

  it('refuses values a record cannot hold', () => {
    const ok = { timestampUs: 1n, ch0: 1, ch1: 1, gainIndex: 1, integrationMs: 100, yaw: 0, pitch: 0, roll: 0 };
    expect(() => encodeIrradianceList([{ ...ok, ch0: 65536 }])).toThrow(
      expect.objectContaining({ code: 'ERR_CAMCTL_IMAGE_BAD_RECORDS' }),
    );
    expect(() => encodeIrradianceList([{ ...ok, integrationMs: 1.5 }])).toThrow(/integrationMs/);
    expect(() => encodeIrradianceList([{ ...ok, timestampUs: -1n }])).toThrow(/timestamp/);
  });
});

describe('IMUAngularVelocity', () => {
  it('24-byte records: the real capture’s first sample decodes to a 1 kHz, valid gyro sample', () => {
    // First two records of IMG_180413_080658_0000_RGB.JPG.
    const [a, b] = decodeImuList('7yXxCAAAAADSB527AD6ouxrEN7wBAAAA1ynxCAAAAAB/Wsy6AD6ouwyHSbwBAAAA');
    expect(Number(b!.timestampUs - a!.timestampUs)).toBe(1000);
    expect(a!.valid).toBe(1);
    expect(Math.abs(a!.x)).toBeLessThan(0.1);
    expect(encodeImuList([a!, b!])).toBe('7yXxCAAAAADSB527AD6ouxrEN7wBAAAA1ynxCAAAAAB/Wsy6AD6ouwyHSbwBAAAA');
  });
});

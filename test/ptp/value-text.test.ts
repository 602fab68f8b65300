/**
 * PTP integer values as one line of text, both ways: what `camctl config` shows of an array
 * property is what `config set` and `ptp prop set` read back, and text that is no value of the
 * data type says why.
 */
import { describe, expect, it } from 'vitest';
import { DataType } from '../../src/ptp/codes.js';
import { formatArrayText, parseIntegerText } from '../../src/ptp/value-text.js';

describe('integer text', () => {
  it('arrays round-trip: 128- and 64-bit elements in hex, smaller ones in decimal, empty for none', () => {
    const cases: Array<[number, readonly (number | bigint)[], string]> = [
      [DataType.AUINT128, [(1n << 127n) | 0xc8n, 0n], `0x${((1n << 127n) | 0xc8n).toString(16)},0x0`],
      [DataType.AINT64, [-5n, 7n], '-0x5,0x7'],
      [DataType.AUINT16, [1, 65535], '1,65535'],
      [DataType.AINT8, [-128, 127], '-128,127'],
      [DataType.AUINT128, [], ''],
    ];
    for (const [type, values, text] of cases) {
      expect(formatArrayText(values, type)).toBe(text);
      expect(parseIntegerText(text, type)).toEqual({ ok: true, value: values });
    }
    // Decimal and spaces are read too.
    expect(parseIntegerText(' 10 , 0x20 ', DataType.AUINT32)).toEqual({ ok: true, value: [10, 32] });
    expect(parseIntegerText('0x10', DataType.UINT16)).toEqual({ ok: true, value: 16 });
    expect(parseIntegerText('5', DataType.UINT64)).toEqual({ ok: true, value: 5n });
  });

  it('text that is no value of the type says what is wrong', () => {
    expect(parseIntegerText('1,banana', DataType.AUINT128)).toEqual({ ok: false, problem: 'not an integer: "banana"' });
    expect(parseIntegerText('1,,2', DataType.AUINT8)).toEqual({ ok: false, problem: 'not an integer: ""' });
    expect(parseIntegerText(`0x1${'0'.repeat(32)}`, DataType.AUINT128)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/out of range for unsigned 128-bit/),
    });
    expect(parseIntegerText('-1', DataType.AUINT16)).toMatchObject({ ok: false });
    expect(parseIntegerText('256', DataType.UINT8)).toMatchObject({ ok: false });
    expect(parseIntegerText('-129', DataType.INT8)).toMatchObject({ ok: false });
    expect(parseIntegerText('1', DataType.STR)).toMatchObject({ ok: false });
  });
});

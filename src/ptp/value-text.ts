/**
 * PTP integer values as a person types them on one line, and back: an integer in decimal or
 * `0x…`, an array (data types `| 0x4000`) as its elements separated by commas, an empty array as
 * empty text. `camctl ptp prop set` and `camctl config set` read values with it, and `config`
 * shows array values with it, so a value shown can be typed again as it is.
 *
 * @example
 * parseIntegerText('0x10,20', DataType.AUINT16);   // { ok: true, value: [16, 20] }
 * formatArrayText([0x1f4n << 48n], DataType.AUINT128);  // '0x1f4000000000000'
 */
import { DataType } from './codes.js';
import type { PtpScalar, PtpValue } from './codec.js';

/** Bits per element and signedness of each integer data type (arrays by their element's). */
const WIDTH: Record<number, { bits: number; signed: boolean }> = {
  [DataType.INT8]: { bits: 8, signed: true },
  [DataType.UINT8]: { bits: 8, signed: false },
  [DataType.INT16]: { bits: 16, signed: true },
  [DataType.UINT16]: { bits: 16, signed: false },
  [DataType.INT32]: { bits: 32, signed: true },
  [DataType.UINT32]: { bits: 32, signed: false },
  [DataType.INT64]: { bits: 64, signed: true },
  [DataType.UINT64]: { bits: 64, signed: false },
  [DataType.INT128]: { bits: 128, signed: true },
  [DataType.UINT128]: { bits: 128, signed: false },
};

const ARRAY_FLAG = 0x4000;

/** Whether a data type is an array of integers (AINT8 … AUINT128). */
export function isIntegerArrayType(dataType: number): boolean {
  return (dataType & ARRAY_FLAG) !== 0 && WIDTH[dataType & ~ARRAY_FLAG] !== undefined;
}

/** What the text of a data type is, in words: "a comma-separated list of unsigned 128-bit numbers". */
export function integerTextForm(dataType: number): string {
  const w = WIDTH[dataType & ~ARRAY_FLAG];
  if (!w) return 'text';
  const one = `${w.signed ? 'signed' : 'unsigned'} ${w.bits}-bit`;
  return (dataType & ARRAY_FLAG) !== 0
    ? `a comma-separated list of ${one} numbers (decimal or 0x…; empty for none)`
    : `a ${one} number (decimal or 0x…)`;
}

/** The result of reading text: the value, or what is wrong with the text, in plain words. */
export type IntegerTextResult = { ok: true; value: PtpValue } | { ok: false; problem: string };

/**
 * Reads an integer, or for an array data type a comma-separated list of them (spaces allowed,
 * empty text for an empty array), checked against the element's width and sign. Elements of 64
 * bits and more are bigints, as the codec writes them; smaller ones numbers.
 */
export function parseIntegerText(text: string, dataType: number): IntegerTextResult {
  const w = WIDTH[dataType & ~ARRAY_FLAG];
  if (!w) return { ok: false, problem: 'not an integer data type' };
  const min = w.signed ? -(1n << BigInt(w.bits - 1)) : 0n;
  const max = (w.signed ? 1n << BigInt(w.bits - 1) : 1n << BigInt(w.bits)) - 1n;
  const one = (t: string): PtpScalar | string => {
    const s = t.trim();
    const m = /^(-?)(0x[0-9a-f]+|\d+)$/i.exec(s);
    if (!m) return `not an integer: ${JSON.stringify(s)}`;
    const b = m[1] === '-' ? -BigInt(m[2]!) : BigInt(m[2]!);
    if (b < min || b > max) return `${s} is out of range for ${w.signed ? 'signed' : 'unsigned'} ${w.bits}-bit`;
    return w.bits >= 64 ? b : Number(b);
  };
  if ((dataType & ARRAY_FLAG) === 0) {
    const v = one(text);
    return typeof v === 'string' ? { ok: false, problem: v } : { ok: true, value: v };
  }
  if (text.trim() === '') return { ok: true, value: [] };
  const values: PtpScalar[] = [];
  for (const part of text.split(',')) {
    const v = one(part);
    if (typeof v === 'string') return { ok: false, problem: v };
    values.push(v);
  }
  return { ok: true, value: values };
}

/**
 * An integer array as one line that {@link parseIntegerText} reads back: elements of 64 bits and
 * more in hexadecimal (they pack fields, which hex shows at their byte boundaries), smaller ones in
 * decimal; empty text for an empty array.
 */
export function formatArrayText(values: readonly PtpScalar[], dataType: number): string {
  const bits = WIDTH[dataType & ~ARRAY_FLAG]?.bits ?? 32;
  return values
    .map((v) => {
      if (bits < 64) return String(v);
      const b = BigInt(v);
      return b < 0n ? `-0x${(-b).toString(16)}` : `0x${b.toString(16)}`;
    })
    .join(',');
}

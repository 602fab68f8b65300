/**
 * How Debian's gphoto2 shows a PTP camera's configuration: `--list-all-config` read back into
 * entries, and what libgphoto2 (camlibs/ptp2/config.c, ptp.c) prints for a DevicePropDesc, so a
 * test can compare gphoto2's view of every entry with what the camera serves.
 *
 * The rendering below restates libgphoto2's rules: its generic enumeration tables (the entries it
 * keeps for every vendor), "Unknown value %04x" for a value none of them names, the fallback
 * widget of a property it has no widget for (`/main/other/XXXX`: a range is a MENU when it spans
 * fewer than 128 steps of 1, else a RANGE; an enumeration is a MENU; no form is TEXT), and
 * printf's `%g` for the numbers of a RANGE.
 */
import type { DevicePropDesc, PtpValue } from '../../src/ptp/codec.js';

/** One entry of `gphoto2 --list-all-config`. */
export interface Gphoto2Entry {
  label: string;
  readonly: boolean;
  type: string;
  current: string;
  choices: string[];
  range?: { bottom: string; top: string; step: string };
}

/** `--list-all-config` output → entries by path (`/main/other/d803`). */
export function parseListAllConfig(text: string): Map<string, Gphoto2Entry> {
  const entries = new Map<string, Gphoto2Entry>();
  let path: string | undefined;
  let entry: Gphoto2Entry | undefined;
  const range: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('/main/')) {
      path = line.trim();
      entry = { label: '', readonly: false, type: '', current: '', choices: [] };
      for (const k of Object.keys(range)) delete range[k];
      continue;
    }
    if (!path || !entry) continue;
    const field = /^(Label|Readonly|Type|Current|Choice|Bottom|Top|Step): ?(.*)$/.exec(line);
    if (field) {
      const [, name, value] = field as unknown as [string, string, string];
      if (name === 'Label') entry.label = value;
      else if (name === 'Readonly') entry.readonly = value === '1';
      else if (name === 'Type') entry.type = value;
      else if (name === 'Current') entry.current = value;
      else if (name === 'Choice') entry.choices.push(value.replace(/^\d+ /, ''));
      else range[name] = value;
    } else if (line === 'END') {
      if (range['Bottom'] !== undefined)
        entry.range = { bottom: range['Bottom'], top: range['Top'] ?? '', step: range['Step'] ?? '' };
      entries.set(path, entry);
      path = undefined;
      entry = undefined;
    }
  }
  return entries;
}

/** C's printf `%g` (6 significant digits, exponent below 1e-4 and from 1e6), for the numbers gphoto2 prints. */
export function printfG(x: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  const trim = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (exp < -4 || exp >= 6) {
    const [mantissa, e] = x.toExponential(5).split('e') as [string, string];
    const n = Number(e);
    return `${trim(mantissa)}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return trim(x.toPrecision(6));
}

/**
 * The names libgphoto2 gives every vendor's values (vendor 0 in config.c's tables); the THETA
 * reports VendorExtensionID 0x6, for which libgphoto2 keeps no entries of its own.
 */
export const GPHOTO2_GENERIC_NAMES = {
  /** config.c `whitebalance[]`. */
  whiteBalance: {
    0x0001: 'Manual',
    0x0002: 'Automatic',
    0x0003: 'One-push Automatic',
    0x0004: 'Daylight',
    0x0005: 'Fluorescent',
    0x0006: 'Tungsten',
    0x0007: 'Flash',
  },
  /** config.c `exposure_program_modes[]`. */
  exposureProgram: {
    0x0001: 'M',
    0x0002: 'P',
    0x0003: 'A',
    0x0004: 'S',
    0x0005: 'Creative',
    0x0006: 'Action',
    0x0007: 'Portrait',
  },
  /** config.c `capture_mode[]`. */
  captureMode: { 0x0001: 'Single Shot', 0x0002: 'Burst', 0x0003: 'Timelapse' },
} as const satisfies Record<string, Record<number, string>>;

/** What gphoto2 prints for `code` from one of its tables. */
export function tableName(table: Readonly<Record<number, string>>, code: number): string {
  return table[code] ?? `Unknown value ${code.toString(16).padStart(4, '0')}`;
}

/**
 * The labels libgphoto2 gives the standard properties the THETA S lists (ptp.c
 * `ptp_get_property_description`); a property it does not name is "PTP Property 0xXXXX".
 */
export const GPHOTO2_PROPERTY_LABELS: Readonly<Record<number, string>> = {
  0x5001: 'Battery Level',
  0x5002: 'Functional Mode',
  0x5003: 'Image Size',
  0x5005: 'White Balance',
  0x500e: 'Exposure Program Mode',
  0x500f: 'Exposure Index (film speed ISO)',
  0x5010: 'Exposure Bias Compensation',
  0x5011: 'Date & Time',
  0x5012: 'Pre-Capture Delay',
  0x5013: 'Still Capture Mode',
  0x501a: 'Timelapse Number',
  0x501b: 'Timelapse Interval',
  0x502c: 'Audio Volume',
  0xd407: 'Perceived Device Type',
};

/** A property's label in gphoto2. */
export function propertyLabel(code: number): string {
  return GPHOTO2_PROPERTY_LABELS[code] ?? `PTP Property 0x${code.toString(16).padStart(4, '0')}`;
}

const decimal = (v: PtpValue): string => (typeof v === 'string' ? v : String(v));

/** The `/main/other/XXXX` entry libgphoto2 builds from a DevicePropDesc. */
export function otherEntry(d: DevicePropDesc): Gphoto2Entry {
  const entry: Gphoto2Entry = {
    label: propertyLabel(d.code),
    readonly: d.getSet === 0,
    type: 'TEXT',
    current: decimal(d.current),
    choices: [],
  };
  if (d.form.kind === 'enum') {
    entry.type = 'MENU';
    entry.choices = d.form.values.map(decimal);
  } else if (d.form.kind === 'range') {
    const [min, max, step] = [Number(d.form.min), Number(d.form.max), Number(d.form.step)];
    if (max - min < 128 && step === 1) {
      entry.type = 'MENU';
      for (let k = min; k <= max; k += step) entry.choices.push(String(k));
    } else {
      entry.type = 'RANGE';
      entry.current = printfG(Number(d.current));
      entry.range = { bottom: printfG(min), top: printfG(max), step: printfG(step) };
    }
  }
  return entry;
}

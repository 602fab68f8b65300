/**
 * gphoto2's `--filename` patterns for where a downloaded camera file goes, relative to the output
 * directory: `%f` the name without its suffix, `%C` the suffix, `%:` the whole name in lower case,
 * `%F` the camera folder (`<medium>/<folder>`, so `%F/%f.%C` is camctl's own layout), `%n` the
 * file's number in its folder (from 1, in listing order, or from gphoto2's `--filenumber N`; `%03n`
 * pads to 3 digits), and the capture
 * time as date(1) writes it, in local time: `%Y %y %m %d %H %M %S %j %a %A %b %B %k %I %l`; `%%`
 * is a percent sign. A `/` in the pattern makes folders.
 *
 * Every expanded name stays inside the output directory and is never hidden (camctl's records and
 * partial files start with a dot).
 */
import * as path from 'node:path';
import { CliError } from './errors.js';

/** What a pattern can say about one camera file. */
export interface PatternFile {
  /** Camera path, `/<medium>/<folder>/<name>`. */
  path: string;
  name: string;
  /** Number in its folder, from 1 (needed by `%n`). */
  number?: number | undefined;
  /** Epoch ms the camera gives for the file (needed by the time conversions). */
  time?: number | undefined;
}

const TIME = new Set(['Y', 'y', 'm', 'd', 'H', 'M', 'S', 'j', 'a', 'A', 'b', 'B', 'k', 'I', 'l']);
const NAME = new Set(['f', 'C', ':', 'F', '%']);
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** One directive of a pattern: `%03n` → { pad: '0', width: 3, code: 'n' }. */
const DIRECTIVE = /%(0?)(\d*)(.)/gs;

export class FilenamePattern {
  /** The pattern uses `%n`: files must be numbered. */
  readonly usesNumber: boolean;
  /** The pattern uses the capture time. */
  readonly usesTime: boolean;

  /**
   * @param firstNumber what `%n` gives the first file of a folder (gphoto2's `--filenumber`; 1
   *   unless given): the file numbered k in its listing is named `firstNumber + k - 1`.
   */
  constructor(
    readonly pattern: string,
    readonly firstNumber = 1,
  ) {
    if (pattern.trim() === '') throw new CliError('--filename needs a pattern, e.g. %Y%m%d-%H%M%S_%f.%C', 2);
    if (path.isAbsolute(pattern))
      throw new CliError(`--filename is relative to the output directory (-o/--download), got ${pattern}`, 2);
    let number = false;
    let time = false;
    const stripped = pattern.replace(/%%/g, '');
    if (/%$/.test(stripped))
      throw new CliError(`--filename ${JSON.stringify(pattern)} ends in a lone %; write %% for a percent sign`, 2);
    for (const m of pattern.matchAll(DIRECTIVE)) {
      const [whole, , width, code] = m;
      if (code === 'n') number = true;
      else if (TIME.has(code!)) time = true;
      else if (!NAME.has(code!))
        throw new CliError(
          `--filename: unknown conversion ${whole} in ${JSON.stringify(pattern)}; see camctl get --help`,
          2,
        );
      if (width && code !== 'n')
        throw new CliError(`--filename: only %n takes a width (as in gphoto2), got ${whole}`, 2);
    }
    this.usesNumber = number;
    this.usesTime = time;
  }

  /** The local path of `file` under `dir`. */
  localPath(dir: string, file: PatternFile): string {
    const rel = this.expand(file);
    const parts = rel.split('/').filter((p) => p !== '');
    if (parts.length === 0 || parts.some((p) => p === '.' || p === '..' || p.startsWith('.') || p.includes('\\'))) {
      throw new CliError(
        `--filename ${JSON.stringify(this.pattern)} gives ${JSON.stringify(rel)} for ${file.path}: a name must not be empty, hidden (start with a dot) or leave the output directory`,
        2,
      );
    }
    return path.join(dir, ...parts);
  }

  expand(file: PatternFile): string {
    const dot = file.name.lastIndexOf('.');
    const base = dot > 0 ? file.name.slice(0, dot) : file.name;
    const suffix = dot > 0 ? file.name.slice(dot + 1) : '';
    const folder = file.path.split('/').filter(Boolean).slice(0, -1).join('/');
    let date: Date | undefined;
    return this.pattern.replace(DIRECTIVE, (_whole, pad: string, width: string, code: string) => {
      switch (code) {
        case '%':
          return '%';
        case 'f':
          return base;
        case 'C':
          return suffix;
        case ':':
          return file.name.toLowerCase();
        case 'F':
          return folder;
        case 'n': {
          if (file.number === undefined)
            throw new CliError(`--filename: %n needs the number of ${file.path} in its folder, which is not known`, 1);
          const digits = String(file.number - 1 + this.firstNumber);
          return width ? digits.padStart(Number(width), pad === '0' ? '0' : ' ') : digits;
        }
      }
      if (file.time === undefined || !Number.isFinite(file.time)) {
        throw new CliError(
          `--filename: the camera gives no time for ${file.path}, so %${code} cannot be filled in; use a pattern without the date and time`,
          1,
        );
      }
      date ??= new Date(file.time);
      return timePart(date, code);
    });
  }
}

/**
 * The --filename pattern of a command's options, with `--filenumber` (where %n starts, as in
 * gphoto2); undefined without --filename. `--filenumber` alone, or not a whole number ≥ 0, is a
 * usage error.
 */
export function filenamePatternOf(opts: { filename?: string; filenumber?: string }): FilenamePattern | undefined {
  if (opts.filenumber !== undefined) {
    if (!/^\d+$/.test(opts.filenumber))
      throw new CliError(`--filenumber must be a whole number (0 or more), got ${JSON.stringify(opts.filenumber)}`, 2);
    if (opts.filename === undefined)
      throw new CliError('--filenumber sets where %n starts: it goes with --filename PATTERN (e.g. %04n_%f.%C)', 2);
  }
  if (opts.filename === undefined) return undefined;
  const pattern = new FilenamePattern(opts.filename, opts.filenumber !== undefined ? Number(opts.filenumber) : 1);
  if (opts.filenumber !== undefined && !pattern.usesNumber)
    throw new CliError(
      `--filenumber sets where %n starts, and --filename ${JSON.stringify(opts.filename)} has no %n`,
      2,
    );
  return pattern;
}

/** The `--filenumber` option's help line. */
export const FILENUMBER_OPTION = [
  '--filenumber <n>',
  'with --filename: the number %n gives the first file (default 1), as gphoto2',
] as const;

function timePart(d: Date, code: string): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const h12 = d.getHours() % 12 || 12;
  switch (code) {
    case 'Y':
      return String(d.getFullYear());
    case 'y':
      return two(d.getFullYear() % 100);
    case 'm':
      return two(d.getMonth() + 1);
    case 'd':
      return two(d.getDate());
    case 'H':
      return two(d.getHours());
    case 'k':
      return String(d.getHours()).padStart(2, ' ');
    case 'I':
      return two(h12);
    case 'l':
      return String(h12).padStart(2, ' ');
    case 'M':
      return two(d.getMinutes());
    case 'S':
      return two(d.getSeconds());
    case 'j': {
      const start = new Date(d.getFullYear(), 0, 1);
      const day =
        Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86_400_000) + 1;
      return String(day).padStart(3, '0');
    }
    case 'a':
      return DAYS[d.getDay()]!.slice(0, 3);
    case 'A':
      return DAYS[d.getDay()]!;
    case 'b':
      return MONTHS[d.getMonth()]!.slice(0, 3);
    default:
      return MONTHS[d.getMonth()]!;
  }
}

export const FILENAME_HELP = `
--filename PATTERN names each local file under the output directory as gphoto2 does: %f the
camera name without its suffix, %C the suffix, %: the whole name in lower case, %F the camera
folder (<medium>/<folder>), %n the file's number in its folder (%03n: 007; --filenumber N makes
the first N), the capture time in
local time (%Y %y %m %d %H %M %S %j %a %A %b %B %k %I %l, as date(1)), %% a percent sign; a /
makes folders. With --thumbnail, %C is jpg.`;

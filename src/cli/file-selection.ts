/**
 * Which camera files a download takes, as gphoto2 users choose them: by number in their folder
 * (gphoto2's RANGE: `1-5,7`, numbered from 1 in the camera's listing order; a number named twice
 * is left out again, as gphoto2's ranges are exclusive-or), by file type (`jpg,tif`), and by the
 * Sequoia's band (`nir,red-edge`, or the suffixes of its file names, `NIR,REG`). `--new` (files
 * never downloaded there before) is one of the download choices (download-choices.ts).
 */
import type { Command } from 'commander';
import type { RemoteFile } from '../camera/types.js';
import { bandOf } from '../sync/s3-keys.js';
import { CliError } from './errors.js';

export interface FileSelectionOptions {
  band?: string;
  type?: string;
  range?: string;
}

/** --band, --type and --range; `{ range: false }` where files have no number to choose by (a capture's own files). */
export function addFileSelection(cmd: Command, { range = true }: { range?: boolean } = {}): Command {
  cmd
    .option(
      '--band <bands>',
      'Sequoia: only these bands, e.g. nir,red-edge or NIR,REG (green, red, red-edge, nir, rgb)',
    )
    .option('--type <types>', "only these file types, e.g. jpg,tif (by the name's suffix)");
  return range
    ? cmd.option(
        '--range <range>',
        "only these file numbers in each folder, gphoto2's RANGE: 1-5,7 (from 1, in listing order)",
      )
    : cmd;
}

const BAND_TYPE = `--band nir,red-edge (Sequoia bands: green, red, red-edge, nir, rgb, or the file
names' GRE, RED, REG, NIR, RGB), --type jpg,tif`;

export const FILE_SELECTION_HELP = `
Choosing files: ${BAND_TYPE}, --range 1-5,7 (numbers in each folder from 1,
in the camera's listing order; as in gphoto2 a number named twice is left out), --new.`;

/** The same for a command without --range (`camctl capture --download`). */
export const BAND_TYPE_HELP = `
Choosing files: ${BAND_TYPE}, --new.`;

/** Band names people type → the names bandOf() gives. */
const BAND_NAMES: Record<string, string> = {
  green: 'green',
  gre: 'green',
  red: 'red',
  'red-edge': 'red-edge',
  rededge: 'red-edge',
  red_edge: 'red-edge',
  reg: 'red-edge',
  nir: 'near-infrared',
  'near-infrared': 'near-infrared',
  rgb: 'rgb',
};

const TYPE_ALIASES: Record<string, string> = { jpeg: 'jpg', tiff: 'tif' };

/** The parsed choice; `matches` says whether a file (numbered in its folder) is taken. */
export class FileSelection {
  private readonly bands?: Set<string>;
  private readonly types?: Set<string>;
  private readonly numbers?: Set<number>;

  constructor(opts: FileSelectionOptions) {
    if (opts.band !== undefined) {
      this.bands = new Set(
        list(opts.band, '--band').map((b) => {
          const name = BAND_NAMES[b.toLowerCase()];
          if (!name)
            throw new CliError(
              `--band: unknown band ${JSON.stringify(b)}; the Sequoia's bands are green, red, red-edge, nir and rgb`,
              2,
            );
          return name;
        }),
      );
    }
    if (opts.type !== undefined) {
      this.types = new Set(
        list(opts.type, '--type')
          .map((t) => t.toLowerCase().replace(/^\./, ''))
          .map((t) => TYPE_ALIASES[t] ?? t),
      );
    }
    if (opts.range !== undefined) this.numbers = parseRange(opts.range);
  }

  /** Whether files must be numbered (their folder listed) to be chosen. */
  get usesNumbers(): boolean {
    return this.numbers !== undefined;
  }

  /** Whether any choice narrows the files at all. */
  get narrows(): boolean {
    return !!(this.bands || this.types || this.numbers);
  }

  matches(file: Pick<RemoteFile, 'name'>, number: number | undefined): boolean {
    if (this.bands) {
      const band = bandOf(file.name);
      if (!band || !this.bands.has(band)) return false;
    }
    if (this.types) {
      const dot = file.name.lastIndexOf('.');
      const ext = dot >= 0 ? file.name.slice(dot + 1).toLowerCase() : '';
      if (!this.types.has(TYPE_ALIASES[ext] ?? ext)) return false;
    }
    if (this.numbers && (number === undefined || !this.numbers.has(number))) return false;
    return true;
  }
}

function list(text: string, option: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new CliError(`${option} needs at least one value, e.g. ${option === '--band' ? 'nir' : 'jpg'}`, 2);
  return items;
}

/**
 * gphoto2's RANGE: comma-separated numbers and `first-last` spans, from 1; exclusive-or, so
 * `1-5,3,7` is 1, 2, 4, 5, 7.
 */
export function parseRange(text: string): Set<number> {
  const out = new Set<number>();
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === ''))
    throw new CliError(`--range: expected numbers and spans like 1-5,7, got ${JSON.stringify(text)}`, 2);
  for (const part of parts) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const first = m ? Number(m[1]) : NaN;
    const last = m?.[2] !== undefined ? Number(m[2]) : first;
    if (!m || first < 1 || last < first || last - first > 1_000_000) {
      throw new CliError(
        `--range: ${JSON.stringify(part)} is not a number or a span first-last (numbers start at 1), in ${JSON.stringify(text)}`,
        2,
      );
    }
    for (let n = first; n <= last; n++) {
      if (out.has(n)) out.delete(n);
      else out.add(n);
    }
  }
  return out;
}

/**
 * What `get`, `capture --download` and `sync` share about local files: where a camera file goes
 * (DIR/<medium>/<folder>/<file>, the camera's own tree, so two folders holding the same names never
 * meet and a file fetched by one command is known to the others), gphoto2's choices for a local
 * file of the same name that is not known to be that camera file (--skip-existing,
 * --overwrite — gphoto2's --force-overwrite — and --new), and how each file's outcome is reported.
 */
import type { Command } from 'commander';
import type { ExistingPolicy, FetchResult } from '../camera/fetch.js';
import type { GlobalOptions } from './context.js';
import { CliError } from './errors.js';

export interface DownloadChoiceOptions {
  skipExisting?: boolean;
  overwrite?: boolean;
  new?: boolean;
}

export function addDownloadChoices(cmd: Command): Command {
  return cmd
    .option(
      '--skip-existing',
      'keep a local file of the same name that is not known to be the camera file, and say nothing',
    )
    .option('--overwrite', 'replace a local file of the same name that is not known to be the camera file')
    .option('--new', 'only camera files never downloaded into that directory before (even if the local copy is gone)');
}

export const DOWNLOAD_CHOICES_HELP = `
Files go to DIR/<medium>/<folder>/<file>, the camera's own tree (as \`camctl sync\` lays them out),
so folders holding the same file names never collide. camctl records in each directory
(.camctl-downloads.jsonl) which camera file each local file is — camera serial, path, size and
time. A file recorded as that camera file and unchanged is skipped ("already downloaded"); a
local file of the same name that is not known to be it is kept and reported, and that run exits 1
(one with the camera's exact bytes is recognised and recorded). Choose instead:
  --skip-existing   keep such files without a word
  --overwrite       replace them with the camera's file
  --new             fetch only camera files never downloaded into that directory before
Partial downloads are resumed only when recorded as begun for that same camera file.`;

export function downloadChoices(opts: DownloadChoiceOptions): { existing: ExistingPolicy; onlyNew: boolean } {
  if (opts.skipExisting && opts.overwrite)
    throw new CliError('--skip-existing and --overwrite cannot be used together', 2);
  return { existing: opts.skipExisting ? 'skip' : opts.overwrite ? 'overwrite' : 'keep', onlyNew: !!opts.new };
}

/** The options that only mean something with `--download DIR`, as the user types them. */
const DOWNLOAD_ONLY: ReadonlyArray<[key: string, flag: string]> = [
  ['filename', '--filename'],
  ['filenumber', '--filenumber'],
  ['hookScript', '--hook-script'],
  ['band', '--band'],
  ['type', '--type'],
  ['range', '--range'],
  ['new', '--new'],
  ['skipExisting', '--skip-existing'],
  ['overwrite', '--overwrite'],
];

/**
 * Refuses (usage error) the download options of `keys` given without `--download DIR`, naming
 * every one the command has, so the user sees what goes together.
 */
export function requireDownloadDir(options: object, keys: readonly string[]): void {
  const opts = options as Record<string, unknown>;
  if (opts['download'] !== undefined) return;
  const known = DOWNLOAD_ONLY.filter(([key]) => keys.includes(key));
  if (!known.some(([key]) => opts[key] !== undefined && opts[key] !== false)) return;
  const flags = known.map(([, flag]) => flag);
  throw new CliError(`${flags.slice(0, -1).join(', ')} and ${flags.at(-1)} go with --download DIR`, 2);
}

/** One file's outcome for --json: every field present, true or false. */
export interface FileReport {
  path: string;
  file: string;
  status: FetchResult['status'];
  reason: FetchResult['reason'];
  message: string | null;
  size: number;
  transferred: number;
  resumedFrom: number;
  downloaded: boolean;
  resumed: boolean;
  skipped: boolean;
  overwritten: boolean;
}

export function fileReport(cameraPath: string, r: FetchResult): FileReport {
  return {
    path: cameraPath,
    file: r.file,
    status: r.status,
    reason: r.reason,
    message: r.message,
    size: r.size,
    transferred: r.transferred,
    resumedFrom: r.resumedFrom,
    downloaded: !r.skipped,
    resumed: r.status === 'resumed',
    skipped: r.skipped,
    overwritten: r.overwritten,
  };
}

/** The line a person sees for a file (stdout), or undefined when the file needs no line. */
export function humanLine(r: FetchResult): string {
  switch (r.reason) {
    case null:
      return `${r.file}${r.status === 'resumed' ? ' (resumed)' : ''}${r.overwritten ? ' (replaced the local file)' : ''}`;
    case 'already-downloaded':
      return `${r.file} (already downloaded)`;
    case 'identical':
      return `${r.file} (already there, same bytes)`;
    case 'exists':
      return `${r.file} (exists, skipped)`;
    case 'downloaded-before':
      return `${r.file} (downloaded before, skipped)`;
    case 'conflict':
      return `${r.file} (kept, not downloaded)`;
  }
}

export const CONFLICT_HINT = 'use --overwrite to replace it, --skip-existing to keep it, or another output directory';

/**
 * After a run whose output is printed: files kept because of a conflict make it exit 1, saying
 * what to do. With --json the per-file results already carry the details, and stdout stays one
 * JSON document (the line goes to stderr, as for people).
 */
export function failOnConflicts(g: GlobalOptions, conflicts: number, total: number): void {
  if (conflicts === 0) return;
  const message = `${conflicts} of ${total} files not downloaded: a local file of the same name is not known to be the camera file (kept); ${CONFLICT_HINT}`;
  if (!g.json) throw new CliError(message);
  process.stderr.write(`camctl: ${message}\n`);
  process.exitCode = 1;
}

/**
 * `camctl watch`: the camera's notifications as they come, one line each (NDJSON with --json),
 * surviving link drops (reconnects with backoff; state changes missed meanwhile are reported).
 * With --download DIR each new picture is also fetched as it appears (watch-download.ts).
 */
import type { Command } from 'commander';
import type { CameraEvent } from '../camera/types.js';
import { interruptSignal, note, printJson, withCamera } from './context.js';
import { describeEvent } from '../camera/describe-event.js';
import {
  addDownloadChoices,
  DOWNLOAD_CHOICES_HELP,
  downloadChoices,
  requireDownloadDir,
  type DownloadChoiceOptions,
} from './download-choices.js';
import { addFileSelection, FILE_SELECTION_HELP, type FileSelectionOptions } from './file-selection.js';
import { FILENAME_HELP, FILENUMBER_OPTION } from './filename-pattern.js';
import { clock } from './watch-download.js';

interface WatchOptions extends DownloadChoiceOptions, FileSelectionOptions {
  reconnect: boolean;
  raw?: boolean;
  download?: string;
  filename?: string;
  filenumber?: string;
  hookScript?: string;
  parallel: string;
}

export function register(program: Command): void {
  const watch = program
    .command('watch')
    .description(
      'print camera notifications until interrupted (NDJSON with --json); --download fetches new pictures as they appear',
    )
    .option('--no-reconnect', 'exit when the link drops instead of reconnecting')
    .option('--raw', 'print the protocol messages as received (with --json)')
    .option(
      '-d, --download <dir>',
      "fetch each new picture into DIR/<medium>/<folder>/ as it appears (gphoto2's --wait-event-and-download)",
    )
    .option(
      '--filename <pattern>',
      "with --download: local names under DIR, gphoto2's patterns (%f %C %n %F %Y%m%d-%H%M%S)",
    )
    .option(...FILENUMBER_OPTION)
    .option(
      '--hook-script <file>',
      'with --download: run FILE after each file is written (ACTION=download, ARGUMENT=local path)',
    )
    .option('-j, --parallel <n>', 'with --download: downloads at once', '2');
  addFileSelection(addDownloadChoices(watch))
    .addHelpText(
      'after',
      `
With --download:${DOWNLOAD_CHOICES_HELP.replace(/^\n/, '\n')}
${FILE_SELECTION_HELP}
${FILENAME_HELP}

Examples:
  camctl watch
  camctl watch --json | jq -c 'select(.type == "capture")'
  camctl watch --download ./flight                    every picture of a timelapse as it is written
  camctl watch --download ./flight --band nir --hook-script ./process.sh`,
    )
    .action(async (opts: WatchOptions, cmd: Command) => {
      const { CliError } = await import('./errors.js');
      requireDownloadDir(opts, [
        'filename',
        'filenumber',
        'hookScript',
        'band',
        'type',
        'range',
        'new',
        'skipExisting',
        'overwrite',
      ]);
      const parallel = Number(opts.parallel);
      if (!(Number.isInteger(parallel) && parallel >= 1 && parallel <= 16))
        throw new CliError(`--parallel must be 1-16, got ${opts.parallel}`, 2);
      await withCamera(cmd, async (camera, g) => {
        const choices = downloadChoices(opts);
        const { FileSelection } = await import('./file-selection.js');
        const { filenamePatternOf } = await import('./filename-pattern.js');
        const selection = new FileSelection(opts);
        const pattern = filenamePatternOf(opts);
        const { signal, dispose } = interruptSignal();
        let downloader: import('./watch-download.js').WatchDownloader | undefined;
        let hook: import('./hook-script.js').HookScript | undefined;
        try {
          // Asked once, and only when someone reads it: the "connected" note (said once the camera
          // answered, so silence afterwards means "no news", not "no camera") and the download record.
          const says = !g.quiet && !g.json;
          const info = says || opts.download !== undefined ? await camera.info({ signal }) : undefined;
          if (info && says) note(g, `connected to ${info.model} at ${camera.address}; watching (Ctrl-C to stop)`);
          if (info && opts.download !== undefined) {
            const { HookScript } = await import('./hook-script.js');
            const { WatchDownloader } = await import('./watch-download.js');
            const { identityOf, DownloadLedger } = await import('../camera/download-record.js');
            hook =
              opts.hookScript !== undefined ? await HookScript.start(opts.hookScript, { json: g.json }) : undefined;
            const ledger = new DownloadLedger(identityOf(info));
            downloader = new WatchDownloader(camera, g, {
              dir: opts.download,
              ...choices,
              selection,
              pattern,
              hook,
              ledger,
              signal,
              parallel,
            });
          }
          for await (const ev of camera.events({ signal, reconnect: opts.reconnect })) {
            if (g.json) printJson(jsonLine(ev, !!opts.raw));
            else process.stdout.write(`${clock()} ${describeEvent(ev)}\n`);
            downloader?.onEvent(ev);
          }
        } finally {
          await downloader?.finish();
          dispose();
          await hook?.stop();
        }
        if (downloader && opts.download !== undefined) {
          const { unfinishedHint } = await import('./watch-download.js');
          const { counts, unfinished } = downloader;
          const extra =
            (opts.filename !== undefined ? ` --filename '${opts.filename}'` : '') +
            (opts.filenumber !== undefined ? ` --filenumber ${opts.filenumber}` : '');
          if (counts.interrupted > 0) {
            throw new CliError(
              `interrupted with ${counts.interrupted} downloads cut short (kept as partial files); finish them with ${unfinishedHint(opts.download, unfinished, extra)}`,
              130,
            );
          }
          if (counts.failed > 0)
            throw new CliError(
              `${counts.failed} pictures were not downloaded (see above); fetch them with camctl get FOLDER -o ${opts.download}${extra}`,
            );
          if (counts.conflicts > 0)
            throw new CliError(
              `${counts.conflicts} pictures not downloaded: a local file of the same name is not known to be the camera file (kept)`,
            );
        }
      });
    });
}

function jsonLine(ev: CameraEvent, raw: boolean): Record<string, unknown> {
  const { raw: r, ...rest } = ev as CameraEvent & { raw?: unknown };
  const line: Record<string, unknown> = { time: new Date().toISOString(), ...rest };
  if (raw && r !== undefined) line.raw = r;
  return line;
}

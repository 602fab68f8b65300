/**
 * `camctl sync DIR`: mirrors every picture on the camera (both media) into DIR/<medium>/<folder>/,
 * in parallel, resumable and safe to kill at any moment (see src/camera/sync.ts).
 */
import type { Command } from 'commander';
import { interruptSignal, output, withCamera } from './context.js';
import { addDownloadChoices, CONFLICT_HINT, DOWNLOAD_CHOICES_HELP, downloadChoices, failOnConflicts, type DownloadChoiceOptions } from './download-choices.js';
import { humanDuration, humanRate, humanSize, pairs } from './format.js';
import { createProgress } from './progress.js';

interface SyncCliOptions extends DownloadChoiceOptions {
  parallel: string;
  deleteAfter?: boolean;
}

export function register(program: Command): void {
  const sync = program
    .command('sync')
    .description('mirror every picture on the camera into DIR/<medium>/<folder>/ (resumable)')
    .argument('<dir>', 'local directory')
    .option('-j, --parallel <n>', 'downloads at once', '4')
    .option('--delete-after', 'delete each file on the camera once its local copy is verified');
  addDownloadChoices(sync)
    .addHelpText(
      'after',
      `
Files already downloaded are skipped, partial ones resumed. Each file is written under a temporary
name and renamed only when its size and format are verified, so an interrupted sync (even kill -9)
is finished by running it again: nothing lost, duplicated or corrupt.
${DOWNLOAD_CHOICES_HELP}
With --delete-after a file is deleted on the camera only when its local copy is that file.

Examples:
  camctl sync ./flight-1
  camctl sync ./flight-1 -j 8 --delete-after
  camctl sync ./flight-1 --json      summary as JSON`,
    )
    .action(async (dir: string, opts: SyncCliOptions, cmd: Command) => {
      const parallel = Number(opts.parallel);
      const choices = downloadChoices(opts);
      await withCamera(
        cmd,
        async (camera, g) => {
          const { syncCamera } = await import('../camera/sync.js');
          const { signal, dispose } = interruptSignal();
          const progress = await createProgress(g, 'sync');
          const bars = new Map<string, { update(b: number): void; done(): void; last: number }>();
          try {
            const summary = await syncCamera(camera, {
              dir,
              parallel,
              deleteAfter: !!opts.deleteAfter,
              ...choices,
              signal,
              onPlan: (p) => progress.total(p.bytes),
              onFileStart: (f) => bars.set(f.path, { ...progress.file(f.name, f.size), last: -1 }),
              onFileProgress: (f, bytes) => {
                const b = bars.get(f.path);
                if (!b) return;
                if (b.last >= 0) progress.add(bytes - b.last);
                b.last = bytes;
                b.update(bytes);
              },
              onFileDone: (f, r) => {
                bars.get(f.path)?.done();
                bars.delete(f.path);
                if (r.status === 'skipped') progress.add(r.size);
                if (r.status === 'failed' && !g.json) process.stderr.write(`camctl: ${f.path}: ${r.error?.message}\n`);
                else if (r.reason === 'conflict' && !g.json) process.stderr.write(`camctl: ${r.message}; ${CONFLICT_HINT}\n`);
                else if (g.verbose && !g.json) process.stderr.write(`${r.status} ${r.local}\n`);
              },
            });
            progress.stop();
            output(g, summary, () =>
              g.quiet
                ? ''
                : pairs([
                    [
                      'Files',
                      `${summary.files} on camera: ${summary.downloaded} downloaded, ${summary.resumed} resumed, ${summary.skipped} already downloaded, ` +
                        `${summary.failed} failed${summary.conflicts ? `, ${summary.conflicts} kept local files of the same name` : ''}`,
                    ],
                    ['Bytes', `${humanSize(summary.transferredBytes)} transferred of ${humanSize(summary.bytes)}`],
                    ['Time', `${humanDuration(summary.seconds)} (${humanRate(summary.bytesPerSecond)})`],
                    ...(summary.deleted
                      ? [['Deleted', `${summary.deleted} files and ${summary.deletedFolders} emptied folders on the camera`] as [string, string]]
                      : []),
                    ...(summary.incomplete ? [['Skipped', `${summary.incomplete} files still being written`] as [string, string]] : []),
                  ]),
            );
            if (summary.failed > 0) {
              const { CliError } = await import('./errors.js');
              throw new CliError(`${summary.failed} of ${summary.files} files failed; run the same command again to retry`);
            }
            failOnConflicts(g, summary.conflicts, summary.files);
          } catch (err) {
            if (!signal.aborted) throw err;
            progress.stop();
            const { CliError } = await import('./errors.js');
            // Partial files stay under their temporary names; the next run resumes them.
            throw new CliError('interrupted; run the same command again to resume', 130, { cause: err });
          } finally {
            progress.stop();
            dispose();
          }
        },
        { maxConnections: Number.isInteger(parallel) && parallel > 0 ? parallel : 4 },
      );
    });
}

/**
 * `camctl sync DIR`: mirrors every picture on the camera (both media) into DIR/<medium>/<folder>/,
 * in parallel, resumable and safe to kill at any moment (see src/camera/sync.ts).
 */
import type { Command } from 'commander';
import { globals, interruptSignal, output, withCamera } from './context.js';
import {
  addDownloadChoices,
  CONFLICT_HINT,
  DOWNLOAD_CHOICES_HELP,
  downloadChoices,
  failOnConflicts,
  type DownloadChoiceOptions,
} from './download-choices.js';
import { CliError } from './errors.js';
import { humanDuration, humanRate, humanSize, pairs } from './format.js';
import { createProgress } from './progress.js';

interface SyncCliOptions extends DownloadChoiceOptions {
  parallel: string;
  deleteAfter?: boolean;
  to?: string;
  endpoint?: string;
  profile?: string;
  region?: string;
  hookScript?: string;
}

export function register(program: Command): void {
  // `--camera` is the root program's option; with --to it may repeat (several cameras at once).
  const cameraFlags: string[] = [];
  program.on('option:camera', (value: string) => cameraFlags.push(value));
  const sync = program
    .command('sync')
    .description('mirror every picture on the camera into DIR/<medium>/<folder>/, or into S3 with --to (resumable)')
    .argument('[dir]', 'local directory (or --to s3://BUCKET/PREFIX)')
    .option('-j, --parallel <n>', 'downloads at once (per camera)', '4')
    .option('--delete-after', 'delete each file on the camera once its copy is verified')
    .option('--to <s3-url>', 'stream into an S3-compatible object store: s3://BUCKET/PREFIX')
    .option(
      '--endpoint <url>',
      'with --to: the store, e.g. http://127.0.0.1:7480 (Ceph, MinIO, Garage); default AWS S3',
    )
    .option('--profile <name>', 'with --to: the credentials profile (~/.aws/credentials)')
    .option(
      '--region <name>',
      "with --to: the bucket's region (default AWS_REGION, the profile's, or us-east-1 with --endpoint)",
    )
    .option(
      '--hook-script <file>',
      'into a directory: run FILE after each file is written, as gphoto2 does (ACTION=download, ARGUMENT=local path)',
    );
  addDownloadChoices(sync)
    .addHelpText(
      'after',
      `
Files already downloaded are skipped, partial ones resumed. Each file is written under a temporary
name and renamed only when its size and format are verified, so an interrupted sync (even kill -9)
is finished by running it again: nothing lost, duplicated or corrupt.
${DOWNLOAD_CHOICES_HELP}
With --delete-after a file is deleted on the camera only when its local copy is that file.

With --to, every picture goes to s3://BUCKET/PREFIX/<model>-<serial>/<medium>/<folder>/<name>,
streamed (nothing staged on disk), created only where the key is free (If-None-Match), its
SHA-256 in the object's metadata, with a manifest written last. Credentials come from the AWS
chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, --profile. --camera may repeat.

Examples:
  camctl sync ./flight-1
  camctl sync ./flight-1 -j 8 --delete-after
  camctl sync ./flight-1 --hook-script ./process.sh
  camctl sync ./flight-1 --json      summary as JSON
  camctl sync --to s3://survey/2026-06 --endpoint http://127.0.0.1:7480
  camctl sync --to s3://survey/field-a --camera sequoia://10.1.1.2 --camera theta://192.168.1.1`,
    )
    .action(async (dir: string | undefined, opts: SyncCliOptions, cmd: Command) => {
      const parallel = Number(opts.parallel);
      if (opts.to !== undefined || dir === undefined) {
        const g = globals(cmd);
        if (opts.to === undefined) throw new CliError('sync needs a directory, or --to s3://BUCKET/PREFIX', 2);
        if (dir !== undefined) throw new CliError('sync takes a directory or --to s3://…, not both', 2);
        if (opts.hookScript !== undefined)
          throw new CliError('--hook-script goes with a directory, not --to s3://…', 2);
        if (!(Number.isInteger(parallel) && parallel >= 1 && parallel <= 64))
          throw new CliError(`--parallel must be 1-64, got ${opts.parallel}`, 2);
        const cameras = cameraFlags.length > 0 ? [...new Set(cameraFlags)] : g.camera ? [g.camera] : [];
        const { runS3Sync } = await import('./sync-s3.js');
        await runS3Sync(g, cameras, {
          to: opts.to,
          parallel,
          deleteAfter: !!opts.deleteAfter,
          ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
          ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
          ...(opts.region !== undefined ? { region: opts.region } : {}),
        });
        return;
      }
      if (cameraFlags.length > 1)
        throw new CliError(
          'several cameras sync only into an object store (--to s3://…); give one --camera for a directory',
          2,
        );
      if (opts.endpoint !== undefined || opts.profile !== undefined || opts.region !== undefined) {
        throw new CliError('--endpoint, --profile and --region go with --to s3://…', 2);
      }
      const choices = downloadChoices(opts);
      await withCamera(
        cmd,
        async (camera, g) => {
          const { syncCamera } = await import('../camera/sync.js');
          const { HookScript } = await import('./hook-script.js');
          const hook =
            opts.hookScript !== undefined ? await HookScript.start(opts.hookScript, { json: g.json }) : undefined;
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
                // The first report is the resumed prefix: there already, not transferred now.
                if (b.last >= 0) progress.add(bytes - b.last);
                else progress.have(bytes);
                b.last = bytes;
                b.update(bytes);
              },
              onFileDone: (f, r) => {
                const b = bars.get(f.path);
                b?.done();
                bars.delete(f.path);
                // A complete file (skipped) or the end of a resumed one counts as done.
                if (r.status !== 'failed') progress.have(Math.max(0, r.size - Math.max(0, b?.last ?? 0)));
                if (r.status === 'downloaded' || r.status === 'resumed') void hook?.downloaded(r.local, f.path);
                if (r.status === 'failed' && !g.json) process.stderr.write(`camctl: ${f.path}: ${r.error?.message}\n`);
                else if (r.reason === 'conflict' && !g.json)
                  process.stderr.write(`camctl: ${r.message}; ${CONFLICT_HINT}\n`);
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
                      ? [
                          [
                            'Deleted',
                            `${summary.deleted} files and ${summary.deletedFolders} emptied folders on the camera`,
                          ] as [string, string],
                        ]
                      : []),
                    ...(summary.incomplete
                      ? [['Skipped', `${summary.incomplete} files still being written`] as [string, string]]
                      : []),
                  ]),
            );
            if (summary.failed > 0) {
              throw new CliError(
                `${summary.failed} of ${summary.files} files failed; run the same command again to retry`,
              );
            }
            failOnConflicts(g, summary.conflicts, summary.files);
          } catch (err) {
            if (!signal.aborted) throw err;
            progress.stop();
            // Partial files stay under their temporary names; the next run resumes them.
            throw new CliError('interrupted; run the same command again to resume', 130, { cause: err });
          } finally {
            progress.stop();
            dispose();
            await hook?.stop();
          }
        },
        { maxConnections: Number.isInteger(parallel) && parallel > 0 ? parallel : 4 },
      );
    });
}

/**
 * `camctl sync --to s3://BUCKET/PREFIX [--camera A --camera B …]`: one or more cameras streamed
 * into an object store at once (src/sync/s3-sync.ts), sharing one S3 client and one memory budget,
 * each camera's link used by its own parallel downloads, one progress line per camera.
 */
import { setMaxListeners } from 'node:events';
import type { Camera } from '../camera/types.js';
import type { S3SyncSummary } from '../sync/s3-sync.js';
import { createCameraProgress } from './camera-progress.js';
import { interruptSignal, output, reportErrors, type GlobalOptions } from './context.js';
import { CliError } from './errors.js';
import { humanDuration, humanRate, humanSize, pairs } from './format.js';
import type { S3SyncCameraJson, SyncS3CamerasJson, SyncS3Json } from './json-shapes.js';

export interface S3CliOptions {
  to: string;
  endpoint?: string;
  profile?: string;
  region?: string;
  parallel: number;
  deleteAfter: boolean;
}

export async function runS3Sync(g: GlobalOptions, addresses: readonly string[], opts: S3CliOptions): Promise<void> {
  await reportErrors(g, async () => {
    if (addresses.length === 0) {
      const { NO_CAMERA_MESSAGE } = await import('./context.js');
      throw new CliError(NO_CAMERA_MESSAGE, 2);
    }
    const { parseS3Url, createS3Client, endpointLabel } = await import('../sync/s3-target.js');
    const { checkBucket, syncCameraToS3, DEFAULT_MEMORY_BUDGET } = await import('../sync/s3-sync.js');
    const { ByteBudget } = await import('../sync/byte-budget.js');
    const { openCamera } = await import('../camera/open.js');
    const target = parseS3Url(opts.to);
    const clientOptions = { endpoint: opts.endpoint, profile: opts.profile, region: opts.region };
    const endpoint = endpointLabel(clientOptions);
    const client = await createS3Client(clientOptions);
    const { signal, dispose } = interruptSignal();
    // Every request and every waiting part buffer listens to this one signal.
    setMaxListeners(0, signal);
    const progress = await createCameraProgress(g);
    const cameras: Camera[] = [];
    try {
      // The store first: a wrong key or a missing bucket is said before any camera is touched.
      await checkBucket(client, target, endpoint, signal);
      for (const address of addresses)
        cameras.push(await openCamera(address, { timeoutMs: g.timeoutMs, maxConnections: opts.parallel }));
      const budget = new ByteBudget(DEFAULT_MEMORY_BUDGET);
      const runs = await Promise.allSettled(
        cameras.map(async (camera) => {
          const line = progress.camera(camera.address);
          const seen = new Map<string, number>();
          const summary = await syncCameraToS3(camera, {
            client,
            target,
            endpoint,
            parallel: opts.parallel,
            deleteAfter: opts.deleteAfter,
            budget,
            signal,
            onPlan: (p) => line.plan(p.files, p.bytes),
            onFileProgress: (f, bytes) => {
              line.add(bytes - (seen.get(f.path) ?? 0));
              seen.set(f.path, bytes);
            },
            onFileDone: (f, r) => {
              if (r.status === 'present') line.add(r.size);
              line.fileDone();
              if (r.status === 'failed' && !g.json)
                process.stderr.write(`camctl: ${camera.address} ${f.path}: ${r.error?.message}\n`);
              else if (g.verbose && !g.json) process.stderr.write(`${r.status} s3://${target.bucket}/${r.key}\n`);
            },
          });
          line.done();
          return summary;
        }),
      );
      progress.stop();
      const summaries = runs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const firstError = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as unknown;
      if (firstError !== undefined && summaries.length === 0) throw firstError;
      // `manifest` is always there: null while some files are not in the bucket yet.
      const shaped: S3SyncCameraJson[] = summaries.map((s) => ({ ...s, manifest: s.manifest ?? null }));
      const json: SyncS3Json | SyncS3CamerasJson = addresses.length === 1 ? shaped[0]! : { cameras: shaped };
      output(g, json, () => (g.quiet ? '' : summaries.map(describe).join('\n')));
      if (firstError !== undefined) throw firstError;
      const failed = summaries.reduce((n, s) => n + s.failed, 0);
      if (failed > 0) {
        const files = summaries.reduce((n, s) => n + s.files, 0);
        throw new CliError(`${failed} of ${files} files failed; run the same command again to retry`);
      }
    } catch (err) {
      if (!signal.aborted) throw err;
      throw new CliError('interrupted; run the same command again to resume (uploads in progress are continued)', 130, {
        cause: err,
      });
    } finally {
      progress.stop();
      dispose();
      await Promise.all(cameras.map((c) => c.close()));
      client.destroy();
    }
  });
}

function describe(s: S3SyncSummary): string {
  const where = `s3://${s.bucket}/${s.prefix ? `${s.prefix}/` : ''}${s.camera.dir}/`;
  return pairs([
    ['Camera', `${s.camera.model} ${s.camera.serial} (${s.camera.address})`],
    ['Into', where],
    [
      'Files',
      `${s.files} on camera: ${s.uploaded} uploaded, ${s.resumed} resumed, ${s.present + s.raced} already in the bucket, ${s.failed} failed`,
    ],
    [
      'Bytes',
      `${humanSize(s.sentBytes)} sent of ${humanSize(s.bytes)}${s.partsReused ? ` (${s.partsReused} parts from an earlier run kept)` : ''}`,
    ],
    ['Time', `${humanDuration(s.seconds)} (${humanRate(s.bytesPerSecond)})`],
    ...(s.deleted
      ? [['Deleted', `${s.deleted} files and ${s.deletedFolders} emptied folders on the camera`] as [string, string]]
      : []),
    ...(s.incomplete ? [['Skipped', `${s.incomplete} files still being written`] as [string, string]] : []),
    ['Manifest', s.manifest ? `s3://${s.bucket}/${s.manifest}` : 'not written (some files are not in the bucket yet)'],
  ]);
}

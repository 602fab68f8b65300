/**
 * Saving the small JPEG a camera makes of a file (`camctl get --thumbnail`, gphoto2's
 * --get-thumbnail) with the same care as the file itself (fetch.ts): written under a temporary
 * name, flushed and renamed; recorded in the directory's download record as `<camera path>#thumbnail`
 * (so a rerun knows it, and --new skips it); a local file of the same name that is not known to be
 * that thumbnail is kept unless the caller says otherwise — one with the same bytes is adopted.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DownloadLedger } from './download-record.js';
import { CameraError } from './errors.js';
import { partName, type ExistingPolicy, type FetchResult } from './fetch.js';
import type { Camera } from './types.js';

export interface ThumbnailOptions {
  ledger: DownloadLedger;
  existing?: ExistingPolicy;
  onlyNew?: boolean;
  signal?: AbortSignal | undefined;
}

/** The camera object a thumbnail is recorded as. */
export function thumbnailPath(cameraPath: string): string {
  return `${cameraPath}#thumbnail`;
}

export async function fetchThumbnail(
  camera: Camera,
  remote: { path: string; time?: number | undefined },
  file: string,
  options: ThumbnailOptions,
): Promise<FetchResult> {
  if (!camera.thumbnail) {
    throw new CameraError(
      'UNSUPPORTED',
      `this camera (${camera.protocol}) sends no thumbnails of its files; download the pictures themselves (camctl get without --thumbnail)`,
    );
  }
  const bytes = Buffer.from(await camera.thumbnail(remote.path, { signal: options.signal }));
  const object = options.ledger.objectOf({ path: thumbnailPath(remote.path), size: bytes.length, time: remote.time });
  const dir = path.dirname(file);
  const name = path.basename(file);
  const records = await options.ledger.directory(dir);
  const policy = options.existing ?? 'keep';
  const result = (
    status: FetchResult['status'],
    reason: FetchResult['reason'],
    message: string | null,
    overwritten = false,
  ): FetchResult => ({
    file,
    size: bytes.length,
    status,
    reason,
    message,
    transferred: bytes.length,
    resumedFrom: 0,
    overwritten,
    skipped: status === 'skipped',
  });
  const existing = await fs.stat(file).catch(() => undefined);
  if (existing?.isFile() && records.isCompleteCopy(name, object, existing))
    return result('skipped', 'already-downloaded', null);
  if (options.onlyNew && records.downloadedBefore(object))
    return result(
      'skipped',
      'downloaded-before',
      `the thumbnail of ${remote.path} was downloaded into ${dir} before; not fetched again`,
    );
  if (existing) {
    if (policy === 'skip')
      return result('skipped', 'exists', `${file} exists; kept it and did not save the thumbnail of ${remote.path}`);
    if (!existing.isFile())
      return result(
        'skipped',
        'conflict',
        `${file} exists and is not a file; the thumbnail of ${remote.path} was not saved`,
      );
    if (policy === 'keep') {
      const there = await fs.readFile(file);
      if (!there.equals(bytes)) {
        const holds = records.describe(name);
        return result(
          'skipped',
          'conflict',
          `${file} exists and is not the thumbnail of ${remote.path}${holds ? ` (it holds ${holds})` : ''}; kept it, the thumbnail was not saved`,
        );
      }
      await records.noteComplete(name, object, existing);
      return result('skipped', 'identical', `${file} already holds the thumbnail of ${remote.path}; recorded it`);
    }
  }
  await fs.mkdir(dir, { recursive: true });
  const part = partName(file);
  try {
    const handle = await fs.open(part, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(part, file);
  } catch (err) {
    await fs.rm(part, { force: true });
    throw err;
  }
  await records.noteComplete(name, object, await fs.stat(file));
  return result('downloaded', null, existing ? `${file} replaced` : null, !!existing);
}

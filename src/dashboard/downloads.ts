/**
 * Downloads streamed from the camera through the dashboard to the browser, never held whole in
 * memory: one file as itself; one folder as the camera's own zip where it makes one
 * (`capabilities.folderArchive`, the Sequoia's `/download/<medium>/<folder>`); anything else (a
 * selection of files and folders, or a folder on a camera without archives) as a zip made here
 * with yazl, entries stored uncompressed (JPEG and TIFF barely compress, and the CPU is better
 * left to the camera link) and fetched from the camera one after another as the zip is read.
 *
 * Progress goes to `onProgress` (the server pushes it to the page over the live socket), so the
 * browser can save with its own download manager and still show how far it is.
 */
import type * as http from 'node:http';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { CameraError } from '../camera/errors.js';
import type { Camera, RemoteEntry, RemoteFile } from '../camera/types.js';
import { DashboardError } from './errors.js';

export interface DownloadPlan {
  /** What the browser saves it as. */
  filename: string;
  contentType: string;
  /** Known length in bytes (files), or undefined (zips: chunked). */
  size?: number;
  run(sink: Writable, onBytes: (bytes: number) => void, signal: AbortSignal): Promise<void>;
}

/** Works out what `paths` are on the camera and how to send them. Throws NOT_FOUND/BAD_PATH first. */
export async function planDownload(camera: Camera, paths: string[], signal: AbortSignal): Promise<DownloadPlan> {
  if (paths.length === 0)
    throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'nothing to download: give path=…');
  if (paths.length > 1000)
    throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'at most 1000 paths per download');
  const resolved = await Promise.all(paths.map((p) => resolveEntry(camera, p, signal)));
  const only = resolved[0]!;
  if (resolved.length === 1 && only.kind === 'file') {
    const file = only as RemoteFile;
    return {
      filename: file.name,
      contentType: contentTypeOf(file.name),
      size: file.size,
      async run(sink, onBytes, sig) {
        await camera.download(file.path, sink, {
          signal: sig,
          expectedSize: file.size,
          onProgress: (p) => onBytes(p.bytes),
        });
      },
    };
  }
  if (resolved.length === 1 && only.kind === 'folder' && camera.capabilities.folderArchive) {
    return {
      filename: `${only.name}.zip`,
      contentType: 'application/zip',
      async run(sink, onBytes, sig) {
        await camera.download(only.path, sink, { signal: sig, onProgress: (p) => onBytes(p.bytes) });
      },
    };
  }
  // Folders become directories in the zip; files of a selection sit at its top level.
  const entries: Array<{ file: RemoteFile; name: string }> = [];
  for (const e of resolved) {
    if (e.kind === 'file') entries.push({ file: e as RemoteFile, name: e.name });
    else if (e.kind === 'folder') {
      for (const f of await camera.list(e.path, { signal })) {
        if (f.kind === 'file' && f.size !== undefined)
          entries.push({ file: f as RemoteFile, name: `${e.name}/${f.name}` });
      }
    } else
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_BAD_REQUEST',
        `cannot download a whole medium (${e.path}); pick folders`,
      );
  }
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name))
      throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', `two selected files are named ${e.name}`);
    names.add(e.name);
  }
  const filename = resolved.length === 1 ? `${only.name}.zip` : `camctl-${resolved.length}-items.zip`;
  return {
    filename,
    contentType: 'application/zip',
    async run(sink, onBytes, sig) {
      const zip = new yazl.ZipFile();
      let bytes = 0;
      let failure: unknown;
      for (const { file, name } of entries) {
        const opts: { compress: false; size: number; mtime?: Date } = { compress: false, size: file.size };
        if (file.time !== undefined) opts.mtime = new Date(file.time);
        zip.addReadStreamLazy(name, opts, (cb) => {
          const pass = new PassThrough();
          cb(null, pass);
          camera
            .download(file.path, pass, {
              signal: sig,
              expectedSize: file.size,
              onProgress: (p) => onBytes(bytes + p.bytes),
            })
            .then(
              () => {
                bytes += file.size;
                pass.end();
              },
              (err: unknown) => {
                failure = err;
                pass.destroy(err instanceof Error ? err : new Error(String(err)));
              },
            );
        });
      }
      zip.end();
      try {
        await pipeline(zip.outputStream, sink, { signal: sig, end: false });
      } catch (err) {
        throw failure ?? err;
      }
    },
  };
}

async function resolveEntry(camera: Camera, p: string, signal: AbortSignal): Promise<RemoteEntry> {
  const parts = p.split('/').filter(Boolean);
  if (!p.startsWith('/') || parts.length === 0 || parts.some((s) => s === '.' || s === '..')) {
    throw new CameraError('BAD_PATH', `invalid camera path ${JSON.stringify(p)}`);
  }
  const parent = `/${parts.slice(0, -1).join('/')}`;
  const name = parts[parts.length - 1]!;
  const siblings = await camera.list(parent, { signal });
  const hit = siblings.find((e) => e.name === name || e.path === p);
  if (!hit) throw new CameraError('NOT_FOUND', `no such file or folder ${p}`);
  if (hit.kind === 'file' && hit.size === undefined) throw new CameraError('PROTOCOL', `camera gives no size for ${p}`);
  return hit;
}

/** `attachment` with an ASCII fallback name and the exact one in RFC 5987 form. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function contentTypeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  switch (ext) {
    case 'jpg':
    case 'jpeg':
      return 'image/jpeg';
    case 'tif':
    case 'tiff':
      return 'image/tiff';
    case 'mp4':
      return 'video/mp4';
    case 'dng':
      return 'image/x-adobe-dng';
    default:
      return 'application/octet-stream';
  }
}

/** Ends `res` once the plan has run, or cuts it when the camera fails mid-way (headers are gone). */
export async function sendDownload(
  res: http.ServerResponse,
  plan: DownloadPlan,
  headers: Record<string, string>,
  onBytes: (bytes: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const out: Record<string, string | number> = {
    ...headers,
    'Content-Type': plan.contentType,
    'Content-Disposition': contentDisposition(plan.filename),
    'Cache-Control': 'no-store',
  };
  if (plan.size !== undefined) out['Content-Length'] = plan.size;
  res.writeHead(200, out);
  try {
    await plan.run(res, onBytes, signal);
    res.end();
  } catch (err) {
    // A half-sent body must not look complete: reset the connection so the browser marks it failed.
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

/**
 * File downloads of the OSC face: getImage / _getVideo bodies (whole, thumbnail or resized) and
 * v2.1's `GET /files/<storageId>/<folder>/<name>[?type=thumb]` with Range (206, 416) and HEAD.
 * With the sendfile addon every file goes from the page cache straight to the socket, as the
 * camera's own server does; without it pictures come from the device's memory cache when they fit
 * (one write) and larger files (videos) are streamed from disk.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { debuglog } from 'node:util';
import sharp from 'sharp';
import type { ThetaDevice } from '../../devices/theta/device.js';
import type { ThetaFile } from '../../devices/theta/catalog.js';
import {
  openFileToSend,
  responseSocket,
  sendFileBody,
  type FileToSend,
  type ReadableFile,
} from '../../util/send-file.js';
import { canSendFileToSocket } from '../../util/zero-copy.js';
import { OscCommandError } from './osc-errors.js';

const log = debuglog('camctl:osc');

/** An HTTP-level refusal with its OSC code (404 for an unknown file, 405, 413…). */
export class HttpProblem extends OscCommandError {
  constructor(
    readonly status: number,
    oscCode: OscCommandError['oscCode'],
    message: string,
  ) {
    super(oscCode, message);
  }
}

/** GET /files/<storageId>/<folder>/<name>[?type=thumb] */
export async function serveFileUrl(
  device: ThetaDevice,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  url: string,
): Promise<void> {
  req.resume();
  const parts = pathname.split('/');
  let file: ThetaFile;
  try {
    if (parts.length !== 5 || parts[2] !== device.storageId) throw new Error('not a file of this storage');
    file = device.findFile(`${decodeURIComponent(parts[3]!)}/${decodeURIComponent(parts[4]!)}`);
  } catch {
    // Traversal attempts and unknown names look the same from outside: not found.
    throw new HttpProblem(404, 'notFound', `no file ${pathname}`);
  }
  const thumb = new URLSearchParams(url.split('?')[1] ?? '').get('type') === 'thumb';
  await sendFile(device, req, res, file, thumb, undefined, true);
}

/** A file (or its thumbnail, or a copy at most `maxSize` wide) as the reply body. */
export async function sendFile(
  device: ThetaDevice,
  req: IncomingMessage,
  res: ServerResponse,
  file: ThetaFile,
  thumb: boolean,
  maxSize: number | undefined,
  ranges: boolean,
): Promise<void> {
  const type = thumb || file.kind === 'image' ? 'image/jpeg' : 'video/mp4';
  if (thumb || (maxSize !== undefined && maxSize < file.width)) {
    const data = thumb
      ? await device.thumbnail(file)
      : await sharp(await device.filePath(file))
          .resize(maxSize, undefined, { fit: 'inside' })
          .jpeg({ quality: 85 })
          .toBuffer();
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': data.length });
    res.end(req.method === 'HEAD' ? undefined : data);
    return;
  }
  const cached = canSendFileToSocket(await responseSocket(res)) ? undefined : await device.fileBytes(file);
  let handle: FileToSend | undefined;
  let size: number;
  let mtime: Date;
  if (cached) {
    size = cached.length;
    mtime = new Date(file.timeMs);
  } else {
    handle = openFileToSend(await device.filePath(file));
    size = handle.stats.size;
    mtime = handle.stats.mtime;
  }
  try {
    await sendBody(req, res, type, size, mtime, cached ?? handle!, ranges);
  } finally {
    handle?.close();
  }
}

/** Headers, Range and the body of a file download, from memory or from an open file. */
export async function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  type: string,
  size: number,
  mtime: Date,
  body: Buffer | ReadableFile,
  ranges: boolean,
): Promise<void> {
  const headers: Record<string, string | number> = { 'Content-Type': type, 'Last-Modified': mtime.toUTCString() };
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (ranges) {
    headers['Accept-Ranges'] = 'bytes';
    const range = req.headers.range;
    if (range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      if (!m || (m[1] === '' && m[2] === '')) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` });
        res.end();
        return;
      }
      if (m[1] === '') {
        start = Math.max(0, size - Number(m[2]));
      } else {
        start = Number(m[1]);
        if (m[2] !== '') end = Math.min(end, Number(m[2]));
      }
      if (start >= size || start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` });
        res.end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
  }
  headers['Content-Length'] = end - start + 1;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  if (Buffer.isBuffer(body)) {
    res.end(body.subarray(start, end + 1));
    return;
  }
  try {
    await sendFileBody(res, body, start, end);
  } catch (err) {
    log('download aborted: %s', err instanceof Error ? err.message : err);
    res.destroy();
  }
}

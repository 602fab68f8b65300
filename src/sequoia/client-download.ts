/**
 * Streaming downloads from `/download/...`: to a file (with Range resume) or into any writable
 * stream, with progress and a size check. Nothing is held in memory beyond a socket's chunk.
 */
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SequoiaError } from './client-errors.js';
import type { HttpReply } from '../util/http-client.js';

/** Progress of a {@link SequoiaClient.download}. */
export interface DownloadProgress {
  /** Bytes at the destination, resumed prefix included. */
  bytes: number;
  total?: number;
  resumedFrom: number;
}

/** Options of {@link SequoiaClient.download}. */
export interface SequoiaDownloadOptions {
  signal?: AbortSignal;
  /** For file destinations: continue from the file's current size with a Range request. */
  resume?: boolean;
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Size expected from a listing; a different final size is `SIZE_MISMATCH`. */
  expectedSize?: number;
}

/** What {@link SequoiaClient.download} wrote. */
export interface SequoiaDownloadResult {
  size: number;
  transferred: number;
  resumedFrom: number;
  contentType: string | undefined;
}

/** Least bytes between two progress calls, so a fast link does not flood a progress bar. */
const PROGRESS_STEP = 64 * 1024;

// Content-Range: "bytes START-END/TOTAL", or "bytes */TOTAL" on a 416.
export function parseContentRange(
  value: string | undefined,
): { start?: number; end?: number; total?: number } | undefined {
  if (!value) return undefined;
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return undefined;
  const out: { start?: number; end?: number; total?: number } = {};
  if (m[1] !== undefined) out.start = Number(m[1]);
  if (m[2] !== undefined) out.end = Number(m[2]);
  if (m[3] !== undefined && m[3] !== '*') out.total = Number(m[3]);
  return out;
}

/**
 * Opens the download. `offset` > 0 asks for a Range; the reply tells where the body really starts
 * (a server may ignore Range and send everything with 200).
 */
export type OpenDownload = (offset: number) => Promise<HttpReply>;

/** Streams a reply into `sink`, counting, reporting progress and checking the final size. */
async function streamInto(
  reply: HttpReply,
  sink: Writable,
  start: number,
  total: number | undefined,
  path: string,
  options: SequoiaDownloadOptions,
  end = true,
): Promise<number> {
  let transferred = 0;
  let lastReport = 0;
  const report = (): void => {
    const p: DownloadProgress = { bytes: start + transferred, resumedFrom: start };
    if (total !== undefined) p.total = total;
    options.onProgress?.(p);
  };
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      transferred += chunk.length;
      if (options.onProgress && transferred - lastReport >= PROGRESS_STEP) {
        lastReport = transferred;
        report();
      }
      cb(null, chunk);
    },
  });
  try {
    await pipeline(reply.body, counter, sink, options.signal ? { signal: options.signal, end } : { end });
  } catch (err) {
    throw mapStreamError(err, path, options.signal);
  }
  report();
  return transferred;
}

export function mapStreamError(err: unknown, path: string, signal?: AbortSignal): Error {
  if (err instanceof SequoiaError) return err;
  if (signal?.aborted)
    return new SequoiaError('ERR_CAMCTL_SEQUOIA_ABORTED', `download of ${path} aborted`, { cause: err, path });
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error).message === 'aborted') {
    return new SequoiaError('ERR_CAMCTL_SEQUOIA_CONNECTION_LOST', `connection lost while downloading ${path}`, {
      cause: err,
      path,
      phase: 'body',
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}

function checkStatus(reply: HttpReply, path: string): void {
  if (reply.status === 200 || reply.status === 206) return;
  reply.body.resume();
  const code = reply.status === 404 ? 'ERR_CAMCTL_SEQUOIA_NOT_FOUND' : 'ERR_CAMCTL_SEQUOIA_HTTP_STATUS';
  throw new SequoiaError(code, `download of ${path} failed: HTTP ${reply.status}`, { httpStatus: reply.status, path });
}

function declaredLength(reply: HttpReply): number | undefined {
  const n = Number(reply.headers['content-length']);
  return reply.headers['content-length'] !== undefined && Number.isFinite(n) ? n : undefined;
}

/** Download into a file; with `resume`, an existing prefix is kept and the rest fetched by Range. */
export async function downloadToFile(
  open: OpenDownload,
  path: string,
  file: string,
  options: SequoiaDownloadOptions,
): Promise<SequoiaDownloadResult> {
  let have = 0;
  if (options.resume) {
    have = await fs.stat(file).then(
      (s) => s.size,
      () => 0,
    );
  }
  if (options.expectedSize !== undefined && have > options.expectedSize) have = 0; // not a prefix of this file
  let reply = await open(have);
  if (have > 0 && reply.status === 416) {
    // Nothing left to send: complete if the camera's size is what we have, else start over.
    reply.body.resume();
    const total = parseContentRange(header(reply, 'content-range'))?.total;
    if (total === have && (options.expectedSize === undefined || options.expectedSize === have)) {
      options.onProgress?.({ bytes: have, total: have, resumedFrom: have });
      return { size: have, transferred: 0, resumedFrom: have, contentType: header(reply, 'content-type') };
    }
    have = 0;
    reply = await open(0);
  }
  checkStatus(reply, path);
  let start = 0;
  let total = declaredLength(reply);
  if (reply.status === 206) {
    const range = parseContentRange(header(reply, 'content-range'));
    if (range?.start !== have) {
      reply.body.destroy();
      throw new SequoiaError(
        'ERR_CAMCTL_SEQUOIA_BAD_REPLY',
        `download of ${path}: asked from byte ${have}, got ${header(reply, 'content-range')}`,
        { path },
      );
    }
    start = have;
    total = range.total;
  }
  // 200 to a Range request: the camera sends everything again, so the file starts over.
  const sink = createWriteStream(file, { flags: start > 0 ? 'a' : 'w' });
  const transferred = await streamInto(reply, sink, start, total, path, options);
  const size = start + transferred;
  checkSize(size, total, options.expectedSize, path);
  return { size, transferred, resumedFrom: start, contentType: header(reply, 'content-type') };
}

/** Download into a stream the caller owns (not ended here). */
export async function downloadToStream(
  open: OpenDownload,
  path: string,
  sink: NodeJS.WritableStream,
  options: SequoiaDownloadOptions,
): Promise<SequoiaDownloadResult> {
  const reply = await open(0);
  checkStatus(reply, path);
  const total = declaredLength(reply);
  // The caller's stream stays open (end: false): it may collect several downloads.
  const transferred = await streamInto(reply, sink as Writable, 0, total, path, options, false);
  checkSize(transferred, total, options.expectedSize, path);
  return { size: transferred, transferred, resumedFrom: 0, contentType: header(reply, 'content-type') };
}

function checkSize(size: number, total: number | undefined, expected: number | undefined, path: string): void {
  if (total !== undefined && size !== total) {
    throw new SequoiaError(
      'ERR_CAMCTL_SEQUOIA_SIZE_MISMATCH',
      `download of ${path} ended at ${size} of ${total} bytes`,
      { path },
    );
  }
  if (expected !== undefined && size !== expected) {
    throw new SequoiaError(
      'ERR_CAMCTL_SEQUOIA_SIZE_MISMATCH',
      `download of ${path} is ${size} bytes, the listing said ${expected}`,
      { path },
    );
  }
}

function header(reply: HttpReply, name: string): string | undefined {
  const v = reply.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

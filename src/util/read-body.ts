/**
 * The one bounded request-body reader of every server we run (the emulated Sequoia and THETA, the
 * dashboard). A body over the limit is refused as soon as its size is known: at the headers when
 * Content-Length says so (nothing of the body is read), or at the chunk that crosses the limit of
 * a chunked body. The caller answers 413 in its protocol's own shape and closes the connection
 * ({@link refuseConnectionReuse}): the rest of the body is never read, so the connection cannot
 * carry another request.
 *
 * @example
 * try {
 *   const body = await readBody(req, 64 * 1024);
 * } catch (err) {
 *   if (err instanceof BodyTooLargeError) { refuseConnectionReuse(res); res.writeHead(413) … }
 * }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CamctlError } from './errors.js';

export class BodyTooLargeError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_BODY_TOO_LARGE';
  constructor(
    readonly limit: number,
    /** The Content-Length the client announced, when it announced one. */
    readonly declared?: number,
  ) {
    super('ERR_CAMCTL_BODY_TOO_LARGE', `request body larger than ${limit} bytes`);
  }
}

/** The client went away (or the connection broke) before its body was complete. */
export class BodyIncompleteError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_BODY_INCOMPLETE';
  constructor(options?: { cause?: unknown }) {
    super(
      'ERR_CAMCTL_BODY_INCOMPLETE',
      'the client closed the connection before the request body was complete',
      options,
    );
  }
}

/** The announced body length, or undefined for none (chunked, or no body). */
function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  // node:http has already refused a malformed or repeated Content-Length with 400.
  const n = Number(header);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Reads `req`'s body, at most `limit` bytes. Rejects with {@link BodyTooLargeError} before reading
 * when Content-Length is over the limit and as soon as a chunked body passes it (reading then
 * stops), with {@link BodyIncompleteError} when the client leaves mid-body.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) return Promise.reject(new BodyTooLargeError(limit, declared));
  if (req.complete && req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop reading: the rest is not wanted, and the connection is closed after the 413.
        req.pause();
        reject(new BodyTooLargeError(limit, declared));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new BodyIncompleteError({ cause: err }));
    };
    const onClose = (): void => {
      cleanup();
      reject(new BodyIncompleteError());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Marks a reply as the last on its connection (`Connection: close`; node:http then closes the
 * socket once the reply is sent). For replies sent before the request body was read in full.
 */
export function refuseConnectionReuse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

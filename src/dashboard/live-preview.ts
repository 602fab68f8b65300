/**
 * The camera's live view passed to the browser as `multipart/x-mixed-replace` (MJPEG), which an
 * `<img>` shows natively. Frames come from `camera.livePreview()` (THETA `getLivePreview`); the
 * dashboard re-frames them, so the browser never talks to the camera. A slow browser does not
 * queue frames: a frame is skipped while the previous one is still being written, which keeps the
 * picture live rather than ever later.
 */
import type * as http from 'node:http';
import type { Camera } from '../camera/types.js';
import { CameraError } from '../camera/errors.js';

const BOUNDARY = 'camctlframe';

export async function streamLivePreview(
  camera: Camera,
  res: http.ServerResponse,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  if (typeof camera.livePreview !== 'function') {
    throw new CameraError('UNSUPPORTED', `${camera.address} has no live preview`);
  }
  const frames = camera.livePreview({ signal })[Symbol.asyncIterator]();
  // Wait for the first frame before answering, so a camera that refuses shows as an error reply.
  const first = await frames.next();
  res.writeHead(200, {
    ...headers,
    'Content-Type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  let busy = false;
  const write = (frame: Uint8Array): void => {
    if (busy) return;
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.byteLength}\r\n\r\n`,
    );
    res.write(head);
    busy = !res.write(frame);
    res.write('\r\n');
    if (busy) res.once('drain', () => (busy = false));
  };
  try {
    if (!first.done) write(first.value);
    for (;;) {
      if (signal.aborted || res.destroyed) break;
      const next = await frames.next();
      if (next.done) break;
      write(next.value);
    }
  } finally {
    await frames.return?.().catch(() => undefined);
    res.end();
  }
}

/**
 * The live-preview stream of the OSC face (`camera._getLivePreview` / `camera.getLivePreview`):
 * the device's frames as `multipart/x-mixed-replace` with the S's boundary (docs/osc.md "Live
 * preview"), at most `max` streams at once (503 serviceUnavailable beyond), and backpressure — a
 * slow client gets fewer frames, not a growing buffer.
 */
import type { ServerResponse } from 'node:http';
import type { ThetaDevice } from '../../devices/theta/device.js';
import { LIVE_PREVIEW_BOUNDARY } from '../../osc/types.js';
import type { OscErrorCode } from '../../osc/types.js';
import { toOscError } from './osc-errors.js';

/** Answers a command with an OSC error (or drops the connection once headers went). */
export type SendOscError = (res: ServerResponse, name: string, code: OscErrorCode, message: string) => void;

export class OscLivePreviews {
  private streams = 0;

  constructor(
    private readonly device: ThetaDevice,
    private readonly max: number,
    private readonly sendError: SendOscError,
    /** Aborted when the camera drops its connections (sleep, power-off, close). */
    private readonly aborts: Set<AbortController>,
  ) {}

  /** Streams frames until the client goes, the camera stops the preview, or it sleeps. */
  async serve(res: ServerResponse, name: string): Promise<void> {
    if (this.streams >= this.max) {
      this.sendError(res, name, 'serviceUnavailable', `at most ${this.max} live previews at once`);
      return;
    }
    this.streams++;
    const ac = new AbortController();
    this.aborts.add(ac);
    const onClose = () => ac.abort();
    res.on('close', onClose);
    try {
      const frames = this.device.livePreview(ac.signal);
      let first = true;
      for await (const jpeg of frames) {
        if (first) {
          res.writeHead(200, {
            'Content-Type': `multipart/x-mixed-replace; boundary="${LIVE_PREVIEW_BOUNDARY}"`,
            'Cache-Control': 'no-cache',
          });
          first = false;
        }
        const head = `${LIVE_PREVIEW_BOUNDARY}\r\nContent-type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`;
        const ok = res.write(head) && res.write(jpeg) && res.write('\r\n');
        if (!ok && !ac.signal.aborted) {
          await new Promise<void>((r) => {
            const done = () => {
              res.off('drain', done);
              ac.signal.removeEventListener('abort', done);
              r();
            };
            res.on('drain', done);
            ac.signal.addEventListener('abort', done);
          });
        }
        if (ac.signal.aborted) break;
      }
      if (first) this.sendError(res, name, 'disabledCommand', 'live preview ended');
      else res.end();
    } catch (err) {
      const osc = toOscError(err);
      if (osc) this.sendError(res, name, osc.oscCode, osc.message);
      else throw err;
    } finally {
      this.streams--;
      this.aborts.delete(ac);
      res.off('close', onClose);
    }
  }
}

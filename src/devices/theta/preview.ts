/**
 * The live preview: 640×320 JPEG frames at previewFormat's rate (the S's only preview format),
 * for as long as the viewer wants them and the camera is idle. Shooting, a change of capture mode,
 * sleep or a restart ends every preview stream (each ends where the camera stops them all).
 */
import type { Clock } from '../../util/clock.js';
import { thetaPreviewFrame } from '../images/theta.js';
import type { ThetaBattery } from './battery.js';
import { PREVIEW_FORMAT } from './options.js';

export class ThetaPreview {
  /** Bumped to end every stream running now. */
  private generation = 0;
  private streams = 0;

  constructor(
    private readonly clock: Clock,
    private readonly battery: ThetaBattery,
    /** Whether a capture runs (the battery load stays up when the last stream ends). */
    private readonly capturing: () => boolean,
    private readonly onStop: () => void,
  ) {}

  /** Ends every stream running now. */
  stop(): void {
    this.generation++;
    this.onStop();
  }

  /** Frames until the signal aborts, {@link stop} is called or `closed()` turns true. */
  async *frames(signal: AbortSignal | undefined, closed: () => boolean): AsyncGenerator<Buffer> {
    const generation = this.generation;
    const period = 1000 / PREVIEW_FORMAT.framerate;
    this.streams++;
    if (this.streams === 1) this.battery.setLoad(2);
    try {
      for (let frame = 0; !signal?.aborted && generation === this.generation && !closed(); frame++) {
        yield await thetaPreviewFrame(PREVIEW_FORMAT.width, PREVIEW_FORMAT.height, frame);
        try {
          await this.clock.sleep(period, signal);
        } catch {
          return;
        }
      }
    } finally {
      this.streams--;
      if (this.streams === 0 && !this.capturing()) this.battery.setLoad(1);
    }
  }
}

/**
 * A video clip being recorded, written as the camera writes it: frames go into a hidden part file
 * while the recording runs (in step with the camera's clock), and stopping only appends the last
 * frames and the MP4 index, then renames the file into place. So stopCapture answers quickly
 * however long the clip, and a clip is never visible — listed, downloadable — before it is whole.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Medium, PartFile } from '../storage.js';
import { THETA_VIDEO_LOOP_FRAMES, thetaVideoFrames } from '../images/theta.js';
import type { ThetaVideoFrames } from '../images/theta.js';
import { mp4RecordingEnd, mp4RecordingHead, MP4_SAMPLES_OFFSET } from '../images/theta-mp4.js';
import type { VideoFormat } from './options.js';

/** How often (camera time) the frames due so far are written. */
const WRITE_EVERY_MS = 500;
/** Frames handed to one write call (≈ 3.5 MB at 1080p). */
const FRAMES_PER_WRITE = 30;

/** The S records 1080p at 29.97 fps and 720p at 15 fps: [timescale, frame duration]. */
export function videoTiming(fmt: VideoFormat): [timescale: number, frameDuration: number] {
  return fmt.width === 1920 ? [30000, 1001] : [15000, 1000];
}

/** A finished clip, complete on disk under its hidden name until `part.commit`. */
export interface RecordedClip {
  part: PartFile;
  frameCount: number;
  /** The clip's thumbnail (640×320 JPEG). */
  thumbnail: Buffer;
}

export class VideoRecording {
  private readonly timescale: number;
  private readonly frameDuration: number;
  private readonly frames: Promise<ThetaVideoFrames>;
  private readonly file: Promise<{ part: PartFile; fh: FileHandle }>;
  private readonly timer: TimerHandle;
  private readonly sizes: number[] = [];
  /** Bytes of the frames written so far. */
  private sampleBytes = 0;
  /** The writes so far, in order; a failure is kept for stop to report. */
  private writing: Promise<void>;
  private failure: unknown;
  private ended = false;

  /** Starts recording `fmt` into a part file in `folder` of `medium`, from camera time `startedAt`. */
  constructor(
    private readonly clock: Clock,
    medium: Medium,
    folder: string,
    /** The format recorded (the option may not change while recording, but this is what the frames are). */
    readonly fmt: VideoFormat,
    private readonly startedAt: number,
  ) {
    [this.timescale, this.frameDuration] = videoTiming(fmt);
    this.frames = thetaVideoFrames(fmt.width, fmt.height);
    // Encode the frame loop now, while the first seconds record, rather than when they are due.
    void this.frames
      .then((f) => Promise.all(Array.from({ length: THETA_VIDEO_LOOP_FRAMES }, (_, i) => f.frame(i))))
      .catch(() => undefined);
    this.file = (async () => {
      const part = await medium.createPartFile(folder, 'recording.MP4');
      try {
        const fh = await open(part.path, 'r+');
        await fh.write(mp4RecordingHead(), 0);
        return { part, fh };
      } catch (err) {
        await part.discard();
        throw err;
      }
    })();
    this.writing = this.file.then(
      () => undefined,
      (err: unknown) => void (this.failure ??= err),
    );
    this.timer = clock.setInterval(() => this.catchUp(this.framesAt(this.clock.now())), WRITE_EVERY_MS);
  }

  /** Frames recorded by camera time `now` (whole frames only). */
  private framesAt(now: number): number {
    return Math.floor(((now - this.startedAt) / 1000) * (this.timescale / this.frameDuration));
  }

  /** Queues writing the frames up to `target` behind the writes already queued. */
  private catchUp(target: number): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.writeUpTo(target);
      } catch (err) {
        this.failure ??= err;
      }
    });
    return this.writing;
  }

  private async writeUpTo(target: number): Promise<void> {
    const { fh } = await this.file;
    const frames = await this.frames;
    while (this.sizes.length < target) {
      const from = this.sizes.length;
      const batch = await Promise.all(
        Array.from({ length: Math.min(FRAMES_PER_WRITE, target - from) }, (_, i) => frames.frame(from + i)),
      );
      await fh.writev(batch, MP4_SAMPLES_OFFSET + this.sampleBytes);
      for (const b of batch) {
        this.sizes.push(b.length);
        this.sampleBytes += b.length;
      }
    }
  }

  /**
   * Ends the clip at `seconds` long: writes the frames still due and the index, and closes the
   * file. `creationTime` is seconds since 1904 for the MP4's boxes. The part file is the caller's
   * to commit (or discard); on failure it is already discarded.
   */
  async stop(seconds: number, creationTime: number): Promise<RecordedClip> {
    this.end();
    const frameCount = Math.max(1, Math.round((seconds * this.timescale) / this.frameDuration));
    await this.catchUp(frameCount);
    let file: { part: PartFile; fh: FileHandle } | undefined;
    try {
      if (this.failure !== undefined) throw this.failure;
      file = await this.file;
      const end = mp4RecordingEnd(
        {
          width: this.fmt.width,
          height: this.fmt.height,
          timescale: this.timescale,
          frameDuration: this.frameDuration,
          creationTime,
        },
        this.sizes,
      );
      await file.fh.write(end.moov, 0, end.moov.length, MP4_SAMPLES_OFFSET + this.sampleBytes);
      await file.fh.write(end.header, 0, end.header.length, end.headerOffset);
      await file.fh.close();
      const thumbnail = await (await this.frames).thumbnail();
      return { part: file.part, frameCount, thumbnail };
    } catch (err) {
      await this.discard();
      throw err;
    }
  }

  /** Abandons the clip: stops writing and removes the part file. */
  async discard(): Promise<void> {
    this.end();
    await this.writing;
    const file = await this.file.catch(() => undefined);
    if (!file) return;
    await file.fh.close().catch(() => undefined);
    await file.part.discard();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.clock.clearTimer(this.timer);
  }
}

/**
 * The THETA's capture pipeline: one shot (takePicture), the self-timer before it, and the runs of
 * startCapture — interval shooting, interval composite, multi bracket in image mode, a video
 * recording in video mode. It holds the capture status the camera reports and the run in progress.
 *
 * - takePicture stays in progress while the S shoots and stitches (≈4 s at 5376×2688, ≈2 s at
 *   2048×1024), after an optional self-timer (`exposureDelay`) that stopSelfTimer cancels.
 * - An interval run shoots every `captureInterval` seconds, `captureNumber` times (0: until
 *   stopped); a composite run saves every `_compositeShootingOutputInterval` and at its end; a
 *   bracket run shoots once per `_autoBracket` exposure; a video stops at the S's 25 minutes.
 */
import { debuglog } from 'node:util';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { ShotSettings } from '../images/theta.js';
import type { ThetaBattery } from './battery.js';
import type { ThetaFile } from './catalog.js';
import { ThetaDeviceError } from './errors.js';
import { newJob } from './jobs.js';
import type { ThetaJob } from './jobs.js';
import { storageRefusal } from './media.js';
import type { ThetaMedia } from './media.js';
import type { ThetaPreview } from './preview.js';
import type { ThetaSettings } from './settings.js';
import type { VideoRecording } from './video-recording.js';

const log = debuglog('camctl:theta');

export type CaptureStatus = 'idle' | 'shooting' | 'self-timer countdown' | 'bracket shooting';

/** What startCapture runs in image mode. */
export type CaptureMode = 'interval' | 'composite' | 'bracket';

/** A capture started by startCapture. */
export interface CaptureRun {
  kind: CaptureMode | 'video';
  /** Ends by itself (shot count, composite time, bracket). */
  limited: boolean;
  /** The files, when the run ends ([] if it never started). */
  finished: Promise<string[]>;
  /** With the self-timer on: settles when the countdown ends — undefined, or the refusal that ended it. */
  countdown?: Promise<ThetaDeviceError | undefined>;
}

interface RunningCapture {
  kind: CaptureMode | 'video';
  startedAt: number;
  files: string[];
  pending: Set<Promise<unknown>>;
  timer?: TimerHandle;
  /** Ends a run of fixed length (interval composite: `_compositeShootingTime`). */
  endTimer?: TimerHandle;
  shots: number;
  groupId: string;
  /** Resolves with the files when the run ends (by itself or by stopCapture). */
  ended: (files: string[]) => void;
  /** The clip being written, in video mode. */
  recording?: VideoRecording;
  /** Set once stopCapture began ending the run. */
  stopping?: Promise<string[]>;
}

/** What the pipeline needs from the rest of the camera. */
export interface CaptureDeps {
  clock: Clock;
  settings: ThetaSettings;
  media: ThetaMedia;
  battery: ThetaBattery;
  preview: ThetaPreview;
  serialNumber: string;
  /** Milliseconds the S needs to shoot and stitch a full-size picture. */
  shotProcessingMs: number;
  /** The picture settings now (exposure, size, GPS), `ev` overriding exposure compensation. */
  shotSettings(ev?: number): ShotSettings;
  /** Throws `asleep` / `off` unless the camera is on. */
  assertPowered(): void;
  /** Something the camera reports changed. */
  changed(): void;
}

export class ThetaCapture {
  private captureStatus: CaptureStatus = 'idle';
  private capture: RunningCapture | undefined;
  private selfTimer: { timer: TimerHandle; cancel: () => void } | undefined;

  constructor(private readonly d: CaptureDeps) {}

  get status(): CaptureStatus {
    return this.captureStatus;
  }

  /** The run in progress: what it is and when it started (device ms). */
  get running(): { kind: CaptureRun['kind']; startedAt: number } | undefined {
    return this.capture && { kind: this.capture.kind, startedAt: this.capture.startedAt };
  }

  /** Whether a capture (interval, composite, bracket, video) is running. */
  get capturing(): boolean {
    return this.capture !== undefined;
  }

  /** Shooting, recording, an interval run or a self-timer countdown: time that is not idle. */
  get busy(): boolean {
    return this.capture !== undefined || this.captureStatus !== 'idle' || this.selfTimer !== undefined;
  }

  /** Whether a self-timer counts down (stopCapture cancels it too). */
  get counting(): boolean {
    return this.selfTimer !== undefined;
  }

  private get options() {
    return this.d.settings.values;
  }

  private remainingPictures(): number {
    return this.d.media.remainingPictures(this.options.imageFormat.width);
  }

  private refuseBusy(): void {
    if (this.captureStatus !== 'idle') throw new ThetaDeviceError('busy', `the camera is busy (${this.captureStatus})`);
  }

  /** takePicture: starts the self-timer or the shot; the job ends with the file. */
  takePicture(): ThetaJob {
    this.d.assertPowered();
    if (this.options.captureMode !== 'image') throw new ThetaDeviceError('busy', 'takePicture needs captureMode image');
    this.refuseBusy();
    if (this.remainingPictures() < 1) throw new ThetaDeviceError('storage-full', 'the storage is full');
    const { job, finish, fail, setProgress } = newJob(this.d.clock, 'picture');
    const settings = this.d.shotSettings();
    const fire = () => {
      this.selfTimer = undefined;
      this.captureStatus = 'shooting';
      this.d.preview.stop();
      this.d.changed();
      const processing = settings.width >= 5376 ? this.d.shotProcessingMs : Math.round(this.d.shotProcessingMs / 2);
      setProgress(this.d.clock.now(), processing);
      const written = this.shoot(settings);
      const stitched = this.d.clock.sleep(processing);
      Promise.all([written, stitched]).then(
        ([file]) => {
          this.captureStatus = 'idle';
          finish([file]);
          this.d.changed();
        },
        (err: unknown) => {
          this.captureStatus = 'idle';
          fail(storageRefusal(err));
          this.d.changed();
        },
      );
    };
    const delay = this.options.exposureDelay;
    if (delay > 0) {
      this.startSelfTimer(delay, fire, (canceled) => fail(canceled));
      this.d.changed();
    } else {
      fire();
    }
    return job;
  }

  /**
   * Counts `seconds` down ("self-timer countdown") then runs `fire`; stopSelfTimer (or a stop)
   * instead clears it, goes idle and hands `onCancel` the `canceled` refusal to end its job.
   */
  private startSelfTimer(seconds: number, fire: () => void, onCancel: (canceled: ThetaDeviceError) => void): void {
    this.captureStatus = 'self-timer countdown';
    const timer = this.d.clock.setTimeout(fire, seconds * 1000);
    this.selfTimer = {
      timer,
      cancel: () => {
        this.d.clock.clearTimer(timer);
        this.selfTimer = undefined;
        this.captureStatus = 'idle';
        onCancel(new ThetaDeviceError('canceled', 'shooting is canceled.'));
        this.d.changed();
      },
    };
  }

  /** Cancels a running self-timer (its shot ends `canceled`); false when none runs. */
  stopSelfTimer(): boolean {
    if (!this.selfTimer) return false;
    this.selfTimer.cancel();
    return true;
  }

  /**
   * startCapture: interval shooting (image mode) or a video recording (video mode). `mode` selects
   * interval, composite or bracket shooting in image mode.
   */
  startCapture(mode: CaptureMode = 'interval'): CaptureRun {
    this.d.assertPowered();
    this.refuseBusy();
    // In image mode the self-timer delays the start (camera.start_capture.md, _start_capture.md);
    // stopSelfTimer or stopCapture cancels it.
    const delay = this.options.captureMode === 'image' ? this.options.exposureDelay : 0;
    if (delay <= 0) return this.beginCapture(mode);
    if (this.remainingPictures() < 1) throw new ThetaDeviceError('storage-full', 'the storage is full');
    let endCountdown!: (e: ThetaDeviceError | undefined) => void;
    const countdown = new Promise<ThetaDeviceError | undefined>((r) => (endCountdown = r));
    let forward!: (files: string[]) => void;
    const finished = new Promise<string[]>((r) => (forward = r));
    const limited = mode !== 'interval' || this.options.captureNumber > 0;
    this.startSelfTimer(
      delay,
      () => {
        this.selfTimer = undefined;
        this.captureStatus = 'idle';
        try {
          void this.beginCapture(mode).finished.then(forward);
          endCountdown(undefined);
        } catch (err) {
          forward([]);
          endCountdown(storageRefusal(err));
          this.d.changed();
        }
      },
      (canceled) => {
        forward([]);
        endCountdown(canceled);
      },
    );
    this.d.changed();
    return { kind: mode, limited, finished, countdown };
  }

  private beginCapture(mode: CaptureMode): CaptureRun {
    let ended!: (files: string[]) => void;
    const finished = new Promise<string[]>((r) => (ended = r));
    const base: RunningCapture = {
      ended,
      kind: this.options.captureMode === 'video' ? 'video' : mode,
      startedAt: this.d.clock.now(),
      files: [],
      pending: new Set(),
      shots: 0,
      groupId: `${this.d.serialNumber}-${this.d.media.nextNumber}`,
    };
    if (base.kind === 'video') {
      const recordable = this.d.media.recordableSeconds(this.options.videoFormat.width);
      if (recordable < 1) throw new ThetaDeviceError('storage-full', 'the storage is full');
      this.capture = base;
      this.captureStatus = 'shooting';
      base.recording = this.d.media.startVideo(this.options.videoFormat, this.d.clock, base.startedAt);
      this.d.battery.setLoad(3);
      // The S stops a clip by itself at its maximum length.
      base.timer = this.d.clock.setTimeout(() => void this.stopCapture().catch(() => undefined), recordable * 1000);
      this.d.preview.stop();
      this.d.changed();
      return { kind: base.kind, limited: false, finished };
    }
    if (this.remainingPictures() < 1) throw new ThetaDeviceError('storage-full', 'the storage is full');
    this.d.preview.stop();
    this.capture = base;
    if (base.kind === 'bracket') return this.beginBracket(base, finished);
    this.captureStatus = 'shooting';
    if (base.kind === 'composite') return this.beginComposite(base, finished);
    const every = this.options.captureInterval * 1000;
    const limit = this.options.captureNumber;
    const shot = () => {
      if (this.capture !== base) return;
      base.shots++;
      const p = this.shoot(this.d.shotSettings(), { intervalCaptureGroupId: base.groupId }).then(
        (f) => void base.files.push(f),
      );
      this.track(base, p);
      if (limit > 0 && base.shots >= limit) {
        this.d.clock.clearTimer(base.timer);
        const fin = () => this.finishCapture(base);
        p.then(fin, fin);
      }
    };
    shot();
    if (!(limit > 0 && base.shots >= limit)) base.timer = this.d.clock.setInterval(shot, every);
    this.d.changed();
    return { kind: base.kind, limited: limit > 0, finished };
  }

  /** One shot per _autoBracket exposure, in manual: its ISO, shutter and colour temperature. */
  private beginBracket(base: RunningCapture, finished: Promise<string[]>): CaptureRun {
    this.captureStatus = 'bracket shooting';
    const shots = this.options.autoBracket.map((b) => ({
      ...this.d.shotSettings(0),
      exposureProgram: 1,
      iso: b.iso,
      shutterSpeed: b.shutterSpeed,
      whiteBalance: '_colorTemperature',
    }));
    const run = (async () => {
      for (const settings of shots) {
        base.files.push(await this.shoot(settings, { autoBracketGroupId: base.groupId }));
        await this.d.clock.sleep(1000);
      }
    })();
    this.track(
      base,
      run.then(() => this.finishCapture(base)),
    );
    this.d.changed();
    return { kind: base.kind, limited: true, finished };
  }

  /**
   * Interval composite shooting runs for _compositeShootingTime, saves the composite so far every
   * _compositeShootingOutputInterval (0: never) and the final one at the end.
   */
  private beginComposite(base: RunningCapture, finished: Promise<string[]>): CaptureRun {
    const group = { compositeShootingGroupId: base.groupId };
    const save = () => {
      if (this.capture !== base) return;
      this.track(
        base,
        this.shoot(this.d.shotSettings(), group).then((f) => void base.files.push(f)),
      );
    };
    const every = this.options.compositeShootingOutputInterval * 1000;
    const total = this.options.compositeShootingTime * 1000;
    // A save due with the end is the final composite, not another in-progress one.
    if (every > 0)
      base.timer = this.d.clock.setInterval(() => this.d.clock.now() - base.startedAt < total && save(), every);
    base.endTimer = this.d.clock.setTimeout(() => {
      this.d.clock.clearTimer(base.timer);
      save();
      this.finishCapture(base);
    }, total);
    this.d.changed();
    return { kind: base.kind, limited: true, finished };
  }

  /**
   * A job that follows a capture: through the self-timer countdown (failed if it is canceled), then
   * to the end of a run that ends by itself, with its files. An open-ended run is done, without
   * results, once it has started.
   */
  followCapture(run: CaptureRun): ThetaJob {
    const { job, finish, fail, setProgress } = newJob(this.d.clock, 'capture');
    const follow = () => {
      const c = this.capture;
      if (c) {
        const o = this.options;
        const duration =
          c.kind === 'composite'
            ? o.compositeShootingTime * 1000
            : c.kind === 'bracket'
              ? o.autoBracket.length * (1000 + this.d.shotProcessingMs)
              : Math.max(1, o.captureNumber) * o.captureInterval * 1000;
        setProgress(c.startedAt, duration);
      }
      if (run.limited) {
        void run.finished.then(finish);
      } else {
        job.resultless = true;
        finish([]);
      }
    };
    if (run.countdown) {
      void run.countdown.then((err) => (err ? fail(err) : follow()));
    } else {
      follow();
    }
    return job;
  }

  private track(c: RunningCapture, p: Promise<unknown>): void {
    const q = p.catch((err: unknown) => log('capture write failed: %s', err instanceof Error ? err.message : err));
    c.pending.add(q);
    void q.finally(() => c.pending.delete(q));
  }

  private finishCapture(c: RunningCapture): void {
    if (this.capture !== c) return;
    this.d.clock.clearTimer(c.timer);
    this.d.clock.clearTimer(c.endTimer);
    this.capture = undefined;
    this.captureStatus = 'idle';
    this.d.battery.setLoad(1);
    this.d.changed();
    // Writes still pending (a shot in flight) are awaited before the run reports its files.
    void Promise.all([...c.pending]).then(() => c.ended([...c.files]));
  }

  /** Ends the run (or cancels a self-timer countdown); returns the files it wrote. */
  async stopCapture(): Promise<string[]> {
    const c = this.capture;
    if (!c) {
      if (this.selfTimer) {
        this.selfTimer.cancel();
        return [];
      }
      throw new ThetaDeviceError('nothing-running', 'no capture is running');
    }
    // A second stop while the first still finishes (a clip's maximum length reached as the user
    // stops it) gets the same files, not a second clip.
    return (c.stopping ??= this.stopRun(c));
  }

  private async stopRun(c: RunningCapture): Promise<string[]> {
    this.d.clock.clearTimer(c.timer);
    if (c.recording) {
      const seconds = Math.max(1 / 30, (this.d.clock.now() - c.startedAt) / 1000);
      try {
        c.files.push(await this.d.media.finishVideo(c.recording, seconds, this.writeContext()));
      } catch (err) {
        this.finishCapture(c);
        throw storageRefusal(err);
      }
    } else if (c.kind === 'composite') {
      this.d.clock.clearTimer(c.endTimer);
      this.track(
        c,
        this.shoot(this.d.shotSettings(), { compositeShootingGroupId: c.groupId }).then((f) => void c.files.push(f)),
      );
    }
    await Promise.all([...c.pending]);
    this.finishCapture(c);
    return [...c.files];
  }

  private writeContext() {
    return { when: this.d.settings.cameraNow(), utcOffsetMinutes: this.options.utcOffsetMinutes };
  }

  /** Shoots and stores one picture; returns its camera path. */
  private async shoot(settings: ShotSettings, extra: Partial<ThetaFile> = {}): Promise<string> {
    const file = await this.d.media.writePicture(settings, this.writeContext(), extra);
    this.d.changed();
    return file;
  }

  /** Stops a self-timer's clock (the camera is closing). */
  close(): void {
    this.d.clock.clearTimer(this.selfTimer?.timer);
  }
}

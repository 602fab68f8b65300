/**
 * The Sequoia's capture pipeline: starting a session in the configured mode (single shot,
 * timelapse, GPS distance, automatic overlap, radiometric calibration with its countdown),
 * triggering captures on the clock or on the distance flown, writing each capture's files (never
 * two at once, never a truncated file), and stopping — by request, on a full, removed or failed
 * medium, or at close.
 */
import type { EventEmitter } from 'node:events';
import { debuglog } from 'node:util';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { renderSequoiaImage, renderSequoiaThumbnail } from '../images/sequoia.js';
import { StorageError, type Medium } from '../storage.js';
import type { Calibration } from './calibration.js';
import {
  captureFileName,
  estimateCaptureBytes,
  folderName,
  pictureRequests,
  thumbnailName,
  type CameraIdentity,
} from './capture-pictures.js';
import type { DeviceChange, SequoiaDeviceEvents } from './events.js';
import type { TrackPosition } from './flight-track.js';
import type { Instruments } from './instruments.js';
import type { MediaBay } from './media.js';
import type { CaptureActivity, CaptureStartOutcome, StopOutcome } from './outcomes.js';
import type { SettingsStore } from './settings-store.js';
import type { DeviceConfig, MediumName } from './types.js';

const log = debuglog('camctl:sequoia');

interface CaptureSession {
  medium: Medium;
  mediumName: MediumName;
  folder: string;
  mode: DeviceConfig['capture_mode'];
  config: DeviceConfig;
  index: number;
  timer?: TimerHandle | undefined;
  writing?: Promise<void> | undefined;
  pending: boolean;
  lastDistance?: number;
  stopped: boolean;
  release: () => void;
}

/** What the pipeline works with: the device's other parts and its voice. */
export interface CaptureContext {
  clock: Clock;
  identity: CameraIdentity;
  settings: SettingsStore;
  media: MediaBay;
  instruments: Instruments;
  calibration: Calibration;
  /** Countdown of a radiometric calibration capture. */
  radiometricCountdownMs: number;
  events: EventEmitter<SequoiaDeviceEvents>;
  announce(change: DeviceChange): void;
}

type Written = { medium: MediumName; folder: string; files: string[] };

export class CapturePipeline {
  private session?: CaptureSession | undefined;
  /** A start between its check and its session (the folder being opened). */
  private starting?: Promise<CaptureSession> | undefined;
  private stopWhenStarted = false;
  private radiometric?: { timer: TimerHandle; opening?: Promise<void> } | undefined;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly ctx: CaptureContext) {}

  /** What the camera is doing, capture-wise. */
  activity(): CaptureActivity {
    if (this.radiometric || this.session?.mode === 'radiometric') return { kind: 'radiometric' };
    if (this.session) {
      return {
        kind: this.session.mode === 'single' ? 'snapshot' : 'series',
        medium: this.session.mediumName,
        folder: this.session.folder,
      };
    }
    // Acknowledged-to-be, its folder still opening: already running, as far as anyone asking can tell.
    if (this.starting) return { kind: this.ctx.settings.config.capture_mode === 'single' ? 'snapshot' : 'series' };
    if (this.ctx.calibration.isRunning()) return { kind: 'calibrating' };
    return { kind: 'idle' };
  }

  /** A session runs, is being opened, or a radiometric countdown runs: no other capture may start. */
  get busy(): boolean {
    return this.session !== undefined || this.starting !== undefined || this.radiometric !== undefined;
  }

  /** Whether a capture is writing into this folder now. */
  isWriting(medium: Medium, folder: string): boolean {
    return this.session !== undefined && this.session.medium === medium && this.session.folder === folder;
  }

  /** Announces a medium full (once). */
  markFull(name: MediumName): void {
    if (this.ctx.media.markFull(name)) this.ctx.announce({ kind: 'medium-state', medium: name, state: 'full' });
  }

  private selectMedium(estimate: number): { medium: Medium; name: MediumName } | undefined {
    const { settings, media } = this.ctx;
    const cfg = settings.config;
    const order: MediumName[] = cfg.storage_selected === 'sd' ? ['sd', 'internal'] : ['internal', 'sd'];
    for (const name of cfg.auto_select === 'on' ? order : [cfg.storage_selected]) {
      const m = media.storage.media.get(name);
      if (m && media.isWritable(name) && m.freeBytes >= estimate) {
        if (settings.selectMedium(name)) this.ctx.announce({ kind: 'storage-selected', medium: name });
        return { medium: m, name };
      }
    }
    return undefined;
  }

  /** Why no medium can take a capture of `config`. */
  private refusal(config: DeviceConfig, markFull: boolean): CaptureStartOutcome & { ok: false } {
    const name = config.storage_selected;
    if (!this.ctx.media.isPresent(name)) return { ok: false, reason: 'no-medium' };
    const refused = this.ctx.media.conditionRefusal(name);
    if (refused) return { ok: false, reason: refused };
    if (markFull) this.markFull(name);
    return { ok: false, reason: 'full' };
  }

  /**
   * Starts a capture session in the configured mode.
   *
   * One atomic step whatever the face: the start is claimed (`starting`) before the first await,
   * so a second start arriving while the folder is being opened is answered busy, as one arriving
   * while the capture runs is — never given the same folder number.
   */
  async start(): Promise<CaptureStartOutcome> {
    if (this.busy) return { ok: false, reason: 'busy' };
    if (this.ctx.calibration.isRunning()) return { ok: false, reason: 'calibrating' };
    const config = { ...this.ctx.settings.config };
    const target = this.selectMedium(estimateCaptureBytes(config));
    if (!target) return this.refusal(config, true);
    if (config.capture_mode === 'radiometric') return this.startRadiometric(target.medium, target.name, config);
    const opening = this.openSession(target.medium, target.name, config);
    this.starting = opening;
    let session: CaptureSession;
    try {
      session = await opening;
    } catch (err) {
      log('opening a capture folder failed: %o', err);
      return { ok: false, reason: 'medium-fault' };
    } finally {
      this.starting = undefined;
    }
    this.ctx.announce({ kind: 'capture', running: true });
    const activity = this.activity();
    this.schedule(session);
    // A stop that came while the folder was opening applies now, after the first capture.
    if (this.stopWhenStarted) {
      this.stopWhenStarted = false;
      this.stop();
    }
    return { ok: true, activity, medium: session.mediumName, folder: session.folder };
  }

  /** A radiometric calibration capture whatever the configured mode. */
  async startRadiometricCalibration(): Promise<CaptureStartOutcome> {
    if (this.busy) return { ok: false, reason: 'busy' };
    const config = { ...this.ctx.settings.config, capture_mode: 'radiometric' as const };
    const target = this.selectMedium(estimateCaptureBytes(config));
    if (!target) return this.refusal(config, false);
    return this.startRadiometric(target.medium, target.name, config);
  }

  private startRadiometric(medium: Medium, name: MediumName, config: DeviceConfig): CaptureStartOutcome {
    // The UI counts down while the user holds the calibration target still under the camera;
    // the camera reads as running the radiometric calibration until the capture is written.
    this.ctx.announce({ kind: 'stay-still', still: true });
    this.ctx.announce({ kind: 'capture', running: true });
    const radiometric: { timer: TimerHandle; opening?: Promise<void> } = {
      timer: this.ctx.clock.setTimeout(() => {
        this.ctx.announce({ kind: 'stay-still', still: false });
        radiometric.opening = this.openSession(medium, name, config).then(
          (s) => {
            this.radiometric = undefined;
            this.trigger(s);
          },
          (err: unknown) => {
            log('radiometric capture failed: %o', err);
            this.radiometric = undefined;
            this.ctx.announce({ kind: 'capture', running: false });
          },
        );
      }, this.ctx.radiometricCountdownMs),
    };
    this.radiometric = radiometric;
    return { ok: true, activity: { kind: 'radiometric' }, medium: name };
  }

  /** Ends a continuous session after the capture being written, or cancels a radiometric countdown. */
  stop(): StopOutcome {
    // Once the countdown is over the capture is being taken; like a single shot, it completes.
    if (this.radiometric?.opening) return { ok: true };
    if (this.radiometric) {
      this.ctx.clock.clearTimer(this.radiometric.timer);
      this.radiometric = undefined;
      this.ctx.announce({ kind: 'stay-still', still: false });
      this.ctx.announce({ kind: 'capture', running: false });
      return { ok: true };
    }
    if (this.starting) {
      this.stopWhenStarted = true;
      return { ok: true };
    }
    const s = this.session;
    if (!s) return { ok: false, reason: 'not-running' };
    this.halt(s);
    if (!s.writing) this.endSession(s);
    return { ok: true };
  }

  /** Stops a session writing to a medium that went away or went bad. */
  stopOnMedium(name: MediumName, endNow: boolean): void {
    const s = this.session;
    if (s?.mediumName !== name) return;
    this.halt(s);
    if (endNow && !s.writing) this.endSession(s);
  }

  private halt(s: CaptureSession): void {
    s.stopped = true;
    this.ctx.clock.clearTimer(s.timer);
  }

  private endSession(s: CaptureSession): void {
    if (this.session !== s) return;
    this.ctx.clock.clearTimer(s.timer);
    s.release();
    this.session = undefined;
    this.ctx.announce({ kind: 'capture', running: false });
    this.idleWaiters.splice(0).forEach((r) => r());
  }

  /** Resolves when no capture is being written (tests step injected time, then wait for the files). */
  async whenIdle(): Promise<void> {
    const s = this.session;
    if (!s) return;
    if (s.writing) await s.writing.catch(() => undefined);
    // Let the finally-handler of the write run.
    await new Promise<void>((r) => setImmediate(r));
  }

  /** Resolves when the current session has ended. */
  async whenSessionEnds(): Promise<void> {
    if (this.radiometric?.opening) await this.radiometric.opening;
    if (this.starting) await this.starting.catch(() => undefined);
    if (!this.session) return;
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async openSession(medium: Medium, mediumName: MediumName, config: DeviceConfig): Promise<CaptureSession> {
    const folder = folderName(this.ctx.settings.takeFolderNumber(new Set(await medium.listFolders())));
    await medium.ensureFolder(folder);
    const session: CaptureSession = {
      medium,
      mediumName,
      folder,
      mode: config.capture_mode,
      config,
      index: 0,
      pending: false,
      stopped: false,
      release: medium.markBusy(folder),
    };
    this.session = session;
    log('capture session %s/%s (%s)', mediumName, folder, config.capture_mode);
    return session;
  }

  private schedule(s: CaptureSession): void {
    const trigger = () => this.trigger(s);
    const { clock, instruments } = this.ctx;
    switch (s.mode) {
      case 'single':
        trigger();
        break;
      case 'timelapse':
        trigger();
        s.timer = clock.setInterval(trigger, s.config.timelapse_param * 1000);
        break;
      case 'gps_position':
      case 'auto': {
        // Distance-triggered: poll the simulated position often enough for 1 capture/s at 12 m/s.
        const check = () => {
          if (!instruments.hasGpsFix()) return;
          const p = instruments.position();
          const spacing = s.mode === 'gps_position' ? s.config.gps_param : this.autoSpacing(s.config, p);
          if (s.lastDistance === undefined || p.distance - s.lastDistance >= spacing) {
            s.lastDistance = p.distance;
            trigger();
          }
        };
        check();
        s.timer = clock.setInterval(check, 200);
        break;
      }
      default:
        break;
    }
  }

  /**
   * Distance between `auto` captures: the mono camera's along-track ground footprint at the
   * current altitude (3.6 mm sensor height over a 3.98 mm lens), times (1 − overlap), and never
   * closer than one second of flight (the camera's maximum frame rate).
   */
  autoSpacing(config: DeviceConfig, p: TrackPosition): number {
    const footprint = (p.altitude - this.ctx.instruments.groundElevation) * (3.6 / 3.98);
    return Math.max(footprint * (1 - config.overlap_param / 100), p.speed * 1);
  }

  /** One capture of the session, now — or right after the one being written (never two at once). */
  private trigger(s: CaptureSession): void {
    if (s.stopped) return;
    if (s.writing) {
      s.pending = true;
      return;
    }
    s.writing = this.write(s)
      .catch((err: unknown) => {
        this.onCaptureError(s, err);
        return undefined;
      })
      .then((written) => {
        s.writing = undefined;
        if (s.mode === 'single' || s.mode === 'radiometric') {
          this.endSession(s);
        } else if (s.pending && !s.stopped) {
          s.pending = false;
          this.trigger(s);
        } else if (s.stopped) {
          this.endSession(s);
        }
        // Announced once the camera's own state is settled: after the last capture of a session
        // it already reads as idle, so every face's last word on the capture is the camera's
        // (a PTP initiator reads the status mask right after CaptureComplete).
        if (written) this.ctx.events.emit('capture-complete', written);
      });
  }

  private onCaptureError(s: CaptureSession, err: unknown): void {
    if (err instanceof StorageError && err.code === 'FULL') {
      this.markFull(s.mediumName);
    } else if (err instanceof StorageError && err.code === 'NOT_PRESENT') {
      log('medium %s vanished during capture', s.mediumName);
    } else {
      log('capture failed: %o', err);
    }
    this.halt(s);
  }

  /** Writes one capture's files; what was written, for `capture-complete`. */
  private async write(s: CaptureSession): Promise<Written> {
    const { clock, media, events } = this.ctx;
    media.assertWritable(s.mediumName);
    const estimate = estimateCaptureBytes(s.config);
    if (s.medium.freeBytes < estimate) throw new StorageError('FULL', `${s.mediumName} is full`);
    const now = clock.now();
    const index = s.index++;
    const requests = pictureRequests(
      this.ctx.instruments,
      this.ctx.identity,
      this.ctx.settings.exposure,
      s.config,
      now,
      index,
    );
    const rendered = requests.map(async ({ band, request }) => {
      const [image, thumb] = await Promise.all([renderSequoiaImage(request), renderSequoiaThumbnail(request)]);
      return { band, image, thumb };
    });
    const files: string[] = [];
    for (const r of rendered) {
      const { band, image, thumb } = await r;
      const name = captureFileName(now, index, band);
      if (s.stopped && (s.medium.present === false || media.condition(s.mediumName) !== 'ok')) break;
      const size = await s.medium.writeFile(s.folder, name, image, { mtimeMs: now });
      await s.medium.writeFile(s.folder, thumbnailName(name), thumb, { subdir: '.thumb', mtimeMs: now });
      files.push(name);
      events.emit('file-added', { medium: s.mediumName, folder: s.folder, name, size });
    }
    events.emit('storage-changed', { medium: s.mediumName });
    if (s.medium.freeBytes < estimate) {
      this.markFull(s.mediumName);
      this.halt(s);
    }
    return { medium: s.mediumName, folder: s.folder, files };
  }

  /** Stops timers and waits for the capture being written. */
  async close(): Promise<void> {
    if (this.radiometric) {
      this.ctx.clock.clearTimer(this.radiometric.timer);
      await this.radiometric.opening;
    }
    await this.starting?.catch(() => undefined);
    const s = this.session;
    if (s) {
      this.halt(s);
      await s.writing?.catch(() => undefined);
      s.release();
      this.session = undefined;
    }
  }
}

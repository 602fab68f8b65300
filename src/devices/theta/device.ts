/**
 * The emulated RICOH THETA S, composed of its parts — each in its own file:
 *
 * - settings.ts + options.ts: option values, their rules, My Settings, the camera's clock
 * - capture.ts (+ jobs.ts): takePicture, the self-timer, interval / composite / bracket runs, video
 * - media.ts: the medium, catalogue, counter, caches, and writing pictures and videos
 * - power.ts: on / asleep / off, sleepDelay and offDelay, and the Wi-Fi link's idle drop
 * - preview.ts: live-preview frames;  battery.ts: charge and load;  firmware.ts: what a level can do
 *
 * It speaks its own language: typed events ({@link ThetaDeviceEvents}) and refusals
 * ({@link ThetaDeviceError} with a reason), no protocol's names. Sessions, API levels, fingerprints
 * and error codes are the faces' (src/emulator/theta/: OSC, PTP).
 *
 * Time comes from the injected {@link Clock}, so tests drive an hour of interval shooting in
 * milliseconds.
 *
 * @example
 * const theta = await ThetaDevice.open({ dataDir: '/tmp/theta', clock: new RealClock() });
 * const job = theta.takePicture();
 * await job.finished; // job.files → ['100RICOH/R0010001.JPG']
 */
import { EventEmitter } from 'node:events';
import { debuglog } from 'node:util';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { RealClock } from '../../util/clock.js';
import { InvalidOptionError } from '../../util/errors.js';
import type { Medium, MediaStorage } from '../storage.js';
import { warmThetaPicture } from '../images/theta.js';
import type { ShotSettings } from '../images/theta.js';
import { ThetaBattery } from './battery.js';
import type { PowerSource } from './battery.js';
import type { ThetaCatalog, ThetaFile } from './catalog.js';
import { ThetaCapture } from './capture.js';
import type { CaptureMode, CaptureRun, CaptureStatus } from './capture.js';
import { ThetaDeviceError } from './errors.js';
import { firmwareLevel, hasFeature } from './firmware.js';
import type { SINCE } from './firmware.js';
import type { ThetaJob } from './jobs.js';
import { ThetaMedia } from './media.js';
import { ThetaPower } from './power.js';
import type { ThetaPowerState } from './power.js';
import { ThetaPreview } from './preview.js';
import { ThetaSettings } from './settings.js';

export type { CaptureMode, CaptureRun, CaptureStatus } from './capture.js';
export type { ThetaJob } from './jobs.js';
export type { ThetaPowerState } from './power.js';
export { LINK_IDLE_S } from './power.js';
export { THETA_MEDIUM } from './media.js';

const log = debuglog('camctl:theta');

export interface ThetaDeviceOptions {
  /** Directory holding the camera's storage and its counter. */
  dataDir: string;
  clock?: Clock;
  serialNumber?: string;
  firmwareVersion?: string;
  /** Storage capacity in bytes (the S has 8 GB, about 7.3 GB usable). */
  capacityBytes?: number;
  /** Initial battery charge 0…1. */
  battery?: number;
  power?: PowerSource;
  /** Milliseconds the S needs to shoot and stitch a full-size picture (default 4000). */
  shotProcessingMs?: number;
  /** Memory for recently used pictures (bytes, default 128 MiB; 0 turns the cache off). */
  fileCacheBytes?: number;
  /** Memory for thumbnails (bytes, default 96 MiB — about 13,000 thumbnails). */
  thumbCacheBytes?: number;
}

/** What the camera reports of itself (the OSC face shows it as `/osc/state`, PTP as properties). */
export interface ThetaStatus {
  batteryLevel: number;
  batteryState: 'charging' | 'charged' | 'disconnect';
  captureStatus: CaptureStatus;
  /** Seconds of the video recording now. */
  recordedTime: number;
  /** Seconds of video the free space holds, in video mode. */
  recordableTime: number;
  /** Camera path of the newest file ('' when none). */
  latestFile: string;
  /** A file was written or deleted since the last acknowledgeStorageChanged. */
  storageChanged: boolean;
  /** `NO_MEMORY`: "Insufficient free memory" (theta-web-api-v2.0/protocols/state.md _cameraError). */
  cameraError: string[];
  compositeShootingElapsedTime: number;
}

/** The camera's events, with their arguments. */
export interface ThetaDeviceEvents {
  /** Something in {@link ThetaStatus} changed (checked after each action and every second). */
  status: [];
  /** A new file is on the medium. */
  file: [ThetaFile];
  /** A setting changed (no part of the status; the PTP face announces DevicePropChanged). */
  settings: [];
  /** The power changed: asleep or off, faces drop their connections and stop answering. */
  power: [ThetaPowerState];
  /** The Wi-Fi link dropped (idle, sleep, power-off, restart, _finishWlan): its sessions are gone. */
  'link-dropped': [why: string];
  /** Every live preview ended (shooting, a capture-mode change, sleep, restart). */
  'preview-stop': [];
}

export class ThetaDevice extends EventEmitter<ThetaDeviceEvents> {
  readonly serialNumber: string;
  readonly firmwareVersion: string;
  /** Firmware level in hundredths (01.62 → 162): what this firmware can do (firmware.ts). */
  readonly firmware: number;
  /** Storage id of v2.1's `/files/<storageId>/` URLs. */
  readonly storageId: string;
  readonly clock: Clock;
  readonly battery: ThetaBattery;
  readonly bootedAt: number;
  readonly settings: ThetaSettings;
  readonly media: ThetaMedia;
  readonly powerControl: ThetaPower;
  readonly capture: ThetaCapture;
  readonly preview: ThetaPreview;

  private lastStatusKey = '';
  private tick: TimerHandle | undefined;
  private closed = false;

  private constructor(
    opts: ThetaDeviceOptions,
    clock: Clock,
    settings: ThetaSettings,
    media: ThetaMedia,
    link: { device?: ThetaDevice },
  ) {
    super();
    link.device = this;
    this.clock = clock;
    this.settings = settings;
    this.media = media;
    this.serialNumber = opts.serialNumber ?? '00301770';
    if (!/^\d{8}$/.test(this.serialNumber))
      throw new InvalidOptionError('serialNumber', `must be 8 digits, got ${JSON.stringify(this.serialNumber)}`);
    this.firmwareVersion = opts.firmwareVersion ?? '01.90';
    this.firmware = firmwareLevel(this.firmwareVersion);
    this.storageId = `744a605553442020${Buffer.from(this.serialNumber, 'latin1').toString('hex').slice(0, 16)}`;
    this.battery = new ThetaBattery(clock, opts.battery ?? 1, opts.power ?? 'battery');
    this.bootedAt = clock.now();
    this.preview = new ThetaPreview(
      clock,
      this.battery,
      () => this.capture.capturing,
      () => this.emit('preview-stop'),
    );
    this.powerControl = new ThetaPower(clock, {
      delays: () => this.settings.values,
      busy: () => this.capture.busy,
      changed: (state) => {
        if (state !== 'on') this.preview.stop();
        this.emit('power', state);
      },
      linkDropped: (why) => {
        log('%s: the Wi-Fi link is down', why);
        this.emit('link-dropped', why);
        this.notify();
      },
    });
    this.capture = new ThetaCapture({
      clock,
      settings,
      media,
      battery: this.battery,
      preview: this.preview,
      serialNumber: this.serialNumber,
      shotProcessingMs: opts.shotProcessingMs ?? 4000,
      shotSettings: (ev) => this.shotSettings(ev),
      assertPowered: () => this.assertPowered(),
      changed: () => this.notify(),
    });
    this.tick = clock.setInterval(() => this.notify(), 1000);
    this.lastStatusKey = this.statusKey();
    this.powerControl.activity();
  }

  /** Opens (creating if needed) the camera's storage under `dataDir`; it boots with My Settings. */
  static async open(opts: ThetaDeviceOptions): Promise<ThetaDevice> {
    const clock = opts.clock ?? new RealClock();
    // The parts are made before the device; they reach it (for its events) once it exists.
    const link: { device?: ThetaDevice } = {};
    const media = await ThetaMedia.open(opts.dataDir, opts.capacityBytes ?? 7_800_000_000, opts, (f) => {
      link.device?.emit('file', f);
      link.device?.notify();
    });
    const settings = await ThetaSettings.open(clock, media.storage.dir, () => {
      const o = settings.values;
      return {
        firmware: link.device?.firmware ?? firmwareLevel(opts.firmwareVersion ?? '01.90'),
        remainingPictures: media.remainingPictures(o.imageFormat.width),
        remainingSpace: media.medium.freeBytes,
        totalSpace: media.medium.capacityBytes,
        remainingVideoSeconds: media.remainingVideoSeconds(o.videoFormat.width),
        busy: (link.device?.capture.status ?? 'idle') !== 'idle',
      };
    });
    return new ThetaDevice(opts, clock, settings, media, link);
  }

  get storage(): MediaStorage {
    return this.media.storage;
  }
  get medium(): Medium {
    return this.media.medium;
  }
  get catalog(): ThetaCatalog {
    return this.media.catalog;
  }

  /** Whether this firmware has a feature (firmware.ts): older S firmware lacks v2.1, the self-timer… */
  has(feature: keyof typeof SINCE): boolean {
    return hasFeature(this.firmware, feature);
  }

  /** Seconds since power-on. */
  get uptime(): number {
    return Math.floor((this.clock.now() - this.bootedAt) / 1000);
  }

  // ---------------------------------------------------------------- power and link

  /** On, asleep or off (see {@link ThetaPowerState}). */
  get power(): ThetaPowerState {
    return this.powerControl.state;
  }

  /** Throws `asleep` or `off` unless the camera is on and has battery. */
  assertPowered(): void {
    if (this.power === 'asleep') throw new ThetaDeviceError('asleep', 'the camera is asleep');
    if (this.closed || this.battery.empty || this.power === 'off')
      throw new ThetaDeviceError('off', 'the camera is powering off');
  }

  /** A request arrived over Wi-Fi: the link stays up, the idle count starts again. */
  touch(): void {
    this.powerControl.linkUsed();
  }

  /** Something used the camera (a request on any face): the idle count starts again. */
  activity(): void {
    this.powerControl.activity();
  }

  /** A request is being answered: no idle time passes until the returned function is called. */
  inUse(): () => void {
    return this.powerControl.inUse();
  }

  /** camera._finishWlan: the Wi-Fi link ends now. */
  finishWlan(): void {
    this.powerControl.dropLink('_finishWlan');
  }

  /** The power button pressed briefly: an asleep camera wakes. */
  wake(): void {
    this.powerControl.wake();
  }

  /** Asleep now, as sleepDelay running out would (refused while it shoots). */
  sleep(): void {
    this.powerControl.sleep(this.capture.status);
  }

  /** The power button held, or PowerDown: a running capture is stopped and kept first, then off. */
  async switchOff(): Promise<void> {
    if (this.capture.capturing || this.capture.counting) await this.capture.stopCapture().catch(() => undefined);
    this.powerControl.switchOff();
  }

  /** The power button pressed on a camera that is off or asleep: it is on again. */
  switchOn(): void {
    if (this.closed) throw new ThetaDeviceError('off', 'the camera is closed');
    this.powerControl.switchOn();
  }

  // ---------------------------------------------------------------- status

  /** What the camera reports now. */
  snapshot(): ThetaStatus {
    const o = this.settings.values;
    const run = this.capture.running;
    const elapsed = run ? Math.floor((this.clock.now() - run.startedAt) / 1000) : 0;
    return {
      batteryLevel: this.battery.level,
      batteryState: this.battery.state,
      captureStatus: this.capture.status,
      recordedTime: run?.kind === 'video' ? elapsed : 0,
      recordableTime: o.captureMode === 'video' ? this.media.recordableSeconds(o.videoFormat.width) : 0,
      latestFile: this.media.latest,
      storageChanged: this.media.changed,
      cameraError: this.media.remainingPictures(o.imageFormat.width) < 1 ? ['NO_MEMORY'] : [],
      compositeShootingElapsedTime: run?.kind === 'composite' ? elapsed : 0,
    };
  }

  private statusKey(): string {
    return JSON.stringify(this.snapshot());
  }

  /** Checks the status now (as the one-second tick does): a change emits `status`. */
  refresh(): void {
    this.notify();
  }

  private notify(): void {
    if (this.closed) return;
    this.powerControl.followBusy();
    const key = this.statusKey();
    if (key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.emit('status');
  }

  /** The first read of state after a change clears `storageChanged`, as on the camera (no `status` event). */
  acknowledgeStorageChanged(): void {
    if (this.media.changed) {
      this.media.changed = false;
      this.lastStatusKey = this.statusKey();
    }
  }

  // ---------------------------------------------------------------- settings

  /** Epoch ms of the camera's own clock (`dateTimeZone` may have moved it). */
  cameraNow(): number {
    return this.settings.cameraNow();
  }

  get utcOffsetMinutes(): number {
    return this.settings.values.utcOffsetMinutes;
  }

  get captureMode(): 'image' | 'video' {
    return this.settings.values.captureMode;
  }

  /** Option values (or `…Support` values) by the camera's own names (options.ts). */
  getOptions(names: string[]): Record<string, unknown> {
    return this.settings.get(names);
  }

  /** Changes options, all or nothing; a changed capture mode ends the live preview. */
  setOptions(changes: Record<string, unknown>): void {
    this.assertPowered();
    const { modeChanged, delaysChanged } = this.settings.set(changes);
    // New delays count from now.
    if (delaysChanged) this.powerControl.activity();
    if (modeChanged) this.preview.stop();
    void warmThetaPicture(this.shotSettings()).catch(() => undefined);
    this.notify();
    this.emit('settings');
  }

  /** camera._getMySetting (S firmware 01.82 and later): still-image values of My Settings. */
  getMySettings(names: string[]): Record<string, unknown> {
    return this.settings.getMySettings(names);
  }

  /** camera._setMySetting: the still-image settings the camera starts with, kept across restarts. */
  async setMySettings(changes: Record<string, unknown>): Promise<void> {
    this.assertPowered();
    await this.settings.setMySettings(changes);
  }

  /**
   * Every setting back to its default, then the camera restarts (theta-client docs/tutorial.md:
   * "After reset, THETA is restarted"): the live preview and the Wi-Fi link end. Files stay.
   */
  reset(): void {
    if (this.capture.status !== 'idle') throw new ThetaDeviceError('busy', 'cannot reset while shooting');
    this.settings.reset();
    this.preview.stop();
    this.powerControl.dropLink('reset: restarting');
  }

  /** The picture settings now, `evOverride` replacing exposure compensation. */
  shotSettings(evOverride?: number): ShotSettings {
    const o = this.settings.values;
    const g = o.gpsInfo;
    const gps =
      g.lat !== 65535 && g.lng !== 65535
        ? { lat: g.lat, lng: g.lng, altitude: g._altitude, datum: g._datum, dateTimeZone: g._dateTimeZone }
        : undefined;
    return {
      width: o.imageFormat.width,
      height: o.imageFormat.height,
      iso: o.iso,
      shutterSpeed: o.shutterSpeed,
      exposureProgram: o.exposureProgram,
      exposureCompensation: evOverride ?? o.exposureCompensation,
      whiteBalance: o.whiteBalance,
      filter: o.filter,
      firmwareVersion: this.firmwareVersion,
      serialNumber: this.serialNumber,
      gps,
    };
  }

  // ---------------------------------------------------------------- capture (capture.ts)

  /** One picture, after the self-timer if it is on; the job ends with the file. */
  takePicture(): ThetaJob {
    return this.capture.takePicture();
  }

  /** An interval, composite or bracket run in image mode, a recording in video mode. */
  startCapture(mode: CaptureMode = 'interval'): CaptureRun {
    return this.capture.startCapture(mode);
  }

  /** A job following a run through its countdown to its end (or its start, when open-ended). */
  followCapture(run: CaptureRun): ThetaJob {
    return this.capture.followCapture(run);
  }

  /** Ends the run (or a countdown); the files it wrote. */
  stopCapture(): Promise<string[]> {
    return this.capture.stopCapture();
  }

  /** Cancels a self-timer countdown; false when none runs. */
  stopSelfTimer(): boolean {
    return this.capture.stopSelfTimer();
  }

  /** Whether a capture (interval, composite, bracket, video) is running. */
  get capturing(): boolean {
    return this.capture.capturing;
  }

  // ---------------------------------------------------------------- files (media.ts)

  /** The file of a camera path `100RICOH/R0010001.JPG`. */
  findFile(rel: string): ThetaFile {
    return this.media.findFile(rel);
  }

  listFiles(
    kind: 'all' | 'image' | 'video',
    order: 'newest' | 'oldest',
    start: number,
    count: number,
  ): { entries: ThetaFile[]; total: number } {
    return this.media.catalog.list(kind, order, start, count);
  }

  assertReadable(f: ThetaFile): void {
    this.media.assertReadable(f);
  }

  filePath(f: ThetaFile): Promise<string> {
    return this.media.filePath(f);
  }

  fileBytes(f: ThetaFile): Promise<Buffer | undefined> {
    return this.media.fileBytes(f);
  }

  thumbnail(f: ThetaFile): Promise<Buffer> {
    return this.media.thumbnail(f);
  }

  thumbnailBase64(f: ThetaFile): Promise<Buffer> {
    return this.media.thumbnailBase64(f);
  }

  metadata(f: ThetaFile): Promise<{ exif: Record<string, unknown>; xmp: Record<string, unknown> }> {
    return this.media.metadata(f);
  }

  /** Deletes files (refused while shooting); `all` / `image` / `video` select by kind. */
  async deleteFiles(targets: ThetaFile[] | 'all' | 'image' | 'video'): Promise<number> {
    if (this.capture.capturing) throw new ThetaDeviceError('busy', 'cannot delete while shooting');
    const n = await this.media.deleteFiles(targets);
    if (n > 0) this.notify();
    return n;
  }

  // ---------------------------------------------------------------- live preview (preview.ts)

  /**
   * Live-preview frames (JPEG, 640×320) at previewFormat's rate until the signal aborts, the camera
   * shoots, or the capture mode changes.
   */
  livePreview(signal?: AbortSignal): AsyncGenerator<Buffer> {
    this.assertPowered();
    if (this.capture.status !== 'idle') throw new ThetaDeviceError('busy', `no preview while ${this.capture.status}`);
    return this.preview.frames(signal, () => this.closed);
  }

  /** Stops timers; files stay. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.clock.clearTimer(this.tick);
    this.capture.close();
    if (this.capture.capturing) await this.capture.stopCapture().catch(() => undefined);
    this.closed = true;
    this.powerControl.close();
    this.media.clear();
    this.preview.stop();
    this.removeAllListeners();
  }
}

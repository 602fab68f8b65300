/**
 * The emulated RICOH THETA S: its state machine, sessions, API level, options, battery, capture
 * pipeline and files. It knows nothing of HTTP or JSON on the wire (docs/architecture.md rule 1); the OSC
 * server face (src/osc/server.ts) and a PTP face call these methods.
 *
 * Behaviour follows the camera as RICOH documents it and as the recorded replies show:
 * - It boots in API v2.0 (`_apiVersion` 1) with sessions: `startSession` issues `SID_0001`,
 *   `SID_0002`, …; only the last issued id is valid; a session expires 180 s after its last use.
 * - `setOptions {clientVersion: 2}` switches to v2.1; the camera returns to v2.0 on restart and when
 *   the link drops — emulated as no request for the session timeout (clientVersion.md).
 * - `takePicture` stays in progress while the S shoots and stitches (≈4 s at 5376×2688, ≈2 s at
 *   2048×1024), after an optional self-timer (`exposureDelay`) that `_stopSelfTimer` cancels.
 * - `_startCapture` shoots at `_captureInterval` in image mode and records an MP4 in video mode.
 *
 * Time comes from the injected {@link Clock}, so tests drive an hour of interval shooting in
 * milliseconds.
 *
 * @example
 * const theta = await ThetaDevice.open({ dataDir: '/tmp/theta', clock: new RealClock() });
 * const { sessionId } = theta.startSession();
 * const job = theta.takePicture();
 * await job.finished; // job.files → ['100RICOH/R0010001.JPG']
 */
import { EventEmitter } from 'node:events';
import { readFile, writeFile, rename, open } from 'node:fs/promises';
import * as path from 'node:path';
import { debuglog } from 'node:util';
import sharp from 'sharp';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { RealClock } from '../../util/clock.js';
import { MediaStorage, StorageError, checkName } from '../storage.js';
import type { Medium } from '../storage.js';
import { thetaPicture, thetaPreviewFrame, thetaVideoFrameSource, warmThetaPicture } from '../images/theta.js';
import type { ShotSettings } from '../images/theta.js';
import { mjpegMp4 } from '../images/theta-mp4.js';
import { readExif, readGpanoXmp } from '../images/theta-metadata.js';
import { ThetaBattery } from './battery.js';
import type { PowerSource } from './battery.js';
import { FOLDER, ThetaCatalog, relPath } from './catalog.js';
import type { ThetaFile } from './catalog.js';
import { ThetaError } from './errors.js';
import { ByteCache } from './byte-cache.js';
import { firmwareLevel, hasFeature } from './firmware.js';
import type { SINCE } from './firmware.js';
import { PREVIEW_FORMAT, defaultMySettings, defaultOptions, mySettingsFromSaved, readMySettings, readOptions, writeMySettings, writeOptions } from './options.js';
import type { ApiVersion, MySettings, OptionContext, OptionValues } from './options.js';

const log = debuglog('camctl:theta');

export const SESSION_TIMEOUT_S = 180;
/** My Settings, kept with the storage as the camera keeps them across power cycles. */
const MY_SETTINGS_FILE = 'theta-mysetting.json';
/** Name of the single medium under the data directory. */
export const THETA_MEDIUM = 'internal';

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

export type CaptureStatus = 'idle' | 'shooting' | 'self-timer countdown' | 'bracket shooting';

/**
 * The camera's power: on; asleep (sleepDelay ran out: Wi-Fi and USB answer nothing until the power
 * button is pressed); off (offDelay ran out, PowerDown, or the power button held).
 */
export type ThetaPowerState = 'on' | 'asleep' | 'off';

/** offDelay / sleepDelay value meaning "never" (off_delay.md, sleep_delay.md). */
const NEVER_DELAY = 65535;

/** A command that runs longer than its HTTP request (OSC "inProgress"). */
export interface ThetaJob {
  readonly id: string;
  readonly name: string;
  state: 'inProgress' | 'done' | 'error';
  /** Files written, as `100RICOH/R0010001.JPG`. */
  files: string[];
  error?: ThetaError;
  /** Settles when the job ends (never rejects). */
  readonly finished: Promise<void>;
  /** 0…1, from the device clock. */
  completion(): number;
  /** Done without results (v2.1 startCapture of a video or an open-ended interval run). */
  resultless?: boolean;
}

/** A capture started by startCapture. */
export interface CaptureRun {
  kind: 'interval' | 'video' | 'composite' | 'bracket';
  /** Ends by itself (shot count, composite time, bracket). */
  limited: boolean;
  /** The files, when the run ends ([] if it never started). */
  finished: Promise<string[]>;
  /** With the self-timer on: settles when the countdown ends — undefined, or the error that ended it. */
  countdown?: Promise<ThetaError | undefined>;
}

export interface ThetaStateSnapshot {
  api: ApiVersion;
  sessionId: string | undefined;
  batteryLevel: number;
  batteryState: 'charging' | 'charged' | 'disconnect';
  captureStatus: CaptureStatus;
  recordedTime: number;
  recordableTime: number;
  latestFile: string;
  storageChanged: boolean;
  cameraError: string[];
  compositeShootingElapsedTime: number;
}

interface Session {
  id: string;
  lastUsed: number;
}

interface RunningCapture {
  kind: 'interval' | 'video' | 'composite' | 'bracket';
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
}

const MB = 1024 * 1024;
/** Average sizes used for `remainingPictures` / `_recordableTime` (the camera estimates too). */
const AVG_PICTURE = { 5376: 4 * MB, 2048: 1 * MB } as Record<number, number>;
const VIDEO_BYTES_PER_S = { 1920: 2 * MB, 1280: 1 * MB } as Record<number, number>;

export class ThetaDevice extends EventEmitter {
  readonly serialNumber: string;
  readonly firmwareVersion: string;
  /** Firmware level in hundredths (01.62 → 162): what this firmware can do (firmware.ts). */
  readonly firmware: number;
  /** Storage id of v2.1's `/files/<storageId>/` URLs. */
  readonly storageId: string;
  readonly clock: Clock;
  readonly battery: ThetaBattery;
  readonly bootedAt: number;

  private apiLevel: ApiVersion = 1;
  private session: Session | undefined;
  private sessionCounter = 0;
  private options: OptionValues;
  /** My Settings: the still-image settings the camera starts with (camera._setMySetting). */
  private mySettings: MySettings;
  private status: CaptureStatus = 'idle';
  private capture: RunningCapture | undefined;
  private selfTimer: { timer: TimerHandle; cancel: () => void } | undefined;
  private jobs = new Map<string, ThetaJob>();
  private jobCounter = 0;
  private latest = '';
  private storageChanged = false;
  private fingerprintCounter = 0;
  private lastStateKey = '';
  private linkTimer: TimerHandle | undefined;
  private tick: TimerHandle | undefined;
  private powerState: ThetaPowerState = 'on';
  /** Timers of the idle count (sleepDelay, offDelay); cleared while the camera shoots. */
  private sleepTimer: TimerHandle | undefined;
  private offTimer: TimerHandle | undefined;
  /** Whether the idle count was last seen stopped by a capture (to restart it when it ends). */
  private idleCountStopped = false;
  /** Requests being answered now (a long poll, a download): the camera is in use meanwhile. */
  private requestsInProgress = 0;
  /** Bumped when the camera sleeps or switches off: the requests of before are gone with its link. */
  private linkGeneration = 0;
  private previewGeneration = 0;
  private previewStreams = 0;
  private counter: number;
  private closed = false;
  private readonly shotProcessingMs: number;
  private readonly fileCache: ByteCache;
  private readonly thumbCache: ByteCache;
  private readonly thumb64Cache: ByteCache;

  private constructor(
    opts: ThetaDeviceOptions,
    readonly storage: MediaStorage,
    readonly medium: Medium,
    readonly catalog: ThetaCatalog,
    counter: number,
    mySettings: MySettings,
  ) {
    super();
    this.mySettings = mySettings;
    this.options = { ...defaultOptions(), ...mySettings };
    this.clock = opts.clock ?? new RealClock();
    this.serialNumber = opts.serialNumber ?? '00301770';
    if (!/^\d{8}$/.test(this.serialNumber)) throw new RangeError(`serialNumber must be 8 digits, got ${JSON.stringify(this.serialNumber)}`);
    this.firmwareVersion = opts.firmwareVersion ?? '01.90';
    this.firmware = firmwareLevel(this.firmwareVersion);
    this.storageId = `744a605553442020${Buffer.from(this.serialNumber, 'latin1').toString('hex').slice(0, 16)}`;
    this.battery = new ThetaBattery(this.clock, opts.battery ?? 1, opts.power ?? 'battery');
    this.bootedAt = this.clock.now();
    this.counter = counter;
    this.shotProcessingMs = opts.shotProcessingMs ?? 4000;
    this.fileCache = new ByteCache(opts.fileCacheBytes ?? 128 * MB, 16 * MB);
    this.thumbCache = new ByteCache(opts.thumbCacheBytes ?? 96 * MB, 256 * 1024);
    this.thumb64Cache = new ByteCache(Math.round((opts.thumbCacheBytes ?? 96 * MB) * 1.34), 350 * 1024);
    this.tick = this.clock.setInterval(() => this.notify(), 1000);
    this.lastStateKey = this.stateKey();
    this.fingerprintCounter = 1;
    this.activity();
  }

  /** Opens (creating if needed) the camera's storage under `dataDir` and boots in API v2.0. */
  static async open(opts: ThetaDeviceOptions): Promise<ThetaDevice> {
    const storage = await MediaStorage.open(opts.dataDir, [{ name: THETA_MEDIUM, capacityBytes: opts.capacityBytes ?? 7_800_000_000 }]);
    const medium = storage.get(THETA_MEDIUM);
    await medium.ensureFolder(FOLDER);
    const catalog = new ThetaCatalog(medium);
    await catalog.load(0);
    let counter = catalog.highestNumber();
    try {
      const saved = JSON.parse(await readFile(path.join(storage.dir, 'theta-counter.json'), 'utf8')) as { counter?: unknown };
      if (typeof saved.counter === 'number' && saved.counter > counter) counter = saved.counter;
    } catch {
      /* first boot */
    }
    // The S numbers from R0010001.
    if (counter < 10000) counter = 10000;
    let mySettings = defaultMySettings();
    try {
      mySettings = mySettingsFromSaved(JSON.parse(await readFile(path.join(storage.dir, MY_SETTINGS_FILE), 'utf8')));
    } catch {
      /* none registered */
    }
    return new ThetaDevice(opts, storage, medium, catalog, counter, mySettings);
  }

  // ---------------------------------------------------------------- link, API level, sessions

  get api(): ApiVersion {
    return this.apiLevel;
  }

  /** Whether this firmware has a feature (firmware.ts): older S firmware lacks v2.1, the self-timer… */
  has(feature: keyof typeof SINCE): boolean {
    return hasFeature(this.firmware, feature);
  }

  /** Seconds since power-on. */
  get uptime(): number {
    return Math.floor((this.clock.now() - this.bootedAt) / 1000);
  }

  /**
   * A client request arrived. Without one for the session timeout the Wi-Fi link counts as
   * dropped: the session ends and the API level returns to v2.0.
   */
  touch(): void {
    this.clock.clearTimer(this.linkTimer);
    this.linkTimer = this.clock.setTimeout(() => this.linkDropped(), SESSION_TIMEOUT_S * 1000);
    this.activity();
  }

  // ---------------------------------------------------------------- power: sleep, auto power-off

  /** On, asleep or off (see {@link ThetaPowerState}). */
  get power(): ThetaPowerState {
    return this.powerState;
  }

  /**
   * Something used the camera (a request on any face): the idle count for sleepDelay and offDelay
   * starts again (sleep_delay.md: "standby time until sleep"; off_delay.md: "standby time until
   * the power automatically turns OFF"). Both count from the last use, so a camera left asleep
   * still switches off once offDelay has passed. Nothing counts while the camera shoots.
   */
  activity(): void {
    // Asleep, the offDelay count goes on: a connection closing as the camera fell asleep is no use.
    if (this.powerState !== 'on') return;
    this.clock.clearTimer(this.sleepTimer);
    this.clock.clearTimer(this.offTimer);
    this.sleepTimer = this.offTimer = undefined;
    this.idleCountStopped = this.busy || this.requestsInProgress > 0;
    if (this.closed || this.idleCountStopped) return;
    const { sleepDelay, offDelay } = this.options;
    if (sleepDelay !== NEVER_DELAY && sleepDelay < offDelay) {
      this.sleepTimer = this.clock.setTimeout(() => this.setPower('asleep', `no use for sleepDelay ${sleepDelay} s`), sleepDelay * 1000);
    }
    if (offDelay !== NEVER_DELAY) this.offTimer = this.clock.setTimeout(() => this.setPower('off', `no use for offDelay ${offDelay} s`), offDelay * 1000);
  }

  /**
   * A request is being answered: no idle time passes until the returned function is called (when
   * the reply has gone), so a long poll or a long download does not let the camera fall asleep
   * under it.
   */
  inUse(): () => void {
    this.requestsInProgress++;
    this.activity();
    const generation = this.linkGeneration;
    let done = false;
    return () => {
      if (done || generation !== this.linkGeneration) return;
      done = true;
      this.requestsInProgress--;
      this.activity();
    };
  }

  /** Shooting, recording, an interval run or a self-timer countdown: time that is not idle. */
  private get busy(): boolean {
    return this.capture !== undefined || this.status !== 'idle' || this.selfTimer !== undefined;
  }

  /** The power button pressed briefly: an asleep camera wakes (Wi-Fi and USB answer again). */
  wake(): void {
    if (this.powerState === 'off') throw new ThetaError('powerOffSequenceRunning', 'the camera is off: switch it on with its power button');
    if (this.powerState === 'asleep') this.setPower('on', 'woken by the power button');
    else this.activity();
  }

  /** Puts the camera to sleep now, as sleepDelay running out would (refused while it shoots). */
  sleep(): void {
    if (this.powerState === 'off') throw new ThetaError('powerOffSequenceRunning', 'the camera is off');
    if (this.busy) throw new ThetaError('disabledCommand', `the camera is busy (${this.status})`);
    if (this.powerState === 'on') this.setPower('asleep', 'put to sleep');
  }

  /** The power button held, or PowerDown: a running capture is stopped and kept first, then off. */
  async switchOff(): Promise<void> {
    if (this.capture || this.selfTimer) await this.stopCapture().catch(() => undefined);
    if (this.powerState !== 'off') this.setPower('off', 'switched off');
  }

  /** The power button pressed on a camera that is off or asleep: it is on again. */
  switchOn(): void {
    if (this.closed) throw new ThetaError('powerOffSequenceRunning', 'the camera is closed');
    if (this.powerState !== 'on') this.setPower('on', 'switched on');
    else this.activity();
  }

  /**
   * Changes the power state and tells the faces (`power` event): asleep or off they drop their
   * connections and stop answering; on they answer again. Sleep and power-off end the Wi-Fi link,
   * hence the session and the v2.1 switch (client_version.md).
   */
  private setPower(state: ThetaPowerState, why: string): void {
    if (this.closed || state === this.powerState) return;
    log('power %s → %s: %s', this.powerState, state, why);
    const was = this.powerState;
    this.powerState = state;
    if (state !== 'on') {
      // Its link is down: the requests in progress are over, and with them their use of the camera.
      this.linkGeneration++;
      this.requestsInProgress = 0;
      this.stopPreview();
      if (was === 'on') {
        this.clock.clearTimer(this.linkTimer);
        this.linkDropped(why);
      }
    }
    if (state === 'off') {
      this.clock.clearTimer(this.sleepTimer);
      this.clock.clearTimer(this.offTimer);
    } else if (state === 'asleep' && this.offTimer === undefined && this.options.offDelay !== NEVER_DELAY) {
      // Put to sleep while in use (the count was held): offDelay counts from now, the last use.
      const offDelay = this.options.offDelay;
      this.offTimer = this.clock.setTimeout(() => this.setPower('off', `no use for offDelay ${offDelay} s`), offDelay * 1000);
    } else if (state === 'on') {
      this.activity();
    }
    this.emit('power', state);
  }

  private linkDropped(why = `link idle for ${SESSION_TIMEOUT_S} s`): void {
    log('%s: back to API v2.0', why);
    this.session = undefined;
    this.apiLevel = 1;
    this.notify();
  }

  startSession(): { sessionId: string; timeout: number } {
    this.assertPowered();
    if (this.capture && this.session && !this.sessionExpired(this.session)) {
      // Another client's recording or interval run holds the camera.
      throw new ThetaError('cameraInExclusiveUse', 'the camera is in exclusive use by a running capture');
    }
    this.sessionCounter++;
    this.session = { id: `SID_${String(this.sessionCounter).padStart(4, '0')}`, lastUsed: this.clock.now() };
    this.notify();
    return { sessionId: this.session.id, timeout: SESSION_TIMEOUT_S };
  }

  private sessionExpired(s: Session): boolean {
    return this.clock.now() - s.lastUsed > SESSION_TIMEOUT_S * 1000;
  }

  /** Checks a v2.0 session id (only the last issued, unexpired one is valid) and refreshes it. */
  useSession(sessionId: string): void {
    const s = this.session;
    if (!s || s.id !== sessionId || this.sessionExpired(s)) {
      throw new ThetaError('invalidSessionId', `session ${JSON.stringify(sessionId)} is not valid`);
    }
    s.lastUsed = this.clock.now();
  }

  updateSession(sessionId: string): { sessionId: string; timeout: number } {
    this.useSession(sessionId);
    return { sessionId, timeout: SESSION_TIMEOUT_S };
  }

  closeSession(sessionId: string): void {
    this.useSession(sessionId);
    this.session = undefined;
    this.notify();
  }

  // ---------------------------------------------------------------- state

  snapshot(): ThetaStateSnapshot {
    const session = this.session && !this.sessionExpired(this.session) ? this.session.id : undefined;
    return {
      api: this.apiLevel,
      sessionId: session,
      batteryLevel: this.battery.level,
      batteryState: this.battery.state,
      captureStatus: this.status,
      recordedTime: this.capture?.kind === 'video' ? Math.floor((this.clock.now() - this.capture.startedAt) / 1000) : 0,
      recordableTime: this.options.captureMode === 'video' ? this.recordableSeconds() : 0,
      latestFile: this.latest,
      storageChanged: this.storageChanged,
      // NO_MEMORY: "Insufficient free memory" (theta-web-api-v2.0/protocols/state.md _cameraError).
      cameraError: this.remainingPictures() < 1 ? ['NO_MEMORY'] : [],
      compositeShootingElapsedTime: this.capture?.kind === 'composite' ? Math.floor((this.clock.now() - this.capture.startedAt) / 1000) : 0,
    };
  }

  /** `FIG_0001`, changing whenever the state does. */
  get fingerprint(): string {
    this.notify();
    return `FIG_${String(this.fingerprintCounter).padStart(4, '0')}`;
  }

  private stateKey(): string {
    return JSON.stringify(this.snapshot());
  }

  /** Recomputes the state; a change bumps the fingerprint and emits `state`. */
  private notify(): void {
    if (this.closed) return;
    // The idle count stops while the camera shoots, and starts from the end of the shooting.
    if ((this.busy || this.requestsInProgress > 0) !== this.idleCountStopped) this.activity();
    const key = this.stateKey();
    if (key === this.lastStateKey) return;
    this.lastStateKey = key;
    this.fingerprintCounter++;
    this.emit('state', `FIG_${String(this.fingerprintCounter).padStart(4, '0')}`);
  }

  /** The first read of state after a change clears `storageChanged`, as on the camera. */
  acknowledgeStorageChanged(): void {
    if (this.storageChanged) {
      this.storageChanged = false;
      this.lastStateKey = this.stateKey();
    }
  }

  // ---------------------------------------------------------------- options

  private context(api: ApiVersion = this.apiLevel): OptionContext {
    return {
      api,
      firmware: this.firmware,
      remainingPictures: this.remainingPictures(),
      remainingSpace: this.medium.freeBytes,
      totalSpace: this.medium.capacityBytes,
      remainingVideoSeconds: Math.floor(this.medium.freeBytes / (VIDEO_BYTES_PER_S[this.options.videoFormat.width] ?? 2 * MB)),
      nowMs: this.cameraNow(),
      busy: this.status !== 'idle',
    };
  }

  /** Epoch ms of the camera's own clock (`dateTimeZone` may have moved it). */
  cameraNow(): number {
    return this.clock.now() + this.options.clockSkewMs;
  }

  get utcOffsetMinutes(): number {
    return this.options.utcOffsetMinutes;
  }

  get captureMode(): 'image' | 'video' {
    return this.options.captureMode;
  }

  /**
   * Options by the names of an API level: the OSC face's current one by default; the PTP face
   * passes 1, as its properties map to the v2.0 names whatever level the OSC client chose.
   */
  getOptions(names: string[], api: ApiVersion = this.apiLevel): Record<string, unknown> {
    return readOptions(this.options, names, this.context(api));
  }

  setOptions(changes: Record<string, unknown>, api: ApiVersion = this.apiLevel): void {
    this.assertPowered();
    const ctx = this.context(api);
    const next = writeOptions(this.options, changes, ctx);
    const modeChanged = next.captureMode !== this.options.captureMode;
    this.options = next;
    // New delays count from now.
    if ('sleepDelay' in changes || 'offDelay' in changes) this.activity();
    if ('clientVersion' in changes) {
      const v = changes['clientVersion'] as ApiVersion;
      if (v !== this.apiLevel) {
        log('API level %d → %d', this.apiLevel, v);
        this.apiLevel = v;
        // v2.1 has no sessions.
        if (v === 2) this.session = undefined;
      }
    }
    if (modeChanged) this.stopPreview();
    void warmThetaPicture(this.shotSettings()).catch(() => undefined);
    this.notify();
    // Options are no part of the OSC state (no fingerprint change), but other faces show them
    // (the PTP face announces DevicePropChanged).
    this.emit('options');
  }

  /** camera._getMySetting (S firmware 01.82 and later): still-image values of My Settings. */
  getMySettings(names: string[]): Record<string, unknown> {
    return readMySettings(this.mySettings, names, this.context());
  }

  /**
   * camera._setMySetting: registers the still-image settings the camera starts with; the current
   * settings do not change (use setOptions for those). Kept across restarts.
   */
  async setMySettings(changes: Record<string, unknown>): Promise<void> {
    this.assertPowered();
    this.mySettings = writeMySettings(this.mySettings, changes, this.context());
    await this.saveMySettings();
  }

  private async saveMySettings(): Promise<void> {
    const file = path.join(this.storage.dir, MY_SETTINGS_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(this.mySettings));
    await rename(tmp, file);
  }

  /**
   * camera.reset (v2.1): every device and shooting setting back to its default, then the camera
   * restarts (theta-client docs/tutorial.md: "After reset, THETA is restarted"). A restart drops
   * the Wi-Fi link, and an S or SC that loses its link is back at clientVersion 1 — API v2.0, no
   * session (theta-web-api-v2.1/options/client_version.md). The clock keeps its time; files stay.
   */
  reset(): void {
    if (this.status !== 'idle') throw new ThetaError('disabledCommand', 'cannot reset while shooting');
    const keep = { utcOffsetMinutes: this.options.utcOffsetMinutes, clockSkewMs: this.options.clockSkewMs };
    // My Settings go back to their defaults too (camera._set_my_setting.md), and the camera starts
    // with them.
    const defaults = defaultMySettings();
    if (JSON.stringify(this.mySettings) !== JSON.stringify(defaults)) {
      this.mySettings = defaults;
      void this.saveMySettings().catch((err: unknown) => log('saving My Settings failed: %s', err instanceof Error ? err.message : err));
    }
    this.options = { ...defaultOptions(), ...this.mySettings, ...keep };
    // The restart ends any live preview.
    this.stopPreview();
    this.clock.clearTimer(this.linkTimer);
    this.linkDropped('reset: restarting');
  }

  // ---------------------------------------------------------------- capture

  private assertPowered(): void {
    if (this.powerState === 'asleep') throw new ThetaError('powerOffSequenceRunning', 'the camera is asleep');
    if (this.closed || this.battery.empty || this.powerState === 'off') throw new ThetaError('powerOffSequenceRunning', 'the camera is powering off');
  }

  private remainingPictures(): number {
    return Math.floor(this.medium.freeBytes / (AVG_PICTURE[this.options.imageFormat.width] ?? 4 * MB));
  }

  private recordableSeconds(): number {
    const perS = VIDEO_BYTES_PER_S[this.options.videoFormat.width] ?? 2 * MB;
    // The S records at most 25 minutes per clip.
    return Math.min(1500, Math.floor(this.medium.freeBytes / perS));
  }

  shotSettings(evOverride?: number): ShotSettings {
    const o = this.options;
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

  private nextName(ext: 'JPG' | 'MP4'): string {
    this.counter++;
    if (this.counter > 19999) this.counter = 10001;
    return `R${String(this.counter).padStart(7, '0')}.${ext}`;
  }

  private async saveCounter(): Promise<void> {
    const file = path.join(this.storage.dir, 'theta-counter.json');
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify({ counter: this.counter }));
    await rename(tmp, file);
  }

  private newJob(name: string): { job: ThetaJob; finish: (files: string[]) => void; fail: (e: ThetaError) => void; setProgress: (start: number, duration: number) => void } {
    let resolve!: () => void;
    const finished = new Promise<void>((r) => (resolve = r));
    let start = Number.POSITIVE_INFINITY;
    let duration = 1;
    const clock = this.clock;
    const job: ThetaJob = {
      id: String(++this.jobCounter),
      name,
      state: 'inProgress',
      files: [],
      finished,
      completion() {
        if (job.state !== 'inProgress') return 1;
        const f = (clock.now() - start) / duration;
        return Math.max(0, Math.min(0.99, Math.round(f * 100) / 100));
      },
    };
    this.jobs.set(job.id, job);
    // Keep the last 50 jobs for /osc/commands/status.
    if (this.jobs.size > 50) this.jobs.delete(this.jobs.keys().next().value!);
    return {
      job,
      finish: (files) => {
        job.files = files;
        job.state = 'done';
        resolve();
      },
      fail: (e) => {
        job.error = e;
        job.state = 'error';
        resolve();
      },
      setProgress: (s, d) => {
        start = s;
        duration = Math.max(1, d);
      },
    };
  }

  job(id: string): ThetaJob | undefined {
    return this.jobs.get(id);
  }

  /** Shoots and stores one picture; returns the path. */
  private async shoot(settings: ShotSettings, extra: Partial<ThetaFile> = {}): Promise<string> {
    const when = this.cameraNow();
    const name = this.nextName('JPG');
    const release = this.medium.markBusy(FOLDER);
    try {
      const { jpeg, thumb } = await thetaPicture(settings, when, this.options.utcOffsetMinutes);
      const size = await this.medium.writeFile(FOLDER, name, jpeg, { mtimeMs: when });
      await this.medium.writeFile(FOLDER, name, thumb, { subdir: '.thumb', mtimeMs: when });
      this.fileCache.set(`${FOLDER}/${name}`, jpeg);
      this.thumbCache.set(`${FOLDER}/${name}`, thumb);
      const file: ThetaFile = {
        folder: FOLDER,
        name,
        kind: 'image',
        size,
        timeMs: Math.floor(when / 1000) * 1000,
        utcOffsetMinutes: this.options.utcOffsetMinutes,
        width: settings.width,
        height: settings.height,
        ...extra,
      };
      if (settings.gps) {
        file.lat = settings.gps.lat;
        file.lng = settings.gps.lng;
      }
      this.catalog.add(file);
      this.latest = relPath(file);
      this.storageChanged = true;
      await this.saveCounter();
      this.emit('file', file);
      this.notify();
      return relPath(file);
    } finally {
      release();
    }
  }

  private mapStorageError(err: unknown): ThetaError {
    if (err instanceof ThetaError) return err;
    if (err instanceof StorageError && err.code === 'FULL') return new ThetaError('disabledCommand', 'the storage is full', { cause: err });
    return new ThetaError('unexpected', err instanceof Error ? err.message : String(err), { cause: err });
  }

  /** camera.takePicture: starts the self-timer or the shot; the job ends with the file. */
  takePicture(): ThetaJob {
    this.assertPowered();
    if (this.options.captureMode !== 'image') throw new ThetaError('disabledCommand', 'takePicture needs captureMode image');
    if (this.status !== 'idle') throw new ThetaError('disabledCommand', `the camera is busy (${this.status})`);
    if (this.remainingPictures() < 1) throw new ThetaError('disabledCommand', 'the storage is full');
    const { job, finish, fail, setProgress } = this.newJob('camera.takePicture');
    const settings = this.shotSettings();
    const fire = () => {
      this.selfTimer = undefined;
      this.status = 'shooting';
      this.stopPreview();
      this.notify();
      const processing = settings.width >= 5376 ? this.shotProcessingMs : Math.round(this.shotProcessingMs / 2);
      setProgress(this.clock.now(), processing);
      const written = this.shoot(settings);
      const stitched = this.clock.sleep(processing);
      Promise.all([written, stitched]).then(
        ([file]) => {
          this.status = 'idle';
          finish([file]);
          this.notify();
        },
        (err: unknown) => {
          this.status = 'idle';
          fail(this.mapStorageError(err));
          this.notify();
        },
      );
    };
    const delay = this.options.exposureDelay;
    if (delay > 0) {
      this.startSelfTimer(delay, fire, (canceled) => fail(canceled));
      this.notify();
    } else {
      fire();
    }
    return job;
  }

  /**
   * Counts `seconds` down ("self-timer countdown") then runs `fire`; _stopSelfTimer (or a stop)
   * instead clears it, goes idle and hands `onCancel` the canceledShooting error to end its job.
   */
  private startSelfTimer(seconds: number, fire: () => void, onCancel: (canceled: ThetaError) => void): void {
    this.status = 'self-timer countdown';
    const timer = this.clock.setTimeout(fire, seconds * 1000);
    this.selfTimer = {
      timer,
      cancel: () => {
        this.clock.clearTimer(timer);
        this.selfTimer = undefined;
        this.status = 'idle';
        onCancel(new ThetaError('canceledShooting', 'shooting is canceled.'));
        this.notify();
      },
    };
  }

  /** camera._stopSelfTimer: cancels a running self-timer (the takePicture ends in canceledShooting). */
  stopSelfTimer(): void {
    if (!this.selfTimer) {
      if (this.apiLevel === 1) return; // v2.0 answers done even when no timer runs
      throw new ThetaError('disabledCommand', 'no self-timer is running');
    }
    this.selfTimer.cancel();
  }

  /**
   * camera._startCapture / camera.startCapture: interval shooting (image mode) or a video recording
   * (video mode). `mode` selects interval, composite or bracket shooting in image mode.
   */
  startCapture(mode: 'interval' | 'composite' | 'bracket' = 'interval'): CaptureRun {
    this.assertPowered();
    if (this.status !== 'idle') throw new ThetaError('disabledCommand', `the camera is busy (${this.status})`);
    // In image mode the self-timer delays the start (camera.start_capture.md, _start_capture.md);
    // _stopSelfTimer or stopCapture cancels it.
    const delay = this.options.captureMode === 'image' ? this.options.exposureDelay : 0;
    if (delay <= 0) return this.beginCapture(mode);
    if (this.remainingPictures() < 1) throw new ThetaError('disabledCommand', 'the storage is full');
    let endCountdown!: (e: ThetaError | undefined) => void;
    const countdown = new Promise<ThetaError | undefined>((r) => (endCountdown = r));
    let forward!: (files: string[]) => void;
    const finished = new Promise<string[]>((r) => (forward = r));
    const limited = mode !== 'interval' || this.options.captureNumber > 0;
    this.startSelfTimer(
      delay,
      () => {
        this.selfTimer = undefined;
        this.status = 'idle';
        try {
          void this.beginCapture(mode).finished.then(forward);
          endCountdown(undefined);
        } catch (err) {
          forward([]);
          endCountdown(this.mapStorageError(err));
          this.notify();
        }
      },
      (canceled) => {
        forward([]);
        endCountdown(canceled);
      },
    );
    this.notify();
    return { kind: mode, limited, finished, countdown };
  }

  private beginCapture(mode: 'interval' | 'composite' | 'bracket'): CaptureRun {
    let ended!: (files: string[]) => void;
    const finished = new Promise<string[]>((r) => (ended = r));
    const base: RunningCapture = {
      ended,
      kind: this.options.captureMode === 'video' ? 'video' : mode,
      startedAt: this.clock.now(),
      files: [],
      pending: new Set(),
      shots: 0,
      groupId: `${this.serialNumber}-${this.counter + 1}`,
    };
    if (base.kind === 'video') {
      if (this.recordableSeconds() < 1) throw new ThetaError('disabledCommand', 'the storage is full');
      this.capture = base;
      this.status = 'shooting';
      this.battery.setLoad(3);
      // The S stops a clip by itself at its maximum length.
      base.timer = this.clock.setTimeout(() => void this.stopCapture().catch(() => undefined), this.recordableSeconds() * 1000);
      this.stopPreview();
      this.notify();
      return { kind: base.kind, limited: false, finished };
    }
    if (this.remainingPictures() < 1) throw new ThetaError('disabledCommand', 'the storage is full');
    this.stopPreview();
    this.capture = base;
    if (base.kind === 'bracket') {
      this.status = 'bracket shooting';
      // One shot per _autoBracket exposure, in manual: its ISO, shutter and colour temperature.
      const shots = this.options.autoBracket.map((b) => ({ ...this.shotSettings(0), exposureProgram: 1, iso: b.iso, shutterSpeed: b.shutterSpeed, whiteBalance: '_colorTemperature' }));
      const run = (async () => {
        for (const settings of shots) {
          base.files.push(await this.shoot(settings, { autoBracketGroupId: base.groupId }));
          await this.clock.sleep(1000);
        }
      })();
      this.track(base, run.then(() => this.finishCapture(base)));
      this.notify();
      return { kind: base.kind, limited: true, finished };
    }
    this.status = 'shooting';
    if (base.kind === 'composite') {
      // Interval composite shooting runs for _compositeShootingTime, saves the composite so far every
      // _compositeShootingOutputInterval (0: never) and the final one at the end; in v2.1 its
      // startCapture stays in progress until then (start_capture.md).
      const group = { compositeShootingGroupId: base.groupId };
      const save = () => {
        if (this.capture !== base) return;
        this.track(base, this.shoot(this.shotSettings(), group).then((f) => void base.files.push(f)));
      };
      const every = this.options.compositeShootingOutputInterval * 1000;
      const total = this.options.compositeShootingTime * 1000;
      // A save due with the end is the final composite, not another in-progress one.
      if (every > 0) base.timer = this.clock.setInterval(() => this.clock.now() - base.startedAt < total && save(), every);
      base.endTimer = this.clock.setTimeout(() => {
        this.clock.clearTimer(base.timer);
        save();
        this.finishCapture(base);
      }, total);
      this.notify();
      return { kind: base.kind, limited: true, finished };
    }
    const every = this.options.captureInterval * 1000;
    const limit = this.options.captureNumber;
    const shot = () => {
      if (this.capture !== base) return;
      base.shots++;
      const p = this.shoot(this.shotSettings(), { intervalCaptureGroupId: base.groupId }).then((f) => void base.files.push(f));
      this.track(base, p);
      if (limit > 0 && base.shots >= limit) {
        this.clock.clearTimer(base.timer);
        const fin = () => this.finishCapture(base);
        p.then(fin, fin);
      }
    };
    shot();
    if (!(limit > 0 && base.shots >= limit)) base.timer = this.clock.setInterval(shot, every);
    this.notify();
    return { kind: base.kind, limited: limit > 0, finished };
  }

  /**
   * A job that follows a capture (v2.1 startCapture): through the self-timer countdown (an error if
   * it is canceled), then to the end of a run that ends by itself, with its files. An open-ended run
   * is done, without results, once it has started.
   */
  followCapture(name: string, run: CaptureRun): ThetaJob {
    const { job, finish, fail, setProgress } = this.newJob(name);
    const follow = () => {
      const c = this.capture;
      if (c) {
        const duration = c.kind === 'composite' ? this.options.compositeShootingTime * 1000 : c.kind === 'bracket' ? this.options.autoBracket.length * (1000 + this.shotProcessingMs) : Math.max(1, this.options.captureNumber) * this.options.captureInterval * 1000;
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
    this.clock.clearTimer(c.timer);
    this.clock.clearTimer(c.endTimer);
    this.capture = undefined;
    this.status = 'idle';
    this.battery.setLoad(1);
    this.notify();
    // Writes still pending (a shot in flight) are awaited before the run reports its files.
    void Promise.all([...c.pending]).then(() => c.ended([...c.files]));
  }

  /** Whether a capture (interval, video) is running. */
  get capturing(): boolean {
    return this.capture !== undefined;
  }

  /** camera._stopCapture / camera.stopCapture: ends the run; returns the files it wrote. */
  async stopCapture(): Promise<string[]> {
    const c = this.capture;
    if (!c) {
      if (this.selfTimer) {
        this.selfTimer.cancel();
        return [];
      }
      throw new ThetaError('disabledCommand', 'no capture is running');
    }
    this.clock.clearTimer(c.timer);
    if (c.kind === 'video') {
      const seconds = Math.max(1 / 30, (this.clock.now() - c.startedAt) / 1000);
      try {
        c.files.push(await this.writeVideo(seconds));
      } catch (err) {
        this.finishCapture(c);
        throw this.mapStorageError(err);
      }
    } else if (c.kind === 'composite') {
      this.clock.clearTimer(c.endTimer);
      this.track(c, this.shoot(this.shotSettings(), { compositeShootingGroupId: c.groupId }).then((f) => void c.files.push(f)));
    }
    await Promise.all([...c.pending]);
    this.finishCapture(c);
    return [...c.files];
  }

  private async writeVideo(seconds: number): Promise<string> {
    const fmt = this.options.videoFormat;
    // The S records 1080p at 29.97 fps and 720p at 15 fps.
    const [timescale, frameDuration] = fmt.width === 1920 ? [30000, 1001] : [15000, 1000];
    const frameCount = Math.max(1, Math.round((seconds * timescale) / frameDuration));
    const frameAt = await thetaVideoFrameSource(fmt.width, fmt.height);
    const distinct = Math.min(frameCount, 60);
    const frames = await Promise.all(Array.from({ length: distinct }, (_, i) => frameAt(i)));
    const when = this.cameraNow();
    const name = this.nextName('MP4');
    const release = this.medium.markBusy(FOLDER);
    try {
      const mp4 = mjpegMp4({ width: fmt.width, height: fmt.height, timescale, frameDuration, frameCount, frames, creationTime: Math.floor(when / 1000) + 2082844800 });
      const size = await this.medium.writeFile(FOLDER, name, mp4, { mtimeMs: when });
      const thumb = await sharp(frames[0]).resize(640, 320, { fit: 'fill' }).jpeg({ quality: 70 }).toBuffer();
      await this.medium.writeFile(FOLDER, name, thumb, { subdir: '.thumb', mtimeMs: when });
      const file: ThetaFile = {
        folder: FOLDER,
        name,
        kind: 'video',
        size,
        timeMs: Math.floor(when / 1000) * 1000,
        utcOffsetMinutes: this.options.utcOffsetMinutes,
        width: fmt.width,
        height: fmt.height,
        recordTime: Math.round(seconds),
      };
      this.catalog.add(file);
      this.latest = relPath(file);
      this.storageChanged = true;
      await this.saveCounter();
      this.emit('file', file);
      return relPath(file);
    } finally {
      release();
    }
  }

  // ---------------------------------------------------------------- files

  /**
   * The file of a camera path `100RICOH/R0010001.JPG`. Anything else — other depth, unsafe names,
   * `..` — is refused before touching the disk; a missing file is `notFound`.
   */
  findFile(rel: string): ThetaFile {
    const parts = rel.split('/');
    if (parts.length !== 2) throw new ThetaError('invalidParameterValue', `invalid file ${JSON.stringify(rel)}`);
    try {
      for (const p of parts) checkName(p);
    } catch (err) {
      throw new ThetaError('invalidParameterValue', `invalid file ${JSON.stringify(rel)}`, { cause: err });
    }
    const f = this.catalog.get(parts[0]!, parts[1]!);
    if (!f) throw new ThetaError('notFound', `no file ${JSON.stringify(rel)}`);
    return f;
  }

  listFiles(kind: 'all' | 'image' | 'video', order: 'newest' | 'oldest', start: number, count: number): { entries: ThetaFile[]; total: number } {
    return this.catalog.list(kind, order, start, count);
  }

  /** A file whose header could not be read at start-up (no dimensions) is corrupted for the camera. */
  assertReadable(f: ThetaFile): void {
    if (f.width === 0 || f.height === 0) throw new ThetaError('corruptedFile', `${relPath(f)} is corrupted`);
  }

  /** Real path of a file, proven inside the medium. */
  async filePath(f: ThetaFile): Promise<string> {
    try {
      return await this.medium.resolve(f.folder, f.name);
    } catch (err) {
      throw new ThetaError('notFound', `no file ${relPath(f)}`, { cause: err });
    }
  }

  /**
   * The whole file from memory when it is small enough to cache (pictures), else undefined (the
   * caller streams it from `filePath`).
   */
  async fileBytes(f: ThetaFile): Promise<Buffer | undefined> {
    const key = relPath(f);
    const hit = this.fileCache.get(key);
    if (hit) return hit;
    if (f.size > this.fileCache.maxItemBytes || this.fileCache.maxBytes === 0) return undefined;
    const data = await readFile(await this.filePath(f));
    // The catalog may not have seen this file yet if it was replaced on disk; trust the disk.
    this.fileCache.set(key, data);
    return data;
  }

  /** The 640×320 JPEG thumbnail, made from the file if it was lost. */
  async thumbnail(f: ThetaFile): Promise<Buffer> {
    const key = relPath(f);
    const hit = this.thumbCache.get(key);
    if (hit) return hit;
    const data = await this.readThumbnail(f);
    this.thumbCache.set(key, data);
    return data;
  }

  /** The thumbnail as base64 text (ASCII bytes), for listings: cached so a page costs no encoding. */
  async thumbnailBase64(f: ThetaFile): Promise<Buffer> {
    const key = relPath(f);
    const hit = this.thumb64Cache.get(key);
    if (hit) return hit;
    const b64 = Buffer.from((await this.thumbnail(f)).toString('base64'), 'latin1');
    this.thumb64Cache.set(key, b64);
    return b64;
  }

  private async readThumbnail(f: ThetaFile): Promise<Buffer> {
    const p = await this.medium.pathFor(f.folder, '.thumb', f.name);
    try {
      return await readFile(p);
    } catch {
      if (f.kind === 'video') {
        const frame = await (await thetaVideoFrameSource(f.width || 1920, f.height || 1080))(0);
        return sharp(frame).resize(640, 320, { fit: 'fill' }).jpeg({ quality: 70 }).toBuffer();
      }
      const thumb = await sharp(await this.filePath(f)).resize(640, 320, { fit: 'fill' }).jpeg({ quality: 70 }).toBuffer();
      await this.medium.writeFile(f.folder, f.name, thumb, { subdir: '.thumb' }).catch(() => undefined);
      return thumb;
    }
  }

  /** EXIF and XMP (GPano) read from the file itself. */
  async metadata(f: ThetaFile): Promise<{ exif: Record<string, unknown>; xmp: Record<string, unknown> }> {
    if (f.kind !== 'image') throw new ThetaError('invalidFileFormat', 'metadata is only available for still images');
    this.assertReadable(f);
    const fh = await open(await this.filePath(f), 'r');
    try {
      const head = Buffer.alloc(Math.min(f.size, 256 * 1024));
      await fh.read(head, 0, head.length, 0);
      const exif = readExif(head);
      if (exif['ImageWidth'] === undefined) {
        exif['ImageWidth'] = f.width;
        exif['ImageLength'] = f.height;
      }
      return { exif, xmp: readGpanoXmp(head) };
    } finally {
      await fh.close();
    }
  }

  /** Deletes files; `all` / `image` / `video` select by kind. Fails whole before deleting anything. */
  async deleteFiles(targets: ThetaFile[] | 'all' | 'image' | 'video'): Promise<number> {
    if (this.capture) throw new ThetaError('disabledCommand', 'cannot delete while shooting');
    const list = typeof targets === 'string' ? this.catalog.all().filter((f) => targets === 'all' || f.kind === targets) : targets;
    let n = 0;
    for (const f of [...list]) {
      try {
        await this.medium.deleteFile(f.folder, f.name);
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'NOT_FOUND')) throw this.mapStorageError(err);
      }
      this.catalog.remove(f.name);
      this.fileCache.delete(relPath(f));
      this.thumbCache.delete(relPath(f));
      this.thumb64Cache.delete(relPath(f));
      if (this.latest === relPath(f)) this.latest = '';
      n++;
    }
    if (n > 0) {
      this.storageChanged = true;
      this.notify();
    }
    return n;
  }

  /** camera._finishWlan: the Wi-Fi link ends, and with it the session and the v2.1 switch. */
  finishWlan(): void {
    this.clock.clearTimer(this.linkTimer);
    this.linkDropped('_finishWlan');
  }

  // ---------------------------------------------------------------- live preview

  private stopPreview(): void {
    this.previewGeneration++;
    this.emit('previewStop');
  }

  /**
   * Live-preview frames (JPEG, 640×320) at previewFormat's rate until the signal aborts, the camera
   * shoots, or the capture mode changes.
   */
  async *livePreview(signal?: AbortSignal): AsyncGenerator<Buffer> {
    this.assertPowered();
    if (this.status !== 'idle') throw new ThetaError('disabledCommand', `no preview while ${this.status}`);
    const generation = this.previewGeneration;
    const period = 1000 / PREVIEW_FORMAT.framerate;
    this.previewStreams++;
    if (this.previewStreams === 1) this.battery.setLoad(2);
    try {
      for (let frame = 0; !signal?.aborted && generation === this.previewGeneration && !this.closed; frame++) {
        yield await thetaPreviewFrame(PREVIEW_FORMAT.width, PREVIEW_FORMAT.height, frame);
        try {
          await this.clock.sleep(period, signal);
        } catch {
          return;
        }
      }
    } finally {
      this.previewStreams--;
      if (this.previewStreams === 0 && !this.capture) this.battery.setLoad(1);
    }
  }

  /** Stops timers; files stay. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.clock.clearTimer(this.linkTimer);
    this.clock.clearTimer(this.tick);
    this.clock.clearTimer(this.sleepTimer);
    this.clock.clearTimer(this.offTimer);
    this.clock.clearTimer(this.selfTimer?.timer);
    if (this.capture) {
      await this.stopCapture().catch(() => undefined);
    }
    this.closed = true;
    this.fileCache.clear();
    this.thumbCache.clear();
    this.thumb64Cache.clear();
    this.stopPreview();
    this.removeAllListeners();
  }
}

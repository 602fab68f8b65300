/**
 * The emulated Parrot Sequoia: one device model that every protocol face (HTTP + WebSocket,
 * PTP/IP) drives and observes. It knows nothing of wire formats (docs/architecture.md rule 1): faces call its
 * methods and listen to its events, so a capture started through one face is listed, downloadable
 * and announced through all of them, as on the real multi-client camera.
 *
 * Time comes from an injected {@link Clock}; files go through {@link MediaStorage}.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { debuglog } from 'node:util';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { RealClock } from '../../util/clock.js';
import { MediaStorage, StorageError, type Medium } from '../storage.js';
import {
  BANDS,
  CONFIG_KEYS,
  MONO_SIZES,
  RGB_SIZES,
  type Band,
  type CalibrationState,
  type ChangeNotification,
  type ManualMode,
  type MediumCondition,
  type MediumName,
  type SequoiaConfig,
  type StorageState,
  timelapseMin,
} from '../../sequoia/types.js';
import { renderSequoiaImage, renderSequoiaThumbnail, type SequoiaImageRequest } from '../images/sequoia.js';
import { Calibration, type CalibrationTargetName } from './calibration.js';
import { FlightTrack, defaultSurvey, distanceMetres, type FlightTrackOptions, type TrackPosition } from './flight-track.js';
import { loadState, saveState, type PersistedState } from './persisted-state.js';
import { applyManualMode, validateConfigPatch } from './settings.js';
import {
  autoExposure,
  bodyAttitude,
  irradianceRecords,
  sunshineAttitude,
  sunshineCounts,
  sunshineSamples,
  temperatures,
  toDms,
  type Attitude,
} from './sensors.js';

const log = debuglog('camctl:sequoia');

/** Options of the emulated Sequoia. Every field has a safe default. */
export interface SequoiaDeviceOptions {
  /** Where media and the settings file live. */
  dataDir: string;
  /** Time source; default real time (`speed` times faster). */
  clock?: Clock;
  /** Real-time speed-up when no clock is given (`--speed`). Default 1. */
  speed?: number;
  serialNumber?: string;
  sunshineSerialNumber?: string;
  firmwareVersion?: string;
  /** Capacity of the internal memory in bytes. Default 59 272 328 KiB, as a 64 GB Sequoia reports. */
  internalCapacityBytes?: number;
  /** Capacity of the SD card in bytes. Default 7 630 848 KiB (an 8 GB card). */
  sdCapacityBytes?: number;
  /** Whether an SD card is inserted at boot. Default true. */
  sdPresent?: boolean;
  /** Whether the sunshine sensor is connected at boot. Default true. */
  sunshineConnected?: boolean;
  /** Simulated time from boot to GPS fix. Default 30 s. */
  gpsFixAfterMs?: number;
  /** The simulated flight. Default: a lawnmower survey at 12 m/s and 100 m. */
  track?: FlightTrackOptions;
  /** Simulated time per calibration axis. Default 4 s. */
  calibrationStepMs?: number;
  /** Countdown of a radiometric calibration capture. Default 10 s (as the camera's UI counts). */
  radiometricCountdownMs?: number;
}

export interface FileEvent {
  medium: MediumName;
  folder: string;
  name: string;
  size: number;
}

export interface SequoiaDeviceEvents {
  /** A WebSocket-style change notification (the list in Parrot's Sequoia API reference). */
  notification: [ChangeNotification];
  'file-added': [FileEvent];
  'file-removed': [{ medium: MediumName; folder: string; name: string }];
  'folder-removed': [{ medium: MediumName; folder: string }];
  'capture-complete': [{ medium: MediumName; folder: string; files: string[] }];
  'config-changed': [Partial<SequoiaConfig>];
  'storage-changed': [{ medium: MediumName }];
}

export type CaptureStartResult =
  | { ok: true; status: string; path: string }
  | { ok: false; status: string; reason: 'busy' | 'full' | 'unavailable' | 'read-only' };

interface CaptureSession {
  medium: Medium;
  mediumName: MediumName;
  folder: string;
  mode: SequoiaConfig['capture_mode'];
  config: SequoiaConfig;
  index: number;
  timer?: TimerHandle | undefined;
  writing?: Promise<void> | undefined;
  pending: boolean;
  lastDistance?: number;
  stopped: boolean;
  release: () => void;
}

/** Approximate bytes a capture adds, to refuse one that would not fit (never a truncated file). */
function estimateCaptureBytes(config: SequoiaConfig): number {
  let total = 0;
  for (const band of BANDS) {
    if ((config.sensors_mask & band.bit) === 0) continue;
    if (band.suffix === 'RGB') total += config.resolution_rgb === 16 ? 1_500_000 : 1_150_000;
    else total += config.resolution_mono === 1.2 ? 2_470_000 : 620_000;
  }
  return total + 64 * 1024;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `IMG_YYMMDD_HHMMSS_NNNN_BAND.EXT` in the camera's (UTC) clock — always 30 characters. */
export function captureFileName(timeMs: number, index: number, band: Band): string {
  const d = new Date(timeMs);
  const date = `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `IMG_${date}_${time}_${pad(index % 10000, 4)}_${band.suffix}.${band.ext}`;
}

function uuidHex(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

export class SequoiaDevice extends EventEmitter<SequoiaDeviceEvents> {
  readonly clock: Clock;
  readonly serialNumber: string;
  readonly sunshineSerialNumber: string;
  readonly firmwareVersion: string;
  readonly storage: MediaStorage;
  private state: PersistedState;
  private readonly stateFile: string;
  private readonly bootMs: number;
  private track: FlightTrack;
  private trackStartMs: number;
  private sunshineConnected: boolean;
  private gpsFixAfterMs: number;
  private gpsForced: boolean | undefined;
  private gpsFixTimer?: TimerHandle | undefined;
  private lastFix = false;
  private readonly calibration: Calibration;
  private readonly radiometricCountdownMs: number;
  private session?: CaptureSession | undefined;
  /** A start between its check and its session (the folder being opened). */
  private starting?: Promise<CaptureSession> | undefined;
  private stopWhenStarted = false;
  private radiometric?: { timer: TimerHandle; opening?: Promise<void> } | undefined;
  private readonly fullMedia = new Set<MediumName>();
  /** Media that went read-only, corrupted or failed (emulator control); absent = ok. */
  private readonly conditions = new Map<MediumName, Exclude<MediumCondition, 'ok'>>();
  private flightUuid = uuidHex();
  private saving: Promise<void> = Promise.resolve();
  private closed = false;
  private revision = 0;

  private constructor(opts: SequoiaDeviceOptions, storage: MediaStorage, state: PersistedState, clock: Clock) {
    super();
    this.clock = clock;
    this.storage = storage;
    this.state = state;
    this.stateFile = path.join(path.resolve(opts.dataDir), 'settings.json');
    this.serialNumber = opts.serialNumber ?? 'PI040378AA6A000109';
    this.sunshineSerialNumber = opts.sunshineSerialNumber ?? 'PI040379AA6E000358';
    this.firmwareVersion = opts.firmwareVersion ?? '1.4.1';
    this.bootMs = clock.now();
    this.track = new FlightTrack(opts.track ?? defaultSurvey());
    this.trackStartMs = this.bootMs;
    this.sunshineConnected = opts.sunshineConnected ?? true;
    this.gpsFixAfterMs = opts.gpsFixAfterMs ?? 30_000;
    this.radiometricCountdownMs = opts.radiometricCountdownMs ?? 10_000;
    this.calibration = new Calibration(clock, opts.calibrationStepMs ?? 4_000, (target, s) => this.onCalibration(target, s));
    this.lastFix = this.hasGpsFix();
    this.scheduleGpsFix();
  }

  /** Opens (or creates) a device over a data directory; settings and files persist there. */
  static async open(opts: SequoiaDeviceOptions): Promise<SequoiaDevice> {
    const serial = opts.serialNumber ?? 'PI040378AA6A000109';
    const dataDir = path.resolve(opts.dataDir);
    const storage = await MediaStorage.open(path.join(dataDir, 'media'), [
      { name: 'internal', capacityBytes: opts.internalCapacityBytes ?? 59_272_328 * 1024 },
      { name: 'sd', capacityBytes: opts.sdCapacityBytes ?? 7_630_848 * 1024, present: opts.sdPresent ?? true },
    ]);
    const state = await loadState(path.join(dataDir, 'settings.json'), serial);
    // Never reuse a folder number that exists on either medium, even if the settings file was lost.
    for (const m of storage.media.values()) {
      const wasPresent = m.present;
      m.present = true;
      for (const f of await m.listFolders()) {
        if (/^\d{4}$/.test(f)) state.nextFolder = Math.max(state.nextFolder, Number(f) + 1);
      }
      m.present = wasPresent;
    }
    if (state.config.storage_selected === 'sd' && !(opts.sdPresent ?? true)) state.config.storage_selected = 'internal';
    const clock = opts.clock ?? new RealClock(opts.speed ?? 1);
    return new SequoiaDevice(opts, storage, state, clock);
  }

  // ---- configuration ---------------------------------------------------------------------------

  getConfig(): SequoiaConfig {
    return { ...this.state.config };
  }

  /**
   * Applies a POSTed configuration field by field. Returns the reply entries ("Ok" or the
   * firmware's error text) and whether anything was applied.
   */
  setConfig(body: Record<string, unknown>): { replies: Record<string, string>; applied: boolean } {
    const { accepted, replies } = validateConfigPatch(body, this.state.config, {
      capturing: this.busyCapturing,
      sdPresent: this.sdPresent,
    });
    const changed: Partial<SequoiaConfig> = {};
    for (const key of CONFIG_KEYS) {
      if (!(key in accepted)) continue;
      const value = accepted[key];
      if (value === undefined || this.state.config[key] === value) continue;
      (this.state.config as unknown as Record<string, unknown>)[key] = value;
      (changed as Record<string, unknown>)[key] = value;
    }
    // Turning the RGB sensor on raises a period below its 1 s minimum to that minimum, so the
    // camera never holds a period it would refuse (and PTP's TimelapseInterval stays in its range).
    const shortest = timelapseMin(this.state.config.sensors_mask);
    if (this.state.config.timelapse_param < shortest) {
      this.state.config.timelapse_param = shortest;
      changed.timelapse_param = shortest;
    }
    if (Object.keys(changed).length > 0) {
      this.persist();
      this.announceConfig(changed);
    }
    return { replies, applied: Object.keys(accepted).length > 0 };
  }

  private announceConfig(changed: Partial<SequoiaConfig>): void {
    const c = this.state.config;
    if (changed.capture_mode !== undefined) this.notify({ status: 'change', capture_mode: c.capture_mode });
    if (changed.timelapse_param !== undefined) this.notify({ status: 'change', timelapse_param: c.timelapse_param });
    if (changed.gps_param !== undefined) this.notify({ status: 'change', gps_param: c.gps_param });
    if (changed.overlap_param !== undefined) this.notify({ status: 'change', overlap_param: c.overlap_param });
    if (changed.sensors_mask !== undefined) this.notify({ status: 'change', sensors_mask: c.sensors_mask });
    if (changed.resolution_rgb !== undefined || changed.resolution_mono !== undefined) {
      this.notify({ status: 'change', resolution_rgb: c.resolution_rgb, resolution_mono: c.resolution_mono });
    }
    if (changed.bit_depth !== undefined) this.notify({ status: 'change', bit_depth: c.bit_depth });
    if (changed.storage_selected !== undefined) this.notify({ status: 'change', storage_select: c.storage_selected });
    this.emit('config-changed', changed);
  }

  getManualMode(): ManualMode {
    return structuredClone(this.state.manualMode);
  }

  setManualMode(body: Record<string, unknown>): { reply: Record<string, unknown>; applied: boolean } {
    const { next, reply, applied } = applyManualMode(body, this.state.manualMode);
    if (applied) {
      this.state.manualMode = next;
      this.persist();
    }
    return { reply, applied };
  }

  getWifi(): { ssid: string; status: 'on' | 'off' } {
    return { ssid: this.state.ssid, status: this.state.wifiStatus };
  }

  setWifi(body: Record<string, unknown>): { replies: Record<string, string>; applied: boolean } {
    const replies: Record<string, string> = {};
    let applied = false;
    for (const [key, value] of Object.entries(body)) {
      if (key === 'ssid') {
        // 802.11 limits an SSID to 32 bytes; printable text only, as the camera's UI enforces.
        if (typeof value === 'string' && value.length > 0 && Buffer.byteLength(value) <= 32 && !/[\u0000-\u001f]/.test(value)) {
          this.state.ssid = value;
          replies.ssid = 'Ok';
          applied = true;
        } else replies.ssid = 'Bad value';
      } else if (key === 'status') {
        if (value === 'on' || value === 'off') {
          this.state.wifiStatus = value;
          replies.status = 'Ok';
          applied = true;
        } else replies.status = 'Bad value';
      } else if (key !== 'request') {
        replies[key] = 'Unknown setting';
      }
    }
    if (applied) this.persist();
    return { replies, applied };
  }

  private persist(): void {
    const snapshot = structuredClone(this.state);
    this.saving = this.saving.then(() => saveState(this.stateFile, snapshot)).catch((err: unknown) => log('saving settings failed: %o', err));
  }

  // ---- sensors -----------------------------------------------------------------------------------

  get sdPresent(): boolean {
    return this.storage.media.get('sd')?.present ?? false;
  }

  /**
   * Grows whenever state that the sensor simulation reads changes other than by time passing
   * (notifications, a new flight track, a forced GPS fix), so a face may reuse an answer computed
   * at the same clock instant and revision (the HTTP face does for `GET /status`).
   */
  get stateRevision(): number {
    return this.revision;
  }

  get isSunshineConnected(): boolean {
    return this.sunshineConnected;
  }

  position(): TrackPosition {
    return this.track.positionAt(this.clock.now() - this.trackStartMs);
  }

  hasGpsFix(): boolean {
    if (this.gpsForced !== undefined) return this.gpsForced;
    return this.clock.now() - this.bootMs >= this.gpsFixAfterMs;
  }

  /** The body's attitude now, or at an earlier instant `atMs` (the sunshine log's readings). */
  bodyAttitude(atMs = this.clock.now()): Attitude {
    const r = this.calibration.rotation('body');
    return bodyAttitude(atMs, this.track.positionAt(atMs - this.trackStartMs), r.yaw, r.pitch, r.roll);
  }

  sunshineAttitude(atMs = this.clock.now()): Attitude | null {
    if (!this.sunshineConnected) return null;
    const r = this.calibration.rotation('sunshine');
    const a = sunshineAttitude(this.bodyAttitude(atMs), atMs);
    return { yaw: a.yaw + r.yaw, pitch: a.pitch + r.pitch, roll: a.roll + r.roll };
  }

  temperatures() {
    return temperatures(this.clock.now(), this.bootMs, this.sunshineConnected);
  }

  sunshine() {
    if (!this.sunshineConnected) return null;
    const p = this.position();
    return sunshineCounts(this.clock.now(), p.lat, p.lon);
  }

  gps(): { fix: boolean; satellites: number; precision: number; speed: number; lat: number; lon: number; altitude: number } {
    const fix = this.hasGpsFix();
    const p = this.position();
    const up = this.clock.now() - this.bootMs;
    if (!fix) {
      // Satellites appear one by one while the receiver searches.
      const sats = Math.min(3, Math.floor(up / Math.max(1, this.gpsFixAfterMs / 4)));
      return { fix: false, satellites: this.gpsForced === false ? 0 : sats, precision: 0, speed: 0, lat: p.lat, lon: p.lon, altitude: p.altitude };
    }
    const t = this.clock.now() / 1000;
    return {
      fix: true,
      satellites: 9 + Math.round(2 * Math.sin(t / 97)),
      precision: Math.round((1.1 + 0.3 * Math.sin(t / 53)) * 100) / 100,
      speed: p.speed,
      lat: p.lat,
      lon: p.lon,
      altitude: p.altitude,
    };
  }

  /** GPS position split the firmware's way (`degres_lat`, …). */
  gpsDms() {
    const g = this.gps();
    return { lat: toDms(g.lat), lon: toDms(g.lon), altitude: g.altitude };
  }

  private scheduleGpsFix(): void {
    this.clock.clearTimer(this.gpsFixTimer);
    const remaining = this.bootMs + this.gpsFixAfterMs - this.clock.now();
    if (this.gpsForced === undefined && remaining > 0) {
      this.gpsFixTimer = this.clock.setTimeout(() => this.checkFix(), remaining);
    }
  }

  private checkFix(): void {
    const fix = this.hasGpsFix();
    if (fix !== this.lastFix) {
      this.lastFix = fix;
      this.notify({ status: 'change', fix: fix ? 'yes' : 'no' });
    }
  }

  // ---- calibration -------------------------------------------------------------------------------

  calibrationState(): { body: CalibrationState; sunshine: CalibrationState } {
    return { body: this.calibration.get('body'), sunshine: this.calibration.get('sunshine') };
  }

  /** Starts calibration of one or both targets. Refused while a capture runs. */
  startCalibration(targets: CalibrationTargetName[]): { ok: boolean; status: string } {
    if (this.busyCapturing) return { ok: false, status: 'Not available' };
    for (const t of targets) this.calibration.start(t, t === 'sunshine' ? this.sunshineConnected : true);
    return { ok: true, status: 'Calibration running' };
  }

  stopCalibration(targets: CalibrationTargetName[]): { ok: boolean; status: string } {
    let any = false;
    for (const t of targets) any = this.calibration.stop(t) || any;
    return any ? { ok: true, status: 'Ready' } : { ok: false, status: 'Calibration is not running' };
  }

  private onCalibration(target: CalibrationTargetName, state: CalibrationState): void {
    this.notify({ status: 'change', calibration: target, state });
  }

  // ---- capture -----------------------------------------------------------------------------------

  /** `/capture` status text and the folder being written. */
  captureStatus(): { status: string; path?: string } {
    if (this.radiometric || this.session?.mode === 'radiometric') return { status: 'Radiometric Calibration Running' };
    if (this.session) {
      const status = this.session.mode === 'single' ? 'Snapshot running' : 'Timelapse running';
      return { status, path: `/${this.session.mediumName}/${this.session.folder}` };
    }
    // Acknowledged-to-be, its folder still opening: already running, as far as anyone asking can tell.
    if (this.starting) return { status: this.state.config.capture_mode === 'single' ? 'Snapshot running' : 'Timelapse running' };
    if (this.calibration.isRunning()) return { status: 'Calibration running' };
    return { status: 'Ready' };
  }

  get isCapturing(): boolean {
    return this.busyCapturing;
  }

  /** A session runs, is being opened, or a radiometric countdown runs: no other capture may start. */
  private get busyCapturing(): boolean {
    return this.session !== undefined || this.starting !== undefined || this.radiometric !== undefined;
  }

  private selectMediumForCapture(estimate: number): { medium: Medium; name: MediumName } | undefined {
    const cfg = this.state.config;
    const order: MediumName[] = cfg.storage_selected === 'sd' ? ['sd', 'internal'] : ['internal', 'sd'];
    for (const name of cfg.auto_select === 'on' ? order : [cfg.storage_selected]) {
      const m = this.storage.media.get(name);
      if (m && m.present && !this.conditions.has(name) && m.freeBytes >= estimate) {
        if (name !== cfg.storage_selected) {
          cfg.storage_selected = name;
          this.persist();
          this.notify({ status: 'change', storage_select: name });
        }
        return { medium: m, name };
      }
    }
    return undefined;
  }

  /**
   * Starts a capture session in the configured mode (`/capture/start`, PTP InitiateCapture).
   *
   * One atomic step whatever the face: the start is claimed (`starting`) before the first await,
   * so a second start arriving while the folder is being opened is answered busy, as one arriving
   * while the capture runs is — never given the same folder number.
   */
  async startCapture(): Promise<CaptureStartResult> {
    if (this.busyCapturing) return { ok: false, status: 'Not available', reason: 'busy' };
    if (this.calibration.isRunning()) return { ok: false, status: 'Calibration running', reason: 'busy' };
    const config = this.getConfig();
    const estimate = estimateCaptureBytes(config);
    const target = this.selectMediumForCapture(estimate);
    if (!target) {
      const selected = this.storage.media.get(config.storage_selected);
      if (!selected?.present) return { ok: false, status: 'Not available', reason: 'unavailable' };
      const refused = this.refusalFor(config.storage_selected);
      if (refused) return refused;
      this.markFull(config.storage_selected);
      return { ok: false, status: 'Storage full', reason: 'full' };
    }
    if (config.capture_mode === 'radiometric') return this.startRadiometric(target.medium, target.name, config);
    const opening = this.openSession(target.medium, target.name, config);
    this.starting = opening;
    let session: CaptureSession;
    try {
      session = await opening;
    } catch (err) {
      log('opening a capture folder failed: %o', err);
      return { ok: false, status: 'Not available', reason: 'unavailable' };
    } finally {
      this.starting = undefined;
    }
    this.notify({ status: 'change', capture: 'running' });
    const status = this.captureStatus().status;
    this.scheduleSession(session);
    // A stop that came while the folder was opening applies now, after the first capture.
    if (this.stopWhenStarted) {
      this.stopWhenStarted = false;
      this.stopCapture();
    }
    return { ok: true, status, path: `/${session.mediumName}/${session.folder}` };
  }

  private async openSession(medium: Medium, mediumName: MediumName, config: SequoiaConfig): Promise<CaptureSession> {
    let number = this.state.nextFolder;
    const existing = new Set(await medium.listFolders());
    while (existing.has(pad(number, 4))) number++;
    const folder = pad(number % 10000, 4);
    this.state.nextFolder = number + 1;
    this.persist();
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

  private scheduleSession(s: CaptureSession): void {
    const trigger = () => this.trigger(s);
    switch (s.mode) {
      case 'single':
        trigger();
        break;
      case 'timelapse':
        trigger();
        s.timer = this.clock.setInterval(trigger, s.config.timelapse_param * 1000);
        break;
      case 'gps_position':
      case 'auto': {
        // Distance-triggered: poll the simulated position often enough for 1 capture/s at 12 m/s.
        const check = () => {
          if (!this.hasGpsFix()) return;
          const p = this.position();
          const spacing = s.mode === 'gps_position' ? s.config.gps_param : this.autoSpacing(s.config, p);
          if (s.lastDistance === undefined || p.distance - s.lastDistance >= spacing) {
            s.lastDistance = p.distance;
            trigger();
          }
        };
        check();
        s.timer = this.clock.setInterval(check, 200);
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
  autoSpacing(config: SequoiaConfig, p: TrackPosition): number {
    const footprint = (p.altitude - this.track.groundElevation) * (3.6 / 3.98);
    return Math.max(footprint * (1 - config.overlap_param / 100), p.speed * 1);
  }

  /** One capture of the session, now — or right after the one being written (never two at once). */
  private trigger(s: CaptureSession): void {
    if (s.stopped) return;
    if (s.writing) {
      s.pending = true;
      return;
    }
    s.writing = this.writeCapture(s)
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
        // it already reads Ready, so every face's last word on the capture is the camera's
        // (a PTP initiator reads the status mask right after CaptureComplete).
        if (written) this.emit('capture-complete', written);
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
    s.stopped = true;
    this.clock.clearTimer(s.timer);
  }

  /** Writes one capture's files; what was written, for `capture-complete`. */
  private async writeCapture(s: CaptureSession): Promise<{ medium: MediumName; folder: string; files: string[] }> {
    this.assertWritable(s.mediumName);
    const estimate = estimateCaptureBytes(s.config);
    if (s.medium.freeBytes < estimate) throw new StorageError('FULL', `${s.mediumName} is full`);
    const now = this.clock.now();
    const index = s.index++;
    const base = this.imageBase(s.config, now, index);
    const files: string[] = [];
    const bands = BANDS.filter((b) => (s.config.sensors_mask & b.bit) !== 0);
    const rendered = bands.map(async (band) => {
      const req = this.imageRequest(base, band, s.config);
      const [image, thumb] = await Promise.all([renderSequoiaImage(req), renderSequoiaThumbnail(req)]);
      return { band, image, thumb };
    });
    for (const r of rendered) {
      const { band, image, thumb } = await r;
      const name = captureFileName(now, index, band);
      if (s.stopped && (s.medium.present === false || this.conditions.has(s.mediumName))) break;
      const size = await s.medium.writeFile(s.folder, name, image, { mtimeMs: now });
      await s.medium.writeFile(s.folder, thumbnailName(name), thumb, { subdir: '.thumb', mtimeMs: now });
      files.push(name);
      this.emit('file-added', { medium: s.mediumName, folder: s.folder, name, size });
    }
    this.emit('storage-changed', { medium: s.mediumName });
    if (s.medium.freeBytes < estimate) {
      this.markFull(s.mediumName);
      s.stopped = true;
      this.clock.clearTimer(s.timer);
    }
    return { medium: s.mediumName, folder: s.folder, files };
  }

  private imageBase(config: SequoiaConfig, now: number, index: number) {
    const gps = this.gps();
    const p = this.position();
    const first = this.track.waypoints[0]!;
    const east = distanceMetres(first, { lat: first.lat, lon: p.lon }) * Math.sign(p.lon - first.lon);
    const north = distanceMetres(first, { lat: p.lat, lon: first.lon }) * Math.sign(p.lat - first.lat);
    // The sensor's log of the last two seconds, on the power-on clock; each band's files take
    // their own channel pair out of it.
    const sunshine = this.sunshineConnected
      ? sunshineSamples(now, this.bootMs, p.lat, p.lon, (t) => this.sunshineAttitude(t)!)
      : null;
    return {
      now,
      index,
      gps,
      attitude: this.bodyAttitude(),
      sunshine,
      uptimeUs: BigInt(Math.round((now - this.bootMs) * 1000)),
      scene: { x: east, y: north },
      captureUuid: uuidHex(),
      config,
    };
  }

  private imageRequest(base: ReturnType<SequoiaDevice['imageBase']>, band: Band, config: SequoiaConfig): SequoiaImageRequest {
    const isRgb = band.suffix === 'RGB';
    const [width, height] = isRgb ? RGB_SIZES[config.resolution_rgb] : MONO_SIZES[config.resolution_mono === 1.2 ? '1.2' : '0.3'];
    const exposure = this.exposureFor(band);
    return {
      band: band.suffix,
      width,
      height,
      bitDepth: config.bit_depth,
      captureTimeMs: base.now,
      serialNumber: this.serialNumber,
      firmwareVersion: this.firmwareVersion,
      exposureUs: exposure.exp_us,
      iso: exposure.iso,
      gps: { fix: base.gps.fix, lat: base.gps.lat, lon: base.gps.lon, altitude: base.gps.altitude },
      attitude: base.attitude,
      irradiance: base.sunshine && band.name !== 'rgb' ? irradianceRecords(base.sunshine, band.name) : null,
      uptimeUs: base.uptimeUs,
      sunshineSerialNumber: this.sunshineSerialNumber,
      captureUuid: base.captureUuid,
      flightUuid: this.flightUuid,
      pictureIndex: base.index,
      scene: base.scene,
    };
  }

  /** Manual settings when set; otherwise an auto-exposure that follows the light. */
  private exposureFor(band: Band): { exp_us: number; iso: number } {
    const mm = this.state.manualMode;
    if (band.suffix === 'RGB') {
      if (mm.rgb.mode === 'manual') return { exp_us: mm.rgb.exp_us, iso: mm.rgb.iso };
    } else if (mm.monochrome.mode === 'manual') {
      const s = mm.monochrome[band.name as 'green' | 'red' | 'red_edge' | 'near_infrared'];
      return { exp_us: s.exp_us, iso: s.iso };
    }
    // Each imager meters its own band: the light the sunshine sensor reads there.
    const p = this.position();
    return autoExposure(band.name, sunshineCounts(this.clock.now(), p.lat, p.lon));
  }

  /** `/capture/stop`: ends a continuous session after the capture being written. */
  stopCapture(): { ok: boolean; status: string } {
    // Once the countdown is over the capture is being taken; like a single shot, it completes.
    if (this.radiometric?.opening) return { ok: true, status: 'Ready' };
    if (this.radiometric) {
      this.clock.clearTimer(this.radiometric.timer);
      this.radiometric = undefined;
      this.notify({ status: 'change', staystill: 'no' });
      this.notify({ status: 'change', capture: 'ready' });
      return { ok: true, status: 'Ready' };
    }
    if (this.starting) {
      this.stopWhenStarted = true;
      return { ok: true, status: 'Ready' };
    }
    const s = this.session;
    if (!s) return { ok: false, status: 'Capture is not running' };
    s.stopped = true;
    this.clock.clearTimer(s.timer);
    if (!s.writing) this.endSession(s);
    return { ok: true, status: 'Ready' };
  }

  private endSession(s: CaptureSession): void {
    if (this.session !== s) return;
    this.clock.clearTimer(s.timer);
    s.release();
    this.session = undefined;
    this.notify({ status: 'change', capture: 'ready' });
    this.idleWaiters.splice(0).forEach((r) => r());
  }

  private readonly idleWaiters: Array<() => void> = [];

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

  private startRadiometric(medium: Medium, name: MediumName, config: SequoiaConfig): CaptureStartResult {
    // The UI counts down while the user holds the calibration target still under the camera;
    // the status stays "Radiometric Calibration Running" until the capture is written.
    this.notify({ status: 'change', staystill: 'yes' });
    this.notify({ status: 'change', capture: 'running' });
    const radiometric: { timer: TimerHandle; opening?: Promise<void> } = {
      timer: this.clock.setTimeout(() => {
        this.notify({ status: 'change', staystill: 'no' });
        radiometric.opening = this.openSession(medium, name, config).then(
          (s) => {
            this.radiometric = undefined;
            this.trigger(s);
          },
          (err: unknown) => {
            log('radiometric capture failed: %o', err);
            this.radiometric = undefined;
            this.notify({ status: 'change', capture: 'ready' });
          },
        );
      }, this.radiometricCountdownMs),
    };
    this.radiometric = radiometric;
    return { ok: true, status: 'Radiometric Calibration Running', path: `/${name}` };
  }

  /** `/calibration/radiometric/start`: a radiometric capture whatever the configured mode. */
  async startRadiometricCalibration(): Promise<CaptureStartResult> {
    if (this.busyCapturing) return { ok: false, status: 'Not available', reason: 'busy' };
    const config = { ...this.getConfig(), capture_mode: 'radiometric' as const };
    const target = this.selectMediumForCapture(estimateCaptureBytes(config));
    if (!target) {
      if (!this.storage.media.get(config.storage_selected)?.present) return { ok: false, status: 'Not available', reason: 'unavailable' };
      return this.refusalFor(config.storage_selected) ?? { ok: false, status: 'Storage full', reason: 'full' };
    }
    return this.startRadiometric(target.medium, target.name, config);
  }

  // ---- storage -------------------------------------------------------------------------------

  /** Present media in the camera's order. */
  presentMedia(): Array<{ name: MediumName; medium: Medium }> {
    const out: Array<{ name: MediumName; medium: Medium }> = [];
    for (const name of ['internal', 'sd'] as const) {
      const m = this.storage.media.get(name);
      if (m?.present) out.push({ name, medium: m });
    }
    return out;
  }

  /** A medium to read from; a corrupted or failed one refuses (StorageError FAULT). */
  medium(name: string): Medium {
    const m = this.storage.get(name);
    const condition = this.conditions.get(name as MediumName);
    if (condition === 'corrupted' || condition === 'error') throw mediumFault(name, condition);
    return m;
  }

  /** `ok`, or what went wrong with the medium (see {@link MediumCondition}). */
  mediumCondition(name: MediumName): MediumCondition {
    return this.conditions.get(name) ?? 'ok';
  }

  /** Throws what the camera says when it cannot write to (or delete from) a medium. */
  private assertWritable(name: MediumName): void {
    const condition = this.conditions.get(name);
    if (condition === 'read-only') throw new StorageError('READ_ONLY', `/${name} is read-only`);
    if (condition) throw mediumFault(name, condition);
  }

  /** The camera's refusal of a capture onto a medium that cannot take it (none when it can). */
  private refusalFor(name: MediumName): CaptureStartResult | undefined {
    const condition = this.conditions.get(name);
    if (!condition) return undefined;
    return { ok: false, status: 'Not available', reason: condition === 'read-only' ? 'read-only' : 'unavailable' };
  }

  async deleteFile(mediumName: MediumName, folder: string, name: string): Promise<void> {
    this.assertWritable(mediumName);
    const m = this.storage.get(mediumName);
    if (this.session && this.session.medium === m && this.session.folder === folder) {
      throw new StorageError('BUSY', `/${mediumName}/${folder} is being written`);
    }
    await m.deleteFile(folder, name);
    this.emit('file-removed', { medium: mediumName, folder, name });
    this.afterDelete(mediumName);
  }

  async deleteFolder(mediumName: MediumName, folder: string): Promise<void> {
    this.assertWritable(mediumName);
    const m = this.storage.get(mediumName);
    await m.deleteFolder(folder);
    this.emit('folder-removed', { medium: mediumName, folder });
    this.afterDelete(mediumName);
  }

  private afterDelete(name: MediumName): void {
    this.emit('storage-changed', { medium: name });
    const m = this.storage.media.get(name);
    if (m && this.fullMedia.has(name) && m.freeBytes >= estimateCaptureBytes(this.state.config)) {
      this.fullMedia.delete(name);
      this.notify({ status: 'change', storage_status: name, state: 'no_longer_full' });
    }
  }

  private markFull(name: MediumName): void {
    if (this.fullMedia.has(name)) return;
    this.fullMedia.add(name);
    this.notify({ status: 'change', storage_status: name, state: 'full' });
  }

  isFull(name: MediumName): boolean {
    return this.fullMedia.has(name);
  }

  // ---- emulator controls ---------------------------------------------------------------------

  /** Removes or inserts the SD card. Removing it while writing to it stops the capture. */
  setSdPresent(present: boolean): void {
    const sd = this.storage.media.get('sd');
    if (!sd || sd.present === present) return;
    if (!present && this.session?.mediumName === 'sd') {
      const s = this.session;
      s.stopped = true;
      this.clock.clearTimer(s.timer);
      // Between two pictures nothing is left to finish: the session ends now (a picture being
      // written ends it when done), so no face goes on saying "Timelapse running" on a missing card.
      if (!s.writing) this.endSession(s);
    }
    sd.present = present;
    this.notify({ status: 'change', storage_status: 'sd', state: present ? 'connected' : 'disconnected' });
    // A card that went bad stays bad when it is put back.
    if (present && this.conditions.has('sd')) this.notify({ status: 'change', storage_status: 'sd', state: 'error' });
    const cfg = this.state.config;
    const select = (name: MediumName) => {
      if (cfg.storage_selected === name) return;
      cfg.storage_selected = name;
      this.persist();
      this.notify({ status: 'change', storage_select: name });
    };
    if (!present && cfg.storage_selected === 'sd') select('internal');
    if (present && cfg.auto_select === 'on' && !this.busyCapturing) select('sd');
    this.emit('storage-changed', { medium: 'sd' });
  }

  /**
   * Makes a medium read-only, corrupted or failed (`error`), or well again (`ok`). Entering a bad
   * condition is announced as the storage state "error" (the only failure state Parrot's Sequoia
   * API reference lists), recovering as "connected"; a capture writing to it stops.
   */
  setMediumCondition(name: MediumName, condition: MediumCondition): void {
    if (!this.storage.media.has(name)) throw new StorageError('NOT_FOUND', `no medium ${name}`);
    const before = this.mediumCondition(name);
    if (before === condition) return;
    if (condition === 'ok') this.conditions.delete(name);
    else this.conditions.set(name, condition);
    const s = this.session;
    if (condition !== 'ok' && s?.mediumName === name) {
      s.stopped = true;
      this.clock.clearTimer(s.timer);
      if (!s.writing) this.endSession(s);
    }
    this.revision++;
    if (this.storage.media.get(name)?.present) {
      if (before === 'ok') this.notify({ status: 'change', storage_status: name, state: 'error' });
      else if (condition === 'ok') this.notify({ status: 'change', storage_status: name, state: 'connected' });
    }
    this.emit('storage-changed', { medium: name });
  }

  /** Fills a medium with simulated data (`bytes` = 'full', or how many free bytes to leave). */
  fillMedium(name: MediumName, leaveFreeBytes: number): void {
    const m = this.storage.media.get(name);
    if (!m) throw new StorageError('NOT_FOUND', `no medium ${name}`);
    m.fillerBytes = 0;
    m.fillerBytes = Math.max(0, m.capacityBytes - m.usedBytes - Math.max(0, leaveFreeBytes));
    this.emit('storage-changed', { medium: name });
    if (m.freeBytes < estimateCaptureBytes(this.state.config)) this.markFull(name);
    else this.afterDelete(name);
  }

  /** Empties the simulated filler of a medium. */
  unfillMedium(name: MediumName): void {
    const m = this.storage.media.get(name);
    if (!m) throw new StorageError('NOT_FOUND', `no medium ${name}`);
    m.fillerBytes = 0;
    this.afterDelete(name);
  }

  setSunshineConnected(connected: boolean): void {
    if (this.sunshineConnected === connected) return;
    this.sunshineConnected = connected;
    if (!connected && this.calibration.isRunning('sunshine')) this.calibration.stop('sunshine');
    this.notify({ status: 'change', sunshine: connected ? 'connected' : 'disconnected' });
  }

  /** Forces the GPS fix on or off, or back to the simulation (`undefined`: fix after the boot delay). */
  setGpsFix(fix: boolean | undefined): void {
    this.revision++;
    this.gpsForced = fix;
    this.scheduleGpsFix();
    this.checkFix();
  }

  /** Replaces the flight track; the drone starts it now. A new flight gets a new FlightUUID. */
  setTrack(opts: FlightTrackOptions): void {
    this.revision++;
    this.track = new FlightTrack(opts);
    this.trackStartMs = this.clock.now();
    this.flightUuid = uuidHex();
  }

  trackOptions(): FlightTrackOptions {
    return { waypoints: this.track.waypoints, speed: this.track.speed, altitude: this.track.altitude, groundElevation: this.track.groundElevation };
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  private notify(n: ChangeNotification): void {
    this.revision++;
    if (this.closed) return;
    this.emit('notification', n);
  }

  /** Stops timers and waits for pending writes and the settings file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.radiometric) {
      this.clock.clearTimer(this.radiometric.timer);
      await this.radiometric.opening;
    }
    await this.starting?.catch(() => undefined);
    const s = this.session;
    if (s) {
      s.stopped = true;
      this.clock.clearTimer(s.timer);
      await s.writing?.catch(() => undefined);
      s.release();
      this.session = undefined;
    }
    this.clock.clearTimer(this.gpsFixTimer);
    this.calibration.close();
    await this.saving;
  }
}

function mediumFault(name: string, condition: MediumCondition): StorageError {
  return new StorageError('FAULT', condition === 'corrupted' ? 'Storage is corrupted' : 'Storage error', { cause: `/${name} is ${condition}` });
}

/** Where a picture's thumbnail is kept: `.thumb/<stem>.jpg` in its folder. */
export function thumbnailName(fileName: string): string {
  return `${fileName.replace(/\.[^.]+$/, '')}.jpg`;
}

export type { StorageState };

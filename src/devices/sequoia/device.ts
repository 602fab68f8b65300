/**
 * The emulated Parrot Sequoia: one device model that every protocol face (HTTP + WebSocket,
 * PTP/IP) drives and observes. It knows nothing of wire formats (docs/architecture.md rule 1):
 * faces call its methods, which answer typed outcomes (outcomes.ts), and listen to its events
 * (events.ts), so a capture started through one face is listed, downloadable and announced
 * through all of them, as on the real multi-client camera.
 *
 * The device is a composition of its parts, each in its own file: settings (settings-store.ts,
 * settings.ts, persisted-state.ts), instruments and flight (instruments.ts, sensors.ts,
 * flight-track.ts), IMU calibration (calibration.ts), media (media.ts over ../storage.ts) and the
 * capture pipeline (capture.ts, capture-pictures.ts). What involves several parts — a setting
 * refused while capturing, a card pulled out mid-capture — is decided here.
 *
 * Time comes from an injected {@link Clock}; files go through {@link MediaStorage}.
 */
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { Clock } from '../../util/clock.js';
import { RealClock } from '../../util/clock.js';
import { MediaStorage, StorageError, type Medium } from '../storage.js';
import { Calibration } from './calibration.js';
import { CapturePipeline } from './capture.js';
import { estimateCaptureBytes, type CameraIdentity } from './capture-pictures.js';
import type { DeviceChange, SequoiaDeviceEvents } from './events.js';
import type { FlightTrackOptions, TrackPosition } from './flight-track.js';
import { Instruments, type GpsReading } from './instruments.js';
import { MediaBay } from './media.js';
import type {
  CalibrationStartOutcome,
  CaptureActivity,
  CaptureStartOutcome,
  OutcomeTree,
  SettingOutcome,
  SettingsOutcome,
  StopOutcome,
} from './outcomes.js';
import { loadState } from './persisted-state.js';
import type { Attitude, SunshineReading, TemperatureReading } from './sensors.js';
import { SettingsStore, type WifiSettings } from './settings-store.js';
import type {
  CalibrationState,
  CalibrationTargetName,
  DeviceConfig,
  ManualMode,
  MediumCondition,
  MediumName,
} from './types.js';

export type { FileEvent, SequoiaDeviceEvents, DeviceChange } from './events.js';

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

export class SequoiaDevice extends EventEmitter<SequoiaDeviceEvents> {
  readonly clock: Clock;
  readonly serialNumber: string;
  readonly sunshineSerialNumber: string;
  readonly firmwareVersion: string;
  readonly storage: MediaStorage;
  /** The capture settings, exposure settings, Wi-Fi and folder counter, persisted. */
  readonly settings: SettingsStore;
  readonly media: MediaBay;
  readonly instruments: Instruments;
  readonly calibration: Calibration;
  readonly capture: CapturePipeline;
  private closed = false;
  private revision = 0;

  private constructor(opts: SequoiaDeviceOptions, storage: MediaStorage, settings: SettingsStore, clock: Clock) {
    super();
    this.clock = clock;
    this.storage = storage;
    this.settings = settings;
    this.serialNumber = opts.serialNumber ?? 'PI040378AA6A000109';
    this.sunshineSerialNumber = opts.sunshineSerialNumber ?? 'PI040379AA6E000358';
    this.firmwareVersion = opts.firmwareVersion ?? '1.4.1';
    this.media = new MediaBay(storage);
    this.calibration = new Calibration(clock, opts.calibrationStepMs ?? 4_000, (target, state) =>
      this.announce({ kind: 'calibration', target, state }),
    );
    this.instruments = new Instruments(clock, this.calibration, opts, (fix) => this.announce({ kind: 'gps-fix', fix }));
    const identity: CameraIdentity = {
      serialNumber: this.serialNumber,
      sunshineSerialNumber: this.sunshineSerialNumber,
      firmwareVersion: this.firmwareVersion,
    };
    this.capture = new CapturePipeline({
      clock,
      identity,
      settings,
      media: this.media,
      instruments: this.instruments,
      calibration: this.calibration,
      radiometricCountdownMs: opts.radiometricCountdownMs ?? 10_000,
      events: this,
      announce: (change) => this.announce(change),
    });
  }

  /** Opens (or creates) a device over a data directory; settings and files persist there. */
  static async open(opts: SequoiaDeviceOptions): Promise<SequoiaDevice> {
    const serial = opts.serialNumber ?? 'PI040378AA6A000109';
    const dataDir = path.resolve(opts.dataDir);
    const storage = await MediaStorage.open(path.join(dataDir, 'media'), [
      { name: 'internal', capacityBytes: opts.internalCapacityBytes ?? 59_272_328 * 1024 },
      { name: 'sd', capacityBytes: opts.sdCapacityBytes ?? 7_630_848 * 1024, present: opts.sdPresent ?? true },
    ]);
    const stateFile = path.join(dataDir, 'settings.json');
    const state = await loadState(stateFile, serial);
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
    return new SequoiaDevice(opts, storage, new SettingsStore(state, stateFile), clock);
  }

  /**
   * Grows whenever state that the instruments read changes other than by time passing (any
   * announced change, a new flight track, a forced GPS fix, a medium's condition), so a face may
   * reuse an answer computed at the same clock instant and revision (the HTTP face does for
   * `GET /status`).
   */
  get stateRevision(): number {
    return this.revision;
  }

  private announce(change: DeviceChange): void {
    this.revision++;
    if (this.closed) return;
    this.emit('change', change);
  }

  // ---- settings ------------------------------------------------------------------------------

  getConfig(): DeviceConfig {
    return { ...this.settings.config };
  }

  /** Applies a settings change field by field: storage cannot change while a capture runs. */
  setConfig(patch: Readonly<Record<string, unknown>>): SettingsOutcome {
    const { outcomes, applied, changed } = this.settings.applyConfig(patch, {
      capturing: this.capture.busy,
      sdPresent: this.sdPresent,
    });
    if (Object.keys(changed).length > 0) {
      this.revision++;
      this.emit('config-changed', changed);
    }
    return { outcomes, applied };
  }

  getManualMode(): ManualMode {
    return this.settings.manualMode;
  }

  setManualMode(
    patch: Readonly<Record<string, unknown>>,
  ): SettingsOutcome<Record<string, SettingOutcome | OutcomeTree>> {
    return this.settings.applyManualMode(patch);
  }

  getWifi(): WifiSettings {
    return this.settings.wifi;
  }

  setWifi(patch: Readonly<Record<string, unknown>>): SettingsOutcome {
    return this.settings.applyWifi(patch);
  }

  // ---- instruments ---------------------------------------------------------------------------

  get isSunshineConnected(): boolean {
    return this.instruments.isSunshineConnected;
  }

  position(): TrackPosition {
    return this.instruments.position();
  }

  hasGpsFix(): boolean {
    return this.instruments.hasGpsFix();
  }

  bodyAttitude(atMs?: number): Attitude {
    return this.instruments.bodyAttitude(atMs);
  }

  sunshineAttitude(atMs?: number): Attitude | null {
    return this.instruments.sunshineAttitude(atMs);
  }

  temperatures(): TemperatureReading {
    return this.instruments.temperatures();
  }

  sunshine(): SunshineReading | null {
    return this.instruments.sunshine();
  }

  gps(): GpsReading {
    return this.instruments.gps();
  }

  gpsDms() {
    return this.instruments.gpsDms();
  }

  /** Plugs or unplugs the sunshine sensor; unplugging it aborts its calibration. */
  setSunshineConnected(connected: boolean): void {
    if (!this.instruments.setSunshineConnected(connected)) return;
    if (!connected && this.calibration.isRunning('sunshine')) this.calibration.stop('sunshine');
    this.announce({ kind: 'sunshine', connected });
  }

  /** Forces the GPS fix on or off, or back to the simulation (`undefined`: fix after the boot delay). */
  setGpsFix(fix: boolean | undefined): void {
    this.revision++;
    this.instruments.setGpsFix(fix);
  }

  /** Replaces the flight track; the drone starts it now. A new flight gets a new FlightUUID. */
  setTrack(opts: FlightTrackOptions): void {
    this.revision++;
    this.instruments.setTrack(opts);
  }

  trackOptions(): FlightTrackOptions {
    return this.instruments.trackOptions();
  }

  // ---- calibration ---------------------------------------------------------------------------

  calibrationState(): Record<CalibrationTargetName, CalibrationState> {
    return { body: this.calibration.get('body'), sunshine: this.calibration.get('sunshine') };
  }

  /** Starts calibration of one or both targets. Refused while a capture runs. */
  startCalibration(targets: readonly CalibrationTargetName[]): CalibrationStartOutcome {
    if (this.capture.busy) return { ok: false, reason: 'busy' };
    for (const t of targets) this.calibration.start(t, t === 'sunshine' ? this.isSunshineConnected : true);
    return { ok: true };
  }

  stopCalibration(targets: readonly CalibrationTargetName[]): StopOutcome {
    let any = false;
    for (const t of targets) any = this.calibration.stop(t) || any;
    return any ? { ok: true } : { ok: false, reason: 'not-running' };
  }

  // ---- capture -------------------------------------------------------------------------------

  captureActivity(): CaptureActivity {
    return this.capture.activity();
  }

  get isCapturing(): boolean {
    return this.capture.busy;
  }

  /** Starts a capture session in the configured mode. */
  startCapture(): Promise<CaptureStartOutcome> {
    return this.capture.start();
  }

  /** A radiometric calibration capture whatever the configured mode. */
  startRadiometricCalibration(): Promise<CaptureStartOutcome> {
    return this.capture.startRadiometricCalibration();
  }

  /** Ends a continuous session after the capture being written. */
  stopCapture(): StopOutcome {
    return this.capture.stop();
  }

  whenIdle(): Promise<void> {
    return this.capture.whenIdle();
  }

  whenSessionEnds(): Promise<void> {
    return this.capture.whenSessionEnds();
  }

  // ---- media ---------------------------------------------------------------------------------

  get sdPresent(): boolean {
    return this.media.isPresent('sd');
  }

  presentMedia(): Array<{ name: MediumName; medium: Medium }> {
    return this.media.present();
  }

  /** A medium to read from; a corrupted or failed one refuses (StorageError FAULT). */
  medium(name: string): Medium {
    return this.media.readable(name);
  }

  mediumCondition(name: MediumName): MediumCondition {
    return this.media.condition(name);
  }

  isFull(name: MediumName): boolean {
    return this.media.isFull(name);
  }

  async deleteFile(mediumName: MediumName, folder: string, name: string): Promise<void> {
    this.media.assertWritable(mediumName);
    const m = this.storage.get(mediumName);
    if (this.capture.isWriting(m, folder)) throw new StorageError('BUSY', `/${mediumName}/${folder} is being written`);
    await m.deleteFile(folder, name);
    this.emit('file-removed', { medium: mediumName, folder, name });
    this.spaceFreed(mediumName);
  }

  async deleteFolder(mediumName: MediumName, folder: string): Promise<void> {
    this.media.assertWritable(mediumName);
    await this.storage.get(mediumName).deleteFolder(folder);
    this.emit('folder-removed', { medium: mediumName, folder });
    this.spaceFreed(mediumName);
  }

  private spaceFreed(name: MediumName): void {
    this.emit('storage-changed', { medium: name });
    if (this.media.freedEnough(name, estimateCaptureBytes(this.settings.config))) {
      this.announce({ kind: 'medium-state', medium: name, state: 'no-longer-full' });
    }
  }

  /**
   * Removes or inserts the SD card. Removing it stops a capture onto it: between two pictures the
   * session ends at once (no face goes on saying "Timelapse running" on a missing card); a picture
   * being written ends it when done.
   */
  setSdPresent(present: boolean): void {
    const sd = this.storage.media.get('sd');
    if (!sd || sd.present === present) return;
    if (!present) this.capture.stopOnMedium('sd', true);
    sd.present = present;
    this.announce({ kind: 'medium-state', medium: 'sd', state: present ? 'connected' : 'disconnected' });
    // A card that went bad stays bad when it is put back.
    if (present && this.media.condition('sd') !== 'ok')
      this.announce({ kind: 'medium-state', medium: 'sd', state: 'error' });
    const select = (name: MediumName) => {
      if (this.settings.selectMedium(name)) this.announce({ kind: 'storage-selected', medium: name });
    };
    const cfg = this.settings.config;
    if (!present && cfg.storage_selected === 'sd') select('internal');
    if (present && cfg.auto_select === 'on' && !this.capture.busy) select('sd');
    this.emit('storage-changed', { medium: 'sd' });
  }

  /**
   * Makes a medium read-only, corrupted or failed (`error`), or well again (`ok`). Entering a bad
   * condition is announced as the medium state "error", recovering as "connected"; a capture
   * writing to it stops.
   */
  setMediumCondition(name: MediumName, condition: MediumCondition): void {
    const before = this.media.setCondition(name, condition);
    if (before === condition) return;
    if (condition !== 'ok') this.capture.stopOnMedium(name, true);
    this.revision++;
    if (this.media.isPresent(name)) {
      if (before === 'ok') this.announce({ kind: 'medium-state', medium: name, state: 'error' });
      else if (condition === 'ok') this.announce({ kind: 'medium-state', medium: name, state: 'connected' });
    }
    this.emit('storage-changed', { medium: name });
  }

  /** Fills a medium with simulated data, leaving `leaveFreeBytes` free. */
  fillMedium(name: MediumName, leaveFreeBytes: number): void {
    const m = this.media.get(name);
    m.fillerBytes = 0;
    m.fillerBytes = Math.max(0, m.capacityBytes - m.usedBytes - Math.max(0, leaveFreeBytes));
    this.emit('storage-changed', { medium: name });
    if (m.freeBytes < estimateCaptureBytes(this.settings.config)) this.capture.markFull(name);
    else this.spaceFreed(name);
  }

  /** Empties the simulated filler of a medium. */
  unfillMedium(name: MediumName): void {
    this.media.get(name).fillerBytes = 0;
    this.spaceFreed(name);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Stops timers and waits for pending writes and the settings file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.capture.close();
    this.instruments.close();
    this.calibration.close();
    await this.settings.flush();
  }
}

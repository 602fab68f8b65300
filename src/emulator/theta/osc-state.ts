/**
 * `/osc/state` and its fingerprint: the state object in the THETA S's own field order (fixtures
 * state_s_api1.json / state_s_api2.json, recorded from an S in v2.0 and v2.1), and `FIG_0001`,
 * `FIG_0002`, … changing whenever anything in it does — the camera's status, the session or the
 * API level. `/osc/checkForUpdates` waits on {@link OscState.changed}.
 */
import { EventEmitter } from 'node:events';
import type { ThetaDevice } from '../../devices/theta/device.js';
import type { OscStateBody } from '../../osc/types.js';
import type { OscSessions } from './osc-sessions.js';

export class OscState extends EventEmitter<{ changed: [fingerprint: string] }> {
  private counter = 1;
  private lastKey: string;
  private readonly onStatus = (): void => this.check();

  constructor(
    private readonly device: ThetaDevice,
    private readonly sessions: () => OscSessions,
  ) {
    super();
    this.lastKey = '';
    device.on('status', this.onStatus);
  }

  /** Starts counting from the state now (FIG_0001). */
  start(): void {
    this.lastKey = this.key();
  }

  private key(): string {
    return JSON.stringify([this.device.snapshot(), this.sessions().api, this.sessions().current]);
  }

  private get name(): string {
    return `FIG_${String(this.counter).padStart(4, '0')}`;
  }

  /** Recomputes the state; a change bumps the fingerprint and emits `changed`. */
  check(): void {
    const key = this.key();
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.counter++;
    this.emit('changed', this.name);
  }

  /** The fingerprint of the state now. */
  get fingerprint(): string {
    this.device.refresh();
    this.check();
    return this.name;
  }

  /**
   * The state object. The S sends no `_cameraError` while it has none; `storageChanged` is cleared
   * by this first read after a change, as on the camera. `url` makes a v2.1 file URL.
   */
  read(storageUri: string, url: (rel: string) => string): { fingerprint: string; state: OscStateBody } {
    const s = this.device.snapshot();
    const fingerprint = this.fingerprint;
    const shooting = {
      _captureStatus: s.captureStatus,
      _recordedTime: s.recordedTime,
      _recordableTime: s.recordableTime,
      _compositeShootingElapsedTime: s.compositeShootingElapsedTime,
    };
    let state: OscStateBody;
    if (this.sessions().api === 1) {
      state = {
        sessionId: this.sessions().current ?? '',
        batteryLevel: s.batteryLevel,
        storageChanged: s.storageChanged,
        ...shooting,
        _latestFileUri: s.latestFile,
        _batteryState: s.batteryState,
        _apiVersion: 1,
      };
    } else {
      state = {
        batteryLevel: s.batteryLevel,
        storageUri,
        ...shooting,
        _latestFileUrl: s.latestFile ? url(s.latestFile) : '',
        _batteryState: s.batteryState,
        _apiVersion: 2,
      };
    }
    if (s.cameraError.length > 0) state._cameraError = s.cameraError;
    // _apiVersion came with v2.1 (S firmware 01.62).
    if (!this.device.has('apiV21')) delete state._apiVersion;
    this.device.acknowledgeStorageChanged();
    this.lastKey = this.key();
    return { fingerprint, state };
  }

  /** Stops following the device. */
  detach(): void {
    this.device.off('status', this.onStatus);
  }
}

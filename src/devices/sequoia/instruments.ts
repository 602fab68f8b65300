/**
 * The Sequoia's instruments over simulated time: the flight (position, speed), the GPS receiver
 * and its fix, the body and sunshine-sensor IMUs (turned by a running calibration), the
 * temperatures and the sunshine sensor's light readings. The formulas are in sensors.ts and
 * flight-track.ts; this holds the state they read — boot time, track, plugged sensor, forced fix.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Calibration } from './calibration.js';
import { FlightTrack, defaultSurvey, type FlightTrackOptions, type TrackPosition } from './flight-track.js';
import {
  bodyAttitude,
  sunshineAttitude,
  sunshineCounts,
  temperatures,
  toDms,
  type Attitude,
  type SunshineReading,
  type TemperatureReading,
} from './sensors.js';

/** A GPS reading; position fields hold the simulated position even without a fix. */
export interface GpsReading {
  fix: boolean;
  satellites: number;
  precision: number;
  speed: number;
  lat: number;
  lon: number;
  altitude: number;
}

/** A random 128-bit identifier in upper-case hex (the XMP FlightUUID / CaptureUUID form). */
export function uuidHex(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

export class Instruments {
  readonly bootMs: number;
  /** Simulated time from boot to the GPS fix. */
  private readonly gpsFixAfterMs: number;
  private track: FlightTrack;
  private trackStartMs: number;
  private sunshineConnected: boolean;
  private gpsForced: boolean | undefined;
  private gpsFixTimer?: TimerHandle | undefined;
  private lastFix: boolean;
  private flightId = uuidHex();

  constructor(
    private readonly clock: Clock,
    private readonly calibration: Calibration,
    opts: {
      track?: FlightTrackOptions | undefined;
      sunshineConnected?: boolean | undefined;
      gpsFixAfterMs?: number | undefined;
    },
    /** Called when the GPS gets or loses its fix. */
    private readonly onFixChange: (fix: boolean) => void,
  ) {
    this.gpsFixAfterMs = opts.gpsFixAfterMs ?? 30_000;
    this.bootMs = clock.now();
    this.track = new FlightTrack(opts.track ?? defaultSurvey());
    this.trackStartMs = this.bootMs;
    this.sunshineConnected = opts.sunshineConnected ?? true;
    this.lastFix = this.hasGpsFix();
    this.scheduleGpsFix();
  }

  /** The current flight's identifier; a new track is a new flight. */
  get flightUuid(): string {
    return this.flightId;
  }

  get isSunshineConnected(): boolean {
    return this.sunshineConnected;
  }

  /** Plugs or unplugs the sunshine sensor; returns whether that changed anything. */
  setSunshineConnected(connected: boolean): boolean {
    if (this.sunshineConnected === connected) return false;
    this.sunshineConnected = connected;
    return true;
  }

  position(atMs = this.clock.now()): TrackPosition {
    return this.track.positionAt(atMs - this.trackStartMs);
  }

  /** The first waypoint of the flight: the origin of the simulated scene. */
  get origin(): { lat: number; lon: number } {
    return this.track.waypoints[0]!;
  }

  get groundElevation(): number {
    return this.track.groundElevation;
  }

  hasGpsFix(): boolean {
    if (this.gpsForced !== undefined) return this.gpsForced;
    return this.clock.now() - this.bootMs >= this.gpsFixAfterMs;
  }

  /** The body's attitude now, or at an earlier instant `atMs` (the sunshine log's readings). */
  bodyAttitude(atMs = this.clock.now()): Attitude {
    const r = this.calibration.rotation('body');
    return bodyAttitude(atMs, this.position(atMs), r.yaw, r.pitch, r.roll);
  }

  sunshineAttitude(atMs = this.clock.now()): Attitude | null {
    if (!this.sunshineConnected) return null;
    const r = this.calibration.rotation('sunshine');
    const a = sunshineAttitude(this.bodyAttitude(atMs), atMs);
    return { yaw: a.yaw + r.yaw, pitch: a.pitch + r.pitch, roll: a.roll + r.roll };
  }

  temperatures(): TemperatureReading {
    return temperatures(this.clock.now(), this.bootMs, this.sunshineConnected);
  }

  /** The sunshine sensor's counts now; null when it is unplugged. */
  sunshine(): SunshineReading | null {
    if (!this.sunshineConnected) return null;
    const p = this.position();
    return sunshineCounts(this.clock.now(), p.lat, p.lon);
  }

  gps(): GpsReading {
    const fix = this.hasGpsFix();
    const p = this.position();
    const up = this.clock.now() - this.bootMs;
    if (!fix) {
      // Satellites appear one by one while the receiver searches.
      const sats = Math.min(3, Math.floor(up / Math.max(1, this.gpsFixAfterMs / 4)));
      return {
        fix: false,
        satellites: this.gpsForced === false ? 0 : sats,
        precision: 0,
        speed: 0,
        lat: p.lat,
        lon: p.lon,
        altitude: p.altitude,
      };
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

  /** GPS position split into degrees, minutes and seconds, as the firmware reports it. */
  gpsDms() {
    const g = this.gps();
    return { lat: toDms(g.lat), lon: toDms(g.lon), altitude: g.altitude };
  }

  /** Forces the GPS fix on or off, or back to the simulation (`undefined`: fix after the boot delay). */
  setGpsFix(fix: boolean | undefined): void {
    this.gpsForced = fix;
    this.scheduleGpsFix();
    this.checkFix();
  }

  /** Replaces the flight track; the drone starts it now, on a new flight. */
  setTrack(opts: FlightTrackOptions): void {
    this.track = new FlightTrack(opts);
    this.trackStartMs = this.clock.now();
    this.flightId = uuidHex();
  }

  trackOptions(): FlightTrackOptions {
    return {
      waypoints: this.track.waypoints,
      speed: this.track.speed,
      altitude: this.track.altitude,
      groundElevation: this.track.groundElevation,
    };
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
      this.onFixChange(fix);
    }
  }

  close(): void {
    this.clock.clearTimer(this.gpsFixTimer);
  }
}

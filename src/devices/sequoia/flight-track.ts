/**
 * The simulated flight: a polyline of waypoints flown at a constant ground speed and altitude,
 * looping back to the start. GPS position, heading (the body's yaw), ground speed and distance
 * flown — which drives `gps_position` and `auto` captures — all come from here.
 */
import { InvalidOptionError } from '../../util/errors.js';

/** A point of the flight track. */
export interface Waypoint {
  lat: number;
  lon: number;
}

/** The flight the emulated Sequoia simulates (for GPS, GPS-distance and overlap capture modes). */
export interface FlightTrackOptions {
  waypoints: Waypoint[];
  /** Ground speed in m/s (0 = hovering). */
  speed: number;
  /** Altitude above ground in metres. */
  altitude: number;
  /** Altitude of the ground above sea level in metres (GPS altitude = ground + altitude). */
  groundElevation?: number;
}

export interface TrackPosition {
  lat: number;
  lon: number;
  /** Metres above sea level. */
  altitude: number;
  /** Degrees clockwise from north. */
  heading: number;
  speed: number;
  /** Metres flown since the track started (monotonic, counts loops). */
  distance: number;
}

const EARTH_RADIUS = 6_371_000;

function toRad(d: number): number {
  return (d * Math.PI) / 180;
}

/** Metres between two points (equirectangular approximation: exact enough over a field). */
export function distanceMetres(a: Waypoint, b: Waypoint): number {
  const x = toRad(b.lon - a.lon) * Math.cos(toRad((a.lat + b.lat) / 2));
  const y = toRad(b.lat - a.lat);
  return Math.hypot(x, y) * EARTH_RADIUS;
}

function bearing(a: Waypoint, b: Waypoint): number {
  const x = toRad(b.lon - a.lon) * Math.cos(toRad((a.lat + b.lat) / 2));
  const y = toRad(b.lat - a.lat);
  return ((Math.atan2(x, y) * 180) / Math.PI + 360) % 360;
}

/**
 * A lawnmower survey over a 400 m × 240 m field in the Beauce (France), 8 passes 30 m apart,
 * at 12 m/s and 100 m — a typical Sequoia mapping flight.
 */
export function defaultSurvey(): FlightTrackOptions {
  const origin = { lat: 48.2715, lon: 1.6201 };
  const metresPerDegLat = (Math.PI / 180) * EARTH_RADIUS;
  const metresPerDegLon = metresPerDegLat * Math.cos(toRad(origin.lat));
  const waypoints: Waypoint[] = [];
  for (let pass = 0; pass < 8; pass++) {
    const north = pass * 30;
    const ends = pass % 2 === 0 ? [0, 400] : [400, 0];
    for (const east of ends) {
      waypoints.push({ lat: origin.lat + north / metresPerDegLat, lon: origin.lon + east / metresPerDegLon });
    }
  }
  return { waypoints, speed: 12, altitude: 100, groundElevation: 140 };
}

export class FlightTrack {
  readonly waypoints: Waypoint[];
  readonly speed: number;
  readonly altitude: number;
  readonly groundElevation: number;
  private readonly legs: Array<{ from: Waypoint; to: Waypoint; length: number; heading: number }> = [];
  private readonly loopLength: number;

  constructor(opts: FlightTrackOptions) {
    if (!Array.isArray(opts.waypoints) || opts.waypoints.length < 1)
      throw new InvalidOptionError('waypoints', 'a track needs at least one waypoint');
    for (const w of opts.waypoints) {
      if (!(Math.abs(w.lat) <= 90 && Math.abs(w.lon) <= 180))
        throw new InvalidOptionError('waypoints', `invalid waypoint ${JSON.stringify(w)}`);
    }
    if (!(opts.speed >= 0 && opts.speed < 200)) throw new InvalidOptionError('speed', 'must be between 0 and 200 m/s');
    if (!(opts.altitude >= 0 && opts.altitude < 10_000))
      throw new InvalidOptionError('altitude', 'must be between 0 and 10000 m');
    this.waypoints = opts.waypoints.map((w) => ({ lat: w.lat, lon: w.lon }));
    this.speed = opts.speed;
    this.altitude = opts.altitude;
    this.groundElevation = opts.groundElevation ?? 0;
    // Close the loop so the drone flies back to the first waypoint and starts again.
    const pts = this.waypoints.length > 1 ? [...this.waypoints, this.waypoints[0]!] : this.waypoints;
    for (let i = 0; i + 1 < pts.length; i++) {
      const from = pts[i]!;
      const to = pts[i + 1]!;
      this.legs.push({ from, to, length: distanceMetres(from, to), heading: bearing(from, to) });
    }
    this.loopLength = this.legs.reduce((s, l) => s + l.length, 0);
  }

  /** Where the drone is `elapsedMs` after the track started. */
  positionAt(elapsedMs: number): TrackPosition {
    const distance = (Math.max(0, elapsedMs) / 1000) * this.speed;
    const first = this.waypoints[0]!;
    const alt = this.groundElevation + this.altitude;
    if (this.loopLength === 0 || this.speed === 0) {
      return {
        lat: first.lat,
        lon: first.lon,
        altitude: alt,
        heading: this.legs[0]?.heading ?? 0,
        speed: this.speed,
        distance,
      };
    }
    let along = distance % this.loopLength;
    for (const leg of this.legs) {
      if (along <= leg.length || leg === this.legs[this.legs.length - 1]) {
        const f = leg.length === 0 ? 0 : Math.min(1, along / leg.length);
        return {
          lat: leg.from.lat + (leg.to.lat - leg.from.lat) * f,
          lon: leg.from.lon + (leg.to.lon - leg.from.lon) * f,
          altitude: alt,
          heading: leg.heading,
          speed: this.speed,
          distance,
        };
      }
      along -= leg.length;
    }
    /* c8 ignore next */
    return { lat: first.lat, lon: first.lon, altitude: alt, heading: 0, speed: this.speed, distance };
  }
}

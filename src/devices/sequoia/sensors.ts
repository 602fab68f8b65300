/**
 * The Sequoia's sensors as smooth functions of simulated time: temperatures that warm up and
 * drift, an IMU that follows the flight's heading with a little wobble, a sunshine sensor whose
 * readings follow the sun's elevation at the drone's position, and a GPS receiver that gets its
 * fix after a while. Pure functions of (time, state) so that any face can read them at any time
 * and two reads at the same instant agree.
 */
import type { IrradianceRecord } from '../images/sequoia-records.js';
import type { TrackPosition } from './flight-track.js';

export interface Attitude {
  yaw: number;
  pitch: number;
  roll: number;
}

/** Degrees above the horizon of the sun at a place and time (NOAA's low-precision formulas). */
export function solarElevation(timeMs: number, lat: number, lon: number): number {
  const date = new Date(timeMs);
  const start = Date.UTC(date.getUTCFullYear(), 0, 0);
  const dayOfYear = Math.floor((timeMs - start) / 86_400_000);
  const hours = date.getUTCHours() + date.getUTCMinutes() / 60 + date.getUTCSeconds() / 3600;
  const gamma = ((2 * Math.PI) / 365) * (dayOfYear - 1 + (hours - 12) / 24);
  const decl =
    0.006918 -
    0.399912 * Math.cos(gamma) +
    0.070257 * Math.sin(gamma) -
    0.006758 * Math.cos(2 * gamma) +
    0.000907 * Math.sin(2 * gamma);
  const eqTime =
    229.18 *
    (0.000075 +
      0.001868 * Math.cos(gamma) -
      0.032077 * Math.sin(gamma) -
      0.014615 * Math.cos(2 * gamma) -
      0.040849 * Math.sin(2 * gamma));
  const trueSolarMinutes = hours * 60 + eqTime + 4 * lon;
  const hourAngle = ((trueSolarMinutes / 4 - 180) * Math.PI) / 180;
  const latR = (lat * Math.PI) / 180;
  const cosZenith = Math.sin(latR) * Math.sin(decl) + Math.cos(latR) * Math.cos(decl) * Math.cos(hourAngle);
  return 90 - (Math.acos(Math.max(-1, Math.min(1, cosZenith))) * 180) / Math.PI;
}

/** Small deterministic wobble: a sum of incommensurate sines, so values move but never jump. */
function wobble(t: number, seed: number, amplitude: number): number {
  const s = t / 1000;
  return (
    amplitude *
    (0.6 * Math.sin(s * 0.73 + seed) + 0.3 * Math.sin(s * 2.11 + seed * 1.7) + 0.1 * Math.sin(s * 5.3 + seed * 3.1))
  );
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export interface TemperatureReading {
  body_p7: number;
  body_p7mu: number;
  body_ddr3: number;
  body_wifi: number;
  body_imu: number;
  sunshine_imu: number | null;
}

/** Temperatures in °C: from ambient at boot, warming up over ~10 minutes, then drifting. */
export function temperatures(nowMs: number, bootMs: number, sunshineConnected: boolean): TemperatureReading {
  const up = Math.max(0, nowMs - bootMs);
  const warm = 1 - Math.exp(-up / 300_000);
  const ambient = 18;
  const t = (target: number, seed: number) => ambient + (target - ambient) * warm + wobble(nowMs, seed, 0.8);
  return {
    // The firmware reports the SoC sensors in whole degrees and the IMUs with decimals.
    body_p7: Math.round(t(44, 1)),
    body_p7mu: Math.round(t(49, 2)),
    body_ddr3: Math.round(t(35, 3)),
    body_wifi: Math.round(t(40, 4)),
    body_imu: round(t(35, 5), 6),
    sunshine_imu: sunshineConnected ? round(t(45.4, 6), 6) : null,
  };
}

/** Body attitude: yaw follows the flight heading, pitch and roll wobble as a drone does. */
export function bodyAttitude(
  nowMs: number,
  position: TrackPosition,
  extraYaw = 0,
  extraPitch = 0,
  extraRoll = 0,
): Attitude {
  const yaw = normaliseAngle(position.heading + wobble(nowMs, 7, 2) + extraYaw);
  return {
    yaw: round(yaw, 6),
    pitch: round(wobble(nowMs, 8, 3) + extraPitch - (position.speed > 0 ? 4 : 0), 6),
    roll: round(wobble(nowMs, 9, 2.5) + extraRoll, 6),
  };
}

/** The sunshine sensor sits on top of the drone, its axes turned 180° from the body's. */
export function sunshineAttitude(body: Attitude, nowMs: number): Attitude {
  return {
    yaw: round(normaliseAngle(body.yaw + 180 + wobble(nowMs, 10, 0.5)), 6),
    pitch: round(-body.pitch * 0.9 + wobble(nowMs, 11, 0.4), 6),
    roll: round(-body.roll * 0.9 + wobble(nowMs, 12, 0.4), 6),
  };
}

export function normaliseAngle(deg: number): number {
  let d = deg % 360;
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

export interface SunshineReading {
  green: [number, number];
  red: [number, number];
  red_edge: [number, number];
  near_infrared: [number, number];
}

/**
 * The real capture the light model is anchored to: a Sequoia (firmware 1.4.1) over a field on an
 * April morning at 08:07. Its sunshine sensor logged these counts in each band (channel 0 and 1,
 * gain step 1, 100 ms; red edge read 5 and 6), and every mono imager exposed 3 ms with a gain of
 * its own, the RGB imager 3 ms at ISO 333. The emulated sensor reads these counts, and the imagers
 * meter these exposures, when the sun is as high as it was then over the emulator's default
 * field (48.27° N, 1.62° E): 28.7°. Other light scales them.
 */
const REFERENCE_BANDS: Record<SunshineChannel, { ch0: number; ch1: number; iso: number }> = {
  green: { ch0: 34, ch1: 2, iso: 206 },
  red: { ch0: 28, ch1: 7, iso: 325 },
  red_edge: { ch0: 5.2, ch1: 2, iso: 796 },
  near_infrared: { ch0: 14, ch1: 7, iso: 621 },
};
const REFERENCE_RGB_ISO = 333;
const REFERENCE_EXPOSURE_US = 3000;

/**
 * The sun's irradiance on a horizontal plate, relative: sin(elevation) with a little atmospheric
 * extinction along the longer path of a low sun; zero at night.
 */
function clearSkyIrradiance(elevationDeg: number): number {
  const sin = Math.max(0, Math.sin((elevationDeg * Math.PI) / 180));
  return sin * Math.exp(-0.1 / Math.max(sin, 0.05));
}

const REFERENCE_IRRADIANCE = clearSkyIrradiance(solarElevation(Date.UTC(2018, 3, 13, 8, 6, 58), 48.2715, 1.6201));

/** The light at a place and time as a multiple of the reference capture's: 1 then, 0 at night. */
export function relativeLight(nowMs: number, lat: number, lon: number): number {
  return clearSkyIrradiance(solarElevation(nowMs, lat, lon)) / REFERENCE_IRRADIANCE;
}

/**
 * Sunshine sensor counts for the four bands, two channels each (as `/status/sunshine` names them
 * `green_0` … `near_infrared_1`): the reference capture's counts scaled by the light, with the
 * sensor's own small flicker, in whole counts.
 */
export function sunshineCounts(nowMs: number, lat: number, lon: number): SunshineReading {
  const light = relativeLight(nowMs, lat, lon);
  const c = (counts: number, seed: number) => Math.max(0, Math.round(counts * light * (1 + wobble(nowMs, seed, 0.02))));
  const pair = (band: SunshineChannel, seed: number): [number, number] => [
    c(REFERENCE_BANDS[band].ch0, seed),
    c(REFERENCE_BANDS[band].ch1, seed + 1),
  ];
  return {
    green: pair('green', 21),
    red: pair('red', 23),
    red_edge: pair('red_edge', 25),
    near_infrared: pair('near_infrared', 27),
  };
}

/** The sunshine sensor's channel pair each imager's files carry (XMP IrradianceList). */
export type SunshineChannel = keyof SunshineReading;

/** The sensor logs a reading every 200 ms (5 Hz) from power-on, on its own clock. */
export const SUNSHINE_PERIOD_US = 200_000;
/** How many of the latest readings a file's IrradianceList holds (the camera keeps 2 s). */
export const IRRADIANCE_RECORDS = 10;
/**
 * The gain step and integration time of the logged readings, as the reference capture's records
 * carry them; `sunshineCounts` is the sensor's reading at this setting.
 */
const SUNSHINE_GAIN_INDEX = 1;
const SUNSHINE_INTEGRATION_MS = 100;

/** One logged reading of the whole sensor: every channel, at one instant of its clock. */
export interface SunshineSample {
  /** µs since the camera powered on: the time base of CreateDate and the IMU records. */
  timestampUs: bigint;
  counts: SunshineReading;
  gainIndex: number;
  integrationMs: number;
  /** The sensor's own attitude at the reading, degrees. */
  yaw: number;
  pitch: number;
  roll: number;
}

/**
 * The sensor's tick k: on the nominal 5 Hz grid, give or take a millisecond, because its
 * oscillator is not the camera's (the reference capture's records are 198.5–200.5 ms apart).
 */
function tickUs(k: number): number {
  const noise = Math.sin(k * 12.9898 + 78.233) * 43758.5453;
  return k * SUNSHINE_PERIOD_US + Math.round((noise - Math.floor(noise) - 0.5) * 1600);
}

/**
 * The readings a capture at `nowMs` embeds: the latest IRRADIANCE_RECORDS the sensor logged since
 * power-on (fewer in the first two seconds), oldest first. `attitudeAt` is the sensor's attitude
 * at an instant (epoch ms).
 */
export function sunshineSamples(
  nowMs: number,
  bootMs: number,
  lat: number,
  lon: number,
  attitudeAt: (ms: number) => Attitude,
): SunshineSample[] {
  const upUs = Math.max(0, Math.floor((nowMs - bootMs) * 1000));
  let k = Math.floor(upUs / SUNSHINE_PERIOD_US) + 1;
  while (k > 0 && tickUs(k) > upUs) k--;
  const out: SunshineSample[] = [];
  for (let i = Math.max(1, k - IRRADIANCE_RECORDS + 1); i <= k; i++) {
    const t = tickUs(i);
    const atMs = bootMs + t / 1000;
    const a = attitudeAt(atMs);
    out.push({
      timestampUs: BigInt(t),
      counts: sunshineCounts(atMs, lat, lon),
      gainIndex: SUNSHINE_GAIN_INDEX,
      integrationMs: SUNSHINE_INTEGRATION_MS,
      yaw: a.yaw,
      pitch: a.pitch,
      roll: a.roll,
    });
  }
  return out;
}

/** One imager's IrradianceList: the readings with that imager's own channel pair. */
export function irradianceRecords(samples: readonly SunshineSample[], channel: SunshineChannel): IrradianceRecord[] {
  return samples.map((s) => ({
    timestampUs: s.timestampUs,
    ch0: s.counts[channel][0],
    ch1: s.counts[channel][1],
    gainIndex: s.gainIndex,
    integrationMs: s.integrationMs,
    yaw: s.yaw,
    pitch: s.pitch,
    roll: s.roll,
  }));
}

/**
 * Auto-exposure, per imager, for the light (`relativeLight`). The field the emulated camera sees
 * does not change, so each imager needs its exposure × gain in inverse proportion to the light: the
 * reference capture's at light 1. The camera keeps the exposure short against motion blur (up to
 * `motionLimitUs`), then raises the gain up to the imager's ISO limit, and only then lengthens
 * the exposure — so under the reference's morning sun every mono band is at the 3 ms limit with a
 * gain of its own (ISO 206 … 796), as in the real capture, and in stronger sun the gains drop
 * towards ISO 100 and then the exposures shorten, each band on its own. Whatever the light, the
 * pictures' values over the sunshine sensor's counts stay the same: a user's reflectance.
 */
const AUTO_EXPOSURE: Record<
  SunshineChannel | 'rgb',
  { iso: number; motionLimitUs: number; maxIso: number; maxUs: number }
> = {
  green: { iso: REFERENCE_BANDS.green.iso, motionLimitUs: 3000, maxIso: 800, maxUs: 50_000 },
  red: { iso: REFERENCE_BANDS.red.iso, motionLimitUs: 3000, maxIso: 800, maxUs: 50_000 },
  red_edge: { iso: REFERENCE_BANDS.red_edge.iso, motionLimitUs: 3000, maxIso: 800, maxUs: 50_000 },
  near_infrared: { iso: REFERENCE_BANDS.near_infrared.iso, motionLimitUs: 3000, maxIso: 800, maxUs: 50_000 },
  rgb: { iso: REFERENCE_RGB_ISO, motionLimitUs: 3000, maxIso: 3200, maxUs: 100_000 },
};

export function autoExposure(channel: SunshineChannel | 'rgb', light: number): { exp_us: number; iso: number } {
  const ae = AUTO_EXPOSURE[channel];
  // µs at ISO 100 for a full exposure; a dark sky (night) asks for everything.
  const wanted = (REFERENCE_EXPOSURE_US * ae.iso) / 100 / Math.max(light, 1e-3);
  if (wanted <= ae.motionLimitUs) return { exp_us: Math.max(10, Math.round(wanted)), iso: 100 };
  const iso = Math.round((100 * wanted) / ae.motionLimitUs);
  if (iso <= ae.maxIso) return { exp_us: ae.motionLimitUs, iso };
  return { exp_us: Math.round(Math.min(ae.maxUs, (wanted * 100) / ae.maxIso)), iso: ae.maxIso };
}

/** Degrees → the firmware's degrees / minutes / seconds split (`degres_lat`, …). */
export function toDms(value: number): { deg: number; min: number; sec: number } {
  const abs = Math.abs(value);
  const deg = Math.floor(abs);
  const minFloat = (abs - deg) * 60;
  const min = Math.floor(minFloat);
  const sec = round((minFloat - min) * 60, 6);
  return { deg: value < 0 ? -deg : deg, min, sec };
}

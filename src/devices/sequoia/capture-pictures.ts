/**
 * What one capture writes: the files' names, their size estimate, and the render request of each
 * band's picture — the instruments' readings at the instant of the capture, the exposure (manual
 * or metered), the camera's identity and the flight's.
 */
import type { SequoiaImageRequest } from '../images/sequoia.js';
import { distanceMetres } from './flight-track.js';
import type { Instruments } from './instruments.js';
import { uuidHex } from './instruments.js';
import { autoExposure, irradianceRecords, relativeLight, sunshineSamples } from './sensors.js';
import { BANDS, MONO_SIZES, RGB_SIZES, type Band, type DeviceConfig, type ManualMode } from './types.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `IMG_YYMMDD_HHMMSS_NNNN_BAND.EXT` in the camera's (UTC) clock — always 30 characters. */
export function captureFileName(timeMs: number, index: number, band: Band): string {
  const d = new Date(timeMs);
  const date = `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `IMG_${date}_${time}_${pad(index % 10000, 4)}_${band.suffix}.${band.ext}`;
}

/** Where a picture's thumbnail is kept: `.thumb/<stem>.jpg` in its folder. */
export function thumbnailName(fileName: string): string {
  return `${fileName.replace(/\.[^.]+$/, '')}.jpg`;
}

/** A capture folder's name: four digits of the folder counter. */
export function folderName(number: number): string {
  return pad(number % 10000, 4);
}

/** Approximate bytes a capture adds, to refuse one that would not fit (never a truncated file). */
export function estimateCaptureBytes(config: DeviceConfig): number {
  let total = 0;
  for (const band of BANDS) {
    if ((config.sensors_mask & band.bit) === 0) continue;
    if (band.suffix === 'RGB') total += config.resolution_rgb === 16 ? 1_500_000 : 1_150_000;
    else total += config.resolution_mono === 1.2 ? 2_470_000 : 620_000;
  }
  return total + 64 * 1024;
}

/** Who took the picture: written into every file's metadata. */
export interface CameraIdentity {
  serialNumber: string;
  sunshineSerialNumber: string;
  firmwareVersion: string;
}

/**
 * The render requests of one capture at `now`, one per enabled band, sharing one reading of the
 * instruments (the bands of a capture are taken at the same instant).
 */
export function pictureRequests(
  instruments: Instruments,
  identity: CameraIdentity,
  exposure: Readonly<ManualMode>,
  config: DeviceConfig,
  now: number,
  index: number,
): Array<{ band: Band; request: SequoiaImageRequest }> {
  const gps = instruments.gps();
  const p = instruments.position();
  const first = instruments.origin;
  const east = distanceMetres(first, { lat: first.lat, lon: p.lon }) * Math.sign(p.lon - first.lon);
  const north = distanceMetres(first, { lat: p.lat, lon: first.lon }) * Math.sign(p.lat - first.lat);
  // The sensor's log of the last two seconds, on the power-on clock; each band's files take
  // their own channel pair out of it.
  const sunshine = instruments.isSunshineConnected
    ? sunshineSamples(now, instruments.bootMs, p.lat, p.lon, (t) => instruments.sunshineAttitude(t)!)
    : null;
  const attitude = instruments.bodyAttitude();
  const uptimeUs = BigInt(Math.round((now - instruments.bootMs) * 1000));
  const captureUuid = uuidHex();
  // Each imager meters its own band under the light of the moment.
  const light = relativeLight(now, p.lat, p.lon);
  return BANDS.filter((b) => (config.sensors_mask & b.bit) !== 0).map((band) => {
    const isRgb = band.suffix === 'RGB';
    const [width, height] = isRgb
      ? RGB_SIZES[config.resolution_rgb]
      : MONO_SIZES[config.resolution_mono === 1.2 ? '1.2' : '0.3'];
    const ex = exposureFor(band, exposure) ?? autoExposure(band.name, light);
    const request: SequoiaImageRequest = {
      band: band.suffix,
      width,
      height,
      bitDepth: config.bit_depth,
      captureTimeMs: now,
      serialNumber: identity.serialNumber,
      firmwareVersion: identity.firmwareVersion,
      exposureUs: ex.exp_us,
      iso: ex.iso,
      gps: { fix: gps.fix, lat: gps.lat, lon: gps.lon, altitude: gps.altitude },
      attitude,
      irradiance: sunshine && band.name !== 'rgb' ? irradianceRecords(sunshine, band.name) : null,
      uptimeUs,
      sunshineSerialNumber: identity.sunshineSerialNumber,
      captureUuid,
      flightUuid: instruments.flightUuid,
      pictureIndex: index,
      scene: { x: east, y: north },
    };
    return { band, request };
  });
}

/** The manual exposure of a band when set; undefined when the camera meters it. */
function exposureFor(band: Band, mm: Readonly<ManualMode>): { exp_us: number; iso: number } | undefined {
  if (band.suffix === 'RGB') return mm.rgb.mode === 'manual' ? { exp_us: mm.rgb.exp_us, iso: mm.rgb.iso } : undefined;
  if (mm.monochrome.mode !== 'manual') return undefined;
  const s = mm.monochrome[band.name as 'green' | 'red' | 'red_edge' | 'near_infrared'];
  return { exp_us: s.exp_us, iso: s.iso };
}

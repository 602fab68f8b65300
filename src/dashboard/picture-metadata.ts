/**
 * A picture's EXIF, GPS and band (Sequoia XMP `Camera:` tags) for the viewer's panel, read with
 * exifr from the copy the image cache already downloaded for the viewer's preview (so opening
 * the panel costs no second transfer from the camera).
 */
import exifr from 'exifr';
import type { Camera, RemoteFile } from '../camera/types.js';
import type { PictureMetadata } from './api-types.js';
import type { ImageCache } from './images.js';

const BANDS: Record<string, string> = { NIR: 'NIR', Red: 'Red', Green: 'Green', REG: 'Red edge', 'Red edge': 'Red edge' };

/** The metadata of `file`; fields the file does not carry are left out. */
export async function pictureMetadata(images: ImageCache, camera: Camera, file: RemoteFile, signal?: AbortSignal): Promise<PictureMetadata> {
  const local = await images.original(camera, file, signal);
  const m = ((await exifr.parse(local, { tiff: true, ifd0: {}, exif: true, gps: true, xmp: true, mergeOutput: true }).catch(() => undefined)) ?? {}) as Record<string, unknown>;
  const out: PictureMetadata = { path: file.path };
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.replace(/\0+$/, '').trim() : undefined);
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const set = <K extends keyof PictureMetadata>(k: K, v: PictureMetadata[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('make', str(m.Make));
  set('model', str(m.Model));
  const taken = m.DateTimeOriginal ?? m.CreateDate ?? m.ModifyDate;
  set('taken', taken instanceof Date ? taken.toISOString() : str(taken));
  set('width', num(m.ExifImageWidth) ?? num(m.ImageWidth));
  set('height', num(m.ExifImageHeight) ?? num(m.ImageHeight));
  set('exposureTime', num(m.ExposureTime));
  set('fNumber', num(m.FNumber));
  set('iso', num(m.ISO) ?? num(m.PhotographicSensitivity));
  set('focalLength', num(m.FocalLength));
  const lat = num(m.latitude);
  const lon = num(m.longitude);
  if (lat !== undefined && lon !== undefined) {
    out.gps = { latitude: lat, longitude: lon };
    const alt = num(m.GPSAltitude);
    if (alt !== undefined) out.gps.altitude = m.GPSAltitudeRef === 1 ? -alt : alt;
  }
  // The RGB file lists its three colours; a band file names its band.
  const band = Array.isArray(m.BandName) ? 'RGB' : str(m.BandName);
  if (band) {
    out.band = { name: BANDS[band] ?? band };
    const c = num(m.CentralWavelength);
    const w = num(m.WavelengthFWHM);
    if (c !== undefined) out.band.centralWavelengthNm = c;
    if (w !== undefined) out.band.fwhmNm = w;
  }
  const [yaw, pitch, roll] = [num(m.Yaw), num(m.Pitch), num(m.Roll)];
  if (yaw !== undefined && pitch !== undefined && roll !== undefined) out.attitude = { yaw, pitch, roll };
  return out;
}

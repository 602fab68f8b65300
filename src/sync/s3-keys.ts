/**
 * The bucket's layout, which says what each picture is without opening it:
 *
 *   PREFIX/<model>-<serial>/<medium>/<folder>/<name>      the picture, byte for byte
 *   PREFIX/<model>-<serial>/manifests/<time>-<tag>.json   one per completed run, written last
 *   PREFIX/.camctl/claims/<model>-<serial>/<medium>/…     while a large picture is being uploaded
 *
 * and the object metadata (x-amz-meta-*) every picture carries: the camera (model, serial,
 * firmware), where it was on the camera, the capture time, the band (Sequoia), the GPS position
 * where the picture has one (`gps-lat`, `gps-lon` in decimal degrees, `gps-alt` in metres) and the
 * SHA-256 of the content. Header values must be ASCII, so anything else is percent-encoded.
 */
import type { PictureGps } from '../camera/picture-metadata.js';
import type { CameraInfo, RemoteFile } from '../camera/types.js';
import { S3SyncError } from './s3-errors.js';
import type { S3Target } from './s3-target.js';

/** A key part made only of characters that need no escaping anywhere: letters, digits, `._-`. */
export function keySafe(text: string): string {
  // NFKD splits "é" into "e" and a combining accent, which is dropped rather than replaced.
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return s || 'unknown';
}

/** `<model>-<serial>`, e.g. `Sequoia-PI040416AA5L000123`, `RICOH-THETA-S-00301770`. */
export function cameraDir(info: Pick<CameraInfo, 'model' | 'serialNumber'>): string {
  return `${keySafe(info.model)}-${keySafe(info.serialNumber)}`;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** The key of a camera file: `PREFIX/<model>-<serial>/<medium>/<folder>/<name>`. */
export function objectKey(target: S3Target, camera: string, remotePath: string): string {
  const parts = remotePath.split('/').filter(Boolean);
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..' || p.includes('\\'))) {
    throw new S3SyncError('ERR_CAMCTL_S3_BAD_ARGUMENT', `refusing to store camera path ${remotePath}`);
  }
  return join(target.prefix, camera, ...parts);
}

/** `PREFIX/<model>-<serial>`: everything of one camera. */
export function cameraPrefix(target: S3Target, camera: string): string {
  return join(target.prefix, camera);
}

/** `PREFIX/.camctl/claims/<model>-<serial>`: the claims of one camera's uploads. */
export function claimPrefix(target: S3Target, camera: string): string {
  return join(target.prefix, '.camctl', 'claims', camera);
}

/** Where the upload of a large picture is claimed (see object-upload.ts). */
export function claimKey(target: S3Target, camera: string, remotePath: string): string {
  return join(target.prefix, '.camctl', 'claims', camera, ...remotePath.split('/').filter(Boolean));
}

/**
 * `PREFIX/<model>-<serial>/manifests/<time>-<tag>.json`: the time sorts as text; the tag (a few
 * random hex digits) keeps two stations finishing in the same millisecond apart.
 */
export function manifestKey(target: S3Target, camera: string, finished: Date, tag: string): string {
  return join(target.prefix, camera, 'manifests', `${finished.toISOString().replace(/[:]/g, '-')}-${tag}.json`);
}

/** The bands of the Sequoia's file names (`IMG_…_GRE.TIF`), as people name them. */
const SEQUOIA_BANDS: Record<string, string> = {
  GRE: 'green',
  RED: 'red',
  REG: 'red-edge',
  NIR: 'near-infrared',
  RGB: 'rgb',
};

/** The Sequoia band a file holds, from its name; undefined for other cameras. */
export function bandOf(name: string): string | undefined {
  const m = /_(GRE|RED|REG|NIR|RGB)\.(TIF|TIFF|JPG|JPEG)$/i.exec(name);
  return m ? SEQUOIA_BANDS[m[1]!.toUpperCase()] : undefined;
}

/** Percent-encodes what an HTTP header cannot carry. */
function headerValue(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : encodeURIComponent(text);
}

/** What is known of a picture before its bytes are read. */
export interface PictureFacts {
  cameraModel: string;
  cameraSerial: string;
  cameraFirmware: string;
  /** The path on the camera, e.g. `/internal/0002/IMG_160629_123655_0000_NIR.TIF`. */
  path: string;
  size: number;
  /** ISO 8601, when the camera gives a time. */
  captureTime?: string;
  band?: string;
  /** Where the picture was taken, read from its first bytes as they are uploaded (picture-position.ts). */
  gps?: PictureGps;
}

export function pictureFacts(info: CameraInfo, file: RemoteFile): PictureFacts {
  const facts: PictureFacts = {
    cameraModel: info.model,
    cameraSerial: info.serialNumber,
    cameraFirmware: info.firmware,
    path: file.path,
    size: file.size,
  };
  if (file.time !== undefined && Number.isFinite(file.time)) facts.captureTime = new Date(file.time).toISOString();
  const band = bandOf(file.name);
  if (band) facts.band = band;
  return facts;
}

/** The object metadata for a picture (`x-amz-meta-<name>`); `sha256` once it is known. */
export function objectMetadata(facts: PictureFacts, sha256?: string): Record<string, string> {
  const m: Record<string, string> = {
    'camera-model': headerValue(facts.cameraModel),
    'camera-serial': headerValue(facts.cameraSerial),
    'camera-firmware': headerValue(facts.cameraFirmware),
    'camera-path': headerValue(facts.path),
  };
  if (facts.captureTime) m['capture-time'] = facts.captureTime;
  if (facts.band) m.band = facts.band;
  if (facts.gps) {
    m['gps-lat'] = String(facts.gps.lat);
    m['gps-lon'] = String(facts.gps.lon);
    if (facts.gps.alt !== undefined) m['gps-alt'] = String(facts.gps.alt);
  }
  if (sha256) m.sha256 = sha256;
  return m;
}

/** The position an object's metadata carries (as {@link objectMetadata} writes it), if any. */
export function gpsFromMetadata(m: Record<string, string>): PictureGps | undefined {
  const lat = Number(m['gps-lat']);
  const lon = Number(m['gps-lon']);
  if (m['gps-lat'] === undefined || m['gps-lon'] === undefined || !Number.isFinite(lat) || !Number.isFinite(lon))
    return undefined;
  const gps: PictureGps = { lat, lon };
  const alt = Number(m['gps-alt']);
  if (m['gps-alt'] !== undefined && Number.isFinite(alt)) gps.alt = alt;
  return gps;
}

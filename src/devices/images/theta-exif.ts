/**
 * The EXIF block of a RICOH THETA S picture: IFD0, the Exif directory with RICOH's maker note,
 * a GPS directory when the gpsInfo option holds a position, and IFD1 with the 160×80 JPEG
 * thumbnail every camera embeds.
 *
 * The maker note follows RICOH's TIFF-style layout as exiftool's Image::ExifTool::Ricoh reads it:
 * the header "Ricoh\0\0\0", then an IFD (MakerNoteType "Rdc", FirmwareVersion "RevNNNN",
 * SerialNumber, RecordingFormat) whose tag 0x4001 points at the THETA sub-directory — the camera's
 * tilt at the shot from its accelerometer (0x0003, degrees, which zenith correction removed from the
 * picture), its compass heading (0x0004), time zone (0x000a), and each of the two lenses' ISO,
 * aperture and exposure (0x0101–0x0103) and sensor serials (0x0104/0x0105). Tags 0x0001 (image
 * type), 0x0002 (HDR), 0x0005 (abnormal acceleration) and 0x0006 (zenith correction) are named
 * after the THETA tools that read them (thetaexif: RicohCameraType, HDRType,
 * AbnormalAcceleration, Zenith).
 */
import { ImageError } from './errors.js';
import { ascii, bytes, long, rational, short, srational, undef, type TiffEntry, type TiffIfd } from './tiff.js';

/** The emulated camera stands level on a tripod, its front lens facing the scene's south. */
export const THETA_POSE = { pitch: 0, roll: 0, heading: 180 } as const;
export const THETA_S_FNUMBER = 2.0;
/** mm. */
export const THETA_S_FOCAL_LENGTH = 1.31;
export const EXIF_THUMBNAIL_SIZE = { width: 160, height: 80 } as const;

export interface ThetaExifInput {
  width: number;
  height: number;
  /** Local time of the shot, "YYYY:MM:DD hh:mm:ss". */
  localDate: string;
  /** Minutes east of UTC of the camera's clock. */
  offsetMinutes: number;
  iso: number;
  /** Seconds. */
  exposureTime: number;
  exposureProgram: number;
  exposureCompensation: number;
  /** EXIF WhiteBalance: 0 auto, 1 manual. */
  whiteBalance: 0 | 1;
  hdr: boolean;
  firmwareVersion: string;
  serialNumber: string;
  gps?: ThetaGps | undefined;
  /** The IFD1 thumbnail, a baseline JPEG. */
  thumbnail: Uint8Array;
}

/** The gpsInfo option's position (theta-api-specs options/gps_info.md). */
export interface ThetaGps {
  lat: number;
  lng: number;
  /** Metres above sea level (`_altitude`). */
  altitude?: number | undefined;
  /** `_datum`, "WGS84". */
  datum?: string | undefined;
  /** `_dateTimeZone` of the fix, "YYYY:MM:DD hh:mm:ss+hh:mm". */
  dateTimeZone?: string | undefined;
}

/** An exposure time as the camera writes it: 1/n below a second, tenths above. */
function exposureRational(t: number): readonly [number, number] {
  if (!(t > 0)) throw new ImageError('ERR_CAMCTL_IMAGE_BAD_REQUEST', `exposure time must be positive, got ${t}`);
  return t < 1 ? [1, Math.round(1 / t)] : [Math.round(t * 10), 10];
}

const hundredths = (x: number): readonly [number, number] => [Math.round(x * 100), 100];

/** "+09:00" for 540. */
export function zoneText(offsetMinutes: number): string {
  const a = Math.abs(offsetMinutes);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${offsetMinutes < 0 ? '-' : '+'}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}

/** Degrees → degrees, minutes, seconds as rationals (seconds to 1/10000″, about 3 mm). */
function dms(deg: number): (readonly [number, number])[] {
  const total = Math.round(Math.abs(deg) * 3600 * 10000);
  const d = Math.floor(total / 36_000_000);
  const m = Math.floor((total % 36_000_000) / 600_000);
  return [
    [d, 1],
    [m, 1],
    [total % 600_000, 10000],
  ];
}

/** The UTC instant of a "YYYY:MM:DD hh:mm:ss±hh:mm" text, or undefined when it is not one. */
function parseZoned(text: string): Date | undefined {
  const m = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000;
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function gpsIfd(g: ThetaGps): TiffIfd {
  const entries: TiffEntry[] = [
    { tag: 0x0000, value: bytes(2, 2, 0, 0) },
    { tag: 0x0001, value: ascii(g.lat >= 0 ? 'N' : 'S') },
    { tag: 0x0002, value: rational(...dms(g.lat)) },
    { tag: 0x0003, value: ascii(g.lng >= 0 ? 'E' : 'W') },
    { tag: 0x0004, value: rational(...dms(g.lng)) },
    // The compass heading of the front lens, magnetic.
    { tag: 0x0010, value: ascii('M') },
    { tag: 0x0011, value: rational(hundredths(THETA_POSE.heading)) },
    { tag: 0x0012, value: ascii(g.datum ?? 'WGS84') },
  ];
  if (g.altitude !== undefined && Number.isFinite(g.altitude)) {
    entries.push(
      { tag: 0x0005, value: bytes(g.altitude < 0 ? 1 : 0) },
      { tag: 0x0006, value: rational(hundredths(Math.abs(g.altitude))) },
    );
  }
  const fix = g.dateTimeZone === undefined ? undefined : parseZoned(g.dateTimeZone);
  if (fix) {
    const p = (n: number) => String(n).padStart(2, '0');
    entries.push(
      { tag: 0x0007, value: rational([fix.getUTCHours(), 1], [fix.getUTCMinutes(), 1], [fix.getUTCSeconds(), 1]) },
      { tag: 0x001d, value: ascii(`${fix.getUTCFullYear()}:${p(fix.getUTCMonth() + 1)}:${p(fix.getUTCDate())}`) },
    );
  }
  return entries;
}

/** "Rev0182" for firmware "01.82". */
function firmwareRevision(version: string): string {
  const digits = version.replace(/\D/g, '').padStart(4, '0').slice(-4);
  return `Rev${digits}`;
}

/** The two image sensors' serials: A + 7 digits, fixed for a camera body. */
function sensorSerials(serialNumber: string): [string, string] {
  const n = Number(serialNumber.replace(/\D/g, '').slice(-7) || '0') % 9_999_990;
  const s = (k: number) => `A${String(k).padStart(7, '0')}`;
  return [s(n), s(n + 9)];
}

function makerNote(x: ThetaExifInput): TiffIfd {
  const exposure = exposureRational(x.exposureTime);
  const [sensor1, sensor2] = sensorSerials(x.serialNumber);
  const theta: TiffEntry[] = [
    { tag: 0x0001, value: short(1) },
    { tag: 0x0002, value: short(x.hdr ? 1 : 0) },
    { tag: 0x0003, value: srational(hundredths(THETA_POSE.pitch), hundredths(THETA_POSE.roll)) },
    { tag: 0x0004, value: rational(hundredths(THETA_POSE.heading)) },
    { tag: 0x0005, value: short(0) },
    { tag: 0x0006, value: short(1) },
    { tag: 0x000a, value: ascii(zoneText(x.offsetMinutes)) },
    { tag: 0x0101, value: short(x.iso, 0, x.iso, 0) },
    { tag: 0x0102, value: srational(hundredths(THETA_S_FNUMBER), hundredths(THETA_S_FNUMBER)) },
    { tag: 0x0103, value: rational(exposure, exposure) },
    { tag: 0x0104, value: ascii(sensor1) },
    { tag: 0x0105, value: ascii(sensor2) },
  ];
  return [
    { tag: 0x0001, value: ascii('Rdc') },
    { tag: 0x0002, value: ascii(firmwareRevision(x.firmwareVersion)) },
    { tag: 0x0005, value: undef(x.serialNumber.replace(/\D/g, '').padStart(16, '0').slice(-16)) },
    { tag: 0x1000, value: short(2) },
    { tag: 0x4001, value: { type: 'ifd', ifd: theta, pointer: 'long' } },
  ];
}

const RICOH_HEADER = Buffer.from('Ricoh\0\0\0', 'latin1');

/** IFD0 (with the Exif and GPS directories) and IFD1 (the thumbnail) of one picture. */
export function thetaExifIfds(x: ThetaExifInput): { ifd0: TiffIfd; ifd1: TiffIfd } {
  const exposure = exposureRational(x.exposureTime);
  const apex = 2 * Math.log2(THETA_S_FNUMBER);
  // APEX: Bv = Av + Tv − Sv, with Sv = log2(ISO / 3.125) — the scene brightness the exposure implies.
  const brightness = apex - Math.log2(x.exposureTime) - Math.log2(x.iso / 3.125);
  const exif: TiffEntry[] = [
    { tag: 0x829a, value: rational(exposure) },
    { tag: 0x829d, value: rational([THETA_S_FNUMBER * 10, 10]) },
    { tag: 0x8822, value: short(x.exposureProgram) },
    { tag: 0x8827, value: short(x.iso) },
    { tag: 0x9000, value: undef('0230') },
    { tag: 0x9003, value: ascii(x.localDate) },
    { tag: 0x9004, value: ascii(x.localDate) },
    { tag: 0x9101, value: undef(new Uint8Array([1, 2, 3, 0])) },
    { tag: 0x9201, value: srational(hundredths(-Math.log2(x.exposureTime))) },
    { tag: 0x9202, value: rational(hundredths(apex)) },
    { tag: 0x9203, value: srational(hundredths(brightness)) },
    { tag: 0x9204, value: srational([Math.round(x.exposureCompensation * 10), 10]) },
    { tag: 0x9205, value: rational(hundredths(apex)) },
    { tag: 0x9207, value: short(5) },
    // "No flash function": the THETA has none.
    { tag: 0x9209, value: short(32) },
    { tag: 0x920a, value: rational(hundredths(THETA_S_FOCAL_LENGTH)) },
    { tag: 0x927c, value: { type: 'makernote', header: RICOH_HEADER, ifd: makerNote(x) } },
    { tag: 0xa000, value: undef('0100') },
    { tag: 0xa001, value: short(1) },
    { tag: 0xa002, value: long(x.width) },
    { tag: 0xa003, value: long(x.height) },
    { tag: 0xa402, value: short(x.exposureProgram === 1 ? 1 : 0) },
    { tag: 0xa403, value: short(x.whiteBalance) },
    { tag: 0xa406, value: short(0) },
  ];
  const ifd0: TiffEntry[] = [
    // RICOH's firmware reserves both texts: a description of 63 blanks, an empty copyright (the
    // getMetadata reply of a real THETA shows them so).
    { tag: 0x010e, value: ascii(' '.repeat(63)) },
    { tag: 0x010f, value: ascii('RICOH') },
    { tag: 0x0110, value: ascii('RICOH THETA S') },
    { tag: 0x0112, value: short(1) },
    { tag: 0x011a, value: rational([72, 1]) },
    { tag: 0x011b, value: rational([72, 1]) },
    { tag: 0x0128, value: short(2) },
    { tag: 0x0131, value: ascii(`RICOH THETA S Ver ${x.firmwareVersion}`) },
    { tag: 0x0132, value: ascii(x.localDate) },
    { tag: 0x0213, value: short(1) },
    { tag: 0x8298, value: ascii('') },
    { tag: 0x8769, value: { type: 'ifd', ifd: exif, pointer: 'long' } },
  ];
  if (x.gps) ifd0.push({ tag: 0x8825, value: { type: 'ifd', ifd: gpsIfd(x.gps), pointer: 'long' } });
  const ifd1: TiffEntry[] = [
    { tag: 0x0103, value: short(6) },
    { tag: 0x011a, value: rational([72, 1]) },
    { tag: 0x011b, value: rational([72, 1]) },
    { tag: 0x0128, value: short(2) },
    { tag: 0x0201, value: { type: 'offset', bytes: x.thumbnail } },
    { tag: 0x0202, value: long(x.thumbnail.length) },
  ];
  return { ifd0, ifd1 };
}

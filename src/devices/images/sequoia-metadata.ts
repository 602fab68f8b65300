/**
 * The EXIF directories and XMP packets of Sequoia files, tag for tag as the camera writes them
 * (fixtures/sequoia-real/0077, firmware 1.4.1; compare with `exiftool -G1 -s`): which tags, in
 * which directory, with which TIFF type — readers show the type, so a SHORT where the camera
 * writes a LONG is a visible difference.
 */
import { createHash } from 'node:crypto';
import {
  IRRADIANCE_UNIT_SCALE,
  MONO_CALIBRATION,
  MONO_LINE_READOUT_TIME,
  OPTICS,
  RGB_CALIBRATION,
  RGB_LINE_READOUT_TIME,
  VIGNETTING_POLYNOMIAL_2D_NAME,
  type MonoBand,
} from './sequoia-calibration.js';
import { encodeImuList, encodeIrradianceList, type ImuRecord, type IrradianceRecord } from './sequoia-records.js';
import {
  ascii,
  bytes,
  floatRational,
  long,
  rational,
  short,
  srational,
  undef,
  type TiffEntry,
  type TiffIfd,
} from './tiff.js';
import { encodeCameraXmp } from './xmp.js';

/** Everything the metadata needs, already resolved from the request. */
export interface CaptureMetadata {
  band: MonoBand | 'RGB';
  width: number;
  height: number;
  captureTimeMs: number;
  /** µs since the camera powered on, when the trigger fired (CreateDate + SubSecTimeDigitized). */
  uptimeUs: bigint;
  /** µs within the second of DateTimeOriginal, this sensor's own readout. */
  subSecUs: number;
  serialNumber: string;
  firmwareVersion: string;
  exposureUs: number;
  iso: number;
  gps: { fix: boolean; lat: number; lon: number; altitude: number };
  attitude: { yaw: number; pitch: number; roll: number };
  irradiance: readonly IrradianceRecord[] | null;
  sunshineSerialNumber: string;
  sensorTemperature: number;
  captureUuid: string;
  flightUuid: string;
  pictureIndex: number;
  fileName: string;
  imu: readonly ImuRecord[];
  imuTimeOffset: number;
  calibrationPicture: boolean;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "YYYY:MM:DD HH:MM:SS" of an epoch-ms instant, UTC (the camera clock has no zone). */
export function exifDateTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}:${pad(d.getUTCMonth() + 1)}:${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** 32 upper-case hex digits, stable for one file of one capture. */
export function imageUniqueId(m: Pick<CaptureMetadata, 'captureUuid' | 'band' | 'serialNumber'>): string {
  return createHash('md5').update(`${m.serialNumber}/${m.captureUuid}/${m.band}`).digest('hex').toUpperCase();
}

const f6 = (x: number) => x.toFixed(6);

/**
 * APEX values as the firmware computes them, in float32 with natural logs: the fixture's
 * ApertureValue 2147483647/943945856 (f/2.2) and ShutterSpeedValue 2147483647/256237824 (1/333 s)
 * come out of exactly these steps, not out of a double-precision log2.
 */
const f32 = Math.fround;
export const apexAperture = (fNumber: number): number => f32(f32(2 * f32(Math.log(f32(fNumber)))) / f32(Math.LN2));
export const apexShutter = (seconds: number): number => f32(f32(-f32(Math.log(f32(seconds)))) / f32(Math.LN2));

function gpsIfd(m: CaptureMetadata): TiffIfd {
  const entries: TiffEntry[] = [{ tag: 0x0000, value: bytes(2, 2, 0, 0) }];
  if (!m.gps.fix) {
    // Without a fix the camera writes only the version and status "V" (measurement void).
    entries.push({ tag: 0x0009, value: ascii('V') });
    return entries;
  }
  const dms = (deg: number): (readonly [number, number])[] => {
    const a = Math.abs(deg);
    const d = Math.floor(a);
    const mins = Math.floor((a - d) * 60);
    const secs = (a - d - mins / 60) * 3600;
    return [
      [d, 1],
      [mins, 1],
      [Math.round(secs * 10000), 10000],
    ];
  };
  entries.push(
    { tag: 0x0001, value: ascii(m.gps.lat >= 0 ? 'N' : 'S') },
    { tag: 0x0002, value: rational(...dms(m.gps.lat)) },
    { tag: 0x0003, value: ascii(m.gps.lon >= 0 ? 'E' : 'W') },
    { tag: 0x0004, value: rational(...dms(m.gps.lon)) },
    { tag: 0x0005, value: bytes(m.gps.altitude >= 0 ? 0 : 1) },
    { tag: 0x0006, value: rational([Math.round(Math.abs(m.gps.altitude) * 1000), 1000]) },
    { tag: 0x0009, value: ascii('A') },
  );
  return entries;
}

/** The EXIF sub-IFD entries both kinds of file share. */
function commonExif(
  m: CaptureMetadata,
  optics: { fNumber: number; focalLength: number; focalLength35: number; sensorWidthMm: number },
  fullWidth: number,
): TiffEntry[] {
  const seconds = m.exposureUs / 1e6;
  const apex = apexAperture(optics.fNumber);
  const [uptimeSeconds, uptimeMicros] = [Number(m.uptimeUs / 1_000_000n), Number(m.uptimeUs % 1_000_000n)];
  // The focal-plane resolution is the full sensor's pixels per mm, scaled to the chosen size.
  const fpr = (fullWidth / optics.sensorWidthMm) * (m.width / fullWidth);
  return [
    { tag: 0x829a, value: rational(floatRational(seconds)) },
    { tag: 0x829d, value: rational(floatRational(optics.fNumber)) },
    { tag: 0x8827, value: short(Math.min(0xffff, Math.round(m.iso))) },
    { tag: 0x9003, value: ascii(exifDateTime(m.captureTimeMs)) },
    { tag: 0x9004, value: ascii(exifDateTime(uptimeSeconds * 1000)) },
    { tag: 0x9201, value: srational(floatRational(apexShutter(seconds))) },
    { tag: 0x9202, value: rational(floatRational(apex)) },
    { tag: 0x9205, value: rational(floatRational(apex)) },
    { tag: 0x920a, value: rational(floatRational(optics.focalLength)) },
    { tag: 0x9211, value: long(m.pictureIndex) },
    { tag: 0x9290, value: ascii(pad(m.subSecUs, 6)) },
    { tag: 0x9291, value: ascii(pad(m.subSecUs, 6)) },
    { tag: 0x9292, value: ascii(pad(uptimeMicros, 6)) },
    { tag: 0xa002, value: long(m.width) },
    { tag: 0xa003, value: long(m.height) },
    { tag: 0xa20e, value: rational(floatRational(fpr)) },
    { tag: 0xa20f, value: rational(floatRational(fpr)) },
    { tag: 0xa210, value: short(4) },
    { tag: 0xa402, value: short(0) },
    { tag: 0xa405, value: short(optics.focalLength35) },
    { tag: 0xa420, value: ascii(imageUniqueId(m)) },
    { tag: 0xa431, value: ascii(m.serialNumber) },
  ];
}

/** IFD0 of a mono band TIFF; the strip is at offset 8 (the caller's layout). */
export function monoIfd0(m: CaptureMetadata & { band: MonoBand }, xmp: Buffer): TiffIfd {
  const cal = MONO_CALIBRATION[m.band];
  const description = `${cal.centralWavelength} nm`;
  const exif: TiffEntry[] = [...commonExif(m, OPTICS.mono, 1280), { tag: 0x8824, value: ascii(description) }];
  const name = Buffer.from(m.fileName + '\0', 'latin1');
  return [
    { tag: 0x0100, value: short(m.width) },
    { tag: 0x0101, value: short(m.height) },
    { tag: 0x0102, value: short(16) },
    { tag: 0x0103, value: short(1) },
    { tag: 0x0106, value: short(1) },
    { tag: 0x010e, value: ascii(description) },
    { tag: 0x010f, value: ascii('Parrot') },
    { tag: 0x0110, value: ascii('Sequoia') },
    { tag: 0x0111, value: long(8) },
    // Stored upside down, as the sensor reads out; readers rotate.
    { tag: 0x0112, value: short(3) },
    { tag: 0x0115, value: short(1) },
    { tag: 0x0117, value: long(m.width * m.height * 2) },
    { tag: 0x0118, value: short(0) },
    { tag: 0x011c, value: short(1) },
    { tag: 0x0131, value: ascii(`v${m.firmwareVersion}`) },
    { tag: 0x0132, value: ascii(exifDateTime(m.captureTimeMs)) },
    { tag: 0x02bc, value: { type: 'byte', values: xmp } },
    { tag: 0x8769, value: { type: 'ifd', ifd: exif, pointer: 'ifd' } },
    { tag: 0x8825, value: { type: 'ifd', ifd: gpsIfd(m), pointer: 'ifd' } },
    { tag: 0xc619, value: short(2, 2) },
    { tag: 0xc61a, value: long(...cal.blackLevel) },
    { tag: 0xc62f, value: ascii(m.serialNumber) },
    // The camera types this one BYTE in TIFFs (and ASCII in the JPEG).
    { tag: 0xc68b, value: { type: 'byte', values: name } },
  ];
}

/** IFD0 of the RGB JPEG's EXIF (big-endian, no thumbnail IFD). */
export function rgbIfd0(m: CaptureMetadata): TiffIfd {
  const exif: TiffEntry[] = [
    ...commonExif(m, OPTICS.rgb, 4608),
    { tag: 0x9000, value: undef('0210') },
    { tag: 0x9101, value: undef(new Uint8Array([1, 2, 3, 0])) },
    { tag: 0xa000, value: undef('0100') },
    { tag: 0xa001, value: short(0xffff) },
    { tag: 0xa403, value: short(0) },
  ];
  return [
    { tag: 0x0103, value: short(7) },
    { tag: 0x0106, value: short(6) },
    { tag: 0x010f, value: ascii('Parrot') },
    { tag: 0x0110, value: ascii('Sequoia') },
    { tag: 0x0112, value: short(3) },
    { tag: 0x011a, value: rational([72, 1]) },
    { tag: 0x011b, value: rational([72, 1]) },
    { tag: 0x0128, value: short(2) },
    { tag: 0x0131, value: ascii(`v${m.firmwareVersion}`) },
    { tag: 0x0132, value: ascii(exifDateTime(m.captureTimeMs)) },
    { tag: 0x0213, value: short(1) },
    { tag: 0x8769, value: { type: 'ifd', ifd: exif, pointer: 'long' } },
    { tag: 0x8825, value: { type: 'ifd', ifd: gpsIfd(m), pointer: 'long' } },
    { tag: 0x9211, value: long(m.pictureIndex) },
    { tag: 0xc62f, value: ascii(m.serialNumber) },
    { tag: 0xc68b, value: ascii(m.fileName) },
  ];
}

/** XMP packet of a mono band TIFF (4096 bytes unless the IrradianceList needs more). */
export function monoXmp(m: CaptureMetadata & { band: MonoBand }): Buffer {
  const cal = MONO_CALIBRATION[m.band];
  const sunshine = m.irradiance !== null;
  const attributes: [string, string][] = [
    ['RigName', 'Sequoia'],
    ['RigCameraIndex', String(cal.rigCameraIndex)],
    ['Yaw', f6(m.attitude.yaw)],
    ['Pitch', f6(m.attitude.pitch)],
    ['Roll', f6(m.attitude.roll)],
    ['BandGain', f6(1)],
    ['SensorTemperature', f6(m.sensorTemperature)],
    ['LineReadoutTime', String(MONO_LINE_READOUT_TIME)],
  ];
  if (cal.rigRelatives !== null) attributes.push(['RigRelatives', cal.rigRelatives]);
  attributes.push(
    ['PrincipalPoint', cal.principalPoint],
    ['ModelType', 'fisheye'],
    ['FisheyeAffineSymmetric', '1'],
    ['FisheyeAffineMatrix', cal.fisheyeAffineMatrix],
    ['FisheyePolynomial', cal.fisheyePolynomial],
    ['FlightUUID', m.flightUuid],
    ['CaptureUUID', m.captureUuid],
  );
  // The sunshine sensor's identity and calibration live in the sensor: without it they are absent.
  if (sunshine) {
    attributes.push(
      ['SunshineSerialNumber', m.sunshineSerialNumber],
      ['IrradianceCalibrationMeasurement', cal.irradianceCalibrationMeasurement],
    );
  }
  attributes.push(
    ['CalibrationMeasurement', cal.calibrationMeasurement],
    ['CalibrationPicture', m.calibrationPicture ? '1' : '0'],
  );
  if (sunshine) {
    attributes.push(
      ['IrradianceCalibrationMeasurementGolden', cal.irradianceCalibrationMeasurementGolden],
      ['IrradianceSensitivitiesGolden', cal.irradianceSensitivitiesGolden],
      ['IrradianceUnitScale', IRRADIANCE_UNIT_SCALE],
    );
  }
  return encodeCameraXmp({
    attributes,
    sequences: [
      ['SensorModel', [cal.sensorModel]],
      ['BandName', [cal.bandName]],
      ['CentralWavelength', [f6(cal.centralWavelength)]],
      ['WavelengthFWHM', [f6(cal.wavelengthFwhm)]],
      ['BlackCurrent', [f6(cal.blackCurrent)]],
      ['VignettingPolynomial2DName', [VIGNETTING_POLYNOMIAL_2D_NAME]],
      ['VignettingPolynomial2D', [cal.vignettingPolynomial2D]],
      ['InvalidPixel', [cal.invalidPixel]],
    ],
    blobs: m.irradiance ? [['IrradianceList', encodeIrradianceList(m.irradiance)]] : [],
    padTo: 4096,
  });
}

/** XMP packet of the RGB JPEG (8192 bytes). */
export function rgbXmp(m: CaptureMetadata): Buffer {
  return encodeCameraXmp({
    attributes: [
      ['RigName', 'Sequoia'],
      ['Yaw', f6(m.attitude.yaw)],
      ['Pitch', f6(m.attitude.pitch)],
      ['Roll', f6(m.attitude.roll)],
      ['IMUSampleSize', String(m.imu.length)],
      ['IMUTimeOffset', String(m.imuTimeOffset)],
      ['LineReadoutTime', String(RGB_LINE_READOUT_TIME)],
      ['IMUFrequency', String(RGB_CALIBRATION.imuFrequency)],
      ['PrincipalPoint', RGB_CALIBRATION.principalPoint],
      ['ModelType', 'perspective'],
      ['PerspectiveFocalLength', RGB_CALIBRATION.perspectiveFocalLength],
      ['PerspectiveDistortion', RGB_CALIBRATION.perspectiveDistortion],
      ['FlightUUID', m.flightUuid],
    ],
    sequences: [['BandName', ['Red', 'Green', 'Blue']]],
    blobs: [['IMUAngularVelocity', encodeImuList(m.imu)]],
    padTo: 8192,
  });
}

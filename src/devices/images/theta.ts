/**
 * Real equirectangular JPEGs of a synthetic 360° scene, as a RICOH THETA S writes them: EXIF with
 * Make "RICOH" / Model "RICOH THETA S", GPano XMP (ProjectionType equirectangular, ...), and
 * 640×320 thumbnails; plus the live-preview frames (the scene slowly turning).
 *
 * Encoding a 5376×2688 JPEG takes a few hundred milliseconds, so the encoded picture (tables and
 * scan) is cached per (size, brightness) and a shot writes only its metadata — EXIF with RICOH's
 * maker note, GPS and the IFD1 thumbnail (theta-exif.ts), and the GPano XMP — in front of it.
 */
import sharp from 'sharp';
import { COM, exifSegment, isAppSegment, parseJpeg, writeJpeg, xmpSegment, type JpegSegment } from './jpeg-segments.js';
import { EXIF_THUMBNAIL_SIZE, THETA_POSE, thetaExifIfds, type ThetaGps } from './theta-exif.js';
import { encodeTiffStructure } from './tiff.js';

export interface ShotSettings {
  width: number;
  height: number;
  /** 0 = auto. */
  iso: number;
  /** Seconds, 0 = auto. */
  shutterSpeed: number;
  exposureProgram: number;
  exposureCompensation: number;
  whiteBalance: string;
  filter: string;
  firmwareVersion: string;
  /** The camera body's serial (EXIF maker note). Default "00000000". */
  serialNumber?: string | undefined;
  /** GPS position recorded with the shot (the gpsInfo option), if any. */
  gps?: ThetaGps | undefined;
}

/** Raw RGB of the scene per size, then encoded pictures per settings. */
const rawCache = new Map<string, Promise<Buffer>>();
const jpegCache = new Map<string, Promise<EncodedPicture>>();
const MAX_JPEG_CACHE = 6;

/**
 * The scene: sky gradient with a sun, a mountain ridge along the horizon, ground with texture and
 * four coloured posts at north (red), east (green), south (blue) and west (yellow), so a viewer shows
 * which way the camera pointed. Deterministic.
 */
function renderScene(width: number, height: number): Buffer {
  const buf = Buffer.allocUnsafe(width * height * 3);
  let seed = 0x2f6b1d;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const ridge = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const lon = (x / width) * Math.PI * 2;
    ridge[x] = 0.46 - 0.035 * (Math.sin(lon * 3) + 0.6 * Math.sin(lon * 7 + 1) + 0.3 * Math.sin(lon * 17 + 2) + 1);
  }
  const posts: Array<{ x: number; rgb: [number, number, number] }> = [
    { x: 0.0, rgb: [200, 40, 40] },
    { x: 0.25, rgb: [40, 170, 60] },
    { x: 0.5, rgb: [40, 70, 210] },
    { x: 0.75, rgb: [230, 200, 40] },
  ];
  const postHalf = Math.max(2, Math.round(width * 0.006));
  const sunX = width * 0.62;
  const sunY = height * 0.22;
  const sunR = height * 0.035;
  for (let y = 0; y < height; y++) {
    const v = y / height;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      let r: number, g: number, b: number;
      if (v < (ridge[x] ?? 0.45)) {
        // Sky: deep blue at the zenith to pale at the horizon.
        r = 70 + v * 260;
        g = 120 + v * 220;
        b = 225 + v * 40;
        const dx = x - sunX;
        const dy = y - sunY;
        const d = Math.sqrt(dx * dx + dy * dy);
        if (d < sunR) {
          r = 255;
          g = 250;
          b = 220;
        } else if (d < sunR * 3) {
          const k = 1 - (d - sunR) / (sunR * 2);
          r += (255 - r) * k * 0.5;
          g += (245 - g) * k * 0.5;
          b += (210 - b) * k * 0.3;
        }
      } else if (v < 0.5) {
        // Mountains, bluish with distance.
        const n = rnd() * 18;
        r = 70 + n;
        g = 90 + n;
        b = 105 + n;
      } else {
        // Ground: grass with texture, darker towards the nadir (the camera's shadow).
        const n = rnd() * 46;
        const shade = 1 - Math.max(0, v - 0.85) * 3;
        r = (45 + n) * shade;
        g = (105 + n) * shade;
        b = (35 + n * 0.5) * shade;
      }
      buf[i] = r > 255 ? 255 : r;
      buf[i + 1] = g > 255 ? 255 : g;
      buf[i + 2] = b > 255 ? 255 : b;
    }
  }
  // Posts stand on the horizon line.
  for (const p of posts) {
    const cx = Math.round(p.x * width);
    for (let y = Math.round(height * 0.36); y < Math.round(height * 0.58); y++) {
      for (let dx = -postHalf; dx <= postHalf; dx++) {
        const x = (cx + dx + width) % width;
        const i = (y * width + x) * 3;
        buf[i] = p.rgb[0];
        buf[i + 1] = p.rgb[1];
        buf[i + 2] = p.rgb[2];
      }
    }
  }
  return buf;
}

function sceneRaw(width: number, height: number): Promise<Buffer> {
  const key = `${width}x${height}`;
  let p = rawCache.get(key);
  if (!p) {
    p = Promise.resolve().then(() => renderScene(width, height));
    rawCache.set(key, p);
  }
  return p;
}

/** GPano XMP as the THETA writes it (Google Photo Sphere XMP properties). */
export function gpanoXmp(width: number, height: number): string {
  return [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="RICOH THETA S">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:GPano="http://ns.google.com/photos/1.0/panorama/">',
    '<GPano:ProjectionType>equirectangular</GPano:ProjectionType>',
    '<GPano:UsePanoramaViewer>True</GPano:UsePanoramaViewer>',
    `<GPano:CroppedAreaImageWidthPixels>${width}</GPano:CroppedAreaImageWidthPixels>`,
    `<GPano:CroppedAreaImageHeightPixels>${height}</GPano:CroppedAreaImageHeightPixels>`,
    `<GPano:FullPanoWidthPixels>${width}</GPano:FullPanoWidthPixels>`,
    `<GPano:FullPanoHeightPixels>${height}</GPano:FullPanoHeightPixels>`,
    '<GPano:CroppedAreaLeftPixels>0</GPano:CroppedAreaLeftPixels>',
    '<GPano:CroppedAreaTopPixels>0</GPano:CroppedAreaTopPixels>',
    // The pose the EXIF maker note states: the compass heading of the picture's centre.
    `<GPano:PoseHeadingDegrees>${THETA_POSE.heading.toFixed(1)}</GPano:PoseHeadingDegrees>`,
    `<GPano:PosePitchDegrees>${THETA_POSE.pitch.toFixed(1)}</GPano:PosePitchDegrees>`,
    `<GPano:PoseRollDegrees>${THETA_POSE.roll.toFixed(1)}</GPano:PoseRollDegrees>`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

/** What the auto-exposure "measures" for the synthetic scene: a bright outdoor day. */
function effectiveExposure(s: ShotSettings): { iso: number; shutter: number } {
  const iso = s.iso > 0 ? s.iso : 100;
  const shutter =
    s.shutterSpeed > 0 ? s.shutterSpeed : 1 / Math.round(1600 * (iso / 100) * Math.pow(2, -s.exposureCompensation));
  return { iso, shutter };
}

/** The encoded picture of one (size, brightness): everything of the file but its metadata. */
interface EncodedPicture {
  /** DQT, SOF0, DHT… of the encoder, without its JFIF APP0. */
  tables: JpegSegment[];
  sos: JpegSegment;
  scan: Buffer;
  /** 640×320, the file the camera keeps for getImage `_type: thumb`. */
  thumb: Buffer;
  /** 160×80, embedded in IFD1. */
  exifThumb: Buffer;
}

/** Only what changes the pixels: the metadata is written per shot. */
function cacheKey(s: ShotSettings): string {
  return JSON.stringify([s.width, s.height, s.exposureCompensation]);
}

function encode(s: ShotSettings): Promise<EncodedPicture> {
  const key = cacheKey(s);
  let p = jpegCache.get(key);
  if (p) {
    // Most recently used stays.
    jpegCache.delete(key);
    jpegCache.set(key, p);
    return p;
  }
  p = (async () => {
    const raw = await sceneRaw(s.width, s.height);
    // Brightness follows exposure compensation so the setting is visible in the picture.
    const gain = Math.pow(2, s.exposureCompensation / 2);
    const image = () => {
      const img = sharp(raw, { raw: { width: s.width, height: s.height, channels: 3 } });
      return gain !== 1 ? img.linear(gain, 0) : img;
    };
    const [full, thumb, exifThumb] = await Promise.all([
      image().jpeg({ quality: 92, chromaSubsampling: '4:2:0' }).toBuffer(),
      image().resize(640, 320).jpeg({ quality: 70 }).toBuffer(),
      image()
        .resize(EXIF_THUMBNAIL_SIZE.width, EXIF_THUMBNAIL_SIZE.height)
        .jpeg({ quality: 70, chromaSubsampling: '4:2:0' })
        .toBuffer(),
    ]);
    const { segments, sos, scan } = parseJpeg(full);
    // The camera's file has no JFIF APP0 (nor any other APPn but its Exif and XMP).
    const tables = segments.filter((seg) => !isAppSegment(seg) && seg.marker !== COM);
    return { tables, sos, scan, thumb, exifThumb: stripApp(exifThumb) };
  })();
  jpegCache.set(key, p);
  p.catch(() => jpegCache.delete(key));
  while (jpegCache.size > MAX_JPEG_CACHE) {
    const oldest = jpegCache.keys().next().value;
    if (oldest === undefined) break;
    jpegCache.delete(oldest);
  }
  return p;
}

/** A JPEG without its APPn segments: the EXIF thumbnail carries no metadata of its own. */
function stripApp(jpeg: Buffer): Buffer {
  const { segments, sos, scan } = parseJpeg(jpeg);
  return writeJpeg(
    segments.filter((seg) => !isAppSegment(seg) && seg.marker !== COM),
    sos,
    scan,
  );
}

/** `YYYY:MM:DD hh:mm:ss` of a local time given as epoch ms + UTC offset in minutes. */
export function exifDate(epochMs: number, offsetMinutes: number): string {
  const d = new Date(epochMs + offsetMinutes * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}:${p(d.getUTCMonth() + 1)}:${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * One picture: the full JPEG and its 640×320 thumbnail.
 *
 * @example
 * const { jpeg, thumb } = await thetaPicture(settings, Date.now(), 540);
 */
export async function thetaPicture(
  s: ShotSettings,
  epochMs: number,
  offsetMinutes: number,
): Promise<{ jpeg: Buffer; thumb: Buffer }> {
  const picture = await encode(s);
  const { iso, shutter } = effectiveExposure(s);
  const { ifd0, ifd1 } = thetaExifIfds({
    width: s.width,
    height: s.height,
    localDate: exifDate(epochMs, offsetMinutes),
    offsetMinutes,
    iso,
    exposureTime: shutter,
    exposureProgram: s.exposureProgram,
    exposureCompensation: s.exposureCompensation,
    whiteBalance: s.whiteBalance === 'auto' ? 0 : 1,
    hdr: s.filter === 'hdr',
    firmwareVersion: s.firmwareVersion,
    serialNumber: s.serialNumber ?? '00000000',
    gps: s.gps,
    thumbnail: picture.exifThumb,
  });
  // Big-endian, as RICOH's cameras write their EXIF.
  const exif = exifSegment(encodeTiffStructure(ifd0, { littleEndian: false }, ifd1));
  const xmp = xmpSegment(Buffer.from(gpanoXmp(s.width, s.height), 'utf8'));
  return { jpeg: writeJpeg([exif, xmp, ...picture.tables], picture.sos, picture.scan), thumb: picture.thumb };
}

/** Pre-renders the picture for the given settings so the first shot is as fast as the rest. */
export async function warmThetaPicture(s: ShotSettings): Promise<void> {
  await encode(s);
}

const previewBase = new Map<string, Promise<Buffer>>();

/**
 * One live-preview frame: the scene at preview size, turned by `frame` steps (one full turn every
 * 240 frames), so consecutive frames differ as a moving camera's do.
 */
export async function thetaPreviewFrame(width: number, height: number, frame: number): Promise<Buffer> {
  const key = `${width}x${height}`;
  let base = previewBase.get(key);
  if (!base) {
    base = sceneRaw(2048, 1024).then((raw) =>
      sharp(raw, { raw: { width: 2048, height: 1024, channels: 3 } })
        .resize(width, height)
        .raw()
        .toBuffer(),
    );
    previewBase.set(key, base);
  }
  const raw = await base;
  const rolled = rollLeft(raw, width, height, Math.floor(((frame % 240) / 240) * width));
  return sharp(rolled, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 60 })
    .toBuffer();
}

/**
 * An RGB raw image turned about the vertical axis: each row shifted left by `shift` pixels,
 * wrapping around — what a 360° camera sees as it turns in place.
 */
function rollLeft(raw: Buffer, width: number, height: number, shift: number): Buffer {
  const rolled = Buffer.allocUnsafe(raw.length);
  const rowBytes = width * 3;
  const cut = shift * 3;
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    raw.copy(rolled, row, row + cut, row + rowBytes);
    raw.copy(rolled, row + rowBytes - cut, row, row + cut);
  }
  return rolled;
}

/** Distinct frames of a video: a two-second loop (at 29.97 fps) of a slow turn. */
export const THETA_VIDEO_LOOP_FRAMES = 60;

/** A video size's frame source: encoded frames by number, and the 640×320 thumbnail of its clips. */
export interface ThetaVideoFrames {
  /** The JPEG of frame `n` (frames repeat every {@link THETA_VIDEO_LOOP_FRAMES}). */
  frame(n: number): Promise<Buffer>;
  /** The thumbnail the camera keeps for every clip of this size (its first frame, 640×320). */
  thumbnail(): Promise<Buffer>;
}

const videoFrames = new Map<string, Promise<ThetaVideoFrames>>();
/** The S records two sizes; a file found on disk may bring a third. */
const MAX_VIDEO_SIZES = 3;

/**
 * Frames of the scene at a video size, turning slowly; for the MP4 writer. Encoded once per size
 * and process: every clip of that size shows the same loop, so a recording only writes bytes.
 */
export function thetaVideoFrames(width: number, height: number): Promise<ThetaVideoFrames> {
  const key = `${width}x${height}`;
  let p = videoFrames.get(key);
  if (p) {
    videoFrames.delete(key);
    videoFrames.set(key, p);
    return p;
  }
  p = makeVideoFrames(width, height);
  videoFrames.set(key, p);
  p.catch(() => videoFrames.delete(key));
  while (videoFrames.size > MAX_VIDEO_SIZES) {
    const oldest = videoFrames.keys().next().value;
    if (oldest === undefined) break;
    videoFrames.delete(oldest);
  }
  return p;
}

async function makeVideoFrames(width: number, height: number): Promise<ThetaVideoFrames> {
  const raw = await sceneRaw(2048, 1024);
  const scaled = await sharp(raw, { raw: { width: 2048, height: 1024, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const cache = new Map<number, Promise<Buffer>>();
  // Encoding 1080p JPEGs at 30 fps for the whole recording would cost more than the recording.
  const frame = (n: number): Promise<Buffer> => {
    const k = n % THETA_VIDEO_LOOP_FRAMES;
    let p = cache.get(k);
    if (!p) {
      const rolled = rollLeft(scaled, width, height, Math.floor((k / THETA_VIDEO_LOOP_FRAMES) * (width / 8)));
      p = sharp(rolled, { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 55 })
        .toBuffer();
      cache.set(k, p);
      p.catch(() => cache.delete(k));
    }
    return p;
  };
  let thumb: Promise<Buffer> | undefined;
  const thumbnail = (): Promise<Buffer> => {
    if (!thumb) {
      const p = frame(0).then((f) => sharp(f).resize(640, 320, { fit: 'fill' }).jpeg({ quality: 70 }).toBuffer());
      p.catch(() => (thumb = undefined));
      thumb = p;
    }
    return thumb;
  };
  return { frame, thumbnail };
}

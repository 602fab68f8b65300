/**
 * Real equirectangular JPEGs of a synthetic 360° scene, as a RICOH THETA S writes them: EXIF with
 * Make "RICOH" / Model "RICOH THETA S", GPano XMP (ProjectionType equirectangular, ...), and
 * 640×320 thumbnails; plus the live-preview frames (the scene slowly turning).
 *
 * Encoding a 5376×2688 JPEG takes a few hundred milliseconds, so the encoded picture is cached per
 * (size, exposure settings) and a shot only patches its date into the cached bytes: the EXIF dates
 * are written as a fixed-length placeholder, which keeps every offset in the EXIF block valid.
 */
import sharp from 'sharp';

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
  /** GPS position recorded with the shot, if any. */
  gps?: { lat: number; lng: number; alt?: number } | undefined;
}

/** EXIF date placeholder: same length as a real `YYYY:MM:DD hh:mm:ss`. */
const DATE_PLACEHOLDER = '1999:12:31 23:59:58';
const PLACEHOLDER_BYTES = Buffer.from(DATE_PLACEHOLDER, 'latin1');

/** Raw RGB of the scene per size, then encoded pictures per settings. */
const rawCache = new Map<string, Promise<Buffer>>();
const jpegCache = new Map<string, Promise<{ jpeg: Buffer; thumb: Buffer }>>();
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
    '<GPano:PoseHeadingDegrees>0.0</GPano:PoseHeadingDegrees>',
    '<GPano:PosePitchDegrees>0.0</GPano:PosePitchDegrees>',
    '<GPano:PoseRollDegrees>0.0</GPano:PoseRollDegrees>',
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

function rational(x: number): string {
  if (x >= 1 || x === 0) return `${Math.round(x * 10)}/10`;
  return `1/${Math.round(1 / x)}`;
}

/** What the auto-exposure "measures" for the synthetic scene: a bright outdoor day. */
function effectiveExposure(s: ShotSettings): { iso: number; shutter: number } {
  const iso = s.iso > 0 ? s.iso : 100;
  const shutter = s.shutterSpeed > 0 ? s.shutterSpeed : 1 / Math.round(1600 * (iso / 100) * Math.pow(2, -s.exposureCompensation));
  return { iso, shutter };
}

const WB_EXIF: Record<string, number> = { auto: 0 };

function cacheKey(s: ShotSettings): string {
  return JSON.stringify([s.width, s.height, s.iso, s.shutterSpeed, s.exposureProgram, s.exposureCompensation, s.whiteBalance, s.filter, s.firmwareVersion, s.gps ?? null]);
}

function encode(s: ShotSettings): Promise<{ jpeg: Buffer; thumb: Buffer }> {
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
    const { iso, shutter } = effectiveExposure(s);
    // Brightness follows exposure compensation so the setting is visible in the picture.
    const gain = Math.pow(2, s.exposureCompensation / 2);
    const exifIfd: Record<string, string> = {
      DateTimeOriginal: DATE_PLACEHOLDER,
      DateTimeDigitized: DATE_PLACEHOLDER,
      ExposureTime: rational(shutter),
      FNumber: '20/10',
      ExposureProgram: String(s.exposureProgram),
      ISOSpeedRatings: String(iso),
      ExposureBiasValue: `${Math.round(s.exposureCompensation * 10)}/10`,
      FocalLength: '131/100',
      WhiteBalance: String(WB_EXIF[s.whiteBalance] ?? 1),
      ExposureMode: s.exposureProgram === 1 ? '1' : '0',
    };
    const ifd0: Record<string, string> = {
      Make: 'RICOH',
      Model: 'RICOH THETA S',
      Software: `RICOH THETA S Ver ${s.firmwareVersion}`,
      DateTime: DATE_PLACEHOLDER,
    };
    const exif: Record<string, Record<string, string>> = { IFD0: ifd0, IFD2: exifIfd };
    if (s.gps) {
      exif['IFD3'] = {
        GPSLatitudeRef: s.gps.lat >= 0 ? 'N' : 'S',
        GPSLatitude: dms(Math.abs(s.gps.lat)),
        GPSLongitudeRef: s.gps.lng >= 0 ? 'E' : 'W',
        GPSLongitude: dms(Math.abs(s.gps.lng)),
        GPSMapDatum: 'WGS84',
      };
    }
    let img = sharp(raw, { raw: { width: s.width, height: s.height, channels: 3 } });
    if (gain !== 1) img = img.linear(gain, 0);
    const jpeg = await img
      .withExif(exif)
      .withXmp(gpanoXmp(s.width, s.height))
      .jpeg({ quality: 92, chromaSubsampling: '4:2:0' })
      .toBuffer();
    const thumb = await sharp(raw, { raw: { width: s.width, height: s.height, channels: 3 } })
      .linear(gain, 0)
      .resize(640, 320)
      .jpeg({ quality: 70 })
      .toBuffer();
    return { jpeg, thumb };
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

function dms(deg: number): string {
  const d = Math.floor(deg);
  const mf = (deg - d) * 60;
  const m = Math.floor(mf);
  const s = Math.round((mf - m) * 60 * 100);
  return `${d}/1 ${m}/1 ${s}/100`;
}

/** `YYYY:MM:DD hh:mm:ss` of a local time given as epoch ms + UTC offset in minutes. */
export function exifDate(epochMs: number, offsetMinutes: number): string {
  const d = new Date(epochMs + offsetMinutes * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}:${p(d.getUTCMonth() + 1)}:${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function patchDates(src: Buffer, date: string): Buffer {
  const out = Buffer.from(src);
  const replacement = Buffer.from(date, 'latin1');
  // The dates live in the EXIF APP1 segment near the start; stop at the first scan (SOS).
  const limit = Math.min(out.length, 256 * 1024);
  let at = out.indexOf(PLACEHOLDER_BYTES, 0);
  while (at !== -1 && at < limit) {
    replacement.copy(out, at);
    at = out.indexOf(PLACEHOLDER_BYTES, at + replacement.length);
  }
  return out;
}

/**
 * One picture: the full JPEG and its 640×320 thumbnail.
 *
 * @example
 * const { jpeg, thumb } = await thetaPicture(settings, Date.now(), 540);
 */
export async function thetaPicture(s: ShotSettings, epochMs: number, offsetMinutes: number): Promise<{ jpeg: Buffer; thumb: Buffer }> {
  const { jpeg, thumb } = await encode(s);
  return { jpeg: patchDates(jpeg, exifDate(epochMs, offsetMinutes)), thumb };
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
      sharp(raw, { raw: { width: 2048, height: 1024, channels: 3 } }).resize(width, height).raw().toBuffer(),
    );
    previewBase.set(key, base);
  }
  const raw = await base;
  const rolled = rollLeft(raw, width, height, Math.floor(((frame % 240) / 240) * width));
  return sharp(rolled, { raw: { width, height, channels: 3 } }).jpeg({ quality: 60 }).toBuffer();
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

/** Raw RGB frames of the scene at a video size, turning slowly; for the MP4 writer. */
export async function thetaVideoFrameSource(width: number, height: number): Promise<(frame: number) => Promise<Buffer>> {
  const raw = await sceneRaw(2048, 1024);
  const scaled = await sharp(raw, { raw: { width: 2048, height: 1024, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const cache = new Map<number, Promise<Buffer>>();
  // 60 distinct frames make a two-second loop of a slow turn; cached, because encoding 1080p JPEGs
  // at 30 fps for the whole recording would make stopCapture take as long as the recording.
  const DISTINCT = 60;
  return (frame: number) => {
    const k = frame % DISTINCT;
    let p = cache.get(k);
    if (!p) {
      const rolled = rollLeft(scaled, width, height, Math.floor((k / DISTINCT) * (width / 8)));
      p = sharp(rolled, { raw: { width, height, channels: 3 } }).jpeg({ quality: 55 }).toBuffer();
      cache.set(k, p);
    }
    return p;
  };
}

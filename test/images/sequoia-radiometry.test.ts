/**
 * The per-band radiometry of an emulated Sequoia capture against the real camera's capture (the
 * helpers' FIXTURE_DIR): each band's IrradianceList carries its own sunshine-sensor channel
 * on the sensor's own clock (µs since power-on, like CreateDate), as many records as the camera
 * keeps; each band has its own exposure, and its own attitude from its own mounting. Most checks are
 * relationships read from the real files and asked of ours; the light levels are the real values
 * themselves, within tolerances, since the emulated capture is taken under the same morning sun
 * (exposure time and ISO per band, each band's sunshine counts) — and under a higher sun the
 * reflectance a user computes from the files stays what it was.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIrradianceList, type IrradianceRecord } from '../../src/devices/images/sequoia.js';
import { sunshineCounts } from '../../src/devices/sequoia/sensors.js';
import { ManualClock } from '../../src/util/clock.js';
import { startTestSequoia, type TestSequoia } from '../helpers/sequoia.js';
import {
  FIXTURE_DIR,
  FIXTURE_FILES,
  REFERENCE_JSON,
  exiftoolAvailable,
  exiftoolTagNames,
  exiftoolValues,
  readTiffDirs,
  xmpText,
} from './helpers.js';

const MONO = ['GRE', 'RED', 'REG', 'NIR'] as const;
type Mono = (typeof MONO)[number];
const CHANNEL: Record<Mono, 'green' | 'red' | 'red_edge' | 'near_infrared'> = {
  GRE: 'green',
  RED: 'red',
  REG: 'red_edge',
  NIR: 'near_infrared',
};

interface BandFacts {
  /** Bytes of the XMP packet. */
  xmpBytes: number;
  records: IrradianceRecord[];
  /** µs since power-on at the trigger: CreateDate (1970 + uptime) and SubSecTimeDigitized. */
  uptimeUs: bigint;
  createDate: string;
  exposureS: number;
  iso: number;
  attitude: [number, number, number];
  /** Mean 16-bit sample of the picture. */
  meanSample: number;
  /** XMP SensorModel A, B, C and the f-number: Parrot's pixel-to-irradiance model. */
  sensorModel: [number, number, number];
  fNumber: number;
}

/** The mean of a mono TIFF's 16-bit little-endian samples (one strip, as the Sequoia writes). */
function meanSample(tiff: Buffer): number {
  const entries = readTiffDirs(tiff);
  const tag = (t: number) => entries.find((e) => e.dir === 'IFD0' && e.tag === t)!;
  const offset = tag(273).value.readUInt32LE(0);
  const n = tag(256).value.readUInt16LE(0) * tag(257).value.readUInt16LE(0);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += tiff.readUInt16LE(offset + 2 * i);
  return sum / n;
}

async function factsOf(file: string): Promise<BandFacts> {
  const v = await exiftoolValues(file);
  const createDate = String(v['ExifIFD:CreateDate']);
  const m = /^1970:01:01 (\d\d):(\d\d):(\d\d)$/.exec(createDate);
  const seconds = m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
  const sub = String(v['ExifIFD:SubSecTimeDigitized']).padStart(6, '0');
  const bytes = await fs.readFile(file);
  return {
    xmpBytes: Buffer.byteLength(xmpText(bytes)),
    records: decodeIrradianceList(String(v['XMP-Camera:IrradianceList'])),
    uptimeUs: Number.isNaN(seconds) ? -1n : BigInt(seconds) * 1_000_000n + BigInt(sub),
    createDate,
    exposureS: Number(v['ExifIFD:ExposureTime']),
    iso: Number(v['ExifIFD:ISO']),
    attitude: [Number(v['XMP-Camera:Yaw']), Number(v['XMP-Camera:Pitch']), Number(v['XMP-Camera:Roll'])],
    meanSample: meanSample(bytes),
    sensorModel: String(v['XMP-Camera:SensorModel']).split(',').map(Number) as [number, number, number],
    fNumber: Number(v['ExifIFD:FNumber']),
  };
}

const haveExiftool = await exiftoolAvailable();
const inCi = process.env['CI'] === 'true';

/** The capture's instant: an April morning, like the reference's, 150 s after power-on. */
const BOOT = Date.UTC(2024, 3, 13, 8, 4, 28, 140);
const UPTIME_MS = 150_128;

/** The same field under a higher sun: the same day, four hours later. */
const NOON_BOOT = BOOT + 4 * 3_600_000;

let cam: TestSequoia | undefined;
let noonCam: TestSequoia | undefined;
const ours = new Map<Mono, BandFacts>();
const real = new Map<Mono, BandFacts>();
const files = new Map<Mono, string>();
const noon = new Map<Mono, BandFacts>();
let ourRgb: Record<string, unknown> = {};
let realRgb: Record<string, unknown> = {};

/** One capture of every band at `boot` + UPTIME_MS: the file of each suffix. */
async function captureAt(boot: number): Promise<{ cam: TestSequoia; file: (band: string) => string }> {
  // No GPS fix yet, as when the reference was taken.
  const c = await startTestSequoia({ clock: new ManualClock(boot), gpsFixAfterMs: 3_600_000 });
  await c.post('/config', { sensors_mask: 31, resolution_mono: 0.3 });
  await c.clock.advance(UPTIME_MS);
  expect((await c.get('/capture/start')).status).toBe(200);
  await c.device.whenSessionEnds();
  const folder = path.join(c.dataDir, 'media', 'internal', '0000');
  const names = await fs.readdir(folder);
  const file = (band: string) => {
    const name = names.find((n) => n.includes(`_${band}.`));
    if (!name) throw new Error(`no ${band} file in ${names.join(', ')}`);
    return path.join(folder, name);
  };
  return { cam: c, file };
}

beforeAll(async () => {
  if (!haveExiftool) return;
  const morning = await captureAt(BOOT);
  cam = morning.cam;
  for (const band of MONO) {
    ours.set(band, await factsOf(morning.file(band)));
    files.set(band, morning.file(band));
    real.set(band, await factsOf(path.join(FIXTURE_DIR, FIXTURE_FILES[band])));
  }
  ourRgb = await exiftoolValues(morning.file('RGB'));
  realRgb = await exiftoolValues(path.join(FIXTURE_DIR, FIXTURE_FILES.RGB));
  const later = await captureAt(NOON_BOOT);
  noonCam = later.cam;
  for (const band of MONO) noon.set(band, await factsOf(later.file(band)));
}, 120_000);

afterAll(async () => {
  await cam?.stop();
  await noonCam?.stop();
});

describe.runIf(haveExiftool || inCi)('an emulated capture, band by band', () => {
  it('each band carries its own sunshine channel: the sensor’s counts at each record’s time', () => {
    const lat = cam!.device.position().lat;
    const lon = cam!.device.position().lon;
    for (const band of MONO) {
      const { records } = ours.get(band)!;
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) {
        const atMs = BOOT + Number(r.timestampUs) / 1000;
        // The drone moves metres in a second; the sun's elevation does not change with that.
        expect([r.ch0, r.ch1]).toEqual(sunshineCounts(atMs, lat, lon)[CHANNEL[band]]);
      }
    }
    const firstCh0 = MONO.map((b) => ours.get(b)!.records[0]!.ch0);
    expect(new Set(firstCh0).size).toBe(MONO.length);
  });

  it('the files of a whole capture list exactly the real camera’s tags (exiftool)', async () => {
    const reference = JSON.parse(await fs.readFile(REFERENCE_JSON, 'utf8')) as Record<Mono, { exiftool: string[] }>;
    for (const band of MONO) expect(await exiftoolTagNames(files.get(band)!)).toEqual(reference[band].exiftool);
  });

  it('the records share the sensor’s clock and attitude across bands, as the camera’s do', () => {
    const strip = (r: IrradianceRecord) => [r.timestampUs, r.gainIndex, r.integrationMs, r.yaw, r.pitch, r.roll];
    const gre = ours.get('GRE')!.records.map(strip);
    for (const band of MONO) expect(ours.get(band)!.records.map(strip)).toEqual(gre);
  });

  it('timestamps are µs since power-on, on the clock CreateDate counts (1970 + uptime without GPS time)', () => {
    for (const band of MONO) {
      const f = ours.get(band)!;
      expect(f.createDate).toBe('1970:01:01 00:02:30');
      expect(f.uptimeUs).toBe(BigInt(UPTIME_MS) * 1000n);
      const last = f.records.at(-1)!.timestampUs;
      expect(last).toBeLessThanOrEqual(f.uptimeUs);
      // The sensor logs at 5 Hz: the newest record is less than one period old.
      expect(f.uptimeUs - last).toBeLessThan(200_000n + 2_000n);
    }
  });
});

describe.runIf(haveExiftool || inCi)('against the real capture', () => {
  it('as many irradiance records, at the same cadence, ending as close before the trigger', () => {
    for (const band of MONO) {
      const r = real.get(band)!;
      const o = ours.get(band)!;
      expect(o.records).toHaveLength(r.records.length);
      // Which still fit the camera's fixed-size XMP packet.
      expect(o.xmpBytes).toBe(r.xmpBytes);
      const steps = (rs: IrradianceRecord[]) => rs.slice(1).map((x, i) => Number(x.timestampUs - rs[i]!.timestampUs));
      const realSteps = steps(r.records);
      const lo = Math.min(...realSteps);
      const hi = Math.max(...realSteps);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      for (const s of steps(o.records)) {
        expect(s).toBeGreaterThan(lo - 2_000);
        expect(s).toBeLessThan(hi + 2_000);
      }
      // The sensor's own clock: not every period exactly (the camera's are not).
      expect(new Set(steps(o.records)).size).toBeGreaterThan(1);
      expect(Math.abs(mean(steps(o.records)) - mean(realSteps))).toBeLessThan(2_000);
      // Both timestamps and the trigger are on the power-on clock.
      expect(r.records.at(-1)!.timestampUs).toBeLessThan(r.uptimeUs);
      expect(r.createDate.startsWith('1970:01:01')).toBe(true);
    }
  });

  it('in each, the four bands read four different channels of one sensor', () => {
    for (const set of [real, ours]) {
      const times = MONO.map((b) =>
        set
          .get(b)!
          .records.map((r) => r.timestampUs)
          .join(),
      );
      expect(new Set(times).size).toBe(1);
      const ch0 = MONO.map((b) =>
        set
          .get(b)!
          .records.map((r) => r.ch0)
          .join(),
      );
      expect(new Set(ch0).size).toBe(MONO.length);
      for (const band of MONO) for (const r of set.get(band)!.records) expect(r.ch0).toBeGreaterThanOrEqual(r.ch1);
    }
  });

  it('each band is exposed for its own light: exposure × gain differs between bands', () => {
    for (const set of [real, ours]) {
      const products = MONO.map((b) => Math.round(set.get(b)!.exposureS * set.get(b)!.iso * 1e4));
      expect(new Set(products).size).toBe(MONO.length);
    }
    // Each band's gain (ISO) is its own, in the real capture and in ours: not ISO 100 everywhere.
    for (const set of [real, ours]) expect(new Set(MONO.map((b) => set.get(b)!.iso)).size).toBe(MONO.length);
    // The same ordering of light: the band that needs the most gain in the real capture needs
    // more than the one that needs the least in ours too.
    const need = (set: Map<Mono, BandFacts>, b: Mono) => set.get(b)!.exposureS * set.get(b)!.iso;
    const byReal = [...MONO].sort((a, b) => need(real, a) - need(real, b));
    expect(need(ours, byReal.at(-1)!)).toBeGreaterThan(need(ours, byReal[0]!));
  });

  it('each band’s attitude is the rig’s through its own mounting: close, but not identical', () => {
    for (const set of [real, ours]) {
      for (let axis = 0; axis < 3; axis++) {
        const values = MONO.map((b) => set.get(b)!.attitude[axis]!);
        expect(new Set(values).size).toBeGreaterThan(1);
        expect(Math.max(...values) - Math.min(...values)).toBeLessThan(0.001);
      }
    }
  });
});

/**
 * What a user computes from a band's file (Parrot's application note SEQ-AN-01, as the published
 * Sequoia processing code does it): the picture's mean irradiance from the pixel values and the
 * sensor model, over the sunshine sensor's irradiance (counts / (gain × integration time)) in the
 * record nearest the trigger. Proportional to the field's reflectance in the band.
 */
function userReflectance(f: BandFacts): { value: number; ch0: number } {
  const [a, b, c] = f.sensorModel;
  const radiance = (f.fNumber ** 2 * (f.meanSample - b)) / (a * f.exposureS * f.iso + c);
  const nearest = [...f.records].sort(
    (x, y) => Math.abs(Number(x.timestampUs - f.uptimeUs)) - Math.abs(Number(y.timestampUs - f.uptimeUs)),
  )[0]!;
  return { value: radiance / (nearest.ch0 / (nearest.gainIndex * nearest.integrationMs)), ch0: nearest.ch0 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.runIf(haveExiftool || inCi)('the light of the real capture, at the same moment', () => {
  it('each band’s exposure time and ISO are the real capture’s (within 10 %)', () => {
    for (const band of MONO) {
      const r = real.get(band)!;
      const o = ours.get(band)!;
      expect(Math.abs(o.exposureS / r.exposureS - 1), `${band}: ${o.exposureS} s`).toBeLessThan(0.05);
      expect(Math.abs(o.iso / r.iso - 1), `${band}: ISO ${o.iso}, real ${r.iso}`).toBeLessThan(0.1);
    }
    const rgbExposure = Number(ourRgb['ExifIFD:ExposureTime']) / Number(realRgb['ExifIFD:ExposureTime']);
    expect(Math.abs(rgbExposure - 1)).toBeLessThan(0.05);
    const rgbIso = Number(ourRgb['ExifIFD:ISO']) / Number(realRgb['ExifIFD:ISO']);
    expect(Math.abs(rgbIso - 1), `RGB: ISO ${String(ourRgb['ExifIFD:ISO'])}`).toBeLessThan(0.1);
  });

  it('each band’s sunshine channels read what the real sensor read (within 10 % or a count)', () => {
    for (const band of MONO) {
      const r = real.get(band)!.records;
      const o = ours.get(band)!.records;
      const realCh0 = mean(r.map((x) => x.ch0));
      const oursCh0 = mean(o.map((x) => x.ch0));
      expect(Math.abs(oursCh0 - realCh0), `${band}: CH0 ${oursCh0}, real ${realCh0}`).toBeLessThanOrEqual(
        Math.max(1, 0.1 * realCh0),
      );
      const realCh1 = mean(r.map((x) => x.ch1));
      const oursCh1 = mean(o.map((x) => x.ch1));
      expect(Math.abs(oursCh1 - realCh1), `${band}: CH1 ${oursCh1}, real ${realCh1}`).toBeLessThanOrEqual(
        Math.max(1, 0.1 * realCh1),
      );
      // The gain step and integration time the real sensor logged at this light.
      expect(o.map((x) => [x.gainIndex, x.integrationMs])).toEqual(r.map((x) => [x.gainIndex, x.integrationMs]));
    }
  });

  it('under a higher sun the sensor reads more and every band is exposed less', () => {
    for (const band of MONO) {
      const m = ours.get(band)!;
      const n = noon.get(band)!;
      expect(mean(n.records.map((x) => x.ch0))).toBeGreaterThan(mean(m.records.map((x) => x.ch0)));
      expect(n.exposureS * n.iso).toBeLessThan(m.exposureS * m.iso);
    }
  });

  it('the reflectance a user computes from the files does not change with the light', () => {
    // The point of the sunshine sensor: one field, morning and noon, the same reflectance. The
    // sensor's counts are whole numbers, so a band that reads 5 counts is known to ±10 %.
    for (const band of MONO) {
      const m = userReflectance(ours.get(band)!);
      const n = userReflectance(noon.get(band)!);
      const tolerance = 0.6 / m.ch0 + 0.05;
      expect(Math.abs(n.value / m.value - 1), `${band}: ${m.value} vs ${n.value}`).toBeLessThan(tolerance);
    }
  });
});

describe('a capture in the first moments after power-on', () => {
  it('RGB: the gyro log starts at power-on, so the file holds only the samples since then', async () => {
    const { renderSequoiaImage } = await import('../../src/devices/images/sequoia.js');
    const { fixtureLikeRequest, xmpText } = await import('./helpers.js');
    const jpeg = await renderSequoiaImage(fixtureLikeRequest('RGB', { uptimeUs: 100_000n }));
    const xmp = xmpText(jpeg);
    const size = Number(/Camera:IMUSampleSize="(\d+)"/.exec(xmp)?.[1]);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(185);
  });
});

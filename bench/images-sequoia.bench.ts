/**
 * Real images take time to write: how long the emulated Sequoia takes to produce its files.
 * Targets: a full capture (RGB 4608×3456 JPEG + four 1280×960 16-bit TIFFs, with
 * their thumbnails, rendered concurrently as the device model does) under 400 ms, one mono TIFF
 * under 30 ms, both after warm-up (the RGB field tile is built or loaded from the cache first).
 *
 * The peer row shows what the shortcut buys: sharp encoding the same 16-megapixel RGB picture from
 * raw pixels each time, which is what a capture would cost without the restart-interval panning.
 */
import sharp from 'sharp';
import { renderFieldCodes } from '../src/devices/images/field.js';
import {
  prepareSequoiaImages,
  renderSequoiaImage,
  renderSequoiaThumbnail,
  type SequoiaBandSuffix,
  type SequoiaImageRequest,
} from '../src/devices/images/sequoia.js';
import type { Benchmark, BenchContext, BenchRow } from './run.js';

const DEFAULT_REPS = 20;

function request(band: SequoiaBandSuffix, i: number): SequoiaImageRequest {
  const rgb = band === 'RGB';
  return {
    band,
    width: rgb ? 4608 : 1280,
    height: rgb ? 3456 : 960,
    bitDepth: 10,
    captureTimeMs: Date.UTC(2024, 5, 1, 10, 0, i),
    serialNumber: 'PI040378AA6A000109',
    firmwareVersion: '1.4.1',
    exposureUs: 1000,
    iso: 150,
    gps: { fix: true, lat: 46.52 + i * 1e-5, lon: 6.63, altitude: 480 },
    attitude: { yaw: 90, pitch: 0.3, roll: -0.8 },
    irradiance: rgb
      ? null
      : Array.from({ length: 10 }, (_, k) => ({
          timestampUs: BigInt(150_000_000 + i * 1_000_000 + k * 200_000),
          ch0: 600,
          ch1: 300,
          gainIndex: 1,
          integrationMs: 100,
          yaw: 90,
          pitch: 0,
          roll: 0,
        })),
    captureUuid: `CAPTURE${String(i).padStart(25, '0')}`,
    flightUuid: '1E001581A21043218521E4139DDB5CDC',
    pictureIndex: i % 10000,
    // 10 m/s along the track, one capture a second.
    scene: { x: i * 10, y: i * 0.5 },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const reps = ctx.reps ?? DEFAULT_REPS;
  const t0 = performance.now();
  await prepareSequoiaImages({ width: 4608, height: 3456 }, { width: 1280, height: 960 });
  ctx.log(`warm-up (RGB tile from cache or built): ${Math.round(performance.now() - t0)} ms`);
  const bands: SequoiaBandSuffix[] = ['RGB', 'GRE', 'RED', 'REG', 'NIR'];

  const capture: number[] = [];
  let bytes = 0;
  for (let i = 0; i < reps; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const t = performance.now();
    const files = await Promise.all(
      bands.map(async (b) => Promise.all([renderSequoiaImage(request(b, i)), renderSequoiaThumbnail(request(b, i))])),
    );
    capture.push(performance.now() - t);
    bytes = files.reduce((n, [image]) => n + image.length, 0);
  }

  const mono: number[] = [];
  for (let i = 0; i < reps * 3; i++) {
    const t = performance.now();
    await renderSequoiaImage(request('NIR', i));
    mono.push(performance.now() - t);
  }

  // Peer: a fresh sharp encode of the same RGB field per capture (raw pixels prepared once).
  const codes = renderFieldCodes(1152, 864);
  const small = Buffer.alloc(1152 * 864 * 3);
  for (let i = 0; i < codes.length; i++) small.fill((codes[i]! >> 12) * 50 + 40, i * 3, i * 3 + 3);
  const raw = await sharp(small, { raw: { width: 1152, height: 864, channels: 3 } })
    .resize(4608, 3456)
    .raw()
    .toBuffer();
  const encode: number[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(reps / 4)); i++) {
    const t = performance.now();
    await sharp(raw, { raw: { width: 4608, height: 3456, channels: 3 } })
      .jpeg({ quality: 80, optimiseCoding: false })
      .toBuffer();
    encode.push(performance.now() - t);
  }

  return [
    {
      name: 'sequoia capture, 5 bands + thumbnails',
      ours: { value: median(capture), unit: 'ms', label: 'camctl image writers', samples: capture },
      peer: { value: median(encode), unit: 'ms', label: 'sharp encode of one 16 MP RGB frame', samples: encode },
      target: { kind: 'at-most', value: 400, unit: 'ms' },
      note: `median of ${reps}; ${(bytes / 1e6).toFixed(1)} MB per capture (camera ≈ 11.2 MB)`,
    },
    {
      name: 'sequoia mono TIFF 1280×960 16-bit',
      ours: { value: median(mono), unit: 'ms', label: 'camctl image writers', samples: mono },
      target: { kind: 'at-most', value: 30, unit: 'ms' },
      note: `median of ${reps * 3}, after warm-up`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'images-sequoia',
    description: 'Sequoia image files: full 5-band capture and one mono TIFF, warm',
    timeoutMs: 5 * 60_000,
    run,
  },
];

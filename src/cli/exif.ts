/**
 * `camctl exif PATH…`: what a picture says about itself — capture time, position, exposure, the
 * Sequoia's band and irradiance, the THETA's photo-sphere (GPano) fields — for a file on disk or on
 * the camera (gphoto2's --show-exif). One reader for both: src/camera/picture-metadata.ts.
 *
 * A path that exists on disk is that local file (no camera needed); any other path is a camera
 * path, read through --camera. `--local` insists on disk, `--on-camera` on the camera (for a
 * local file that happens to have a camera path's name).
 */
import type { Command } from 'commander';
import type { PictureMetadata } from '../camera/picture-metadata.js';
import type { Camera, RemoteFile } from '../camera/types.js';
import { globals, interruptSignal, output, reportErrors, sayProtocol, type GlobalOptions } from './context.js';
import { CliError } from './errors.js';
import { pairs } from './format.js';

interface ExifOptions {
  local?: boolean;
  onCamera?: boolean;
}

/** One file's metadata in `--json`. */
interface ExifReport {
  path: string;
  source: 'local' | 'camera';
  metadata: PictureMetadata;
}

export function register(program: Command): void {
  program
    .command('exif')
    .description("show a picture's metadata (GPS, exposure, band, irradiance, GPano) from disk or the camera")
    .argument('<paths...>', 'local files, or camera paths /<medium>/<folder>[/<file>]')
    .option('--local', 'the paths are local files (the default for paths that exist on disk)')
    .option('--on-camera', 'the paths are camera paths, even where a local file has the same name')
    .addHelpText(
      'after',
      `
A path that exists on disk is read there; any other path is a file (or a folder: every file in it)
on the camera given by --camera. Camera files are read without saving them: the first MiB of a
JPEG, the whole of a TIFF (its directories may follow the pixels).

Examples:
  camctl exif ./flight/internal/0077/IMG_180413_080658_0000_NIR.TIF
  camctl exif -c sequoia://192.168.47.1 /internal/0077/IMG_180413_080658_0000_RGB.JPG
  camctl exif -c theta://192.168.1.1 /internal/100RICOH --json | jq '.files[].metadata.gps'`,
    )
    .action(async (paths: string[], opts: ExifOptions, cmd: Command) => {
      const g = globals(cmd);
      await reportErrors(g, () => run(g, paths, opts));
    });
}

async function run(g: GlobalOptions, paths: string[], opts: ExifOptions): Promise<void> {
  if (opts.local && opts.onCamera) throw new CliError('--local and --on-camera cannot be used together', 2);
  const fs = await import('node:fs/promises');
  const { readPictureMetadata, readCameraPictureMetadata } = await import('../camera/picture-metadata.js');
  const kinds = await Promise.all(
    paths.map(async (p) => {
      if (opts.onCamera) return 'camera' as const;
      const st = await fs.stat(p).catch(() => undefined);
      if (st?.isDirectory())
        throw new CliError(`${p} is a local folder: give the pictures in it (camctl exif ${p}/*)`, 2);
      if (st) return 'local' as const;
      if (opts.local) throw new CliError(`${p}: no such local file`, 2);
      return 'camera' as const;
    }),
  );
  const reports: ExifReport[] = [];
  let camera: Camera | undefined;
  const { signal, dispose } = interruptSignal();
  try {
    for (const [i, p] of paths.entries()) {
      if (kinds[i] === 'local') {
        reports.push({ path: p, source: 'local', metadata: await readPictureMetadata(p) });
        continue;
      }
      if (!camera) {
        if (!g.camera)
          throw new CliError(
            `${p} is not a local file, and no camera is given to read it from: use --camera (or CAMCTL_CAMERA)`,
            2,
          );
        const { openCamera } = await import('../camera/open.js');
        camera = await openCamera(g.camera, { timeoutMs: g.timeoutMs, ...(g.oscApi ? { oscApi: g.oscApi } : {}) });
      }
      for (const f of await cameraFiles(camera, p, signal)) {
        reports.push({
          path: f.path,
          source: 'camera',
          metadata: await readCameraPictureMetadata(camera, f, { signal }),
        });
      }
    }
    output(g, { files: reports }, () => reports.map((r) => `${r.path}\n${describe(r.metadata)}`).join('\n\n'));
    // -v, as on every camera command: which camera the pictures were read from, over what.
    if (camera && g.verbose && !g.json) await sayProtocol(camera);
  } finally {
    dispose();
    await camera?.close();
  }
}

/** The files a camera path names: one file, or every file of a folder. */
async function cameraFiles(camera: Camera, raw: string, signal: AbortSignal): Promise<RemoteFile[]> {
  const p = raw.startsWith('/') ? raw : `/${raw}`;
  const depth = p.split('/').filter(Boolean).length;
  if (depth !== 2 && depth !== 3)
    throw new CliError(`${raw}: give a local file, or a camera path /<medium>/<folder>[/<file>]`, 2);
  const entries = (await camera.list(p, { signal })).filter((e): e is RemoteFile => e.kind === 'file');
  if (entries.length === 0)
    throw new CliError(
      `${p}: ${depth === 3 ? 'no such file on the camera' : 'no files in this folder on the camera'}`,
      1,
    );
  return entries;
}

/** The metadata for people: one `Name  value` line each, in a fixed order. */
function describe(m: PictureMetadata): string {
  const rows: Array<[string, string]> = [];
  const add = (k: string, v: string | undefined): void => {
    if (v !== undefined) rows.push([k, v]);
  };
  // RICOH writes Make RICOH and Model "RICOH THETA S": the make once.
  add(
    'Camera',
    m.make && m.model?.startsWith(m.make) ? m.model : [m.make, m.model].filter(Boolean).join(' ') || undefined,
  );
  add('Serial', m.serialNumber);
  add('Firmware', m.software);
  add('Size', m.width && m.height ? `${m.width}×${m.height}` : undefined);
  add('Taken', m.captureTime?.replace('T', ' '));
  add(
    'GPS',
    m.gps
      ? `${m.gps.lat.toFixed(7)}, ${m.gps.lon.toFixed(7)}${m.gps.alt !== undefined ? `, ${m.gps.alt} m` : ''}`
      : 'no position',
  );
  add('Exposure', m.exposureTime !== undefined ? exposure(m.exposureTime) : undefined);
  add('ISO', m.iso?.toString());
  add('Aperture', m.fNumber !== undefined ? `f/${round(m.fNumber, 1)}` : undefined);
  add('Focal length', m.focalLength !== undefined ? `${round(m.focalLength, 2)} mm` : undefined);
  add(
    'Band',
    m.band !== undefined ? `${m.band}${m.centralWavelength ? ` (${m.centralWavelength} nm)` : ''}` : undefined,
  );
  add(
    'Attitude',
    m.attitude
      ? `yaw ${round(m.attitude.yaw, 1)}°, pitch ${round(m.attitude.pitch, 1)}°, roll ${round(m.attitude.roll, 1)}°`
      : undefined,
  );
  if (m.irradiance) {
    const r = m.irradiance;
    add(
      'Irradiance',
      `CH0 ${r.ch0}, CH1 ${r.ch1}, gain index ${r.gainIndex}, ${r.integrationMs} ms (last of ${r.samples} sunshine samples)`,
    );
    add('Sunshine sensor', r.sensorSerial);
  }
  for (const [k, v] of Object.entries(m.panorama ?? {})) add(`GPano ${k}`, String(v));
  if (rows.length === 1) return '  (no metadata in this file)';
  return pairs(rows)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function exposure(s: number): string {
  return s >= 1 ? `${round(s, 2)} s` : `1/${Math.round(1 / s)} s`;
}

function round(n: number, digits: number): string {
  return String(Math.round(n * 10 ** digits) / 10 ** digits);
}

/**
 * A THETA writes a video while it records, so stopCapture only closes the file: the emulator's
 * frames reach the disk during the recording, under a hidden part-file name that no listing
 * shows; at the stop the clip takes its R001xxxx.MP4 name whole — a valid MP4 that ffprobe reads
 * and ffmpeg decodes — and a restarted camera still reads its length and size from the index the
 * stop wrote at the end of the file.
 */
import { spawnSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { MP4_SAMPLES_OFFSET } from '../../src/devices/images/theta-mp4.js';
import { waitFor } from '../helpers/wait-for.js';
import { requireTool, tempDir } from '../helpers/tmp.js';

const hasFfmpeg = spawnSync('ffprobe', ['-version']).status === 0 && spawnSync('ffmpeg', ['-version']).status === 0;

let tmp: { dir: string; cleanup: () => Promise<void> };
let emu: RunningThetaEmulator | undefined;

beforeAll(async () => {
  tmp = await tempDir('camctl-theta-video-');
});

afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

async function command(name: string, parameters: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const r = await fetch(`${emu!.url}/osc/commands/execute`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ name, parameters }),
  });
  const body = (await r.json()) as Record<string, unknown>;
  if (body['state'] === 'error') throw new Error(`${name}: ${JSON.stringify(body['error'])}`);
  return body;
}

/** The camera's catalogue, which every face (OSC listFiles, PTP object handles, /files/) lists. */
function catalogued(): string[] {
  return emu!.device.listFiles('all', 'newest', 0, 100).entries.map((e) => e.name);
}

async function listed(): Promise<string[]> {
  const r = await command('camera.listFiles', { fileType: 'all', entryCount: 100, maxThumbSize: 0 });
  return (r['results'] as { entries: Array<{ name: string }> }).entries.map((e) => e.name);
}

describe('THETA video recording', () => {
  it('writes frames while recording under a hidden name and lists the clip only once complete', async () => {
    const dataDir = path.join(tmp.dir, 'theta');
    const folder = path.join(dataDir, 'internal', '100RICOH');
    emu = await startThetaEmulator({ dataDir, speed: 20 });
    const sid = ((await command('camera.startSession'))['results'] as { sessionId: string }).sessionId;
    await command('camera.setOptions', { sessionId: sid, options: { clientVersion: 2 } });
    await command('camera.setOptions', {
      options: { captureMode: 'video', fileFormat: { type: 'mp4', width: 1280, height: 720 } },
    });
    await command('camera.startCapture');

    // Frames reach the disk while the camera records: a hidden part file grows past the MP4 head.
    const partFile = async () => (await readdir(folder)).find((n) => n.startsWith('.tmp-') && n.endsWith('.MP4'));
    await waitFor(async () => {
      const part = await partFile();
      return (
        part !== undefined && (await stat(path.join(folder, part)).catch(() => undefined))!.size > MP4_SAMPLES_OFFSET
      );
    }, 'frames written during the recording');
    // …and nothing of the clip is visible yet: not among the card's files, not in the catalogue.
    expect((await readdir(folder)).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(catalogued()).toEqual([]);

    const stop = (await command('camera.stopCapture'))['results'] as { fileUrls: string[] };
    expect(stop.fileUrls).toHaveLength(1);
    const name = path.basename(stop.fileUrls[0]!);
    expect(name).toMatch(/^R\d{7}\.MP4$/);
    expect(catalogued()).toEqual([name]);
    expect(await listed()).toEqual([name]);
    // The part file became the clip: nothing half-written is left behind.
    expect((await readdir(folder)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    const file = emu.device.findFile(`100RICOH/${name}`);
    expect(file).toMatchObject({ kind: 'video', width: 1280, height: 720 });
    expect((await stat(path.join(folder, name))).size).toBe(file.size);

    // Without ffmpeg this part is skipped with a warning (and fails under CI=true).
    if (requireTool(hasFfmpeg, 'ffmpeg/ffprobe (apt-get install -y ffmpeg)')) {
      const probe = spawnSync(
        'ffprobe',
        ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path.join(folder, name)],
        { encoding: 'utf8' },
      );
      expect(probe.stderr).toBe('');
      const info = JSON.parse(probe.stdout) as {
        streams: Array<Record<string, string | number>>;
        format: Record<string, string>;
      };
      expect(info.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 1280, height: 720 });
      // 720p records at 15 fps: the frames the index lists make the clip's duration.
      const frames = Number(info.streams[0]!['nb_frames']);
      expect(frames).toBeGreaterThan(0);
      expect(Number(info.format['duration'])).toBeCloseTo(frames / 15, 2);
      const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', path.join(folder, name), '-f', 'null', '-'], {
        encoding: 'utf8',
      });
      expect([decode.status, decode.stderr]).toEqual([0, '']);
    }

    // A restarted camera reads the clip's size and length from the index at the end of the file.
    await emu.close();
    emu = await startThetaEmulator({ dataDir, speed: 20 });
    expect(emu.device.findFile(`100RICOH/${name}`)).toMatchObject({
      kind: 'video',
      width: 1280,
      height: 720,
      recordTime: file.recordTime,
    });
  });
});

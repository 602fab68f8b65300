/**
 * The emulator's MJPEG-in-MP4 videos are playable: Debian's ffprobe reads the stream and ffmpeg
 * decodes every frame without an error.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { mjpegMp4 } from '../../src/devices/images/theta-mp4.js';
import { thetaVideoFrameSource } from '../../src/devices/images/theta.js';
import { requireTool } from '../helpers/tmp.js';

const hasFfmpeg = spawnSync('ffprobe', ['-version']).status === 0 && spawnSync('ffmpeg', ['-version']).status === 0;

describe('MJPEG MP4 writer', () => {
  it('writes a file ffprobe understands and ffmpeg decodes frame by frame', async (ctx) => {
    if (!requireTool(hasFfmpeg, 'ffmpeg/ffprobe (apt-get install -y ffmpeg)')) {
      ctx.skip();
      return;
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-mp4-'));
    try {
      const frameAt = await thetaVideoFrameSource(1280, 720);
      const frames = await Promise.all([0, 1, 2, 3, 4].map((i) => frameAt(i)));
      const file = path.join(dir, 'R0010001.MP4');
      await pipeline(mjpegMp4({ width: 1280, height: 720, timescale: 15000, frameDuration: 1000, frameCount: 30, frames }), createWriteStream(file));
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' });
      expect(probe.stderr).toBe('');
      const info = JSON.parse(probe.stdout) as { streams: Array<Record<string, unknown>>; format: Record<string, unknown> };
      expect(info.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 1280, height: 720, nb_frames: '30' });
      expect(Number(info.format['duration'])).toBeCloseTo(2, 2);
      const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
      expect(decode.status).toBe(0);
      expect(decode.stderr).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The emulator's MJPEG-in-MP4 videos are playable: Debian's ffprobe reads the stream and ffmpeg
 * decodes every frame without an error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  mp4Dimensions,
  mp4DurationSeconds,
  mp4MovieBox,
  mp4RecordingEnd,
  mp4RecordingHead,
  MP4_SAMPLES_OFFSET,
} from '../../src/devices/images/theta-mp4.js';
import { thetaVideoFrames } from '../../src/devices/images/theta.js';
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
      const source = await thetaVideoFrames(1280, 720);
      const frames = await Promise.all(Array.from({ length: 30 }, (_, i) => source.frame(i)));
      const file = path.join(dir, 'R0010001.MP4');
      // As a recording writes it: the head, the samples as they come, then the index at the end.
      await writeFile(file, Buffer.concat([mp4RecordingHead(), ...frames]));
      const end = mp4RecordingEnd(
        { width: 1280, height: 720, timescale: 15000, frameDuration: 1000 },
        frames.map((f) => f.length),
      );
      const fh = await open(file, 'r+');
      await fh.write(end.moov, 0, end.moov.length, MP4_SAMPLES_OFFSET + frames.reduce((a, f) => a + f.length, 0));
      await fh.write(end.header, 0, end.header.length, end.headerOffset);
      await fh.close();
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], {
        encoding: 'utf8',
      });
      expect(probe.stderr).toBe('');
      const info = JSON.parse(probe.stdout) as {
        streams: Array<Record<string, unknown>>;
        format: Record<string, unknown>;
      };
      expect(info.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 1280, height: 720, nb_frames: '30' });
      expect(Number(info.format['duration'])).toBeCloseTo(2, 2);
      const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
      expect(decode.status).toBe(0);
      expect(decode.stderr).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds the index at the end of a recorded file and reads its duration and size', async () => {
    const frame = Buffer.alloc(1000, 0xab);
    const end = mp4RecordingEnd(
      { width: 1920, height: 1080, timescale: 30000, frameDuration: 1001 },
      Array.from({ length: 90 }, () => frame.length),
    );
    const bytes = Buffer.concat([mp4RecordingHead(), ...Array.from({ length: 90 }, () => frame), end.moov]);
    end.header.copy(bytes, end.headerOffset);
    const moov = await mp4MovieBox(async (offset, length) => bytes.subarray(offset, offset + length), bytes.length);
    expect(moov?.toString('latin1', 4, 8)).toBe('moov');
    expect(mp4Dimensions(moov!)).toEqual({ width: 1920, height: 1080 });
    expect(mp4DurationSeconds(moov!)).toBeCloseTo(3.003, 3);
    // The mdat header behind the 8-byte free box states the samples' size.
    expect(bytes.readUInt32BE(end.headerOffset + 8)).toBe(90 * 1000 + 8);
    expect(bytes.toString('latin1', end.headerOffset + 12, end.headerOffset + 16)).toBe('mdat');
  });

  it('gives samples past 4 GiB a 64-bit mdat header over the free box, the samples unmoved', () => {
    const sizes = Array.from({ length: 5 }, () => 1024 * 1024 * 1024);
    const end = mp4RecordingEnd({ width: 1920, height: 1080, timescale: 30000, frameDuration: 1001 }, sizes);
    expect(end.header.readUInt32BE(0)).toBe(1);
    expect(end.header.toString('latin1', 4, 8)).toBe('mdat');
    expect(Number(end.header.readBigUInt64BE(8))).toBe(5 * 1024 ** 3 + 16);
    expect(end.headerOffset + end.header.length).toBe(MP4_SAMPLES_OFFSET);
  });

  it('reads a "fast start" file (index first) as well', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'camctl-mp4-'));
    try {
      const end = mp4RecordingEnd({ width: 1280, height: 720, timescale: 15000, frameDuration: 1000 }, [10, 10]);
      const file = path.join(dir, 'x.mp4');
      const ftyp = mp4RecordingHead().subarray(0, end.headerOffset);
      await writeFile(
        file,
        Buffer.concat([ftyp, end.moov, Buffer.from([0, 0, 0, 28]), Buffer.from('mdat', 'latin1'), Buffer.alloc(20)]),
      );
      const data = await readFile(file);
      const moov = await mp4MovieBox(async (offset, length) => data.subarray(offset, offset + length), data.length);
      expect(mp4DurationSeconds(moov!)).toBeCloseTo(2 / 15, 5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The OSC client against RICOH's recorded replies of every THETA model (theta-client's test
 * resources, test/fixtures/theta-client): each reply parses through OscClient's checks, and
 * `info`, `status`, `ls`, `options`, `config` and `capture --download` work on each model, played
 * back from a loopback HTTP server (test/helpers/theta-replay.ts).
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thetaPicture } from '../../src/devices/images/theta.js';
import { OscClient } from '../../src/osc/client.js';
import { OscClientError } from '../../src/osc/errors.js';
import { startCamctlInProcess } from '../helpers/camctl-in-process.js';
import { RECORDINGS, recording, startThetaReplay } from '../helpers/theta-replay.js';
import type { ModelRecordings } from '../helpers/theta-replay.js';

const MODELS: Record<string, ModelRecordings> = {
  'RICOH THETA S': {
    info: 'info/info_s.json',
    states: ['state/state_s_api1.json', 'state/state_s_api2.json'],
    options: 'getOptions/get_options_init_s_done.json',
    listFiles: 'listFiles/listfiles_image_10.json',
  },
  // RICOH recorded no state of the SC: its API is the S's (v2.0 at power-on, v2.1 on request), so the S's stands in.
  'RICOH THETA SC': {
    info: 'info/info_sc.json',
    states: ['state/state_s_api1.json', 'state/state_s_api2.json'],
    options: 'getOptions/get_options_done.json',
    listFiles: 'listFiles/listfiles_image_10.json',
  },
  // RICOH recorded only the SC2's info (v2.1 only, apiLevel [2]); the Z1's state, another camera
  // that speaks v2.1 only, stands in for its state.
  'RICOH THETA SC2': {
    info: 'info/info_sc2.json',
    states: ['state/state_z1.json'],
    options: 'getOptions/get_options_done.json',
    listFiles: 'listFiles/listfiles_image_10.json',
  },
  'RICOH THETA Z1': {
    info: 'info/info_z1.json',
    states: ['state/state_z1.json'],
    options: 'getOptions/get_options_init_z1_done.json',
    listFiles: 'listFiles/listfiles_z1_group_id.json',
  },
  'RICOH THETA X': {
    info: 'info/info_x.json',
    states: ['state/state_x.json'],
    options: 'getOptions/get_options_done.json',
    listFiles: 'listFiles/listfiles_x_image_5.json',
  },
};

let dir: string;
let picture: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-rec-'));
  picture = (
    await thetaPicture(
      {
        width: 2048,
        height: 1024,
        iso: 0,
        shutterSpeed: 0,
        exposureProgram: 2,
        exposureCompensation: 0,
        whiteBalance: 'auto',
        filter: 'off',
        firmwareVersion: '01.90',
      },
      Date.UTC(2023, 4, 17),
      540,
    )
  ).jpeg;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Serves one recorded reply to any request, with the status the camera gives it. */
async function serveOnce(reply: Record<string, any>, run: (client: OscClient) => Promise<void>): Promise<void> {
  const status = reply['state'] === 'error' ? 400 : 200;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new OscClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    client.api = 2;
    await run(client);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

function recordedFiles(): string[] {
  return readdirSync(RECORDINGS, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
}

describe('every recorded reply parses through OscClient', () => {
  it.each(recordedFiles())('%s', async (rel) => {
    const reply = recording(rel);
    await serveOnce(reply, async (client) => {
      if (rel.startsWith('info/')) {
        expect((await client.info()).model).toMatch(/THETA/);
      } else if (rel.startsWith('state/')) {
        expect(typeof (await client.state()).state).toBe('object');
      } else if (reply['state'] === 'error') {
        // A recorded error is the camera's error, never a protocol failure of the client.
        const err = await client.execute(String(reply['name'])).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OscClientError);
        expect((err as OscClientError).code).toBe('ERR_CAMCTL_OSC_CAMERA_ERROR');
        expect((err as OscClientError).oscCode).toBe(reply['error'].code);
      } else if (rel.startsWith('listFiles/')) {
        const page = await client.listFiles({ count: 50 });
        expect(page.entries).toHaveLength(reply['results'].entries.length);
        expect(page.totalEntries).toBe(reply['results'].totalEntries);
      } else if (rel.startsWith('getOptions/')) {
        expect(await client.getOptions(['captureMode'])).toEqual(reply['results'].options);
      } else {
        const r = await client.execute(String(reply['name']));
        expect(['done', 'inProgress']).toContain(r.state);
      }
    });
  });
});

describe.each(Object.entries(MODELS))('camctl on the recorded %s', (model, rec) => {
  const run = async (camera: string, args: string[]) => startCamctlInProcess(['-c', camera, ...args]).done;

  it('info, status, ls, options, config and capture --download work', async () => {
    const replay = await startThetaReplay(rec, picture);
    const camera = `theta://127.0.0.1:${new URL(replay.url).port}`;
    try {
      const info = await run(camera, ['--json', 'info']);
      expect([info.code, info.stderr]).toEqual([0, '']);
      expect(JSON.parse(info.stdout)).toMatchObject({ model, manufacturer: 'RICOH', details: { api: 'v2.1' } });

      const status = await run(camera, ['--json', 'status']);
      expect([status.code, status.stderr]).toEqual([0, '']);
      expect(JSON.parse(status.stdout)).toMatchObject({
        capture: { state: 'idle' },
        battery: { level: recording(rec.states.at(-1)!)['state'].batteryLevel },
      });

      const listed = recording(rec.listFiles)['results'].entries as Array<{ name: string; fileUrl: string }>;
      const folder = listed[0]!.fileUrl.split('/').at(-2)!;
      const ls = await run(camera, ['--json', 'ls', `/internal/${folder}`]);
      expect([ls.code, ls.stderr]).toEqual([0, '']);
      expect((JSON.parse(ls.stdout) as { entries: Array<{ name: string }> }).entries.map((e) => e.name).sort()).toEqual(
        listed.map((e) => e.name).sort(),
      );

      const options = await run(camera, ['--json', 'options', 'get']);
      expect([options.code, options.stderr]).toEqual([0, '']);
      const recorded = recording(rec.options)['results'].options as Record<string, unknown>;
      const shown = JSON.parse(options.stdout) as Record<string, unknown>;
      for (const [k, v] of Object.entries(recorded)) if (k in shown) expect(shown[k]).toEqual(v);
      // v2.1 names only: every model here is in v2.1 by then.
      expect(replay.optionNames.flat()).not.toContain('_captureInterval');
      expect(replay.optionNames.flat()).toContain('captureInterval');

      const config = await run(camera, ['--json', 'config']);
      expect([config.code, config.stderr]).toEqual([0, '']);

      // The recorded takePicture names R0013308.JPG, which the recorded listing does not hold (it
      // lags behind): the shot is still reported and fetched by its fileUrl.
      const shots = path.join(dir, model.replace(/\W+/g, '-'));
      const shot = await run(camera, ['--json', 'capture', '--download', shots]);
      expect([shot.code, shot.stderr]).toEqual([0, '']);
      const taken = recording('PhotoCapture/takepicture_done.json')['results'].fileUrl as string;
      const out = JSON.parse(shot.stdout) as {
        files: Array<{ name: string; size: number; path: string }>;
        downloaded: Array<{ file: string; size: number }>;
      };
      expect(out.files).toEqual([
        expect.objectContaining({
          name: path.basename(taken),
          size: picture.length,
          path: `/internal/${taken.split('/').at(-2)}/${path.basename(taken)}`,
        }),
      ]);
      expect(out.downloaded).toHaveLength(1);
      expect((await readFile(out.downloaded[0]!.file)).equals(picture)).toBe(true);
    } finally {
      await replay.close();
    }
  });
});

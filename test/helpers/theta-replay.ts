/**
 * Plays back RICOH's recorded replies of one THETA model (test/fixtures/theta-client, from
 * theta-client's unit tests) over HTTP on loopback: the cameras themselves cannot run here, so a
 * request gets the reply RICOH recorded for that request. Nothing is computed but what the
 * recordings leave out: the S's API level after `setOptions {clientVersion: 2}` picks the v2.1
 * state recording, a listing page past the recorded one is empty, and a picture's bytes (never
 * recorded) are a JPEG served with HTTP Range as the camera's file server does.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export const RECORDINGS = path.resolve(import.meta.dirname, '../fixtures/theta-client');

export function recording(rel: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(RECORDINGS, rel), 'utf8')) as Record<string, any>;
}

export interface ModelRecordings {
  info: string;
  /** The state in v2.0, then in v2.1 (one entry: the camera is always in v2.1). */
  states: string[];
  /** getOptions reply of the model. */
  options: string;
  listFiles: string;
}

export interface RunningReplay {
  url: string;
  /** Command names in the order they came. */
  commands: string[];
  /** getOptions optionNames asked, in order. */
  optionNames: string[][];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, any>) : {};
}

function json(res: ServerResponse, status: number, v: unknown): void {
  const b = Buffer.from(JSON.stringify(v));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': b.length });
  res.end(b);
}

/** Starts the replay of one model on 127.0.0.1, port 0. `picture` is served for every file URL. */
export async function startThetaReplay(model: ModelRecordings, picture: Buffer): Promise<RunningReplay> {
  let level = 0;
  const commands: string[] = [];
  const optionNames: string[][] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/osc/info') return json(res, 200, recording(model.info));
      if (req.method === 'POST' && url.pathname === '/osc/state')
        return json(res, 200, recording(model.states[Math.min(level, model.states.length - 1)]!));
      if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (!range) {
          res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': picture.length });
          return res.end(picture);
        }
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), picture.length - 1) : picture.length - 1;
        res.writeHead(206, {
          'Content-Type': 'image/jpeg',
          'Content-Length': end - start + 1,
          'Content-Range': `bytes ${start}-${end}/${picture.length}`,
        });
        return res.end(picture.subarray(start, end + 1));
      }
      const b = await body(req);
      if (req.method === 'POST' && url.pathname === '/osc/commands/status')
        return json(res, 200, recording('PhotoCapture/takepicture_done.json'));
      if (req.method !== 'POST' || url.pathname !== '/osc/commands/execute')
        return json(res, 404, {
          error: { code: 'unknownCommand', message: `no recording for ${req.method} ${url.pathname}` },
        });
      const name = String(b['name']);
      const p = (b['parameters'] ?? {}) as Record<string, any>;
      commands.push(name);
      switch (name) {
        case 'camera.startSession':
          return json(res, 200, recording('startSession/start_session_done.json'));
        case 'camera.setOptions':
          if (p['options']?.clientVersion === 2) level = 1;
          return json(res, 200, recording('setOptions/set_options_done.json'));
        case 'camera.getOptions': {
          const names = (p['optionNames'] ?? []) as string[];
          optionNames.push(names);
          return json(
            res,
            200,
            recording(
              names.length === 1 && names[0] === 'captureMode'
                ? 'getOptions/get_options_capture_mode_image.json'
                : model.options,
            ),
          );
        }
        case 'camera.listFiles': {
          const page = recording(model.listFiles);
          // The recording is the first page; the camera has no more to give past it.
          if (Number(p['startPosition'] ?? 0) >= page['results'].entries.length) page['results'].entries = [];
          return json(res, 200, page);
        }
        case 'camera.takePicture':
          return json(res, 200, recording('PhotoCapture/takepicture_progress.json'));
        default:
          return json(res, 400, {
            name,
            state: 'error',
            error: { code: 'unknownCommand', message: `no recording of ${name}` },
          });
      }
    })().catch((err: unknown) => {
      res.destroy(err as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    commands,
    optionNames,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

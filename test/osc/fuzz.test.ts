/**
 * Property-based fuzzing of the OSC server face: random command names, parameters and raw bodies
 * always get a well-formed answer — JSON with the exact content type, an OSC error object with the
 * status of RICOH's table when it fails — and never crash the server or touch files outside it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { COMMANDS_V20, OSC_ERROR_STATUS, statusForOscError } from '../../src/osc/types.js';
import { OscClientError } from '../../src/osc/errors.js';
import type { OscClientErrorCode } from '../../src/osc/errors.js';
import { ThetaDeviceError } from '../../src/devices/theta/errors.js';
import { OscCommandError } from '../../src/emulator/theta/osc-errors.js';
import { CamctlError } from '../../src/util/errors.js';

let dir: string;
let cam: RunningThetaEmulator;
let canary: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-osc-fuzz-'));
  canary = path.join(dir, 'canary.jpg');
  await writeFile(canary, 'canary');
  cam = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 50, maxBodyBytes: 8192 });
});

afterAll(async () => {
  await cam.close();
  await rm(dir, { recursive: true, force: true });
});

async function send(body: string): Promise<{ status: number; type: string | null; text: string }> {
  const r = await fetch(`${cam.url}/osc/commands/execute`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body,
  });
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    text: Buffer.from(await r.arrayBuffer()).toString('latin1'),
  };
}

function checkReply(r: { status: number; type: string | null; text: string }): void {
  if (r.type === 'application/json; charset=utf-8') {
    const v = JSON.parse(r.text) as { state?: string; error?: { code: string; message: string } };
    expect(['done', 'inProgress', 'error']).toContain(v.state);
    if (v.state === 'error') {
      expect(typeof v.error?.code).toBe('string');
      expect(typeof v.error?.message).toBe('string');
      if (r.status !== 413) expect(r.status).toBe(statusForOscError(v.error!.code));
    } else {
      expect(r.status).toBe(200);
    }
  } else {
    // Binary answers (getImage, preview) are only ever the camera's own files.
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('canary');
  }
}

const anyParam = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('../canary.jpg', '100RICOH/../../canary.jpg', '100RICOH/R0010001.JPG', 'all', 'SID_0001'),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
);
const paramName = fc.constantFrom(
  'sessionId',
  'fileUri',
  'fileUrls',
  'entryCount',
  'options',
  'optionNames',
  'maxThumbSize',
  'fileType',
  'detail',
  'sort',
  'continuationToken',
  '_type',
  'timeout',
  'mode',
  'x',
);

describe('OSC server face under random input', () => {
  it('answers every random command in the OSC shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...COMMANDS_V20, 'camera.listFiles', 'camera.reset'), fc.string({ maxLength: 20 })),
        fc.dictionary(paramName, anyParam, { maxKeys: 4 }),
        async (name, parameters) => {
          // Never the commands that stream until aborted.
          if (name === 'camera._getLivePreview') return;
          checkReply(await send(JSON.stringify({ name, parameters })));
        },
      ),
      { numRuns: 150 },
    );
    expect(await readFile(canary, 'utf8')).toBe('canary');
    expect((await fetch(`${cam.url}/osc/info`)).status).toBe(200);
  });

  it('answers random raw bodies (not JSON, wrong shapes, oversized) in the OSC shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.json(), fc.string({ minLength: 9000, maxLength: 9100 })),
        async (body) => {
          const r = await send(body);
          expect(r.type).toBe('application/json; charset=utf-8');
          checkReply(r);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('error codes', () => {
  it('map every OSC error to its HTTP status, unknown ones to 503', () => {
    for (const [code, status] of Object.entries(OSC_ERROR_STATUS)) expect(statusForOscError(code)).toBe(status);
    expect(statusForOscError('somethingNew')).toBe(503);
  });

  it.each([
    ['ERR_CAMCTL_OSC_CAMERA_ERROR', { oscCode: 'invalidSessionId', status: 403 }],
    ['ERR_CAMCTL_OSC_TIMEOUT', {}],
    ['ERR_CAMCTL_OSC_ABORTED', {}],
    ['ERR_CAMCTL_OSC_UNREACHABLE', {}],
    ['ERR_CAMCTL_OSC_AUTH', { status: 401 }],
    ['ERR_CAMCTL_OSC_PROTOCOL', {}],
    ['ERR_CAMCTL_OSC_HTTP', { status: 500 }],
  ] as Array<[OscClientErrorCode, { oscCode?: string; status?: number }]>)(
    'OscClientError %s keeps its code and details',
    (code, details) => {
      const cause = new Error('lower');
      const e = new OscClientError(code, 'msg', { ...details, cause });
      expect(e).toBeInstanceOf(Error);
      expect(e.code).toBe(code);
      expect(e.oscCode).toBe(details.oscCode);
      expect(e.status).toBe(details.status);
      expect(e.cause).toBe(cause);
    },
  );

  it('the device refusal and the OSC error each have a stable code, the reason or camera code apart', () => {
    const e = new ThetaDeviceError('canceled', 'shooting is canceled.');
    expect(e).toBeInstanceOf(CamctlError);
    expect([e.code, e.reason, e.name]).toEqual(['ERR_CAMCTL_THETA_DEVICE', 'canceled', 'ThetaDeviceError']);
    const o = new OscCommandError('canceledShooting', 'shooting is canceled.');
    expect(o).toBeInstanceOf(CamctlError);
    expect([o.code, o.oscCode, o.name]).toEqual(['ERR_CAMCTL_OSC_COMMAND', 'canceledShooting', 'OscCommandError']);
  });
});

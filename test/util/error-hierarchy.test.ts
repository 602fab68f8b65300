/**
 * One error hierarchy: every error class exported by the layers below descends from CamctlError
 * and carries a non-empty stable code (`ERR_CAMCTL_<LAYER>_<WHAT>`, or a CameraError's short
 * published code). The modules are found by walking the folders, so a class added later is
 * checked without being listed here.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CameraError } from '../../src/camera/errors.js';
import { CamctlError } from '../../src/util/errors.js';

// The protocol clients, the Camera layer, the CLI, the dashboard server, sync, the shared
// utilities and the emulated USB camera. (The emulator faces and device models are walked by
// their own tests once they join the hierarchy.)
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const WALKED = [
  // Every folder of src/ but the dashboard's page, which runs in the browser.
  /^(ptp|camera|cli|sync|util|devices|emulator|sequoia|osc)\//,
  /^dashboard\/[^/]+\.ts$/,
];
const modules = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .map((f) => f.split(path.sep).join('/'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && WALKED.some((re) => re.test(f)))
  .sort();

type ErrorClass = abstract new (...args: never[]) => Error;

async function exportedErrorClasses(): Promise<Array<[string, ErrorClass]>> {
  const found = new Map<ErrorClass, string>();
  for (const file of modules) {
    const exports = (await import(pathToFileURL(path.join(SRC, file)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function' && value.prototype instanceof Error)
        found.set(value as ErrorClass, `src/${file}: ${name}`);
    }
  }
  return [...found].map(([cls, where]) => [where, cls]);
}

/**
 * An instance of `cls` from the fewest plausible arguments that build one with a code: classes with
 * a fixed code have it whatever they are given; classes that take their code (from a typed union)
 * get the probe code first.
 */
function instanceOf(cls: ErrorClass): CamctlError | Error {
  const sample = STRUCTURED_ARGS[cls.name];
  if (sample) return Reflect.construct(cls, sample) as Error;
  const args: unknown[] = [];
  let last: Error | undefined;
  for (let i = 0; i < 5; i++) {
    try {
      last = Reflect.construct(cls, args) as Error;
      if (typeof (last as { code?: unknown }).code === 'string') return last;
    } catch {
      // Too few arguments for this constructor: try with one more.
    }
    args.push(args.length === 0 ? PROBE_CODE : args.length === 1 ? 'probe' : {});
  }
  return last ?? new Error(`cannot build ${cls.name}`);
}

const PROBE_CODE = 'ERR_CAMCTL_PROBE';

/** Constructors whose first argument is a structure rather than a code or a message. */
const STRUCTURED_ARGS: Record<string, unknown[]> = {
  CameraSettingError: [[{ key: 'iso', ok: false, message: 'Bad value' }]],
  SequoiaSettingError: [{ iso: 'Bad value' }, '/config'],
  HttpClientError: [
    {
      kind: 'timeout',
      phase: 'reply',
      message: 'probe',
      method: 'GET',
      path: '/',
      host: '127.0.0.1',
      port: 80,
      timeoutMs: 1,
    },
  ],
};

describe('one error hierarchy', () => {
  it('finds the layers’ error classes', async () => {
    const names = (await exportedErrorClasses()).map(([where]) => where.split(': ')[1]);
    for (const expected of [
      'PtpTimeoutError',
      'PtpUsbStallError',
      'PtpDecodeError',
      'SequoiaError',
      'OscClientError',
      'CameraError',
      'CliError',
      'DashboardError',
      'S3SyncError',
      'BodyTooLargeError',
      'InvalidOptionError',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('every exported error class extends CamctlError and sets a non-empty code', async () => {
    for (const [where, cls] of await exportedErrorClasses()) {
      expect(cls.prototype instanceof CamctlError || cls === CamctlError, where).toBe(true);
      const err = instanceOf(cls) as CamctlError;
      expect(err, where).toBeInstanceOf(cls);
      expect(typeof err.code, where).toBe('string');
      expect(err.code.length, where).toBeGreaterThan(0);
      expect(err.name, where).toBe(cls.name);
      // CameraError keeps its published short codes; every other layer uses the prefixed scheme.
      if (!(err instanceof CameraError) && err.constructor !== CamctlError)
        expect(err.code, where).toMatch(/^ERR_CAMCTL_[A-Z0-9_]+$/);
    }
  });
});

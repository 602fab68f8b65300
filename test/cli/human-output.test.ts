/**
 * What `info` and `status` print for people, on each camera: every value readable (no
 * `[object Object]`), the maker named once.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator, type RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { renderStatus } from '../../src/cli/status.js';
import { camctlInProcess } from '../helpers/camctl-in-process.js';
import { cleanup, startEmu, tempDir } from './helpers.js';

let theta: RunningThetaEmulator;
let thetaCamera: string;
let sequoiaCamera: string;

beforeAll(async () => {
  const dir = await tempDir('camctl-human-');
  theta = await startThetaEmulator({ dataDir: path.join(dir, 'theta'), speed: 20 });
  thetaCamera = `theta://127.0.0.1:${new URL(theta.url).port}`;
  sequoiaCamera = (await startEmu()).camera;
});

afterAll(async () => {
  await theta.close();
  await cleanup();
});

describe('info and status for people', () => {
  it('info names a THETA as RICOH THETA S, not RICOH RICOH THETA S', async () => {
    const r = await camctlInProcess('-c', thetaCamera, 'info');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Camera:\s+RICOH THETA S$/m);
  });

  it('status prints nested values (the _externalGpsInfo of a THETA X, the Sequoia sensors) as readable pairs', async () => {
    for (const camera of [thetaCamera, sequoiaCamera]) {
      const r = await camctlInProcess('-c', camera, 'status');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('[object Object]');
    }
    // The THETA X and Z1 nest their state deeper than the S (theta-api-specs, state.md).
    const text = renderStatus({
      capture: { state: 'idle', text: 'idle' },
      media: [],
      details: {
        _externalGpsInfo: { gpsInfo: { lat: 35.671, lng: 139.76, _altitude: 12 } },
        _cameraError: ['COMPASS_CALIBRATION'],
        _cameraErrors: [],
      },
    });
    expect(text).not.toContain('[object Object]');
    expect(text).toMatch(/^_externalGpsInfo:\s+gpsInfo\.lat=35\.67 gpsInfo\.lng=139\.76 gpsInfo\._altitude=12$/m);
    expect(text).toMatch(/^_cameraError:\s+COMPASS_CALIBRATION$/m);
    expect(text).toMatch(/^_cameraErrors:\s+-$/m);
  });
});

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, closedPort, requireBuild, runCli, runJson, startEmu } from './helpers.js';

beforeAll(requireBuild);
afterEach(cleanup);

/** Expected errors are one line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\bat .*\.js:\d+/);
  return lines[0]!;
}

describe('camctl without a camera', () => {
  it.each([
    ['info'],
    ['status'],
    ['config'],
    ['ls'],
    ['capture'],
    ['sync', '/tmp/x'],
    ['watch'],
    ['calibrate'],
    ['wifi'],
    ['manual'],
  ])('%s fails at once naming --camera sequoia://192.168.47.1', async (...args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('--camera sequoia://192.168.47.1');
    expect(r.stdout).toBe('');
  });

  it('takes CAMCTL_CAMERA from the environment', async () => {
    const { camera } = await startEmu();
    const r = await runJson(['info'], { CAMCTL_CAMERA: camera });
    expect(r.result.code).toBe(0);
    expect(r.json).toMatchObject({ model: 'Sequoia' });
  });
});

describe('unreachable or bad addresses', () => {
  it('reports an unreachable camera on a closed loopback port in one line, non-zero', async () => {
    const port = await closedPort();
    const r = await runCli(['--camera', `sequoia://127.0.0.1:${port}`, '--timeout', '2', 'status']);
    expect(r.code).toBe(1);
    // In camera words; the socket's own (ECONNREFUSED) is the detail -v prints.
    expect(oneLine(r.stderr)).toMatch(/unreachable at 127\.0\.0\.1:\d+: nothing answers there/);
    const verbose = await runCli(['--camera', `sequoia://127.0.0.1:${port}`, '--timeout', '2', '-v', 'status']);
    expect(verbose.stderr).toMatch(/unreachable at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('reports it as JSON with --json', async () => {
    const port = await closedPort();
    const r = await runJson(['--camera', `sequoia://127.0.0.1:${port}`, 'info']);
    expect(r.result.code).toBe(1);
    expect(r.json).toMatchObject({ error: { code: 'UNREACHABLE' } });
  });

  it.each([
    ['sequoia//127.0.0.1', 'invalid camera address'],
    ['sequoia://127.0.0.1:99999', 'port must be 1-65535'],
    ['nope://127.0.0.1', 'no default port'],
    ['gopher://127.0.0.1:70', 'no camera adapter for gopher'],
  ])('rejects address %s', async (address, message) => {
    const r = await runCli(['--camera', address, 'info']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain(message);
  });

  it('rejects a bad --timeout', async () => {
    const r = await runCli(['--camera', 'sequoia://127.0.0.1:1', '--timeout', 'soon', 'info']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('--timeout must be a positive number');
  });

  it('a camera that accepts but never answers fails after --timeout, in one line', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => sockets.push(s)); // accepts, reads nothing, says nothing
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as import('node:net').AddressInfo).port;
      const r = await runCli(['--camera', `sequoia://127.0.0.1:${port}`, '--timeout', '0.5', 'info']);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toContain('did not answer within 0.5 s');
      // The phase and the request are the protocol detail -v prints.
      const verbose = await runCli(['--camera', `sequoia://127.0.0.1:${port}`, '--timeout', '0.5', '-v', 'info']);
      expect(verbose.stderr).toContain('reply timeout after 500 ms (GET /version)');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('watch on a closed port fails instead of retrying forever', async () => {
    const port = await closedPort();
    const r = await runCli(['--camera', `sequoia://127.0.0.1:${port}`, 'watch']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toContain('nothing answers there');
  });
});

describe('bad values against the emulator', () => {
  it.each([
    [['config', 'set', 'bit_depth=9'], 'bit_depth must be one of 8, 10, got 9'],
    [
      ['config', 'set', 'timelapse_param=0.1'],
      'timelapse_param must be between 1 and 3600 s, got 0.1 (at least 1 s with the RGB sensor on',
    ],
    [['config', 'set', 'capture_mode=burst'], 'capture_mode must be one of single, timelapse'],
    [['config', 'set', 'sensors_mask=x'], 'sensors_mask must be a number'],
    [['config', 'set', 'nope=1'], 'unknown setting "nope"'],
    [['config', 'set', 'bit_depth'], 'expected KEY=VALUE'],
    [['config', 'get', 'nope'], 'unknown setting "nope"'],
    [['rm', '/internal/../x'], 'invalid path segment'],
    [['get', '/internal'], 'get needs /<medium>/<folder>[/<file>]'],
    [['calibrate', 'start', 'tail'], 'calibration target must be one of body, sunshine, radiometric'],
    [['manual', 'set', 'rgb.iso=fast'], 'rgb.iso must be a positive whole number'],
    [['manual', 'set', 'rgb.zoom=2'], 'unknown key "rgb.zoom"'],
    [['wifi', 'ssid', 'x'.repeat(33)], 'ssid must be 1 to 32 bytes'],
    [['sync', '/tmp/camctl-never', '-j', '0'], 'parallel must be 1-64'],
    [['capture', '--wait', '-1'], '--wait must be a positive number'],
  ])('%j → exit 2: %s', async (args, message) => {
    const { camera } = await startEmu();
    const r = await runCli(['--camera', camera, ...args]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain(message);
  });

  it.each([
    [['ls', '/internal/9999'], 'NOT_FOUND'],
    [['get', '/internal/9999/IMG_160629_123655_0000_RGB.JPG'], 'NOT_FOUND'],
    [['rm', '/internal/9999'], 'NOT_FOUND'],
    [['capture', 'stop'], null],
  ])('%j → camera error with its code', async (args, code) => {
    const { camera } = await startEmu();
    const r = await runJson(['--camera', camera, ...args]);
    if (code === null) {
      // Stopping an idle camera is not an error: the camera says so.
      expect(r.result.code).toBe(0);
      expect(r.json).toMatchObject({ text: 'Capture is not running' });
    } else {
      expect(r.result.code).toBe(1);
      expect(r.json).toMatchObject({ error: { code } });
    }
  });

  it('capture in timelapse mode tells to use capture start', async () => {
    const { camera } = await startEmu();
    expect((await runCli(['--camera', camera, 'config', 'set', 'capture_mode=timelapse'])).code).toBe(0);
    const r = await runCli(['--camera', camera, 'capture']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toContain('capture start');
  });
});

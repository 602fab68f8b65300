/**
 * Expected failures in the user's words: each case of the table runs the built CLI against real
 * emulators on loopback and checks the one line a person reads (what happened, what to do next),
 * that the protocol's own text is not in it, and that `-v` and `--json` still carry that text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator, type RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { cleanup, closedPort, requireBuild, runCli, startEmu, tempDir, type Emu } from './helpers.js';

let seq: Emu;
let theta: RunningThetaEmulator;
let closed: number;
/** host:port of each face. */
const at: Record<'seqHttp' | 'seqPtp' | 'thetaHttp' | 'thetaPtp', string> = {
  seqHttp: '',
  seqPtp: '',
  thetaHttp: '',
  thetaPtp: '',
};

beforeAll(async () => {
  requireBuild();
  seq = await startEmu({ ptpipPort: 0 });
  theta = await startThetaEmulator({ dataDir: await tempDir('camctl-words-theta-'), httpPort: 0, ptpipPort: 0 });
  at.seqHttp = `127.0.0.1:${seq.port}`;
  at.seqPtp = seq.emu.ptpip!;
  at.thetaHttp = new URL(theta.url).host;
  at.thetaPtp = theta.ptpip!;
  closed = await closedPort();
});
afterAll(async () => {
  await theta?.close();
  await cleanup();
});

interface Case {
  name: string;
  /** Arguments after `--camera`; the address is built from the faces above. */
  camera: () => string;
  args: string[];
  /** The line a person reads. */
  says: RegExp;
  /** Protocol words that must stay out of that line (they go to -v and --json). */
  not: RegExp;
  exit?: number;
}

const cases: Case[] = [
  {
    name: 'ls of a missing folder (Sequoia)',
    camera: () => `sequoia://${at.seqHttp}`,
    args: ['ls', '/nope'],
    says: /^no \/nope on the camera; camctl ls \/ lists what is there$/,
    not: /GET|\/file\//,
  },
  {
    name: 'rm of a missing file (Sequoia)',
    camera: () => `sequoia://${at.seqHttp}`,
    args: ['rm', '/internal/nope.jpg'],
    says: /^no \/internal\/nope\.jpg on the camera; camctl ls \/internal lists/,
    not: /GET|\/delete\//,
  },
  {
    name: 'a THETA at a closed port',
    camera: () => `theta://127.0.0.1:${closed}`,
    args: ['info'],
    says: /unreachable at 127\.0\.0\.1:\d+: nothing answers there\. Is the camera switched on, and this computer joined to its Wi-Fi/,
    not: /fetch failed/,
  },
  {
    name: 'a Sequoia at a closed port',
    camera: () => `sequoia://127.0.0.1:${closed}`,
    args: ['info'],
    says: /unreachable at 127\.0\.0\.1:\d+: nothing answers there\. Is the camera switched on, and this computer joined to its Wi-Fi \(its access point is named Sequoia_/,
    not: /ECONNREFUSED/,
  },
  {
    name: 'ptpip:// at a closed port',
    camera: () => `ptpip://127.0.0.1:${closed}`,
    args: ['info'],
    says: /unreachable at .*joined to its Wi-Fi/,
    not: /ECONNREFUSED/,
  },
  {
    name: 'ptpip:// at an HTTP port',
    camera: () => `ptpip://${at.seqHttp}`,
    args: ['info'],
    says: /answers, but not in PTP\/IP .*try sequoia:\/\/127\.0\.0\.1:\d+ for a Parrot Sequoia or theta:\/\/127\.0\.0\.1:\d+ for a RICOH THETA/,
    not: /packet type/,
  },
  {
    name: 'sequoia:// at a PTP/IP port',
    camera: () => `sequoia://${at.seqPtp}`,
    args: ['info'],
    says: /answers, but not in HTTP.*a PTP\/IP port\? try ptpip:\/\/127\.0\.0\.1:\d+$/,
    not: /HPE_|connection lost/,
  },
  {
    name: 'theta:// at a PTP/IP port',
    camera: () => `theta://${at.thetaPtp}`,
    args: ['info'],
    says: /not in HTTP.*try ptpip:\/\//,
    not: /fetch failed/,
  },
  {
    name: 'sequoia:// at a THETA',
    camera: () => `sequoia://${at.thetaHttp}`,
    args: ['info'],
    says: /answers in HTTP but is not a Parrot Sequoia .*a RICOH THETA\? try theta:\/\/127\.0\.0\.1:\d+$/,
    not: /object Object|GET \/version/,
  },
  {
    name: 'theta:// at a Sequoia',
    camera: () => `theta://${at.seqHttp}`,
    args: ['info'],
    says: /not with the Open Spherical Camera API .*try sequoia:\/\//,
    not: /HTTP 404/,
  },
  {
    name: 'capture start over PTP/IP with a THETA in single mode',
    camera: () => `ptpip://${at.thetaPtp}`,
    args: ['capture', 'start'],
    says: /did not start a continuous capture: it is set to single pictures .*camctl capture takes one/,
    not: /DeviceBusy|0x2019/,
  },
];

describe('expected failures say what happened and what to do next', () => {
  it.each(cases)('$name', async (c) => {
    const r = await runCli(['--camera', c.camera(), '--timeout', '5', ...c.args]);
    expect(r.code).toBe(c.exit ?? 1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = lines[0]!.replace(/^camctl: /, '');
    expect(line).toMatch(c.says);
    expect(line).not.toMatch(c.not);
    expect(r.stdout).toBe('');
  });

  it.each(cases)('$name: -v adds the protocol detail, --json carries it', async (c) => {
    const verbose = await runCli(['--camera', c.camera(), '--timeout', '5', '-v', ...c.args]);
    const [first, ...detail] = verbose.stderr.trim().split('\n');
    expect(first?.replace(/^camctl: /, '')).toMatch(c.says);
    expect(detail.length).toBeGreaterThan(0);
    expect(detail.join('\n')).toMatch(/^ {2}[A-Z_]+: /);
    const json = await runCli(['--camera', c.camera(), '--timeout', '5', '--json', ...c.args]);
    const doc = JSON.parse(json.stdout) as {
      error: { code: string; message: string; detail?: string; deviceMessage?: string };
    };
    expect(doc.error.code).toMatch(/^[A-Z_]+$/);
    expect(doc.error.message).toMatch(c.says);
    expect(typeof doc.error.detail).toBe('string');
    expect(doc.error.deviceMessage ?? '').not.toContain('[object Object]');
  });
});

describe('continuous capture: the same answers on every address', () => {
  it('a second start while a timelapse runs says one is running and how to stop it; stop with none running succeeds', async () => {
    const seqCam = `sequoia://${at.seqHttp}`;
    expect(
      (await runCli(['--camera', seqCam, 'config', 'set', 'capture_mode=timelapse', 'timelapse_param=5'])).code,
    ).toBe(0);
    expect((await runCli(['--camera', seqCam, 'capture', 'start'])).code).toBe(0);
    try {
      for (const camera of [seqCam, `ptpip://${at.seqPtp}`]) {
        const r = await runCli(['--camera', camera, 'capture', 'start']);
        expect(r.code).toBe(1);
        expect(r.stderr.trim()).toMatch(
          /^camctl: a capture is already running \(.+\); stop it first: camctl capture stop$/,
        );
        expect(r.stderr).not.toMatch(/Not available|DeviceBusy/);
      }
    } finally {
      expect((await runCli(['--camera', seqCam, 'capture', 'stop'])).code).toBe(0);
      // A timelapse ends once the picture being written is complete: only then is none running.
      await seq.emu.device.whenSessionEnds();
      await runCli(['--camera', seqCam, 'config', 'set', 'capture_mode=single']);
    }
    for (const camera of [seqCam, `ptpip://${at.seqPtp}`, `theta://${at.thetaHttp}`, `ptpip://${at.thetaPtp}`]) {
      const r = await runCli(['--camera', camera, 'capture', 'stop']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('Capture is not running');
      expect(r.code).toBe(0);
    }
  });

  it('a THETA refuses a second start in the same words', async () => {
    const camera = `theta://${at.thetaHttp}`;
    expect((await runCli(['--camera', camera, 'capture', 'start'])).code).toBe(0);
    try {
      const r = await runCli(['--camera', camera, 'capture', 'start']);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /^camctl: a capture is already running \(.+\); stop it first: camctl capture stop$/,
      );
      expect(r.stderr).not.toMatch(/disabledCommand/);
    } finally {
      expect((await runCli(['--camera', camera, 'capture', 'stop'])).code).toBe(0);
    }
  });
});

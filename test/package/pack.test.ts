/**
 * The npm package as a user gets it: `npm pack` (prepack builds dist/ and the sendfile prebuild),
 * then the tarball installed from scratch — into an empty project (`npm install ./camctl-*.tgz`)
 * and globally (`npm install -g`, into a prefix of its own) — with its dependencies from the npm
 * registry (the npm cache makes that quick). From the installed package: `camctl --version`, an
 * emulated Sequoia read through `camctl --camera sequoia://… status --json`, the dashboard demo,
 * the sendfile addon, and the README's library examples (examples/*.ts) type-checked against the
 * package's own .d.ts files under `"moduleResolution": "nodenext"` and run against the emulators.
 * Prints the tarball's size and the install times.
 *
 * Most of the time here is npm and Node starting up, so whatever does not depend on something
 * else runs at the same time: the two installs, and every test (each suite is concurrent; the
 * examples run side by side). Each still checks the same things.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { spawnCamctl, type CamctlProcess } from '../helpers/camctl-process.js';
import { tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** The version this checkout resolved, so the consumer's install hits the npm cache. */
async function installedVersion(name: string): Promise<string> {
  return (
    JSON.parse(await readFile(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

async function npm(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  // npm_config_* of the npm that started vitest (e.g. `npm test`'s) must not leak into these runs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    env,
    maxBuffer: 16 << 20,
  });
}

let work: { dir: string; cleanup: () => Promise<void> };
let tarball: string;
let project: string;
let globalPrefix: string;
const running: CamctlProcess[] = [];

/** The installed camctl entry script of the project install and of the global one. */
const bins = () => ({
  project: path.join(project, 'node_modules', 'camctl', 'bin', 'camctl.js'),
  global: path.join(globalPrefix, 'lib', 'node_modules', 'camctl', 'bin', 'camctl.js'),
});

beforeAll(async () => {
  work = await tempDir('camctl-pack-');
  const packed = await npm(['pack', '--json', '--pack-destination', work.dir], ROOT);
  const info = (
    JSON.parse(packed.stdout) as { filename: string; size: number; unpackedSize: number; entryCount: number }[]
  )[0]!;
  tarball = path.join(work.dir, info.filename);
  console.log(
    `npm pack: ${info.filename}, ${(info.size / 1e6).toFixed(2)} MB packed, ${(info.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${info.entryCount} files`,
  );

  project = path.join(work.dir, 'project');
  await mkdir(project);
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  globalPrefix = path.join(work.dir, 'global');
  const timed = async (what: string, install: Promise<unknown>) => {
    const t = performance.now();
    await install;
    console.log(`${what}: ${((performance.now() - t) / 1000).toFixed(1)} s (both installs at once)`);
  };
  // Independent installs (own folders; npm's cache is safe to share), so at the same time.
  const typeDeps = [
    `typescript@${await installedVersion('typescript')}`,
    `@types/node@${await installedVersion('@types/node')}`,
  ];
  await Promise.all([
    timed(
      `npm install ./${info.filename} (with typescript and @types/node) into an empty project`,
      npm(['install', tarball, ...typeDeps], project),
    ),
    timed(
      `npm install -g ./${info.filename}`,
      npm(['install', '--global', '--prefix', globalPrefix, tarball], work.dir),
    ),
  ]);
}, 600_000);

afterAll(async () => {
  for (const p of running) p.child.kill('SIGTERM');
  await work?.cleanup();
});

describe.concurrent('the packed tarball', () => {
  it('holds the compiled JavaScript, its .d.ts files and the sendfile prebuild, and no tests or TypeScript sources', async ({
    expect,
  }) => {
    const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 << 20 });
    const files = stdout.split('\n').filter(Boolean);
    for (const f of [
      'package/bin/camctl.js',
      'package/dist/src/index.js',
      'package/dist/src/index.d.ts',
      'package/dist/src/emulator/index.d.ts',
      'package/LICENSE',
      'package/binding.gyp',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('package/prebuilds/linux-x64/') && f.endsWith('.node'))).toHaveLength(1);
    expect(files.some((f) => f.startsWith('package/dist/dashboard-ui/') && f.endsWith('index.html'))).toBe(true);
    expect(
      files.filter(
        (f) =>
          /^package\/(test|bench|examples|dist\/bench)\//.test(f) ||
          (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
          f.endsWith('.map'),
      ),
    ).toEqual([]);
  });
});

describe.concurrent.each(['project', 'global'] as const)('installed (%s)', (where) => {
  it('camctl --version prints the package version', async ({ expect }) => {
    const { stdout } = await run(process.execPath, [bins()[where], '--version']);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('camctl emulate sequoia, then camctl --camera sequoia://… status --json through it', async ({ expect }) => {
    const emulator = await spawnCamctl(
      ['emulate', 'sequoia', '--http-port', '0', '--data-dir', path.join(work.dir, `sequoia-${where}`)],
      60_000,
      bins()[where],
    );
    running.push(emulator);
    const ready = JSON.parse(emulator.firstLine) as { event: string; http: string };
    expect(ready.event).toBe('listening');
    const address = `sequoia://${new URL(ready.http).host}`;
    const { stdout } = await run(process.execPath, [bins()[where], '--camera', address, 'status', '--json']);
    const status = JSON.parse(stdout) as { capture: { state: string }; media: { id: string }[] };
    expect(status.capture.state).toBe('idle');
    expect(status.media.map((m) => m.id)).toContain('internal');
    emulator.child.kill('SIGTERM');
  });

  it('camctl ui --demo serves the dashboard page', async ({ expect }) => {
    const args = [
      'ui',
      '--demo',
      '--port',
      '0',
      '--data-dir',
      path.join(work.dir, `demo-${where}`),
      '--cache-dir',
      path.join(work.dir, `cache-${where}`),
    ];
    const ui = await spawnCamctl(args, 60_000, bins()[where]);
    running.push(ui);
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(ui.firstLine)?.[0];
    expect(url, ui.firstLine).toBeDefined();
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('camctl dashboard');
    ui.child.kill('SIGTERM');
  });
});

describe.concurrent('the installed library', () => {
  it('loads the sendfile addon whether or not npm ran the install script (NODE_DEBUG=camctl:sendfile says which path)', async ({
    expect,
  }) => {
    const installed = path.join(project, 'node_modules', 'camctl');
    const ranInstallScript = existsSync(path.join(installed, 'build', 'Release', 'camctl_sendfile.node'));
    console.log(
      `npm ${ranInstallScript ? 'ran' : 'did not run'} camctl's install script; the prebuilt addon serves either way`,
    );
    const r = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', "await import('camctl/emulator')"], {
        cwd: project,
        env: { ...process.env, NODE_DEBUG: 'camctl:sendfile', CAMCTL_SENDFILE: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(err) : reject(new Error(`exit ${code}: ${err}`))));
    });
    expect(r).toContain('zero-copy downloads on: sendfile(2)');
  });

  it('the README examples type-check against the package under nodenext and run against the emulators', async ({
    expect,
  }) => {
    const src = path.join(project, 'src');
    await mkdir(src);
    const examples = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.ts'));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const f of examples) await copyFile(path.join(EXAMPLES, f), path.join(src, f));
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: false,
        types: ['node'],
        rootDir: 'src',
        outDir: 'out',
      },
      include: ['src'],
    };
    await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', project], { cwd: project }).catch((err: { stdout?: string }) => {
      throw new Error(`tsc found errors in the examples against the installed package:\n${err.stdout ?? String(err)}`);
    });
    const imports = (await Promise.all(examples.map((f) => readFile(path.join(src, f), 'utf8')))).join('\n');
    for (const entry of ['camctl', 'camctl/sequoia', 'camctl/osc', 'camctl/ptp', 'camctl/emulator'])
      expect(imports).toContain(`from '${entry}'`);
    // Each example starts its own emulators on port 0 in its own temp dir: they can run side by
    // side — two at a time, as the machine may have two cores and the examples keep their own timeouts.
    const queue = [...examples];
    await Promise.all(
      [0, 1].map(async () => {
        for (let f = queue.shift(); f; f = queue.shift()) await runExample(f);
      }),
    );
    async function runExample(f: string): Promise<void> {
      const js = path.join(project, 'out', f.replace(/\.ts$/, '.js'));
      expect((await stat(js)).size).toBeGreaterThan(0);
      const { stdout } = await run(process.execPath, [js], { cwd: project, timeout: 120_000 }).catch(
        (err: { stderr?: string }) => {
          throw new Error(`examples/${f} failed:\n${err.stderr ?? String(err)}`);
        },
      );
      expect(stdout.length, `examples/${f} printed nothing`).toBeGreaterThan(0);
    }
  }, 180_000); // tsc over the package's .d.ts files, then five examples, beside the other checks
});

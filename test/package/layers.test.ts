/**
 * The import rules of .dependency-cruiser.cjs (`npm run lint:layers`) catch what they claim to:
 * one cruise over a small tree written to a temp dir, with one forbidden import per rule, an
 * import cycle between two modules and a cycle between two folders; nothing else is reported.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}
interface LayerCheck {
  errors: Violation[];
  folderCycles: { folders: string[]; imports: string[] }[];
  report: string;
}

// scripts/ is plain JavaScript; its one export is typed here.
const { checkLayers } = (await import(path.resolve(import.meta.dirname, '../../scripts/check-layers.mjs'))) as {
  checkLayers(o: { baseDir: string }): Promise<LayerCheck>;
};

/** file → the src/ files it imports. */
const TREE: Record<string, string[]> = {
  'src/util/u.ts': ['src/ptp/p0.ts'],
  'src/ptp/p0.ts': [],
  'src/ptp/p.ts': ['src/cli/x.ts'],
  'src/sequoia/s.ts': ['src/osc/o.ts'],
  'src/osc/o.ts': ['src/ptp/p0.ts', 'src/util/u0.ts'],
  'src/util/u0.ts': [],
  'src/camera/c.ts': ['src/devices/d.ts'],
  'src/devices/d.ts': ['src/ptp/p0.ts'],
  'src/sync/s.ts': ['src/emulator/e.ts'],
  'src/emulator/e.ts': ['src/cli/x.ts'],
  'src/cli/x.ts': [],
  'src/dashboard/h.ts': ['src/cli/x.ts'],
  'src/camera/c2.ts': ['src/dashboard/h.ts'],
  // A module cycle inside one folder.
  'src/camera/a.ts': ['src/camera/b.ts'],
  'src/camera/b.ts': ['src/camera/a.ts'],
  // A folder cycle without a module cycle: camera → sync → camera.
  'src/camera/c3.ts': ['src/sync/s2.ts'],
  'src/sync/s2.ts': ['src/camera/c4.ts'],
  'src/camera/c4.ts': [],
};

let work: { dir: string; cleanup: () => Promise<void> };
let check: LayerCheck;

beforeAll(async () => {
  work = await tempDir('camctl-layers-');
  for (const [file, imports] of Object.entries(TREE)) {
    const at = path.join(work.dir, file);
    await mkdir(path.dirname(at), { recursive: true });
    const lines = imports.map((to, i) => {
      let rel = path.posix.relative(path.posix.dirname(file), to).replace(/\.ts$/, '.js');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return `import { x as x${i} } from '${rel}';\nvoid x${i};`;
    });
    await writeFile(at, `${lines.join('\n')}\nexport const x = 1;\n`);
  }
  const tsconfig = {
    compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true },
    include: ['src'],
  };
  await writeFile(path.join(work.dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  await writeFile(path.join(work.dir, 'package.json'), JSON.stringify({ type: 'module' }));
  check = await checkLayers({ baseDir: work.dir });
}, 60_000);

afterAll(() => work?.cleanup());

const broken = (rule: string) =>
  check.errors
    .filter((v) => v.rule.name === rule)
    .map((v) => `${v.from} → ${v.to}`)
    .sort();

describe('lint:layers rules', () => {
  it.each([
    ['ptp-imports-only-ptp-util', ['src/ptp/p.ts → src/cli/x.ts']],
    ['wire-format-imports-only-itself-ptp-util', ['src/sequoia/s.ts → src/osc/o.ts']],
    ['camera-imports-no-devices-no-emulator', ['src/camera/c.ts → src/devices/d.ts']],
    ['devices-import-no-wire-format-no-emulator', ['src/devices/d.ts → src/ptp/p0.ts']],
    ['util-imports-only-util', ['src/util/u.ts → src/ptp/p0.ts']],
    ['sync-imports-no-devices-no-emulator', ['src/sync/s.ts → src/emulator/e.ts']],
    [
      'only-wiring-layers-import-wiring-layers',
      ['src/camera/c2.ts → src/dashboard/h.ts', 'src/ptp/p.ts → src/cli/x.ts', 'src/sync/s.ts → src/emulator/e.ts'],
    ],
    ['emulator-imports-no-cli-no-dashboard', ['src/emulator/e.ts → src/cli/x.ts']],
    ['dashboard-imports-no-cli', ['src/dashboard/h.ts → src/cli/x.ts']],
    // A cycle is reported once, at the import where dependency-cruiser first closes it.
    ['no-module-cycles', ['src/camera/a.ts → src/camera/b.ts']],
  ])('%s reports exactly the imports that break it', (rule, imports) => {
    expect(broken(rule)).toEqual(imports);
  });

  it('reports a cycle between folders', () => {
    expect(check.folderCycles).toEqual([
      {
        folders: ['camera', 'sync'],
        imports: ['src/camera/c3.ts → src/sync/s2.ts', 'src/sync/s2.ts → src/camera/c4.ts'],
      },
    ]);
  });

  it('reports nothing else', () => {
    expect(check.errors).toHaveLength(12);
  });
});

#!/usr/bin/env node
// `npm run lint:layers`: the import rules of .dependency-cruiser.cjs over src/, plus one check
// dependency-cruiser does not make itself — no import cycle between the top-level folders of src/
// (the layers). Exits 1 and prints each broken rule when one is broken.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Cruises `baseDir`/src with the rules of `configFile` (default: this repository's) and returns
 * the broken rules: dependency-cruiser's own report and the folder cycles found.
 */
export async function checkLayers({ baseDir = ROOT, configFile = path.join(ROOT, '.dependency-cruiser.cjs') } = {}) {
  const options = await extractDepcruiseOptions(configFile);
  const tsConfigFile = path.resolve(baseDir, options.tsConfig.fileName);
  const { output: result } = await cruise(
    ['src'],
    { ...options, baseDir, tsConfig: { fileName: tsConfigFile } },
    undefined,
    {
      tsConfig: extractTSConfig(tsConfigFile),
    },
  );
  const errors = result.summary.violations.filter((v) => v.rule.severity === 'error');
  const folderCycles = findFolderCycles(result.modules);
  return { errors, folderCycles, report: (await format(result, { outputType: 'err' })).output };
}

/** `src/emulator/link.ts` → `emulator`; undefined for files directly in src/ (the root entry point). */
function layerOf(file) {
  return /^src\/([^/]+)\//.exec(file)?.[1];
}

/**
 * Cycles between top-level folders of src/: each strongly connected group of two or more folders, with one import per folder edge as the
 * example to look at.
 */
function findFolderCycles(modules) {
  const edges = new Map(); // folder → Map(folder → 'from → to' example)
  for (const m of modules) {
    const from = layerOf(m.source);
    if (!from) continue;
    for (const d of m.dependencies) {
      const to = layerOf(d.resolved);
      if (!to || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from).has(to)) edges.get(from).set(to, `${m.source} → ${d.resolved}`);
    }
  }
  // Tarjan's strongly connected components.
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return groups.map((folders) => ({
    folders,
    imports: folders.flatMap((a) => folders.filter((b) => edges.get(a)?.has(b)).map((b) => edges.get(a).get(b))),
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { errors, folderCycles, report } = await checkLayers();
  process.stdout.write(report);
  for (const c of folderCycles) {
    process.stdout.write(
      `\n  error no-folder-cycles: src/{${c.folders.join(',')}} import each other:\n${c.imports.map((i) => `      ${i}\n`).join('')}`,
    );
  }
  if (errors.length > 0 || folderCycles.length > 0) process.exitCode = 1;
}

// Builds the dashboard page (src/dashboard/ui) into dist/dashboard-ui with esbuild: one ES module
// entry, the 360° viewer split into chunks loaded only when opened, content-hashed names, a .gz
// twin of every text asset (the server sends those as-is), and ui-manifest.json with the size of
// the initial JavaScript (entry + statically imported chunks) for the benchmark harness.
// Runs inside `npm run build`; `--out DIR` builds elsewhere (tests build their own copy).
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src', 'dashboard', 'ui');
const out = path.join(root, 'dist', 'dashboard-ui');

/** Budget: initial JS at most 300 KB gzipped (bench/dashboard.bench.ts measures it on the wire). */
const INITIAL_JS_BUDGET = 300 * 1000;

export async function buildUi({ outDir = out, quiet = false } = {}) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: path.join(src, 'main.tsx') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: 'asset-[hash]',
    loader: { '.svg': 'file', '.woff2': 'file' },
    metafile: true,
    legalComments: 'linked',
    logLevel: quiet ? 'error' : 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });

  const outputs = result.metafile.outputs;
  const rel = (f) => path.relative(path.relative(root, outDir), f).split(path.sep).join('/');
  const entryKey = Object.keys(outputs).find((k) => outputs[k].entryPoint && k.endsWith('.js'));
  if (!entryKey) throw new Error('esbuild produced no entry');
  const cssKey = outputs[entryKey].cssBundle;

  // Initial JS: the entry and every chunk it imports statically (dynamic imports are lazy).
  const initial = new Set();
  const walk = (k) => {
    if (initial.has(k)) return;
    initial.add(k);
    for (const imp of outputs[k].imports) if (imp.kind === 'import-statement' && outputs[imp.path]) walk(imp.path);
  };
  walk(entryKey);

  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>camctl dashboard</title>
${cssKey ? `<link rel="stylesheet" href="./${rel(cssKey)}">` : ''}
${[...initial]
  .filter((k) => k !== entryKey)
  .map((k) => `<link rel="modulepreload" href="./${rel(k)}">`)
  .join('\n')}
<script type="module" src="./${rel(entryKey)}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the camctl dashboard…</p></div>
<noscript>The camctl dashboard needs JavaScript.</noscript>
</body>
</html>
`;
  await writeFile(path.join(outDir, 'index.html'), html);

  let initialRaw = 0;
  let initialGzip = 0;
  let lazyGzip = 0;
  const files = [...Object.keys(outputs).map((k) => path.join(root, k)), path.join(outDir, 'index.html')];
  for (const file of files) {
    if (!/\.(js|css|html|svg|txt)$/.test(file)) continue;
    const data = await readFile(file);
    const gz = gzipSync(data, { level: 9 });
    await writeFile(`${file}.gz`, gz);
    const key = path.relative(root, file).split(path.sep).join('/');
    if (!key.endsWith('.js')) continue;
    if (initial.has(key)) {
      initialRaw += data.length;
      initialGzip += gz.length;
    } else lazyGzip += gz.length;
  }
  const manifest = {
    entry: rel(entryKey),
    css: cssKey ? rel(cssKey) : null,
    initialJs: {
      files: [...initial].map(rel),
      bytes: initialRaw,
      gzipBytes: initialGzip,
      budgetGzipBytes: INITIAL_JS_BUDGET,
    },
    lazyJsGzipBytes: lazyGzip,
  };
  await writeFile(path.join(outDir, 'ui-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (initialGzip > INITIAL_JS_BUDGET) {
    throw new Error(`initial JS is ${initialGzip} bytes gzipped, over the ${INITIAL_JS_BUDGET} budget`);
  }
  if (!quiet) {
    process.stderr.write(
      `dashboard UI: initial JS ${(initialGzip / 1000).toFixed(1)} KB gzipped, viewer ${(lazyGzip / 1000).toFixed(1)} KB lazy\n`,
    );
  }
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const outDir = i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : out;
  buildUi({ quiet: process.argv.includes('--quiet'), outDir }).catch((err) => {
    process.stderr.write(`build-ui: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

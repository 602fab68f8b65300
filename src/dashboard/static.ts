/**
 * Serves the built page (`dist/dashboard-ui/`, made by `scripts/build-ui.mjs` inside
 * `npm run build`): index.html plus content-hashed bundles, each with a `.gz` twin made at build
 * time, so nothing is compressed per request and the "initial JS" figure is what goes on the wire.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardError } from './errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** `dist/dashboard-ui` of the camctl checkout this module belongs to (src/ or dist/src/). */
export function defaultAssetsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'camctl')
          return path.join(dir, 'dist', 'dashboard-ui');
      } catch {
        /* not ours: keep walking up */
      }
    }
    dir = path.dirname(dir);
  }
  return path.resolve('dist', 'dashboard-ui');
}

export class StaticFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Whether the UI was built (the CLI says how to build it when not). */
  available(): boolean {
    return existsSync(path.join(this.root, 'index.html'));
  }

  async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    urlPath: string,
    headers: Record<string, string>,
  ): Promise<void> {
    let rel = urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath.slice(1));
    // Client-side routes (#-less deep links) fall back to the page itself.
    if (!path.extname(rel)) rel = 'index.html';
    const file = path.resolve(this.root, rel);
    if (!file.startsWith(this.root + path.sep) || rel.split('/').some((p) => p.startsWith('.'))) {
      throw new DashboardError('ERR_CAMCTL_DASHBOARD_NOT_FOUND', `no such file ${urlPath}`);
    }
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) {
      if (rel === 'index.html')
        throw new DashboardError(
          'ERR_CAMCTL_DASHBOARD_UI_MISSING',
          'the dashboard page is not built: run `npm run build`',
        );
      throw new DashboardError('ERR_CAMCTL_DASHBOARD_NOT_FOUND', `no such file ${urlPath}`);
    }
    const ext = path.extname(file);
    const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))
      ? await stat(`${file}.gz`).catch(() => undefined)
      : undefined;
    const out: Record<string, string | number> = {
      ...headers,
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      // Bundles carry a content hash in their names; the page itself must always be re-read.
      'Cache-Control': rel === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      Vary: 'Accept-Encoding',
    };
    if (gz?.isFile()) {
      out['Content-Encoding'] = 'gzip';
      out['Content-Length'] = gz.size;
    } else {
      out['Content-Length'] = st.size;
    }
    res.writeHead(200, out);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(gz?.isFile() ? `${file}.gz` : file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}

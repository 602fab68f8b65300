/** What an emulated camera holds, read from its data directory (the truth syncs are checked against), and what a download wrote. */
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';

/** The camera's files as the emulator stores them: `<medium>/<folder>/<name>` → bytes. */
export async function cameraFiles(dataDir: string): Promise<Map<string, Buffer>> {
  const root = path.join(dataDir, 'media');
  const out = new Map<string, Buffer>();
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(root, path.join(e.parentPath, e.name));
    if (rel.split(path.sep).some((p) => p.startsWith('.'))) continue;
    out.set(rel.split(path.sep).join('/'), await readFile(path.join(e.parentPath, e.name)));
  }
  return out;
}

/** Regular files under `dir`, relative, without camctl's hidden records. */
export async function localFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    out.push(path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  }
  return out.sort();
}

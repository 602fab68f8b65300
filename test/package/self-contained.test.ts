/**
 * The repository stands alone: no tracked file points at material outside it (a folder of
 * reference documents or fixtures beside the checkout, or the reference documents' file names).
 * Tests, benchmarks and docs use what is committed here — test/fixtures/ for real-camera data,
 * docs/ for the protocol facts — so a clone in any folder runs as ours does.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

// Spelled in pieces so that this file does not match itself.
const OUTSIDE = [
  ['\\.\\.', 'shared'].join('/'),
  ['shared', 'seeds'].join('/'),
  ['shared', 'fixtures'].join('/'),
  ['shared', 'spec'].join('/'),
  ['000', '749476dc3e4c844e'].join('_'),
  ['001', '9e9beac30b15f6df'].join('_'),
];

/** `git grep` over tracked files: the matching lines, or none (exit 1 means no match). */
async function trackedLinesMatching(patterns: string[]): Promise<string[]> {
  const args = ['grep', '-n', '-I', '-E', ...patterns.flatMap((p) => ['-e', p])];
  try {
    const { stdout } = await run('git', args, { cwd: ROOT, maxBuffer: 16 << 20 });
    return stdout.split('\n').filter(Boolean);
  } catch (err) {
    if ((err as { code?: number }).code === 1) return [];
    throw err;
  }
}

describe('the repository stands alone', () => {
  it('is a git checkout (the check below reads the tracked files)', () => {
    expect(existsSync(path.join(ROOT, '.git'))).toBe(true);
  });

  it('no tracked file refers to reference material outside the repository', async () => {
    expect(await trackedLinesMatching(OUTSIDE)).toEqual([]);
  });

  it('no tracked file cites a work item (an issue or session number) instead of a public reference', async () => {
    expect(await trackedLinesMatching(['\\b[Ii]ssue [0-9]+\\b', '\\b[Ss]ession [0-9]+\\b[^.]'])).toEqual([]);
  });

  it('the docs the README points to are in the repository', async () => {
    for (const doc of [
      'docs/architecture.md',
      'docs/sequoia.md',
      'docs/osc.md',
      'docs/ptp.md',
      'test/fixtures/README.md',
      'LICENSE',
    ]) {
      expect(existsSync(path.join(ROOT, doc)), doc).toBe(true);
    }
  });
});

describe("the README's library examples", () => {
  it('are the files in examples/, verbatim (the package test type-checks and runs those)', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const examples = (await readdir(path.join(ROOT, 'examples'))).filter((f) => f.endsWith('.ts'));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const f of examples) {
      const text = (await readFile(path.join(ROOT, 'examples', f), 'utf8')).trimEnd();
      expect(readme.includes('```ts\n' + text + '\n```'), `README.md shows examples/${f} as it is`).toBe(true);
    }
  });
});

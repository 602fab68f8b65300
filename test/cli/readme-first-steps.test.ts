/**
 * The README's command section starts with what a newcomer needs first — build, an emulator, five
 * commands, the dashboard — with every command below it; and those five commands work as written
 * against the emulated Sequoia (its address given through CAMCTL_CAMERA, as the README does).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, REPO, runCli, startEmu, tempDir } from './helpers.js';

afterAll(cleanup);

/** The README's text between two headings. */
async function section(from: string, to: string): Promise<string> {
  const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${from}\n`);
  const end = readme.indexOf(`\n${to}\n`);
  expect(start, from).toBeGreaterThan(0);
  expect(end, `${to} after ${from}`).toBeGreaterThan(start);
  return readme.slice(start, end);
}

describe("the README's first steps", () => {
  it('come first in the command section: build, an emulator, five commands, the dashboard', async () => {
    const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
    const commandLine = readme.indexOf('\n## The command line\n');
    expect(readme.indexOf('\n### First steps\n')).toBeGreaterThan(commandLine);
    expect(readme.indexOf('\n### First steps\n')).toBeLessThan(readme.indexOf('\n### All commands\n'));
    const first = await section('### First steps', '### All commands');
    expect(first.split('\n').length, 'short enough to read first').toBeLessThan(60);
    expect(first).toContain('npm run build');
    expect(first).toContain('camctl emulate sequoia');
    expect(first).toContain('camctl ui');
    expect(fiveCommands(first)).toHaveLength(5);
  });

  it('five commands that work as written against the emulated Sequoia', async () => {
    const { camera } = await startEmu();
    const work = await tempDir('camctl-readme-');
    for (const words of fiveCommands(await section('### First steps', '### All commands'))) {
      // Local paths of the README (./shots) go into a directory of the test's own.
      const args = words.map((w) => (w.startsWith('./') ? path.join(work, w.slice(2)) : w));
      const r = await runCli(args, { CAMCTL_CAMERA: camera });
      expect(r.code, `camctl ${words.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout.length + r.stderr.length, `camctl ${words.join(' ')} says something`).toBeGreaterThan(0);
    }
  }, 60_000);
});

/** The `camctl …` lines of the code block after `export CAMCTL_CAMERA=…`, as argument lists. */
function fiveCommands(text: string): string[][] {
  const block = text.slice(text.indexOf('export CAMCTL_CAMERA='));
  const lines = block.slice(0, block.indexOf('```')).split('\n');
  return lines
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.startsWith('camctl '))
    .map((l) => l.split(/\s+/).slice(1));
}

import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'camctl-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/**
 * Whether a system tool is present. Missing → the test is skipped with a visible reason, except
 * under CI=true where a missing tool must fail the run (the README's apt-get line installs it).
 */
export function requireTool(present: boolean, what: string): boolean {
  if (present) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is missing on CI: .ci/run must install it`);
  console.warn(`SKIPPED: ${what} is not installed (see the README's apt-get line)`);
  return false;
}

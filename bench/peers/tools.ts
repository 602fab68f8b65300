/**
 * Finds a peer tool (nginx, wrk, curl) on PATH. Debian installs nginx in /usr/sbin, which is not on
 * an ordinary user's PATH, so the sbin directories are searched too.
 */
import { access, constants } from 'node:fs/promises';
import * as path from 'node:path';

const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** The absolute path of an executable named `name`, or undefined when none is installed. */
export async function findTool(name: string): Promise<string | undefined> {
  if (name.includes('/')) return (await isExecutable(name)) ? name : undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Like {@link findTool} but throws a {@link ToolMissingError} naming the Debian package. */
export async function requireTool(name: string, debianPackage = name): Promise<string> {
  const found = await findTool(name);
  if (!found) throw new ToolMissingError(name, debianPackage);
  return found;
}

export class ToolMissingError extends Error {
  readonly code = 'TOOL_MISSING';
  constructor(
    readonly tool: string,
    readonly debianPackage: string,
  ) {
    super(`${tool} not found (Debian: apt-get install -y ${debianPackage})`);
    this.name = 'ToolMissingError';
  }
}

/**
 * Where an emulated camera keeps its media and settings when no `--data-dir` is given: a
 * per-user directory, so pictures and settings persist across restarts as on the camera.
 * `$XDG_DATA_HOME/camctl/<model>` or `~/.local/share/camctl/<model>`.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultDataDir(model: string): string {
  const base =
    process.env.XDG_DATA_HOME && path.isAbsolute(process.env.XDG_DATA_HOME)
      ? process.env.XDG_DATA_HOME
      : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'camctl', model);
}

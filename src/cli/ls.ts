/** `camctl ls [PATH]`: media (`/`), folders (`/internal`), files (`/internal/0002`). */
import type { Command } from 'commander';
import type { Camera, RemoteEntry } from '../camera/types.js';
import { output, withCamera } from './context.js';
import { humanSize, localTime, table } from './format.js';

export function register(program: Command): void {
  program
    .command('ls')
    .description('list media, folders or files on the camera')
    .argument('[path]', 'camera path: /, /<medium>, /<medium>/<folder>', '/')
    .option('-R, --recursive', 'list every file below PATH')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl ls\n  camctl ls /internal\n  camctl ls /internal/0002 --json\n  camctl ls -R /sd',
    )
    .action(async (p: string, opts: { recursive?: boolean }, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const cameraPath = p.startsWith('/') ? p : `/${p}`;
        const entries = opts.recursive ? await walk(camera, cameraPath) : await camera.list(cameraPath);
        output(
          g,
          { path: cameraPath, entries },
          () => render(entries),
          () => entries.map((e) => e.path).join('\n'),
        );
      });
    });
}

async function walk(camera: Camera, p: string): Promise<RemoteEntry[]> {
  const out: RemoteEntry[] = [];
  for (const e of await camera.list(p)) {
    if (e.kind === 'file') out.push(e);
    else out.push(...(await walk(camera, e.path)));
  }
  return out;
}

function render(entries: RemoteEntry[]): string {
  if (entries.length === 0) return '(empty)';
  const rows = [['NAME', 'SIZE', 'TIME', 'ITEMS']];
  for (const e of entries) {
    rows.push([
      e.kind === 'file' ? e.path : `${e.path}/`,
      e.size === undefined ? '-' : humanSize(e.size),
      localTime(e.time),
      e.count === undefined ? '' : String(e.count),
    ]);
  }
  return table(rows, ['left', 'right', 'left', 'right']);
}

/** `camctl rm PATH…`: deletes files or whole folders on the camera. */
import type { Command } from 'commander';
import { output, withCamera } from './context.js';

export function register(program: Command): void {
  program
    .command('rm')
    .description('delete files or folders on the camera')
    .argument('<paths...>', 'camera paths: /<medium>/<folder>[/<file>]')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl rm /internal/0002/IMG_160629_123655_0000_RGB.JPG\n  camctl rm /internal/0000 /internal/0001',
    )
    .action(async (paths: string[], _o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const deleted: string[] = [];
        for (const p of paths) deleted.push(...(await camera.delete(p.startsWith('/') ? p : `/${p}`)));
        output(g, { deleted }, () => (g.quiet ? '' : deleted.map((d) => `deleted ${d}`).join('\n')));
      });
    });
}

/** `camctl video start|stop`: THETA video recording (switches captureMode to video first). */
import type { Command } from 'commander';
import { CliError } from './errors.js';
import { output, withCamera } from './context.js';
import type { VideoJson } from './json-shapes.js';

export function register(program: Command): void {
  program
    .command('video')
    .argument('<action>', 'start or stop')
    .description('THETA only: start or stop recording a video')
    .addHelpText('after', '\nExamples:\n  camctl video start\n  camctl video stop --json')
    .action(async (action: string, _o, cmd: Command) => {
      if (action !== 'start' && action !== 'stop')
        throw new CliError(`video: expected start or stop, got ${JSON.stringify(action)}`, 2);
      await withCamera(cmd, async (camera, g) => {
        const { thetaOf } = await import('../camera/theta.js');
        const client = thetaOf(camera, 'video').client;
        if (action === 'start') {
          const mode = await client.getOptions(['captureMode']);
          if (mode['captureMode'] === 'image')
            await client.setOptions({ captureMode: client.api === 2 ? 'video' : '_video' });
          await client.startCapture();
          const started: VideoJson = { recording: true, files: [], details: { fileUrls: [] } };
          output(
            g,
            started,
            () => 'recording',
            () => '',
          );
        } else {
          const files = await client.stopCapture();
          const st = await client.state();
          const latest = st.state._latestFileUrl ?? st.state._latestFileUri ?? '';
          const { thetaFiles } = await import('./theta-files.js');
          const { files: paths, urls } = thetaFiles(client, files.length ? files : latest ? [latest] : []);
          const stopped: VideoJson = { recording: false, files: paths, details: { fileUrls: urls } };
          // -q: the video's camera path, as `ls -q` prints paths.
          output(
            g,
            stopped,
            () => (paths.length ? `stopped: ${paths.join(' ')}` : 'stopped'),
            () => paths.join('\n'),
          );
        }
      });
    });
}

/** `camctl video start|stop`: THETA video recording (switches captureMode to video first). */
import type { Command } from 'commander';
import { isCameraUrl } from '../osc/camera-url.js';
import { CliError } from './errors.js';
import { output, withCamera } from './context.js';

export function register(program: Command): void {
  program
    .command('video')
    .argument('<action>', 'start or stop')
    .description('THETA only: start or stop recording a video')
    .addHelpText('after', '\nExamples:\n  camctl video start\n  camctl video stop --json')
    .action(async (action: string, _o, cmd: Command) => {
      if (action !== 'start' && action !== 'stop') throw new CliError(`video: expected start or stop, got ${JSON.stringify(action)}`, 2);
      await withCamera(cmd, async (camera, g) => {
        const { thetaOf } = await import('../camera/theta.js');
        const client = thetaOf(camera, 'video').client;
        if (action === 'start') {
          const mode = await client.getOptions(['captureMode']);
          if (mode['captureMode'] === 'image') await client.setOptions({ captureMode: client.api === 2 ? 'video' : '_video' });
          await client.startCapture();
          output(g, { recording: true }, () => 'recording');
        } else {
          const files = await client.stopCapture();
          const st = await client.state();
          const latest = st.state._latestFileUrl ?? st.state._latestFileUri ?? '';
          // Shown on the address camctl was given, not the one the camera writes into its URLs.
          const out = (files.length ? files : latest ? [latest] : []).map((f) => (isCameraUrl(f) ? client.rebase(f) : f));
          output(g, { recording: false, files: out }, () => (out.length ? `stopped: ${out.join(' ')}` : 'stopped'));
        }
      });
    });
}

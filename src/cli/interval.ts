/** `camctl interval start [--every S] [--count N] | stop`: THETA interval shooting. */
import type { Command } from 'commander';
import { CliError } from './errors.js';
import { output, withCamera } from './context.js';
import type { IntervalJson } from './json-shapes.js';

export function register(program: Command): void {
  program
    .command('interval')
    .argument('<action>', 'start or stop')
    .option('--every <seconds>', 'seconds between shots (the S allows 8…3600, 5 at 2048 px)')
    .option('--count <n>', 'number of shots, 0 = until stopped')
    .description('THETA only: start or stop interval shooting (still images)')
    .addHelpText('after', '\nExamples:\n  camctl interval start --every 10 --count 6\n  camctl interval stop')
    .action(async (action: string, o: { every?: string; count?: string }, cmd: Command) => {
      if (action !== 'start' && action !== 'stop')
        throw new CliError(`interval: expected start or stop, got ${JSON.stringify(action)}`, 2);
      const changes: Record<string, number> = {};
      if (o.every !== undefined) {
        if (!/^\d+$/.test(o.every))
          throw new CliError(`--every must be whole seconds, got ${JSON.stringify(o.every)}`, 2);
        changes['_captureInterval'] = Number(o.every);
      }
      if (o.count !== undefined) {
        if (!/^\d+$/.test(o.count))
          throw new CliError(`--count must be a whole number, got ${JSON.stringify(o.count)}`, 2);
        changes['_captureNumber'] = Number(o.count);
      }
      if (action === 'stop' && Object.keys(changes).length)
        throw new CliError('--every/--count only go with "interval start"', 2);
      await withCamera(cmd, async (camera, g) => {
        const { thetaOf } = await import('../camera/theta.js');
        const client = thetaOf(camera, 'interval').client;
        if (action === 'start') {
          const mode = await client.getOptions(['captureMode']);
          // By the names of the API level in use (v2.1 calls them captureInterval / captureNumber).
          const { optionNameAt } = await import('../camera/theta-settings.js');
          const set: Record<string, unknown> = Object.fromEntries(
            Object.entries(changes).map(([k, v]) => [optionNameAt(k, client.api), v]),
          );
          if (mode['captureMode'] !== 'image') set['captureMode'] = 'image';
          if (Object.keys(set).length) await client.setOptions(set);
          // v2.1 keeps a counted run in progress until its last shot: do not wait for it here.
          const reply = await client.execute(
            client.api === 2 ? 'camera.startCapture' : 'camera._startCapture',
            client.api === 2 ? {} : { sessionId: client.sessionId },
          );
          const started: IntervalJson = {
            shooting: true,
            files: [],
            details: { state: typeof reply.state === 'string' ? reply.state : null, fileUrls: [] },
          };
          output(
            g,
            started,
            () => 'interval shooting started',
            () => '',
          );
        } else {
          const { thetaFiles } = await import('./theta-files.js');
          const { files, urls } = thetaFiles(client, await client.stopCapture());
          const stopped: IntervalJson = { shooting: false, files, details: { state: null, fileUrls: urls } };
          // -q: the pictures' camera paths, as `ls -q` prints paths.
          output(
            g,
            stopped,
            () => (files.length ? `stopped after ${files.length} pictures` : 'stopped'),
            () => files.join('\n'),
          );
        }
      });
    });
}

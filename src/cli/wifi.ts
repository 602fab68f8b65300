/** `camctl wifi [ssid NAME | on | off]` (Sequoia): the camera's Wi-Fi access point. */
import type { Command } from 'commander';
import { output, sequoiaClientOf, withCamera } from './context.js';
import { keyValues, pairs } from './format.js';

export function register(program: Command): void {
  const wifi = program
    .command('wifi')
    .description('Sequoia Wi-Fi access point: show, rename, switch on/off')
    .addHelpText(
      'after',
      `
Renaming or switching off the access point drops the Wi-Fi link you may be using.

Examples:
  camctl wifi
  camctl wifi ssid Sequoia_field_1     (1 to 32 bytes)
  camctl wifi off`,
    )
    .action(async (_o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const w = await (await sequoiaClientOf(camera, 'wifi')).getWifi();
        output(
          g,
          { ssid: w.ssid, status: w.status },
          () =>
            pairs([
              ['SSID', w.ssid],
              ['Status', w.status],
            ]),
          () => `ssid=${w.ssid}\nstatus=${w.status}`,
        );
      });
    });
  wifi
    .command('ssid')
    .description('rename the access point')
    .addHelpText('after', '\nExamples:\n  camctl wifi ssid Sequoia_field2')
    .argument('<name>', 'new SSID, 1 to 32 bytes')
    .action(async (name: string, _o, cmd: Command) => set(cmd, { ssid: name }));
  for (const status of ['on', 'off'] as const) {
    wifi
      .command(status)
      .description(`switch the access point ${status}`)
      .addHelpText('after', `\nExamples:\n  camctl wifi ${status}\n  camctl wifi ${status} --json`)
      .action(async (_o, cmd: Command) => set(cmd, { status }));
  }
}

async function set(cmd: Command, values: { ssid?: string; status?: 'on' | 'off' }): Promise<void> {
  await withCamera(cmd, async (camera, g) => {
    const answers = await (await sequoiaClientOf(camera, 'wifi')).setWifi(values);
    output(
      g,
      { results: answers },
      () => pairs(Object.entries(answers)),
      () => keyValues(answers),
    );
  });
}

/** `camctl info`: maker, model, serial number, firmware of the camera. */
import type { Command } from 'commander';
import { output, withCamera } from './context.js';
import { pairs } from './format.js';

export function register(program: Command): void {
  program
    .command('info')
    .description('show the camera model, serial number and firmware')
    .addHelpText('after', '\nExamples:\n  camctl --camera sequoia://192.168.47.1 info\n  camctl info --json')
    .action(async (_opts, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const info = await camera.info();
        output(
          g,
          info,
          () =>
            pairs([
              ['Camera', cameraName(info.manufacturer, info.model)],
              ['Serial number', info.serialNumber],
              ['Firmware', info.firmware],
              ['Address', info.address],
              ...Object.entries(info.details).map(([k, v]) => [k, String(v)] as const),
            ]),
          () => `${cameraName(info.manufacturer, info.model)} ${info.serialNumber}`,
        );
      });
    });
}

/** `RICOH` + `RICOH THETA S` → `RICOH THETA S`: most cameras put the maker in the model name too. */
export function cameraName(manufacturer: string, model: string): string {
  return model.toLowerCase().startsWith(manufacturer.toLowerCase()) ? model : `${manufacturer} ${model}`.trim();
}

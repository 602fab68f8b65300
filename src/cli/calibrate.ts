/**
 * `camctl calibrate [start|stop] [body|sunshine|radiometric]` (Sequoia): magnetometer calibration
 * of the body and the sunshine sensor, and the radiometric calibration capture.
 */
import type { Command } from 'commander';
import { output, sequoiaClientOf, withCamera } from './context.js';
import { CliError } from './errors.js';
import { keyValues, pairs } from './format.js';
import type { CalibrateActionJson, CalibrateJson } from './json-shapes.js';

const TARGETS = ['body', 'sunshine', 'radiometric'] as const;
type Target = (typeof TARGETS)[number];

export function register(program: Command): void {
  const calibrate = program
    .command('calibrate')
    .description('Sequoia calibration: show state, or start/stop it')
    .addHelpText(
      'after',
      `
Without target, start/stop act on both the body and the sunshine sensor (as the camera's UI does).
States: None, Ok, Running, Psi pending (yaw), Theta pending (pitch), Phi pending (roll), Failed, Aborted.

Examples:
  camctl calibrate                  show calibration state
  camctl calibrate start body
  camctl calibrate start radiometric   10 s countdown, then a capture of the calibration target
  camctl calibrate stop`,
    )
    .action(async (_o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const client = await sequoiaClientOf(camera, 'calibrate');
        const c = await client.getCalibration();
        const state: CalibrateJson = { body: c.body, sunshine: c.sunshine };
        output(
          g,
          state,
          () =>
            pairs([
              ['Body', c.body],
              ['Sunshine', c.sunshine],
            ]),
          () => keyValues(state),
        );
      });
    });
  for (const action of ['start', 'stop'] as const) {
    calibrate
      .command(action)
      .description(`${action} calibration`)
      .addHelpText(
        'after',
        `\nExamples:\n  camctl calibrate ${action} body\n  camctl calibrate ${action} sunshine --json`,
      )
      .argument('[target]', TARGETS.join(' | '))
      .action(async (target: string | undefined, _o, cmd: Command) => {
        if (target !== undefined && !(TARGETS as readonly string[]).includes(target)) {
          throw new CliError(
            `calibration target must be one of ${TARGETS.join(', ')}, got ${JSON.stringify(target)}`,
            2,
          );
        }
        await withCamera(cmd, async (camera, g) => {
          const client = await sequoiaClientOf(camera, 'calibrate');
          const r = await client.calibrate(action, target as Target | undefined);
          // The camera's answer in its own words; `request` (the endpoint's name) is protocol detail.
          const done: CalibrateActionJson = {
            action,
            target: (target as Target | undefined) ?? null,
            status: r.status,
          };
          output(g, done, () => r.status || 'Ok');
        });
      });
  }
}

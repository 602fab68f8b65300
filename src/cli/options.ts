/**
 * `camctl options get [NAME…]` / `camctl options set NAME=VALUE…`: the THETA's OSC options as the
 * camera names them, passed through as they are (new firmware options and values work too).
 * Values are JSON when they parse as JSON (`iso=400`, `fileFormat={"type":"jpeg",…}`), else text.
 */
import type { Command } from 'commander';
import { CliError } from './errors.js';
import { output, withCamera } from './context.js';
import { keyValues, pairs } from './format.js';

function parseAssignment(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new CliError(`expected NAME=VALUE, got ${JSON.stringify(text)}`, 2);
  const name = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CliError(`invalid option name ${JSON.stringify(name)}`, 2);
  try {
    return [name, JSON.parse(raw)];
  } catch {
    return [name, raw];
  }
}

export function register(program: Command): void {
  const options = program
    .command('options')
    .description('THETA only: read or change OSC options by their camera names')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl -c theta://192.168.1.1 options get iso isoSupport\n  camctl -c theta://192.168.1.1 options set exposureDelay=5',
    );
  options
    .command('get')
    .argument('[names...]', 'option names, e.g. iso fileFormat isoSupport (default: the common ones)')
    .description('print option values (ask NAMESupport for the allowed values)')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl options get\n  camctl options get iso isoSupport\n  camctl options get fileFormat --json',
    )
    .action(async (names: string[], _o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const { thetaOf } = await import('../camera/theta.js');
        const { thetaSettingKeys } = await import('../camera/theta-settings.js');
        const theta = thetaOf(camera, 'options');
        // The common ones by the names of the camera's API level (v2.1 renamed some).
        const wanted = names.length ? names : thetaSettingKeys(theta.client.api);
        for (const n of wanted)
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new CliError(`invalid option name ${JSON.stringify(n)}`, 2);
        // One option this camera lacks does not fail the others: it is shown as unavailable.
        const { options: got, unavailable } = await theta.client.getAvailableOptions(wanted);
        // A name the camera refused or left out of its answer has no value on this camera.
        const missing = (k: string): boolean => unavailable.includes(k) || !(k in got);
        const values: Record<string, unknown> = {};
        for (const n of wanted) values[n] = missing(n) ? null : got[n];
        output(
          g,
          values,
          () =>
            pairs(
              wanted.map(
                (k) =>
                  [
                    k,
                    missing(k)
                      ? '(unavailable on this camera)'
                      : typeof values[k] === 'string'
                        ? (values[k] as string)
                        : JSON.stringify(values[k]),
                  ] as const,
              ),
            ),
          // -q: NAME=VALUE of the options this camera has.
          () => keyValues(Object.fromEntries(wanted.filter((k) => !missing(k)).map((k) => [k, values[k]]))),
        );
      });
    });
  options
    .command('set')
    .argument('<assignments...>', 'NAME=VALUE pairs, e.g. exposureDelay=5 captureMode=image')
    .description('change options (all at once: the camera applies all or none)')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl options set exposureDelay=5\n  camctl options set \'fileFormat={"type":"jpeg","width":2048,"height":1024}\'',
    )
    .action(async (assignments: string[], _o, cmd: Command) => {
      const changes = Object.fromEntries(assignments.map(parseAssignment));
      await withCamera(cmd, async (camera, g) => {
        const { thetaOf } = await import('../camera/theta.js');
        const theta = thetaOf(camera, 'options');
        await theta.client.setOptions(changes);
        output(
          g,
          { set: changes },
          () =>
            pairs(Object.entries(changes).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const)),
          () => keyValues(changes),
        );
      });
    });
}

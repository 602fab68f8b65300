/**
 * `camctl config [get [KEY…]] | set KEY=VALUE…`: settings described by the camera adapter (type,
 * allowed values, range), so values are checked and converted before anything is sent.
 */
import type { Command } from 'commander';
import type { Camera, SetOutcome, Setting, SettingValue } from '../camera/types.js';
import { CliError } from './errors.js';
import { output, withCamera } from './context.js';
import { fittedTable, table } from './format.js';

export function register(program: Command): void {
  const config = program
    .command('config')
    .description('read or change capture settings')
    .addHelpText(
      'after',
      `
Examples:
  camctl config                                 all settings, with allowed values
  camctl config get capture_mode timelapse_param
  camctl config set capture_mode=timelapse timelapse_param=2.5
  camctl config set sensors_mask=31 resolution_mono=1.2 --json

"config set" checks every value against the camera's description first (nothing is sent when one
fails). Then it reports each key: applied, or refused with the camera's answer — one line per key,
or with --json {"applied": [{"key", "value"}], "refused": [{"key", "value", "reason"}]}. It exits 1
when the camera refused anything; the applied keys stay set (the Parrot Sequoia answers each key on
its own, PTP sets one property at a time, the RICOH THETA applies all or nothing).`,
    )
    .action(async (_opts, cmd: Command) => get(cmd, []));
  config
    .command('get')
    .description('show settings (all when no KEY is given)')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl config get\n  camctl config get capture_mode timelapse_param\n  camctl config get --json',
    )
    .argument('[keys...]', 'setting keys')
    .action(async (keys: string[], _opts, cmd: Command) => get(cmd, keys));
  config
    .command('set')
    .description('change settings: KEY=VALUE …')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl config set capture_mode=timelapse timelapse_param=2\n  camctl config set storage_selected=sd\n  camctl -c theta://192.168.1.1 config set exposureDelay=5',
    )
    .argument('<assignments...>', 'KEY=VALUE pairs')
    .action(async (assignments: string[], _opts, cmd: Command) => set(cmd, assignments));
}

async function get(cmd: Command, keys: string[]): Promise<void> {
  await withCamera(cmd, async (camera, g) => {
    const settings = await camera.getConfig(keys);
    output(
      g,
      { settings },
      () => render(settings, g.verbose),
      () => settings.map((s) => `${s.key}=${s.value === null ? '' : String(s.value)}`).join('\n'),
    );
  });
}

async function set(cmd: Command, assignments: string[]): Promise<void> {
  const pairs = assignments.map((a) => {
    const i = a.indexOf('=');
    if (i <= 0) throw new CliError(`expected KEY=VALUE, got ${JSON.stringify(a)}`, 2);
    return [a.slice(0, i).trim(), a.slice(i + 1)] as const;
  });
  await withCamera(cmd, async (camera: Camera, g) => {
    const { convertAliasValue, convertSettingValue, setOutcome } = await import('../camera/settings.js');
    const { CameraError } = await import('../camera/errors.js');
    const descriptions = await camera.getConfig();
    const values: Record<string, SettingValue> = {};
    for (const [key, text] of pairs) {
      // A protocol's own name is an alias (a Sequoia over PTP: SelectedStorage for storage_selected),
      // read in the protocol's values; the result is reported under the setting's own key.
      const d = descriptions.find((s) => s.key === key) ?? descriptions.find((s) => s.raw?.name === key);
      if (!d)
        throw new CameraError(
          'UNKNOWN_SETTING',
          `unknown setting ${JSON.stringify(key)} (known: ${descriptions.map((s) => s.key).join(', ')})`,
        );
      values[d.key] = d.key === key ? convertSettingValue(d, text) : convertAliasValue(d, text);
    }
    const { CameraSettingError } = await import('../camera/errors.js');
    let results;
    let rejected: InstanceType<typeof CameraSettingError> | undefined;
    try {
      results = await camera.setConfig(values);
    } catch (err) {
      // Some keys refused: the others may well be applied (the Sequoia answers key by key) — say which.
      if (!(err instanceof CameraSettingError)) throw err;
      rejected = err;
      results = err.results;
    }
    const outcome = setOutcome(values, results);
    output(
      g,
      outcome,
      () => renderOutcome(outcome),
      () => outcome.applied.map((a) => `${a.key}=${String(a.value)}`).join('\n'),
    );
    if (rejected) {
      const names = outcome.refused.map((r) => r.key).join(', ');
      const what =
        outcome.applied.length > 0
          ? `the other ${outcome.applied.length === 1 ? 'setting was' : 'settings were'} applied`
          : 'nothing was changed';
      throw new CliError(`the camera refused ${names}; ${what}`, 1, { cause: rejected, reported: true });
    }
  });
}

/** One line per key: applied, or refused with the camera's reason. */
function renderOutcome(outcome: SetOutcome): string {
  return table([
    ['KEY', 'RESULT', 'VALUE', 'CAMERA SAID'],
    ...outcome.applied.map((a) => [a.key, 'applied', String(a.value), '']),
    ...outcome.refused.map((r) => [r.key, 'refused', String(r.value), r.reason]),
  ]);
}

function render(settings: Setting[], verbose: boolean): string {
  const rows = [['KEY', 'VALUE', 'ALLOWED', 'DESCRIPTION']];
  for (const s of settings) {
    if (s.error) {
      // One property the camera would not describe; the others are still listed. The protocol's
      // reason (e.g. "GetDevicePropDesc failed: GeneralError (0x2002)") only under -v.
      rows.push([
        s.key,
        '(could not be read)',
        '',
        verbose ? s.error.message : `${s.description ?? s.label} — -v for the camera's reason`,
      ]);
      continue;
    }
    const unit = s.unit ? ` ${s.unit}` : '';
    const value = s.value === null ? '-' : `${String(s.value)}${unit}`;
    let allowed = '';
    if (s.allowed) allowed = s.allowed.map(String).join(' | ');
    else if (s.range) allowed = [...(s.also ?? []).map(String), `${s.range.min} … ${s.range.max}${unit}`].join(' | ');
    else if (s.maxBytes !== undefined) allowed = `text ≤ ${s.maxBytes} bytes`;
    if (!s.writable) allowed = 'read-only';
    // -v names the protocol's own property and value behind a translated setting.
    const behind =
      verbose && s.raw ? ` (${s.raw.name}${s.raw.code ? ` ${s.raw.code}` : ''} = ${String(s.raw.value)})` : '';
    rows.push([s.key, value, allowed, `${s.description ?? s.label}${behind}`]);
  }
  // Long lists of allowed values and descriptions wrap to the terminal (100 columns when piped).
  return fittedTable(rows, Math.max(60, process.stdout.columns ?? 100), [2, 3]);
}

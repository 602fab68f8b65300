/**
 * `camctl config [get [KEY…]] | set KEY=VALUE…`: settings described by the camera adapter (type,
 * allowed values, range), so values are checked and converted before anything is sent.
 */
import type { Command } from 'commander';
import type { Camera, Setting, SettingValue } from '../camera/types.js';
import { CliError } from './errors.js';
import { output, withCamera } from './context.js';
import { table } from './format.js';

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
  camctl config set sensors_mask=31 resolution_mono=1.2 --json`,
    )
    .action(async (_opts, cmd: Command) => get(cmd, []));
  config
    .command('get')
    .description('show settings (all when no KEY is given)')
    .argument('[keys...]', 'setting keys')
    .action(async (keys: string[], _opts, cmd: Command) => get(cmd, keys));
  config
    .command('set')
    .description('change settings: KEY=VALUE …')
    .argument('<assignments...>', 'KEY=VALUE pairs')
    .action(async (assignments: string[], _opts, cmd: Command) => set(cmd, assignments));
}

async function get(cmd: Command, keys: string[]): Promise<void> {
  await withCamera(cmd, async (camera, g) => {
    const settings = await camera.getConfig(keys);
    output(g, { settings }, () => render(settings, g.verbose));
  });
}

async function set(cmd: Command, assignments: string[]): Promise<void> {
  const pairs = assignments.map((a) => {
    const i = a.indexOf('=');
    if (i <= 0) throw new CliError(`expected KEY=VALUE, got ${JSON.stringify(a)}`, 2);
    return [a.slice(0, i).trim(), a.slice(i + 1)] as const;
  });
  await withCamera(cmd, async (camera: Camera, g) => {
    const { parseSettingValue } = await import('../camera/settings.js');
    const { CameraError } = await import('../camera/errors.js');
    const descriptions = await camera.getConfig();
    const values: Record<string, SettingValue> = {};
    for (const [key, text] of pairs) {
      const d = descriptions.find((s) => s.key === key);
      if (!d) throw new CameraError('UNKNOWN_SETTING', `unknown setting ${JSON.stringify(key)} (known: ${descriptions.map((s) => s.key).join(', ')})`);
      values[key] = parseSettingValue(d, text);
    }
    const results = await camera.setConfig(values);
    output(g, { results }, () => table([['KEY', 'RESULT'], ...results.map((r) => [r.key, r.message])]));
  });
}

function render(settings: Setting[], verbose: boolean): string {
  const rows = [['KEY', 'VALUE', 'ALLOWED', 'DESCRIPTION']];
  for (const s of settings) {
    if (s.error) {
      // One property the camera would not describe; the others are still listed. The protocol's
      // reason (e.g. "GetDevicePropDesc failed: GeneralError (0x2002)") only under -v.
      rows.push([s.key, '(could not be read)', '', verbose ? s.error.message : `${s.description ?? s.label} — -v for the camera's reason`]);
      continue;
    }
    const unit = s.unit ? ` ${s.unit}` : '';
    const value = s.value === null ? '-' : `${String(s.value)}${unit}`;
    let allowed = '';
    if (s.allowed) allowed = s.allowed.map(String).join(' | ');
    else if (s.range) allowed = `${s.range.min} … ${s.range.max}${unit}`;
    else if (s.maxBytes !== undefined) allowed = `text ≤ ${s.maxBytes} bytes`;
    if (!s.writable) allowed = 'read-only';
    rows.push([s.key, value, allowed, s.description ?? s.label]);
  }
  return table(rows);
}

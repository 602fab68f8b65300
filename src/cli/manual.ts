/**
 * `camctl manual [set KEY=VALUE… | auto]` (Sequoia): manual exposure per sensor.
 * Keys are paths into the camera's structure: `rgb.mode`, `rgb.exp_us`, `rgb.iso`,
 * `monochrome.mode`, `monochrome.<green|red|red_edge|near_infrared>.<exp_us|iso>`.
 */
import type { Command } from 'commander';
import { MONO_BANDS, type ManualModeReply } from '../sequoia/types.js';
import { output, sequoiaClientOf, withCamera } from './context.js';
import { CliError } from './errors.js';
import { keyValues, table } from './format.js';

export function register(program: Command): void {
  const manual = program
    .command('manual')
    .description('Sequoia manual exposure: show, set per sensor, or back to auto')
    .addHelpText(
      'after',
      `
iso is the gain × 100; exp_us the exposure time in µs.

Examples:
  camctl manual
  camctl manual set rgb.mode=manual rgb.exp_us=2530 rgb.iso=200
  camctl manual set monochrome.mode=manual monochrome.green.exp_us=12000 monochrome.green.iso=800
  camctl manual auto`,
    )
    .action(async (_o, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const m = await (await sequoiaClientOf(camera, 'manual')).getManualMode();
        const { request: _r, ...body } = m;
        output(
          g,
          body,
          () => render(m),
          () => keyValues(flatten(body)),
        );
      });
    });
  manual
    .command('set')
    .description('set KEY=VALUE …')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl manual set rgb.iso=200\n  camctl manual set rgb.mode=manual rgb.exp_us=2530',
    )
    .argument('<assignments...>', 'e.g. rgb.iso=200')
    .action(async (assignments: string[], _o, cmd: Command) => set(cmd, parseAssignments(assignments)));
  manual
    .command('auto')
    .description('automatic exposure for every sensor')
    .addHelpText('after', '\nExamples:\n  camctl manual auto')
    .action(async (_o, cmd: Command) => set(cmd, { rgb: { mode: 'auto' }, monochrome: { mode: 'auto' } }));
}

type Tree = { [k: string]: string | number | Tree };

const LEAF =
  /^(?:rgb\.(?:mode|exp_us|iso)|monochrome\.mode|monochrome\.(?:green|red|red_edge|near_infrared)\.(?:exp_us|iso))$/;

export function parseAssignments(assignments: string[]): Tree {
  const tree: Tree = {};
  for (const a of assignments) {
    const i = a.indexOf('=');
    if (i <= 0) throw new CliError(`expected KEY=VALUE, got ${JSON.stringify(a)}`, 2);
    const key = a.slice(0, i).trim();
    const text = a.slice(i + 1).trim();
    if (!LEAF.test(key)) {
      throw new CliError(
        `unknown key ${JSON.stringify(key)}: use rgb.mode|exp_us|iso, monochrome.mode, monochrome.<${MONO_BANDS.join('|')}>.exp_us|iso`,
        2,
      );
    }
    let value: string | number;
    if (key.endsWith('.mode')) {
      if (text !== 'auto' && text !== 'manual') throw new CliError(`${key} must be auto or manual`, 2);
      value = text;
    } else {
      value = Number(text);
      if (!Number.isInteger(value) || value <= 0)
        throw new CliError(`${key} must be a positive whole number, got ${JSON.stringify(text)}`, 2);
    }
    const parts = key.split('.');
    let node = tree;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Tree;
    node[parts[parts.length - 1]!] = value;
  }
  return tree;
}

async function set(cmd: Command, values: Tree): Promise<void> {
  await withCamera(cmd, async (camera, g) => {
    const answers = await (await sequoiaClientOf(camera, 'manual')).setManualMode(values);
    output(
      g,
      { results: answers },
      () => table([['KEY', 'RESULT'], ...Object.entries(answers)]),
      () => keyValues(answers),
    );
  });
}

/** `{rgb: {iso: 200}}` → `{'rgb.iso': 200}`, the keys `manual set` takes. */
function flatten(tree: object, prefix = ''): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) {
    if (v && typeof v === 'object') Object.assign(flat, flatten(v as object, `${prefix}${k}.`));
    else flat[`${prefix}${k}`] = v;
  }
  return flat;
}

function render(m: ManualModeReply): string {
  const rows = [['SENSOR', 'MODE', 'EXPOSURE', 'ISO']];
  rows.push(['rgb', m.rgb.mode, `${m.rgb.exp_us} µs`, String(m.rgb.iso)]);
  for (const b of MONO_BANDS) {
    const s = m.monochrome[b];
    rows.push([b, m.monochrome.mode, `${s.exp_us} µs`, String(s.iso)]);
  }
  return table(rows);
}

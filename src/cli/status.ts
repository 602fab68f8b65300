/** `camctl status`: capture state, media usage, and the camera's own sensor status. */
import type { Command } from 'commander';
import type { CameraStatus } from '../camera/types.js';
import { output, withCamera } from './context.js';
import { humanSize, pairs, table } from './format.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('show capture state, storage and sensors')
    .addHelpText('after', '\nExamples:\n  camctl status\n  camctl status --json | jq .media')
    .action(async (_opts, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const status = await camera.status();
        // Every field present (json-shapes.ts): a camera that reports no battery gives null.
        output(
          g,
          { ...status, battery: status.battery ?? null },
          () => renderStatus(status),
          () => status.capture.state,
        );
      });
    });
}

/** The status as people read it: capture, battery, a row per medium, then the camera's own details. */
export function renderStatus(s: CameraStatus): string {
  const lines: string[] = [];
  const capture = s.capture.folder ? `${s.capture.text} (${s.capture.folder})` : s.capture.text;
  const head: Array<[string, string]> = [['Capture', `${s.capture.state} — ${capture}`]];
  if (s.battery)
    head.push(['Battery', `${Math.round(s.battery.level * 100)} %${s.battery.charging ? ' (charging)' : ''}`]);
  lines.push(pairs(head), '');
  const rows = [['MEDIUM', 'PRESENT', 'FREE', 'TOTAL', 'SELECTED', 'NOTE']];
  for (const m of s.media) {
    rows.push([
      m.path,
      m.present ? 'yes' : 'no',
      m.freeBytes === undefined ? '-' : humanSize(m.freeBytes),
      m.totalBytes === undefined ? '-' : humanSize(m.totalBytes),
      m.selected ? '*' : '',
      [m.readOnly ? 'read-only' : '', m.problem ?? ''].filter(Boolean).join(', '),
    ]);
  }
  lines.push(table(rows, ['left', 'left', 'right', 'right', 'left', 'left']));
  // Protocol details (Sequoia: gps, temperature, sunshine, instruments, calibration) one group a line.
  const details = Object.entries(s.details);
  if (details.length > 0) {
    lines.push('');
    lines.push(pairs(details.map(([k, v]) => [k, flat(v)] as const)));
  }
  return lines.join('\n');
}

/**
 * One detail group on one line: nested objects as dotted keys (the THETA X and Z1 nest GPS two
 * levels deep), lists joined by commas, an empty list or value as `-`.
 */
function flat(v: unknown, prefix = ''): string {
  if (Array.isArray(v))
    return v.length === 0 ? (prefix ? `${prefix}=-` : '-') : leaf(prefix, v.map((x) => flat(x)).join(','));
  if (v && typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => flat(x, prefix ? `${prefix}.${k}` : k));
    return parts.length === 0 ? leaf(prefix, '-') : parts.join(' ');
  }
  return leaf(prefix, typeof v === 'number' ? round(v) : v === '' || v === undefined || v === null ? '-' : String(v));
}

function leaf(key: string, text: string): string {
  return key ? `${key}=${text}` : text;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

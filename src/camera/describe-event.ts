/**
 * One readable line per camera event, shared by `camctl watch` and the dashboard's event log so a
 * person sees the same words in both.
 */
import type { CameraEvent } from './types.js';

export function describeEvent(ev: CameraEvent): string {
  switch (ev.type) {
    case 'capture':
      return `capture ${ev.state}${ev.folder ? ` (${ev.folder})` : ''}`;
    case 'file-added':
      return `file added ${ev.path}`;
    case 'file-removed':
      return `file removed ${ev.path}`;
    case 'setting':
      return `setting ${ev.key} = ${String(ev.value)}`;
    case 'storage':
      return `storage ${ev.medium} ${ev.state}`;
    case 'calibration':
      return `calibration ${ev.target} ${ev.state}`;
    case 'sensor':
      return `${ev.name} ${ev.state}`;
    case 'connection':
      return `link ${ev.state}${ev.error ? ` (${ev.error})` : ''}`;
    case 'other':
      return JSON.stringify(ev.raw).slice(0, 200);
  }
}

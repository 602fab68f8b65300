/**
 * Camera states in people's words: battery and charging, the Sequoia's calibration states, the
 * THETA's status fields, and what the capture buttons of the selected camera do. The camera's own
 * words stay in the event log and the API; the overview says what they mean.
 */
import type { CameraStatus, Setting } from './types.js';

/** "82 % · charging", "100 % · on battery" (THETA `_batteryState`: charging, charged, disconnect). */
export function batteryText(status: CameraStatus): string {
  const b = status.battery;
  if (!b) return '';
  const pct = `${Math.round(b.level * 100)} %`;
  const state = status.details['_batteryState'];
  if (b.charging || state === 'charging') return `${pct} · charging`;
  if (state === 'charged') return `${pct} · charged, on USB power`;
  if (state === 'disconnect') return `${pct} · on battery`;
  return pct;
}

/** One of the Sequoia's calibration states (Psi = yaw, Theta = pitch, Phi = roll) said plainly. */
export function calibrationText(state: string | undefined): string {
  switch (state) {
    case undefined:
      return 'unknown';
    case 'None':
      return 'not calibrated';
    case 'Ok':
      return 'calibrated';
    case 'Running':
      return 'starting…';
    case 'Psi pending':
      return 'turn it flat, about the vertical axis (yaw)';
    case 'Theta pending':
      return 'tilt it nose up and down (pitch)';
    case 'Phi pending':
      return 'roll it from side to side (roll)';
    case 'Failed':
      return 'failed: start again';
    case 'Aborted':
      return 'stopped before the end: start again';
    default:
      return state;
  }
}

/** The three axes of the walk-through and the state that waits for each. */
export const CALIBRATION_AXES = [
  { state: 'Psi pending', label: 'Yaw' },
  { state: 'Theta pending', label: 'Pitch' },
  { state: 'Phi pending', label: 'Roll' },
] as const;

/** Each axis as done / now / waiting for a calibration state. */
export function axisProgress(state: string | undefined): Array<'done' | 'now' | 'waiting'> {
  if (state === 'Ok') return ['done', 'done', 'done'];
  const i = CALIBRATION_AXES.findIndex((a) => a.state === state);
  if (i < 0) return ['waiting', 'waiting', 'waiting'];
  return CALIBRATION_AXES.map((_, j) => (j < i ? 'done' : j === i ? 'now' : 'waiting'));
}

/**
 * THETA status fields a person reads on the overview, with their labels. Left out on purpose: the
 * fingerprint and storage URI (protocol plumbing), battery (its own line), the capture status
 * (the capture card) and the API level (the readings).
 */
export function thetaStatusRows(details: Record<string, unknown>): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const recorded = details['_recordedTime'];
  const recordable = details['_recordableTime'];
  if (typeof recorded === 'number' && recorded > 0) rows.push(['Video recorded', `${recorded} s`]);
  if (typeof recordable === 'number' && recordable > 0) rows.push(['Video time left', `${recordable} s`]);
  const elapsed = details['_compositeShootingElapsedTime'];
  if (typeof elapsed === 'number' && elapsed > 0) rows.push(['Composite shooting', `${elapsed} s`]);
  const latest = details['_latestFileUrl'] ?? details['_latestFileUri'];
  if (typeof latest === 'string' && latest !== '') rows.push(['Latest picture', latest.split('/').pop() ?? latest]);
  return rows;
}

/** Keys of other cameras' status details that are plumbing, not something to read. */
const PLUMBING = /^(fingerprint|storageUri|_?storageUri|batteryLevel|_batteryState|_?apiVersion)$/i;

/** Any other camera's details, minus plumbing; URLs shown as their file name. */
export function genericStatusRows(details: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(details)
    .filter(([k, v]) => v !== undefined && v !== '' && !PLUMBING.test(k))
    .map(([k, v]) => {
      const label = k
        .replace(/^_/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toLowerCase();
      const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
      return [
        label.charAt(0).toUpperCase() + label.slice(1),
        /^https?:\/\//.test(text) ? (text.split('/').pop() ?? text) : text,
      ];
    });
}

/** What Capture and Start/Stop do on this camera, from its capture modes. */
export function captureHint(protocol: string, continuous: boolean, mode: Setting | undefined): string {
  if (protocol === 'theta')
    return 'Capture takes one 360° picture. Video and interval shooting have their own buttons below.';
  const shot =
    protocol === 'sequoia'
      ? 'Capture takes one picture with every sensor (RGB and the four bands).'
      : 'Capture takes one picture.';
  if (!continuous) return shot;
  const modes = (mode?.allowed ?? []).map(String).filter((m) => !/^(single|image)$/i.test(m));
  const what = modes.length > 0 ? modes.map((m) => MODE_NAMES[m] ?? m).join(', ') : 'the continuous mode';
  return `${shot} Start/Stop run the mode chosen above (${what}); its period is in Settings.`;
}

/** The Sequoia's capture modes as people call them. */
export const MODE_NAMES: Record<string, string> = {
  timelapse: 'timelapse',
  gps_position: 'GPS distance',
  auto: 'overlap',
  radiometric: 'radiometric calibration',
  video: 'video',
};

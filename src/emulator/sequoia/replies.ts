/**
 * The device's outcomes in the Sequoia's HTTP words: the firmware's status and error texts
 * (Parrot's Sequoia API reference, docs/sequoia.md) and the HTTP status each reply carries.
 */
import type {
  CaptureActivity,
  CaptureRefusal,
  CaptureStartOutcome,
  OutcomeTree,
  SettingOutcome,
} from '../../devices/sequoia/outcomes.js';
import { CONFIG_ERRORS, type CaptureStatusText } from '../../sequoia/types.js';

/** The firmware's text for one setting's outcome: "Ok", or why it was refused. */
export function settingText(key: string, outcome: SettingOutcome): string {
  if (outcome.ok) return 'Ok';
  switch (outcome.reason) {
    case 'unknown-setting':
      return CONFIG_ERRORS.unknownSetting;
    case 'busy':
      return CONFIG_ERRORS.storageBusy;
    case 'no-medium':
      return CONFIG_ERRORS.badValue;
    case 'out-of-range':
      // The firmware names what is wrong for these three; any other value is a "Bad value".
      if (key === 'resolution_rgb' || key === 'resolution_mono') return CONFIG_ERRORS.invalidResolution;
      if (key === 'bit_depth') return CONFIG_ERRORS.invalidBitDepth;
      if (key === 'sensors_mask') return CONFIG_ERRORS.invalidMask;
      return CONFIG_ERRORS.badValue;
  }
}

/** A settings reply: each key sent with its text, in the order sent. */
export function settingTexts(outcomes: Record<string, SettingOutcome>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, outcome] of Object.entries(outcomes)) out[key] = settingText(key, outcome);
  return out;
}

function isOutcome(v: SettingOutcome | OutcomeTree): v is SettingOutcome {
  return typeof v.ok === 'boolean';
}

/** A nested reply (`/manualmode`): the posted structure with a text at each leaf. */
export function outcomeTreeTexts(tree: Record<string, SettingOutcome | OutcomeTree>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(tree)) out[key] = isOutcome(v) ? settingText(key, v) : outcomeTreeTexts(v);
  return out;
}

/**
 * The HTTP status of a settings reply: 400 when nothing was applied and something was refused
 * (a POST that only sends `request`, or nothing, is a 200).
 */
export function settingsStatus(outcomes: Record<string, SettingOutcome | OutcomeTree>, applied: boolean): number {
  const refused = (v: SettingOutcome | OutcomeTree): boolean => (isOutcome(v) ? !v.ok : Object.values(v).some(refused));
  return !applied && Object.values(outcomes).some(refused) ? 400 : 200;
}

/** `GET /capture`'s status text, and the folder being written. */
export function captureStatus(activity: CaptureActivity): { status: CaptureStatusText; path?: string } {
  switch (activity.kind) {
    case 'idle':
      return { status: 'Ready' };
    case 'calibrating':
      return { status: 'Calibration running' };
    case 'radiometric':
      return { status: 'Radiometric Calibration Running' };
    case 'snapshot':
    case 'series': {
      const status = activity.kind === 'snapshot' ? 'Snapshot running' : 'Timelapse running';
      return activity.medium && activity.folder
        ? { status, path: `/${activity.medium}/${activity.folder}` }
        : { status };
    }
  }
}

/** The firmware's text for a capture that could not start. */
function refusalText(reason: CaptureRefusal): string {
  if (reason === 'full') return 'Storage full';
  if (reason === 'calibrating') return 'Calibration running';
  return 'Not available';
}

/**
 * `/capture/start` (and `/calibration/radiometric/start`, `radiometric`): the status text, the
 * folder written and the HTTP status. Refused: 409 while busy, 507 when full, 503 without a
 * medium to write to; the radiometric start answers 409 for anything but a full medium.
 */
export function captureStartReply(
  outcome: CaptureStartOutcome,
  radiometric = false,
): { httpStatus: number; status: string; path?: string } {
  if (outcome.ok) {
    const { status } = captureStatus(outcome.activity);
    return {
      httpStatus: 200,
      status,
      path: outcome.folder ? `/${outcome.medium}/${outcome.folder}` : `/${outcome.medium}`,
    };
  }
  const status = refusalText(outcome.reason);
  if (outcome.reason === 'full') return { httpStatus: 507, status };
  if (radiometric || outcome.reason === 'busy' || outcome.reason === 'calibrating') return { httpStatus: 409, status };
  return { httpStatus: 503, status };
}

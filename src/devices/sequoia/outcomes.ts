/**
 * What the emulated Sequoia answers to a request, as typed outcomes rather than reply text: each
 * face turns a refusal into its protocol's shape (the firmware's error text and an HTTP status,
 * a PTP response code), so no face has to read another face's words.
 */
import type { MediumName } from './types.js';

/**
 * Why one setting was refused: not a setting the camera has, a value it cannot take (off its
 * range, its list or its step), a change it cannot make now (storage while capturing), or a medium
 * that is not there (the SD card, absent).
 */
export type SettingRefusal = 'unknown-setting' | 'out-of-range' | 'busy' | 'no-medium';

/** The outcome of one setting: applied, or refused for a {@link SettingRefusal}. */
export type SettingOutcome = { ok: true } | { ok: false; reason: SettingRefusal };

/** Outcomes of a group of settings, one per key sent, in the order sent (nested for exposure settings). */
export interface OutcomeTree {
  [key: string]: SettingOutcome | OutcomeTree;
}

/** The outcome of a settings change: per key, and whether anything was applied. */
export interface SettingsOutcome<T = Record<string, SettingOutcome>> {
  outcomes: T;
  applied: boolean;
}

/** What the camera is busy with, as far as capture goes. */
export type CaptureActivity =
  | { kind: 'idle' }
  | { kind: 'calibrating' }
  /** A capture session (a single shot, or a timelapse / GPS / overlap series); the folder once it is open. */
  | { kind: 'snapshot' | 'series'; medium?: MediumName; folder?: string }
  /** A radiometric calibration capture: its countdown, then the capture. */
  | { kind: 'radiometric' };

/**
 * Why a capture could not start: another is running or starting, an IMU calibration runs, the
 * medium is full, absent, read-only, or failed.
 */
export type CaptureRefusal = 'busy' | 'calibrating' | 'full' | 'no-medium' | 'read-only' | 'medium-fault';

/** The outcome of starting a capture: what now runs and where it writes, or why not. */
export type CaptureStartOutcome =
  { ok: true; activity: CaptureActivity; medium: MediumName; folder?: string } | { ok: false; reason: CaptureRefusal };

/** The outcome of stopping something that may not be running. */
export type StopOutcome = { ok: true } | { ok: false; reason: 'not-running' };

/** The outcome of starting an IMU calibration: refused while a capture runs. */
export type CalibrationStartOutcome = { ok: true } | { ok: false; reason: 'busy' };

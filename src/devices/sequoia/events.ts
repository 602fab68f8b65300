/**
 * What the emulated Sequoia announces, in its own words. The WebSocket face turns these into the
 * notifications of Parrot's Sequoia API reference, the PTP face into PTP events.
 */
import type { CalibrationState, CalibrationTargetName, DeviceConfig, MediumName, MediumState } from './types.js';

/** A change of the camera's state that every client is told about. */
export type DeviceChange =
  | { kind: 'capture'; running: boolean }
  | { kind: 'sunshine'; connected: boolean }
  /** A radiometric calibration's countdown: hold the target still under the camera. */
  | { kind: 'stay-still'; still: boolean }
  /** The camera switched medium by itself (auto-select, the SD card removed). */
  | { kind: 'storage-selected'; medium: MediumName }
  | { kind: 'medium-state'; medium: MediumName; state: MediumState }
  | { kind: 'calibration'; target: CalibrationTargetName; state: CalibrationState }
  | { kind: 'gps-fix'; fix: boolean };

/** A file written by a capture. */
export interface FileEvent {
  medium: MediumName;
  folder: string;
  name: string;
  size: number;
}

/** The events of the emulated Sequoia (SequoiaDevice). */
export interface SequoiaDeviceEvents {
  change: [DeviceChange];
  /** Settings changed (through any face, or by the camera raising a value to a new minimum). */
  'config-changed': [Partial<DeviceConfig>];
  'file-added': [FileEvent];
  'file-removed': [{ medium: MediumName; folder: string; name: string }];
  'folder-removed': [{ medium: MediumName; folder: string }];
  'capture-complete': [{ medium: MediumName; folder: string; files: string[] }];
  'storage-changed': [{ medium: MediumName }];
}

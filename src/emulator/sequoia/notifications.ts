/**
 * The device's changes in the words of the Sequoia's WebSocket: the `{"status":"change", …}`
 * notifications Parrot's Sequoia API reference lists.
 */
import type { DeviceChange } from '../../devices/sequoia/events.js';
import type { DeviceConfig, MediumState } from '../../devices/sequoia/types.js';
import type { ChangeNotification, StorageState } from '../../sequoia/types.js';

const STORAGE_STATE: Record<MediumState, StorageState> = {
  connected: 'connected',
  disconnected: 'disconnected',
  full: 'full',
  'no-longer-full': 'no_longer_full',
  error: 'error',
};

/** The notification of one device change. */
export function changeNotification(change: DeviceChange): ChangeNotification {
  switch (change.kind) {
    case 'capture':
      return { status: 'change', capture: change.running ? 'running' : 'ready' };
    case 'sunshine':
      return { status: 'change', sunshine: change.connected ? 'connected' : 'disconnected' };
    case 'stay-still':
      return { status: 'change', staystill: change.still ? 'yes' : 'no' };
    case 'storage-selected':
      return { status: 'change', storage_select: change.medium };
    case 'medium-state':
      return { status: 'change', storage_status: change.medium, state: STORAGE_STATE[change.state] };
    case 'calibration':
      return { status: 'change', calibration: change.target, state: change.state };
    case 'gps-fix':
      return { status: 'change', fix: change.fix ? 'yes' : 'no' };
  }
}

/**
 * The notifications of a settings change, in the camera's order, each with the value now in
 * force; the two resolutions travel together, `auto_select` is not announced.
 */
export function configNotifications(changed: Partial<DeviceConfig>, c: DeviceConfig): ChangeNotification[] {
  const out: ChangeNotification[] = [];
  if (changed.capture_mode !== undefined) out.push({ status: 'change', capture_mode: c.capture_mode });
  if (changed.timelapse_param !== undefined) out.push({ status: 'change', timelapse_param: c.timelapse_param });
  if (changed.gps_param !== undefined) out.push({ status: 'change', gps_param: c.gps_param });
  if (changed.overlap_param !== undefined) out.push({ status: 'change', overlap_param: c.overlap_param });
  if (changed.sensors_mask !== undefined) out.push({ status: 'change', sensors_mask: c.sensors_mask });
  if (changed.resolution_rgb !== undefined || changed.resolution_mono !== undefined) {
    out.push({ status: 'change', resolution_rgb: c.resolution_rgb, resolution_mono: c.resolution_mono });
  }
  if (changed.bit_depth !== undefined) out.push({ status: 'change', bit_depth: c.bit_depth });
  if (changed.storage_selected !== undefined) out.push({ status: 'change', storage_select: c.storage_selected });
  return out;
}

/**
 * The Sequoia's `/config` fields described generically for the Camera API, with the limits of the
 * camera's settings file (docs/sequoia.md, `LIMITS` in sequoia/types.ts).
 */
import { CAPTURE_MODES, LIMITS, MEDIA, timelapseMin, type ConfigReply, type SequoiaConfig } from '../sequoia/types.js';
import type { Setting, SettingValue } from './types.js';

/** `SequoiaConfig` as a settings map (a type alias, so it fits `Record<string, SettingValue>`). */
export type SequoiaSettings = { [K in keyof SequoiaConfig]: SequoiaConfig[K] };

type Described = Omit<Setting<keyof SequoiaSettings & string>, 'value'>;

export const SEQUOIA_SETTINGS: readonly Described[] = [
  {
    key: 'capture_mode',
    label: 'Capture mode',
    type: 'enum',
    allowed: CAPTURE_MODES,
    writable: true,
    description: 'single shot, timelapse (period), gps_position (distance), auto (overlap), radiometric calibration',
  },
  {
    key: 'timelapse_param',
    label: 'Timelapse period',
    type: 'number',
    // The minimum follows the sensors (describeConfig): 1 s with RGB on, 0.5 s without.
    range: { min: LIMITS.timelapse.minWithRgb, max: LIMITS.timelapse.max, step: LIMITS.timelapse.step },
    unit: 's',
    writable: true,
    description: `at least ${LIMITS.timelapse.minWithRgb} s with the RGB sensor on, ${LIMITS.timelapse.min} s without; whole milliseconds`,
  },
  {
    key: 'gps_param',
    label: 'GPS distance',
    type: 'number',
    range: { min: LIMITS.gps.min, max: LIMITS.gps.max, step: LIMITS.gps.step },
    unit: 'm',
    writable: true,
    description: 'whole centimetres',
  },
  {
    key: 'overlap_param',
    label: 'Overlap',
    type: 'integer',
    range: { min: LIMITS.overlap.min, max: LIMITS.overlap.max, step: LIMITS.overlap.step },
    unit: '%',
    writable: true,
  },
  {
    key: 'resolution_rgb',
    label: 'RGB resolution',
    type: 'enum',
    allowed: LIMITS.resolutionRgb,
    unit: 'MP',
    writable: true,
  },
  {
    key: 'resolution_mono',
    label: 'Mono resolution',
    type: 'enum',
    allowed: LIMITS.resolutionMono,
    unit: 'MP',
    writable: true,
  },
  { key: 'bit_depth', label: 'Mono bit depth', type: 'enum', allowed: LIMITS.bitDepth, unit: 'bit', writable: true },
  {
    key: 'sensors_mask',
    label: 'Sensors',
    type: 'integer',
    range: LIMITS.sensorsMask,
    writable: true,
    description: 'bits: RGB 1, Green 2, Red 4, Red-edge 8, NIR 16 (31 = all)',
  },
  { key: 'storage_selected', label: 'Storage', type: 'enum', allowed: MEDIA, writable: true },
  { key: 'auto_select', label: 'Auto storage select', type: 'enum', allowed: ['on', 'off'], writable: true },
];

/**
 * Descriptions with the current values of a `/config` reply; placeholders ("Notlparam") read null.
 * The timelapse range is the one the camera accepts with the reply's sensors (`sensorsMask`
 * overrides them, to judge a request that changes the sensors too).
 */
export function describeConfig(
  reply: ConfigReply,
  sensorsMask: number = reply.sensors_mask,
): Setting<keyof SequoiaSettings & string>[] {
  return SEQUOIA_SETTINGS.map((d) => {
    const raw = (reply as unknown as Record<string, unknown>)[d.key];
    const value: SettingValue | null =
      typeof raw === 'number' || (typeof raw === 'string' && !/^No[a-z]*param$/.test(raw)) ? raw : null;
    if (d.key === 'timelapse_param' && d.range)
      return { ...d, value, range: { ...d.range, min: timelapseMin(sensorsMask) } };
    return { ...d, value };
  });
}

import { InvalidOptionError } from '../../util/errors.js';
/**
 * What a THETA S firmware version can do, as RICOH's theta-api-specs date the S's features
 * (theta-web-api-v2.0/options.md, protocols/info.md, protocols/state.md, commands/*.md):
 *
 * - 01.42: the self-timer — `exposureDelay`, `_latestEnabledExposureDelayTime`,
 *   `camera._stopSelfTimer`, the "self-timer countdown" capture status.
 * - 01.62: API v2.1 — `apiLevel` in /osc/info, `_apiVersion` in /osc/state, the `clientVersion`
 *   option that switches to v2.1. Earlier firmware speaks v2.0 only.
 * - 01.82: My Settings (`camera._getMySetting` / `_setMySetting`), `_colorTemperature`, interval
 *   composite and multi bracket shooting (`_compositeShooting…`, `_autoBracket`).
 */

/** A feature's first firmware, in hundredths (01.62 → 162). */
export const SINCE = { selfTimer: 142, apiV21: 162, mySettings: 182 } as const;

/** Firmware versions the emulator accepts: `01.11` (the S's first) and later, written `NN.NN`. */
export const OLDEST_FIRMWARE = '01.11';

/** `01.62` → 162. RangeError for anything that is not an S firmware version. */
export function firmwareLevel(version: string): number {
  const m = /^(\d{2})\.(\d{2})$/.exec(version);
  const level = m ? Number(m[1]) * 100 + Number(m[2]) : NaN;
  if (!(level >= 111)) {
    throw new InvalidOptionError(
      'firmware',
      `must read like 01.62 (${OLDEST_FIRMWARE} or later), got ${JSON.stringify(version)}`,
    );
  }
  return level;
}

/** Whether firmware at `level` has the feature. */
export function hasFeature(level: number, feature: keyof typeof SINCE): boolean {
  return level >= SINCE[feature];
}

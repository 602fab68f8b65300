/**
 * Why the emulated THETA refuses something, in its own words. No protocol's vocabulary appears
 * here: the OSC face turns a reason into an OSC error name and HTTP status, the PTP face into a
 * response code (src/emulator/theta/osc-errors.ts, ptp.ts). A setting's value out of range is an
 * {@link InvalidOptionError} naming the setting (src/util/errors.ts), not one of these.
 */
import { CamctlError } from '../../util/errors.js';

/**
 * - `busy`: shooting, recording, a self-timer counting down, or an interval run holds the camera
 * - `storage-full`: no room for another picture or a second of video
 * - `nothing-running`: a stop with no capture or self-timer to stop
 * - `asleep` / `off`: the camera is asleep (sleepDelay) or off (offDelay, PowerDown, power button,
 *   empty battery, closed)
 * - `canceled`: a self-timer countdown was canceled before the shot
 * - `no-such-file`: no file by that name on the camera
 * - `bad-file-name`: a name the camera could never have made (other depth, `..`, unsafe characters)
 * - `corrupted-file`: the file's header could not be read
 * - `wrong-file-kind`: a still-image operation on a video or the other way round
 * - `unknown-setting` / `read-only-setting`: a setting the camera (at its firmware) does not have,
 *   or one it only reports
 * - `failed`: the storage failed underneath (the cause says how)
 */
export type ThetaRefusal =
  | 'busy'
  | 'storage-full'
  | 'nothing-running'
  | 'asleep'
  | 'off'
  | 'canceled'
  | 'no-such-file'
  | 'bad-file-name'
  | 'corrupted-file'
  | 'wrong-file-kind'
  | 'unknown-setting'
  | 'read-only-setting'
  | 'failed';

/** The emulated THETA refused an action; `reason` says why, `message` says it for a person. */
export class ThetaDeviceError extends CamctlError {
  constructor(
    readonly reason: ThetaRefusal,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('ERR_CAMCTL_THETA_DEVICE', message, options);
  }
}

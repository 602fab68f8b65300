/**
 * OSC errors of the emulated THETA: the `{name, state: "error", error: {code, message}}` a command
 * ends with, and the translation of the device's refusals into them. The codes and their HTTP
 * statuses are RICOH's (protocols/errors.md of v2.0 and v2.1; src/osc/types.ts OSC_ERROR_STATUS).
 */
import { ThetaDeviceError } from '../../devices/theta/errors.js';
import type { ThetaRefusal } from '../../devices/theta/errors.js';
import { CamctlError, InvalidOptionError } from '../../util/errors.js';
import type { OscErrorCode } from '../../osc/types.js';

/** An OSC error the face answers with; `oscCode` is the camera's error name on the wire. */
export class OscCommandError extends CamctlError {
  constructor(
    readonly oscCode: OscErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('ERR_CAMCTL_OSC_COMMAND', message, options);
  }
}

/**
 * The OSC code of each refusal. `busy`, a full medium and a stop with nothing to stop are all
 * `disabledCommand` ("the command cannot be executed now"); asleep and off are
 * `powerOffSequenceRunning`; a file the camera never had is `notFound` where an address names it
 * (the commands turn it into `invalidParameterValue` where a parameter does, osc-commands.ts).
 */
const OSC_CODE: Record<ThetaRefusal, OscErrorCode> = {
  busy: 'disabledCommand',
  'storage-full': 'disabledCommand',
  'nothing-running': 'disabledCommand',
  asleep: 'powerOffSequenceRunning',
  off: 'powerOffSequenceRunning',
  canceled: 'canceledShooting',
  'no-such-file': 'notFound',
  'bad-file-name': 'invalidParameterValue',
  'corrupted-file': 'corruptedFile',
  'wrong-file-kind': 'invalidFileFormat',
  'unknown-setting': 'invalidParameterName',
  'read-only-setting': 'invalidParameterName',
  failed: 'unexpected',
};

/** The OSC code of a device refusal. */
export function oscCodeOf(reason: ThetaRefusal): OscErrorCode {
  return OSC_CODE[reason];
}

/**
 * The OSC error for anything a command threw: its own OSC errors as they are, the device's
 * refusals by reason, a setting's bad value as `invalidParameterValue`; undefined for anything
 * else (a bug: the caller answers `unexpected`).
 */
export function toOscError(err: unknown): OscCommandError | undefined {
  if (err instanceof OscCommandError) return err;
  if (err instanceof ThetaDeviceError) return new OscCommandError(oscCodeOf(err.reason), err.message, { cause: err });
  if (err instanceof InvalidOptionError)
    return new OscCommandError('invalidParameterValue', err.message, { cause: err });
  return undefined;
}

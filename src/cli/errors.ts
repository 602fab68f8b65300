import { CamctlError } from '../util/errors.js';

/**
 * A mistake of the user's or an expected failure (camera unreachable, bad value): printed as one
 * clear line without a stack trace, exit code `exitCode` (docs/architecture.md: "The CLI is thin").
 */
export class CliError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_CLI';
  /** The command already printed its result (e.g. `config set` listing refused keys): no JSON error document on top. */
  readonly reported: boolean;
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown; reported?: boolean },
  ) {
    super('ERR_CAMCTL_CLI', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reported = options?.reported ?? false;
  }
}

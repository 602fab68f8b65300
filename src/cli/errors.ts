/**
 * A mistake of the user's or an expected failure (camera unreachable, bad value): printed as one
 * clear line without a stack trace, exit code `exitCode` (docs/architecture.md: "The CLI is thin").
 */
export class CliError extends Error {
  readonly code = 'CLI_ERROR';
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

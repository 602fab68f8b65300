/**
 * The root of every error camctl throws on purpose. Each layer extends it with its own class and a
 * stable `code` (the way undici names its errors `UND_ERR_*`), so a caller can tell errors apart
 * with `err instanceof CamctlError && err.code === '…'` without parsing messages; the lower-level
 * error, when there is one, is kept in `cause`.
 */
export class CamctlError extends Error {
  /** A stable, machine-readable code: it does not change when the message is reworded. */
  readonly code: string;

  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An option passed to a camctl function or constructor is out of its range or of the wrong kind.
 * It names the option, so the caller knows which argument to fix.
 */
export class InvalidOptionError extends CamctlError {
  /** The option's name as the caller spelled it (`maxPacketBytes`, `port`…). */
  readonly option: string;

  constructor(option: string, message: string, options: { cause?: unknown } = {}) {
    super('ERR_CAMCTL_INVALID_OPTION', `${option}: ${message}`, options);
    this.option = option;
  }
}

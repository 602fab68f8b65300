/**
 * The root of every error camctl throws on purpose. Each layer extends it with its own class and a
 * stable `code` (the way undici names its errors `UND_ERR_*`), so a caller can tell errors apart
 * with `err instanceof CamctlError && err.code === '…'` without parsing messages; the lower-level
 * error, when there is one, is kept in `cause`.
 *
 * Codes are `ERR_CAMCTL_<LAYER>_<WHAT>`, upper case, one layer word per folder:
 * `ERR_CAMCTL_PTP_*` (PTP sessions and codecs), `ERR_CAMCTL_PTP_USB_*` (PTP over USB),
 * `ERR_CAMCTL_PTPIP_*` (PTP/IP), `ERR_CAMCTL_SEQUOIA_*` (the Sequoia client),
 * `ERR_CAMCTL_OSC_*` (the OSC client), `ERR_CAMCTL_S3_*` (sync to an object store),
 * `ERR_CAMCTL_DASHBOARD_*`, `ERR_CAMCTL_CLI`, and layer-less ones for the shared utilities
 * (`ERR_CAMCTL_INVALID_OPTION`, `ERR_CAMCTL_BODY_TOO_LARGE`…). A code never changes once published;
 * the message may.
 *
 * The one exception is the Camera layer's {@link CameraError}: its codes (`BUSY`, `NOT_FOUND`…)
 * were published first, are printed by `camctl … --json` and read by scripts, so they stay short.
 * They are the `ERR_CAMCTL_CAMERA_*` namespace written without its prefix: a CameraError is
 * always recognised by its class first.
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
  declare readonly code: 'ERR_CAMCTL_INVALID_OPTION';
  /** The option's name as the caller spelled it (`maxPacketBytes`, `port`…). */
  readonly option: string;

  constructor(option: string, message: string, options: { cause?: unknown } = {}) {
    super('ERR_CAMCTL_INVALID_OPTION', `${option}: ${message}`, options);
    this.option = option;
  }
}

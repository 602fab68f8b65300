import { CamctlError } from '../util/errors.js';

/**
 * Errors of the Sequoia client, each with a stable `code`; the camera's own text (its `error` or
 * `status` field, a rejected setting's answer) in `deviceMessage`, the HTTP status in `httpStatus`,
 * the socket error in `cause` (docs/architecture.md: errors are classes with a stable code).
 */

/** The stable codes of {@link SequoiaError}. */
export type SequoiaErrorCode =
  /** Nothing listens at the address (connection refused, host unreachable, DNS failure). */
  | 'ERR_CAMCTL_SEQUOIA_UNREACHABLE'
  /** A phase took longer than its timeout; `phase` says which. */
  | 'ERR_CAMCTL_SEQUOIA_TIMEOUT'
  | 'ERR_CAMCTL_SEQUOIA_ABORTED'
  /** The link broke in the middle of a reply. */
  | 'ERR_CAMCTL_SEQUOIA_CONNECTION_LOST'
  /** A non-2xx reply; `httpStatus` and the camera's text are kept. */
  | 'ERR_CAMCTL_SEQUOIA_HTTP_STATUS'
  | 'ERR_CAMCTL_SEQUOIA_NOT_FOUND'
  /** A reply that is not the JSON the API documents (missing or mistyped required field). */
  | 'ERR_CAMCTL_SEQUOIA_BAD_REPLY'
  /** The camera answered with an error text in a 200 reply (capture "Not available", setting "Bad value"). */
  | 'ERR_CAMCTL_SEQUOIA_CAMERA_ERROR'
  /** A download ended with another size than announced. */
  | 'ERR_CAMCTL_SEQUOIA_SIZE_MISMATCH'
  /** A reply body exceeded `maxReplyBytes`. */
  | 'ERR_CAMCTL_SEQUOIA_REPLY_TOO_LARGE'
  /** Bad argument given to the client (path with `..`, bad option). */
  | 'ERR_CAMCTL_SEQUOIA_BAD_ARGUMENT'
  | 'ERR_CAMCTL_SEQUOIA_CLOSED';

/** The phase of a request a timeout or failure belongs to (docs/architecture.md: a timeout per phase). */
export type RequestPhase = 'connect' | 'reply' | 'body';

/** An error of the Sequoia client, with a stable `code`, the request phase, the camera's own error text when it sent one, and the socket error in `cause`. */
export class SequoiaError extends CamctlError {
  declare readonly code: SequoiaErrorCode;
  readonly httpStatus: number | undefined;
  readonly deviceMessage: string | undefined;
  readonly phase: RequestPhase | undefined;
  /** Request path, e.g. `/config`. */
  readonly path: string | undefined;

  constructor(
    code: SequoiaErrorCode,
    message: string,
    options: { cause?: unknown; httpStatus?: number; deviceMessage?: string; phase?: RequestPhase; path?: string } = {},
  ) {
    super(code, message, options);
    this.httpStatus = options.httpStatus;
    this.deviceMessage = options.deviceMessage;
    this.phase = options.phase;
    this.path = options.path;
  }
}

/** Rejected `POST /config`, `/wifi` or `/manualmode` keys, with every key's answer. */
export class SequoiaSettingError extends SequoiaError {
  constructor(
    readonly answers: Readonly<Record<string, string>>,
    path: string,
  ) {
    const bad = Object.entries(answers).filter(([, v]) => v !== 'Ok');
    super('ERR_CAMCTL_SEQUOIA_CAMERA_ERROR', `camera rejected ${bad.map(([k, v]) => `${k} (${v})`).join(', ')}`, {
      deviceMessage: bad.map(([, v]) => v).join('; '),
      path,
    });
  }
}

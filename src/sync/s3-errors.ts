import { CamctlError } from '../util/errors.js';

/**
 * Errors of the object-store side of `sync --to s3://…`, each with a stable code like the camera
 * layer's, and a message that says what to do next. The store's own error name and HTTP status go
 * in `storeCode`/`status` (shown with -v / --json), the SDK's error in `cause`.
 */
export type S3SyncErrorCode =
  /** `s3://BUCKET/PREFIX` cannot be parsed, or an option is out of range. */
  | 'ERR_CAMCTL_S3_BAD_ARGUMENT'
  /** No credentials were found in the standard chain, or the store refused them. */
  | 'ERR_CAMCTL_S3_STORE_CREDENTIALS'
  /** The credentials are valid but may not do this (bucket policy, IAM). */
  | 'ERR_CAMCTL_S3_STORE_ACCESS_DENIED'
  | 'ERR_CAMCTL_S3_NO_BUCKET'
  /** Nothing answers at the endpoint, or it went away and did not come back within the retries. */
  | 'ERR_CAMCTL_S3_STORE_UNREACHABLE'
  /** Another object (other content) already holds the key: it is never overwritten. */
  | 'ERR_CAMCTL_S3_STORE_CONFLICT'
  /** The store holds other bytes than were sent (ETag or checksum differs). */
  | 'ERR_CAMCTL_S3_STORE_CHECKSUM'
  /** Any other refusal by the store. */
  | 'ERR_CAMCTL_S3_STORE_ERROR';

export class S3SyncError extends CamctlError {
  declare readonly code: S3SyncErrorCode;
  /** The store's error name (`NoSuchBucket`, `SignatureDoesNotMatch`, …) when it gave one. */
  readonly storeCode: string | undefined;
  readonly status: number | undefined;

  constructor(
    code: S3SyncErrorCode,
    message: string,
    options: { cause?: unknown; storeCode?: string; status?: number } = {},
  ) {
    super(code, message, options);
    this.storeCode = options.storeCode;
    this.status = options.status;
  }

  /** Faults of the store or the way to it, after which no further object can be written this run. */
  get fatal(): boolean {
    return (
      this.code === 'ERR_CAMCTL_S3_STORE_CREDENTIALS' ||
      this.code === 'ERR_CAMCTL_S3_STORE_ACCESS_DENIED' ||
      this.code === 'ERR_CAMCTL_S3_NO_BUCKET' ||
      this.code === 'ERR_CAMCTL_S3_STORE_UNREACHABLE'
    );
  }
}

/** The parts of an SDK error that tell what happened. */
export function storeErrorOf(err: unknown): { name: string; status: number | undefined; errno: string | undefined } {
  const e = err as { name?: unknown; Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : 'Error';
  return { name, status: e.$metadata?.httpStatusCode, errno: typeof e.code === 'string' ? e.code : undefined };
}

const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Maps an SDK error to an {@link S3SyncError} that speaks to the person running the sync.
 * `where` names the bucket and endpoint (`bucket "survey" at http://…`).
 */
export function toS3SyncError(err: unknown, where: { bucket: string; endpoint: string }): S3SyncError {
  if (err instanceof S3SyncError) return err;
  const { name, status, errno } = storeErrorOf(err);
  const opts = { cause: err, storeCode: name, ...(status !== undefined ? { status } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(name)) {
    return new S3SyncError(
      'ERR_CAMCTL_S3_STORE_CREDENTIALS',
      `no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --profile NAME with ~/.aws/credentials`,
      opts,
    );
  }
  if (
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'InvalidToken' ||
    name === 'ExpiredToken'
  ) {
    return new S3SyncError(
      'ERR_CAMCTL_S3_STORE_CREDENTIALS',
      `${where.endpoint} refused the credentials (${name}): check the access key and secret (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --profile)`,
      opts,
    );
  }
  if (name === 'NoSuchBucket' || (status === 404 && name === 'NotFound' && !message.includes('key'))) {
    return new S3SyncError(
      'ERR_CAMCTL_S3_NO_BUCKET',
      `there is no bucket "${where.bucket}" at ${where.endpoint}: create it first (aws s3 mb s3://${where.bucket}, or radosgw-admin / mc / garage)`,
      opts,
    );
  }
  if (name === 'AccessDenied' || status === 403) {
    return new S3SyncError(
      'ERR_CAMCTL_S3_STORE_ACCESS_DENIED',
      `${where.endpoint} denies access to bucket "${where.bucket}" (${name}): these credentials need to list, read and write it`,
      opts,
    );
  }
  if (
    (errno && NETWORK_ERRNOS.has(errno)) ||
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    /socket hang up|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message)
  ) {
    return new S3SyncError(
      'ERR_CAMCTL_S3_STORE_UNREACHABLE',
      `cannot reach the object store at ${where.endpoint} (${errno ?? name}); what is in the bucket is kept: run the same command again once it is back`,
      opts,
    );
  }
  if (status !== undefined && status >= 500) {
    return new S3SyncError(
      'ERR_CAMCTL_S3_STORE_UNREACHABLE',
      `the object store at ${where.endpoint} kept failing (${status} ${name}); run the same command again later`,
      opts,
    );
  }
  return new S3SyncError(
    'ERR_CAMCTL_S3_STORE_ERROR',
    `the object store refused a request (${name}${status ? ` ${status}` : ''}): ${message}`,
    opts,
  );
}

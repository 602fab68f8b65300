/**
 * Where `sync --to s3://BUCKET/PREFIX` writes, and the S3 client that writes there.
 *
 * The client is the AWS SDK for JavaScript v3 with its standard credential chain (environment,
 * `~/.aws/credentials` and `~/.aws/config`, `--profile`, SSO, web identity, the instance's role).
 * With `--endpoint` (Ceph's RADOS Gateway, MinIO, Garage) requests use path-style addressing, which
 * every S3-compatible store understands, and the region defaults to us-east-1 (they ignore it).
 * Checksums are computed by camctl itself (SHA-256 and MD5 while streaming), so the SDK's flexible
 * checksums are asked for only where S3 requires them: Ceph 16's gateway neither returns nor checks
 * them.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { S3SyncError } from './s3-errors.js';

export interface S3Target {
  bucket: string;
  /** Key prefix without leading or trailing `/` ('' for the bucket's root). */
  prefix: string;
}

export interface S3ClientOptions {
  /** e.g. `http://127.0.0.1:7480`; default: AWS S3 (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL). */
  endpoint?: string | undefined;
  /** A profile of ~/.aws/credentials and ~/.aws/config. */
  profile?: string | undefined;
  region?: string | undefined;
  /** Attempts per request, with exponential backoff between them (default 6: about 20 s in all). */
  maxAttempts?: number;
}

/** Parses `s3://BUCKET[/PREFIX]`. */
export function parseS3Url(url: string): S3Target {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (!m)
    throw new S3SyncError(
      'ERR_CAMCTL_S3_BAD_ARGUMENT',
      `not an S3 address: ${JSON.stringify(url)} (expected s3://BUCKET/PREFIX)`,
    );
  const bucket = m[1]!;
  // S3's bucket naming rules (the strict DNS-compatible set every store accepts).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw new S3SyncError(
      'ERR_CAMCTL_S3_BAD_ARGUMENT',
      `"${bucket}" is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)`,
    );
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((p) => p === '.' || p === '..') || /\/\//.test(prefix)) {
    throw new S3SyncError('ERR_CAMCTL_S3_BAD_ARGUMENT', `the prefix in ${url} has an empty, "." or ".." part`);
  }
  return { bucket, prefix };
}

/** The endpoint as people should read it in messages. */
export function endpointLabel(options: S3ClientOptions): string {
  return options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? 'AWS S3';
}

export async function createS3Client(options: S3ClientOptions): Promise<S3Client> {
  if (options.endpoint !== undefined) {
    let u: URL;
    try {
      u = new URL(options.endpoint);
    } catch {
      throw new S3SyncError(
        'ERR_CAMCTL_S3_BAD_ARGUMENT',
        `--endpoint must be a URL such as http://127.0.0.1:7480, got ${JSON.stringify(options.endpoint)}`,
      );
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new S3SyncError('ERR_CAMCTL_S3_BAD_ARGUMENT', `--endpoint must be http:// or https://, got ${u.protocol}`);
  }
  // camctl runs on Node 20 (package.json engines); the SDK's notice about its own future releases
  // would print on every sync. The installed SDK works on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Client } = await import('@aws-sdk/client-s3');
  const custom = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const client = new S3Client({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(custom ? { forcePathStyle: true } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    // Another store ignores the region; AWS needs the bucket's (from the profile or environment).
    ...(region ? { region } : custom ? { region: 'us-east-1' } : {}),
    maxAttempts: options.maxAttempts ?? 6,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Handler options as a plain object: the SDK builds its Node handler from them.
    requestHandler: { connectionTimeout: 5000, requestTimeout: 120_000 },
  });
  if (!custom) {
    try {
      await client.config.region();
    } catch (err) {
      throw new S3SyncError(
        'ERR_CAMCTL_S3_BAD_ARGUMENT',
        'no AWS region: set AWS_REGION, --region, or a region in the profile',
        { cause: err },
      );
    }
  }
  return client;
}

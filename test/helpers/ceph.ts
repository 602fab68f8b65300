/**
 * The real S3 engine for the `sync --to s3://` tests: a single-node Ceph cluster on loopback
 * (bench/peers/ceph.ts), started once per test file. Without Debian's Ceph packages the tests are
 * skipped with a visible reason; under CI=true that is a failure (.ci/run installs them).
 *
 * The environment handed to camctl children names the credentials and the endpoint explicitly and
 * turns off every remote source of the AWS credential chain (instance metadata, containers), and
 * points the shared config and credentials files at files of the test's own: nothing can leave
 * 127.0.0.1, whatever ~/.aws holds on the machine.
 */
import * as path from 'node:path';
import { CEPH_PACKAGES, missingCephTools, startCeph, type RunningCeph } from '../../bench/peers/ceph.js';

export type { RunningCeph };

/** Starts the cluster, or returns undefined (after a visible warning) when Ceph is not installed. */
export async function startCephForTests(): Promise<RunningCeph | undefined> {
  const missing = await missingCephTools();
  if (missing.length > 0) {
    const what = `Ceph (${missing.join(', ')}; apt-get install -y ${CEPH_PACKAGES})`;
    if (process.env.CI === 'true') throw new Error(`${what} is missing on CI: .ci/run must install it`);
    console.warn(`SKIPPED: the S3 sync tests need ${what}`);
    return undefined;
  }
  return startCeph();
}

/**
 * Removes every AWS_* variable from this process (children inherit it) and turns off the
 * instance-metadata credential source, so no test can reach beyond loopback through the SDK.
 */
export function isolateAwsEnvironment(): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.AWS_CONFIG_FILE = '/nonexistent/camctl-test-aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/camctl-test-aws-credentials';
}

/** Variables for a camctl child talking to `ceph` with the given keys; `dir` holds the AWS files. */
export function s3Env(
  ceph: RunningCeph,
  dir: string,
  keys: { accessKeyId?: string; secretAccessKey?: string } = {},
): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: keys.accessKeyId ?? ceph.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey ?? ceph.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'aws-credentials'),
  };
}

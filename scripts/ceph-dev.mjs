#!/usr/bin/env node
// A throwaway single-node Ceph cluster with its RADOS Gateway on 127.0.0.1, for trying
// `camctl sync --to s3://…` locally (the tests start the same cluster: bench/peers/ceph.ts).
// Needs Debian's ceph-mon, ceph-osd, radosgw and ceph-common. Prints the endpoint and the
// variables to export, creates the bucket named by --bucket (default "camctl"), and runs until
// Ctrl-C, when every daemon is stopped and its temporary directory removed.
//
//   node scripts/ceph-dev.mjs [--bucket NAME]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = spawnSync(process.execPath, [`${root}scripts/ensure-built.mjs`], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const args = process.argv.slice(2);
const bucketAt = args.indexOf('--bucket');
const bucket = bucketAt >= 0 ? args[bucketAt + 1] : 'camctl';
if (!bucket) {
  process.stderr.write('usage: node scripts/ceph-dev.mjs [--bucket NAME]\n');
  process.exit(2);
}

const { startCeph } = await import(`${root}dist/bench/peers/ceph.js`);
process.stderr.write('starting a single-node Ceph cluster on 127.0.0.1 (about 15 s)…\n');
const ceph = await startCeph();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
const s3 = new S3Client({
  endpoint: ceph.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
});
try {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
} catch (err) {
  await ceph.stop();
  throw err;
}
s3.destroy();
process.stdout.write(
  `${JSON.stringify({ event: 'listening', endpoint: ceph.endpoint, bucket, accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey })}\n`,
);
process.stderr.write(`
RADOS Gateway: ${ceph.endpoint}   bucket: ${bucket}
  export AWS_ACCESS_KEY_ID=${ceph.accessKeyId} AWS_SECRET_ACCESS_KEY=${ceph.secretAccessKey}
  camctl --camera sequoia://… sync --to s3://${bucket}/flights --endpoint ${ceph.endpoint}
Ctrl-C stops the cluster and removes its data.
`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await ceph.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

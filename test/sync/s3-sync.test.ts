/**
 * `camctl sync --to s3://…` against a real S3 engine: Ceph's RADOS Gateway on a single-node
 * cluster on loopback, started once for this file. Each test uses a bucket of its own and checks
 * what is in the store object by object against the emulated camera's files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import {
  cleanup,
  closedPort,
  collect,
  onCleanup,
  requireBuild,
  runCli,
  runJson,
  startCli,
  startEmu,
  tempDir,
} from '../cli/helpers.js';
import { openCamera } from '../../src/camera/open.js';
import { syncCameraToS3 } from '../../src/sync/s3-sync.js';
import { cameraFiles } from '../helpers/camera-files.js';
import { isolateAwsEnvironment, s3Env, startCephForTests, type RunningCeph } from '../helpers/ceph.js';
import { waitFor } from '../helpers/wait-for.js';
import { urlsOutsideDetails, validate } from '../helpers/json-schema.js';
import { JSON_SCHEMAS } from '../../src/cli/json-schemas.js';

isolateAwsEnvironment();
// Started while the file is collected, so that tests can be skipped visibly when Ceph is missing.
const ceph: RunningCeph | undefined = await startCephForTests();
let s3: S3Client;
let awsDir: string;

beforeAll(() => {
  requireBuild();
  if (!ceph) return;
  s3 = new S3Client({
    endpoint: ceph.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  s3?.destroy();
  await ceph?.stop();
});
afterEach(cleanup);

let bucketCount = 0;
async function newBucket(): Promise<string> {
  const bucket = `camctl-test-${++bucketCount}-${randomBytes(3).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function env(): Promise<Record<string, string>> {
  awsDir ??= await tempDir('camctl-aws-');
  return s3Env(ceph!, awsDir);
}

/** Takes `n` single captures on `medium` (small resolutions to keep it quick). */
async function capture(emu: RunningSequoiaEmulator, n: number, medium: 'internal' | 'sd'): Promise<void> {
  emu.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12, storage_selected: medium });
  for (let i = 0; i < n; i++) {
    expect((await emu.device.startCapture()).ok).toBe(true);
    await emu.device.whenSessionEnds();
  }
}

/** Puts a large file (a video, say) straight onto the emulated card: it is listed like any other. */
async function bigFile(dataDir: string, name: string, size: number): Promise<string> {
  const dir = path.join(dataDir, 'media', 'internal', '0900');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), randomBytes(size));
  return `internal/0900/${name}`;
}

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const o of r.Contents ?? []) out.push(o.Key!);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out.sort();
}

async function getObject(bucket: string, key: string): Promise<{ body: Buffer; metadata: Record<string, string> }> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: Buffer.from(await r.Body!.transformToByteArray()), metadata: r.Metadata ?? {} };
}

async function uploadsIn(bucket: string): Promise<number> {
  return (await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Summary {
  files: number;
  uploaded: number;
  resumed: number;
  present: number;
  raced: number;
  failed: number;
  deleted: number;
  sentBytes: number;
  partsReused: number;
  manifest: string | null;
  camera: { dir: string; serial: string; model: string };
}

/** Every camera file is in the bucket under PREFIX/<model>-<serial>/, byte for byte, with its metadata. */
async function expectMirrored(
  bucket: string,
  prefix: string,
  files: Map<string, Buffer>,
  summary: Summary,
): Promise<void> {
  const base = `${prefix}/${summary.camera.dir}`;
  const pictures = (await keys(bucket, `${base}/`)).filter((k) => !k.startsWith(`${base}/manifests/`));
  expect(pictures).toEqual([...files.keys()].map((k) => `${base}/${k}`).sort());
  for (const [rel, bytes] of files) {
    const o = await getObject(bucket, `${base}/${rel}`);
    expect(o.body.equals(bytes), rel).toBe(true);
    expect(o.metadata.sha256, rel).toBe(sha256(bytes));
    expect(o.metadata['camera-serial']).toBe(summary.camera.serial);
    expect(o.metadata['camera-path']).toBe(`/${rel}`);
    if (/_NIR\.TIF$/.test(rel)) expect(o.metadata.band).toBe('near-infrared');
  }
  expect(await uploadsIn(bucket)).toBe(0);
  expect(await keys(bucket, `${prefix}/.camctl/`)).toEqual([]);
}

const runs = () => (ceph ? it : it.skip);

describe('camctl sync --to s3:// (Ceph RADOS Gateway)', () => {
  runs()(
    'streams every picture into the bucket, verified object by object, with a manifest written last; a second run sends nothing',
    async () => {
      const { emu, camera, dataDir } = await startEmu();
      await capture(emu, 2, 'internal');
      await capture(emu, 1, 'sd');
      await bigFile(dataDir, 'VIDEO_0001.MP4', 19 * 1024 * 1024 + 77);
      const files = await cameraFiles(dataDir);
      expect(files.size).toBe(16);
      const bucket = await newBucket();

      const { result, json } = await runJson<Summary>(
        ['--camera', camera, 'sync', '--to', `s3://${bucket}/flights`, '--endpoint', ceph!.endpoint],
        await env(),
      );
      expect(result.code, result.stderr).toBe(0);
      // The documented shape of `sync --to s3 --json` with one camera (src/cli/json-schemas.ts).
      expect(validate(JSON_SCHEMAS['sync s3'], json)).toEqual([]);
      expect(urlsOutsideDetails(json)).toEqual([]);
      expect(json).toMatchObject({ files: 16, uploaded: 16, failed: 0 });
      expect(json.sentBytes).toBe([...files.values()].reduce((n, b) => n + b.length, 0));
      await expectMirrored(bucket, 'flights', files, json);

      const manifest = JSON.parse((await getObject(bucket, json.manifest!)).body.toString('utf8')) as {
        files: Array<{ path: string; sha256: string; size: number; band?: string }>;
      };
      expect(json.manifest).toMatch(new RegExp(`^flights/${json.camera.dir}/manifests/.+\\.json$`));
      expect(manifest.files.map((f) => f.path.slice(1)).sort()).toEqual([...files.keys()].sort());
      for (const f of manifest.files) expect(f.sha256).toBe(sha256(files.get(f.path.slice(1))!));

      const again = await runJson<Summary>(
        ['--camera', camera, 'sync', '--to', `s3://${bucket}/flights`, '--endpoint', ceph!.endpoint],
        await env(),
      );
      expect(again.result.code, again.result.stderr).toBe(0);
      expect(again.json).toMatchObject({ files: 16, uploaded: 0, present: 16, sentBytes: 0 });
      await expectMirrored(bucket, 'flights', files, again.json);
    },
  );

  runs()(
    'pictures with a GPS fix carry their position in the object metadata and the manifest, read while streaming (one PUT and multipart alike)',
    async () => {
      // Hovering over one point: every picture of the flight has exactly this position.
      const track = { waypoints: [{ lat: 46.5197123, lon: 6.6323456 }], speed: 0, altitude: 60, groundElevation: 372 };
      const { emu, camera, dataDir } = await startEmu({ gpsFixAfterMs: 0, track });
      await capture(emu, 1, 'internal');
      // A JPEG larger than one part (padded after its end marker): its position is read from the
      // start of the first part and stamped on when the multipart upload is complete.
      const rgb = [...(await cameraFiles(dataDir)).entries()].find(([k]) => k.endsWith('_RGB.JPG'))!;
      const dir = path.join(dataDir, 'media', 'internal', '0901');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'PANO_0001.JPG'), Buffer.concat([rgb[1], randomBytes(9 * 1024 * 1024)]));
      await bigFile(dataDir, 'VIDEO_0009.MP4', 6 * 1024 * 1024);
      const files = await cameraFiles(dataDir);
      const bucket = await newBucket();
      const { result, json } = await runJson<Summary>(
        ['--camera', camera, 'sync', '--to', `s3://${bucket}/gps`, '--endpoint', ceph!.endpoint],
        await env(),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(json).toMatchObject({ files: files.size, uploaded: files.size, failed: 0 });
      await expectMirrored(bucket, 'gps', files, json);
      for (const rel of files.keys()) {
        const { metadata } = await getObject(bucket, `gps/${json.camera.dir}/${rel}`);
        if (rel.endsWith('.MP4')) {
          expect(metadata['gps-lat'], rel).toBeUndefined();
          continue;
        }
        expect(Number(metadata['gps-lat']), rel).toBeCloseTo(46.5197123, 5);
        expect(Number(metadata['gps-lon']), rel).toBeCloseTo(6.6323456, 5);
        expect(Number(metadata['gps-alt']), rel).toBeCloseTo(432, 1);
      }
      const manifest = JSON.parse((await getObject(bucket, json.manifest!)).body.toString('utf8')) as {
        files: Array<{ path: string; gps?: { lat: number; lon: number; alt?: number } }>;
      };
      for (const f of manifest.files) {
        if (f.path.endsWith('.MP4')) expect(f.gps).toBeUndefined();
        else
          expect(f.gps, f.path).toEqual({
            lat: expect.closeTo(46.5197123, 5),
            lon: expect.closeTo(6.6323456, 5),
            alt: expect.closeTo(432, 1),
          });
      }
      // A second run finds every object there and still lists the positions (from the objects' metadata).
      const again = await runJson<Summary>(
        ['--camera', camera, 'sync', '--to', `s3://${bucket}/gps`, '--endpoint', ceph!.endpoint],
        await env(),
      );
      expect(again.json).toMatchObject({ present: files.size, sentBytes: 0 });
      const second = JSON.parse(
        (await getObject(bucket, again.json.manifest!)).body.toString('utf8'),
      ) as typeof manifest;
      expect(second.files.filter((f) => f.gps).length).toBe(files.size - 1);
    },
  );

  runs()(
    'killed with kill -9 in the middle of a multipart upload, the next run continues that upload without sending its parts again',
    async () => {
      // 4 MB/s from the camera: the 30 MiB file takes several seconds, parts land one by one.
      const { camera, dataDir } = await startEmu({ bandwidthBytesPerSec: 4_000_000 });
      const rel = await bigFile(dataDir, 'VIDEO_0002.MP4', 30 * 1024 * 1024 + 5);
      const files = await cameraFiles(dataDir);
      const bucket = await newBucket();
      const args = ['--camera', camera, 'sync', '--to', `s3://${bucket}/site`, '--endpoint', ceph!.endpoint];

      const first = startCli(args, await env());
      const firstDone = collect(first);
      let partsBefore = 0;
      await waitFor(
        async () => {
          const up = (await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
          if (up.length === 0) return false;
          const parts = await s3.send(
            new ListPartsCommand({ Bucket: bucket, Key: up[0]!.Key!, UploadId: up[0]!.UploadId! }),
          );
          partsBefore = parts.Parts?.length ?? 0;
          return partsBefore >= 1;
        },
        'a part in the store',
        60_000,
      );
      first.kill('SIGKILL');
      expect((await firstDone).signal).toBe('SIGKILL');
      expect(await uploadsIn(bucket)).toBe(1);

      const { result, json } = await runJson<Summary>(args, await env());
      expect(result.code, result.stderr).toBe(0);
      expect(json).toMatchObject({ files: 1, resumed: 1, failed: 0 });
      expect(json.partsReused).toBeGreaterThanOrEqual(partsBefore);
      expect(json.sentBytes).toBeLessThan(files.get(rel)!.length);
      await expectMirrored(bucket, 'site', files, json);
    },
  );

  runs()(
    "two syncs of one camera racing into one bucket: each object once, with the camera's bytes, neither run failing",
    async () => {
      const { emu, camera, dataDir } = await startEmu({ bandwidthBytesPerSec: 20_000_000 });
      await capture(emu, 2, 'internal');
      await bigFile(dataDir, 'VIDEO_0003.MP4', 12 * 1024 * 1024);
      const files = await cameraFiles(dataDir);
      const bucket = await newBucket();
      const args = ['--camera', camera, 'sync', '--to', `s3://${bucket}/race`, '--endpoint', ceph!.endpoint, '--json'];
      const [a, b] = await Promise.all([collect(startCli(args, await env())), collect(startCli(args, await env()))]);
      expect(a.code, a.stderr + a.stdout).toBe(0);
      expect(b.code, b.stderr + b.stdout).toBe(0);
      const sa = JSON.parse(a.stdout) as Summary;
      const sb = JSON.parse(b.stdout) as Summary;
      // Every file was created by one of them at least; the other's PUT got 412 Precondition Failed,
      // or it joined the one multipart upload of the large file and found it completed. (Ceph 16's
      // gateway checks If-None-Match but not atomically: two PUTs in the same instant may both be
      // accepted — with the same bytes, as the checks below show; see the README.)
      expect(sa.uploaded + sb.uploaded + sa.resumed + sb.resumed, `${a.stdout}\n${b.stdout}`).toBeGreaterThanOrEqual(
        files.size,
      );
      expect(sa.failed + sb.failed).toBe(0);
      expect(sa.uploaded + sa.resumed + sa.present + sa.raced).toBe(files.size);
      expect(sb.uploaded + sb.resumed + sb.present + sb.raced).toBe(files.size);
      await expectMirrored(bucket, 'race', files, sa);
    },
  );

  runs()(
    'the gateway stopped in the middle of a run: a clear error, and the next run after it is back finishes the job',
    async () => {
      const { emu, camera, dataDir } = await startEmu({ bandwidthBytesPerSec: 3_000_000 });
      await capture(emu, 3, 'internal');
      const files = await cameraFiles(dataDir);
      const bucket = await newBucket();
      const args = ['--camera', camera, 'sync', '--to', `s3://${bucket}/gw`, '--endpoint', ceph!.endpoint, '-j', '2'];
      const first = startCli(args, await env());
      const firstDone = collect(first);
      await waitFor(async () => (await keys(bucket, 'gw/')).length >= 2, 'a few objects in the store', 60_000);
      await ceph!.stopGateway();
      let r: Awaited<typeof firstDone>;
      try {
        r = await firstDone;
      } finally {
        await ceph!.startGateway();
      }
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /cannot reach the object store at http:\/\/127\.0\.0\.1:\d+ .*run the same command again/,
      );

      const { result, json } = await runJson<Summary>(args, await env());
      expect(result.code, result.stderr).toBe(0);
      expect(json.present).toBeGreaterThanOrEqual(2);
      expect(json.uploaded + json.present + json.resumed).toBe(files.size);
      await expectMirrored(bucket, 'gw', files, json);
    },
    180_000,
  );

  runs()(
    'wrong credentials, a missing bucket and an unreachable endpoint each get one clear line; a profile of the credentials file works',
    async () => {
      const { camera } = await startEmu();
      const bucket = await newBucket();
      const base = ['--camera', camera, 'sync', '--to'];
      const badSecret = await runCli([...base, `s3://${bucket}/x`, '--endpoint', ceph!.endpoint], {
        ...(await env()),
        AWS_SECRET_ACCESS_KEY: 'not-the-secret',
      });
      expect(badSecret.code).toBe(1);
      expect(badSecret.stderr).toMatch(/refused the credentials \(SignatureDoesNotMatch\)/);
      const badKey = await runCli([...base, `s3://${bucket}/x`, '--endpoint', ceph!.endpoint], {
        ...(await env()),
        AWS_ACCESS_KEY_ID: 'NOSUCHKEY',
      });
      expect(badKey.stderr).toMatch(/refused the credentials \(InvalidAccessKeyId\)/);
      const noBucket = await runJson(
        [...base, 's3://no-such-bucket-here/x', '--endpoint', ceph!.endpoint],
        await env(),
      );
      expect(noBucket.result.code).toBe(1);
      expect(noBucket.json).toMatchObject({ error: { code: 'ERR_CAMCTL_S3_NO_BUCKET' } });
      expect(noBucket.result.stderr).toMatch(/there is no bucket "no-such-bucket-here"/);
      const port = await closedPort();
      const unreachable = await runCli(
        [...base, `s3://${bucket}/x`, '--endpoint', `http://127.0.0.1:${port}`],
        await env(),
      );
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(new RegExp(`cannot reach the object store at http://127.0.0.1:${port}`));
      // Credentials from a profile of the shared credentials file work the same way.
      const dir = await tempDir('camctl-aws-profile-');
      await writeFile(
        path.join(dir, 'credentials'),
        `[field]\naws_access_key_id = ${ceph!.accessKeyId}\naws_secret_access_key = ${ceph!.secretAccessKey}\n`,
      );
      const noEnvKeys = {
        ...(await env()),
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
      };
      const viaProfile = await runCli(
        [...base, `s3://${bucket}/x`, '--endpoint', ceph!.endpoint, '--profile', 'field'],
        noEnvKeys,
      );
      expect(viaProfile.code, viaProfile.stderr).toBe(0);
      const none = await runCli([...base, `s3://${bucket}/x`, '--endpoint', ceph!.endpoint], {
        ...noEnvKeys,
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
      });
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/no S3 credentials found/);
    },
  );

  runs()(
    "the camera's link goes on to the next file while the store is still taking the last one",
    async () => {
      // One file at a time over a slow link; the gateway is frozen (SIGSTOP) the moment the first
      // file's bytes are all in, so that file's PUT and check cannot finish until it thaws. The
      // second file must still come over the link meanwhile: the radio is not left idle while the
      // store answers.
      const { camera, dataDir } = await startEmu({ bandwidthBytesPerSec: 1_000_000 });
      await bigFile(dataDir, 'A.MP4', 1_500_000);
      await bigFile(dataDir, 'B.MP4', 1_500_000);
      const bucket = await newBucket();
      const gateway = ceph!.pids().at(-1)!;
      const cam = await openCamera(camera, { maxConnections: 1 });
      onCleanup(() => cam.close());
      const fullyIn: string[] = [];
      let frozen = false;
      const thaw = (): void => {
        if (frozen) process.kill(gateway, 'SIGCONT');
        frozen = false;
      };
      onCleanup(async () => thaw());
      const run = syncCameraToS3(cam, {
        client: s3,
        target: { bucket, prefix: 'overlap' },
        endpoint: ceph!.endpoint,
        parallel: 1,
        onFileProgress: (file, bytes) => {
          if (bytes < file.size || fullyIn.includes(file.path)) return;
          fullyIn.push(file.path);
          if (fullyIn.length === 1) {
            process.kill(gateway, 'SIGSTOP');
            frozen = true;
          }
        },
      });
      try {
        await waitFor(() => fullyIn.length === 2, 'the second file over the link while the store was frozen');
      } finally {
        thaw();
      }
      const summary = await run;
      expect(summary).toMatchObject({ files: 2, uploaded: 2, failed: 0 });
      expect(await uploadsIn(bucket)).toBe(0);
    },
    120_000,
  );

  runs()('--delete-after deletes on the camera only what the bucket verifiably holds', async () => {
    const { emu, camera, dataDir } = await startEmu();
    await capture(emu, 2, 'internal');
    const files = await cameraFiles(dataDir);
    const half = [...files.keys()].slice(0, 5);
    const bucket = await newBucket();
    // Some files are in the bucket already (an earlier run); one key holds other bytes.
    const first = await runJson<Summary>(
      ['--camera', camera, 'sync', '--to', `s3://${bucket}/d`, '--endpoint', ceph!.endpoint],
      await env(),
    );
    expect(first.result.code, first.result.stderr).toBe(0);
    const dir = first.json.camera.dir;
    const { DeleteObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
    for (const rel of [...files.keys()].filter((k) => !half.includes(k)))
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `d/${dir}/${rel}` }));
    const tampered = half[0]!;
    const other = Buffer.from(files.get(tampered)!);
    other.writeUInt8(other.readUInt8(other.length - 3) ^ 0xff, other.length - 3);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `d/${dir}/${tampered}` }));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `d/${dir}/${tampered}`,
        Body: other,
        Metadata: { sha256: sha256(other) },
      }),
    );

    const result = await runCli(
      [
        '--camera',
        camera,
        'sync',
        '--to',
        `s3://${bucket}/d`,
        '--endpoint',
        ceph!.endpoint,
        '--delete-after',
        '--json',
      ],
      await env(),
    );
    expect(result.code).toBe(1);
    // The summary, then the error line.
    const json = JSON.parse(result.stdout.split('\n')[0]!) as Summary;
    expect(json).toMatchObject({ failed: 1, deleted: files.size - 1 });
    // A run that left a file out writes no manifest: the field is there, null.
    expect(validate(JSON_SCHEMAS['sync s3'], json)).toEqual([]);
    expect(json.manifest).toBeNull();
    const left = await cameraFiles(dataDir);
    expect([...left.keys()]).toEqual([tampered]);
    expect((await getObject(bucket, `d/${dir}/${tampered}`)).body.equals(other)).toBe(true);
  });

  runs()(
    'several cameras from one station at once (a Sequoia and a THETA), each under its own <model>-<serial>',
    async () => {
      const sequoia = await startEmu();
      await capture(sequoia.emu, 1, 'internal');
      const thetaDir = await tempDir('camctl-theta-');
      const pictures = path.join(thetaDir, 'internal', '100RICOH');
      await mkdir(pictures, { recursive: true });
      const thetaFiles = new Map<string, Buffer>();
      for (const name of ['R0010001.JPG', 'R0010002.JPG']) {
        const bytes = Buffer.concat([Buffer.from([0xff, 0xd8]), randomBytes(300_000), Buffer.from([0xff, 0xd9])]);
        await writeFile(path.join(pictures, name), bytes);
        thetaFiles.set(`internal/100RICOH/${name}`, bytes);
      }
      const theta = await startThetaEmulator({ dataDir: thetaDir, httpPort: 0 });
      onCleanup(() => theta.close());
      const thetaAddress = `theta://${new URL(theta.url).host}`;
      const bucket = await newBucket();
      const { result, json } = await runJson<{ cameras: Array<Summary & { camera: { address: string } }> }>(
        [
          '--camera',
          sequoia.camera,
          '--camera',
          thetaAddress,
          'sync',
          '--to',
          `s3://${bucket}/fleet`,
          '--endpoint',
          ceph!.endpoint,
        ],
        await env(),
      );
      expect(result.code, result.stderr).toBe(0);
      // With several cameras: one summary each, each of the one-camera shape.
      expect(validate(JSON_SCHEMAS['sync s3 cameras'], json)).toEqual([]);
      expect(json.cameras.map((c) => c.camera.address).sort()).toEqual([sequoia.camera, thetaAddress].sort());
      for (const [address, files] of [
        [sequoia.camera, await cameraFiles(sequoia.dataDir)],
        [thetaAddress, thetaFiles],
      ] as const) {
        const summary = json.cameras.find((c) => c.camera.address === address)!;
        expect(summary).toMatchObject({ files: files.size, uploaded: files.size, failed: 0 });
        await expectMirrored(bucket, 'fleet', files, summary);
      }
      expect(json.cameras.find((c) => c.camera.address === thetaAddress)!.camera.dir).toMatch(/^RICOH-THETA-S-/);
    },
  );
});

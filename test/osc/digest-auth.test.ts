/**
 * HTTP Digest authentication of the emulated THETA (RFC 7616, MD5, qop=auth as THETA V/Z1 in
 * client mode), attacked over real loopback HTTP: an Authorization header is good for one request
 * only — its own method and request-target, its own nonce count — and unauthenticated requests
 * cost the camera no memory. camctl's client and curl --digest still get in.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';
import type { RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { OscClient } from '../../src/osc/client.js';
import { digestAuthorization, parseDigestParams } from '../../src/osc/digest.js';
import { ManualClock } from '../../src/util/clock.js';
import { requireTool, tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const creds = { user: 'THETAYL00105377', password: '00105377' };
const JSON_TYPE = 'application/json; charset=utf-8';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

let tmp: { dir: string; cleanup: () => Promise<void> };
let cam: RunningThetaEmulator;
let clock: ManualClock;
let client: OscClient;
/** fileUrl of a picture on the camera, and its path (the request-target of its download). */
let pictureUrl: string;
let picturePath: string;

beforeAll(async () => {
  tmp = await tempDir('camctl-digest-');
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  cam = await startThetaEmulator({
    dataDir: path.join(tmp.dir, 'theta'),
    speed: 20,
    auth: creds,
    authPolicy: { clock, maxTrackedNonces: 32 },
  });
  client = new OscClient({ baseUrl: cam.url, auth: creds });
  await client.connect();
  pictureUrl = await client.takePicture();
  picturePath = new URL(pictureUrl).pathname;
});

afterAll(async () => {
  await cam.close();
  await tmp.cleanup();
});

/** A fresh challenge, as any client without credentials receives it. */
async function challenge(): Promise<string> {
  const r = await fetch(`${cam.url}/osc/info`);
  await r.body?.cancel();
  expect(r.status).toBe(401);
  return r.headers.get('www-authenticate')!;
}

async function send(
  method: 'GET' | 'POST',
  target: string,
  authorization: string,
  body?: unknown,
): Promise<{ status: number; www: string | null; json: Record<string, any> | undefined }> {
  const init: RequestInit = { method, headers: { Authorization: authorization } };
  if (method === 'POST') {
    (init.headers as Record<string, string>)['Content-Type'] = JSON_TYPE;
    init.body = JSON.stringify(body ?? {});
  }
  const r = await fetch(`${cam.url}${target}`, init);
  const bytes = Buffer.from(await r.arrayBuffer());
  const json = r.headers.get('content-type')?.startsWith('application/json')
    ? (JSON.parse(bytes.toString('utf8')) as Record<string, any>)
    : undefined;
  return { status: r.status, www: r.headers.get('www-authenticate'), json };
}

async function pictureExists(): Promise<boolean> {
  const listed = await client.listAllFiles();
  return listed.some((e) => e.fileUrl === pictureUrl);
}

describe('digest authentication refuses replayed and moved headers', () => {
  it('binds the header to its request-target: a header for POST /osc/state does not run camera.delete', async () => {
    const www = await challenge();
    const forState = digestAuthorization(creds, www, 'POST', '/osc/state', 1);
    const moved = await send('POST', '/osc/commands/execute', forState, {
      name: 'camera.delete',
      parameters: { fileUrls: [pictureUrl] },
    });
    expect(moved.status).toBe(400);
    expect(moved.json).toMatchObject({ state: 'error', error: { code: 'invalidParameterValue' } });
    expect(await pictureExists()).toBe(true);
    // The same header on its own request is fine (the nonce was not burnt by the refused attempt).
    expect((await send('POST', '/osc/state', forState)).status).toBe(200);
  });

  it('a header for GET /osc/info does not download a picture', async () => {
    const www = await challenge();
    const forInfo = digestAuthorization(creds, www, 'GET', '/osc/info', 1);
    const moved = await send('GET', picturePath, forInfo);
    expect(moved.status).toBe(400);
    expect(moved.json).toMatchObject({ state: 'error' });
    // A uri with another query is another request-target: a header for the thumbnail does not fetch the picture.
    const forThumb = digestAuthorization(creds, www, 'GET', `${picturePath}?type=thumb`, 2);
    expect((await send('GET', picturePath, forThumb)).status).toBe(400);
    expect((await send('GET', `${picturePath}?type=thumb`, forThumb)).status).toBe(200);
    // RICOH's theta-client writes only the path for a thumbnail; that still names this picture alone.
    const pathOnly = digestAuthorization(creds, www, 'GET', picturePath, 3);
    expect((await send('GET', `${picturePath}?type=thumb`, pathOnly)).status).toBe(200);
    expect((await send('GET', '/osc/info?x=1', digestAuthorization(creds, www, 'GET', picturePath, 4))).status).toBe(
      400,
    );
  });

  it('accepts each nonce count once: the same header 50 times gets in once', async () => {
    const www = await challenge();
    const header = digestAuthorization(creds, www, 'POST', '/osc/state', 1);
    let accepted = 0;
    for (let i = 0; i < 50; i++) if ((await send('POST', '/osc/state', header)).status === 200) accepted++;
    expect(accepted).toBe(1);
    // A replayed header is refused without stale=true: it is not a stale nonce, it is a second use.
    const again = await send('POST', '/osc/state', header);
    expect(again.status).toBe(401);
    expect(again.www).not.toMatch(/stale=true/i);
  });

  it('accepts counts that arrive out of order within the window, each once', async () => {
    const www = await challenge();
    const h = (nc: number) => digestAuthorization(creds, www, 'POST', '/osc/state', nc);
    expect((await send('POST', '/osc/state', h(3))).status).toBe(200);
    expect((await send('POST', '/osc/state', h(1))).status).toBe(200);
    expect((await send('POST', '/osc/state', h(2))).status).toBe(200);
    expect((await send('POST', '/osc/state', h(2))).status).toBe(401);
    expect((await send('POST', '/osc/state', h(200))).status).toBe(200);
    // Far below the highest count seen: the window no longer knows it, so it is refused as stale.
    const old = await send('POST', '/osc/state', h(4));
    expect(old.status).toBe(401);
    expect(old.www).toMatch(/stale=true/i);
  });

  it('requires qop=auth, as its challenge demands', async () => {
    const www = await challenge();
    expect(www).toMatch(/qop="auth"/);
    expect(www).toMatch(/algorithm=MD5/);
    const p = parseDigestParams(www);
    const ha1 = md5(`${creds.user}:${p['realm']}:${creds.password}`);
    // RFC 2069 style: the right password, no qop/nc/cnonce.
    const legacy = `Digest username="${creds.user}", realm="${p['realm']}", nonce="${p['nonce']}", uri="/osc/state", response="${md5(`${ha1}:${p['nonce']}:${md5('POST:/osc/state')}`)}", opaque="${p['opaque']}"`;
    expect((await send('POST', '/osc/state', legacy)).status).toBe(401);
    // qop=auth-int is not offered either.
    const intHeader = digestAuthorization(creds, www, 'POST', '/osc/state', 1).replace('qop=auth', 'qop=auth-int');
    expect((await send('POST', '/osc/state', intHeader)).status).toBe(401);
  });

  it('refuses a nonce the camera never issued, and a changed opaque', async () => {
    const www = await challenge();
    const forged = www.replace(
      /nonce="([0-9a-f]+)"/,
      (_m, n: string) => `nonce="${n.slice(0, -1)}${n.endsWith('0') ? '1' : '0'}"`,
    );
    const r = await send('POST', '/osc/state', digestAuthorization(creds, forged, 'POST', '/osc/state', 1));
    expect(r.status).toBe(401);
    const opaque = www.replace(/opaque="[^"]*"/, 'opaque="0000"');
    expect((await send('POST', '/osc/state', digestAuthorization(creds, opaque, 'POST', '/osc/state', 1))).status).toBe(
      401,
    );
  });

  it('expires nonces with stale=true, and the client retries with the new nonce by itself', async () => {
    const www = await challenge();
    expect((await send('POST', '/osc/state', digestAuthorization(creds, www, 'POST', '/osc/state', 1))).status).toBe(
      200,
    );
    await clock.advance(5 * 60_000 + 1);
    const expired = await send('POST', '/osc/state', digestAuthorization(creds, www, 'POST', '/osc/state', 2));
    expect(expired.status).toBe(401);
    expect(expired.www).toMatch(/stale=true/i);
    // A wrong password on an expired nonce is not "stale": the client must not retry silently.
    const wrong = await send(
      'POST',
      '/osc/state',
      digestAuthorization({ ...creds, password: 'x' }, www, 'POST', '/osc/state', 3),
    );
    expect(wrong.www).not.toMatch(/stale=true/i);
    // camctl's client had a nonce from before: it is stale now, and the client carries on.
    expect((await client.state()).fingerprint).toMatch(/^FIG_/);
    expect((await client.info()).model).toBe('RICOH THETA S');
  });

  it('keeps no state per unauthenticated request, and a bounded count per nonce in use', async () => {
    const digest = cam.osc.digest!;
    const before = digest.trackedNonces;
    for (let i = 0; i < 500; i++) await challenge();
    expect(digest.trackedNonces).toBe(before);
    // Nonces in use: each authenticated once, 100 of them, with room for 32.
    const used: string[] = [];
    for (let i = 0; i < 100; i++) {
      const www = await challenge();
      const h = digestAuthorization(creds, www, 'POST', '/osc/state', 1);
      expect((await send('POST', '/osc/state', h)).status).toBe(200);
      used.push(h);
      expect(digest.trackedNonces).toBeLessThanOrEqual(32);
    }
    // The counters of the oldest were dropped: their headers are not accepted again, but answered
    // stale so that a real client gets a new nonce.
    let accepted = 0;
    for (const h of used) {
      const r = await send('POST', '/osc/state', h);
      if (r.status === 200) accepted++;
      else expect(r.status).toBe(401);
    }
    expect(accepted).toBe(0);
    const evicted = await send('POST', '/osc/state', digestAuthorization(creds, used[0]!, 'POST', '/osc/state', 2));
    expect(evicted.www).toMatch(/stale=true/i);
  });
});

describe('digest authentication lets real clients in', () => {
  it('OscClient: many requests on one nonce, many at once, and a download', async () => {
    // Challenges the camera sends while this client works: one, for its very first request.
    let challenges = 0;
    const countChallenges = (_req: unknown, res: ServerResponse) =>
      res.on('finish', () => void (res.statusCode === 401 && challenges++));
    cam.osc.server.on('request', countChallenges);
    try {
      const c = new OscClient({ baseUrl: cam.url, auth: creds });
      for (let i = 0; i < 30; i++) expect((await c.state()).fingerprint).toMatch(/^FIG_/);
      const all = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 ? c.state().then((s) => s.fingerprint) : c.info().then((x) => x.model),
        ),
      );
      expect(all.filter((x) => x === 'RICOH THETA S')).toHaveLength(20);
      expect(challenges).toBe(1);
      const sink: Buffer[] = [];
      await c.download(pictureUrl, new Writable({ write: (chunk: Buffer, _e, cb) => (sink.push(chunk), cb()) }));
      const original = await readFile(
        await cam.device.filePath(cam.device.findFile(picturePath.split('/').slice(-2).join('/'))),
      );
      expect(Buffer.concat(sink).equals(original)).toBe(true);
      expect(challenges).toBe(1);
    } finally {
      cam.osc.server.off('request', countChallenges);
    }
  });

  it("a header as RICOH's own client writes it (quoted qop, no opaque or algorithm) gets in", async () => {
    const p = parseDigestParams(await challenge());
    const cnonce = 'f0e1d2c3b4a59687';
    const ha1 = md5(`${creds.user}:${p['realm']}:${creds.password}`);
    const response = md5(`${ha1}:${p['nonce']}:00000001:${cnonce}:auth:${md5('POST:/osc/state')}`);
    const header = `Digest username="${creds.user}", realm="${p['realm']}", uri="/osc/state", nonce="${p['nonce']}", nc=00000001, qop="auth", cnonce="${cnonce}", response="${response}"`;
    expect((await send('POST', '/osc/state', header)).status).toBe(200);
    expect((await send('POST', '/osc/state', header)).status).toBe(401);
  });

  it('curl --digest: GET, POST with a body, a download; a wrong password is refused', async () => {
    if (
      !requireTool(
        await run('curl', ['--version']).then(
          () => true,
          () => false,
        ),
        'curl',
      )
    )
      return;
    const base = ['--silent', '--show-error', '--digest', '--user', `${creds.user}:${creds.password}`];
    const info = await run('curl', [...base, `${cam.url}/osc/info`, `${cam.url}/osc/info`, `${cam.url}/osc/info`]);
    expect(info.stdout.match(/"RICOH THETA S"/g)).toHaveLength(3);
    const state = await run('curl', [
      ...base,
      '-X',
      'POST',
      '-H',
      `Content-Type: ${JSON_TYPE}`,
      '--data',
      '{}',
      `${cam.url}/osc/state`,
    ]);
    expect(JSON.parse(state.stdout)).toMatchObject({ fingerprint: expect.stringMatching(/^FIG_/) });
    const file = path.join(tmp.dir, 'curl.jpg');
    const got = await run('curl', [
      ...base,
      '--fail',
      '--output',
      file,
      '--write-out',
      '%{http_code}',
      `${cam.url}${picturePath}`,
    ]);
    expect(got.stdout).toBe('200');
    expect((await readFile(file)).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const denied = await run('curl', [
      '--silent',
      '--digest',
      '--user',
      `${creds.user}:nope`,
      '--write-out',
      '%{http_code}',
      '--output',
      '/dev/null',
      `${cam.url}/osc/info`,
    ]);
    expect(denied.stdout).toBe('401');
  });
});

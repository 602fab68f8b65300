/**
 * The dashboard's camera controls and wording in a real browser (Debian's Chromium through
 * playwright-core), at desktop (1280×800) and phone (390×844) sizes, on emulated cameras on
 * 127.0.0.1 (port 0): the Sequoia's calibration walk-through, Wi-Fi and manual exposure; the
 * THETA's video, interval shooting and clock; the viewer's previous/next, download and EXIF /
 * GPS / band panel; the overview in people's words; and the bugs of the live preview restarting,
 * the phone's empty band under the camera strip, the downloads box covering the foot of a phone's
 * page, and the silent add of an unreachable camera.
 * A file of its own (beside browser.test.ts) so the two browser files run in parallel.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, waitForExpression } from '../../bench/dashboard-browser.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import { startSequoiaEmulator, type RunningSequoiaEmulator } from '../../src/emulator/sequoia/emulator.js';
import { startThetaEmulator } from '../../src/emulator/theta/emulator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const missing = !hasChromium();
if (missing && process.env.CI === 'true') throw new Error('chromium is required in CI (apt-get install -y chromium)');

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe.skipIf(missing)('dashboard controls in Chromium', () => {
  let tmp: string;
  let seq: RunningSequoiaEmulator;
  let theta: { url: string; close(): Promise<void> };
  let dash: RunningDashboard;
  let context: BrowserContext;
  const pages: Record<string, Page> = {};
  let seqId: string;
  let thetaId: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'camctl-dash-ctl-'));
    execFileSync(process.execPath, [
      path.join(ROOT, 'scripts', 'build-ui.mjs'),
      '--quiet',
      '--out',
      path.join(tmp, 'ui'),
    ]);
    // A short walk-through: each axis of the calibration completes after 2 s (still several status polls).
    seq = await startSequoiaEmulator({
      dataDir: path.join(tmp, 'sequoia'),
      host: '127.0.0.1',
      httpPort: 0,
      calibrationStepMs: 2000,
    });
    theta = await startThetaEmulator({ dataDir: path.join(tmp, 'theta'), host: '127.0.0.1', httpPort: 0 });
    dash = await startDashboard({
      cameras: [seq.url.replace(/^http:/, 'sequoia:'), theta.url.replace(/^http:/, 'theta:')],
      assetsDir: path.join(tmp, 'ui'),
      cacheDir: path.join(tmp, 'cache'),
      pollIntervalMs: 250,
    });
    seqId = dash.hub.list().find((c) => c.protocol === 'sequoia')!.id;
    thetaId = dash.hub.list().find((c) => c.protocol === 'theta')!.id;
    context = await launchChromium(path.join(tmp, 'profile'));
    for (const s of SIZES) {
      const page = await context.newPage();
      await page.setViewportSize({ width: s.width, height: s.height });
      await page.goto(`${dash.url}#cam=${seqId}`);
      pages[s.name] = page;
    }
    // Both cameras answered (expect.poll is only for tests, not hooks).
    for (let i = 0; i < 400 && !dash.hub.list().every((c) => c.state === 'online'); i++)
      await new Promise((r) => setTimeout(r, 50));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await dash?.close();
    await seq?.close();
    await theta?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function show(page: Page, id: string, tab = 'Overview'): Promise<void> {
    await page.bringToFront(); // a page in the background has its timers throttled
    await page.click(`[data-camera="${id}"]`);
    await page.getByRole('tab', { name: tab }).click();
  }
  const sequoiaJson = async <T>(p: string): Promise<T> => (await (await fetch(`${seq.url}${p}`)).json()) as T;

  for (const size of SIZES) {
    describe(`at ${size.name} size`, () => {
      const page = (): Page => pages[size.name]!;

      it('walks through the Sequoia calibration: start, each axis in turn, done', async () => {
        const p = page();
        await show(p, seqId);
        const device = size.name === 'desktop' ? 'body' : 'sunshine';
        const state = p.locator(`[data-testid="calibration-${device}"]`);
        await expect.poll(() => state.textContent()).toBe('not calibrated');
        await p
          .getByRole('button', { name: device === 'body' ? 'Calibrate camera body' : 'Calibrate sunshine sensor' })
          .click();
        // Each axis is asked for in turn, and marked as the current step.
        const steps = p.locator(`[data-device="${device}"] .cal-steps`);
        for (const axis of ['Yaw', 'Pitch', 'Roll']) {
          await waitForExpression(
            p,
            `document.querySelector('[data-device="${device}"] .step[aria-current="step"]')?.textContent?.startsWith('${axis}') === true`,
            15_000,
          );
        }
        await expect.poll(() => state.textContent(), { timeout: 15_000 }).toBe('calibrated');
        expect(await steps.locator('.step.done').count()).toBe(3);
        expect(await p.textContent('[data-testid="calibration-summary"]')).not.toMatch(/None|Ok\b/);
        expect((await sequoiaJson<Record<string, string>>('/calibration'))[device]).toBe('Ok');
      }, 60_000);

      it('renames the Sequoia Wi-Fi and switches it off and on', async () => {
        const p = page();
        await show(p, seqId);
        const ssid = `Sequoia_${size.name}`;
        await p.fill('#wifi-ssid', ssid);
        await p.getByRole('button', { name: 'Rename' }).click();
        await expect.poll(() => p.textContent('[data-testid="wifi-message"]')).toBe('The camera took it.');
        expect((await sequoiaJson<{ ssid: string }>('/wifi')).ssid).toBe(ssid);
        await p.getByRole('button', { name: 'Switch Wi-Fi off' }).click();
        await expect.poll(() => p.textContent('[data-testid="wifi-status"]')).toBe('off');
        expect((await sequoiaJson<{ status: string }>('/wifi')).status).toBe('off');
        await p.getByRole('button', { name: 'Switch Wi-Fi on' }).click();
        await expect.poll(() => p.textContent('[data-testid="wifi-status"]')).toBe('on');
      });

      it('sets the Sequoia exposure per sensor and back to automatic', async () => {
        const p = page();
        await show(p, seqId);
        const exp = size.name === 'desktop' ? 2530 : 3100;
        await p.selectOption('#manual-rgb-mode', 'manual');
        await p.fill('#manual-rgb-exp_us', String(exp));
        await p.fill('#manual-rgb-iso', '200');
        await p.selectOption('#manual-monochrome-mode', 'manual');
        await p.fill('#manual-near_infrared-exp_us', '12000');
        await p.getByRole('button', { name: 'Save exposure' }).click();
        await expect.poll(() => p.textContent('[data-testid="manual-message"]')).toBe('The camera took it.');
        const m = await sequoiaJson<{
          rgb: { mode: string; exp_us: number; iso: number };
          monochrome: { mode: string; near_infrared: { exp_us: number } };
        }>('/manualmode');
        expect(m.rgb).toMatchObject({ mode: 'manual', exp_us: exp, iso: 200 });
        expect(m.monochrome.mode).toBe('manual');
        expect(m.monochrome.near_infrared.exp_us).toBe(12000);
        expect(await p.inputValue('#manual-rgb-exp_us')).toBe(String(exp));
        await p.getByRole('button', { name: 'All automatic' }).click();
        await expect
          .poll(async () => (await sequoiaJson<{ rgb: { mode: string } }>('/manualmode')).rgb.mode)
          .toBe('auto');
        await expect.poll(() => p.inputValue('#manual-rgb-mode')).toBe('auto');
      });

      it('says in people’s words what the Sequoia overview shows, with storage bars in line', async () => {
        const p = page();
        await show(p, seqId);
        const hint = (await p.textContent('[data-testid="capture-hint"]'))!;
        expect(hint).toMatch(/every sensor/);
        expect(hint).not.toMatch(/video|interval/i);
        expect(await p.textContent('[data-testid="calibration-summary"]')).not.toMatch(/body None/);
        const meters = p.locator('.storage meter');
        expect(await meters.count()).toBe(2);
        const [a, b] = [(await meters.nth(0).boundingBox())!, (await meters.nth(1).boundingBox())!];
        expect(a.x).toBe(b.x);
        expect(a.width).toBe(b.width);
        // Not wider than the screen.
        expect(await p.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(size.width);
      });

      it('shows a settings error once, beside its field', async () => {
        const p = page();
        await show(p, seqId, 'Settings');
        await p.fill('#set-timelapse_param', '99999');
        await p.getByRole('button', { name: 'Save changes' }).click();
        await expect.poll(() => p.textContent('[data-testid="error-timelapse_param"]')).toMatch(/between 1 and 3600/);
        expect(await p.getByText(/between 1 and 3600/).count()).toBe(1);
        expect(await p.textContent('[data-testid="config-message"]')).toMatch(/correct the field marked above/);
        await p.getByRole('button', { name: 'Discard' }).click();
      });

      it('opens a Sequoia shot in the viewer: EXIF/GPS/band panel, next and previous, download', async () => {
        const p = page();
        await show(p, seqId);
        // A folder of several shots (a timelapse, started through the API: its buttons are tested elsewhere).
        const api = (action: string, body?: object): Promise<Response> =>
          fetch(`${dash.url}api/cameras/${seqId}/${action}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: dash.url.slice(0, -1) },
            body: JSON.stringify(body ?? {}),
          });
        await api('config', { values: { capture_mode: 'timelapse', timelapse_param: 1 } });
        const { folder } = (await (await api('capture/start')).json()) as { folder: string };
        const count = async (): Promise<number> => {
          const list: unknown = await (await fetch(`${dash.url}api/cameras/${seqId}/files?path=${folder}`)).json();
          return Array.isArray(list) ? list.length : 0; // the folder may not be listed yet
        };
        await expect.poll(count, { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
        await api('capture/stop');
        await api('config', { values: { capture_mode: 'single' } });
        await p.getByRole('tab', { name: 'Files' }).click();
        await p.getByRole('button', { name: 'all media' }).click();
        await p.click('.entry-open[data-path="/internal"]');
        // A folder counts files: one five-band shot is "5 files", never "5 pictures".
        const row = p.locator(`.entry-row:has(.entry-open[data-path="${folder}"]) [data-testid="entry-count"]`);
        await expect.poll(() => row.textContent()).toMatch(/^\d+ files$/);
        await p.click(`.entry-open[data-path="${folder}"]`);
        await p.waitForSelector('.group');
        const shots = await p.locator('.group').count();
        expect(shots).toBeGreaterThanOrEqual(2);
        await p.locator('.tile').filter({ hasText: '_NIR.TIF' }).last().locator('.tile-open').click();
        const dialog = p.locator('dialog.viewer');
        await expect
          .poll(() => dialog.locator('[data-field="Band"]').textContent(), { timeout: 30_000 })
          .toBe('NIR · 790 nm (40 nm wide)');
        expect(await dialog.locator('[data-field="Camera"]').textContent()).toBe('Parrot Sequoia');
        expect(await dialog.locator('[data-field="Taken"]').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
        expect(await dialog.locator('[data-field="Yaw / pitch / roll"]').textContent()).toMatch(
          /^-?\d+\.\d° \/ -?\d+\.\d° \/ -?\d+\.\d°$/,
        );
        expect(await dialog.locator('[data-field="GPS"]').textContent()).toMatch(
          /^-?\d+\.\d{6}, -?\d+\.\d{6}|no position in this file/,
        );
        expect(await p.textContent('[data-testid="viewer-position"]')).toBe(`${shots} of ${shots}`);
        await dialog.getByRole('button', { name: 'Previous picture' }).click();
        await expect.poll(() => p.textContent('[data-testid="viewer-position"]')).toBe(`${shots - 1} of ${shots}`);
        const title = (await p.textContent('#viewer-title'))!;
        expect(title).toMatch(/^IMG_\d{6}_\d{6}_\d{4}_RGB\.JPG$/);
        await expect.poll(() => dialog.locator('[data-field="Band"]').textContent(), { timeout: 30_000 }).toBe('RGB');
        await p.keyboard.press('ArrowRight');
        await expect.poll(() => p.textContent('[data-testid="viewer-position"]')).toBe(`${shots} of ${shots}`);
        const shown = (await p.textContent('#viewer-title'))!;
        const [download] = await Promise.all([
          p.waitForEvent('download'),
          dialog.getByRole('button', { name: `Download ${shown}` }).click(),
        ]);
        expect(download.suggestedFilename()).toBe(shown);
        const saved = path.join(tmp, `${size.name}-${shown}`);
        await download.saveAs(saved);
        const original = Buffer.from(await (await fetch(`${seq.url}/download${folder}/${shown}`)).arrayBuffer());
        expect((await readFile(saved)).equals(original)).toBe(true);
        await p.keyboard.press('Escape');
        await p.waitForSelector('dialog.viewer', { state: 'detached' });
        // The finished download's row is put away, as a person would.
        await expect.poll(() => p.getAttribute('.downloads li', 'data-state')).toBe('done');
        await p.getByRole('button', { name: /dismiss/ }).click();
      }, 120_000);

      it('starts and stops THETA video and interval shooting by name, and sets its clock', async () => {
        const p = page();
        await show(p, thetaId);
        const state = p.locator('[data-testid="capture-state"]');
        await p.getByRole('button', { name: 'Start video recording' }).click();
        await expect
          .poll(() => p.textContent('[data-testid="theta-message"]'), { timeout: 15_000 })
          .toBe('Video recording started.');
        await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('capturing');
        await p.getByRole('button', { name: 'Stop video recording' }).click();
        // The page's message rides along, so a refused stop says why when this fails.
        const stateAndMessage = async (): Promise<string> =>
          `${await state.textContent()} | ${await p.textContent('[data-testid="theta-message"]')}`;
        await expect.poll(stateAndMessage, { timeout: 30_000 }).toMatch(/^idle \|/);

        await p.fill('#interval-every', '9');
        const start = p.getByRole('button', { name: /^Start interval shooting/ });
        expect(await start.textContent()).toMatch(/every 9 s, until stopped/);
        await start.click();
        await expect
          .poll(() => p.textContent('[data-testid="theta-message"]'), { timeout: 15_000 })
          .toBe('Interval shooting started.');
        await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('capturing');
        await p.getByRole('button', { name: 'Stop interval shooting' }).click();
        await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('idle');
        const cfg = (await (await fetch(`${dash.url}api/cameras/${thetaId}/config`)).json()) as Array<{
          key: string;
          value: unknown;
        }>;
        expect(cfg.find((s) => /captureInterval$/.test(s.key))?.value).toBe(9);

        await p.getByRole('button', { name: "Set the camera's clock to this computer's time" }).click();
        await expect
          .poll(() => p.textContent('[data-testid="clock-message"]'))
          .toMatch(/^Clock set to \d{4}:\d\d:\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d\.$/);
        const sent = (await p.textContent('[data-testid="clock-message"]'))!.slice('Clock set to '.length, -1);
        await expect
          .poll(() => p.textContent('[data-testid="camera-clock"]'))
          .toMatch(new RegExp(`^${sent.slice(0, 10)}`));
      }, 90_000);

      it('says the THETA overview in people’s words', async () => {
        const p = page();
        await show(p, thetaId);
        await expect
          .poll(() => p.textContent('[data-testid="battery"]'))
          .toMatch(/^\d+ % · (on battery|charging|charged, on USB power)$/);
        const text = (await p.textContent('.overview'))!;
        expect(text).not.toMatch(/fingerprint|storage uri|battery state|disconnect|http:\/\//i);
        const hint = (await p.textContent('[data-testid="capture-hint"]'))!;
        expect(hint).toMatch(/360°/);
        expect(hint).not.toMatch(/timelapse|GPS/i);
        expect(await p.getByRole('button', { name: 'Start continuous' }).count()).toBe(0);
      });
    });
  }

  it('keeps one live preview stream open while the status updates (no restart at each render)', async () => {
    const p = pages.desktop!;
    await show(p, thetaId);
    const opened: string[] = [];
    const onRequest = (r: { url(): string }): void => {
      if (/\/api\/cameras\/[^/]+\/live/.test(r.url())) opened.push(r.url());
    };
    p.on('request', onRequest);
    try {
      await p.getByRole('button', { name: 'Start live preview' }).click();
      await waitForExpression(p, `(document.querySelector('img.live-img')?.naturalWidth ?? 0) > 0`, 20_000);
      // Let the status be re-read (and the overview rendered) several times.
      const first = dash.hub.view(thetaId).statusAt ?? 0;
      let updates = 0;
      let last = first;
      await expect
        .poll(
          () => {
            const now = dash.hub.view(thetaId).statusAt ?? 0;
            if (now !== last) {
              updates++;
              last = now;
            }
            return updates;
          },
          { timeout: 20_000, interval: 50 },
        )
        .toBeGreaterThanOrEqual(6);
      expect(opened).toHaveLength(1);
    } finally {
      p.off('request', onRequest);
      await p.getByRole('button', { name: 'Stop live preview' }).click();
    }
  }, 60_000);

  it('on a phone, the camera strip takes only its own height (no empty band under it)', async () => {
    const p = pages.phone!;
    await show(p, seqId, 'Files');
    await p.waitForSelector('.entry-open');
    const gap = await p.evaluate<number>(`(() => {
      const nav = document.querySelector('nav.cameras').getBoundingClientRect();
      const list = document.querySelector('nav.cameras ul').getBoundingClientRect();
      return Math.round(nav.bottom - list.bottom);
    })()`);
    expect(gap).toBeLessThanOrEqual(16);
  });

  it('on a phone, a finished zip download stops animating, and the downloads box leaves the foot of the page readable: scrolled to the end, it covers nothing', async () => {
    const p = pages.phone!;
    seq.device.setConfig({ capture_mode: 'single', resolution_mono: 0.3, resolution_rgb: 12 });
    expect((await seq.device.startCapture()).ok).toBe(true);
    await seq.device.whenSessionEnds();
    await show(p, seqId, 'Files');
    await p.locator('.entry-open', { hasText: 'internal' }).click();
    await p.locator('.entry-row input[type="checkbox"]').first().check();
    await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download (1)' }).click()]);
    await expect.poll(() => p.getAttribute('.downloads li', 'data-state'), { timeout: 30_000 }).toBe('done');
    // A finished zip (its size unknown until it ends) shows a full bar, not one still animating
    // (an indeterminate <progress> has position -1).
    expect(
      await p.evaluate<number>(`document.querySelector('.downloads li[data-state="done"] progress').position`),
    ).toBe(1);
    // The overview is longer than a phone's screen: its foot is what the box would sit on.
    await show(p, seqId, 'Overview');
    await p.waitForSelector('[data-testid="capture-state"]');
    const covered = async (): Promise<string[]> => {
      await p.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
      return p.evaluate<string[]>(`(() => {
        const box = document.querySelector('.downloads').getBoundingClientRect();
        return [...document.querySelectorAll('.layout :is(button, input, select, a, li, p, dt, dd, h2, h3, label)')]
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && r.bottom > box.top && r.top < box.bottom && r.right > box.left && r.left < box.right;
          })
          .map((e) => e.tagName.toLowerCase() + ': ' + (e.textContent || '').trim().slice(0, 40));
      })()`);
    };
    expect(await p.evaluate<boolean>('document.documentElement.scrollHeight > window.innerHeight')).toBe(true);
    // At the top of the page the box is still on screen, at its foot (a person sees the download).
    await p.evaluate('window.scrollTo(0, 0)');
    expect(
      await p.evaluate<boolean>(`(() => {
        const r = document.querySelector('.downloads').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
      })()`),
    ).toBe(true);
    expect(await covered()).toEqual([]);
    await p.getByRole('button', { name: /dismiss/ }).click();
    await p.waitForSelector('.downloads', { state: 'detached' });
  }, 60_000);

  it('says at once that nothing answers at an added address, naming the camera by its address', async () => {
    for (const size of SIZES) {
      const p = pages[size.name]!;
      await p.fill('#add-address', 'sequoia://127.0.0.1:1');
      await p.getByRole('button', { name: 'Add', exact: true }).click();
      await expect
        .poll(() => p.textContent('#add-error'), { timeout: 15_000 })
        .toMatch(/^No camera answers at sequoia:\/\/127\.0\.0\.1:1: .*Check the address/);
      const button = p.locator('.camera-button', { hasText: '127.0.0.1:1' });
      expect(await button.locator('.name').textContent()).toBe('sequoia://127.0.0.1:1');
      await p.fill('#add-address', '');
    }
    // The API names it by its address too, not by the dashboard's id.
    const offline = dash.hub.list().find((c) => c.address === 'sequoia://127.0.0.1:1')!;
    const reply = await fetch(`${dash.url}api/cameras/${offline.id}/files`);
    const { error } = (await reply.json()) as { error: { message: string } };
    expect(error.message).toMatch(/^the camera at sequoia:\/\/127\.0\.0\.1:1 is offline/);
    expect(error.message).not.toContain(offline.id);
    await pages.desktop!.getByRole('button', { name: 'Remove sequoia://127.0.0.1:1 from the dashboard' }).click();
    await pages.desktop!.waitForSelector('.camera-button:has-text("127.0.0.1:1")', { state: 'detached' });
  }, 60_000);
});

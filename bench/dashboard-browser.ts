/**
 * Debian's Chromium driven by playwright-core, and the dashboard measurements made in it — shared
 * by the browser tests (test/dashboard/) and the benchmark row (dashboard.bench.ts), so the
 * figure the harness reports is measured exactly as the test measures it.
 */
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * A headless Chromium with a fresh profile in `userDataDir`, nothing phoning home, and
 * `extraHosts` resolved to 127.0.0.1 by the browser itself (to play a DNS-rebinding attacker's
 * name without any DNS).
 */
export async function launchChromium(userDataDir: string, extraHosts: string[] = []): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--use-gl=swiftshader',
    '--enable-unsafe-swiftshader',
  ];
  if (extraHosts.length > 0)
    args.push(`--host-resolver-rules=${extraHosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`);
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    acceptDownloads: true,
    viewport: { width: 1280, height: 860 },
  });
}

/**
 * Time from a camera notification to the page, ms, `samples` times: the emulated Sequoia's
 * sunshine sensor is unplugged/plugged through its emulator control (the camera then sends its
 * WebSocket notification), and the page's event log row for it records when the page received
 * it (`data-received-at`, Date.now() in the page; same machine clock as here).
 * The page must show the Sequoia's event log.
 */
export async function measureNotificationLatency(page: Page, sequoiaUrl: string, samples: number): Promise<number[]> {
  const out: number[] = [];
  let connected = false;
  for (let i = 0; i < samples; i++) {
    const before = await page.evaluate<number>(
      "Math.max(0, ...[...document.querySelectorAll('.log li')].map((li) => Number(li.dataset.seq)))",
    );
    const want = connected ? 'sunshine connected' : 'sunshine disconnected';
    const t0 = Date.now();
    const r = await fetch(`${sequoiaUrl}/_emulator/sunshine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connected }),
    });
    if (!r.ok) throw new Error(`emulator control answered ${r.status}`);
    await r.arrayBuffer();
    const receivedAt = await waitForExpression<number>(
      page,
      `(() => {
        for (const li of document.querySelectorAll('.log li')) {
          if (Number(li.dataset.seq) > ${before} && li.textContent.includes(${JSON.stringify(want)})) return Number(li.dataset.receivedAt);
        }
        return false;
      })()`,
      10_000,
    );
    out.push(receivedAt - t0);
    connected = !connected;
  }
  if (connected) {
    // The last step unplugged the sensor: plug it back in, as found.
    await fetch(`${sequoiaUrl}/_emulator/sunshine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"connected":true}',
    }).then((r) => r.arrayBuffer());
  }
  return out;
}

/**
 * Polls a JavaScript expression in the page until it is truthy; returns its value. Expressions are
 * strings because this file compiles for Node (no DOM types), and polled from here because the
 * dashboard's CSP rightly forbids the string `eval` that `page.waitForFunction(string)` needs.
 */
export async function waitForExpression<T>(page: Page, expression: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await page.evaluate<unknown>(expression);
    if (v) return v as T;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression.slice(0, 120)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

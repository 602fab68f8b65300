import { WebSocket } from 'ws';
import { ManualClock } from '../../src/util/clock.js';
import {
  startSequoiaEmulator,
  type RunningSequoiaEmulator,
  type SequoiaEmulatorOptions,
} from '../../src/emulator/sequoia/emulator.js';
import { tempDir } from './tmp.js';

export interface TestSequoia extends RunningSequoiaEmulator {
  clock: ManualClock;
  get(path: string, init?: RequestInit): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  post(path: string, body: unknown): Promise<{ status: number; body: any; text: string }>;
  stop(): Promise<void>;
}

/** An emulated Sequoia on 127.0.0.1 port 0 over a temp dir, with injected time. */
export async function startTestSequoia(
  opts: Partial<SequoiaEmulatorOptions> = {},
  existingDir?: string,
): Promise<TestSequoia> {
  const tmp = existingDir ? { dir: existingDir, cleanup: async () => undefined } : await tempDir('camctl-seq-');
  const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock();
  const cam = await startSequoiaEmulator({ dataDir: tmp.dir, httpPort: 0, clock, ...opts });
  const get = async (p: string, init?: RequestInit) => {
    const r = await fetch(cam.url + p, init);
    const text = await r.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: r.status, body, text, headers: r.headers };
  };
  const post = async (p: string, b: unknown) => {
    const r = await fetch(cam.url + p, {
      method: 'POST',
      body: typeof b === 'string' ? b : JSON.stringify(b),
      headers: { 'content-type': 'application/json' },
    });
    const text = await r.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: r.status, body, text };
  };
  return Object.assign(cam, {
    clock,
    get,
    post,
    async stop() {
      await cam.close();
      await tmp.cleanup();
    },
  });
}

/** Collects WebSocket messages from the emulator, answering pings as the API reference's client does (unless `answerPings` is false). */
export async function openWs(
  url: string,
  answerPings = true,
): Promise<{
  ws: WebSocket;
  messages: any[];
  next: (pred: (m: any) => boolean, timeoutMs?: number) => Promise<any>;
  close: () => void;
}> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/websocket');
  const messages: any[] = [];
  const waiters: Array<{ pred: (m: any) => boolean; resolve: (m: any) => void }> = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    messages.push(m);
    if (answerPings && m.status === 'ping') ws.send('pong');
    for (const w of waiters.slice()) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    next(pred, timeoutMs = 10_000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no matching websocket message; got ${JSON.stringify(messages)}`)),
          timeoutMs,
        );
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(t);
            resolve(m);
          },
        });
      });
    },
    close: () => ws.close(),
  };
}

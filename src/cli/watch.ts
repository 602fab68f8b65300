/**
 * `camctl watch`: the camera's notifications as they come, one line each (NDJSON with --json),
 * surviving link drops (reconnects with backoff; state changes missed meanwhile are reported).
 */
import type { Command } from 'commander';
import type { CameraEvent } from '../camera/types.js';
import { interruptSignal, note, printJson, withCamera } from './context.js';
import { describeEvent } from '../camera/describe-event.js';

export function register(program: Command): void {
  program
    .command('watch')
    .description('print camera notifications until interrupted (NDJSON with --json)')
    .option('--no-reconnect', 'exit when the link drops instead of reconnecting')
    .option('--raw', 'print the protocol messages as received (with --json)')
    .addHelpText('after', '\nExamples:\n  camctl watch\n  camctl watch --json | jq -c \'select(.type == "capture")\'')
    .action(async (opts: { reconnect: boolean; raw?: boolean }, cmd: Command) => {
      await withCamera(cmd, async (camera, g) => {
        const { signal, dispose } = interruptSignal();
        try {
          // Said once the camera answered, so silence afterwards means "no news", not "no camera".
          const info = await camera.info({ signal });
          note(g, `connected to ${info.model} at ${camera.address}; watching (Ctrl-C to stop)`);
          for await (const ev of camera.events({ signal, reconnect: opts.reconnect })) {
            if (g.json) printJson(jsonLine(ev, !!opts.raw));
            else process.stdout.write(`${clock()} ${describeEvent(ev)}\n`);
          }
        } finally {
          dispose();
        }
      });
    });
}

function jsonLine(ev: CameraEvent, raw: boolean): Record<string, unknown> {
  const { raw: r, ...rest } = ev as CameraEvent & { raw?: unknown };
  const line: Record<string, unknown> = { time: new Date().toISOString(), ...rest };
  if (raw && r !== undefined) line.raw = r;
  return line;
}

function clock(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}


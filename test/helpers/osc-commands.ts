/**
 * The outcome of an OSC command that answered `inProgress`: polls `/osc/commands/status` (OSC
 * v2 "Commands/Status") until the command is done or failed, and returns that reply.
 */
import { wallClock } from '../../src/util/clock.js';

export async function commandOutcome(baseUrl: string, id: string): Promise<Record<string, any>> {
  for (;;) {
    const r = await fetch(`${baseUrl}/osc/commands/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ id }),
    });
    const reply = (await r.json()) as Record<string, any>;
    if (reply['state'] !== 'inProgress') return reply;
    await wallClock.sleep(50);
  }
}

/**
 * `-v` on the servers camctl runs (`emulate`, `ui`): the protocol side of what they serve, one
 * line on stderr per HTTP request once it is answered (`GET /status → 200`) and per WebSocket
 * upgrade, so a person can see what a client asked and what it got.
 */
import type { Server } from 'node:http';

/** Logs every request `server` answers, prefixed with `label`, through `write` (stderr by default). */
export function logRequests(
  server: Server,
  label: string,
  write: (line: string) => void = (line) => void process.stderr.write(line),
): void {
  server.on('request', (req, res) => {
    res.once('finish', () => write(`${label}: ${req.method ?? '?'} ${req.url ?? ''} → ${res.statusCode}\n`));
  });
  server.on('upgrade', (req) => write(`${label}: ${req.method ?? '?'} ${req.url ?? ''} → WebSocket upgrade\n`));
}

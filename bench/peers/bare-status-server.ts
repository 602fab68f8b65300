/**
 * The peer of the `GET /status` benchmark: the least a node:http server can do to answer the same
 * JSON — parse nothing, route nothing, `JSON.stringify` the object and send it. Run as a child:
 *
 *   node dist/bench/peers/bare-status-server.js <file.json> [path]
 *
 * It serves the object in <file.json> at [path] (default /status) on 127.0.0.1, a free port, and
 * prints one line `{"event":"listening","http":"http://127.0.0.1:PORT"}` when ready, like the
 * emulator does. The object is stringified per request because the emulator also builds each
 * answer afresh (its status moves); sending a cached buffer would compare against a static file.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [file, route = '/status'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: bare-status-server.js <file.json> [path]\n');
  process.exit(2);
}
const body: unknown = JSON.parse(readFileSync(file, 'utf8'));

const server = createServer((req, res) => {
  if (req.url === route && req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  } else {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"error":"not found"}');
  }
});
server.listen({ host: '127.0.0.1', port: 0 }, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'listening', http: `http://127.0.0.1:${port}` })}\n`);
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => server.close(() => process.exit(0)));

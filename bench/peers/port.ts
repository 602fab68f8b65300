/**
 * A free TCP port on 127.0.0.1 for peers that cannot be told "port 0" (nginx needs a number in its
 * config). The kernel picks it; the port is released before returning, so a caller must retry if
 * someone else grabs it in between (startNginx does).
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

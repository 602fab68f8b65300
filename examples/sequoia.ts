// camctl/sequoia: the Sequoia's own HTTP API and WebSocket notifications, typed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSequoiaEmulator } from 'camctl/emulator';
import { SequoiaClient } from 'camctl/sequoia';

const dir = await mkdtemp(join(tmpdir(), 'camctl-example-'));
const emulator = await startSequoiaEmulator({ dataDir: dir, httpPort: 0 });
const { hostname, port } = new URL(emulator.url);
const sequoia = new SequoiaClient({ host: hostname, port: Number(port) }); // a real one: { host: '192.168.47.1' }
try {
  const { gps } = await sequoia.getStatus();
  console.log(`GPS: ${gps.satellite_number} satellites, fix ${gps.fix}`);
  // Take a picture once the notifications are flowing, and follow it until the camera is ready again.
  for await (const item of sequoia.events()) {
    if (item.kind === 'connection' && item.state === 'open') await sequoia.startCapture();
    if (item.kind !== 'notification') continue;
    console.log('notification:', JSON.stringify(item.message));
    if ('capture' in item.message && item.message.capture === 'ready') break;
  }
} finally {
  sequoia.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
}

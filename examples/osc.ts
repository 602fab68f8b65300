// camctl/osc: the Open Spherical Camera API of the RICOH THETA (v2.0 and v2.1).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startThetaEmulator } from 'camctl/emulator';
import { OscClient } from 'camctl/osc';

const dir = await mkdtemp(join(tmpdir(), 'camctl-example-'));
const emulator = await startThetaEmulator({ dataDir: join(dir, 'camera'), httpPort: 0, speed: 20 });
const theta = new OscClient({ baseUrl: emulator.url }); // a real one: http://192.168.1.1
try {
  const { info, api } = await theta.connect(); // switches a THETA S from v2.0 to v2.1
  console.log(`${info.model} ${info.firmwareVersion}, OSC API v2.${api === 2 ? 1 : 0}`);
  const fileUrl = await theta.takePicture(); // waits while the camera stitches
  const { bytes } = await theta.download(fileUrl, createWriteStream(join(dir, 'picture.jpg')));
  console.log(`${fileUrl}: ${bytes} bytes`);
} finally {
  await theta.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
}

// camctl: one Camera interface for every camera and protocol. Here it drives an emulated Sequoia;
// give openCamera 'sequoia://192.168.47.1' (or theta://, ptpip://, usb:) for a real camera.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CameraError, openCamera } from 'camctl';
import { startSequoiaEmulator } from 'camctl/emulator';

const dir = await mkdtemp(join(tmpdir(), 'camctl-example-'));
const emulator = await startSequoiaEmulator({ dataDir: join(dir, 'camera'), httpPort: 0 });
const camera = await openCamera(`sequoia://${new URL(emulator.url).host}`);
try {
  const info = await camera.info();
  console.log(`${info.model}, firmware ${info.firmware}`);
  const shot = await camera.capture();
  for (const file of shot.files) {
    const saved = await camera.download(file.path, join(dir, file.name));
    console.log(`${file.path} → ${saved.size} bytes`);
  }
  await camera.setConfig({ capture_mode: 'no such mode' });
} catch (err) {
  if (!(err instanceof CameraError)) throw err;
  console.log(`the camera said no: ${err.code}`); // BAD_VALUE: checked before anything is sent
} finally {
  await camera.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
}

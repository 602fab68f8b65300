// camctl/emulator: cameras for tests. With a ManualClock the camera's time moves only when you
// say so: the THETA's ≈ 4 s of stitching pass in an instant, and nothing depends on timing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { ManualClock, startThetaEmulator } from 'camctl/emulator';
import { OscClient } from 'camctl/osc';

const dir = await mkdtemp(join(tmpdir(), 'camctl-example-'));
const clock = new ManualClock();
const emulator = await startThetaEmulator({ dataDir: dir, httpPort: 0, clock });
const theta = new OscClient({ baseUrl: emulator.url });
try {
  await theta.connect();
  const started = await theta.execute('camera.takePicture');
  console.log(`takePicture: ${started.state}`); // inProgress: the camera is stitching
  await clock.advance(10_000); // 10 s of the camera's time; the picture is being written
  let status = started;
  while (status.state === 'inProgress') {
    await setTimeout(50);
    status = await theta.commandStatus(started.id!);
  }
  console.log(`then: ${status.state}, ${String(status.results?.['fileUrl'])}`);
} finally {
  await theta.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
}

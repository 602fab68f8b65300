// camctl/emulator: cameras for tests. With a ManualClock the camera's time moves only when you
// say so: the THETA's ≈ 4 s of stitching passes in an instant, and nothing depends on timing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { ManualClock, startThetaEmulator } from 'camctl/emulator';

const dir = await mkdtemp(join(tmpdir(), 'camctl-example-'));
const clock = new ManualClock();
const theta = await startThetaEmulator({ dataDir: dir, httpPort: 0, clock });
const execute = async (path: string, body: object) => {
  const reply = await fetch(theta.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await reply.json()) as { id?: string; state: string; results?: { fileUrl?: string; fileUri?: string } };
};
try {
  const { results } = await execute('/osc/commands/execute', { name: 'camera.startSession', parameters: {} });
  const sessionId = (results as { sessionId: string }).sessionId;
  const started = await execute('/osc/commands/execute', { name: 'camera.takePicture', parameters: { sessionId } });
  console.log(`takePicture: ${started.state}`); // inProgress: the camera is stitching
  await clock.advance(10_000); // the camera's 10 s: stitching is over, the JPEG is being written
  let status = await execute('/osc/commands/status', { id: started.id });
  while (status.state === 'inProgress') {
    await setTimeout(50);
    status = await execute('/osc/commands/status', { id: started.id });
  }
  console.log(`10 s later: ${status.state}, ${status.results?.fileUri}`);
} finally {
  await theta.close();
  await rm(dir, { recursive: true, force: true });
}

// camctl/ptp: PTP (ISO 15740) over IP — the same operations work over USB with PtpUsbClient.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSequoiaEmulator } from 'camctl/emulator';
import { PtpIpClient, codeName } from 'camctl/ptp';

const dir = await mkdtemp(join(tmpdir(), 'camctl-example-'));
const emulator = await startSequoiaEmulator({ dataDir: dir, httpPort: 0, ptpipPort: 0 });
const [host, port] = emulator.ptpip!.split(':') as [string, string];
const ptp = await PtpIpClient.connect({ host, port: Number(port) }); // a real Sequoia: { host: '192.168.47.1' }
try {
  const device = ptp.deviceInfo!;
  console.log(`${device.manufacturer} ${device.model}, ${device.operationsSupported.length} operations`);
  const vendor = device.vendorExtensionId;
  console.log(device.devicePropertiesSupported.map((code) => codeName('property', code, vendor)).join(', '));
  for (const id of await ptp.getStorageIds()) console.log((await ptp.getStorageInfo(id)).storageDescription);
} finally {
  await ptp.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
}

/**
 * `camctl detect`: the PTP cameras on USB, each with the address to pass (`usb:001:004`). It reads
 * the USB bus and nothing else: camctl never probes a network address on its own, so Wi-Fi
 * cameras are not looked for.
 *
 * A machine without a USB bus (a container, CI) has nothing to detect: that is said plainly on
 * stderr and the command succeeds with an empty list (`[]` with --json), so scripts can run it
 * anywhere and only have to look at the list.
 */
import type { Command } from 'commander';
import { globals, note, output, reportErrors } from './context.js';
import { table } from './format.js';
import type { DetectJson } from './json-shapes.js';

export function register(program: Command): void {
  program
    .command('detect')
    .description('list PTP cameras on USB with their usb:BUS:DEV addresses (never probes the network)')
    .addHelpText(
      'after',
      "\nExamples:\n  camctl detect\n  camctl detect --json | jq -r '.[0].address'\n  camctl --camera \"$(camctl detect --json | jq -r '.[0].address')\" info",
    )
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      await reportErrors(g, async () => {
        const { detectUsbCameras } = await import('../camera/usb.js');
        const { unavailable, cameras } = await detectUsbCameras();
        // `unreadable` is always there (null when the descriptors were read), as --json promises.
        const listed: DetectJson = cameras.map((c) => ({ ...c, unreadable: c.unreadable ?? null }));
        output(g, listed, () =>
          cameras.length === 0
            ? ''
            : table([
                ['Address', 'ID', 'Manufacturer', 'Product', 'Serial'],
                ...cameras.map((c) => [c.address, c.usbId, c.manufacturer ?? '-', c.product ?? '-', c.serial ?? '-']),
              ]),
        );
        // -v: what was looked at on the bus, and each camera's USB identity, as lsusb would name it.
        if (g.verbose && !g.json) {
          if (unavailable === undefined)
            process.stderr.write(
              `camctl: looked for still-image class (PTP) interfaces on the USB bus: ${cameras.length} found\n`,
            );
          for (const c of cameras)
            process.stderr.write(
              `camctl: ${c.address}: bus ${c.bus} device ${c.device}, vendor 0x${c.vendorId.toString(16).padStart(4, '0')} product 0x${c.productId.toString(16).padStart(4, '0')}, a still-image class (PTP) interface\n`,
            );
        }
        if (unavailable !== undefined) note(g, `camctl: ${unavailable}; no camera to detect`);
        else if (cameras.length === 0)
          note(g, 'camctl: no PTP camera on USB (switched on? in PTP mode, not mass storage?)');
        // Known cameras whose descriptors could not be read: usually permissions, which opening them explains.
        for (const c of cameras)
          if (c.unreadable !== undefined)
            note(
              g,
              `camctl: ${c.address} (${c.usbId}) cannot be read: ${c.unreadable}; see "PTP over USB" in the README for the udev rule`,
            );
        // After the table, so a person reads the hint where the list ends.
        const first = cameras[0];
        if (first) note(g, `Pass one with --camera, e.g. camctl --camera ${first.address} info`);
      });
    });
}

/**
 * `camctl emulate sequoia`: runs the emulated Parrot Sequoia until SIGINT/SIGTERM.
 * Prints exactly one JSON line on stdout once listening, then logs to stderr.
 */
import type { Command } from 'commander';
import { DEFAULT_MAX_WEBSOCKET_CLIENTS } from '../emulator/sequoia/websocket-limits.js';
import { logRequests } from './request-log.js';
import {
  addLinkOptions,
  closeOnSignal,
  linkOptionsFrom,
  listenError,
  parseBytes,
  parseCount,
  parseNumberOption,
  parsePort,
  type LinkFlags,
} from './emulate-options.js';

interface SequoiaEmulateFlags extends LinkFlags {
  host: string;
  httpPort: string;
  ptpipPort?: string;
  dataDir?: string;
  speed: string;
  internalCapacity?: string;
  sdCapacity?: string;
  sd: boolean;
  sunshine: boolean;
  gpsFixAfter: string;
  maxWsClients: string;
}

export function registerSequoia(emulate: Command): void {
  const command = emulate
    .command('sequoia')
    .description('emulated Parrot Sequoia: HTTP + WebSocket API (and PTP/IP with --ptpip-port) over real files')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--http-port <n>', 'HTTP port (0 = any free port; the camera uses 80)', '0')
    .option('--ptpip-port <n>', 'also serve PTP/IP on this port (0 = any free port; the camera uses 15740)')
    .option('--data-dir <dir>', 'media and settings directory (default: ~/.local/share/camctl/sequoia)')
    .option('--speed <x>', 'run simulated time x times faster than real time', '1');
  addLinkOptions(command)
    .option('--internal-capacity <size>', 'internal memory size, e.g. 64GB')
    .option('--sd-capacity <size>', 'SD card size, e.g. 8GB')
    .option('--no-sd', 'start without an SD card')
    .option('--no-sunshine', 'start without the sunshine sensor')
    .option('--gps-fix-after <seconds>', 'simulated seconds until the GPS gets a fix', '30')
    .option(
      '--max-ws-clients <n>',
      'most WebSocket clients at once; the next gets 503',
      String(DEFAULT_MAX_WEBSOCKET_CLIENTS),
    )
    .addHelpText(
      'after',
      `
The emulator prints one line once listening, e.g.
  {"event":"listening","model":"sequoia","http":"http://127.0.0.1:40123"}
then logs to stderr. Emulator controls (SD card, fill, sunshine, GPS, track, link) are under
/_emulator/ — see the README.

Examples:
  camctl emulate sequoia --http-port 8080
  camctl emulate sequoia --data-dir /tmp/seq --ptpip-port 15740 --speed 10
  camctl emulate sequoia --latency 20 --bandwidth 3MB   # like the camera's 802.11g link (shared by all connections)`,
    )
    .action(async (flags: SequoiaEmulateFlags, cmd: Command) => {
      const { startSequoiaEmulator } = await import('../emulator/sequoia/emulator.js');
      const options = {
        host: flags.host,
        httpPort: parsePort(flags.httpPort, '--http-port'),
        speed: parseNumberOption(flags.speed, '--speed', { min: 0.001, max: 100_000 }),
        ...linkOptionsFrom(flags),
        sdPresent: flags.sd,
        sunshineConnected: flags.sunshine,
        gpsFixAfterMs: parseNumberOption(flags.gpsFixAfter, '--gps-fix-after', { min: 0, max: 1e7 }) * 1000,
        maxWebSocketClients: parseCount(flags.maxWsClients, '--max-ws-clients', { min: 1, max: 1_000_000 }),
        ...(flags.ptpipPort !== undefined ? { ptpipPort: parsePort(flags.ptpipPort, '--ptpip-port') } : {}),
        ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
        ...(flags.internalCapacity !== undefined
          ? { internalCapacityBytes: parseBytes(flags.internalCapacity, '--internal-capacity') }
          : {}),
        ...(flags.sdCapacity !== undefined ? { sdCapacityBytes: parseBytes(flags.sdCapacity, '--sd-capacity') } : {}),
      };
      const cam = await startSequoiaEmulator(options).catch((err: unknown) => {
        throw listenError(err);
      });
      const ready: Record<string, string> = { event: 'listening', model: 'sequoia', http: cam.url };
      if (cam.ptpip) ready.ptpip = cam.ptpip;
      process.stdout.write(`${JSON.stringify(ready)}\n`);
      process.stderr.write(
        `emulated Sequoia ${cam.device.serialNumber} listening on ${cam.url}${cam.ptpip ? ` (PTP/IP ${cam.ptpip})` : ''}, data in ${cam.dataDir}\n`,
      );
      const host = cam.url.replace(/^http:\/\//, '');
      // -q: no hints of what to try, only what happens.
      if (!cmd.optsWithGlobals<{ quiet?: boolean }>().quiet)
        process.stderr.write(
          [
            'try:',
            `  curl ${cam.url}/status`,
            `  curl ${cam.url}/capture/start && curl ${cam.url}/file/internal`,
            `  camctl --camera sequoia://${host} status`,
            `  camctl --camera sequoia://${host} capture --download ./pictures`,
            `  python3 your_seed_script.py   # with sequoia_ip = '${host}'`,
            '',
          ].join('\n'),
        );
      // -v: every request the camera answers (what a client asked and got).
      if (cmd.optsWithGlobals<{ verbose?: boolean }>().verbose) logRequests(cam.http.server, 'http');
      cam.http.websocket.on('notification', (n) => process.stderr.write(`notification ${JSON.stringify(n)}\n`));
      cam.http.on('websocket-dropped', (d) =>
        process.stderr.write(`websocket client ${d.peer} dropped: ${d.reason}\n`),
      );
      cam.device.on('file-added', (f) =>
        process.stderr.write(`wrote /${f.medium}/${f.folder}/${f.name} (${f.size} bytes)\n`),
      );
      await closeOnSignal(() => cam.close());
    });
}

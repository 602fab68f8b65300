/**
 * `camctl emulate theta`: runs the emulated RICOH THETA S (OSC API v2.0 / v2.1) until SIGINT/SIGTERM.
 * Prints exactly one JSON line on stdout once listening, then logs to stderr.
 */
import type { Command } from 'commander';
import { CliError } from './errors.js';
import { logRequests } from './request-log.js';
import { isAuthority } from '../osc/camera-url.js';
import {
  addLinkOptions,
  closeOnSignal,
  linkOptionsFrom,
  listenError,
  parseBytes,
  parseNumberOption,
  parsePort,
  type LinkFlags,
} from './emulate-options.js';

interface ThetaEmulateFlags extends LinkFlags {
  host: string;
  httpPort: string;
  ptpipPort?: string;
  dataDir?: string;
  speed: string;
  auth?: string;
  user?: string;
  password?: string;
  serial?: string;
  firmware?: string;
  capacity?: string;
  battery: string;
  charging?: boolean;
  advertisedHost?: string;
}

export function registerTheta(emulate: Command): void {
  const command = emulate
    .command('theta')
    .description(
      'emulated RICOH THETA S: OSC API v2.0 and v2.1 (sessions, capture, files, live preview) over real files',
    )
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--http-port <n>', 'HTTP port (0 = any free port; the camera uses 80)', '0')
    .option('--ptpip-port <n>', 'also serve PTP/IP with the Ricoh extension on this port (0 = any free port)')
    .option('--data-dir <dir>', 'media directory (default: ~/.local/share/camctl/theta)')
    .option('--speed <x>', 'run simulated time x times faster than real time', '1');
  addLinkOptions(command)
    .option('--auth <scheme>', 'require HTTP authentication: digest (as THETA V/Z1 in client mode)')
    .option('--user <name>', 'user name for --auth digest (the camera uses its SSID, e.g. THETAYL00105377)')
    .option('--password <password>', 'password for --auth digest')
    .option('--serial <digits>', 'serial number, 8 digits', '00301770')
    .option(
      '--firmware <version>',
      'S firmware to emulate, 01.11 or later (before 01.62: API v2.0 only; before 01.42: no self-timer)',
      '01.90',
    )
    .option('--capacity <size>', 'storage size, e.g. 8GB')
    .option('--battery <level>', 'initial battery charge 0…1', '1')
    .option('--charging', 'run on the charger (batteryState charging/charged)')
    .option(
      '--advertised-host <host[:port]>',
      'host written into the URLs it hands out (storageUri, fileUrl), as the real camera writes 192.168.1.1 (default: the address it was reached at)',
    )
    .addHelpText(
      'after',
      `
The emulator prints one line once listening, e.g.
  {"event":"listening","model":"theta","http":"http://127.0.0.1:40123"}
then logs to stderr. It boots in API v2.0 (sessions); setOptions {clientVersion: 2} switches to v2.1
(firmware 01.62 and later; --firmware 01.42 emulates an S that has v2.0 only).
The real camera answers at http://192.168.1.1 (port 80) on its own Wi-Fi. The emulated link
(latency, bandwidth) can be changed at run time with POST /_emulator/link, and after a PTP
PowerDown, POST /_emulator/power {"on": true} switches it on again — see the README.

Examples:
  camctl emulate theta --http-port 8080
  camctl emulate theta --data-dir /tmp/theta --speed 10
  camctl emulate theta --firmware 01.42          an early S: API v2.0 only
  camctl emulate theta --auth digest --user THETAYL00105377 --password 00105377
  camctl emulate theta --latency 10 --bandwidth 2MB   # a Wi-Fi link, shared by all connections`,
    )
    .action(async (flags: ThetaEmulateFlags, cmd: Command) => {
      let auth: { user: string; password: string } | undefined;
      if (flags.auth !== undefined) {
        if (flags.auth !== 'digest') throw new CliError(`--auth must be "digest", got ${JSON.stringify(flags.auth)}`);
        if (!flags.user || flags.password === undefined)
          throw new CliError('--auth digest needs --user and --password');
        auth = { user: flags.user, password: flags.password };
      } else if (flags.user !== undefined || flags.password !== undefined) {
        throw new CliError('--user and --password need --auth digest');
      }
      if (flags.advertisedHost !== undefined && !isAuthority(flags.advertisedHost))
        throw new CliError(`--advertised-host must be host or host:port, got ${JSON.stringify(flags.advertisedHost)}`);
      if (flags.serial !== undefined && !/^\d{8}$/.test(flags.serial))
        throw new CliError(`--serial must be 8 digits, got ${JSON.stringify(flags.serial)}`);
      if (flags.firmware !== undefined) {
        const { firmwareLevel } = await import('../devices/theta/firmware.js');
        try {
          firmwareLevel(flags.firmware);
        } catch (err) {
          // "firmware: must read like 01.62 …" → "--firmware must read like 01.62 …"
          throw new CliError(`--${(err as Error).message.replace(/^firmware: /, 'firmware ')}`);
        }
      }
      const { startThetaEmulator } = await import('../emulator/theta/emulator.js');
      const options = {
        host: flags.host,
        httpPort: parsePort(flags.httpPort, '--http-port'),
        ...(flags.ptpipPort !== undefined ? { ptpipPort: parsePort(flags.ptpipPort, '--ptpip-port') } : {}),
        speed: parseNumberOption(flags.speed, '--speed', { min: 0.001, max: 100_000 }),
        ...linkOptionsFrom(flags),
        battery: parseNumberOption(flags.battery, '--battery', { min: 0, max: 1 }),
        power: flags.charging ? ('charger' as const) : ('battery' as const),
        ...(flags.serial !== undefined ? { serialNumber: flags.serial } : {}),
        ...(flags.firmware !== undefined ? { firmware: flags.firmware } : {}),
        ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
        ...(flags.capacity !== undefined ? { capacityBytes: parseBytes(flags.capacity, '--capacity') } : {}),
        ...(auth ? { auth } : {}),
        ...(flags.advertisedHost !== undefined ? { advertisedHost: flags.advertisedHost } : {}),
      };
      const cam = await startThetaEmulator(options).catch((err: unknown) => {
        throw listenError(err);
      });
      process.stdout.write(
        `${JSON.stringify({ event: 'listening', model: 'theta', http: cam.url, ...(cam.ptpip ? { ptpip: cam.ptpip } : {}) })}\n`,
      );
      process.stderr.write(
        `emulated RICOH THETA S ${cam.device.serialNumber} (firmware ${cam.device.firmwareVersion}) listening on ${cam.url}, data in ${cam.dataDir}\n`,
      );
      const host = cam.url.replace(/^http:\/\//, '');
      // -q: no hints of what to try, only what happens.
      if (!cmd.optsWithGlobals<{ quiet?: boolean }>().quiet)
        process.stderr.write(
          [
            'try:',
            `  curl ${cam.url}/osc/info`,
            `  curl -X POST ${cam.url}/osc/state`,
            `  camctl --camera theta://${host} capture`,
            '',
          ].join('\n'),
        );
      // -v: every request the camera answers (what a client asked and got).
      if (cmd.optsWithGlobals<{ verbose?: boolean }>().verbose) logRequests(cam.osc.server, 'http');
      cam.device.on('file', (f: { folder: string; name: string; size: number }) =>
        process.stderr.write(`wrote ${f.folder}/${f.name} (${f.size} bytes)\n`),
      );
      await closeOnSignal(() => cam.close());
    });
}

/**
 * `camctl ui`: the web dashboard on this machine, until SIGINT/SIGTERM. Prints its address as the
 * first line on stdout (`camctl dashboard: http://127.0.0.1:PORT/`); everything else goes to stderr.
 */
import type { Command } from 'commander';
import { CliError } from './errors.js';
import { closeOnSignal, listenError, parsePort } from './emulate-options.js';

interface UiFlags {
  host: string;
  port?: string;
  demo?: boolean;
  dataDir?: string;
  cacheDir?: string;
}

/** The port tried first when none is given; another free one is taken when it is in use. */
export const PREFERRED_PORT = 8787;

export function register(program: Command): void {
  // `--camera` is also the root program's option (one camera); commander hands every occurrence
  // to the root, so collect them here to let `ui` take several.
  const cameraFlags: string[] = [];
  program.on('option:camera', (value: string) => cameraFlags.push(value));

  program
    .command('ui')
    .description('web dashboard for your cameras on http://127.0.0.1 (with --demo: on emulated cameras)')
    .argument('[address...]', 'more camera addresses (same as --camera)')
    .option(
      '--host <address>',
      'address to bind; anything but loopback lets that network drive your cameras',
      '127.0.0.1',
    )
    .option(
      '--port <n>',
      `port (default ${PREFERRED_PORT}, or any free port when that one is taken; 0 = any free port)`,
    )
    .option('--demo', 'also start an emulated Sequoia and an emulated THETA in-process and show them')
    .option(
      '--data-dir <dir>',
      'with --demo: where the emulated cameras keep their media (default ~/.local/share/camctl/demo)',
    )
    .option('--cache-dir <dir>', 'thumbnail and preview cache (default: $TMPDIR/camctl-dashboard-<uid>)')
    .addHelpText(
      'after',
      `
Cameras come from --camera (repeatable), the arguments, and CAMCTL_CAMERA; more can be added in
the page by address. The dashboard talks to the cameras itself; the browser only talks to it.

It accepts only requests addressed to its own host:port (no DNS rebinding) and state-changing
requests from its own page (no cross-site requests); it sends no CORS headers.

Examples:
  camctl ui --demo
  camctl ui --camera sequoia://192.168.47.1
  camctl ui --camera theta://192.168.1.1 --port 9000`,
    )
    .action(async (addresses: string[], flags: UiFlags, cmd: Command) => {
      const { startDashboard } = await import('../dashboard/server.js');
      const cameras = [...cameraFlags, ...addresses];
      if (cameras.length === 0 && process.env.CAMCTL_CAMERA) cameras.push(process.env.CAMCTL_CAMERA);
      const { parseCameraAddress } = await import('../camera/address.js');
      for (const c of cameras) {
        try {
          parseCameraAddress(c);
        } catch (err) {
          throw new CliError((err as Error).message, 2);
        }
      }
      const explicitPort = flags.port !== undefined ? parsePort(flags.port, '--port') : undefined;

      let demo: import('../dashboard/demo.js').RunningDemo | undefined;
      if (flags.demo) {
        const { startDemo } = await import('../dashboard/demo.js');
        demo = await startDemo(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {});
        cameras.unshift(...demo.cameras.map((c) => c.address));
      }
      const base = { host: flags.host, cameras, ...(flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}) };
      let dash;
      let fellBack = false;
      try {
        try {
          dash = await startDashboard({ ...base, port: explicitPort ?? PREFERRED_PORT });
        } catch (err) {
          if (explicitPort !== undefined || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
          dash = await startDashboard({ ...base, port: 0 });
          fellBack = true;
        }
      } catch (err) {
        await demo?.close();
        throw listenError(err);
      }
      process.stdout.write(`camctl dashboard: ${dash.url}\n`);
      // -v: every request the dashboard answers (its page, API and live streams).
      if (cmd.optsWithGlobals<{ verbose?: boolean }>().verbose) {
        const { logRequests } = await import('./request-log.js');
        logRequests(dash.server, 'dashboard');
      }
      // A bookmark of :8787 would not find it: say why it is elsewhere.
      if (fellBack)
        process.stderr.write(
          `port ${PREFERRED_PORT} is in use (another dashboard?), so the dashboard took ${new URL(dash.url).port}; --port chooses one\n`,
        );
      if (!dash.uiBuilt)
        process.stderr.write('warning: the page is not built, only the API answers: run `npm run build`\n');
      if (demo) {
        for (const c of demo.cameras) process.stderr.write(`demo camera: ${c.address}\n`);
        for (const s of demo.skipped) process.stderr.write(`demo: skipped ${s}\n`);
      }
      // -q: the address line alone, no list of the cameras it was given.
      if (!cmd.optsWithGlobals<{ quiet?: boolean }>().quiet)
        for (const c of cameras)
          if (!demo?.cameras.some((d) => d.address === c)) process.stderr.write(`camera: ${c}\n`);
      await closeOnSignal(async () => {
        await dash.close();
        await demo?.close();
      });
    });
}

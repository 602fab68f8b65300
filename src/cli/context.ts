/**
 * What every camera command shares: reading the global options, opening the camera named by
 * `--camera`/`CAMCTL_CAMERA` (never a default address — camctl does not connect anywhere on its
 * own), printing for people or as JSON, and turning coded errors into one line on stderr.
 *
 * Heavy modules (the camera adapters, ws, cli-progress) are imported lazily so `camctl --help`
 * and friends start fast.
 */
import { setMaxListeners } from 'node:events';
import type { Command } from 'commander';
import type { Camera } from '../camera/types.js';
import { CliError } from './errors.js';

export interface GlobalOptions {
  camera: string | undefined;
  json: boolean;
  timeoutMs: number;
  quiet: boolean;
  verbose: boolean;
  /** `--osc-api`: the OSC API level a THETA must be used at. */
  oscApi?: '2.0' | '2.1';
}

export const NO_CAMERA_MESSAGE =
  'no camera given: use --camera sequoia://192.168.47.1 (or set CAMCTL_CAMERA); camctl never picks an address on its own';

/**
 * Codes that mean the user asked for something impossible (exit 2) rather than a camera failure
 * (exit 1): the Camera layer's, a bad `s3://` target, a bad argument to the Sequoia client, a bad option.
 */
const USAGE_CODES = new Set([
  'BAD_ADDRESS',
  'UNKNOWN_SCHEME',
  'UNKNOWN_SETTING',
  'BAD_VALUE',
  'BAD_PATH',
  'UNSUPPORTED',
  'ERR_CAMCTL_S3_BAD_ARGUMENT',
  'ERR_CAMCTL_SEQUOIA_BAD_ARGUMENT',
  'ERR_CAMCTL_INVALID_OPTION',
]);

export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{
    camera?: string;
    json?: boolean;
    timeout?: string;
    quiet?: boolean;
    verbose?: boolean;
    oscApi?: string;
  }>();
  const timeoutText = o.timeout ?? '10';
  const seconds = Number(timeoutText);
  if (!(Number.isFinite(seconds) && seconds > 0))
    throw new CliError(`--timeout must be a positive number of seconds, got ${JSON.stringify(timeoutText)}`, 2);
  const camera = o.camera ?? (process.env.CAMCTL_CAMERA || undefined);
  if (o.oscApi !== undefined && o.oscApi !== '2.0' && o.oscApi !== '2.1')
    throw new CliError(`--osc-api must be 2.0 or 2.1, got ${JSON.stringify(o.oscApi)}`, 2);
  const g: GlobalOptions = {
    camera,
    json: !!o.json,
    timeoutMs: Math.round(seconds * 1000),
    quiet: !!o.quiet,
    verbose: !!o.verbose,
  };
  if (o.oscApi !== undefined) g.oscApi = o.oscApi;
  return g;
}

/** Opens the camera, runs `fn`, closes the camera; coded errors become one-line CliErrors. */
export async function withCamera<T>(
  cmd: Command,
  fn: (camera: Camera, g: GlobalOptions) => Promise<T>,
  open: { maxConnections?: number } = {},
): Promise<T> {
  const g = globals(cmd);
  let opening = true;
  return reportErrors(
    g,
    async () => {
      if (!g.camera) throw new CliError(NO_CAMERA_MESSAGE, 2);
      const { openCamera } = await import('../camera/open.js');
      const camera = await openCamera(g.camera, {
        timeoutMs: g.timeoutMs,
        ...(g.oscApi ? { oscApi: g.oscApi } : {}),
        ...open,
      });
      opening = false;
      try {
        const result = await fn(camera, g);
        // After the output, and only on success: a failure's first stderr line is the error itself
        // (-v then adds the protocol's detail to it).
        if (g.verbose && !g.json) await sayProtocol(camera);
        return result;
      } finally {
        await camera.close();
      }
    },
    () => opening,
  );
}

/**
 * Runs `fn`; an error with a stable `code` is printed as one line in the user's words
 * (error-words.ts), and as JSON with `--json` (`message` in those words, the protocol's own text
 * in `detail`); `-v` prints that detail as a second line.
 *
 * @param opening tells whether the error came while connecting (a wrong kind of camera answers then).
 */
export async function reportErrors<T>(
  g: GlobalOptions,
  fn: () => Promise<T>,
  opening: () => boolean = () => false,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CliError) {
      if (g.json && !err.reported) {
        // A CliError over a coded error keeps that code and its protocol text for scripts.
        const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
        const causeCode =
          typeof cause?.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(cause.code) ? cause.code : undefined;
        const code = causeCode ?? (err.exitCode === 2 ? 'USAGE' : err.exitCode === 130 ? 'INTERRUPTED' : 'FAILED');
        printJson({
          error: {
            code,
            message: err.message,
            ...(causeCode && typeof cause?.message === 'string' ? { detail: cause.message } : {}),
          },
        });
      }
      throw err;
    }
    const e = err as { code?: unknown; message?: unknown; deviceMessage?: unknown };
    if (err instanceof Error && typeof e.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(e.code)) {
      const { inUserWords } = await import('./error-words.js');
      const words = inUserWords(err, {
        camera: g.camera,
        timeoutMs: g.timeoutMs,
        opening: opening(),
      });
      const message = words ?? err.message;
      if (g.json) {
        const body: Record<string, unknown> = { code: e.code, message };
        if (words !== undefined) body.detail = err.message;
        if (typeof e.deviceMessage === 'string' && e.deviceMessage) body.deviceMessage = e.deviceMessage;
        // A partly rejected `config set`: every key's answer (the accepted ones did change).
        const results = (err as { results?: unknown }).results;
        if (Array.isArray(results)) body.results = results;
        printJson({ error: body });
      }
      throw new CliError(message, USAGE_CODES.has(e.code) ? 2 : 1, { cause: err });
    }
    throw err;
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Prints `json` with `--json`, else the human text (unless it is empty); with -q the terse text where the command has one. */
export function output(g: GlobalOptions, json: unknown, human: () => string, terse?: () => string): void {
  if (g.json) printJson(json);
  else {
    // -q: the bare values (paths, KEY=VALUE, a state), for shell scripts that do not want JSON.
    const text = g.quiet && terse ? terse() : human();
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/**
 * -v: which camera answered and how it speaks (protocol, address, the protocol's own facts:
 * PTP vendor extension, OSC API level…), one line on stderr once the command has done its work.
 */
export async function sayProtocol(camera: Camera): Promise<void> {
  try {
    const info = await camera.info();
    const facts = Object.entries(info.details)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    // RICOH names its model "RICOH THETA S": the maker once.
    const name = info.model.startsWith(info.manufacturer) ? info.model : `${info.manufacturer} ${info.model}`;
    process.stderr.write(
      `camctl: ${name} (firmware ${info.firmware}) at ${info.address} over ${info.protocol}${facts ? `: ${facts}` : ''}\n`,
    );
  } catch (err) {
    // The command itself will say what is wrong with the camera; -v only adds the reason here.
    process.stderr.write(`camctl: could not read what the camera is: ${(err as Error).message}\n`);
  }
}

/** Progress bars only for people watching: a TTY on stderr, no `--json`, no `-q`. */
export function wantsProgress(g: GlobalOptions): boolean {
  return !g.json && !g.quiet && process.stderr.isTTY === true;
}

/** Informational line for people (stderr, so stdout stays clean for pipes); silent with -q/--json. */
export function note(g: GlobalOptions, text: string): void {
  if (!g.quiet && !g.json) process.stderr.write(`${text}\n`);
}

/** The Sequoia client behind a `sequoia://` camera, for the Sequoia-only commands. */
export async function sequoiaClientOf(
  camera: Camera,
  command: string,
): Promise<import('../sequoia/client.js').SequoiaClient> {
  const { SequoiaCamera } = await import('../camera/sequoia.js');
  if (!(camera instanceof SequoiaCamera)) {
    throw new CliError(`"${command}" is only for Parrot Sequoia cameras (sequoia://…), not ${camera.protocol}://`, 2);
  }
  return camera.client;
}

/** Aborts on the first SIGINT/SIGTERM (a second one exits at once, as people expect). */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  // One signal for every concurrent operation of the command (get -j 8: each download, its
  // requests and its file writes listen to it): many listeners are by design, not a leak.
  setMaxListeners(0, ac.signal);
  let count = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    count++;
    if (count > 1) process.exit(130);
    ac.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * The camctl command line: builds the commander program from one module per command and runs it.
 * Each command module exports `register(program)`; this file only wires them and turns expected
 * errors into one line on stderr with a non-zero exit.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError } from './errors.js';
import { register as registerEmulate } from './emulate.js';
import { register as registerUi } from './ui.js';
import { register as registerInfo } from './info.js';
import { register as registerStatus } from './status.js';
import { register as registerConfig } from './config.js';
import { register as registerCapture } from './capture.js';
import { register as registerLs } from './ls.js';
import { register as registerGet } from './get.js';
import { register as registerExif } from './exif.js';
import { register as registerRm } from './rm.js';
import { register as registerWatch } from './watch.js';
import { register as registerSync } from './sync.js';
import { register as registerCalibrate } from './calibrate.js';
import { register as registerWifi } from './wifi.js';
import { register as registerManual } from './manual.js';
import { register as registerPtp } from './ptp.js';
import { register as registerDetect } from './detect.js';
import { register as registerPreview } from './preview.js';
import { register as registerOptions } from './options.js';
import { register as registerVideo } from './video.js';
import { register as registerInterval } from './interval.js';

const registrations: Array<(program: Command) => void> = [
  registerInfo,
  registerStatus,
  registerConfig,
  registerCapture,
  registerLs,
  registerGet,
  registerExif,
  registerRm,
  registerWatch,
  registerSync,
  registerCalibrate,
  registerWifi,
  registerManual,
  registerPtp,
  registerDetect,
  registerPreview,
  registerOptions,
  registerVideo,
  registerInterval,
  registerEmulate,
  registerUi,
];

export function buildProgram(): Command {
  const program = new Command('camctl')
    .description('Control Parrot Sequoia and RICOH THETA cameras (HTTP, WebSocket, OSC, PTP/IP, USB) and emulate them')
    .version(VERSION, '-V, --version')
    .option('-c, --camera <url>', 'camera address, e.g. sequoia://192.168.47.1 (or CAMCTL_CAMERA)')
    .option('--json', 'machine-readable output')
    .option('--timeout <seconds>', 'timeout for each phase of a request', '10')
    .option('--osc-api <level>', 'THETA: use OSC API 2.0 or 2.1 (default: 2.1 where the camera has it)')
    .option('-q, --quiet', 'print less')
    .option('-v, --verbose', 'print more')
    // Every command's --help lists --camera, --json, --timeout… too (subcommands inherit this).
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: () => undefined }) // printed by main() as one line
    .exitOverride();
  for (const register of registrations) register(program);
  return program;
}

// dist/src/cli/main.js → ../../../package.json; src/cli/main.ts (tests) → ../../package.json.
const VERSION = readVersion();
function readVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'camctl' && pkg.version) return pkg.version;
    } catch {
      /* try the next layout */
    }
  }
  return '0.0.0';
}

/** What commander reports by throwing although nothing went wrong. */
const HELP_OR_VERSION = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** `error: unknown command 'lss'\n(Did you mean ls?)` → `unknown command 'lss' (did you mean ls?)`. */
function usageLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.replace(/^\(Did you mean/, '(did you mean'))
    .join(' ');
}

/** `camctl ptp prop get` for `camctl -c X ptp prop get --bogus`: the deepest command the words name. */
function commandPath(program: Command, argv: readonly string[]): string {
  const names = ['camctl'];
  let cmd = program;
  for (const word of argv.slice(2)) {
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) continue;
    names.push(sub.name());
    cmd = sub;
  }
  return names.join(' ');
}

/** `  NOT_FOUND: GET /file/nope: No such file or directory` and a line per cause below it. */
function protocolDetail(cause: unknown): string {
  let text = '';
  let previous = '';
  for (let e = cause, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    // A wrapper that repeats what it wraps (CameraError over SequoiaError) adds nothing.
    if (e.message === previous) continue;
    previous = e.message;
    const code = (e as { code?: unknown }).code;
    const said = (e as { deviceMessage?: unknown }).deviceMessage;
    text += `  ${typeof code === 'string' || typeof code === 'number' ? `${code}: ` : ''}${e.message}${typeof said === 'string' && said && !e.message.includes(said) ? ` (camera: ${said})` : ''}\n`;
  }
  return text;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (HELP_OR_VERSION.has(err.code)) {
        process.exitCode = err.exitCode;
        return;
      }
      const message = `${usageLine(err.message)} — see ${commandPath(program, argv)} --help`;
      process.stderr.write(`camctl: ${message}\n`);
      // A script that asked for --json gets the error in the one error shape (json-shapes.ts) too.
      if (argv.slice(2).includes('--json'))
        process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message } })}\n`);
      process.exitCode = 2;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`camctl: ${err.message}\n`);
      // -v: the protocol's own words under the user's (code, message, the camera's text, each cause).
      if (program.opts<{ verbose?: boolean }>().verbose) process.stderr.write(protocolDetail(err.cause));
      process.exitCode = err.exitCode;
      return;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose;
    process.stderr.write(`camctl: ${err instanceof Error ? err.message : String(err)}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}

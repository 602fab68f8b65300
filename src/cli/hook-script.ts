/**
 * gphoto2's `--hook-script FILE`: a program run at fixed moments with the environment variable
 * ACTION saying which — `init` (before anything is done; a non-zero exit stops camctl), `start`,
 * `download` once per file written, with ARGUMENT the local file's absolute path, and `stop` at the
 * end. As gphoto2 asks, a script ignores ACTION values it does not know. camctl adds
 * CAMCTL_CAMERA_PATH (the file's path on the camera) for `download`.
 *
 * Runs are one at a time, in the order the files were written; a script's output goes to camctl's
 * stderr under --json (stdout stays one JSON document), else where camctl's goes. A failing
 * `download` run is reported and the downloads go on, as in gphoto2.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import { CliError } from './errors.js';

export class HookScript {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly json: boolean,
  ) {}

  /** Checks the script is an executable file, then runs it with ACTION=init and ACTION=start. */
  static async start(file: string, opts: { json: boolean }): Promise<HookScript> {
    const abs = path.resolve(file);
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isFile()) throw new CliError(`--hook-script ${file}: no such file`, 2);
    try {
      await access(abs, fsConstants.X_OK);
    } catch {
      throw new CliError(`--hook-script ${file} is not executable; make it so with chmod +x ${file}`, 2);
    }
    const hook = new HookScript(abs, opts.json);
    const init = await hook.run({ ACTION: 'init' });
    if (init !== 0) throw new CliError(`the hook script ${file} stopped camctl at init (exit ${init})`, 1);
    await hook.run({ ACTION: 'start' });
    return hook;
  }

  /** Runs the script for one written file (queued behind earlier runs); resolves once it has run. */
  downloaded(localFile: string, cameraPath: string): Promise<void> {
    // Never rejects: a script that fails (or could not be started) is reported, the downloads go on.
    const next = this.queue.then(async () => {
      try {
        const code = await this.run({
          ACTION: 'download',
          ARGUMENT: path.resolve(localFile),
          CAMCTL_CAMERA_PATH: cameraPath,
        });
        if (code !== 0)
          process.stderr.write(`camctl: the hook script ${path.basename(this.file)} exited ${code} for ${localFile}\n`);
      } catch (err) {
        process.stderr.write(`camctl: ${(err as Error).message}\n`);
      }
    });
    this.queue = next;
    return next;
  }

  /** Waits for queued runs, then runs the script with ACTION=stop. */
  async stop(): Promise<void> {
    await this.queue;
    await this.run({ ACTION: 'stop' });
  }

  /** Exit code of one run (a signal counts as 128 + its number, as shells say). */
  private run(env: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      // The script's output goes through camctl's own streams (under --json its stdout joins
      // stderr, so camctl's stdout stays JSON), in order with what camctl itself prints.
      const child = spawn(this.file, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = this.json ? process.stderr : process.stdout;
      child.stdout.on('data', (chunk: Buffer) => out.write(chunk));
      child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      child.once('error', (err) =>
        reject(new CliError(`the hook script ${this.file} could not be run: ${err.message}`, 1, { cause: err })),
      );
      child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    });
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return osConstants.signals[signal] ?? 0;
}

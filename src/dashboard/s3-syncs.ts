/**
 * The dashboard's S3 syncs: at most one per camera, each the same engine as `camctl sync --to
 * s3://…` (src/sync/s3-sync.ts) run on the hub's own {@link Camera}, its live state pushed to the
 * pages as `s3-sync` messages.
 *
 * Credentials come from the server's standard AWS credential chain (environment, ~/.aws, the
 * page's `profile` naming one of the server's profiles, the instance's role), never from the page:
 * a secret typed into a page would live in the browser's form history and memory and travel
 * through the page's JavaScript, and the dashboard would have to keep it; the person who runs the
 * dashboard already configured the chain for `camctl sync` on the same machine. The page can only
 * pick among what the server already has, and only from the dashboard's own origin (security.ts).
 *
 * All syncs share one memory budget for their part buffers, like the cameras of one CLI sync.
 */
import { setMaxListeners } from 'node:events';
import { debuglog } from 'node:util';
import type { Camera } from '../camera/types.js';
import { ByteBudget } from '../sync/byte-budget.js';
import type { S3SyncState } from './api-types.js';
import { DashboardError, errorCode } from './errors.js';

const debug = debuglog('camctl:dashboard');

/** Progress pushes per sync at most this often (the end state is always sent). */
const PUSH_INTERVAL_MS = 200;
/** Failures kept in the state (the page shows them; the count is in `errors`). */
const FAILURES_KEPT = 20;

export interface S3SyncStart {
  to: string;
  endpoint?: string | undefined;
  profile?: string | undefined;
}

interface Run {
  state: S3SyncState;
  abort: AbortController;
  done: Promise<void>;
}

export class S3Syncs {
  readonly #runs = new Map<string, Run>();
  readonly #emit: (sync: S3SyncState) => void;
  readonly #log: (cameraId: string, kind: 'action' | 'error', text: string) => void;
  #budget: ByteBudget | undefined;

  constructor(options: {
    emit: (sync: S3SyncState) => void;
    log: (cameraId: string, kind: 'action' | 'error', text: string) => void;
  }) {
    this.#emit = options.emit;
    this.#log = options.log;
  }

  /** The latest sync of every camera that had one. */
  list(): S3SyncState[] {
    return [...this.#runs.values()].map((r) => r.state);
  }

  /** The camera's latest sync; NO_SYNC (404) when it never had one. */
  get(cameraId: string): S3SyncState {
    const run = this.#runs.get(cameraId);
    if (!run)
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_NO_SYNC',
        `camera ${cameraId} has not been synced to S3 since the dashboard started`,
      );
    return run.state;
  }

  /**
   * Checks the request (BAD_ARGUMENT, 400) and starts the sync; it runs on after this returns.
   * SYNC_RUNNING (409) while the camera's previous sync runs.
   */
  async start(cameraId: string, camera: Camera, request: S3SyncStart): Promise<S3SyncState> {
    const running = this.#runs.get(cameraId);
    if (running?.state.state === 'running') {
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_SYNC_RUNNING',
        `camera ${cameraId} is already syncing to ${running.state.to}: stop that sync first, or wait for it to end`,
      );
    }
    const { parseS3Url, createS3Client, endpointLabel } = await import('../sync/s3-target.js');
    const target = parseS3Url(request.to);
    const clientOptions = { endpoint: request.endpoint, profile: request.profile };
    const endpoint = endpointLabel(clientOptions);
    const client = await createS3Client(clientOptions);
    // Checked again: another start of this camera may have been accepted while the SDK loaded.
    if (this.#runs.get(cameraId)?.state.state === 'running') {
      client.destroy();
      throw new DashboardError(
        'ERR_CAMCTL_DASHBOARD_SYNC_RUNNING',
        `camera ${cameraId} is already syncing: stop that sync first, or wait for it to end`,
      );
    }
    const abort = new AbortController();
    // Every request and every waiting part buffer listens to this one signal.
    setMaxListeners(0, abort.signal);
    const state: S3SyncState = {
      cameraId,
      state: 'running',
      to: request.to,
      endpoint,
      startedAt: Date.now(),
      filesDone: 0,
      bytesDone: 0,
      errors: 0,
      failures: [],
    };
    const run: Run = { state, abort, done: Promise.resolve() };
    this.#runs.set(cameraId, run);
    this.#log(cameraId, 'action', `sync to ${request.to}${request.endpoint ? ` at ${request.endpoint}` : ''}`);
    this.#emit({ ...state });
    run.done = this.#run(run, camera, async () => {
      const { checkBucket, syncCameraToS3, DEFAULT_MEMORY_BUDGET } = await import('../sync/s3-sync.js');
      this.#budget ??= new ByteBudget(DEFAULT_MEMORY_BUDGET);
      let last = 0;
      const push = (): void => {
        const now = Date.now();
        if (now - last < PUSH_INTERVAL_MS) return;
        last = now;
        this.#emit({ ...state });
      };
      // Bytes read so far of each file in flight, so the total moves while a large file streams.
      const inFlight = new Map<string, number>();
      let bytesOfDoneFiles = 0;
      try {
        // The store first: a wrong key or a missing bucket is said before the camera is read.
        await checkBucket(client, target, endpoint, abort.signal);
        const summary = await syncCameraToS3(camera, {
          client,
          target,
          endpoint,
          budget: this.#budget,
          signal: abort.signal,
          onPlan: (p) => {
            state.cameraDir = p.camera;
            state.files = p.files;
            state.bytes = p.bytes;
            this.#emit({ ...state });
          },
          onFileProgress: (f, bytes) => {
            inFlight.set(f.path, bytes);
            state.bytesDone = bytesOfDoneFiles + [...inFlight.values()].reduce((n, b) => n + b, 0);
            push();
          },
          onFileDone: (f, r) => {
            inFlight.delete(f.path);
            state.filesDone++;
            if (r.status === 'failed') {
              state.errors++;
              state.failures = [
                ...state.failures,
                { path: f.path, code: r.error?.code ?? 'ERROR', message: r.error?.message ?? 'failed' },
              ].slice(-FAILURES_KEPT);
              this.#log(cameraId, 'error', `sync ${f.path}: ${r.error?.message ?? 'failed'}`);
            } else {
              bytesOfDoneFiles += r.size;
            }
            state.bytesDone = bytesOfDoneFiles + [...inFlight.values()].reduce((n, b) => n + b, 0);
            push();
          },
        });
        return summary;
      } finally {
        client.destroy();
      }
    });
    return { ...state };
  }

  /** Stops the camera's running sync; SYNC_NOT_RUNNING (409) when none runs. */
  async stop(cameraId: string): Promise<S3SyncState> {
    const run = this.#runs.get(cameraId);
    if (!run || run.state.state !== 'running')
      throw new DashboardError('ERR_CAMCTL_DASHBOARD_SYNC_NOT_RUNNING', `camera ${cameraId} has no sync running`);
    this.#log(cameraId, 'action', `stop sync to ${run.state.to}`);
    run.abort.abort();
    await run.done;
    return { ...run.state };
  }

  /** Stops and forgets the camera's sync (the camera was removed from the dashboard). */
  async forget(cameraId: string): Promise<void> {
    const run = this.#runs.get(cameraId);
    if (!run) return;
    run.abort.abort();
    await run.done;
    this.#runs.delete(cameraId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#runs.keys()].map((id) => this.forget(id)));
  }

  async #run(
    run: Run,
    camera: Camera,
    sync: () => Promise<{ failed: number; files: number; manifest?: string }>,
  ): Promise<void> {
    const { state } = run;
    try {
      const summary = await sync();
      if (summary.failed > 0) {
        state.state = 'failed';
        state.error = {
          code: 'FILES_FAILED',
          message: `${summary.failed} of ${summary.files} files could not be synced; start the sync again to retry them`,
        };
      } else {
        state.state = 'finished';
        if (summary.manifest) state.manifest = summary.manifest;
      }
    } catch (err) {
      if (run.abort.signal.aborted) {
        state.state = 'stopped';
        state.error = {
          code: 'STOPPED',
          message: 'stopped; what is in the bucket is kept, and starting again continues where this sync left off',
        };
      } else {
        state.state = 'failed';
        state.error = { code: errorCode(err), message: err instanceof Error ? err.message : String(err) };
        debug('s3 sync of %s: %s', camera.address, err instanceof Error ? (err.stack ?? err.message) : String(err));
      }
    }
    state.endedAt = Date.now();
    if (state.state === 'finished')
      this.#log(
        state.cameraId,
        'action',
        `synced ${state.filesDone} files to ${state.to}; manifest ${state.manifest ?? '(none)'}`,
      );
    else if (state.state === 'failed')
      this.#log(state.cameraId, 'error', `sync to ${state.to}: ${state.error?.message}`);
    this.#emit({ ...state });
  }
}

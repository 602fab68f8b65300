/**
 * Commands that answer `inProgress` (takePicture, v2.1's startCapture of a run that ends by
 * itself): the id each gets, the last 50 kept for `/osc/commands/status`, and the reply a
 * device job makes at each moment.
 */
import type { ThetaJob } from '../../devices/theta/device.js';
import type { CommandResponse } from '../../osc/types.js';
import { oscCodeOf } from './osc-errors.js';

/** How many finished or running commands `/osc/commands/status` still knows. */
const KEPT = 50;

/** A device job under the command name and id the client knows it by. */
export interface OscJob {
  readonly id: string;
  readonly name: string;
  readonly job: ThetaJob;
}

export class OscJobs {
  private readonly jobs = new Map<string, OscJob>();
  private counter = 0;

  /** Gives a device job its command id. */
  add(name: string, job: ThetaJob): OscJob {
    const entry: OscJob = { id: String(++this.counter), name, job };
    this.jobs.set(entry.id, entry);
    if (this.jobs.size > KEPT) this.jobs.delete(this.jobs.keys().next().value!);
    return entry;
  }

  get(id: string): OscJob | undefined {
    return this.jobs.get(id);
  }
}

/**
 * A job's reply: in progress with its completion, an error with the OSC code of the device's
 * reason, or done with its file (`fileUri` in v2.0, `fileUrl` in v2.1) or files.
 */
export function jobResponse(entry: OscJob, fileRef: { api: 1 | 2; url(rel: string): string }): CommandResponse {
  const { job, name, id } = entry;
  if (job.state === 'running') return { name, state: 'inProgress', id, progress: { completion: job.completion() } };
  if (job.state === 'failed') {
    const e = job.error;
    return {
      name,
      state: 'error',
      error: { code: e ? oscCodeOf(e.reason) : 'unexpected', message: e?.message ?? 'failed' },
    };
  }
  if (job.resultless) return { name, state: 'done' };
  const results: Record<string, unknown> = {};
  if (job.kind === 'picture') {
    if (fileRef.api === 1) results['fileUri'] = job.files[0] ?? '';
    else results['fileUrl'] = job.files[0] ? fileRef.url(job.files[0]) : '';
  } else {
    results['fileUrls'] = job.files.map((f) => fileRef.url(f));
  }
  return { name, state: 'done', results };
}

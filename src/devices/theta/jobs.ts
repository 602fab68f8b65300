/**
 * A job: something the camera does that outlasts the request that started it — a shot through its
 * self-timer and stitching, or a capture run that ends by itself. Its progress comes from the
 * device clock; it ends with the files it wrote, or with the refusal that ended it. Ids and the
 * list a client polls are the OSC face's (`/osc/commands/status`), not the camera's.
 */
import type { Clock } from '../../util/clock.js';
import type { ThetaDeviceError } from './errors.js';

/** A shot or capture that runs longer than the request that started it. */
export interface ThetaJob {
  /** What runs: a picture (takePicture) or a capture run (startCapture). */
  readonly kind: 'picture' | 'capture';
  state: 'running' | 'done' | 'failed';
  /** Files written, as `100RICOH/R0010001.JPG`. */
  files: string[];
  /** Why the job failed (`canceled` when its self-timer was stopped). */
  error?: ThetaDeviceError;
  /** Settles when the job ends (never rejects). */
  readonly finished: Promise<void>;
  /** 0…1, from the device clock. */
  completion(): number;
  /** Done without files to report (an open-ended capture run, once started). */
  resultless?: boolean;
}

/** A job and the handles that end it. */
export interface JobControl {
  job: ThetaJob;
  finish(files: string[]): void;
  fail(e: ThetaDeviceError): void;
  /** Completion runs from `start` (device ms) over `duration` ms. */
  setProgress(start: number, duration: number): void;
}

/** A new running job on this clock. */
export function newJob(clock: Clock, kind: ThetaJob['kind']): JobControl {
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  let start = Number.POSITIVE_INFINITY;
  let duration = 1;
  const job: ThetaJob = {
    kind,
    state: 'running',
    files: [],
    finished,
    completion() {
      if (job.state !== 'running') return 1;
      const f = (clock.now() - start) / duration;
      return Math.max(0, Math.min(0.99, Math.round(f * 100) / 100));
    },
  };
  return {
    job,
    finish: (files) => {
      job.files = files;
      job.state = 'done';
      resolve();
    },
    fail: (e) => {
      job.error = e;
      job.state = 'failed';
      resolve();
    },
    setProgress: (s, d) => {
      start = s;
      duration = Math.max(1, d);
    },
  };
}

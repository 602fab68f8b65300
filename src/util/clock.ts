import { InvalidOptionError } from './errors.js';

/**
 * Injected time for device models (docs/architecture.md: "Time is injected").
 *
 * Device models never call `Date.now()` or `setTimeout` directly; they take a {@link Clock}.
 * - {@link RealClock} runs at wall-clock pace, optionally sped up (`--speed 10` makes a 10 s
 *   timelapse period fire every second) — for people.
 * - {@link ManualClock} only moves when a test calls `advance()`, so a one-hour timelapse is
 *   simulated in milliseconds.
 *
 * @example
 * const clock = new ManualClock(Date.UTC(2018, 3, 13, 8, 6, 58));
 * clock.setTimeout(() => console.log('fired'), 60_000);
 * await clock.advance(60_000); // prints "fired"
 */
export interface Clock {
  /** Simulated epoch milliseconds. */
  now(): number;
  /** Calls `fn` after `ms` simulated milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Calls `fn` every `ms` simulated milliseconds until cleared. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; undefined or an already fired timer is fine. */
  clearTimer(handle: TimerHandle | undefined): void;
  /** Resolves after `ms` simulated milliseconds (rejects with the signal's reason if aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A timer of a {@link Clock}, for {@link Clock.clearTimer}. */
export interface TimerHandle {
  readonly id: number;
}

let nextTimerId = 1;

/** Wall-clock time, optionally running `speed` times faster than real time. */
export class RealClock implements Clock {
  private readonly startReal = Date.now();
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(private readonly speed = 1) {
    if (!(speed > 0) || !Number.isFinite(speed))
      throw new InvalidOptionError('speed', `must be a positive number, got ${speed}`);
  }

  now(): number {
    const elapsed = Date.now() - this.startReal;
    return this.startReal + elapsed * this.speed;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextTimerId++;
    const t = setTimeout(
      () => {
        this.timers.delete(id);
        fn();
      },
      Math.max(0, ms / this.speed),
    );
    t.unref?.();
    this.timers.set(id, t);
    return { id };
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = nextTimerId++;
    const t = setInterval(fn, Math.max(1, ms / this.speed));
    t.unref?.();
    this.timers.set(id, t);
    return { id };
  }

  /** Cancels a timer; undefined or an already fired timer is fine. */
  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }

  /**
   * Unlike the other timers, a sleep keeps the process alive: someone awaits it (a client polling
   * a camera, a retry backing off), and the process must not exit under them.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      const t = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms / this.speed),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The wall clock at real pace, for code that is given no clock. */
export const wallClock: Clock = new RealClock();

interface ManualTimer {
  id: number;
  due: number;
  fn: () => void;
  every?: number;
}

/** A clock that moves only when told to: for tests. */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];

  constructor(start = Date.UTC(2018, 3, 13, 8, 6, 58)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { id: nextTimerId++, due: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    const timer: ManualTimer = { id: nextTimerId++, due: this.current + every, fn, every };
    this.timers.push(timer);
    return { id: timer.id };
  }

  /** Cancels a timer; undefined or an already fired timer is fine. */
  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Number of timers still pending (for tests that check nothing leaks). */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order. Between timers it yields to the event
   * loop (setImmediate) so the async work a timer starts — file writes, socket replies — can run
   * before later timers fire, as it would in real time.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushAsync();
      const next = this.timers.reduce<ManualTimer | undefined>((a, t) => (!a || t.due < a.due ? t : a), undefined);
      if (!next || next.due > target) break;
      this.current = Math.max(this.current, next.due);
      if (next.every !== undefined) next.due += next.every;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.current = target;
    await flushAsync();
  }
}

async function flushAsync(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimer(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The IMU calibration of the Sequoia body and of the sunshine sensor. The firmware asks the user
 * to turn the device about each axis in turn — yaw (Psi), pitch (Theta), roll (Phi) — and reports
 * which axis it still waits for. The emulator "turns" the device itself: each axis completes after
 * `stepMs` of simulated time while the attitude visibly rotates about that axis.
 */
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { CalibrationState, CalibrationTargetName } from './types.js';

export type { CalibrationTargetName };

const SEQUENCE: CalibrationState[] = ['Psi pending', 'Theta pending', 'Phi pending', 'Ok'];

export class Calibration {
  private readonly state: Record<CalibrationTargetName, CalibrationState> = { body: 'None', sunshine: 'None' };
  private readonly timers: Partial<Record<CalibrationTargetName, TimerHandle>> = {};
  private readonly started: Partial<Record<CalibrationTargetName, number>> = {};

  constructor(
    private readonly clock: Clock,
    private readonly stepMs: number,
    private readonly onChange: (target: CalibrationTargetName, state: CalibrationState) => void,
  ) {}

  get(target: CalibrationTargetName): CalibrationState {
    return this.state[target];
  }

  isRunning(target?: CalibrationTargetName): boolean {
    const targets: CalibrationTargetName[] = target ? [target] : ['body', 'sunshine'];
    return targets.some((t) => this.timers[t] !== undefined);
  }

  /** Starts (or restarts) a target. `available` false (sensor unplugged) fails at once. */
  start(target: CalibrationTargetName, available = true): void {
    this.clock.clearTimer(this.timers[target]);
    delete this.timers[target];
    if (!available) {
      this.set(target, 'Failed');
      return;
    }
    this.started[target] = this.clock.now();
    // The firmware first says the walk-through runs, then which axis it waits for.
    this.set(target, 'Running');
    this.set(target, SEQUENCE[0]!);
    const step = (i: number) => {
      this.timers[target] = this.clock.setTimeout(() => {
        this.set(target, SEQUENCE[i]!);
        if (i + 1 < SEQUENCE.length) step(i + 1);
        else delete this.timers[target];
      }, this.stepMs);
    };
    step(1);
  }

  /** Stops a running target; it then reads "Aborted". Stopping an idle target changes nothing. */
  stop(target: CalibrationTargetName): boolean {
    if (this.timers[target] === undefined) return false;
    this.clock.clearTimer(this.timers[target]);
    delete this.timers[target];
    this.set(target, 'Aborted');
    return true;
  }

  /**
   * Extra rotation (degrees) the user would be applying right now: a full turn about the axis the
   * calibration waits for, so `/status/instruments` shows the device turning.
   */
  rotation(target: CalibrationTargetName): { yaw: number; pitch: number; roll: number } {
    const start = this.started[target];
    if (this.timers[target] === undefined || start === undefined) return { yaw: 0, pitch: 0, roll: 0 };
    const phase = (((this.clock.now() - start) % this.stepMs) / this.stepMs) * 360;
    switch (this.state[target]) {
      case 'Psi pending':
        return { yaw: phase, pitch: 0, roll: 0 };
      case 'Theta pending':
        return { yaw: 0, pitch: 80 * Math.sin((phase * Math.PI) / 180), roll: 0 };
      case 'Phi pending':
        return { yaw: 0, pitch: 0, roll: 170 * Math.sin((phase * Math.PI) / 180) };
      default:
        return { yaw: 0, pitch: 0, roll: 0 };
    }
  }

  close(): void {
    for (const t of ['body', 'sunshine'] as const) this.clock.clearTimer(this.timers[t]);
  }

  private set(target: CalibrationTargetName, state: CalibrationState): void {
    if (this.state[target] === state) return;
    this.state[target] = state;
    this.onChange(target, state);
  }
}

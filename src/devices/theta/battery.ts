/**
 * Simulated battery of the THETA S: drains with time on (about 5 hours idle, faster while recording
 * video or streaming the live preview) and charges on external power. The API shows the level only
 * in four steps (0, 0.33, 0.67, 1.0 — the S's `batteryLevel`), which is what `level` returns.
 */
import type { Clock } from '../../util/clock.js';

/** What powers the emulated THETA: its battery, or a charger (the battery charges). */
export type PowerSource = 'battery' | 'charger';

export class ThetaBattery {
  /** 0…1, continuous. */
  private charge: number;
  private last: number;
  private drainPerMs = 1 / (5 * 3600_000);
  private loadFactor = 1;

  constructor(
    private readonly clock: Clock,
    initial = 1,
    public power: PowerSource = 'battery',
  ) {
    this.charge = Math.min(1, Math.max(0, initial));
    this.last = clock.now();
  }

  private update(): void {
    const now = this.clock.now();
    const dt = Math.max(0, now - this.last);
    this.last = now;
    if (this.power === 'charger') this.charge = Math.min(1, this.charge + dt / (2 * 3600_000));
    else this.charge = Math.max(0, this.charge - dt * this.drainPerMs * this.loadFactor);
  }

  /** Extra consumption: 1 idle, 3 recording video, 2 streaming preview. */
  setLoad(factor: number): void {
    this.update();
    this.loadFactor = factor;
  }

  setPower(p: PowerSource): void {
    this.update();
    this.power = p;
  }

  /** Sets the exact charge (emulator control). */
  setCharge(value: number): void {
    this.update();
    this.charge = Math.min(1, Math.max(0, value));
  }

  get exact(): number {
    this.update();
    return this.charge;
  }

  /** The S reports four steps. */
  get level(): number {
    const c = this.exact;
    if (c >= 0.84) return 1;
    if (c >= 0.5) return 0.67;
    if (c >= 0.17) return 0.33;
    return 0;
  }

  /** `_batteryState`. */
  get state(): 'charging' | 'charged' | 'disconnect' {
    if (this.power === 'battery') return 'disconnect';
    return this.exact >= 1 ? 'charged' : 'charging';
  }

  get empty(): boolean {
    return this.power === 'battery' && this.exact <= 0;
  }
}

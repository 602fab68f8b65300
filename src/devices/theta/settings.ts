/**
 * The THETA's settings as it holds them: the current option values, My Settings (the still-image
 * settings it starts with, kept across power cycles in the data directory) and the camera's clock
 * (`dateTimeZone` moves it). The rules of each option are in options.ts; this file keeps the
 * values, applies a change all or nothing, and says what a change touched.
 */
import { readFile, writeFile, rename } from 'node:fs/promises';
import * as path from 'node:path';
import { debuglog } from 'node:util';
import type { Clock } from '../../util/clock.js';
import {
  defaultMySettings,
  defaultOptions,
  mySettingsFromSaved,
  readMySettings,
  readOptions,
  writeMySettings,
  writeOptions,
} from './options.js';
import type { MySettings, OptionContext, OptionValues } from './options.js';

const log = debuglog('camctl:theta');

/** My Settings, kept with the storage as the camera keeps them across power cycles. */
const MY_SETTINGS_FILE = 'theta-mysetting.json';

/** What a change touched, for the parts of the camera that follow it. */
export interface SettingsChange {
  /** captureMode changed (a live preview ends). */
  modeChanged: boolean;
  /** sleepDelay or offDelay was set (the idle count starts again). */
  delaysChanged: boolean;
}

export class ThetaSettings {
  private current: OptionValues;

  private constructor(
    private readonly clock: Clock,
    private readonly dir: string,
    private mySettings: MySettings,
    /** Facts of the rest of the camera (free space, busy…) the option rules look at. */
    private readonly facts: () => Omit<OptionContext, 'nowMs'>,
  ) {
    this.current = { ...defaultOptions(), ...mySettings };
  }

  /** The settings of a camera whose data directory is `dir`: My Settings read back, the rest default. */
  static async open(clock: Clock, dir: string, facts: () => Omit<OptionContext, 'nowMs'>): Promise<ThetaSettings> {
    let mySettings = defaultMySettings();
    try {
      mySettings = mySettingsFromSaved(JSON.parse(await readFile(path.join(dir, MY_SETTINGS_FILE), 'utf8')));
    } catch {
      /* none registered */
    }
    return new ThetaSettings(clock, dir, mySettings, facts);
  }

  /** The current values (read-only view). */
  get values(): Readonly<OptionValues> {
    return this.current;
  }

  /** Epoch ms of the camera's own clock (`dateTimeZone` may have moved it). */
  cameraNow(): number {
    return this.clock.now() + this.current.clockSkewMs;
  }

  private context(): OptionContext {
    return { ...this.facts(), nowMs: this.cameraNow() };
  }

  /** Values of the named options, or their `…Support` values. */
  get(names: string[]): Record<string, unknown> {
    return readOptions(this.current, names, this.context());
  }

  /** Validates every change, then applies them all (a refusal changes nothing). */
  set(changes: Record<string, unknown>): SettingsChange {
    const next = writeOptions(this.current, changes, this.context());
    const modeChanged = next.captureMode !== this.current.captureMode;
    this.current = next;
    return { modeChanged, delaysChanged: 'sleepDelay' in changes || 'offDelay' in changes };
  }

  /** The named My Settings values (still-image mode). */
  getMySettings(names: string[]): Record<string, unknown> {
    return readMySettings(this.mySettings, names, this.context());
  }

  /** Registers the still-image settings the camera starts with; the current ones stay. */
  async setMySettings(changes: Record<string, unknown>): Promise<void> {
    this.mySettings = writeMySettings(this.mySettings, changes, this.context());
    await this.saveMySettings();
  }

  private async saveMySettings(): Promise<void> {
    const file = path.join(this.dir, MY_SETTINGS_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(this.mySettings));
    await rename(tmp, file);
  }

  /**
   * Every setting back to its default, My Settings too (camera._set_my_setting.md), and the camera
   * starts with them. The clock keeps its time.
   */
  reset(): void {
    const keep = { utcOffsetMinutes: this.current.utcOffsetMinutes, clockSkewMs: this.current.clockSkewMs };
    const defaults = defaultMySettings();
    if (JSON.stringify(this.mySettings) !== JSON.stringify(defaults)) {
      this.mySettings = defaults;
      void this.saveMySettings().catch((err: unknown) =>
        log('saving My Settings failed: %s', err instanceof Error ? err.message : err),
      );
    }
    this.current = { ...defaultOptions(), ...this.mySettings, ...keep };
  }
}

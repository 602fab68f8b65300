/**
 * The Sequoia's settings as it keeps them across power cycles: capture settings, exposure
 * settings, Wi-Fi, and the folder counter, saved one after the other to the settings file
 * (persisted-state.ts) whenever they change. Validation is settings.ts; announcing is the
 * device's (device.ts).
 */
import { debuglog } from 'node:util';
import {
  CONFIG_KEYS,
  SETTING_LIMITS,
  timelapseMin,
  type DeviceConfig,
  type ManualMode,
  type MediumName,
} from './types.js';
import type { SettingOutcome, SettingsOutcome, OutcomeTree } from './outcomes.js';
import { saveState, type PersistedState } from './persisted-state.js';
import { applyManualMode, validateConfigPatch, type ConfigContext } from './settings.js';

const log = debuglog('camctl:sequoia');

/** The Wi-Fi access point the camera opens. */
export interface WifiSettings {
  ssid: string;
  status: 'on' | 'off';
}

export class SettingsStore {
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: PersistedState,
    private readonly file: string,
  ) {}

  get config(): Readonly<DeviceConfig> {
    return this.state.config;
  }

  /**
   * Applies a settings change field by field; returns each key's outcome and the values that
   * actually changed (a raised timelapse period among them, see below).
   */
  applyConfig(
    patch: Readonly<Record<string, unknown>>,
    ctx: Omit<ConfigContext, 'sensorsMask'>,
  ): SettingsOutcome & { changed: Partial<DeviceConfig> } {
    const { accepted, outcomes } = validateConfigPatch(patch, this.state.config, ctx);
    const config = this.state.config as unknown as Record<string, unknown>;
    const changed: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
      const value = accepted[key];
      if (value === undefined || config[key] === value) continue;
      config[key] = value;
      changed[key] = value;
    }
    // Turning the RGB sensor on raises a period below its 1 s minimum to that minimum, so the
    // camera never holds a period it would refuse (and PTP's TimelapseInterval stays in its range).
    const shortest = timelapseMin(this.state.config.sensors_mask);
    if (this.state.config.timelapse_param < shortest) {
      this.state.config.timelapse_param = shortest;
      changed.timelapse_param = shortest;
    }
    if (Object.keys(changed).length > 0) this.persist();
    return { outcomes, applied: Object.keys(accepted).length > 0, changed: changed as Partial<DeviceConfig> };
  }

  /** The camera switching medium by itself (auto-select, a removed card). Returns whether it changed. */
  selectMedium(name: MediumName): boolean {
    if (this.state.config.storage_selected === name) return false;
    this.state.config.storage_selected = name;
    this.persist();
    return true;
  }

  get manualMode(): ManualMode {
    return structuredClone(this.state.manualMode);
  }

  applyManualMode(
    patch: Readonly<Record<string, unknown>>,
  ): SettingsOutcome<Record<string, SettingOutcome | OutcomeTree>> {
    const { next, outcomes, applied } = applyManualMode(patch, this.state.manualMode);
    if (applied) {
      this.state.manualMode = next;
      this.persist();
    }
    return { outcomes, applied };
  }

  /** The exposure settings in force (read by the capture pipeline without a copy). */
  get exposure(): Readonly<ManualMode> {
    return this.state.manualMode;
  }

  get wifi(): WifiSettings {
    return { ssid: this.state.ssid, status: this.state.wifiStatus };
  }

  applyWifi(patch: Readonly<Record<string, unknown>>): SettingsOutcome {
    const outcomes: Record<string, SettingOutcome> = {};
    let applied = false;
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'ssid') {
        // 802.11 limits an SSID to 32 bytes; printable text only, as the camera's UI enforces.
        if (
          typeof value === 'string' &&
          value.length > 0 &&
          Buffer.byteLength(value) <= SETTING_LIMITS.ssidMaxBytes &&
          !/[\u0000-\u001f]/.test(value)
        ) {
          this.state.ssid = value;
          outcomes.ssid = { ok: true };
          applied = true;
        } else outcomes.ssid = { ok: false, reason: 'out-of-range' };
      } else if (key === 'status') {
        if (value === 'on' || value === 'off') {
          this.state.wifiStatus = value;
          outcomes.status = { ok: true };
          applied = true;
        } else outcomes.status = { ok: false, reason: 'out-of-range' };
      } else {
        outcomes[key] = { ok: false, reason: 'unknown-setting' };
      }
    }
    if (applied) this.persist();
    return { outcomes, applied };
  }

  /** Takes the next free folder number at or after the counter, given the folders that exist. */
  takeFolderNumber(existing: ReadonlySet<string>): number {
    let number = this.state.nextFolder;
    while (existing.has(String(number).padStart(4, '0'))) number++;
    this.state.nextFolder = number + 1;
    this.persist();
    return number;
  }

  private persist(): void {
    const snapshot = structuredClone(this.state);
    this.saving = this.saving
      .then(() => saveState(this.file, snapshot))
      .catch((err: unknown) => log('saving settings failed: %o', err));
  }

  /** Resolves once every change so far is in the settings file. */
  flush(): Promise<void> {
    return this.saving;
  }
}

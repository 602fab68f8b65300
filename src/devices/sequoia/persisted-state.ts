/**
 * What the Sequoia keeps across power cycles, as its settings file does: the capture
 * configuration, the folder counter, the Wi-Fi SSID and state, and manual exposure settings.
 * Saved as JSON beside the media, atomically (temporary file + rename), so a kill never leaves a
 * truncated settings file.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_CONFIG, type DeviceConfig, type ManualMode } from './types.js';
import { DEFAULT_MANUAL_MODE, validateConfigPatch } from './settings.js';

export interface PersistedState {
  config: DeviceConfig;
  /** Next folder number to open (0000, 0001, …), shared by both media as on the camera. */
  nextFolder: number;
  ssid: string;
  wifiStatus: 'on' | 'off';
  manualMode: ManualMode;
}

export function defaultState(serialNumber: string): PersistedState {
  return {
    config: { ...DEFAULT_CONFIG },
    nextFolder: 0,
    // The camera's SSID is "Sequoia_" and the last four digits of its serial.
    ssid: `Sequoia_${serialNumber.slice(-4)}`,
    wifiStatus: 'on',
    manualMode: structuredClone(DEFAULT_MANUAL_MODE),
  };
}

/** Loads the state file, keeping only values that still validate (a hand-edited file cannot break the device). */
export async function loadState(file: string, serialNumber: string): Promise<PersistedState> {
  const state = defaultState(serialNumber);
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    return state;
  }
  if (typeof raw !== 'object' || raw === null) return state;
  const r = raw as Partial<Record<keyof PersistedState, unknown>>;
  if (typeof r.config === 'object' && r.config !== null) {
    const { accepted } = validateConfigPatch(r.config as Record<string, unknown>, state.config, {
      capturing: false,
      sdPresent: true,
    });
    Object.assign(state.config, accepted);
  }
  if (typeof r.nextFolder === 'number' && Number.isInteger(r.nextFolder) && r.nextFolder >= 0 && r.nextFolder <= 9999)
    state.nextFolder = r.nextFolder;
  if (typeof r.ssid === 'string' && r.ssid.length > 0 && Buffer.byteLength(r.ssid) <= 32) state.ssid = r.ssid;
  if (r.wifiStatus === 'on' || r.wifiStatus === 'off') state.wifiStatus = r.wifiStatus;
  if (typeof r.manualMode === 'object' && r.manualMode !== null) {
    const m = r.manualMode as ManualMode;
    if (m.rgb && m.monochrome) state.manualMode = { ...state.manualMode, ...m };
  }
  return state;
}

export async function saveState(file: string, state: PersistedState): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await fs.rename(tmp, file);
}

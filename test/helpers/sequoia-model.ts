/**
 * A small reference model of the Parrot Sequoia for the cross-face model test
 * (test/emulator/sequoia-cross-face.model.test.ts): what every face of one camera must agree on
 * after each command — settings, capture state, media, folders and files, fullness — written from
 * Parrot's Sequoia API reference and docs/sequoia.md, not from the emulator's code.
 *
 * Simplifications the test's commands respect: no GPS fix (distance-triggered modes start a
 * session that takes no picture), no calibration, no medium conditions; a filled medium is filled
 * to the last byte and no file is deleted from it, so "full" is exactly "filled".
 */
import {
  BANDS,
  CAPTURE_MODES,
  CONFIG_ERRORS,
  DEFAULT_CONFIG,
  type MediumName,
  type SequoiaConfig,
} from '../../src/sequoia/index.js';

/** What a capture session is doing, as the model sees it. */
export type ModelSession =
  | {
      kind: 'timelapse';
      medium: MediumName;
      folder: number;
      config: SequoiaConfig;
      index: number;
      periodMs: number;
      startMs: number;
    }
  | { kind: 'distance'; medium: MediumName; folder: number; config: SequoiaConfig }
  | { kind: 'countdown'; medium: MediumName; config: SequoiaConfig; remainingMs: number };

/** The notifications and PTP events a run has caused so far (what each event stream must show). */
export interface ModelCounters {
  /** WebSocket `{"capture":"running"}`. */
  running: number;
  /** WebSocket `{"capture":"ready"}`. */
  ready: number;
  /** PTP CaptureComplete. */
  captureComplete: number;
  /** PTP ObjectAdded (one per picture file). */
  objectAdded: number;
  /** PTP ObjectRemoved. */
  objectRemoved: number;
}

/** Outcome of a capture start, in the camera's words. */
export type StartOutcome =
  | { ok: true; status: string; path: string }
  | { ok: false; status: 'Not available' | 'Storage full'; reason: 'busy' | 'unavailable' | 'full' };

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `IMG_YYMMDD_HHMMSS_NNNN_BAND.EXT` on the camera's (UTC) clock (docs/sequoia.md, "Files"). */
export function expectedFileName(timeMs: number, index: number, band: (typeof BANDS)[number]): string {
  const d = new Date(timeMs);
  const date = `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `IMG_${date}_${time}_${pad(index % 10000, 4)}_${band.suffix}.${band.ext}`;
}

/** A number, or a string that is exactly a decimal number (the camera's own web UI sends those). */
function loose(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

/** Whether `n` is a whole number of `step`s, within float noise. */
function onStep(n: number, step: number): boolean {
  const k = n / step;
  return Math.abs(k - Math.round(k)) < 1e-6;
}

function stepped(v: unknown, min: number, max: number, step: number): number | undefined {
  const n = loose(v);
  if (n === undefined || n < min || n > max || !onStep(n, step)) return undefined;
  return Number((Math.round(n / step) * step).toFixed(6));
}

/** The shortest timelapse period: 1 s with the RGB sensor on, 0.5 s without (docs/sequoia.md). */
export function shortestPeriod(mask: number): number {
  return (mask & 1) !== 0 ? 1 : 0.5;
}

/** The model itself. */
export class SequoiaModel {
  config: SequoiaConfig;
  sdPresent = true;
  filled: Record<MediumName, boolean> = { internal: false, sd: false };
  /** Files by medium, folder number, name. */
  media: Record<MediumName, Map<number, Set<string>>> = { internal: new Map(), sd: new Map() };
  session: ModelSession | undefined;
  counters: ModelCounters = { running: 0, ready: 0, captureComplete: 0, objectAdded: 0, objectRemoved: 0 };
  /**
   * For each CaptureComplete, whether the camera is still capturing then: a PTP initiator reads the
   * status right after it (the first Status event that follows must say so).
   */
  capturingAfterComplete: boolean[] = [];
  /** Highest folder number the camera has used: a new one is always higher (never reused). */
  lastFolder = -1;
  /** The camera's clock, ms (the test's ManualClock). */
  now: number;

  constructor(config: SequoiaConfig, now: number) {
    this.config = { ...config };
    this.now = now;
  }

  get capturing(): boolean {
    return this.session !== undefined;
  }

  /** `GET /capture`'s status text and path. */
  captureStatus(): { status: string; path?: string } {
    const s = this.session;
    if (!s) return { status: 'Ready' };
    if (s.kind === 'countdown') return { status: 'Radiometric Calibration Running' };
    return { status: 'Timelapse running', path: `/${s.medium}/${pad(s.folder, 4)}` };
  }

  /** Every file, as `/medium/folder/name`, in a stable order. */
  filePaths(): string[] {
    const out: string[] = [];
    for (const medium of ['internal', 'sd'] as const) {
      for (const [folder, files] of [...this.media[medium]].sort((a, b) => a[0] - b[0])) {
        for (const f of [...files].sort()) out.push(`/${medium}/${pad(folder, 4)}/${f}`);
      }
    }
    return out;
  }

  // ---- settings ---------------------------------------------------------------------------------

  /** Validates one field as the firmware does; the value it keeps, or its error text. */
  validate(
    key: string,
    value: unknown,
    maskAfter = this.config.sensors_mask,
  ): { ok: true; value: unknown } | { ok: false; error: string } {
    const bad = (error: string = CONFIG_ERRORS.badValue) => ({ ok: false as const, error });
    const good = (v: unknown) => ({ ok: true as const, value: v });
    switch (key) {
      case 'capture_mode':
        return typeof value === 'string' && (CAPTURE_MODES as readonly string[]).includes(value) ? good(value) : bad();
      case 'timelapse_param': {
        const n = stepped(value, shortestPeriod(maskAfter), 3600, 0.001);
        return n === undefined ? bad() : good(n);
      }
      case 'gps_param': {
        const n = stepped(value, 5, 1000, 0.01);
        return n === undefined ? bad() : good(n);
      }
      case 'overlap_param': {
        const n = stepped(value, 0, 99, 1);
        return n === undefined ? bad() : good(n);
      }
      case 'resolution_rgb': {
        const n = loose(value);
        return n === 12 || n === 16 ? good(n) : bad(CONFIG_ERRORS.invalidResolution);
      }
      case 'resolution_mono': {
        const n = loose(value);
        return n === 0.3 || n === 1.2 ? good(n) : bad(CONFIG_ERRORS.invalidResolution);
      }
      case 'bit_depth': {
        const n = loose(typeof value === 'string' ? value.replace(/\s*bits?$/i, '') : value);
        return n === 8 || n === 10 ? good(n) : bad(CONFIG_ERRORS.invalidBitDepth);
      }
      case 'sensors_mask': {
        const n = loose(value);
        return n !== undefined && Number.isInteger(n) && n >= 1 && n <= 31 ? good(n) : bad(CONFIG_ERRORS.invalidMask);
      }
      case 'storage_selected':
        if (value !== 'internal' && value !== 'sd') return bad();
        if (this.capturing) return bad(CONFIG_ERRORS.storageBusy);
        if (value === 'sd' && !this.sdPresent) return bad();
        return good(value);
      case 'auto_select':
        return value === 'on' || value === 'off' ? good(value) : bad();
      default:
        return bad(CONFIG_ERRORS.unknownSetting);
    }
  }

  /** Applies one field; what the camera answers. Turning RGB on raises a shorter period to 1 s. */
  setConfig(key: string, value: unknown): { ok: true } | { ok: false; error: string } {
    const maskAfter =
      key === 'sensors_mask'
        ? ((this.validate(key, value).ok ? loose(value) : undefined) ?? this.config.sensors_mask)
        : this.config.sensors_mask;
    const r = this.validate(key, value, maskAfter);
    if (!r.ok) return r;
    (this.config as unknown as Record<string, unknown>)[key] = r.value;
    const shortest = shortestPeriod(this.config.sensors_mask);
    if (this.config.timelapse_param < shortest) this.config.timelapse_param = shortest;
    return { ok: true };
  }

  // ---- capture ----------------------------------------------------------------------------------

  private newFolder(medium: MediumName): number {
    const n = this.lastFolder + 1;
    this.lastFolder = n;
    this.media[medium].set(n, new Set());
    return n;
  }

  /**
   * One capture of `config`'s bands into a folder, taken at `timeMs`; `continues` says whether the
   * session goes on after it (what the first Status after its CaptureComplete must say).
   */
  private capture(
    medium: MediumName,
    folder: number,
    config: SequoiaConfig,
    continues: boolean,
    index: number,
    timeMs = this.now,
  ): void {
    const files = this.media[medium].get(folder)!;
    for (const band of BANDS) {
      if ((config.sensors_mask & band.bit) === 0) continue;
      files.add(expectedFileName(timeMs, index, band));
      this.counters.objectAdded++;
    }
    this.counters.captureComplete++;
    this.capturingAfterComplete.push(continues);
  }

  /** The medium a capture goes to (switching the selection with auto-select), or why none. */
  private target(): MediumName | { reason: 'unavailable' | 'full' } {
    const c = this.config;
    const order: MediumName[] = c.storage_selected === 'sd' ? ['sd', 'internal'] : ['internal', 'sd'];
    for (const m of c.auto_select === 'on' ? order : [c.storage_selected]) {
      if ((m === 'internal' || this.sdPresent) && !this.filled[m]) {
        if (m !== c.storage_selected) c.storage_selected = m;
        return m;
      }
    }
    const selectedPresent = c.storage_selected === 'internal' || this.sdPresent;
    return { reason: selectedPresent ? 'full' : 'unavailable' };
  }

  /** `/capture/start`, PTP InitiateCapture / InitiateOpenCapture. `countdownMs` is the radiometric countdown. */
  start(countdownMs: number): StartOutcome {
    if (this.session) return { ok: false, status: 'Not available', reason: 'busy' };
    const t = this.target();
    if (typeof t !== 'string') {
      return t.reason === 'full'
        ? { ok: false, status: 'Storage full', reason: 'full' }
        : { ok: false, status: 'Not available', reason: 'unavailable' };
    }
    const config = { ...this.config };
    this.counters.running++;
    switch (config.capture_mode) {
      case 'single': {
        const folder = this.newFolder(t);
        this.capture(t, folder, config, false, 0);
        this.counters.ready++;
        return { ok: true, status: 'Snapshot running', path: `/${t}/${pad(folder, 4)}` };
      }
      case 'timelapse': {
        const folder = this.newFolder(t);
        this.capture(t, folder, config, true, 0);
        this.session = {
          kind: 'timelapse',
          medium: t,
          folder,
          config,
          index: 1,
          periodMs: config.timelapse_param * 1000,
          startMs: this.now,
        };
        return { ok: true, status: 'Timelapse running', path: `/${t}/${pad(folder, 4)}` };
      }
      case 'gps_position':
      case 'auto': {
        const folder = this.newFolder(t);
        this.session = { kind: 'distance', medium: t, folder, config };
        return { ok: true, status: 'Timelapse running', path: `/${t}/${pad(folder, 4)}` };
      }
      case 'radiometric':
        this.session = { kind: 'countdown', medium: t, config, remainingMs: countdownMs };
        return { ok: true, status: 'Radiometric Calibration Running', path: `/${t}` };
    }
  }

  /** `/capture/stop`, PTP TerminateOpenCapture: whether a capture was running. */
  stop(): boolean {
    if (!this.session) return false;
    this.session = undefined;
    this.counters.ready++;
    return true;
  }

  /** How far the test moves the clock for a tick (at least): to the next timelapse picture or the end of the countdown. */
  tickMs(): number {
    const s = this.session;
    if (s?.kind === 'timelapse') return s.periodMs;
    if (s?.kind === 'countdown') return s.remainingMs;
    return 1000;
  }

  /** The clock moved by `ms` (whole milliseconds, {@link tickMs} rounded up: one timelapse period at most). */
  tick(ms: number): void {
    const s = this.session;
    this.now += ms;
    if (s?.kind === 'timelapse') {
      if (this.filled[s.medium] || (s.medium === 'sd' && !this.sdPresent)) {
        // The picture cannot be written: the session ends without it.
        this.stop();
        return;
      }
      // On the session's own schedule: start + index × period.
      this.capture(s.medium, s.folder, s.config, true, s.index, s.startMs + s.index * s.periodMs);
      s.index++;
    } else if (s?.kind === 'countdown') {
      this.session = undefined;
      if (s.medium === 'sd' && !this.sdPresent) {
        this.counters.ready++;
        return;
      }
      const folder = this.newFolder(s.medium);
      this.capture(s.medium, folder, s.config, false, 0);
      this.counters.ready++;
    }
  }

  // ---- media ------------------------------------------------------------------------------------

  /** Deleting `/medium/folder/name`: the camera's refusal, or undefined when deleted. */
  delete(path: string): 'absent' | 'busy' | undefined {
    const [, medium, folderText, name] = path.split('/') as [string, MediumName, string, string];
    const folder = Number(folderText);
    if (medium === 'sd' && !this.sdPresent) return 'absent';
    const s = this.session;
    if (s && s.kind !== 'countdown' && s.medium === medium && s.folder === folder) return 'busy';
    this.media[medium].get(folder)!.delete(name);
    this.counters.objectRemoved++;
    return undefined;
  }

  /** The card goes out or in. Out while a session writes to it ends the session. */
  setSd(present: boolean): void {
    if (present === this.sdPresent) return;
    this.sdPresent = present;
    if (!present) {
      const s = this.session;
      if (s && s.kind !== 'countdown' && s.medium === 'sd') this.stop();
      if (this.config.storage_selected === 'sd') this.config.storage_selected = 'internal';
    } else if (this.config.auto_select === 'on' && !this.session) {
      this.config.storage_selected = 'sd';
    }
  }

  /** Filled to the last byte, or emptied of the filler. */
  fill(medium: MediumName, full: boolean): void {
    this.filled[medium] = full;
  }
}

/** The settings a run starts from: one small band, so a capture writes one small TIFF. */
export const START_CONFIG: SequoiaConfig = { ...DEFAULT_CONFIG, sensors_mask: 2, resolution_mono: 0.3 };

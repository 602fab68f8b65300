/**
 * One emulated Sequoia, every face at once: random command sequences (fast-check's model-based
 * testing) — single shots, timelapse and distance sessions started and stopped, the radiometric
 * countdown, settings set to arbitrary values (valid, invalid, edge), files deleted, the SD card
 * pulled out and pushed in, a medium filled up — each sent through a randomly chosen face (HTTP,
 * PTP/IP, the emulator's /_emulator/ controls). After every step, what each face says is compared
 * with the others and with a small reference model (test/helpers/sequoia-model.ts):
 *
 * - HTTP (`SequoiaClient`): /capture, /config, /storage, folder and file listings, /_emulator;
 * - PTP/IP (`PtpIpClient`): GetStatusMask, storages, object handles and ObjectInfo, every
 *   property mapped onto a setting;
 * - the WebSocket notifications (`SequoiaEvents`) and the PTP/IP event connection: how many
 *   captures each announced, and the state their last word leaves (capture running or ready,
 *   settings, card, full media) — the last state every face reports is the camera's.
 *
 * Time is a ManualClock: a timelapse picture or the end of the radiometric countdown happens when
 * the test moves the clock; waiting is done on events (a deadline only turns a missing event into
 * a readable failure).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock, startSequoiaEmulator, type RunningSequoiaEmulator } from '../../src/emulator/index.js';
import {
  DataType,
  Ev,
  ParrotCaptureMode,
  ParrotEv,
  ParrotOp,
  ParrotProp,
  Prop,
  PtpIpClient,
  PtpResponseError,
  Resp,
  decodeStatusMask,
  type ObjectInfo,
  type PtpContainer,
  type PtpValue,
} from '../../src/ptp/index.js';
import {
  SequoiaClient,
  SequoiaError,
  SequoiaSettingError,
  type MediumName,
  type SequoiaConfig,
} from '../../src/sequoia/index.js';
import { START_CONFIG, SequoiaModel } from '../helpers/sequoia-model.js';
import { tempDir } from '../helpers/tmp.js';

/** The radiometric countdown the emulator is started with (device time). */
const COUNTDOWN_MS = 3000;
/** Turns an event that never comes into a failure with a message; never a pass condition. */
const EVENT_DEADLINE_MS = 5000;

const STORAGE_ID: Record<MediumName, number> = { internal: 0x00010001, sd: 0x00020001 };
const MODE_PTP: Record<string, number> = {
  single: ParrotCaptureMode.Single,
  timelapse: ParrotCaptureMode.Timelapse,
  gps_position: ParrotCaptureMode.GpsPosition,
  auto: ParrotCaptureMode.AutomaticOverlap,
  radiometric: ParrotCaptureMode.RadiometricCalibration,
};
const RGB_TEXT = { 16: '4608 x 3456', 12: '4000 x 3000' } as const;
const MONO_TEXT = { '1.2': '1280 x 960', '0.3': '640 x 480' } as const;

/** The PTP properties that carry a setting: data type, value as the model holds it, and back. */
const PTP_PROPS: Record<
  string,
  {
    code: number;
    dataType: number;
    key: keyof SequoiaConfig;
    read(c: SequoiaConfig): PtpValue;
    toSetting(v: PtpValue): unknown;
  }
> = {
  StillCaptureMode: {
    code: Prop.StillCaptureMode,
    dataType: DataType.UINT16,
    key: 'capture_mode',
    read: (c) => MODE_PTP[c.capture_mode]!,
    toSetting: (v) => Object.keys(MODE_PTP).find((k) => MODE_PTP[k] === v) ?? `PTP mode ${String(v)}`,
  },
  TimelapseInterval: {
    code: Prop.TimelapseInterval,
    dataType: DataType.UINT32,
    key: 'timelapse_param',
    read: (c) => Math.round(c.timelapse_param * 1000),
    toSetting: (v) => Number(v) / 1000,
  },
  GPSInterval: {
    code: ParrotProp.GPSInterval,
    dataType: DataType.UINT32,
    key: 'gps_param',
    read: (c) => Math.round(c.gps_param * 100),
    toSetting: (v) => Number(v) / 100,
  },
  OverlapRate: {
    code: ParrotProp.OverlapRate,
    dataType: DataType.UINT8,
    key: 'overlap_param',
    read: (c) => c.overlap_param,
    toSetting: (v) => v,
  },
  PhotoSensorEnableMask: {
    code: ParrotProp.PhotoSensorEnableMask,
    dataType: DataType.UINT32,
    key: 'sensors_mask',
    read: (c) => c.sensors_mask,
    toSetting: (v) => v,
  },
  ImageSize: {
    code: Prop.ImageSize,
    dataType: DataType.STR,
    key: 'resolution_rgb',
    read: (c) => RGB_TEXT[c.resolution_rgb],
    toSetting: (v) => (v === RGB_TEXT[12] ? 12 : v === RGB_TEXT[16] ? 16 : `size ${String(v)}`),
  },
  MultispectralImageSize: {
    code: ParrotProp.MultispectralImageSize,
    dataType: DataType.STR,
    key: 'resolution_mono',
    read: (c) => MONO_TEXT[String(c.resolution_mono) as '1.2' | '0.3'],
    toSetting: (v) => (v === MONO_TEXT['0.3'] ? 0.3 : v === MONO_TEXT['1.2'] ? 1.2 : `size ${String(v)}`),
  },
  MultispectralBitDepth: {
    code: ParrotProp.MultispectralBitDepth,
    dataType: DataType.UINT8,
    key: 'bit_depth',
    read: (c) => c.bit_depth,
    toSetting: (v) => v,
  },
  SelectedStorage: {
    code: ParrotProp.SelectedStorage,
    dataType: DataType.UINT32,
    key: 'storage_selected',
    read: (c) => STORAGE_ID[c.storage_selected],
    toSetting: (v) => (v === STORAGE_ID.internal ? 'internal' : v === STORAGE_ID.sd ? 'sd' : `storage ${String(v)}`),
  },
};

/** What the two event streams have said so far. */
class EventWatch {
  running = 0;
  ready = 0;
  wsCapture: 'running' | 'ready' = 'ready';
  wsConfig: Record<string, unknown> = {};
  wsSd: 'connected' | 'disconnected' = 'connected';
  wsFull: Record<MediumName, boolean> = { internal: false, sd: false };
  captureComplete = 0;
  objectAdded = 0;
  objectRemoved = 0;
  ptpCapturing = false;
  /** What the first Status after each CaptureComplete said (undefined until one came). */
  readonly statusAfterComplete: Array<boolean | undefined> = [];
  readonly log: string[] = [];
  private wake: (() => void) | undefined;

  ws(m: Record<string, unknown>): void {
    this.log.push(`ws ${JSON.stringify(m)}`);
    if (m.capture === 'running') this.running++;
    if (m.capture === 'ready') this.ready++;
    if (m.capture === 'running' || m.capture === 'ready') this.wsCapture = m.capture;
    for (const k of [
      'capture_mode',
      'timelapse_param',
      'gps_param',
      'overlap_param',
      'sensors_mask',
      'resolution_rgb',
      'resolution_mono',
      'bit_depth',
    ]) {
      if (k in m) this.wsConfig[k] = m[k];
    }
    if ('storage_select' in m) this.wsConfig.storage_selected = m.storage_select;
    if (m.storage_status === 'sd' && (m.state === 'connected' || m.state === 'disconnected')) this.wsSd = m.state;
    if (m.storage_status === 'internal' || m.storage_status === 'sd') {
      if (m.state === 'full') this.wsFull[m.storage_status] = true;
      if (m.state === 'no_longer_full') this.wsFull[m.storage_status] = false;
    }
    this.poke();
  }

  ptp(e: PtpContainer): void {
    if (e.code === Ev.CaptureComplete) {
      this.captureComplete++;
      this.statusAfterComplete.push(undefined);
    }
    if (e.code === Ev.ObjectAdded) this.objectAdded++;
    if (e.code === Ev.ObjectRemoved) this.objectRemoved++;
    if (e.code === ParrotEv.Status) {
      this.ptpCapturing = decodeStatusMask(e.params[0] ?? 0).SnapshotRequested;
      const last = this.statusAfterComplete.length - 1;
      if (last >= 0 && this.statusAfterComplete[last] === undefined) this.statusAfterComplete[last] = this.ptpCapturing;
    }
    this.log.push(
      `ptp 0x${e.code.toString(16)} ${e.code === ParrotEv.Status ? (this.ptpCapturing ? 'capturing' : 'idle') : ''}`,
    );
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves once `differences()` is empty, re-checking at each event; fails with the last differences. */
  async until(differences: () => string[]): Promise<void> {
    const deadline = Date.now() + EVENT_DEADLINE_MS;
    for (;;) {
      const diff = differences();
      if (diff.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `events never agreed with the model:\n  ${diff.join('\n  ')}\nlast events:\n  ${this.log.slice(-12).join('\n  ')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

interface Real {
  cam: RunningSequoiaEmulator;
  clock: ManualClock;
  http: SequoiaClient;
  ptp: PtpIpClient;
  watch: EventWatch;
  /** PTP handle of each file, from the last look. */
  handles: Map<string, number>;
  /** ObjectInfo by handle: a handle names one object for its life, and a picture never changes. */
  objectInfo: Map<number, ObjectInfo>;
}

/** A command: `act` through one face, then every face is read and compared (see `agree`). */
abstract class Cmd implements fc.AsyncCommand<SequoiaModel, Real> {
  static steps = 0;
  check(_m: Readonly<SequoiaModel>): boolean {
    return true;
  }
  abstract act(m: SequoiaModel, r: Real): Promise<void>;
  async run(m: SequoiaModel, r: Real): Promise<void> {
    await this.act(m, r);
    Cmd.steps++;
    await agree(m, r);
  }
  abstract toString(): string;
}

async function control(real: Real, name: string, body: unknown): Promise<void> {
  const r = await fetch(`${real.cam.url}/_emulator/${name}`, { method: 'POST', body: JSON.stringify(body) });
  expect(r.status, `/_emulator/${name}`).toBe(200);
  await r.arrayBuffer();
}

/** The PTP response code of a call, OK when it succeeded. */
async function ptpResponse(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return Resp.OK;
  } catch (e) {
    if (e instanceof PtpResponseError) return e.responseCode;
    throw e;
  }
}

const respName = (code: number): string =>
  Object.entries(Resp).find(([, v]) => v === code)?.[0] ?? `0x${code.toString(16)}`;

// ---- commands -----------------------------------------------------------------------------------

class StartCapture extends Cmd {
  constructor(readonly face: 'http' | 'ptp-snapshot' | 'ptp-open') {
    super();
  }
  async act(m: SequoiaModel, r: Real): Promise<void> {
    if (this.face === 'ptp-snapshot' && m.config.capture_mode !== 'single' && m.config.capture_mode !== 'radiometric') {
      // InitiateCapture is a snapshot; the continuous modes are started with InitiateOpenCapture.
      expect(respName(await ptpResponse(r.ptp.initiateCapture()))).toBe('DeviceBusy');
      return;
    }
    const want = m.start(COUNTDOWN_MS);
    if (this.face === 'http') {
      const reply = await r.http.startCapture().catch((e: unknown) => e);
      if (want.ok) expect(reply).toMatchObject({ status: want.status, path: want.path });
      else
        expect(reply).toMatchObject({
          code: 'ERR_CAMCTL_SEQUOIA_CAMERA_ERROR',
          deviceMessage: want.status,
          httpStatus: { busy: 409, full: 507, unavailable: 503 }[want.reason],
        });
    } else {
      const code = await ptpResponse(this.face === 'ptp-open' ? r.ptp.initiateOpenCapture() : r.ptp.initiateCapture());
      expect(respName(code)).toBe(
        want.ok ? 'OK' : { busy: 'DeviceBusy', full: 'StoreFull', unavailable: 'StoreNotAvailable' }[want.reason],
      );
    }
  }
  toString(): string {
    return `start(${this.face})`;
  }
}

class StopCapture extends Cmd {
  constructor(readonly face: 'http' | 'ptp') {
    super();
  }
  async act(m: SequoiaModel, r: Real): Promise<void> {
    const wasRunning = m.stop();
    if (this.face === 'http') {
      const reply = await r.http.stopCapture();
      expect(reply.status).toBe(wasRunning ? 'Ready' : 'Capture is not running');
    } else {
      expect(respName(await ptpResponse(r.ptp.terminateOpenCapture()))).toBe(
        wasRunning ? 'OK' : 'CaptureAlreadyTerminated',
      );
    }
  }
  toString(): string {
    return `stop(${this.face})`;
  }
}

class Tick extends Cmd {
  async act(m: SequoiaModel, r: Real): Promise<void> {
    const ms = Math.ceil(m.tickMs());
    m.tick(ms);
    await r.clock.advance(ms);
  }
  toString(): string {
    return 'tick';
  }
}

class SetConfigHttp extends Cmd {
  constructor(
    readonly key: string,
    readonly value: unknown,
  ) {
    super();
  }
  async act(m: SequoiaModel, r: Real): Promise<void> {
    // `request` is the reply's own echo field: the camera ignores it in a POST.
    const want = this.key === 'request' ? undefined : m.setConfig(this.key, this.value);
    const answers = await r.http.setConfig({ [this.key]: this.value } as Partial<SequoiaConfig>).catch((e: unknown) => {
      if (e instanceof SequoiaSettingError) return e.answers;
      throw e;
    });
    expect(answers).toEqual(want === undefined ? {} : { [this.key]: want.ok ? 'Ok' : want.error });
  }
  toString(): string {
    return `http config ${this.key}=${JSON.stringify(this.value)}`;
  }
}

class SetConfigPtp extends Cmd {
  constructor(
    readonly prop: string,
    readonly value: PtpValue,
  ) {
    super();
  }
  async act(m: SequoiaModel, r: Real): Promise<void> {
    const p = PTP_PROPS[this.prop]!;
    const want = m.setConfig(p.key, p.toSetting(this.value));
    const code = await ptpResponse(r.ptp.setDevicePropValue(p.code, p.dataType, this.value));
    // ISO 15740: a value outside the property's form is InvalidDevicePropValue; a storage change
    // while a capture writes is DeviceBusy.
    expect(respName(code)).toBe(
      want.ok ? 'OK' : want.error === 'Storage is busy' ? 'DeviceBusy' : 'InvalidDevicePropValue',
    );
  }
  toString(): string {
    return `ptp set ${this.prop}=${JSON.stringify(this.value)}`;
  }
}

class DeleteFile extends Cmd {
  constructor(
    readonly face: 'http' | 'ptp',
    readonly pick: number,
  ) {
    super();
  }
  private candidates(m: SequoiaModel): string[] {
    // A filled medium keeps its last byte used: no file is deleted from it (see the model).
    return m.filePaths().filter((p) => !m.filled[p.split('/')[1] as MediumName]);
  }
  override check(m: Readonly<SequoiaModel>): boolean {
    return this.candidates(m as SequoiaModel).length > 0;
  }
  async act(m: SequoiaModel, r: Real): Promise<void> {
    const all = this.candidates(m);
    const path = all[this.pick % all.length]!;
    const want = m.delete(path);
    if (this.face === 'http') {
      const got = await r.http.delete(path).catch((e: unknown) => e);
      if (want === undefined) expect(got).toEqual([path]);
      else expect(got).toMatchObject({ httpStatus: want === 'busy' ? 409 : 404 });
      if (want === 'busy') expect((got as SequoiaError).deviceMessage).toBe('Storage is busy');
    } else {
      const handle = r.handles.get(path);
      expect(handle, `a PTP handle for ${path}`).toBeDefined();
      const code = await ptpResponse(r.ptp.deleteObject(handle!));
      // A file on a card that was pulled out is no object any more.
      expect(respName(code)).toBe(want === undefined ? 'OK' : want === 'busy' ? 'DeviceBusy' : 'InvalidObjectHandle');
    }
  }
  toString(): string {
    return `delete(${this.face}, #${this.pick})`;
  }
}

class Sd extends Cmd {
  constructor(
    readonly present: boolean,
    readonly face: 'http' | 'ptp',
  ) {
    super();
  }
  async act(m: SequoiaModel, r: Real): Promise<void> {
    const wasPresent = m.sdPresent;
    m.setSd(this.present);
    if (this.face === 'ptp' && !this.present) {
      // Parrot's EjectStorage; an absent card is no storage.
      const code = await ptpResponse(r.ptp.operation(ParrotOp.EjectStorage, [STORAGE_ID.sd]));
      expect(respName(code)).toBe(wasPresent ? 'OK' : 'InvalidStorageID');
    } else {
      await control(r, 'sd', { present: this.present });
    }
  }
  toString(): string {
    return `sd ${this.present ? 'in' : 'out'} (${this.face})`;
  }
}

class Fill extends Cmd {
  constructor(
    readonly medium: MediumName,
    readonly full: boolean,
  ) {
    super();
  }
  async act(m: SequoiaModel, r: Real): Promise<void> {
    m.fill(this.medium, this.full);
    await control(r, 'fill', { medium: this.medium, free: this.full ? 0 : null });
  }
  toString(): string {
    return `${this.full ? 'fill' : 'empty'} ${this.medium}`;
  }
}

// ---- values ---------------------------------------------------------------------------------------

const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 5000 }),
  fc.double({ min: -10, max: 4000, noNaN: true }),
  fc.double(), // NaN and ±Infinity travel as JSON null
);
const anyValue = fc.oneof(
  anyNumber,
  anyNumber.map(String),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([1]),
  fc.constant({}),
);
/** Valid, invalid and edge values of each setting, and anything else. */
const httpSetting: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(
    fc.constant('capture_mode'),
    fc.oneof(fc.constantFrom('single', 'timelapse', 'gps_position', 'auto', 'radiometric', 'Single', ''), anyValue),
  ),
  fc.tuple(
    fc.constant('timelapse_param'),
    fc.oneof(fc.constantFrom(0.499, 0.5, 0.5005, 0.999, 1, 1.001, 2.675, 3600, 3600.001, '1.5', ' 2 '), anyValue),
  ),
  fc.tuple(fc.constant('gps_param'), fc.oneof(fc.constantFrom(4.99, 5, 12.34, 12.345, 1000, 1000.01, '25'), anyValue)),
  fc.tuple(fc.constant('overlap_param'), fc.oneof(fc.constantFrom(-1, 0, 12.5, 99, 99.5, 100, '80'), anyValue)),
  // Few bands: a capture then writes one or two small files (31 at 1.2 MP is the slow edge).
  fc.tuple(
    fc.constant('sensors_mask'),
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(1, 2, 4, 8, 16, 3, 0, 32, 1.5, '2', -1) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }) },
      anyValue,
    ),
  ),
  fc.tuple(fc.constant('resolution_rgb'), fc.oneof(fc.constantFrom(12, 16, '12', 14, 0), anyValue)),
  fc.tuple(fc.constant('resolution_mono'), fc.oneof(fc.constantFrom(0.3, 1.2, '0.3', 0.5, 1.20000001), anyValue)),
  fc.tuple(fc.constant('bit_depth'), fc.oneof(fc.constantFrom(8, 10, '10bits', '8 bits', '10bit', 9, 16), anyValue)),
  fc.tuple(fc.constant('storage_selected'), fc.oneof(fc.constantFrom('internal', 'sd', 'SD', 'usb'), anyValue)),
  fc.tuple(fc.constant('auto_select'), fc.oneof(fc.constantFrom('on', 'off', 'ON', true), anyValue)),
  fc.tuple(fc.constantFrom('request', 'iso', 'capture'), anyValue),
);
const uint = (max: number, edges: number[]) => fc.oneof(fc.constantFrom(...edges), fc.integer({ min: 0, max }));
const ptpSetting: fc.Arbitrary<[string, PtpValue]> = fc.oneof(
  fc.tuple(fc.constant('StillCaptureMode'), uint(0xffff, [1, 3, 0x8002, 0x8003, 0x8004, 0, 2, 0x8001, 0xffff])),
  fc.tuple(
    fc.constant('TimelapseInterval'),
    uint(5_000_000, [0, 499, 500, 999, 1000, 1001, 2675, 3_600_000, 3_600_001, 0xffffffff]),
  ),
  fc.tuple(fc.constant('GPSInterval'), uint(200_000, [0, 499, 500, 1234, 100_000, 100_001, 0xffffffff])),
  fc.tuple(fc.constant('OverlapRate'), uint(0xff, [0, 1, 80, 99, 100, 0xff])),
  fc.tuple(fc.constant('PhotoSensorEnableMask'), uint(64, [0, 1, 2, 4, 16, 31, 32, 0xffffffff])),
  fc.tuple(
    fc.constant('ImageSize'),
    fc.oneof(fc.constantFrom(RGB_TEXT[12], RGB_TEXT[16], '', '4608x3456', 'big'), fc.string({ maxLength: 12 })),
  ),
  fc.tuple(
    fc.constant('MultispectralImageSize'),
    fc.oneof(fc.constantFrom(MONO_TEXT['0.3'], MONO_TEXT['1.2'], '', '640x480'), fc.string({ maxLength: 12 })),
  ),
  fc.tuple(fc.constant('MultispectralBitDepth'), uint(0xff, [8, 10, 0, 9, 0xff])),
  fc.tuple(fc.constant('SelectedStorage'), uint(0xffffffff, [STORAGE_ID.internal, STORAGE_ID.sd, 0, 0x00030001])),
);

const commands = [
  fc.constantFrom('http', 'ptp-snapshot', 'ptp-open').map((f) => new StartCapture(f as StartCapture['face'])),
  fc.constantFrom('http', 'ptp').map((f) => new StopCapture(f as StopCapture['face'])),
  fc.constant(null).map(() => new Tick()),
  // Settings twice as often as the rest: their values are where the faces differ most.
  httpSetting.map(([k, v]) => new SetConfigHttp(k, v)),
  httpSetting.map(([k, v]) => new SetConfigHttp(k, v)),
  ptpSetting.map(([k, v]) => new SetConfigPtp(k, v)),
  ptpSetting.map(([k, v]) => new SetConfigPtp(k, v)),
  fc.tuple(fc.constantFrom('http', 'ptp'), fc.nat(50)).map(([f, n]) => new DeleteFile(f as DeleteFile['face'], n)),
  fc.tuple(fc.boolean(), fc.constantFrom('http', 'ptp')).map(([p, f]) => new Sd(p, f as Sd['face'])),
  fc.tuple(fc.constantFrom('internal', 'sd'), fc.boolean()).map(([m, f]) => new Fill(m as MediumName, f)),
];

// ---- what every face says -------------------------------------------------------------------------

/** After a step: the event streams, then every face read, against the model and each other. */
async function agree(m: SequoiaModel, r: Real): Promise<void> {
  const w = r.watch;
  const c = m.counters;
  // Every announcement the step causes has arrived, and no more than those.
  await w.until(() => {
    const d: string[] = [];
    const count = (what: string, got: number, want: number) =>
      got !== want && d.push(`${what}: ${got} seen, ${want} expected`);
    count('WebSocket capture running', w.running, c.running);
    count('WebSocket capture ready', w.ready, c.ready);
    count('PTP CaptureComplete', w.captureComplete, c.captureComplete);
    count('PTP ObjectAdded', w.objectAdded, c.objectAdded);
    count('PTP ObjectRemoved', w.objectRemoved, c.objectRemoved);
    // The last word of each stream is the camera's state.
    const capture = m.capturing ? 'running' : 'ready';
    if (w.wsCapture !== capture) d.push(`WebSocket says capture ${w.wsCapture}, camera is ${capture}`);
    if (w.ptpCapturing !== m.capturing)
      d.push(`PTP Status says ${w.ptpCapturing ? 'capturing' : 'idle'}, camera is ${capture}`);
    // An initiator that stops listening at CaptureComplete keeps the Status that follows it.
    const after = w.statusAfterComplete.map((x) => (x === undefined ? 'none yet' : x ? 'capturing' : 'idle'));
    const want = m.capturingAfterComplete.map((x) => (x ? 'capturing' : 'idle'));
    if (after.join() !== want.join())
      d.push(`first Status after each CaptureComplete: ${after.join(', ')}; expected ${want.join(', ')}`);
    for (const [k, v] of Object.entries(w.wsConfig))
      if (v !== m.config[k as keyof SequoiaConfig])
        d.push(`WebSocket ${k}=${String(v)}, camera ${String(m.config[k as keyof SequoiaConfig])}`);
    if ((w.wsSd === 'connected') !== m.sdPresent) d.push(`WebSocket says the card is ${w.wsSd}`);
    for (const k of ['internal', 'sd'] as const)
      if (w.wsFull[k] !== m.filled[k]) d.push(`WebSocket says ${k} ${w.wsFull[k] ? 'full' : 'not full'}`);
    return d;
  });

  // Every face read at once (nothing moves meanwhile: the clock is the test's), then compared.
  const present: MediumName[] = m.sdPresent ? ['internal', 'sd'] : ['internal'];
  const [h, p] = await Promise.all([readHttp(r, present), readPtp(r, present)]);
  expect({ status: h.status.status, path: h.status.path }).toEqual({ path: undefined, ...m.captureStatus() });
  expect(h.config).toEqual(m.config);
  expect(h.storage.storage_selected).toBe(m.config.storage_selected);
  expect(h.storage.sd !== undefined).toBe(m.sdPresent);
  // A filled medium has no KiB left; any other has gigabytes.
  for (const medium of present) expect(h.storage[medium]!.free === 0, `${medium} full`).toBe(m.filled[medium]);
  expect(p.capturing, 'GetStatusMask SnapshotRequested').toBe(m.capturing);
  expect(p.storageIds).toEqual(present.map((x) => STORAGE_ID[x]));
  for (const medium of present) expect(p.freeKiB[medium], `${medium} free KiB over PTP`).toBe(h.storage[medium]!.free);
  for (const [name, prop] of Object.entries(PTP_PROPS)) expect(p.props[name], name).toBe(prop.read(m.config));
  expect(new Map([...p.files].sort()), 'PTP and HTTP list the same files, same sizes').toEqual(
    new Map([...h.files].sort()),
  );
  r.handles = p.handles;
  const httpFiles = h.files;

  // The model: the same folders and files (empty folders end in "/").
  const modelFiles: string[] = [];
  for (const medium of present) {
    for (const [folder, files] of m.media[medium]) {
      const f = `/${medium}/${String(folder).padStart(4, '0')}`;
      if (files.size === 0) modelFiles.push(`${f}/`);
      for (const name of files) modelFiles.push(`${f}/${name}`);
    }
  }
  expect([...httpFiles.keys()].sort()).toEqual(modelFiles.sort());
}

/** What the HTTP face says: capture status, settings, storage, every folder and file (empty folders end in "/"). */
async function readHttp(r: Real, present: MediumName[]) {
  const [status, { request: _r, ...config }, storage] = await Promise.all([
    r.http.getCaptureStatus(),
    r.http.getConfig(),
    r.http.getStorage(),
  ]);
  const files = new Map<string, number>();
  for (const medium of present) {
    for (const folder of await r.http.listFolders(medium)) {
      const list = await r.http.listFiles(medium, folder.name);
      expect(folder.pictures, folder.path).toBe(list.length);
      if (list.length === 0) files.set(`${folder.path}/`, 0);
      for (const f of list) files.set(f.path, f.size);
    }
  }
  return { status, config, storage, files };
}

/** What the PTP/IP face says: status mask, storages, every setting's property, every object. */
async function readPtp(r: Real, present: MediumName[]) {
  const mask = (await r.ptp.operation(ParrotOp.GetStatusMask)).response.params[0] ?? 0;
  const storageIds = await r.ptp.getStorageIds();
  const freeKiB: Partial<Record<MediumName, number>> = {};
  for (const medium of present)
    freeKiB[medium] = Math.floor(Number((await r.ptp.getStorageInfo(STORAGE_ID[medium])).freeSpaceInBytes) / 1024);
  const props: Record<string, PtpValue> = {};
  for (const [name, p] of Object.entries(PTP_PROPS)) props[name] = (await r.ptp.getDevicePropDesc(p.code)).current;
  const files = new Map<string, number>();
  const handles = new Map<string, number>();
  for (const medium of present) {
    const folderNames = new Map<number, string>();
    const infos = [];
    for (const h of await r.ptp.getObjectHandles(STORAGE_ID[medium], 0, 0)) {
      let info = r.objectInfo.get(h);
      if (!info) r.objectInfo.set(h, (info = await r.ptp.getObjectInfo(h)));
      infos.push({ h, info });
    }
    for (const { h, info } of infos) if (info.associationType !== 0) folderNames.set(h, `/${medium}/${info.filename}`);
    const withFiles = new Set<string>();
    for (const { h, info } of infos) {
      if (info.associationType !== 0) continue;
      const folder = folderNames.get(info.parentObject);
      expect(folder, `parent of ${info.filename}`).toBeDefined();
      withFiles.add(folder!);
      files.set(`${folder}/${info.filename}`, info.compressedSize);
      handles.set(`${folder}/${info.filename}`, h);
    }
    for (const f of folderNames.values()) if (!withFiles.has(f)) files.set(`${f}/`, 0);
  }
  return { capturing: decodeStatusMask(mask).SnapshotRequested, storageIds, freeKiB, props, files, handles };
}

/** Runs commands on a fresh camera (its own data folder, clock and clients), checking after each. */
async function onFreshCamera(cmds: Iterable<fc.AsyncCommand<SequoiaModel, Real>>): Promise<void> {
  const tmp = await tempDir('camctl-xface-');
  const clock = new ManualClock();
  // No GPS fix: distance-triggered sessions take no picture (the model's simplification).
  const cam = await startSequoiaEmulator({
    dataDir: tmp.dir,
    httpPort: 0,
    ptpipPort: 0,
    clock,
    gpsFixAfterMs: 1e12,
    radiometricCountdownMs: COUNTDOWN_MS,
  });
  const http = new SequoiaClient({ host: '127.0.0.1', port: Number(new URL(cam.url).port) });
  const stop = new AbortController();
  let ptp: PtpIpClient | undefined;
  let ptpEvents: Promise<void> | undefined;
  try {
    ptp = await PtpIpClient.connect({
      host: '127.0.0.1',
      port: Number(cam.ptpip!.split(':').pop()),
      name: 'cross-face',
    });
    const watch = new EventWatch();
    const opened = new Promise<void>((resolve, reject) => {
      void (async () => {
        try {
          for await (const item of http.events({ signal: stop.signal, reconnect: false })) {
            if (item.kind === 'connection' && item.state === 'open') resolve();
            if (item.kind === 'notification') watch.ws(item.message as Record<string, unknown>);
          }
        } catch (e) {
          reject(e as Error);
        }
      })();
    });
    const events = ptp.events(stop.signal);
    ptpEvents = (async () => {
      for await (const e of events) watch.ptp(e);
    })();
    await opened;
    await http.setConfig({ sensors_mask: START_CONFIG.sensors_mask, resolution_mono: START_CONFIG.resolution_mono });
    const model = new SequoiaModel(START_CONFIG, clock.now());
    const real: Real = { cam, clock, http, ptp, watch, handles: new Map(), objectInfo: new Map() };
    await agree(model, real);
    await fc.asyncModelRun(() => ({ model, real }), cmds);
  } finally {
    stop.abort();
    await ptp?.close();
    await ptpEvents?.catch(() => undefined);
    http.close();
    await cam.close();
    await tmp.cleanup();
  }
}

describe('one Sequoia, every face', () => {
  let runs = 0;
  afterAll(() => {
    console.log(`Sequoia cross-face model: ${runs} sequences, ${Cmd.steps} commands`);
  });

  it(
    'captures, settings, deletions, card and full media agree across HTTP, WebSocket and PTP/IP',
    { timeout: 300_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 8 }), async (cmds) => {
          runs++;
          await onFreshCamera(cmds);
        }),
        { numRuns: Number(process.env.CROSS_FACE_RUNS ?? 150) },
      );
    },
  );

  it(
    'pulling the card out during a timelapse onto it stops the timelapse: every face says Ready',
    { timeout: 60_000 },
    async () => {
      await onFreshCamera([
        new SetConfigHttp('storage_selected', 'sd'),
        new SetConfigPtp('StillCaptureMode', ParrotCaptureMode.Timelapse),
        new StartCapture('ptp-open'),
        new Sd(false, 'http'),
      ]);
      await onFreshCamera([
        new SetConfigPtp('SelectedStorage', STORAGE_ID.sd),
        new SetConfigHttp('capture_mode', 'gps_position'),
        new StartCapture('http'),
        new Sd(false, 'ptp'),
      ]);
    },
  );
});

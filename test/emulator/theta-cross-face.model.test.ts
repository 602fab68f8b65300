/**
 * One emulated THETA S, both faces at once: random command sequences (fast-check's model-based
 * testing) — single shots, interval shooting started and stopped, options set to arbitrary values
 * (valid, invalid, edge), files deleted — each sent through OSC (`OscClient`) or PTP/IP
 * (`PtpIpClient`). After every step the capture status, the options and the file list read
 * through each face agree with each other and with a small reference model written from RICOH's
 * theta-api-specs and docs/osc.md, and the PTP/IP event connection has announced exactly the
 * pictures, deletions and completed captures the model expects.
 *
 * Time is a ManualClock: a shot's processing, the next interval picture happen when the test moves
 * the clock; waiting is done on events (a deadline only turns a missing event into a readable
 * failure).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock, startThetaEmulator, type RunningThetaEmulator } from '../../src/emulator/index.js';
import { OscClient, OscClientError } from '../../src/osc/index.js';
import {
  DataType,
  Ev,
  Prop,
  PtpIpClient,
  PtpResponseError,
  Resp,
  RicohCaptureMode,
  RicohProp,
  type ObjectInfo,
  type PtpValue,
} from '../../src/ptp/index.js';
import { tempDir } from '../helpers/tmp.js';

/** Processing of a full-size shot (the model's pictures are 2048×1024: half of it). */
const SHOT_PROCESSING_MS = 2000;
const PROCESSING_MS = SHOT_PROCESSING_MS / 2;
/** Turns an event that never comes into a failure with a message; never a pass condition. */
const EVENT_DEADLINE_MS = 5000;
/** The S drops the link after 180 s without a request: the test never moves the clock that far at once. */
const LONGEST_TICK_S = 170;
/** The exposure compensations of the S (exposure_compensation.md). */
const EV = [-2.0, -1.7, -1.3, -1.0, -0.7, -0.3, 0.0, 0.3, 0.7, 1.0, 1.3, 1.7, 2.0];

interface ThetaOptions {
  captureInterval: number;
  captureNumber: number;
  exposureCompensation: number;
  _shutterVolume: number;
}

/** The reference model. */
class ThetaModel {
  options: ThetaOptions = { captureInterval: 8, captureNumber: 0, exposureCompensation: 0, _shutterVolume: 100 };
  /** StillCaptureMode as the PTP face holds it: InitiateCapture needs Single, InitiateOpenCapture another mode. */
  stillMode: number = RicohCaptureMode.Single;
  /** A shot being processed (takePicture), or an interval run, and which face started it. */
  busy: { kind: 'shot'; ptp: boolean } | { kind: 'interval'; ptp: boolean; shots: number } | undefined;
  files: string[] = [];
  /** The S numbers pictures from R0010001.JPG. */
  counter = 10000;
  added = 0;
  removed = 0;
  captureComplete = 0;

  private shoot(): void {
    this.counter++;
    this.files.push(`R${String(this.counter).padStart(7, '0')}.JPG`);
    this.added++;
  }

  /** Checks an option value as the S does; undefined when valid, or the OSC error code. */
  check(name: keyof ThetaOptions, v: unknown): 'invalidParameterValue' | 'disabledCommand' | undefined {
    // Options that change the shooting are refused while shooting, whatever the value.
    if (name !== '_shutterVolume' && this.busy) return 'disabledCommand';
    const int = (min: number, max: number, extra: number[] = []) =>
      typeof v === 'number' && Number.isInteger(v) && ((v >= min && v <= max) || extra.includes(v))
        ? undefined
        : 'invalidParameterValue';
    switch (name) {
      case 'captureInterval':
        return int(5, 3600); // 5 s at 2048×1024 (capture_interval.md)
      case 'captureNumber':
        return int(2, 9999, [0]);
      case '_shutterVolume':
        return int(0, 100);
      case 'exposureCompensation':
        return typeof v === 'number' && EV.some((e) => Math.abs(e - v) < 1e-6) ? undefined : 'invalidParameterValue';
    }
  }

  set(name: keyof ThetaOptions, v: unknown): 'invalidParameterValue' | 'disabledCommand' | undefined {
    const refused = this.check(name, v);
    if (!refused)
      this.options[name] =
        name === 'exposureCompensation' ? EV.find((e) => Math.abs(e - (v as number)) < 1e-6)! : (v as number);
    return refused;
  }

  takePicture(ptp: boolean): boolean {
    if (this.busy) return false;
    this.shoot();
    this.busy = { kind: 'shot', ptp };
    return true;
  }

  startInterval(ptp: boolean): boolean {
    if (this.busy) return false;
    this.shoot();
    this.busy = { kind: 'interval', ptp, shots: 1 };
    return true;
  }

  private finish(): void {
    if (this.busy?.ptp) this.captureComplete++;
    this.busy = undefined;
  }

  stop(): boolean {
    if (this.busy?.kind !== 'interval') return false;
    this.finish();
    return true;
  }

  tickMs(): number {
    if (this.busy?.kind === 'shot') return PROCESSING_MS;
    if (this.busy?.kind === 'interval') return this.options.captureInterval * 1000;
    return 1000;
  }

  tick(): void {
    const b = this.busy;
    if (b?.kind === 'shot') this.finish();
    if (b?.kind === 'interval') {
      this.shoot();
      b.shots++;
      if (this.options.captureNumber > 0 && b.shots >= this.options.captureNumber) this.finish();
    }
  }

  delete(name: string): boolean {
    if (this.busy?.kind === 'interval') return false;
    this.files = this.files.filter((f) => f !== name);
    this.removed++;
    return true;
  }
}

class PtpWatch {
  added = 0;
  removed = 0;
  captureComplete = 0;
  private wake: (() => void) | undefined;
  seen(code: number): void {
    if (code === Ev.ObjectAdded) this.added++;
    if (code === Ev.ObjectRemoved) this.removed++;
    if (code === Ev.CaptureComplete) this.captureComplete++;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
  async until(differences: () => string[]): Promise<void> {
    const deadline = Date.now() + EVENT_DEADLINE_MS;
    for (;;) {
      const diff = differences();
      if (diff.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`PTP events never agreed with the model:\n  ${diff.join('\n  ')}`);
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
  cam: RunningThetaEmulator;
  clock: ManualClock;
  osc: OscClient;
  ptp: PtpIpClient;
  watch: PtpWatch;
  /** PTP handle and OSC fileUrl of each file, from the last look. */
  handles: Map<string, number>;
  urls: Map<string, string>;
  objectInfo: Map<number, ObjectInfo>;
  /** An OSC command in progress (takePicture, a limited interval run). */
  pending?: string | undefined;
}

const PTP_OPTION: Record<
  keyof ThetaOptions,
  { code: number; dataType: number; toPtp(v: number): number; fromPtp(v: number): number }
> = {
  captureInterval: {
    code: Prop.TimelapseInterval,
    dataType: DataType.UINT32,
    toPtp: (v) => v * 1000,
    fromPtp: (v) => v / 1000,
  },
  captureNumber: { code: Prop.TimelapseNumber, dataType: DataType.UINT16, toPtp: (v) => v, fromPtp: (v) => v },
  exposureCompensation: {
    code: Prop.ExposureBiasCompensation,
    dataType: DataType.INT16,
    toPtp: (v) => Math.round(v * 1000),
    fromPtp: (v) => v / 1000,
  },
  _shutterVolume: { code: RicohProp.AudioVolume, dataType: DataType.UINT32, toPtp: (v) => v, fromPtp: (v) => v },
};

async function ptpResponse(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (e) {
    if (e instanceof PtpResponseError)
      return Object.entries(Resp).find(([, v]) => v === e.responseCode)?.[0] ?? String(e.responseCode);
    throw e;
  }
}

async function oscError(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (e) {
    if (e instanceof OscClientError) return e.details.oscCode ?? e.code;
    throw e;
  }
}

abstract class Cmd implements fc.AsyncCommand<ThetaModel, Real> {
  static steps = 0;
  check(_m: Readonly<ThetaModel>): boolean {
    return true;
  }
  abstract act(m: ThetaModel, r: Real): Promise<void>;
  async run(m: ThetaModel, r: Real): Promise<void> {
    await this.act(m, r);
    Cmd.steps++;
    await agree(m, r);
  }
  abstract toString(): string;
}

class TakePicture extends Cmd {
  constructor(readonly face: 'osc' | 'ptp') {
    super();
  }
  async act(m: ThetaModel, r: Real): Promise<void> {
    if (this.face === 'ptp') {
      if (m.stillMode !== RicohCaptureMode.Single)
        return void expect(await ptpResponse(r.ptp.initiateCapture())).toBe('DeviceBusy');
      expect(await ptpResponse(r.ptp.initiateCapture())).toBe(m.takePicture(true) ? 'OK' : 'DeviceBusy');
    } else {
      const ok = m.takePicture(false);
      if (!ok) return void expect(await oscError(r.osc.execute('camera.takePicture'))).toBe('disabledCommand');
      const reply = await r.osc.execute('camera.takePicture');
      expect(reply.state).toBe('inProgress');
      r.pending = String(reply.id);
    }
  }
  toString(): string {
    return `takePicture(${this.face})`;
  }
}

class StartInterval extends Cmd {
  constructor(readonly face: 'osc' | 'ptp') {
    super();
  }
  async act(m: ThetaModel, r: Real): Promise<void> {
    if (this.face === 'ptp') {
      if (m.stillMode === RicohCaptureMode.Single)
        return void expect(await ptpResponse(r.ptp.initiateOpenCapture())).toBe('DeviceBusy');
      expect(await ptpResponse(r.ptp.initiateOpenCapture())).toBe(m.startInterval(true) ? 'OK' : 'DeviceBusy');
    } else {
      const ok = m.startInterval(false);
      if (!ok)
        return void expect(await oscError(r.osc.execute('camera.startCapture', { _mode: 'interval' }))).toBe(
          'disabledCommand',
        );
      const reply = await r.osc.execute('camera.startCapture', { _mode: 'interval' });
      // Open-ended: done once started; with a number of shots: in progress until the last one.
      expect(reply.state).toBe(m.options.captureNumber > 0 ? 'inProgress' : 'done');
      if (reply.state === 'inProgress') r.pending = String(reply.id);
    }
  }
  toString(): string {
    return `startInterval(${this.face})`;
  }
}

class StopCapture extends Cmd {
  constructor(readonly face: 'osc' | 'ptp') {
    super();
  }
  async act(m: ThetaModel, r: Real): Promise<void> {
    const running = m.stop();
    if (this.face === 'ptp') {
      // A shot being processed is no open capture either.
      expect(await ptpResponse(r.ptp.terminateOpenCapture())).toBe(running ? 'OK' : 'CaptureAlreadyTerminated');
    } else {
      expect(await oscError(r.osc.stopCapture())).toBe(running ? undefined : 'disabledCommand');
    }
    if (running) r.pending = undefined;
  }
  toString(): string {
    return `stop(${this.face})`;
  }
}

class SetStillMode extends Cmd {
  constructor(readonly mode: number) {
    super();
  }
  async act(m: ThetaModel, r: Real): Promise<void> {
    const code = await ptpResponse(r.ptp.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, this.mode));
    // The mode stays while an interval run goes on (whichever face started it).
    const running = m.busy?.kind === 'interval';
    expect(code).toBe(running ? 'DeviceBusy' : 'OK');
    if (!running) m.stillMode = this.mode;
  }
  toString(): string {
    return `ptp StillCaptureMode=0x${this.mode.toString(16)}`;
  }
}

class Tick extends Cmd {
  override check(m: Readonly<ThetaModel>): boolean {
    return m.tickMs() <= LONGEST_TICK_S * 1000;
  }
  async act(m: ThetaModel, r: Real): Promise<void> {
    const ms = m.tickMs();
    const wasPending = r.pending;
    m.tick();
    await r.clock.advance(ms);
    if (wasPending && !m.busy) {
      // The OSC command that started it ends with it.
      await r.watch.until(() => (m.added === r.watch.added ? [] : ['the last picture announced']));
      const status = await r.osc.commandStatus(wasPending);
      expect(status.state).toBe('done');
      r.pending = undefined;
    }
  }
  toString(): string {
    return 'tick';
  }
}

class SetOption extends Cmd {
  constructor(
    readonly face: 'osc' | 'ptp',
    readonly name: keyof ThetaOptions,
    readonly value: unknown,
  ) {
    super();
  }
  async act(m: ThetaModel, r: Real): Promise<void> {
    if (this.face === 'osc') {
      const want = m.set(this.name, this.value);
      expect(await oscError(r.osc.setOptions({ [this.name]: this.value }))).toBe(want);
      return;
    }
    const p = PTP_OPTION[this.name];
    const value = this.value as number;
    // The PTP value is the option in the property's unit; the responder checks its range first.
    const want = m.set(this.name, p.fromPtp(value));
    const got = await ptpResponse(r.ptp.setDevicePropValue(p.code, p.dataType, value));
    expect(got).toBe(
      !formOk(this.name, value)
        ? 'InvalidDevicePropValue'
        : want === undefined
          ? 'OK'
          : want === 'disabledCommand'
            ? 'DeviceBusy'
            : 'InvalidDevicePropValue',
    );
  }
  toString(): string {
    return `${this.face} ${this.name}=${JSON.stringify(this.value)}`;
  }
}

/** Whether a PTP value is inside the property's form (what the responder checks before the camera). */
function formOk(name: keyof ThetaOptions, v: number): boolean {
  switch (name) {
    case 'captureInterval':
      return v >= 5000 && v <= 3_600_000 && v % 1000 === 0;
    case 'captureNumber':
      return v >= 0 && v <= 9999;
    case '_shutterVolume':
      return v >= 0 && v <= 100;
    case 'exposureCompensation':
      return EV.some((e) => Math.round(e * 1000) === v);
  }
}

class DeleteFile extends Cmd {
  constructor(
    readonly face: 'osc' | 'ptp',
    readonly pick: number,
  ) {
    super();
  }
  override check(m: Readonly<ThetaModel>): boolean {
    return m.files.length > 0;
  }
  async act(m: ThetaModel, r: Real): Promise<void> {
    const name = m.files[this.pick % m.files.length]!;
    const ok = m.delete(name);
    if (this.face === 'osc')
      expect(await oscError(r.osc.delete([r.urls.get(name)!]))).toBe(ok ? undefined : 'disabledCommand');
    else expect(await ptpResponse(r.ptp.deleteObject(r.handles.get(name)!))).toBe(ok ? 'OK' : 'DeviceBusy');
  }
  toString(): string {
    return `delete(${this.face}, #${this.pick})`;
  }
}

async function agree(m: ThetaModel, r: Real): Promise<void> {
  const w = r.watch;
  await w.until(() => {
    const d: string[] = [];
    if (w.added !== m.added) d.push(`ObjectAdded: ${w.added} seen, ${m.added} expected`);
    if (w.removed !== m.removed) d.push(`ObjectRemoved: ${w.removed} seen, ${m.removed} expected`);
    if (w.captureComplete !== m.captureComplete)
      d.push(`CaptureComplete: ${w.captureComplete} seen, ${m.captureComplete} expected`);
    return d;
  });
  const names = Object.keys(m.options) as Array<keyof ThetaOptions>;
  const [state, options, list] = await Promise.all([r.osc.state(), r.osc.getOptions(names), r.osc.listAllFiles()]);
  const status = (await r.ptp.getDevicePropDesc(RicohProp.CaptureStatus)).current;
  const ptpOptions: Record<string, number> = {};
  for (const n of names)
    ptpOptions[n] = PTP_OPTION[n].fromPtp(Number((await r.ptp.getDevicePropDesc(PTP_OPTION[n].code)).current));
  expect((await r.ptp.getDevicePropDesc(Prop.StillCaptureMode)).current, 'StillCaptureMode').toBe(m.stillMode);
  const ptpFiles = new Map<string, number>();
  r.handles.clear();
  for (const h of await r.ptp.getObjectHandles(0xffffffff, 0, 0)) {
    let info = r.objectInfo.get(h);
    if (!info) r.objectInfo.set(h, (info = await r.ptp.getObjectInfo(h)));
    if (info.associationType !== 0) continue;
    ptpFiles.set(info.filename, info.compressedSize);
    r.handles.set(info.filename, h);
  }

  const captureStatus = m.busy ? 'shooting' : 'idle';
  expect(state.state._captureStatus, 'OSC _captureStatus').toBe(captureStatus);
  expect(status, 'PTP CaptureStatus').toBe(m.busy ? 1 : 0);
  expect(options).toEqual(m.options);
  expect(ptpOptions).toEqual(m.options);
  const oscFiles = new Map(list.map((e) => [e.name, e.size]));
  r.urls = new Map(list.map((e) => [e.name, String(e.fileUrl)]));
  expect(new Map([...ptpFiles].sort()), 'PTP and OSC list the same files, same sizes').toEqual(
    new Map([...oscFiles].sort()),
  );
  expect([...oscFiles.keys()].sort()).toEqual([...m.files].sort());
}

async function onFreshCamera(cmds: Iterable<fc.AsyncCommand<ThetaModel, Real>>): Promise<void> {
  const tmp = await tempDir('camctl-xface-theta-');
  const clock = new ManualClock();
  const cam = await startThetaEmulator({
    dataDir: tmp.dir,
    httpPort: 0,
    ptpipPort: 0,
    clock,
    shotProcessingMs: SHOT_PROCESSING_MS,
  });
  const osc = new OscClient({ baseUrl: cam.url, pollIntervalMs: 10 });
  const stop = new AbortController();
  let ptp: PtpIpClient | undefined;
  let events: Promise<void> | undefined;
  try {
    await osc.connect();
    // Small pictures, and a camera that never goes to sleep while the clock runs.
    await osc.setOptions({
      fileFormat: { type: 'jpeg', width: 2048, height: 1024 },
      sleepDelay: 65535,
      offDelay: 65535,
    });
    ptp = await PtpIpClient.connect({
      host: '127.0.0.1',
      port: Number(cam.ptpip!.split(':').pop()),
      name: 'cross-face',
    });
    const watch = new PtpWatch();
    const stream = ptp.events(stop.signal);
    events = (async () => {
      for await (const e of stream) watch.seen(e.code);
    })();
    const model = new ThetaModel();
    const real: Real = { cam, clock, osc, ptp, watch, handles: new Map(), urls: new Map(), objectInfo: new Map() };
    await agree(model, real);
    await fc.asyncModelRun(() => ({ model, real }), cmds);
  } finally {
    stop.abort();
    await ptp?.close();
    await events?.catch(() => undefined);
    await cam.close();
    await tmp.cleanup();
  }
}

const anyValue = fc.oneof(
  fc.integer({ min: -5, max: 4000 }),
  fc.double({ min: -3, max: 4000, noNaN: true }),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
);
const oscOption: fc.Arbitrary<[keyof ThetaOptions, unknown]> = fc.oneof(
  fc.tuple(
    fc.constant('captureInterval' as const),
    fc.oneof(fc.constantFrom(4, 5, 6, 8, 170, 171, 3600, 3601, 5.5, '8'), anyValue),
  ),
  fc.tuple(fc.constant('captureNumber' as const), fc.oneof(fc.constantFrom(0, 1, 2, 3, 9999, 10000, -1), anyValue)),
  fc.tuple(
    fc.constant('exposureCompensation' as const),
    fc.oneof(fc.constantFrom(...EV, 0.5, 2.3, -2.3, 0.33), anyValue),
  ),
  fc.tuple(fc.constant('_shutterVolume' as const), fc.oneof(fc.constantFrom(0, 1, 50, 100, 101, -1), anyValue)),
);
const ptpOption: fc.Arbitrary<[keyof ThetaOptions, PtpValue]> = fc.oneof(
  fc.tuple(
    fc.constant('captureInterval' as const),
    fc.oneof(
      fc.constantFrom(0, 4000, 5000, 5500, 8000, 170_000, 3_600_000, 3_601_000, 0xffffffff),
      fc.integer({ min: 0, max: 4_000_000 }),
    ),
  ),
  fc.tuple(
    fc.constant('captureNumber' as const),
    fc.oneof(fc.constantFrom(0, 1, 2, 3, 9999, 10000, 0xffff), fc.integer({ min: 0, max: 0xffff })),
  ),
  fc.tuple(
    fc.constant('exposureCompensation' as const),
    fc.oneof(
      fc.constantFrom(...EV.map((e) => Math.round(e * 1000)), 500, -2300, 2300, 333),
      fc.integer({ min: -0x8000, max: 0x7fff }),
    ),
  ),
  fc.tuple(
    fc.constant('_shutterVolume' as const),
    fc.oneof(fc.constantFrom(0, 100, 101, 0xffffffff), fc.integer({ min: 0, max: 200 })),
  ),
);

const commands = [
  fc.constantFrom('osc', 'ptp').map((f) => new TakePicture(f as 'osc' | 'ptp')),
  fc.constantFrom('osc', 'ptp').map((f) => new StartInterval(f as 'osc' | 'ptp')),
  fc.constantFrom('osc', 'ptp').map((f) => new StopCapture(f as 'osc' | 'ptp')),
  fc.constantFrom(RicohCaptureMode.Single, RicohCaptureMode.Interval).map((mode) => new SetStillMode(mode)),
  fc.constant(null).map(() => new Tick()),
  fc.constant(null).map(() => new Tick()),
  oscOption.map(([n, v]) => new SetOption('osc', n, v)),
  ptpOption.map(([n, v]) => new SetOption('ptp', n, v)),
  fc.tuple(fc.constantFrom('osc', 'ptp'), fc.nat(20)).map(([f, n]) => new DeleteFile(f as 'osc' | 'ptp', n)),
];

describe('one THETA, both faces', () => {
  let runs = 0;
  afterAll(() => {
    console.log(`THETA cross-face model: ${runs} sequences, ${Cmd.steps} commands`);
  });

  it('shots, interval runs, options and deletions agree across OSC and PTP/IP', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 8 }), async (cmds) => {
        runs++;
        await onFreshCamera(cmds);
      }),
      { numRuns: Number(process.env.CROSS_FACE_RUNS ?? 100) },
    );
  });
});

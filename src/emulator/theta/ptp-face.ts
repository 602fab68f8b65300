/**
 * The emulated THETA S's PTP/IP face: a {@link PtpResponderBackend} over the same
 * {@link ThetaDevice} the OSC face drives, with RICOH's extension (VendorExtensionID 0x6,
 * docs/osc.md "USB (PTP) on the THETA"), served by the generic {@link PtpIpResponder}. The real S
 * speaks PTP over USB only; over IP it lets gphoto2 and `camctl --camera ptpip://` reach the
 * emulator the same way they reach the Sequoia.
 *
 * Mapping (docs/architecture.md rule 1 — this file knows both sides, the device knows no PTP):
 * - DeviceInfo as a real THETA S answers it (its `ptpcam -R 0x1001`): standard 100, vendor 0x6
 *   version 110, functional mode 0x8001, "Ricoh Company, Ltd.", its event list, its formats, its
 *   29 properties in its order (ptp-props.ts); its operations minus the ones whose meaning
 *   RICOH does not publish (0x9001, 0x999x), which this emulator cannot answer truthfully, plus
 *   PowerDown and ResetDevicePropValue, which RICOH's USB API reference lists for the S.
 * - One storage 0x00010001 (`internal`, as the theta:// adapter names it); handles as the S gives
 *   them: DCIM 0x80000000, folder NNNRICOH = NNN << 16, file R001xxxx = NNN << 16 | xxxx — stable
 *   for an object's life and never reused, since the camera never reuses a file number.
 * - Properties are views of the OSC options, so a change through either face is seen by the other;
 *   every change (and CaptureStatus) is announced as DevicePropChanged.
 * - PowerDown switches the camera off: the answer goes out, then the connections drop and the face
 *   stops answering until the emulator switches the camera on (`POST /_emulator/power`). The face
 *   follows the camera's power whatever turned it off or put it to sleep (sleepDelay, offDelay).
 * - StillCaptureMode single/interval/composite/bracket is this face's own state (OSC picks those
 *   per command); video is the device's captureMode. InitiateCapture needs single, as on the S;
 *   InitiateOpenCapture starts interval, composite, bracket or video; TerminateOpenCapture stops.
 *
 * @example
 * const ptp = await startThetaPtpIp(device, { host: '127.0.0.1', port: 0 });
 * // gphoto2 --port ptpip:127.0.0.1:PORT:PORT --summary
 */
import type { ThetaDevice } from '../../devices/theta/device.js';
import { FOLDER, jpegDimensions, type ThetaFile } from '../../devices/theta/catalog.js';
import { ThetaDeviceError } from '../../devices/theta/errors.js';
import type { ThetaRefusal } from '../../devices/theta/errors.js';
import { InvalidOptionError } from '../../util/errors.js';
import {
  PtpDeviceError,
  type PtpCallContext,
  type PtpDeviceEvent,
  type PtpObjectContent,
  type PtpResponderBackend,
  type PtpVendorResult,
} from '../../ptp/backend.js';
import { PtpEventFanout } from '../../ptp/event-fanout.js';
import { startPtpIpFace, type PtpIpFaceOptions, type RunningPtpIpFace } from '../ptpip-face.js';
import {
  AccessCapability,
  ALL,
  AssociationType,
  Ev,
  FilesystemType,
  Format,
  Op,
  Prop,
  Resp,
  StorageType,
} from '../../ptp/codes.js';
import {
  formatPtpDate,
  valuesEqual,
  type DeviceInfo,
  type DevicePropDesc,
  type ObjectInfo,
  type PtpValue,
  type StorageInfo,
} from '../../ptp/codec.js';
import { PtpFileReader } from '../files-ptp.js';
import { RICOH_VENDOR_ID, RicohCaptureMode, RicohOp } from '../../ptp/vendors/ricoh.js';
import { thetaPtpProps, type StillMode, type ThetaPtpProp } from './ptp-props.js';

const STORAGE_ID = 0x00010001;
const DCIM_HANDLE = 0x80000000;
/** `100RICOH` → 100; undefined for a name the S would not make. */
function folderNumber(folder: string): number | undefined {
  const m = /^(\d{3})[A-Z0-9_]{5}$/.exec(folder);
  return m ? Number(m[1]) : undefined;
}

/** `R0010642.JPG` → 642 (the S's low handle half is the file number modulo 10 000). */
function fileNumber(name: string): number | undefined {
  const m = /^R\d{3}(\d{4})\.(JPG|MP4)$/i.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * PTP response codes of the device's refusals (ISO 15740 §10.5): a file it does not have is
 * InvalidObjectHandle, a name it could not have made or a setting's bad value
 * InvalidDevicePropValue, a full medium StoreFull; anything else that stops it now is DeviceBusy.
 */
const PTP_RESPONSE: Partial<Record<ThetaRefusal, number>> = {
  'no-such-file': Resp.InvalidObjectHandle,
  'bad-file-name': Resp.InvalidDevicePropValue,
  'storage-full': Resp.StoreFull,
};

/** The PTP response of a device refusal (DeviceBusy unless {@link PTP_RESPONSE} says otherwise). */
export function ptpResponseOf(reason: ThetaRefusal): number {
  return PTP_RESPONSE[reason] ?? Resp.DeviceBusy;
}

/** Translates the device's refusals into PTP response codes. */
function deviceFault(e: unknown): never {
  if (e instanceof PtpDeviceError) throw e;
  if (e instanceof InvalidOptionError) throw new PtpDeviceError(Resp.InvalidDevicePropValue, e.message);
  if (e instanceof ThetaDeviceError) throw new PtpDeviceError(ptpResponseOf(e.reason), e.message);
  throw e;
}

export class ThetaPtpBackend implements PtpResponderBackend {
  private readonly events = new PtpEventFanout();
  /** Open media files, reused across GetPartialObject transactions. */
  private readonly reader = new PtpFileReader();
  private readonly detach: Array<() => void> = [];
  private readonly powerDownListeners = new Set<() => void>();
  private readonly props: Map<number, ThetaPtpProp>;
  private readonly info: DeviceInfo;
  private stillMode: StillMode = RicohCaptureMode.Single;
  /** Last value seen per property, to announce changes made through any face. */
  private readonly lastValues = new Map<number, PtpValue>();
  /** File handles last seen, to notice files deleted through the OSC face. */
  private known = new Set<number>();
  /** Transaction of the capture in progress (its CaptureComplete carries it). */
  private captureTid = 0xffffffff;

  constructor(private readonly device: ThetaDevice) {
    this.props = thetaPtpProps(device, {
      currentStillMode: () => this.currentStillMode(),
      setStillMode: (mode) => {
        this.stillMode = mode;
      },
    });
    this.info = {
      standardVersion: 100,
      vendorExtensionId: RICOH_VENDOR_ID,
      vendorExtensionVersion: 110,
      vendorExtensionDesc: '',
      functionalMode: 0x8001,
      operationsSupported: [
        Op.GetDeviceInfo,
        Op.OpenSession,
        Op.CloseSession,
        Op.GetStorageIDs,
        Op.GetStorageInfo,
        Op.GetNumObjects,
        Op.GetObjectHandles,
        Op.GetObjectInfo,
        Op.GetObject,
        Op.GetThumb,
        Op.DeleteObject,
        Op.GetDevicePropDesc,
        Op.GetDevicePropValue,
        Op.GetPartialObject,
        Op.InitiateCapture,
        Op.SetDevicePropValue,
        Op.InitiateOpenCapture,
        Op.TerminateOpenCapture,
        Op.PowerDown,
        Op.ResetDevicePropValue,
        RicohOp.StopSelfTimer,
      ],
      eventsSupported: [
        Ev.ObjectAdded,
        Ev.DevicePropChanged,
        Ev.DeviceInfoChanged,
        Ev.StoreFull,
        Ev.StorageInfoChanged,
        Ev.CaptureComplete,
      ],
      devicePropertiesSupported: [...this.props.keys()],
      captureFormats: [],
      imageFormats: [Format.Association, Format.EXIF_JPEG, 0xb802, Format.MP4],
      manufacturer: 'Ricoh Company, Ltd.',
      model: 'RICOH THETA S',
      deviceVersion: device.firmwareVersion,
      serialNumber: device.serialNumber,
    };
    for (const [code, spec] of this.props) this.lastValues.set(code, spec.current());
    this.known = new Set(this.files().flatMap((f) => this.fileHandle(f) ?? []));
    this.listen();
  }

  private listen(): void {
    const onFile = (f: ThetaFile): void => {
      const h = this.fileHandle(f);
      if (h !== undefined) {
        this.known.add(h);
        this.events.emit(Ev.ObjectAdded, [h]);
      }
      this.events.emit(Ev.StorageInfoChanged, [STORAGE_ID]);
    };
    const onState = (): void => {
      this.announceChanges();
      this.announceRemovals();
    };
    const onOptions = (): void => this.announceChanges();
    this.device.on('file', onFile);
    this.device.on('status', onState);
    this.device.on('settings', onOptions);
    this.detach.push(
      () => this.device.off('file', onFile),
      () => this.device.off('status', onState),
      () => this.device.off('settings', onOptions),
    );
  }

  /** DevicePropChanged for every property whose value differs from the last one announced. */
  private announceChanges(): void {
    for (const [code, spec] of this.props) {
      let now: PtpValue;
      try {
        now = spec.current();
      } catch {
        continue;
      }
      const before = this.lastValues.get(code);
      if (before !== undefined && valuesEqual(before, now)) continue;
      this.lastValues.set(code, now);
      // DateTime ticks every second: announcing it would flood initiators.
      if (code !== Prop.DateTime) this.events.emit(Ev.DevicePropChanged, [code]);
    }
  }

  /**
   * The device model has no removal event, but a deletion through OSC changes its state
   * (`storageChanged`): compare the files with those last seen and send ObjectRemoved for each gone.
   */
  private announceRemovals(): void {
    const now = new Set(this.files().flatMap((f) => this.fileHandle(f) ?? []));
    const gone = [...this.known].filter((h) => !now.has(h));
    this.known = now;
    for (const h of gone) this.events.emit(Ev.ObjectRemoved, [h]);
    if (gone.length > 0) this.events.emit(Ev.StorageInfoChanged, [STORAGE_ID]);
  }

  onEvent(listener: (e: PtpDeviceEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  close(): void {
    this.powerDownListeners.clear();
    for (const d of this.detach.splice(0)) d();
    this.events.clear();
    this.reader.close();
  }

  deviceInfo(): DeviceInfo {
    return this.info;
  }

  // ------------------------------------------------------------------------------ storage, objects

  async storageIds(): Promise<number[]> {
    return [STORAGE_ID];
  }

  private checkStorage(storageId: number): void {
    if (storageId !== STORAGE_ID && storageId !== ALL) throw new PtpDeviceError(Resp.InvalidStorageID);
  }

  async storageInfo(storageId: number): Promise<StorageInfo> {
    if (storageId !== STORAGE_ID) throw new PtpDeviceError(Resp.InvalidStorageID);
    const m = this.device.medium;
    return {
      storageType: StorageType.FixedRAM,
      filesystemType: FilesystemType.DCF,
      accessCapability: AccessCapability.ReadOnlyWithDelete,
      maxCapacity: BigInt(m.capacityBytes),
      freeSpaceInBytes: BigInt(m.freeBytes),
      // About 4 MB per full-size picture, as the camera estimates.
      freeSpaceInImages: Math.floor(m.freeBytes / (4 * 1024 * 1024)),
      storageDescription: 'internal',
      volumeLabel: '',
    };
  }

  private files(): ThetaFile[] {
    const { entries } = this.device.listFiles('all', 'oldest', 0, Number.MAX_SAFE_INTEGER);
    return entries;
  }

  private folders(): string[] {
    // The S always has its current folder, even when empty (gphoto2 lists it then).
    return [...new Set([FOLDER, ...this.files().map((f) => f.folder)])]
      .filter((f) => folderNumber(f) !== undefined)
      .sort();
  }

  private fileHandle(f: ThetaFile): number | undefined {
    const folder = folderNumber(f.folder);
    const n = fileNumber(f.name);
    return folder === undefined || n === undefined ? undefined : ((folder << 16) | n) >>> 0;
  }

  private folderHandle(folder: string): number | undefined {
    const n = folderNumber(folder);
    return n === undefined ? undefined : (n << 16) >>> 0;
  }

  async objectHandles(storageId: number, format: number, parent: number): Promise<number[]> {
    this.checkStorage(storageId);
    const folders = this.folders();
    const files = this.files();
    const wantAssoc = format === 0 || format === Format.Association;
    const fileOk = (f: ThetaFile): boolean => format === 0 || formatOf(f) === format;
    const out: number[] = [];
    const fileHandles = (folder: string): number[] =>
      files.filter((f) => f.folder === folder && fileOk(f)).flatMap((f) => this.fileHandle(f) ?? []);
    if (parent === ALL) {
      if (wantAssoc) out.push(DCIM_HANDLE);
      return out;
    }
    if (parent === DCIM_HANDLE) {
      if (wantAssoc) for (const d of folders) out.push(this.folderHandle(d) as number);
      return out;
    }
    if (parent !== 0) {
      const folder = folders.find((d) => this.folderHandle(d) === parent);
      if (!folder) throw new PtpDeviceError(Resp.InvalidParentObject);
      return fileHandles(folder);
    }
    // Every object, in the S's order: DCIM, then each folder followed by its files.
    if (wantAssoc) out.push(DCIM_HANDLE);
    for (const d of folders) {
      if (wantAssoc) out.push(this.folderHandle(d) as number);
      out.push(...fileHandles(d));
    }
    return out;
  }

  private object(
    handle: number,
  ): { kind: 'dcim' } | { kind: 'folder'; folder: string } | { kind: 'file'; file: ThetaFile } {
    if (handle === DCIM_HANDLE) return { kind: 'dcim' };
    if ((handle & 0xffff) === 0) {
      const folder = this.folders().find((d) => this.folderHandle(d) === handle);
      if (folder) return { kind: 'folder', folder };
    } else {
      const file = this.files().find((f) => this.fileHandle(f) === handle);
      if (file) return { kind: 'file', file };
    }
    throw new PtpDeviceError(Resp.InvalidObjectHandle);
  }

  async objectInfo(handle: number): Promise<ObjectInfo> {
    const o = this.object(handle);
    const base = {
      storageId: STORAGE_ID,
      protectionStatus: 0,
      thumbFormat: 0,
      thumbCompressedSize: 0,
      thumbPixWidth: 0,
      thumbPixHeight: 0,
      imagePixWidth: 0,
      imagePixHeight: 0,
      imageBitDepth: 0,
      associationDesc: 0,
      sequenceNumber: 0,
      keywords: '',
    };
    if (o.kind !== 'file') {
      const date = formatPtpDate(this.device.cameraNow());
      return {
        ...base,
        objectFormat: Format.Association,
        compressedSize: 0,
        associationType: AssociationType.GenericFolder,
        parentObject: o.kind === 'dcim' ? 0 : DCIM_HANDLE,
        filename: o.kind === 'dcim' ? 'DCIM' : o.folder,
        captureDate: date,
        modificationDate: date,
      };
    }
    const f = o.file;
    // The S writes dates in the camera's local time without a zone (its ObjectInfo: "20160702T070833").
    const date = formatPtpDate(f.timeMs + f.utcOffsetMinutes * 60_000);
    const thumb = await this.device.thumbnail(f).catch(() => undefined);
    const dims = thumb ? jpegDimensions(thumb) : undefined;
    return {
      ...base,
      objectFormat: formatOf(f),
      compressedSize: Math.min(f.size, 0xffffffff),
      thumbFormat: thumb ? Format.JFIF : 0,
      thumbCompressedSize: thumb?.length ?? 0,
      thumbPixWidth: dims?.width ?? 0,
      thumbPixHeight: dims?.height ?? 0,
      imagePixWidth: f.width,
      imagePixHeight: f.height,
      imageBitDepth: f.kind === 'image' ? 8 : 0,
      parentObject: this.folderHandle(f.folder) as number,
      associationType: 0,
      filename: f.name,
      captureDate: date,
      modificationDate: date,
    };
  }

  async openObject(handle: number): Promise<PtpObjectContent> {
    const o = this.object(handle);
    if (o.kind !== 'file') throw new PtpDeviceError(Resp.InvalidObjectHandle, 'a folder has no content');
    const f = o.file;
    try {
      return await this.reader.open(`${f.folder}/${f.name}`, () => this.device.filePath(f));
    } catch (e) {
      deviceFault(e);
    }
  }

  async openThumb(handle: number): Promise<PtpObjectContent> {
    const o = this.object(handle);
    if (o.kind !== 'file') throw new PtpDeviceError(Resp.NoThumbnailPresent);
    let thumb: Buffer;
    try {
      thumb = await this.device.thumbnail(o.file);
    } catch {
      throw new PtpDeviceError(Resp.NoThumbnailPresent);
    }
    return bufferContent(thumb);
  }

  async deleteObject(handle: number): Promise<void> {
    const o = this.object(handle);
    const targets =
      o.kind === 'file' ? [o.file] : this.files().filter((f) => o.kind === 'dcim' || f.folder === o.folder);
    if (targets.length === 0) return;
    try {
      await this.device.deleteFiles(targets);
    } catch (e) {
      deviceFault(e);
    }
    this.announceRemovals();
  }

  // ------------------------------------------------------------------------------ properties

  async propDesc(code: number): Promise<DevicePropDesc> {
    const spec = this.props.get(code);
    if (!spec) throw new PtpDeviceError(Resp.DevicePropNotSupported);
    return {
      code,
      dataType: spec.dataType,
      getSet: spec.getSet,
      factoryDefault: spec.factoryDefault(),
      current: spec.current(),
      form: spec.form(),
    };
  }

  async setProp(code: number, value: PtpValue): Promise<void> {
    const spec = this.props.get(code);
    if (!spec || spec.getSet !== 1) throw new PtpDeviceError(Resp.AccessDenied);
    this.applyProps([[spec, value]]);
  }

  /**
   * ResetDevicePropValue: one property back to its factory default, or, with 0xFFFFFFFF, every
   * settable one (ISO 15740 §10.5.20) — in one change of the device's options, so a refusal (a
   * capture running) leaves every value as it was.
   */
  async resetProp(code: number): Promise<void> {
    if (code === ALL) {
      const all = [...this.props.values()].filter((s) => s.getSet === 1 && !s.keepOnResetAll);
      this.applyProps(all.map((s) => [s, s.factoryDefault(true)]));
      return;
    }
    const spec = this.props.get(code);
    if (!spec) throw new PtpDeviceError(Resp.DevicePropNotSupported);
    if (spec.getSet !== 1) throw new PtpDeviceError(Resp.AccessDenied);
    this.applyProps([[spec, spec.factoryDefault()]]);
  }

  /** Sets properties: their option changes in one setOptions, then this face's own state. */
  private applyProps(values: ReadonlyArray<readonly [ThetaPtpProp, PtpValue]>): void {
    try {
      const changes = Object.assign({}, ...values.map(([spec, v]) => spec.toOptions?.(v) ?? {})) as Record<
        string,
        unknown
      >;
      if (Object.keys(changes).length > 0) this.device.setOptions(changes);
      for (const [spec, v] of values) spec.apply?.(v);
    } catch (e) {
      deviceFault(e);
    }
    this.announceChanges();
  }

  private currentStillMode(): StillMode {
    return this.device.captureMode === 'video' ? RicohCaptureMode.Video : this.stillMode;
  }

  // ------------------------------------------------------------------------------ capture

  private completeWhen(finished: Promise<unknown>, tid: number): void {
    this.captureTid = tid;
    void finished.then(() => {
      this.events.emit(Ev.CaptureComplete, [this.captureTid]);
      this.captureTid = 0xffffffff;
    });
  }

  /** A snapshot; DeviceBusy unless StillCaptureMode is single (docs/osc.md). */
  async initiateCapture(storageId: number, _format: number, ctx: PtpCallContext): Promise<void> {
    if (storageId !== 0) this.checkStorage(storageId);
    if (this.currentStillMode() !== RicohCaptureMode.Single)
      throw new PtpDeviceError(Resp.DeviceBusy, 'StillCaptureMode is not single');
    try {
      const job = this.device.takePicture();
      this.completeWhen(job.finished, ctx.transactionId);
    } catch (e) {
      deviceFault(e);
    }
  }

  async initiateOpenCapture(storageId: number, _format: number, ctx: PtpCallContext): Promise<void> {
    if (storageId !== 0) this.checkStorage(storageId);
    const mode = this.currentStillMode();
    if (mode === RicohCaptureMode.Single)
      throw new PtpDeviceError(Resp.DeviceBusy, 'StillCaptureMode single uses InitiateCapture');
    const kind =
      mode === RicohCaptureMode.Composite
        ? 'composite'
        : mode === RicohCaptureMode.MultiBracket
          ? 'bracket'
          : 'interval';
    try {
      const run = this.device.startCapture(kind);
      this.completeWhen(run.finished, ctx.transactionId);
    } catch (e) {
      deviceFault(e);
    }
  }

  async terminateOpenCapture(): Promise<void> {
    // A run still in its self-timer countdown is terminated too (stopCapture cancels the timer).
    const counting = this.device.snapshot().captureStatus === 'self-timer countdown';
    if (!this.device.capturing && !counting) throw new PtpDeviceError(Resp.CaptureAlreadyTerminated);
    try {
      await this.device.stopCapture();
    } catch (e) {
      deviceFault(e);
    }
  }

  /**
   * Subscribes to PowerDown: called once the operation is answered, for the transport carrying
   * this face to switch the camera off (drop the connection, stop answering).
   */
  onPowerDown(listener: () => void): () => void {
    this.powerDownListeners.add(listener);
    return () => this.powerDownListeners.delete(listener);
  }

  /**
   * PowerDown (RICOH's power_down.md): the camera switches off. Refused while a capture runs, so
   * that no acknowledged picture is lost; otherwise answered OK, then the listeners run — after
   * the answer has been handed to the transport (the current turn of the event loop is over).
   */
  private powerDown(): PtpVendorResult {
    if (this.device.capturing || this.device.snapshot().captureStatus !== 'idle')
      throw new PtpDeviceError(Resp.DeviceBusy, 'a capture is running');
    setImmediate(() => {
      for (const l of [...this.powerDownListeners]) l();
    });
    return {};
  }

  async vendorOperation(code: number): Promise<PtpVendorResult | undefined> {
    if (code === Op.PowerDown) return this.powerDown();
    if (code !== RicohOp.StopSelfTimer) return undefined;
    // With no countdown running there is nothing to stop: answered OK, as OSC v2.0 answers done.
    this.device.stopSelfTimer();
    return {};
  }
}

function formatOf(f: ThetaFile): number {
  return f.kind === 'video' ? Format.MP4 : Format.EXIF_JPEG;
}

function bufferContent(b: Uint8Array): PtpObjectContent {
  return {
    size: b.length,
    async *read(offset: number, length: number): AsyncIterable<Uint8Array> {
      yield b.subarray(offset, offset + length);
    },
  };
}

export type ThetaPtpIpOptions = PtpIpFaceOptions;

/** The THETA's PTP/IP face, running; it follows the camera's power. */
export interface RunningThetaPtpIp extends RunningPtpIpFace {
  /** Settles once the face has followed the last change of the camera's power. */
  settled(): Promise<void>;
}

/**
 * Serves the device over PTP/IP on host:port (port 0 = a free port). The face follows the camera's
 * power: PowerDown, sleep or offDelay switch it off; `POST /_emulator/power {"on": true}` (or
 * `wake`) brings it back.
 */
export async function startThetaPtpIp(device: ThetaDevice, opts: ThetaPtpIpOptions): Promise<RunningThetaPtpIp> {
  const backend = new ThetaPtpBackend(device);
  const face = await startPtpIpFace(usedByOperations(backend, device), 'RICOH THETA S', opts);
  // PowerDown switches the whole camera off (its Wi-Fi too); the face follows the camera's power:
  // asleep or off it drops its connections and refuses new ones, on it answers again.
  backend.onPowerDown(() => void device.switchOff());
  let following: Promise<void> = Promise.resolve();
  const onPower = (state: string): void => {
    following = (state === 'on' ? face.switchOn() : face.switchOff()).catch(() => undefined);
  };
  device.on('power', onPower);
  if (device.power !== 'on') await face.switchOff();
  return {
    settled: () => following,
    address: face.address,
    port: face.port,
    get on() {
      return face.on;
    },
    switchOff: () => face.switchOff(),
    switchOn: () => face.switchOn(),
    async close() {
      device.off('power', onPower);
      await face.close();
    },
  };
}

/** Backend calls that are no operation of an initiator (subscriptions, the transport's own checks). */
const NOT_OPERATIONS = new Set<PropertyKey>(['onEvent', 'close', 'acceptsDataOut', 'onPowerDown']);

/**
 * The backend, with every operation an initiator sends counted as use of the camera: over USB the
 * S stays awake while a computer talks to it, as over Wi-Fi (sleep_delay.md counts standby time).
 */
function usedByOperations(backend: ThetaPtpBackend, device: ThetaDevice): ThetaPtpBackend {
  return new Proxy(backend, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || NOT_OPERATIONS.has(key)) return value;
      return (...args: unknown[]) => {
        device.activity();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

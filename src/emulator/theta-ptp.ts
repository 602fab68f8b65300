/**
 * The emulated THETA S's PTP/IP face: a {@link PtpResponderBackend} over the same
 * {@link ThetaDevice} the OSC face drives, with RICOH's extension (VendorExtensionID 0x6,
 * docs/osc.md "USB (PTP) on the THETA"), served by the generic {@link PtpIpResponder}. The real S
 * speaks PTP over USB only; over IP it lets gphoto2 and `camctl --camera ptpip://` reach the
 * emulator the same way they reach the Sequoia.
 *
 * Mapping (docs/architecture.md rule 1 — this file knows both sides, the device knows no PTP):
 * - DeviceInfo as a real THETA S answers it (ptpcam's `-R 0x1001` dump in the THETA community guide,
 *   test/ptp/theta-s-dumps.ts):
 *   standard 100, vendor 0x6 version 110, functional mode 0x8001, "Ricoh Company, Ltd.",
 *   its event list, its formats; operations and properties are that answer's minus the ones whose
 *   meaning RICOH does not publish (0x9001, 0x999x), which this emulator cannot answer truthfully.
 * - One storage 0x00010001 (`internal`, as the theta:// adapter names it); handles as the S gives
 *   them: DCIM 0x80000000, folder NNNRICOH = NNN << 16, file R001xxxx = NNN << 16 | xxxx — stable
 *   for an object's life and never reused, since the camera never reuses a file number.
 * - Properties are views of the OSC options, so a change through either face is seen by the other;
 *   every change (and CaptureStatus) is announced as DevicePropChanged.
 * - StillCaptureMode single/interval/composite/bracket is this face's own state (OSC picks those
 *   per command); video is the device's captureMode. InitiateCapture needs single, as on the S;
 *   InitiateOpenCapture starts interval, composite, bracket or video; TerminateOpenCapture stops.
 *
 * @example
 * const ptp = await startThetaPtpIp(device, { host: '127.0.0.1', port: 0 });
 * // gphoto2 --port ptpip:127.0.0.1:PORT:PORT --summary
 */
import type { ThetaDevice } from '../devices/theta/device.js';
import { FOLDER, jpegDimensions, type ThetaFile } from '../devices/theta/catalog.js';
import { ThetaError } from '../devices/theta/errors.js';
import { PtpDeviceError, type PtpCallContext, type PtpDeviceEvent, type PtpObjectContent, type PtpResponderBackend, type PtpVendorResult } from '../ptp/backend.js';
import { PtpEventFanout } from '../ptp/event-fanout.js';
import { startPtpIpFace, type PtpIpFaceOptions, type RunningPtpIpFace } from './ptpip-face.js';
import { AccessCapability, ALL, AssociationType, DataType, Ev, FilesystemType, Format, Op, Prop, Resp, StorageType } from '../ptp/codes.js';
import { formatPtpDate, parsePtpDate, valuesEqual, type DeviceInfo, type DevicePropDesc, type ObjectInfo, type PtpValue, type StorageInfo } from '../ptp/codec.js';
import { PtpFileReader } from './files-ptp.js';
import { RICOH_SLEEP_NEVER, RICOH_VENDOR_ID, RicohCaptureMode, RicohOp, RicohProp } from '../ptp/vendors/ricoh.js';

const STORAGE_ID = 0x00010001;
const DCIM_HANDLE = 0x80000000;
/** OSC's "never" for offDelay/sleepDelay (devices/theta/options.ts NEVER). */
const OSC_NEVER = 65535;
const IMAGE_SIZES = ['5376x2688', '2048x1024'] as const;
const ISO_AUTO = 0xffff;
const ISO_VALUES = [100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600];
const EV_VALUES = [-2000, -1700, -1300, -1000, -700, -300, 0, 300, 700, 1000, 1300, 1700, 2000];
const CAPTURE_STATUS = { idle: 0, shooting: 1, 'self-timer countdown': 2, 'bracket shooting': 3 } as const;

type StillMode = (typeof RicohCaptureMode)[keyof typeof RicohCaptureMode];

interface PropSpec {
  desc(): Omit<DevicePropDesc, 'code'>;
  /** Applies a value (already checked against the desc's form); absent for read-only ones. */
  set?(v: PtpValue): void;
}

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

/** Translates the device's refusals into PTP response codes. */
function deviceFault(e: unknown): never {
  if (e instanceof PtpDeviceError) throw e;
  if (e instanceof ThetaError) {
    switch (e.deviceCode) {
      case 'notFound': throw new PtpDeviceError(Resp.InvalidObjectHandle, e.message);
      case 'invalidParameterValue': throw new PtpDeviceError(Resp.InvalidDevicePropValue, e.message);
      case 'disabledCommand': throw new PtpDeviceError(/full/i.test(e.message) ? Resp.StoreFull : Resp.DeviceBusy, e.message);
      default: throw new PtpDeviceError(Resp.DeviceBusy, e.message);
    }
  }
  throw e;
}

export class ThetaPtpBackend implements PtpResponderBackend {
  private readonly events = new PtpEventFanout();
  /** Open media files, reused across GetPartialObject transactions. */
  private readonly reader = new PtpFileReader();
  private readonly detach: Array<() => void> = [];
  private readonly props: Map<number, PropSpec>;
  private readonly info: DeviceInfo;
  private stillMode: StillMode = RicohCaptureMode.Single;
  /** Last value seen per property, to announce changes made through any face. */
  private readonly lastValues = new Map<number, PtpValue>();
  /** File handles last seen, to notice files deleted through the OSC face. */
  private known = new Set<number>();
  /** Transaction of the capture in progress (its CaptureComplete carries it). */
  private captureTid = 0xffffffff;

  constructor(private readonly device: ThetaDevice) {
    this.props = this.buildProps();
    this.info = {
      standardVersion: 100,
      vendorExtensionId: RICOH_VENDOR_ID,
      vendorExtensionVersion: 110,
      vendorExtensionDesc: '',
      functionalMode: 0x8001,
      operationsSupported: [
        Op.GetDeviceInfo, Op.OpenSession, Op.CloseSession, Op.GetStorageIDs, Op.GetStorageInfo, Op.GetNumObjects,
        Op.GetObjectHandles, Op.GetObjectInfo, Op.GetObject, Op.GetThumb, Op.DeleteObject, Op.GetDevicePropDesc,
        Op.GetDevicePropValue, Op.GetPartialObject, Op.InitiateCapture, Op.SetDevicePropValue, Op.InitiateOpenCapture,
        Op.TerminateOpenCapture, RicohOp.StopSelfTimer,
      ],
      eventsSupported: [Ev.ObjectAdded, Ev.DevicePropChanged, Ev.DeviceInfoChanged, Ev.StoreFull, Ev.StorageInfoChanged, Ev.CaptureComplete],
      devicePropertiesSupported: [...this.props.keys()],
      captureFormats: [],
      imageFormats: [Format.Association, Format.EXIF_JPEG, 0xb802, Format.MP4],
      manufacturer: 'Ricoh Company, Ltd.',
      model: 'RICOH THETA S',
      deviceVersion: device.firmwareVersion,
      serialNumber: device.serialNumber,
    };
    for (const [code, spec] of this.props) this.lastValues.set(code, spec.desc().current);
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
    this.device.on('file', onFile);
    this.device.on('state', onState);
    this.detach.push(() => this.device.off('file', onFile), () => this.device.off('state', onState));
  }

  /** DevicePropChanged for every property whose value differs from the last one announced. */
  private announceChanges(): void {
    for (const [code, spec] of this.props) {
      let now: PtpValue;
      try {
        now = spec.desc().current;
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
    return [...new Set([FOLDER, ...this.files().map((f) => f.folder)])].filter((f) => folderNumber(f) !== undefined).sort();
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

  private object(handle: number): { kind: 'dcim' } | { kind: 'folder'; folder: string } | { kind: 'file'; file: ThetaFile } {
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
      storageId: STORAGE_ID, protectionStatus: 0, thumbFormat: 0, thumbCompressedSize: 0, thumbPixWidth: 0, thumbPixHeight: 0,
      imagePixWidth: 0, imagePixHeight: 0, imageBitDepth: 0, associationDesc: 0, sequenceNumber: 0, keywords: '',
    };
    if (o.kind !== 'file') {
      const date = formatPtpDate(this.device.cameraNow());
      return {
        ...base, objectFormat: Format.Association, compressedSize: 0, associationType: AssociationType.GenericFolder,
        parentObject: o.kind === 'dcim' ? 0 : DCIM_HANDLE, filename: o.kind === 'dcim' ? 'DCIM' : o.folder, captureDate: date, modificationDate: date,
      };
    }
    const f = o.file;
    // The S writes dates in the camera's local time without a zone (the community guide's dump: "20160702T070833").
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
    const targets = o.kind === 'file' ? [o.file] : this.files().filter((f) => o.kind === 'dcim' || f.folder === o.folder);
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
    return { code, ...spec.desc() };
  }

  async setProp(code: number, value: PtpValue): Promise<void> {
    const spec = this.props.get(code);
    if (!spec?.set) throw new PtpDeviceError(Resp.AccessDenied);
    try {
      spec.set(value);
    } catch (e) {
      deviceFault(e);
    }
    this.announceChanges();
  }

  private option<T>(name: string): T {
    return this.device.getOptions([name])[name] as T;
  }

  private setOption(name: string, value: unknown): void {
    this.device.setOptions({ [name]: value });
  }

  private currentStillMode(): StillMode {
    return this.device.captureMode === 'video' ? RicohCaptureMode.Video : this.stillMode;
  }

  private buildProps(): Map<number, PropSpec> {
    const d = this.device;
    const m = new Map<number, PropSpec>();
    const ro = (dataType: number, value: () => PtpValue, form: DevicePropDesc['form'] = { kind: 'none' }): PropSpec => ({
      desc: () => ({ dataType, getSet: 0, factoryDefault: value(), current: value(), form }),
    });
    const rw = (dataType: number, dflt: PtpValue, value: () => PtpValue, form: DevicePropDesc['form'], set: (v: PtpValue) => void): PropSpec => ({
      desc: () => ({ dataType, getSet: 1, factoryDefault: dflt, current: value(), form }),
      set,
    });
    // The S reports its level in steps (0, 33, 67, 100), as the OSC batteryLevel.
    m.set(Prop.BatteryLevel, ro(DataType.UINT8, () => Math.round(d.battery.level * 100), { kind: 'range', min: 0, max: 100, step: 1 }));
    m.set(Prop.FunctionalMode, ro(DataType.UINT16, () => 0, { kind: 'enum', values: [0] }));
    m.set(Prop.ImageSize, rw(DataType.STR, IMAGE_SIZES[0], () => {
      const f = this.option<{ width: number; height: number }>('fileFormat');
      return `${f.width}x${f.height}`;
    }, { kind: 'enum', values: [...IMAGE_SIZES] }, (v) => {
      if (d.captureMode !== 'image') throw new PtpDeviceError(Resp.DeviceBusy, 'ImageSize is for still images; StillCaptureMode is video');
      const [w, h] = String(v).split('x').map(Number);
      this.setOption('fileFormat', { type: 'jpeg', width: w, height: h });
    }));
    m.set(Prop.DateTime, rw(DataType.STR, '20150101T000000+0000', () => {
      const off = this.option<string>('dateTimeZone');
      const zone = /([+-])(\d{2}):(\d{2})$/.exec(off);
      const minutes = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
      return formatPtpDate(d.cameraNow(), minutes).replace(/Z$/, '+0000');
    }, { kind: 'none' }, (v) => {
      const text = String(v);
      const ms = parsePtpDate(text);
      const zone = /([+-])(\d{2})(\d{2})$/.exec(text);
      if (ms === undefined) throw new PtpDeviceError(Resp.InvalidDevicePropValue, 'DateTime must be YYYYMMDDThhmmss±hhmm');
      const minutes = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
      const local = new Date(ms + minutes * 60_000);
      const p = (n: number): string => String(n).padStart(2, '0');
      const sign = minutes < 0 ? '-' : '+';
      const a = Math.abs(minutes);
      this.setOption('dateTimeZone', `${local.getUTCFullYear()}:${p(local.getUTCMonth() + 1)}:${p(local.getUTCDate())} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}${sign}${p(Math.floor(a / 60))}:${p(a % 60)}`);
    }));
    m.set(Prop.CaptureDelay, rw(DataType.UINT32, 0, () => this.option<number>('exposureDelay') * 1000, { kind: 'range', min: 0, max: 10_000, step: 1000 }, (v) => this.setOption('exposureDelay', Number(v) / 1000)));
    m.set(Prop.ExposureProgramMode, rw(DataType.UINT16, 2, () => this.option<number>('exposureProgram'), { kind: 'enum', values: [1, 2, 4, 9] }, (v) => this.setOption('exposureProgram', Number(v))));
    m.set(Prop.ExposureIndex, rw(DataType.UINT16, ISO_AUTO, () => this.option<number>('iso') || ISO_AUTO, { kind: 'enum', values: [ISO_AUTO, ...ISO_VALUES] }, (v) => this.setOption('iso', Number(v) === ISO_AUTO ? 0 : Number(v))));
    m.set(Prop.ExposureBiasCompensation, rw(DataType.INT16, 0, () => Math.round(this.option<number>('exposureCompensation') * 1000), { kind: 'enum', values: EV_VALUES }, (v) => this.setOption('exposureCompensation', Number(v) / 1000)));
    m.set(Prop.StillCaptureMode, rw(DataType.UINT16, RicohCaptureMode.Single, () => this.currentStillMode(), {
      kind: 'enum', values: [RicohCaptureMode.Single, RicohCaptureMode.Interval, RicohCaptureMode.Video, RicohCaptureMode.Composite, RicohCaptureMode.MultiBracket],
    }, (v) => {
      const mode = Number(v) as StillMode;
      if (d.capturing) throw new PtpDeviceError(Resp.DeviceBusy, 'a capture is running');
      const want = mode === RicohCaptureMode.Video ? 'video' : 'image';
      // The option's spelling follows the API level the OSC face is in (`_video` in v2.0).
      if (d.captureMode !== want) this.setOption('captureMode', want === 'video' && d.api === 1 ? '_video' : want);
      if (mode !== RicohCaptureMode.Video) this.stillMode = mode;
    }));
    m.set(Prop.TimelapseNumber, rw(DataType.UINT16, 0, () => this.option<number>('_captureNumber'), { kind: 'range', min: 0, max: 9999, step: 1 }, (v) => this.setOption('_captureNumber', Number(v))));
    m.set(Prop.TimelapseInterval, rw(DataType.UINT32, 8000, () => this.option<number>('_captureInterval') * 1000, { kind: 'range', min: 1000, max: 3_600_000, step: 1000 }, (v) => this.setOption('_captureInterval', Number(v) / 1000)));
    m.set(RicohProp.AudioVolume, rw(DataType.UINT32, 50, () => this.option<number>('_shutterVolume'), { kind: 'range', min: 0, max: 100, step: 1 }, (v) => this.setOption('_shutterVolume', Number(v))));
    // AutoPowerOffDelay is in minutes, 0 = never (docs/osc.md); OSC's offDelay is in seconds.
    m.set(RicohProp.AutoPowerOffDelay, rw(DataType.UINT8, 30, () => {
      const s = this.option<number>('offDelay');
      return s === OSC_NEVER ? 0 : Math.round(s / 60);
    }, { kind: 'range', min: 0, max: 30, step: 1 }, (v) => this.setOption('offDelay', Number(v) === 0 ? OSC_NEVER : Math.max(30, Number(v) * 60))));
    // SleepDelay: seconds, 65534 (or 0, as the community guide's author used) = never; 1–59 become 60.
    m.set(RicohProp.SleepDelay, rw(DataType.UINT16, 180, () => {
      const s = this.option<number>('sleepDelay');
      return s === OSC_NEVER ? RICOH_SLEEP_NEVER : s;
    }, { kind: 'none' }, (v) => {
      const n = Number(v);
      if (n === 0 || n === RICOH_SLEEP_NEVER) return this.setOption('sleepDelay', OSC_NEVER);
      if (n > 1800) throw new PtpDeviceError(Resp.InvalidDevicePropValue, 'SleepDelay is 0-1800 or 65534');
      this.setOption('sleepDelay', Math.max(60, n));
    }));
    m.set(RicohProp.CaptureStatus, ro(DataType.UINT8, () => CAPTURE_STATUS[d.snapshot().captureStatus], { kind: 'enum', values: [0, 1, 2, 3] }));
    m.set(RicohProp.RecordingTime, ro(DataType.UINT32, () => d.snapshot().recordedTime));
    m.set(RicohProp.RemainingRecordingTime, ro(DataType.UINT32, () => d.snapshot().recordableTime));
    return m;
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
    if (this.currentStillMode() !== RicohCaptureMode.Single) throw new PtpDeviceError(Resp.DeviceBusy, 'StillCaptureMode is not single');
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
    if (mode === RicohCaptureMode.Single) throw new PtpDeviceError(Resp.DeviceBusy, 'StillCaptureMode single uses InitiateCapture');
    const kind = mode === RicohCaptureMode.Composite ? 'composite' : mode === RicohCaptureMode.MultiBracket ? 'bracket' : 'interval';
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

  async vendorOperation(code: number): Promise<PtpVendorResult | undefined> {
    if (code !== RicohOp.StopSelfTimer) return undefined;
    try {
      this.device.stopSelfTimer();
    } catch (e) {
      deviceFault(e);
    }
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

/** Serves the device over PTP/IP on host:port (port 0 = a free port). */
export function startThetaPtpIp(device: ThetaDevice, opts: ThetaPtpIpOptions): Promise<RunningPtpIpFace> {
  return startPtpIpFace(new ThetaPtpBackend(device), 'RICOH THETA S', opts);
}

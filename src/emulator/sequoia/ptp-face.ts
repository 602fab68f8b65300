/**
 * The emulated Sequoia's PTP/IP face: a {@link PtpResponderBackend} over the same
 * {@link SequoiaDevice} the HTTP face drives, served by the generic {@link PtpIpResponder} with
 * Parrot's extension (VendorExtensionID 0x1B, docs/sequoia.md "PTP").
 *
 * Mapping (docs/architecture.md rule 1 — this file knows both sides, the device knows no PTP):
 * - storages: internal = 0x00010001, sd = 0x00020001 (when inserted);
 * - objects: capture folders are associations at the root, files are their children; handles
 *   are given out on first sight and kept for the object's life;
 * - properties map onto `/config` fields, so a change through either face is seen by the other,
 *   and every change is announced as DevicePropChanged;
 * - captures through any face send ObjectAdded per file, then CaptureComplete.
 *
 * @example
 * const ptp = await startSequoiaPtpIp(device, { host: '127.0.0.1', port: 0 });
 * // gphoto2 --port ptpip:127.0.0.1:PORT:PORT --summary
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { SequoiaDevice } from '../../devices/sequoia/device.js';
import type { DeviceChange } from '../../devices/sequoia/events.js';
import { StorageError } from '../../devices/storage.js';
import type { CaptureRefusal, SettingRefusal } from '../../devices/sequoia/outcomes.js';
import { SETTING_LIMITS, timelapseMin, type DeviceConfig, type MediumName } from '../../devices/sequoia/types.js';
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
  DataType,
  Ev,
  FilesystemType,
  Format,
  Prop,
  Resp,
  StorageType,
} from '../../ptp/codes.js';
import {
  formatPtpDate,
  type DeviceInfo,
  type DevicePropDesc,
  type ObjectInfo,
  type PtpValue,
  type StorageInfo,
} from '../../ptp/codec.js';
import { PtpFileReader } from '../files-ptp.js';
import { STANDARD_OPERATIONS } from '../../ptp/responder.js';
import {
  PARROT_CAPTURE_MODE_CODES,
  PARROT_EXTENSION_DESC,
  PARROT_MONO_IMAGE_SIZES,
  PARROT_RGB_IMAGE_SIZES,
  PARROT_STORAGE_IDS,
  PARROT_VENDOR_ID,
  ParrotCaptureMode,
  ParrotEv,
  ParrotOp,
  ParrotProp,
  encodeI32Array,
  encodeStatusMask,
  encodeSunshineValues,
  encodeTemperatureValues,
} from '../../ptp/vendors/parrot.js';

// The vocabulary shared with the client side (src/ptp/vendors/parrot.ts), so both speak the same codes.
const STORAGE_IDS: Record<MediumName, number> = PARROT_STORAGE_IDS;
const MEDIUM_OF = new Map<number, MediumName>(Object.entries(PARROT_STORAGE_IDS).map(([k, v]) => [v, k as MediumName]));

const MODE_TO_PTP: Record<DeviceConfig['capture_mode'], number> = PARROT_CAPTURE_MODE_CODES;
const PTP_TO_MODE = new Map(Object.entries(MODE_TO_PTP).map(([k, v]) => [v, k as DeviceConfig['capture_mode']]));
const RGB_SIZE_TEXT = PARROT_RGB_IMAGE_SIZES;
const MONO_SIZE_TEXT = PARROT_MONO_IMAGE_SIZES;

interface PropSpec {
  desc(c: DeviceConfig): Omit<DevicePropDesc, 'code'>;
  /** The `/config` patch for a value, or undefined for a property that is not a config field. */
  toConfig?(v: PtpValue): Record<string, unknown>;
  /** Config keys whose change changes this property. */
  keys: Array<keyof DeviceConfig>;
}

type Obj =
  | { kind: 'folder'; medium: MediumName; folder: string }
  | { kind: 'file'; medium: MediumName; folder: string; name: string };

/** Stable handles: one per object for its life, never reused within the process. */
class HandleTable {
  private next = 1;
  private readonly byKey = new Map<string, number>();
  private readonly byHandle = new Map<number, Obj>();

  private static key(o: Obj): string {
    return o.kind === 'folder' ? `${o.medium}/${o.folder}` : `${o.medium}/${o.folder}/${o.name}`;
  }
  handle(o: Obj): number {
    const k = HandleTable.key(o);
    let h = this.byKey.get(k);
    if (h === undefined) {
      h = this.next++;
      this.byKey.set(k, h);
      this.byHandle.set(h, o);
    }
    return h;
  }
  peek(o: Obj): number | undefined {
    return this.byKey.get(HandleTable.key(o));
  }
  get(h: number): Obj | undefined {
    return this.byHandle.get(h);
  }
  forget(o: Obj): number | undefined {
    const k = HandleTable.key(o);
    const h = this.byKey.get(k);
    if (h !== undefined) {
      this.byKey.delete(k);
      this.byHandle.delete(h);
    }
    return h;
  }
  forgetFolder(medium: MediumName, folder: string): number[] {
    const gone: number[] = [];
    for (const [h, o] of this.byHandle) {
      if (o.medium === medium && o.folder === folder) {
        gone.push(h);
        this.forget(o);
      }
    }
    return gone;
  }
}

function storageFault(e: unknown): never {
  if (e instanceof StorageError) {
    switch (e.code) {
      case 'NOT_FOUND':
      case 'BAD_PATH':
        throw new PtpDeviceError(Resp.InvalidObjectHandle, e.message);
      case 'NOT_PRESENT':
        throw new PtpDeviceError(Resp.StoreNotAvailable, e.message);
      case 'BUSY':
        throw new PtpDeviceError(Resp.DeviceBusy, e.message);
      case 'FULL':
        throw new PtpDeviceError(Resp.StoreFull, e.message);
      case 'READ_ONLY':
        throw new PtpDeviceError(Resp.StoreReadOnly, e.message);
      case 'FAULT':
        throw new PtpDeviceError(Resp.StoreNotAvailable, e.message);
      default:
        break;
    }
  }
  throw e;
}

/** The Parrot extension over a SequoiaDevice. Exported for in-process use (tests, in-memory pair). */
export class SequoiaPtpBackend implements PtpResponderBackend {
  private readonly handles = new HandleTable();
  private readonly events = new PtpEventFanout();
  /** Open media files, reused across GetPartialObject transactions. */
  private readonly files = new PtpFileReader();
  private readonly detach: Array<() => void> = [];
  private lastCaptureTid = 0xffffffff;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly props: Map<number, PropSpec>;
  private readonly info: DeviceInfo;

  constructor(private readonly device: SequoiaDevice) {
    this.props = this.buildProps();
    this.info = {
      standardVersion: 100,
      vendorExtensionId: PARROT_VENDOR_ID,
      vendorExtensionVersion: 100,
      vendorExtensionDesc: PARROT_EXTENSION_DESC,
      functionalMode: 0,
      operationsSupported: [
        ...STANDARD_OPERATIONS,
        ...Object.values(ParrotOp).filter((c) => c !== ParrotOp.SendFirmwareUpdate),
      ],
      eventsSupported: [
        Ev.ObjectAdded,
        Ev.ObjectRemoved,
        Ev.StoreAdded,
        Ev.StoreRemoved,
        Ev.DevicePropChanged,
        Ev.StorageInfoChanged,
        Ev.CaptureComplete,
        ParrotEv.Status,
      ],
      devicePropertiesSupported: [...this.props.keys()],
      captureFormats: [Format.EXIF_JPEG, Format.TIFF],
      imageFormats: [Format.Association, Format.EXIF_JPEG, Format.TIFF],
      manufacturer: 'Parrot',
      model: 'Sequoia',
      deviceVersion: device.firmwareVersion,
      serialNumber: device.serialNumber,
    };
    this.listen();
  }

  private listen(): void {
    const d = this.device;
    const on = <K extends Parameters<SequoiaDevice['on']>[0]>(name: K, fn: (...args: never[]) => void): void => {
      d.on(name, fn as never);
      this.detach.push(() => d.off(name, fn as never));
    };
    on('file-added', (e: { medium: MediumName; folder: string; name: string }) => {
      const h = this.handles.handle({ kind: 'file', medium: e.medium, folder: e.folder, name: e.name });
      this.events.emit(Ev.ObjectAdded, [h]);
    });
    on('file-removed', (e: { medium: MediumName; folder: string; name: string }) => {
      const h = this.handles.forget({ kind: 'file', medium: e.medium, folder: e.folder, name: e.name });
      if (h !== undefined) this.events.emit(Ev.ObjectRemoved, [h]);
    });
    on('folder-removed', (e: { medium: MediumName; folder: string }) => {
      for (const h of this.handles.forgetFolder(e.medium, e.folder)) this.events.emit(Ev.ObjectRemoved, [h]);
    });
    on('capture-complete', () => {
      this.events.emit(Ev.CaptureComplete, [this.lastCaptureTid]);
      this.lastCaptureTid = 0xffffffff;
      this.events.emit(ParrotEv.Status, [this.statusMask()]);
      if (!this.device.isCapturing) this.stopHeartbeat();
    });
    on('config-changed', (changed: Partial<DeviceConfig>) => {
      const keys = Object.keys(changed) as Array<keyof DeviceConfig>;
      for (const [code, spec] of this.props)
        if (spec.keys.some((k) => keys.includes(k))) this.events.emit(Ev.DevicePropChanged, [code]);
    });
    on('change', (c: DeviceChange) => {
      if (c.kind !== 'capture') return;
      if (c.running) {
        this.events.emit(ParrotEv.Status, [this.statusMask()]);
        this.startHeartbeat();
      } else {
        // A continuous capture stopped between two pictures ends without a CaptureComplete: the
        // status mask is what tells an initiator the camera is ready again.
        this.stopHeartbeat();
        this.events.emit(ParrotEv.Status, [this.statusMask()]);
      }
    });
    on('storage-changed', (e: { medium: MediumName }) =>
      this.events.emit(Ev.StorageInfoChanged, [STORAGE_IDS[e.medium]]),
    );
  }

  /**
   * While a capture is being written the camera reports its status mask (Parrot Status event)
   * every second. Besides being what the firmware does, it keeps initiators that wait for
   * ObjectAdded with a short read timeout (gphoto2: 2.5 s) alive through a slow first capture;
   * unknown events are ignored by them.
   */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      if (!this.device.isCapturing) return this.stopHeartbeat();
      this.events.emit(ParrotEv.Status, [this.statusMask()]);
    }, 1000);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  onEvent(listener: (e: PtpDeviceEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  close(): void {
    this.stopHeartbeat();
    for (const d of this.detach.splice(0)) d();
    this.events.clear();
    this.files.close();
  }

  deviceInfo(): DeviceInfo {
    return this.info;
  }

  async storageIds(): Promise<number[]> {
    return this.device.presentMedia().map((m) => STORAGE_IDS[m.name]);
  }

  private mediumFor(storageId: number): MediumName {
    const name = MEDIUM_OF.get(storageId);
    if (!name || !this.device.presentMedia().some((m) => m.name === name))
      throw new PtpDeviceError(Resp.InvalidStorageID);
    return name;
  }

  async storageInfo(storageId: number): Promise<StorageInfo> {
    const name = this.mediumFor(storageId);
    // Capacity is known whatever the medium's condition; only its files may be out of reach.
    const m = this.device.storage.get(name);
    return {
      storageType: name === 'sd' ? StorageType.RemovableRAM : StorageType.FixedRAM,
      filesystemType: FilesystemType.GenericHierarchical,
      // The host may delete pictures, never write; a medium in a bad condition takes no deletion.
      accessCapability:
        this.device.mediumCondition(name) === 'ok' ? AccessCapability.ReadOnlyWithDelete : AccessCapability.ReadOnly,
      maxCapacity: BigInt(m.capacityBytes),
      freeSpaceInBytes: BigInt(m.freeBytes),
      // About 11.6 MB per capture (docs/sequoia.md).
      freeSpaceInImages: Math.floor(m.freeBytes / 11_600_000),
      storageDescription: name,
      volumeLabel: name,
    };
  }

  async objectHandles(storageId: number, format: number, parent: number): Promise<number[]> {
    const media = storageId === ALL ? this.device.presentMedia().map((m) => m.name) : [this.mediumFor(storageId)];
    const out: number[] = [];
    const wantFolders = format === 0 || format === Format.Association;
    let onlyFolder: Obj | undefined;
    if (parent !== 0 && parent !== ALL) {
      onlyFolder = this.handles.get(parent);
      if (!onlyFolder || onlyFolder.kind !== 'folder') throw new PtpDeviceError(Resp.InvalidParentObject);
    }
    for (const medium of media) {
      let folders: string[];
      try {
        folders = await this.device.medium(medium).listFolders();
      } catch (e) {
        storageFault(e);
      }
      for (const folder of folders) {
        if (onlyFolder && (onlyFolder.medium !== medium || onlyFolder.folder !== folder)) continue;
        if (!onlyFolder && wantFolders) out.push(this.handles.handle({ kind: 'folder', medium, folder }));
        if (parent === ALL) continue;
        let files;
        try {
          files = await this.device.medium(medium).listFiles(folder);
        } catch {
          continue; // deleted meanwhile
        }
        for (const f of files) {
          if (format !== 0 && formatOf(f.name) !== format) continue;
          out.push(this.handles.handle({ kind: 'file', medium, folder, name: f.name }));
        }
      }
    }
    return out;
  }

  private obj(handle: number): Obj {
    const o = this.handles.get(handle);
    if (!o) throw new PtpDeviceError(Resp.InvalidObjectHandle);
    return o;
  }

  async objectInfo(handle: number): Promise<ObjectInfo> {
    const o = this.obj(handle);
    const base = {
      storageId: STORAGE_IDS[o.medium],
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
    try {
      const m = this.device.medium(o.medium);
      if (o.kind === 'folder') {
        const st = await fs.stat(await m.resolve(o.folder));
        const date = formatPtpDate(st.mtimeMs);
        return {
          ...base,
          objectFormat: Format.Association,
          compressedSize: 0,
          parentObject: 0,
          associationType: AssociationType.GenericFolder,
          filename: o.folder,
          captureDate: date,
          modificationDate: date,
        };
      }
      const file = await m.resolve(o.folder, o.name);
      const st = await fs.stat(file);
      const date = formatPtpDate(st.mtimeMs);
      const info: ObjectInfo = {
        ...base,
        objectFormat: formatOf(o.name),
        compressedSize: Math.min(st.size, 0xffffffff),
        parentObject: this.handles.handle({ kind: 'folder', medium: o.medium, folder: o.folder }),
        associationType: 0,
        filename: o.name,
        captureDate: date,
        modificationDate: date,
      };
      const thumb = await this.thumbPath(o);
      if (thumb) {
        info.thumbFormat = Format.JFIF;
        info.thumbCompressedSize = (await fs.stat(thumb)).size;
        info.thumbPixWidth = 160;
        info.thumbPixHeight = 120;
      }
      return info;
    } catch (e) {
      storageFault(e);
    }
  }

  private async thumbPath(o: Obj): Promise<string | undefined> {
    if (o.kind !== 'file') return undefined;
    const p = path.join(
      await this.device.medium(o.medium).resolve(o.folder),
      '.thumb',
      `${o.name.replace(/\.[^.]+$/, '')}.jpg`,
    );
    try {
      await fs.access(p);
      return p;
    } catch {
      return undefined;
    }
  }

  async openObject(handle: number): Promise<PtpObjectContent> {
    const o = this.obj(handle);
    if (o.kind !== 'file') throw new PtpDeviceError(Resp.InvalidObjectHandle, 'a folder has no content');
    try {
      return await this.files.open(`${o.medium}/${o.folder}/${o.name}`, () =>
        this.device.medium(o.medium).resolve(o.folder, o.name),
      );
    } catch (e) {
      storageFault(e);
    }
  }

  async openThumb(handle: number): Promise<PtpObjectContent> {
    const o = this.obj(handle);
    const p = await this.thumbPath(o).catch(() => undefined);
    if (!p) throw new PtpDeviceError(Resp.NoThumbnailPresent);
    return this.files.open(p, async () => p);
  }

  async deleteObject(handle: number): Promise<void> {
    const o = this.obj(handle);
    try {
      if (o.kind === 'file') await this.device.deleteFile(o.medium, o.folder, o.name);
      else await this.device.deleteFolder(o.medium, o.folder);
    } catch (e) {
      storageFault(e);
    }
  }

  async propDesc(code: number): Promise<DevicePropDesc> {
    const spec = this.props.get(code);
    if (!spec) throw new PtpDeviceError(Resp.DevicePropNotSupported);
    return { code, ...spec.desc(this.device.getConfig()) };
  }

  async setProp(code: number, value: PtpValue): Promise<void> {
    const spec = this.props.get(code);
    const patch = spec?.toConfig?.(value);
    if (!patch) throw new PtpDeviceError(Resp.AccessDenied);
    const { outcomes } = this.device.setConfig(patch);
    for (const [key, outcome] of Object.entries(outcomes)) {
      if (!outcome.ok) throw new PtpDeviceError(SETTING_RESPONSE[outcome.reason], `${key}: ${outcome.reason}`);
    }
  }

  private async start(ctx: PtpCallContext): Promise<void> {
    const r = await this.device.startCapture();
    if (!r.ok) throw new PtpDeviceError(CAPTURE_RESPONSE[r.reason], `capture refused: ${r.reason}`);
    this.lastCaptureTid = ctx.transactionId;
    this.startHeartbeat();
  }

  /** A snapshot: only in single (or radiometric) mode, as the THETA does; other modes use open capture. */
  async initiateCapture(storageId: number, _format: number, ctx: PtpCallContext): Promise<void> {
    if (storageId !== 0) this.mediumFor(storageId);
    const mode = this.device.getConfig().capture_mode;
    if (mode !== 'single' && mode !== 'radiometric')
      throw new PtpDeviceError(Resp.DeviceBusy, `capture mode is ${mode}`);
    await this.start(ctx);
  }

  async initiateOpenCapture(storageId: number, _format: number, ctx: PtpCallContext): Promise<void> {
    if (storageId !== 0) this.mediumFor(storageId);
    await this.start(ctx);
  }

  async terminateOpenCapture(): Promise<void> {
    const r = this.device.stopCapture();
    if (!r.ok) throw new PtpDeviceError(Resp.CaptureAlreadyTerminated, 'no capture is running');
  }

  async vendorOperation(code: number, params: readonly number[]): Promise<PtpVendorResult | undefined> {
    const d = this.device;
    const micro = (deg: number): number => Math.round(deg * 1e6);
    switch (code) {
      case ParrotOp.GetSunshineValues: {
        const s = d.sunshine();
        if (!s) throw new PtpDeviceError(Resp.DeviceBusy, 'sunshine sensor not connected');
        return {
          data: encodeSunshineValues({ Green: s.green, Red: s.red, RedEdge: s.red_edge, NIR: s.near_infrared }),
        };
      }
      case ParrotOp.GetTemperatureValues: {
        const t = d.temperatures();
        const m = (c: number | null): number => (c === null ? 0 : Math.round(c * 1000));
        return {
          data: encodeTemperatureValues({
            P7: m(t.body_p7),
            P7MU: m(t.body_p7mu),
            DDR: m(t.body_ddr3),
            WiFi: m(t.body_wifi),
            IMU: m(t.body_imu),
            IMUSunshine: m(t.sunshine_imu),
          }),
        };
      }
      case ParrotOp.GetAngleValues: {
        const a = this.attitude(params[0] ?? 0);
        return { data: encodeI32Array([micro(a.yaw), micro(a.pitch), micro(a.roll)]) };
      }
      case ParrotOp.GetGpsValues: {
        const g = d.gpsDms();
        return {
          data: encodeI32Array([
            g.lon.deg,
            g.lon.min,
            Math.round(g.lon.sec * 1000),
            g.lat.deg,
            g.lat.min,
            Math.round(g.lat.sec * 1000),
            Math.round(g.altitude * 1000),
          ]),
        };
      }
      case ParrotOp.GetGyroscopeValues:
      case ParrotOp.GetAccelerometerValues:
      case ParrotOp.GetMagnetometerValues:
        // The emulated drone flies level at constant speed: no rotation, gravity only, Earth's field.
        return {
          data: encodeI32Array(
            code === ParrotOp.GetAccelerometerValues
              ? [0, 0, 9_806_650]
              : code === ParrotOp.GetMagnetometerValues
                ? [20_000, 0, -43_000]
                : [0, 0, 0],
          ),
        };
      case ParrotOp.GetImuValues: {
        const a = this.attitude(params[0] ?? 0);
        return {
          data: encodeI32Array([
            0,
            0,
            0,
            0,
            0,
            9_806_650,
            20_000,
            0,
            -43_000,
            micro(a.yaw),
            micro(a.pitch),
            micro(a.roll),
          ]),
        };
      }
      case ParrotOp.GetStatusMask:
        return { params: [this.statusMask()] };
      case ParrotOp.EjectStorage: {
        const name = this.mediumFor(params[0] ?? 0);
        if (name !== 'sd') throw new PtpDeviceError(Resp.InvalidStorageID, 'only the SD card can be ejected');
        d.setSdPresent(false);
        return {};
      }
      case ParrotOp.StartMagnetoCalib: {
        const r = d.startCalibration([params[0] === 1 ? 'sunshine' : 'body']);
        if (!r.ok) throw new PtpDeviceError(Resp.DeviceBusy, 'a capture is running');
        return {};
      }
      case ParrotOp.StopMagnetoCalib:
        d.stopCalibration([params[0] === 1 ? 'sunshine' : 'body']);
        return {};
      case ParrotOp.MagnetoCalibStatus: {
        const s = d.calibrationState()[params[0] === 1 ? 'sunshine' : 'body'];
        return { params: [CALIB_STATUS[s] ?? 0] };
      }
      default:
        return undefined;
    }
  }

  private attitude(imu: number): { yaw: number; pitch: number; roll: number } {
    const a = imu === 1 ? this.device.sunshineAttitude() : this.device.bodyAttitude();
    if (!a) throw new PtpDeviceError(Resp.InvalidParameter, 'sunshine sensor not connected');
    return a;
  }

  private statusMask(): number {
    const d = this.device;
    const cal = d.calibrationState();
    return encodeStatusMask({
      SnapshotRequested: d.isCapturing,
      BodyImuCalibRunning: cal.body === 'Running' || /pending/i.test(cal.body),
      AuxiliaryImuCalibRunning: cal.sunshine === 'Running' || /pending/i.test(cal.sunshine),
      AuxiliaryConnected: d.isSunshineConnected,
      AuxiliaryGpsRunning: d.isSunshineConnected,
      BodySensorsInitDone: true,
      AuxiliarySensorsInitDone: d.isSunshineConnected,
      CameraRunning: true,
    });
  }

  private buildProps(): Map<number, PropSpec> {
    const d = this.device;
    const m = new Map<number, PropSpec>();
    const ro = (
      dataType: number,
      value: () => PtpValue,
      form: DevicePropDesc['form'] = { kind: 'none' },
    ): PropSpec => ({
      keys: [],
      desc: () => ({ dataType, getSet: 0, factoryDefault: value(), current: value(), form }),
    });
    m.set(
      Prop.BatteryLevel,
      ro(DataType.UINT8, () => 100, { kind: 'range', min: 0, max: 100, step: 1 }),
    );
    m.set(
      Prop.DateTime,
      ro(DataType.STR, () => formatPtpDate(d.clock.now())),
    );
    m.set(Prop.ImageSize, {
      keys: ['resolution_rgb'],
      desc: (c) => ({
        dataType: DataType.STR,
        getSet: 1,
        factoryDefault: RGB_SIZE_TEXT[16],
        current: RGB_SIZE_TEXT[c.resolution_rgb],
        form: { kind: 'enum', values: [RGB_SIZE_TEXT[16], RGB_SIZE_TEXT[12]] },
      }),
      toConfig: (v) => ({ resolution_rgb: v === RGB_SIZE_TEXT[12] ? 12 : v === RGB_SIZE_TEXT[16] ? 16 : v }),
    });
    m.set(Prop.StillCaptureMode, {
      keys: ['capture_mode'],
      desc: (c) => ({
        dataType: DataType.UINT16,
        getSet: 1,
        factoryDefault: ParrotCaptureMode.Single,
        current: MODE_TO_PTP[c.capture_mode],
        form: { kind: 'enum', values: Object.values(MODE_TO_PTP) },
      }),
      toConfig: (v) => ({ capture_mode: PTP_TO_MODE.get(Number(v)) }),
    });
    m.set(Prop.TimelapseInterval, {
      keys: ['timelapse_param'],
      // Whole milliseconds, the shortest period following the sensors, as the model accepts them.
      desc: (c) => ({
        dataType: DataType.UINT32,
        getSet: 1,
        factoryDefault: SETTING_LIMITS.timelapse.default * 1000,
        current: Math.round(c.timelapse_param * 1000),
        form: {
          kind: 'range',
          min: timelapseMin(c.sensors_mask) * 1000,
          max: SETTING_LIMITS.timelapse.max * 1000,
          step: 1,
        },
      }),
      toConfig: (v) => ({ timelapse_param: Number(v) / 1000 }),
    });
    m.set(ParrotProp.PhotoSensorEnableMask, {
      keys: ['sensors_mask'],
      desc: (c) => ({
        dataType: DataType.UINT32,
        getSet: 1,
        factoryDefault: 31,
        current: c.sensors_mask,
        form: { kind: 'range', min: 1, max: 31, step: 1 },
      }),
      toConfig: (v) => ({ sensors_mask: Number(v) }),
    });
    m.set(ParrotProp.MultispectralImageSize, {
      keys: ['resolution_mono'],
      desc: (c) => ({
        dataType: DataType.STR,
        getSet: 1,
        factoryDefault: MONO_SIZE_TEXT['1.2'],
        current: MONO_SIZE_TEXT[String(c.resolution_mono) as '1.2' | '0.3'],
        form: { kind: 'enum', values: Object.values(MONO_SIZE_TEXT) },
      }),
      toConfig: (v) => ({ resolution_mono: v === MONO_SIZE_TEXT['0.3'] ? 0.3 : v === MONO_SIZE_TEXT['1.2'] ? 1.2 : v }),
    });
    m.set(
      ParrotProp.MainBitDepth,
      ro(DataType.UINT8, () => 8, { kind: 'enum', values: [8] }),
    );
    m.set(ParrotProp.MultispectralBitDepth, {
      keys: ['bit_depth'],
      desc: (c) => ({
        dataType: DataType.UINT8,
        getSet: 1,
        factoryDefault: 10,
        current: c.bit_depth,
        form: { kind: 'enum', values: [8, 10] },
      }),
      toConfig: (v) => ({ bit_depth: Number(v) }),
    });
    m.set(ParrotProp.GPSInterval, {
      keys: ['gps_param'],
      desc: (c) => ({
        dataType: DataType.UINT32,
        getSet: 1,
        factoryDefault: SETTING_LIMITS.gps.default * 100,
        current: Math.round(c.gps_param * 100),
        form: { kind: 'range', min: SETTING_LIMITS.gps.min * 100, max: SETTING_LIMITS.gps.max * 100, step: 1 },
      }),
      toConfig: (v) => ({ gps_param: Number(v) / 100 }),
    });
    m.set(ParrotProp.OverlapRate, {
      keys: ['overlap_param'],
      desc: (c) => ({
        dataType: DataType.UINT8,
        getSet: 1,
        factoryDefault: SETTING_LIMITS.overlap.default,
        current: c.overlap_param,
        form: { kind: 'range', min: SETTING_LIMITS.overlap.min, max: SETTING_LIMITS.overlap.max, step: 1 },
      }),
      toConfig: (v) => ({ overlap_param: Number(v) }),
    });
    m.set(ParrotProp.SelectedStorage, {
      keys: ['storage_selected'],
      desc: (c) => ({
        dataType: DataType.UINT32,
        getSet: 1,
        factoryDefault: STORAGE_IDS.internal,
        current: STORAGE_IDS[c.storage_selected],
        form: { kind: 'enum', values: Object.values(STORAGE_IDS) },
      }),
      toConfig: (v) => ({ storage_selected: MEDIUM_OF.get(Number(v)) }),
    });
    m.set(
      ParrotProp.WifiSSID,
      ro(DataType.STR, () => d.getWifi().ssid),
    );
    m.set(
      ParrotProp.WifiStatus,
      ro(DataType.UINT8, () => (d.getWifi().status === 'on' ? 1 : 0), { kind: 'enum', values: [0, 1] }),
    );
    return m;
  }
}

/** A refused setting: busy while capturing, anything else a value the camera does not take. */
const SETTING_RESPONSE: Record<SettingRefusal, number> = {
  busy: Resp.DeviceBusy,
  'out-of-range': Resp.InvalidDevicePropValue,
  'no-medium': Resp.InvalidDevicePropValue,
  'unknown-setting': Resp.DevicePropNotSupported,
};

/** A refused capture. */
const CAPTURE_RESPONSE: Record<CaptureRefusal, number> = {
  busy: Resp.DeviceBusy,
  calibrating: Resp.DeviceBusy,
  full: Resp.StoreFull,
  'no-medium': Resp.StoreNotAvailable,
  'medium-fault': Resp.StoreNotAvailable,
  'read-only': Resp.StoreReadOnly,
};

const CALIB_STATUS: Record<string, number> = {
  None: 0,
  Ok: 1,
  Running: 2,
  'Phi pending': 3,
  'Theta pending': 4,
  'Psi pending': 5,
  Failed: 6,
  Aborted: 7,
};

function formatOf(name: string): number {
  const ext = name.slice(name.lastIndexOf('.') + 1).toUpperCase();
  if (ext === 'JPG' || ext === 'JPEG') return Format.EXIF_JPEG;
  if (ext === 'TIF' || ext === 'TIFF') return Format.TIFF;
  return Format.Undefined;
}

export type SequoiaPtpIpOptions = PtpIpFaceOptions;

/** Serves the device over PTP/IP on host:port (port 0 = a free port). */
export function startSequoiaPtpIp(device: SequoiaDevice, opts: SequoiaPtpIpOptions): Promise<RunningPtpIpFace> {
  return startPtpIpFace(new SequoiaPtpBackend(device), 'Sequoia', opts);
}

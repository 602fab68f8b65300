/**
 * The Camera API over any connected {@link PtpClient}, whatever carries its session: PTP/IP
 * (`ptpip.ts`) or USB (`usb.ts`). Those adapters only say how to connect; everything PTP — paths,
 * settings, capture, downloads, events, reconnection — lives here once, so a camera behaves the
 * same over a cable as over Wi-Fi (the Sequoia with Parrot's extension, the THETA with Ricoh's,
 * or a camera speaking plain ISO 15740).
 *
 * - Paths: storages are media, associations holding files are folders (see ptp-paths.ts).
 * - Settings: every property in DeviceInfo, described from its DevicePropDesc (type, enumeration
 *   or range, read-only or not), keyed by its PTP name (`StillCaptureMode`, `PhotoSensorEnableMask`);
 *   on a Sequoia the properties that carry its settings show the Sequoia's own names and words
 *   (`capture_mode` timelapse; sequoia-ptp-settings.ts), the PTP names accepted as aliases.
 * - Capture: InitiateCapture, then the ObjectAdded events of the shot until CaptureComplete.
 * - Downloads: GetObject streamed to the destination; resumed with GetPartialObject.
 * - Events: the transport's event channel (PTP/IP event connection, USB interrupt endpoint),
 *   reconnected with backoff when the link drops.
 *
 * PTP runs one transaction at a time per session, so parallel downloads are queued on the one
 * session (the protocol's own limit; a second session would double the camera's load, and a USB
 * interface can only be claimed once).
 *
 * @example
 * const cam = await PtpCamera.open({
 *   protocol: 'ptpip', address: 'ptpip://127.0.0.1:15740', link: 'PTP/IP',
 *   connect: (signal) => PtpIpClient.connect({ host: '127.0.0.1', ...(signal ? { signal } : {}) }),
 * });
 * for (const e of await cam.list('/internal')) console.log(e.path);
 */
import { once } from 'node:events';
import { open, stat } from 'node:fs/promises';
import { setTimeout as wait } from 'node:timers/promises';
import { debuglog } from 'node:util';
import type { PtpClient } from '../ptp/client.js';
import type { DevicePropDesc, ObjectInfo, PtpValue } from '../ptp/codec.js';
import { parsePtpDate } from '../ptp/codec.js';
import { ALL, DataType, Ev, Format, Op, Prop, Resp, codeName, hex16, lookupName } from '../ptp/codes.js';
import { PtpResponseError } from '../ptp/errors.js';
import { FileSink } from '../ptp/file-sink.js';
import type { PtpDataSink } from '../ptp/session.js';
import type { PtpContainer } from '../ptp/transport.js';
import { formatArrayText, integerTextForm, isIntegerArrayType, parseIntegerText } from '../ptp/value-text.js';
import {
  PARROT_VENDOR_ID,
  ParrotEv,
  ParrotOp,
  ParrotProp,
  decodeStatusMask,
  type ParrotSettingProperty,
} from '../ptp/vendors/parrot.js';
import { RICOH_VENDOR_ID, RicohProp } from '../ptp/vendors/ricoh.js';
import { CameraError, CameraSettingError } from './errors.js';
import { mediumNames, splitPath, storeName } from './ptp-paths.js';
import { toCameraError } from './to-camera-error.js';
import { fromRawValue, sequoiaSettingOfProperty, sequoiaSettingOverPtp } from './sequoia-ptp-settings.js';
import { checkSettings } from './settings.js';
import type {
  CallOptions,
  Camera,
  CameraCapabilities,
  CameraEvent,
  CameraInfo,
  CameraStatus,
  CaptureOptions,
  CaptureResult,
  ContinuousCapture,
  DownloadDestination,
  DownloadOptions,
  DownloadResult,
  EventOptions,
  MediumStatus,
  RemoteEntry,
  RemoteFile,
  SetResult,
  Setting,
  SettingValue,
} from './types.js';

const debug = debuglog('camctl:camera');

/** A PTP client with an open session that can be closed: PtpIpClient, PtpUsbClient. */
export type ConnectedPtpClient = PtpClient & { close(): Promise<void> };

/** How a PtpCamera reaches its device; the rest is PTP. */
export interface PtpCameraOptions<C extends ConnectedPtpClient> {
  /** Camera protocol name, as `CameraInfo.protocol` reports it: `ptpip`, `usb`. */
  protocol: string;
  /** The address as the user gave it, normalised (`ptpip://127.0.0.1:15740`, `usb:`). */
  address: string;
  /** The link's name in messages ("PTP/IP connection lost"). */
  link: string;
  /**
   * Opens a session and reads DeviceInfo (the clients' `connect`/`open` do both). Called once by
   * {@link PtpCamera.open} and again after the link drops; a CameraError it throws (no such
   * device…) reaches the caller as it is, other errors are mapped like any PTP error.
   */
  connect(signal?: AbortSignal): Promise<C>;
  /** Transport facts for `info().details` (PTP/IP responder name, USB bus and ids). */
  linkDetails?(client: C): Record<string, unknown>;
}

interface Storage {
  id: number;
  name: string;
}
interface FileRef {
  handle: number;
  info: ObjectInfo;
}

/** Progress is reported at most once per this many bytes (and at the end). */
const PROGRESS_STEP = 256 * 1024;

export class PtpCamera<C extends ConnectedPtpClient = ConnectedPtpClient> implements Camera {
  readonly protocol: string;
  readonly address: string;
  private readonly options: PtpCameraOptions<C>;
  private clientValue: C | undefined;
  private closed = false;
  private storageCache: Storage[] | undefined;
  /** Folder handles by `/<medium>/<folder>`; file handles by full path (refreshed by listings). */
  private readonly folders = new Map<string, { storageId: number; handle: number }>();
  private readonly files = new Map<string, number>();
  /** Paths of handles seen, so ObjectRemoved can name what went. */
  private readonly pathOfHandle = new Map<number, string>();
  /** Last capture state reported by events (Parrot Status repeats it). */
  private lastCapturing: boolean | undefined;

  constructor(options: PtpCameraOptions<C>) {
    this.options = options;
    this.protocol = options.protocol;
    this.address = options.address;
  }

  /** A camera with its session open. */
  static async open<C extends ConnectedPtpClient>(
    options: PtpCameraOptions<C>,
    signal?: AbortSignal,
  ): Promise<PtpCamera<C>> {
    const cam = new PtpCamera(options);
    await cam.connect(signal);
    return cam;
  }

  get capabilities(): CameraCapabilities {
    const ops = this.clientValue?.deviceInfo?.operationsSupported ?? [];
    return {
      capture: ops.includes(Op.InitiateCapture),
      continuousCapture: ops.includes(Op.InitiateOpenCapture),
      delete: ops.includes(Op.DeleteObject),
      events: true,
      resumableDownload: ops.includes(Op.GetPartialObject),
      folderArchive: false,
    };
  }

  /** The PTP client underneath, for PTP-only commands (`camctl ptp …`). */
  get client(): C {
    if (!this.clientValue || this.closed) throw new CameraError('CLOSED', 'camera is closed');
    return this.clientValue;
  }

  private get vendor(): number | undefined {
    return this.clientValue?.deviceInfo?.vendorExtensionId;
  }

  /** Opens the session (done by open(); again after a drop). */
  async connect(signal?: AbortSignal): Promise<void> {
    try {
      this.clientValue = await this.options.connect(signal);
    } catch (err) {
      throw toCameraError(err, { connecting: true });
    }
    this.storageCache = undefined;
    this.folders.clear();
    this.files.clear();
    this.pathOfHandle.clear();
  }

  private async call<T>(fn: (c: C) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (err) {
      throw toCameraError(err);
    }
  }

  async info(options: CallOptions = {}): Promise<CameraInfo> {
    const d = await this.call((c) => c.getDeviceInfo(opts(options)));
    return {
      protocol: this.protocol,
      address: this.address,
      manufacturer: d.manufacturer,
      model: d.model,
      serialNumber: d.serialNumber,
      firmware: d.deviceVersion,
      details: {
        standardVersion: d.standardVersion,
        vendorExtensionId: hex16(d.vendorExtensionId),
        vendorExtensionVersion: d.vendorExtensionVersion,
        vendorExtensionDesc: d.vendorExtensionDesc,
        operations: d.operationsSupported.length,
        properties: d.devicePropertiesSupported.length,
        ...this.options.linkDetails?.(this.client),
      },
    };
  }

  private async storages(options: CallOptions = {}): Promise<Storage[]> {
    if (this.storageCache) return this.storageCache;
    const ids = await this.call((c) => c.getStorageIds(opts(options)));
    const infos = [];
    for (const id of ids)
      infos.push({ id, description: (await this.call((c) => c.getStorageInfo(id, opts(options)))).storageDescription });
    const names = mediumNames(infos);
    this.storageCache = ids.map((id) => ({ id, name: names.get(id) as string }));
    return this.storageCache;
  }

  private async storageByName(name: string, options: CallOptions): Promise<Storage> {
    const s = (await this.storages(options)).find((x) => x.name === name);
    if (s) return s;
    this.storageCache = undefined; // a card may have been inserted since
    const again = (await this.storages(options)).find((x) => x.name === name);
    if (!again)
      throw new CameraError(
        'NOT_FOUND',
        `no medium ${JSON.stringify(name)} (media: ${(await this.storages(options)).map((x) => x.name).join(', ')})`,
      );
    return again;
  }

  private supportsProp(code: number): boolean {
    return this.clientValue?.deviceInfo?.devicePropertiesSupported.includes(code) ?? false;
  }

  async status(options: CallOptions = {}): Promise<CameraStatus> {
    this.storageCache = undefined;
    const storages = await this.storages(options);
    const details: Record<string, unknown> = {};
    let selectedId = storages[0]?.id;
    if (this.vendor === PARROT_VENDOR_ID && this.supportsProp(ParrotProp.SelectedStorage)) {
      selectedId = Number(
        (await this.call((c) => c.getDevicePropDesc(ParrotProp.SelectedStorage, opts(options)))).current,
      );
    }
    const media: MediumStatus[] = [];
    for (const s of storages) {
      const info = await this.call((c) => c.getStorageInfo(s.id, opts(options)));
      media.push({
        id: s.name,
        path: `/${s.name}`,
        present: true,
        totalBytes: Number(info.maxCapacity),
        freeBytes: Number(info.freeSpaceInBytes),
        // AccessCapability 1 = read-only; 2 = read-only with delete (the camera's own captures only).
        readOnly: info.accessCapability === 1,
        selected: s.id === selectedId,
      });
    }
    const out: CameraStatus = { capture: { state: 'idle', text: 'Ready' }, media, details };
    if (this.supportsProp(Prop.BatteryLevel)) {
      const desc = await this.call((c) => c.getDevicePropDesc(Prop.BatteryLevel, opts(options)));
      const max = desc.form.kind === 'range' ? Number(desc.form.max) : 100;
      out.battery = { level: Math.max(0, Math.min(1, Number(desc.current) / (max || 100))) };
    }
    if (
      this.vendor === PARROT_VENDOR_ID &&
      this.client.deviceInfo?.operationsSupported.includes(ParrotOp.GetStatusMask)
    ) {
      const r = await this.call((c) => c.operation(ParrotOp.GetStatusMask, [], opts(options)));
      const flags = decodeStatusMask(r.response.params[0] ?? 0);
      details.status = flags;
      if (flags.SnapshotRequested) out.capture = { state: 'capturing', text: 'Snapshot running' };
    } else if (this.vendor === RICOH_VENDOR_ID && this.supportsProp(RicohProp.CaptureStatus)) {
      const desc = await this.call((c) => c.getDevicePropDesc(RicohProp.CaptureStatus, opts(options)));
      const v = Number(desc.current);
      const text = ['Idle', 'Shooting', 'SelfTimerCountdown', 'BracketShooting'][v] ?? `CaptureStatus ${v}`;
      out.capture = { state: v === 0 ? 'idle' : 'capturing', text };
    }
    return out;
  }

  /** The property's PTP name (`SelectedStorage`), or its code when the vendor's names do not know it. */
  private ptpName(code: number): string {
    return lookupName('property', code, this.vendor) ?? hex16(code);
  }

  /** The Sequoia setting a property carries (a Parrot camera only). */
  private sequoiaSetting(code: number): ParrotSettingProperty | undefined {
    return this.vendor === PARROT_VENDOR_ID ? sequoiaSettingOfProperty(code) : undefined;
  }

  /** The key a property is shown under: the Sequoia's own setting name where it has one, else the PTP name. */
  private settingKey(code: number): string {
    return this.sequoiaSetting(code)?.key ?? this.ptpName(code);
  }

  /** The property of a key: its setting name, or its PTP name as an alias. */
  private codeOfKey(key: string): number | undefined {
    const props = this.client.deviceInfo?.devicePropertiesSupported ?? [];
    return props.find((c) => this.settingKey(c) === key) ?? props.find((c) => this.ptpName(c) === key);
  }

  /** A property's description as a setting (translated for the Sequoia). */
  private describeProperty(code: number, desc: DevicePropDesc): Setting {
    const generic = describe(this.ptpName(code), desc);
    const map = this.sequoiaSetting(code);
    return map ? sequoiaSettingOverPtp(map, generic, desc) : generic;
  }

  async getConfig(keys?: readonly string[], options: CallOptions = {}): Promise<Setting[]> {
    const codes = this.client.deviceInfo?.devicePropertiesSupported ?? [];
    const wanted = keys && keys.length > 0 ? keys : undefined;
    if (wanted) {
      for (const k of wanted) {
        if (this.codeOfKey(k) === undefined) {
          throw new CameraError(
            'UNKNOWN_SETTING',
            `unknown setting ${JSON.stringify(k)} (known: ${codes.map((c) => this.settingKey(c)).join(', ')})`,
          );
        }
      }
    }
    const out: Setting[] = [];
    for (const code of wanted ? wanted.map((k) => this.codeOfKey(k) as number) : codes) {
      try {
        out.push(this.describeProperty(code, await this.client.getDevicePropDesc(code, opts(options))));
      } catch (err) {
        // The camera refusing one property's description must not hide the others: that row says
        // why it could not be read. A broken link, a timeout or an abort still ends the listing.
        if (!(err instanceof PtpResponseError)) throw toCameraError(err);
        const row = unreadable(this.settingKey(code), code, toCameraError(err) as CameraError);
        if (this.sequoiaSetting(code)) row.raw = { name: this.ptpName(code), code: hex16(code), value: null };
        out.push(row);
      }
    }
    return out;
  }

  async setConfig(values: Partial<Record<string, SettingValue>>, options: CallOptions = {}): Promise<SetResult[]> {
    // Keys given by their PTP name (aliases) become the setting's key, their raw values its words.
    const settings: Record<string, SettingValue> = {};
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const code = this.codeOfKey(key);
      const canonical = code === undefined ? key : this.settingKey(code);
      const map = code === undefined ? undefined : this.sequoiaSetting(code);
      settings[canonical] = map && canonical !== key ? fromRawValue(map, value) : value;
    }
    const keys = Object.keys(settings);
    const descriptions = await this.getConfig(keys, options);
    checkSettings(descriptions, settings);
    // Every value in the camera's terms first, so text that is no value refuses the whole request
    // before anything is sent.
    const writes: Array<{ key: string; code: number; dataType: number; ptpValue: PtpValue }> = [];
    for (const key of keys) {
      const code = this.codeOfKey(key) as number;
      const desc = await this.call((c) => c.getDevicePropDesc(code, opts(options)));
      const value = settings[key] as SettingValue;
      const map = this.sequoiaSetting(code);
      const ptpValue = map
        ? typeof value === 'boolean'
          ? undefined
          : map.encode(value)
        : toPtpValue(key, desc.dataType, value);
      if (ptpValue === undefined)
        throw new CameraError('BAD_VALUE', `${key}: ${String(value)} is not a value this camera takes`, {
          deviceCode: key,
        });
      writes.push({ key, code, dataType: desc.dataType, ptpValue });
    }
    const results: SetResult[] = [];
    for (const { key, code, dataType, ptpValue } of writes) {
      try {
        await this.client.setDevicePropValue(code, dataType, ptpValue, opts(options));
        results.push({ key, ok: true, message: 'OK' });
      } catch (err) {
        if (!(err instanceof PtpResponseError)) throw toCameraError(err);
        results.push({ key, ok: false, message: codeName('response', err.responseCode) });
      }
    }
    if (results.some((r) => !r.ok)) throw new CameraSettingError(results);
    return results;
  }

  async capture(options: CaptureOptions = {}): Promise<CaptureResult> {
    if (!this.capabilities.capture)
      throw new CameraError('UNSUPPORTED', 'this camera does not take pictures over PTP (no InitiateCapture)');
    const timeoutMs = options.timeoutMs ?? 60_000;
    const session = this.client.session;
    const queue: PtpContainer[] = [];
    let wake: (() => void) | undefined;
    const onEvent = (e: PtpContainer): void => {
      queue.push(e);
      wake?.();
    };
    const onClosed = (): void => wake?.();
    // Listen before asking: the first ObjectAdded may arrive before InitiateCapture's response.
    session.on('event', onEvent);
    session.on('closed', onClosed);
    const deadline = Date.now() + timeoutMs;
    const files: RemoteFile[] = [];
    let folder: string | undefined;
    try {
      const r = await this.client.session
        .transaction(Op.InitiateCapture, [0, 0], opts(options))
        .catch((err: unknown) => {
          throw captureRefusal(err);
        });
      const tid = r.response.transactionId;
      for (;;) {
        const ev = queue.shift();
        if (!ev) {
          if (!session.isOpen) throw new CameraError('CONNECTION_LOST', 'connection lost during the capture');
          await waitFor((w) => (wake = w), deadline - Date.now(), options.signal, timeoutMs);
          continue;
        }
        if (ev.code === Ev.ObjectAdded && ev.params[0] !== undefined) {
          const entry = await this.entryOfHandle(ev.params[0], options);
          if (entry?.kind === 'file') {
            files.push(entry as RemoteFile);
            folder ??= entry.path.slice(0, entry.path.lastIndexOf('/'));
            if (entry.size !== undefined && entry.size > 0) options.onFile?.(entry as RemoteFile);
          }
        } else if (
          ev.code === Ev.CaptureComplete &&
          (ev.params[0] === undefined || ev.params[0] === tid || ev.params[0] === ALL)
        ) {
          return folder === undefined ? { files } : { folder, files };
        }
      }
    } finally {
      session.off('event', onEvent);
      session.off('closed', onClosed);
    }
  }

  async startCapture(options: CallOptions = {}): Promise<ContinuousCapture> {
    if (!this.capabilities.continuousCapture)
      throw new CameraError('UNSUPPORTED', 'this camera has no open capture over PTP (InitiateOpenCapture)');
    await this.call((c) => c.initiateOpenCapture(0, 0, opts(options)));
    return { text: 'Open capture running' };
  }

  async stopCapture(options: CallOptions = {}): Promise<ContinuousCapture> {
    await this.call((c) => c.terminateOpenCapture(0, opts(options)));
    return { text: 'Open capture terminated' };
  }

  /** The folder associations of a storage that hold files (leaves of the association tree). */
  private async listFolders(storage: Storage, options: CallOptions): Promise<RemoteEntry[]> {
    const handles = await this.call((c) => c.getObjectHandles(storage.id, Format.Association, 0, opts(options)));
    const infos: FileRef[] = [];
    for (const h of handles) {
      const info = await this.call((c) => c.getObjectInfo(h, opts(options)));
      if (info.objectFormat === Format.Association) infos.push({ handle: h, info });
    }
    const parents = new Set(infos.map((f) => f.info.parentObject));
    const out: RemoteEntry[] = [];
    for (const f of infos) {
      if (parents.has(f.handle)) continue; // DCIM holding 100RICOH: only the leaf is a folder
      const path = `/${storage.name}/${f.info.filename}`;
      this.folders.set(path, { storageId: storage.id, handle: f.handle });
      this.pathOfHandle.set(f.handle, path);
      const count = await this.call((c) => c.getNumObjects(storage.id, 0, f.handle, opts(options)));
      const e: RemoteEntry = { kind: 'folder', path, name: f.info.filename, count };
      const t = parsePtpDate(f.info.captureDate);
      if (t !== undefined) e.time = t;
      out.push(e);
    }
    return out;
  }

  private async folderRef(
    medium: string,
    folder: string,
    options: CallOptions,
  ): Promise<{ storageId: number; handle: number }> {
    const key = `/${medium}/${folder}`;
    const known = this.folders.get(key);
    if (known) return known;
    await this.listFolders(await this.storageByName(medium, options), options);
    const found = this.folders.get(key);
    if (!found) throw new CameraError('NOT_FOUND', `no such folder ${key}`);
    return found;
  }

  private async listFiles(medium: string, folder: string, options: CallOptions): Promise<RemoteFile[]> {
    const ref = await this.folderRef(medium, folder, options);
    let handles: number[];
    try {
      handles = await this.client.getObjectHandles(ref.storageId, 0, ref.handle, opts(options));
    } catch (err) {
      if (err instanceof PtpResponseError && err.responseCode === Resp.InvalidParentObject) {
        // The folder's handle went stale (deleted and re-created): look it up once more.
        this.folders.delete(`/${medium}/${folder}`);
        return this.listFiles(medium, folder, options);
      }
      throw toCameraError(err);
    }
    const out: RemoteFile[] = [];
    for (const h of handles) {
      const info = await this.call((c) => c.getObjectInfo(h, opts(options)));
      if (info.objectFormat === Format.Association) continue;
      const f = fileEntry(`/${medium}/${folder}`, info);
      this.files.set(f.path, h);
      this.pathOfHandle.set(h, f.path);
      out.push(f);
    }
    return out;
  }

  async list(path = '/', options: CallOptions = {}): Promise<RemoteEntry[]> {
    const parts = splitPath(path);
    if (!parts) throw new CameraError('BAD_PATH', `invalid path ${path}: paths are /<medium>/<folder>/<file>`);
    const [medium, folder, file] = parts;
    if (medium === undefined) {
      this.storageCache = undefined;
      return (await this.storages(options)).map((s) => ({ kind: 'medium' as const, path: `/${s.name}`, name: s.name }));
    }
    if (folder === undefined) return this.listFolders(await this.storageByName(medium, options), options);
    const files = await this.listFiles(medium, folder, options);
    if (file === undefined) return files;
    const hit = files.filter((f) => f.name === file);
    if (hit.length === 0) throw new CameraError('NOT_FOUND', `no such file ${path}`);
    return hit;
  }

  /** Handle and fresh ObjectInfo of a file path (checked: handles of deleted files are not reused blindly). */
  private async fileRef(path: string, options: CallOptions): Promise<FileRef> {
    const parts = splitPath(path);
    if (!parts || parts.length !== 3)
      throw new CameraError('BAD_PATH', `not a file path: ${path} (expected /<medium>/<folder>/<file>)`);
    const known = this.files.get(path);
    if (known !== undefined) {
      try {
        const info = await this.client.getObjectInfo(known, opts(options));
        if (info.filename === parts[2]) return { handle: known, info };
      } catch (err) {
        if (!(err instanceof PtpResponseError && err.responseCode === Resp.InvalidObjectHandle))
          throw toCameraError(err);
      }
      this.files.delete(path);
    }
    await this.list(path, options);
    const handle = this.files.get(path);
    if (handle === undefined) throw new CameraError('NOT_FOUND', `no such file ${path}`);
    return { handle, info: await this.call((c) => c.getObjectInfo(handle, opts(options))) };
  }

  async download(
    path: string,
    destination: DownloadDestination,
    options: DownloadOptions = {},
  ): Promise<DownloadResult> {
    const { handle, info } = await this.fileRef(path, options);
    const total = info.compressedSize;
    if (options.expectedSize !== undefined && options.expectedSize !== total) {
      throw new CameraError(
        'SIZE_MISMATCH',
        `${path} is ${total} bytes on the camera, expected ${options.expectedSize}`,
      );
    }
    let offset = 0;
    if (typeof destination === 'string' && options.resume && this.capabilities.resumableDownload) {
      offset = await stat(destination).then(
        (s) => (s.isFile() ? s.size : 0),
        () => 0,
      );
      if (offset > total) offset = 0; // not a prefix of this file: start over
    }
    let done = offset;
    let reported = offset;
    const progress = (force: boolean): void => {
      if (!options.onProgress || (!force && done - reported < PROGRESS_STEP)) return;
      reported = done;
      options.onProgress({ path, bytes: done, total, resumedFrom: offset });
    };
    // Files get batched writev writes (file-sink.ts); a stream gets each chunk with backpressure.
    const fh = typeof destination === 'string' ? await open(destination, offset > 0 ? 'r+' : 'w') : undefined;
    const fileSink = fh
      ? new FileSink(fh, offset, {
          onProgress: (n) => {
            done = n;
            progress(false);
          },
        })
      : undefined;
    const out = typeof destination === 'string' ? undefined : destination;
    const sink: PtpDataSink = fileSink ?? {
      write: (chunk) => {
        done += chunk.length;
        progress(false);
        if (!out?.write(chunk)) return once(out as NodeJS.EventEmitter, 'drain').then(() => undefined);
      },
    };
    let failed: unknown;
    try {
      if (offset < total) {
        const common = { dataIn: sink, ...opts(options) };
        const session = this.client.session;
        if (offset > 0) await session.transaction(Op.GetPartialObject, [handle, offset, total - offset], common);
        else await session.transaction(Op.GetObject, [handle], common);
      }
      await fileSink?.finish();
    } catch (err) {
      failed = toCameraError(err);
    } finally {
      await fileSink?.settle();
      await fh?.close();
    }
    if (failed) throw failed;
    progress(true);
    if (done !== total) throw new CameraError('SIZE_MISMATCH', `${path}: received ${done} bytes of ${total}`);
    const result: DownloadResult = { path, size: done, transferred: done - offset, resumedFrom: offset };
    if (typeof destination === 'string') result.file = destination;
    return result;
  }

  async thumbnail(path: string, options: CallOptions = {}): Promise<Uint8Array> {
    const { handle } = await this.fileRef(path, options);
    return this.call((c) => c.getThumb(handle, opts(options)));
  }

  async delete(path: string, options: CallOptions = {}): Promise<string[]> {
    if (!this.capabilities.delete)
      throw new CameraError('UNSUPPORTED', 'this camera does not delete over PTP (no DeleteObject)');
    const parts = splitPath(path);
    if (!parts || parts.length < 2)
      throw new CameraError('BAD_PATH', `delete needs /<medium>/<folder>[/<file>], got ${path}`);
    if (parts.length === 3) {
      const { handle } = await this.fileRef(path, options);
      await this.call((c) => c.deleteObject(handle, opts(options)));
      this.files.delete(path);
      return [path];
    }
    const files = await this.listFiles(parts[0] as string, parts[1] as string, options);
    const ref = await this.folderRef(parts[0] as string, parts[1] as string, options);
    try {
      await this.client.deleteObject(ref.handle, opts(options));
    } catch (err) {
      // Cameras that cannot delete an association: delete its files one by one.
      if (!(err instanceof PtpResponseError) || err.responseCode === Resp.DeviceBusy) throw toCameraError(err);
      for (const f of files) await this.call((c) => c.deleteObject(this.files.get(f.path) as number, opts(options)));
      return files.map((f) => f.path);
    }
    this.folders.delete(path);
    for (const f of files) this.files.delete(f.path);
    return [...files.map((f) => f.path), path];
  }

  /** The entry a handle stands for (file or folder), from a fresh ObjectInfo. */
  private async entryOfHandle(handle: number, options: CallOptions): Promise<RemoteEntry | undefined> {
    let info: ObjectInfo;
    try {
      info = await this.client.getObjectInfo(handle, opts(options));
    } catch (err) {
      if (err instanceof PtpResponseError && err.responseCode === Resp.InvalidObjectHandle) return undefined; // gone already
      throw toCameraError(err);
    }
    const storage =
      (await this.storages(options)).find((s) => s.id === info.storageId) ??
      ((this.storageCache = undefined), (await this.storages(options)).find((s) => s.id === info.storageId));
    if (!storage) return undefined;
    if (info.objectFormat === Format.Association) {
      const path = `/${storage.name}/${info.filename}`;
      this.folders.set(path, { storageId: storage.id, handle });
      this.pathOfHandle.set(handle, path);
      return { kind: 'folder', path, name: info.filename };
    }
    let folderPath = this.pathOfHandle.get(info.parentObject);
    if (folderPath === undefined && info.parentObject !== 0) {
      const parent = await this.call((c) => c.getObjectInfo(info.parentObject, opts(options)));
      folderPath = `/${storage.name}/${parent.filename}`;
      this.folders.set(folderPath, { storageId: storage.id, handle: info.parentObject });
      this.pathOfHandle.set(info.parentObject, folderPath);
    }
    if (folderPath === undefined) return undefined; // a file at the storage root has no camera path
    const f = fileEntry(folderPath, info);
    this.files.set(f.path, handle);
    this.pathOfHandle.set(handle, f.path);
    return f;
  }

  async *events(options: EventOptions = {}): AsyncIterable<CameraEvent> {
    const { signal } = options;
    const reconnect = options.reconnect ?? true;
    for (;;) {
      yield* this.eventRound(options);
      if (signal?.aborted || this.closed) return;
      if (!reconnect) throw new CameraError('CONNECTION_LOST', `${this.options.link} connection lost`);
      yield { type: 'connection', state: 'lost' };
      for (let attempt = 1; ; attempt++) {
        // An abort ends the wait early; the check below then returns.
        await wait(Math.min(5000, 250 * 2 ** (attempt - 1)), undefined, signal ? { signal } : {}).catch(
          () => undefined,
        );
        if (signal?.aborted || this.closed) return;
        try {
          await this.connect(signal);
          yield { type: 'connection', state: 'restored', attempt };
          break;
        } catch (err) {
          debug('reconnect attempt %d failed: %s', attempt, (err as Error).message);
          if (signal?.aborted) return;
          if (attempt >= 30) throw err;
        }
      }
    }
  }

  /** Events of the current connection, until it closes or the signal aborts. */
  private async *eventRound(options: EventOptions): AsyncGenerator<CameraEvent> {
    const { signal } = options;
    const session = this.client.session;
    const queue: PtpContainer[] = [];
    let ended = false;
    let wake: (() => void) | undefined;
    const onEvent = (e: PtpContainer): void => {
      queue.push(e);
      wake?.();
    };
    const onEnd = (): void => {
      ended = true;
      wake?.();
    };
    // Subscribe before walking the folders so nothing that happens meanwhile is missed.
    session.on('event', onEvent);
    session.on('closed', onEnd);
    signal?.addEventListener('abort', onEnd, { once: true });
    try {
      await this.learnHandles(options);
      for (;;) {
        const ev = queue.shift();
        if (ev) {
          try {
            yield* this.mapEvent(ev, options);
          } catch (err) {
            // Naming a path or a value needs a transaction: a drop in the middle ends this round,
            // and so does the caller's own abort (Ctrl-C in `watch`), which is no error.
            const code = (err as { code?: string }).code;
            if (code === 'CONNECTION_LOST' || code === 'CLOSED' || signal?.aborted) return;
            throw err;
          }
          continue;
        }
        if (ended || signal?.aborted || !session.isOpen) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      session.off('event', onEvent);
      session.off('closed', onEnd);
      signal?.removeEventListener('abort', onEnd);
    }
  }

  /**
   * Walks every folder once so an ObjectRemoved (whose ObjectInfo is gone with the object) can
   * still be named. Best effort: a camera busy or a card being removed only leaves names unknown.
   */
  private async learnHandles(options: CallOptions): Promise<void> {
    try {
      this.storageCache = undefined;
      for (const m of await this.storages(options)) {
        for (const f of await this.listFolders(m, options)) await this.listFiles(m.name, f.name, options);
      }
    } catch (err) {
      debug('could not list the camera before watching: %s', (err as Error).message);
    }
  }

  private async *mapEvent(ev: PtpContainer, options: CallOptions): AsyncGenerator<CameraEvent> {
    const name = codeName('event', ev.code, this.vendor);
    const raw = { code: hex16(ev.code), name, params: ev.params };
    const p0 = ev.params[0];
    switch (ev.code) {
      case Ev.ObjectAdded: {
        const entry = p0 === undefined ? undefined : await this.entryOfHandle(p0, options);
        if (entry?.kind === 'file')
          yield {
            type: 'file-added',
            path: entry.path,
            ...(entry.size !== undefined ? { size: entry.size } : {}),
            raw,
          };
        else yield { type: 'other', raw };
        return;
      }
      case Ev.ObjectRemoved: {
        const path = p0 === undefined ? undefined : this.pathOfHandle.get(p0);
        if (path !== undefined && p0 !== undefined) {
          this.pathOfHandle.delete(p0);
          this.files.delete(path);
          this.folders.delete(path);
          yield { type: 'file-removed', path, raw };
        } else yield { type: 'other', raw };
        return;
      }
      case Ev.CaptureComplete:
        this.lastCapturing = false;
        yield { type: 'capture', state: 'idle', raw };
        return;
      case Ev.DevicePropChanged: {
        if (p0 === undefined) return yield { type: 'other', raw };
        let desc: DevicePropDesc;
        try {
          desc = await this.client.getDevicePropDesc(p0, opts(options));
        } catch (err) {
          if (err instanceof PtpResponseError) return yield { type: 'other', raw };
          throw toCameraError(err);
        }
        const value = this.describeProperty(p0, desc).value;
        if (value === null) yield { type: 'other', raw };
        else yield { type: 'setting', key: this.settingKey(p0), value, raw };
        return;
      }
      case Ev.StoreAdded:
      case Ev.StoreRemoved:
      case Ev.StorageInfoChanged: {
        // A removed store is no longer listed: name it from what was known before.
        let known = this.storageCache?.find((s) => s.id === p0)?.name;
        this.storageCache = undefined;
        if (known === undefined && ev.code !== Ev.StoreRemoved)
          known = (await this.storages(options)).find((s) => s.id === p0)?.name;
        const state = ev.code === Ev.StoreAdded ? 'added' : ev.code === Ev.StoreRemoved ? 'removed' : 'changed';
        yield { type: 'storage', medium: known ?? (p0 === undefined ? 'unknown' : storeName(p0)), state, raw };
        return;
      }
      case ParrotEv.Status: {
        if (this.vendor !== PARROT_VENDOR_ID || p0 === undefined) return yield { type: 'other', raw };
        // The Sequoia repeats its status mask every second while capturing: report changes only.
        const capturing = decodeStatusMask(p0).SnapshotRequested;
        if (capturing !== this.lastCapturing) {
          this.lastCapturing = capturing;
          yield { type: 'capture', state: capturing ? 'capturing' : 'idle', raw };
        }
        return;
      }
      default:
        yield { type: 'other', raw };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.clientValue?.close().catch(() => undefined);
  }
}

/** What a person is told when the camera refuses InitiateCapture for its storage (the response code stays for --json). */
const STORAGE_REFUSALS: Readonly<Record<number, string>> = {
  [Resp.StoreReadOnly]: "the camera's storage is read-only; select another medium, or unlock the card",
  [Resp.StoreNotAvailable]:
    "the camera's storage is not available (missing, corrupted or failed); check the card, or select another medium",
  [Resp.StoreFull]: "the camera's storage is full; delete pictures (camctl rm) or select another medium",
};

function captureRefusal(err: unknown): Error {
  const e = toCameraError(err);
  const why = err instanceof PtpResponseError ? STORAGE_REFUSALS[err.responseCode] : undefined;
  if (!(e instanceof CameraError) || why === undefined) return e;
  return new CameraError(e.code, `capture not started: ${why}`, {
    cause: err,
    ...(e.deviceCode !== undefined ? { deviceCode: e.deviceCode } : {}),
    ...(e.deviceMessage !== undefined ? { deviceMessage: e.deviceMessage } : {}),
  });
}

function opts(o: CallOptions): { signal?: AbortSignal } {
  return o.signal ? { signal: o.signal } : {};
}

function fileEntry(folderPath: string, info: ObjectInfo): RemoteFile {
  const f: RemoteFile = {
    kind: 'file',
    path: `${folderPath}/${info.filename}`,
    name: info.filename,
    size: info.compressedSize,
  };
  const t = parsePtpDate(info.captureDate) ?? parsePtpDate(info.modificationDate);
  if (t !== undefined) f.time = t;
  return f;
}

/**
 * A property value as a setting value: integers as numbers (beyond 2^53 as decimal text), integer
 * arrays as the one-line text `config set` takes back (value-text.ts).
 */
function settingValue(v: PtpValue, dataType: number): SettingValue | null {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint')
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  return formatArrayText(v, dataType);
}

const INTEGER_TYPES = new Set<number>([
  DataType.INT8,
  DataType.UINT8,
  DataType.INT16,
  DataType.UINT16,
  DataType.INT32,
  DataType.UINT32,
  DataType.INT64,
  DataType.UINT64,
]);

/**
 * A DevicePropDesc as a generic setting: enumerations → enum, ranges → integer with range, integer
 * arrays → text in the form value-text.ts reads (a comma-separated list), settable when the camera
 * says so — as gphoto2 offers a text widget for a property it has no widget of its own for.
 */
export function describe(key: string, d: DevicePropDesc): Setting {
  const isInt = INTEGER_TYPES.has(d.dataType);
  const isArray = isIntegerArrayType(d.dataType);
  const writable = d.getSet === 1 && (isInt || isArray || d.dataType === DataType.STR);
  const s: Setting = {
    key,
    label: key.replace(/([a-z])([A-Z])/g, '$1 $2'),
    type: d.dataType === DataType.STR ? 'string' : 'integer',
    value: settingValue(d.current, d.dataType),
    writable,
    description: `PTP property ${hex16(d.code)} (${codeName('datatype', d.dataType)})${isArray ? `: ${integerTextForm(d.dataType)}` : ''}`,
  };
  if (d.form.kind === 'enum') {
    s.type = 'enum';
    s.allowed = d.form.values.map((v) => settingValue(v, d.dataType)).filter((v): v is SettingValue => v !== null);
  } else if (d.form.kind === 'range' && isInt) {
    s.range = { min: Number(d.form.min), max: Number(d.form.max), step: Number(d.form.step) };
  } else if (!isInt && d.dataType !== DataType.STR) {
    s.type = 'string';
  }
  return s;
}

/** The row of a property whose description the camera would not give. */
function unreadable(key: string, code: number, err: CameraError): Setting {
  const error: NonNullable<Setting['error']> = { code: err.code, message: err.message };
  if (err.deviceMessage) error.deviceMessage = err.deviceMessage;
  return {
    key,
    label: key.replace(/([a-z])([A-Z])/g, '$1 $2'),
    type: 'string',
    value: null,
    writable: false,
    description: `PTP property ${hex16(code)}`,
    error,
  };
}

function toPtpValue(key: string, dataType: number, v: SettingValue): PtpValue {
  if (dataType === DataType.STR) return String(v);
  if (isIntegerArrayType(dataType)) {
    const parsed = parseIntegerText(String(v), dataType);
    if (!parsed.ok)
      throw new CameraError('BAD_VALUE', `${key} must be ${integerTextForm(dataType)}: ${parsed.problem}`, {
        deviceCode: key,
      });
    return parsed.value;
  }
  const n = typeof v === 'number' ? v : Number(v);
  return dataType === DataType.INT64 || dataType === DataType.UINT64 ? BigInt(n) : n;
}

function waitFor(
  arm: (wake: () => void) => void,
  remainingMs: number,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CameraError('ABORTED', 'aborted', { cause: signal.reason }));
    if (remainingMs <= 0) return reject(new CameraError('TIMEOUT', `capture did not complete within ${timeoutMs} ms`));
    const done = (err?: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      arm(() => undefined);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => done(new CameraError('ABORTED', 'aborted', { cause: signal?.reason }));
    const timer = setTimeout(
      () => done(new CameraError('TIMEOUT', `capture did not complete within ${timeoutMs} ms`)),
      remainingMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    arm(() => done());
  });
}

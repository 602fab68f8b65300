/**
 * Typed PTP operations over a {@link PtpSession}, whatever carries it (PTP/IP, in-memory pair).
 * Vendor names resolve once DeviceInfo has been read (`connect()` does it).
 *
 * @example
 * const client = new PtpClient(session);
 * const info = await client.getDeviceInfo();
 * for (const id of await client.getStorageIds()) console.log(await client.getStorageInfo(id));
 */
import { open } from 'node:fs/promises';
import { ALL, Op, Resp } from './codes.js';
import {
  decodeDeviceInfo,
  decodeDevicePropDesc,
  decodeObjectInfo,
  decodeStorageInfo,
  decodeU32Array,
  decodeValue,
  encodeValue,
  type DeviceInfo,
  type DevicePropDesc,
  type ObjectInfo,
  type PtpValue,
  type StorageInfo,
} from './codec.js';
import { PtpProtocolError, PtpResponseError } from './errors.js';
import { FileSink } from './file-sink.js';
import { PtpSession, type PtpSessionOptions, type TransactionResult } from './session.js';
import type { PtpContainer, PtpTransport } from './transport.js';

/** What every PtpClient operation takes. */
export interface CallOpts {
  signal?: AbortSignal;
}

/** Options of {@link PtpClient.downloadObject}. */
export interface DownloadOptions extends CallOpts {
  /** Continue a partial file: request only the missing bytes with GetPartialObject. */
  resume?: boolean;
  /** Called with bytes written so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Typed PTP operations (ISO 15740 §10.5) over an open {@link PtpSession}; {@link PtpIpClient} and
 * {@link PtpUsbClient} connect one. Operations reject with {@link PtpResponseError} when the device
 * answers other than OK.
 */
export class PtpClient {
  deviceInfo: DeviceInfo | undefined;

  constructor(readonly session: PtpSession) {}

  private async data(code: number, params: number[], opts: CallOpts = {}): Promise<Uint8Array> {
    const r = await this.session.transaction(code, params, {
      dataIn: 'buffer',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!r.data) throw new PtpProtocolError(`operation 0x${code.toString(16)} returned no data`);
    return r.data;
  }

  /** GetDeviceInfo; also kept in {@link PtpClient.deviceInfo} and used to name vendor codes. */
  async getDeviceInfo(opts: CallOpts = {}): Promise<DeviceInfo> {
    const info = decodeDeviceInfo(await this.data(Op.GetDeviceInfo, [], opts));
    this.deviceInfo = info;
    this.session.vendorExtensionId = info.vendorExtensionId;
    return info;
  }
  /** GetStorageIDs: the ids of the device's storages (media). */
  async getStorageIds(opts: CallOpts = {}): Promise<number[]> {
    return decodeU32Array(await this.data(Op.GetStorageIDs, [], opts));
  }
  /** GetStorageInfo of one storage: type, capacity, free space, description. */
  async getStorageInfo(storageId: number, opts: CallOpts = {}): Promise<StorageInfo> {
    return decodeStorageInfo(await this.data(Op.GetStorageInfo, [storageId], opts));
  }
  /** GetNumObjects: how many objects GetObjectHandles with the same arguments would list. */
  async getNumObjects(storageId = ALL, format = 0, parent = 0, opts: CallOpts = {}): Promise<number> {
    const r = await this.session.transaction(
      Op.GetNumObjects,
      [storageId, format, parent],
      opts.signal ? { signal: opts.signal } : {},
    );
    return r.response.params[0] ?? 0;
  }
  /** Handles (parent 0xFFFFFFFF = root only, 0 = all objects). */
  async getObjectHandles(storageId = ALL, format = 0, parent = 0, opts: CallOpts = {}): Promise<number[]> {
    return decodeU32Array(await this.data(Op.GetObjectHandles, [storageId, format, parent], opts));
  }
  /** GetObjectInfo of a file or folder. */
  async getObjectInfo(handle: number, opts: CallOpts = {}): Promise<ObjectInfo> {
    return decodeObjectInfo(await this.data(Op.GetObjectInfo, [handle], opts));
  }
  /** A whole object in memory (small objects; use downloadObject for files). */
  async getObject(handle: number, opts: CallOpts = {}): Promise<Uint8Array> {
    return this.data(Op.GetObject, [handle], opts);
  }
  /** GetThumb: the object's thumbnail (a small JPEG). */
  async getThumb(handle: number, opts: CallOpts = {}): Promise<Uint8Array> {
    return this.data(Op.GetThumb, [handle], opts);
  }
  /** GetPartialObject: `maxBytes` bytes from `offset` (0xFFFFFFFF = to the end). */
  async getPartialObject(handle: number, offset: number, maxBytes: number, opts: CallOpts = {}): Promise<Uint8Array> {
    const r = await this.session.transaction(Op.GetPartialObject, [handle, offset, maxBytes], {
      dataIn: 'buffer',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return r.data ?? new Uint8Array(0);
  }
  /** DeleteObject: a file, or a folder with what it holds. */
  async deleteObject(handle: number, opts: CallOpts = {}): Promise<void> {
    await this.session.transaction(Op.DeleteObject, [handle, 0], opts.signal ? { signal: opts.signal } : {});
  }
  /** GetDevicePropDesc: a property's type, access, current value and allowed values. */
  async getDevicePropDesc(code: number, opts: CallOpts = {}): Promise<DevicePropDesc> {
    return decodeDevicePropDesc(await this.data(Op.GetDevicePropDesc, [code], opts));
  }
  /** GetDevicePropValue, decoded as `dataType` (see the codes' DataType and the vendor *_PROP_TYPES tables). */
  async getDevicePropValue(code: number, dataType: number, opts: CallOpts = {}): Promise<PtpValue> {
    return decodeValue(dataType, await this.data(Op.GetDevicePropValue, [code], opts));
  }
  /** SetDevicePropValue, encoded as `dataType`; an invalid value is a {@link PtpResponseError} (InvalidDevicePropValue). */
  async setDevicePropValue(code: number, dataType: number, value: PtpValue, opts: CallOpts = {}): Promise<void> {
    await this.session.transaction(Op.SetDevicePropValue, [code], {
      dataOut: encodeValue(dataType, value),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
  /** InitiateCapture: one shot; the device announces the new objects with ObjectAdded events and CaptureComplete. */
  async initiateCapture(storageId = 0, format = 0, opts: CallOpts = {}): Promise<void> {
    await this.session.transaction(Op.InitiateCapture, [storageId, format], opts.signal ? { signal: opts.signal } : {});
  }
  /** InitiateOpenCapture: starts a continuous capture (timelapse, interval, video) until TerminateOpenCapture. */
  async initiateOpenCapture(storageId = 0, format = 0, opts: CallOpts = {}): Promise<void> {
    await this.session.transaction(
      Op.InitiateOpenCapture,
      [storageId, format],
      opts.signal ? { signal: opts.signal } : {},
    );
  }
  /** TerminateOpenCapture: stops what InitiateOpenCapture started. */
  async terminateOpenCapture(transactionId = ALL, opts: CallOpts = {}): Promise<void> {
    await this.session.transaction(
      Op.TerminateOpenCapture,
      [transactionId],
      opts.signal ? { signal: opts.signal } : {},
    );
  }
  /** Any operation, e.g. a vendor one; data (if any) is collected in memory. */
  operation(
    code: number,
    params: number[] = [],
    opts: CallOpts & { dataOut?: Uint8Array } = {},
  ): Promise<TransactionResult> {
    return this.session.transaction(code, params, {
      dataIn: 'buffer',
      ...(opts.dataOut ? { dataOut: opts.dataOut } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** The device's events (ObjectAdded, CaptureComplete, vendor events…) as they arrive, until `signal` aborts or the session closes. */
  events(signal?: AbortSignal): AsyncGenerator<PtpContainer> {
    return this.session.events(signal);
  }

  /**
   * Streams an object to a file with backpressure (the socket pauses while the disk catches up).
   * With `resume`, an existing partial file is continued with GetPartialObject from its size.
   */
  async downloadObject(handle: number, file: string, opts: DownloadOptions = {}): Promise<number> {
    const info = await this.getObjectInfo(handle, opts);
    let offset = 0;
    if (opts.resume) {
      const { stat } = await import('node:fs/promises');
      offset = await stat(file).then(
        (s) => s.size,
        () => 0,
      );
      if (offset > info.compressedSize) offset = 0;
    }
    const fh = await open(file, offset > 0 ? 'r+' : 'w');
    const total = info.compressedSize;
    const sink = new FileSink(
      fh,
      offset,
      opts.onProgress ? { onProgress: (done) => opts.onProgress?.(done, total) } : {},
    );
    try {
      const common = { dataIn: sink, ...(opts.signal ? { signal: opts.signal } : {}) };
      if (offset > 0) await this.session.transaction(Op.GetPartialObject, [handle, offset, ALL], common);
      else await this.session.transaction(Op.GetObject, [handle], common);
      await sink.finish();
    } finally {
      await sink.settle();
      await fh.close();
    }
    const done = sink.received;
    return done;
  }
}

/** What opening a client over a connected transport takes (PTP/IP and USB clients extend it). */
export interface PtpClientStartOptions extends PtpSessionOptions {
  /** Session id for OpenSession. Default 1. */
  sessionId?: number;
  signal?: AbortSignal;
}

/**
 * Puts a session on a connected transport, opens it and reads DeviceInfo (so vendor names resolve);
 * on failure the transport is closed. The PTP/IP and USB clients are this over their transports.
 */
export async function startPtpClient<C extends PtpClient>(
  transport: PtpTransport,
  opts: PtpClientStartOptions,
  make: (session: PtpSession) => C,
): Promise<C> {
  const sessionOpts: PtpSessionOptions = {};
  if (opts.commandTimeoutMs !== undefined) sessionOpts.commandTimeoutMs = opts.commandTimeoutMs;
  if (opts.dataTimeoutMs !== undefined) sessionOpts.dataTimeoutMs = opts.dataTimeoutMs;
  if (opts.maxInMemoryData !== undefined) sessionOpts.maxInMemoryData = opts.maxInMemoryData;
  const client = make(new PtpSession(transport, sessionOpts));
  const signal = opts.signal ? { signal: opts.signal } : {};
  try {
    try {
      await client.session.open(opts.sessionId ?? 1, opts.signal);
    } catch (e) {
      if (!(e instanceof PtpResponseError && e.responseCode === Resp.SessionAlreadyOpen)) throw e;
      // A session left open by a program that ended without CloseSession: a camera on USB keeps it
      // until it is reset. Close it and open ours, as libgphoto2 does (camlibs/ptp2 camera_init).
      await client.session.transaction(Op.CloseSession, [], signal);
      await client.session.open(opts.sessionId ?? 1, opts.signal);
    }
    await client.getDeviceInfo(signal);
  } catch (e) {
    await transport.close().catch(() => undefined);
    throw e;
  }
  return client;
}

/**
 * What a PTP responder needs from a device (docs/architecture.md rule 1: protocol code knows nothing of
 * emulation). An emulator implements this over its device model; {@link PtpResponderCore}
 * turns it into PTP operations, and a transport (PTP/IP, in-memory) carries them.
 *
 * Errors: throw {@link PtpDeviceError} with a response code (InvalidObjectHandle,
 * InvalidDevicePropValue, DeviceBusy…); anything else is answered with GeneralError.
 */
import type { DeviceInfo, DevicePropDesc, ObjectInfo, PtpValue, StorageInfo } from './codec.js';
import { codeName } from './codes.js';
import { CamctlError } from '../util/errors.js';

export class PtpDeviceError extends CamctlError {
  declare readonly code: 'ERR_CAMCTL_PTP_DEVICE';
  constructor(
    readonly responseCode: number,
    message?: string,
    /** Response parameters (e.g. the open session id with SessionAlreadyOpen). */
    readonly params: readonly number[] = [],
  ) {
    super('ERR_CAMCTL_PTP_DEVICE', message ?? codeName('response', responseCode));
  }
}

/** A readable object: its size, and its bytes from an offset, streamed. */
export interface PtpObjectContent {
  size: number;
  read(offset: number, length: number, signal: AbortSignal): AsyncIterable<Uint8Array>;
}

export interface PtpDeviceEvent {
  code: number;
  params: readonly number[];
}

/** The context of one initiator's session, passed to calls that care (capture, vendor ops). */
export interface PtpCallContext {
  transactionId: number;
  /** Sends an event to this session only (e.g. CaptureComplete of its own InitiateCapture). */
  sendEvent(event: PtpDeviceEvent): void;
}

export interface PtpVendorResult {
  params?: number[];
  data?: Uint8Array;
}

export interface PtpResponderBackend {
  deviceInfo(): DeviceInfo;
  storageIds(): Promise<number[]>;
  storageInfo(storageId: number): Promise<StorageInfo>;
  /**
   * Handles per GetObjectHandles semantics (docs/ptp.md): storage 0xFFFFFFFF = all storages,
   * format 0 = any, parent 0xFFFFFFFF = root only, 0 = every object. Handles must stay stable
   * for an object's life; folders are associations.
   */
  objectHandles(storageId: number, format: number, parent: number): Promise<number[]>;
  objectInfo(handle: number): Promise<ObjectInfo>;
  openObject(handle: number): Promise<PtpObjectContent>;
  openThumb?(handle: number): Promise<PtpObjectContent>;
  deleteObject?(handle: number): Promise<void>;
  propDesc(code: number): Promise<DevicePropDesc>;
  /** Called with a value already decoded with the desc's type and checked against its form. */
  setProp?(code: number, value: PtpValue): Promise<void>;
  resetProp?(code: number): Promise<void>;
  initiateCapture?(storageId: number, format: number, ctx: PtpCallContext): Promise<void>;
  initiateOpenCapture?(storageId: number, format: number, ctx: PtpCallContext): Promise<void>;
  terminateOpenCapture?(transactionId: number, ctx: PtpCallContext): Promise<void>;
  /** Vendor operations; undefined for an unknown one (→ OperationNotSupported). */
  vendorOperation?(
    code: number,
    params: readonly number[],
    dataOut: Uint8Array | undefined,
    ctx: PtpCallContext,
  ): Promise<PtpVendorResult | undefined>;
  /** Whether an operation with an outgoing data phase is accepted (SetDevicePropValue always). */
  acceptsDataOut?(code: number): boolean;
  /** Subscribes to device events for every open session; returns the unsubscribe function. */
  onEvent(listener: (event: PtpDeviceEvent) => void): () => void;
}

/**
 * The transport-neutral half of a PTP responder: one {@link PtpResponderCore} per initiator,
 * holding that initiator's session (open/closed, id) and turning each command into calls on a
 * {@link PtpResponderBackend}, answered through a {@link PtpReplySink}. The PTP/IP responder and
 * the in-memory transport pair both drive it, so the same behaviour is tested over both.
 *
 * Checks follow ISO 15740 §9.2/§10: SessionNotOpen before OpenSession (GetDeviceInfo and
 * OpenSession excepted), SessionAlreadyOpen, InvalidParameter for a zero session id,
 * DevicePropNotSupported / InvalidDevicePropFormat / InvalidDevicePropValue for bad sets.
 */
import { debuglog } from 'node:util';
import { ALL, Op, Resp } from './codes.js';
import {
  PtpDecodeError,
  PtpReader,
  encodeDeviceInfo,
  encodeDevicePropDesc,
  encodeObjectInfo,
  encodeStorageInfo,
  encodeU32Array,
  encodeValue,
  valueAllowed,
} from './codec.js';
import {
  PtpDeviceError,
  type PtpCallContext,
  type PtpDeviceEvent,
  type PtpObjectContent,
  type PtpResponderBackend,
} from './backend.js';
import type { PtpCommand, PtpContainer } from './transport.js';

const debug = debuglog('camctl:ptp-responder');

/** Where a core sends its answers. */
export interface PtpReplySink {
  /** A device→host data phase of exactly `totalLength` bytes. */
  sendData(
    transactionId: number,
    totalLength: number,
    chunks: Uint8Array | AsyncIterable<Uint8Array>,
    signal: AbortSignal,
  ): Promise<void>;
  sendResponse(response: PtpContainer): Promise<void>;
  sendEvent(event: PtpContainer): void;
}

/** Operations the core implements when the backend can (used to build DeviceInfo lists). */
export const STANDARD_OPERATIONS: readonly number[] = [
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
  Op.SetDevicePropValue,
  Op.ResetDevicePropValue,
  Op.GetPartialObject,
  Op.InitiateCapture,
  Op.InitiateOpenCapture,
  Op.TerminateOpenCapture,
];

/** Unsolicited events carry this transaction id. */
const NO_TRANSACTION = 0xffffffff;

export class PtpResponderCore {
  private sessionId = 0;
  private unsubscribe: (() => void) | undefined;
  private running: AbortController | undefined;
  private runningTid: number | undefined;
  private closed = false;

  constructor(
    private readonly backend: PtpResponderBackend,
    private readonly sink: PtpReplySink,
  ) {}

  get sessionOpen(): boolean {
    return this.sessionId !== 0;
  }

  /** Whether the command's outgoing data phase is acceptable at all (else: refuse before reading it). */
  acceptsDataOut(code: number): boolean {
    return code === Op.SetDevicePropValue || (this.backend.acceptsDataOut?.(code) ?? false);
  }

  /** Cancels the running transaction (PTP/IP Cancel packet or initiator gone). */
  cancel(transactionId?: number): void {
    if (this.running && (transactionId === undefined || transactionId === this.runningTid)) this.running.abort();
  }

  /** The initiator is gone: drop the session and stop sending events. */
  close(): void {
    this.closed = true;
    this.cancel();
    this.endSession();
  }

  private endSession(): void {
    this.sessionId = 0;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Handles one command (with its outgoing data, when there was a data-out phase). */
  async handle(cmd: PtpCommand, dataOut?: Uint8Array): Promise<void> {
    const ac = new AbortController();
    this.running = ac;
    this.runningTid = cmd.transactionId;
    let response: PtpContainer;
    try {
      const params = await this.dispatch(cmd, dataOut, ac.signal);
      response = { code: Resp.OK, transactionId: cmd.transactionId, params: params ?? [] };
    } catch (e) {
      if (ac.signal.aborted) {
        response = { code: Resp.TransactionCancelled, transactionId: cmd.transactionId, params: [] };
      } else if (e instanceof PtpDeviceError) {
        response = { code: e.responseCode, transactionId: cmd.transactionId, params: e.params };
      } else if (e instanceof PtpDecodeError) {
        response = { code: Resp.InvalidDevicePropFormat, transactionId: cmd.transactionId, params: [] };
      } else {
        debug('operation 0x%s failed: %s', cmd.code.toString(16), e instanceof Error ? e.stack : e);
        response = { code: Resp.GeneralError, transactionId: cmd.transactionId, params: [] };
      }
    } finally {
      if (this.running === ac) {
        this.running = undefined;
        this.runningTid = undefined;
      }
    }
    if (!this.closed) await this.sink.sendResponse(response);
  }

  private ctx(transactionId: number): PtpCallContext {
    return {
      transactionId,
      sendEvent: (ev) => {
        if (this.sessionOpen && !this.closed) this.sink.sendEvent({ code: ev.code, transactionId, params: ev.params });
      },
    };
  }

  private async dispatch(
    cmd: PtpCommand,
    dataOut: Uint8Array | undefined,
    signal: AbortSignal,
  ): Promise<number[] | void> {
    const b = this.backend;
    const p = (i: number): number => cmd.params[i] ?? 0;
    const tid = cmd.transactionId;
    const send = (bytes: Uint8Array): Promise<void> => this.sink.sendData(tid, bytes.length, bytes, signal);

    if (cmd.code === Op.GetDeviceInfo) return send(encodeDeviceInfo(b.deviceInfo()));
    if (cmd.code === Op.OpenSession) {
      if (p(0) === 0) throw new PtpDeviceError(Resp.InvalidParameter);
      if (this.sessionOpen) {
        // §10.5.2: the response carries the open session's id.
        throw new PtpDeviceError(Resp.SessionAlreadyOpen, undefined, [this.sessionId]);
      }
      this.sessionId = p(0);
      this.unsubscribe = b.onEvent((ev: PtpDeviceEvent) => {
        if (this.sessionOpen && !this.closed)
          this.sink.sendEvent({ code: ev.code, transactionId: NO_TRANSACTION, params: ev.params });
      });
      return;
    }
    if (!this.sessionOpen) throw new PtpDeviceError(Resp.SessionNotOpen);

    switch (cmd.code) {
      case Op.CloseSession:
        this.endSession();
        return;
      case Op.GetStorageIDs:
        return send(encodeU32Array(await b.storageIds()));
      case Op.GetStorageInfo:
        return send(encodeStorageInfo(await b.storageInfo(p(0))));
      case Op.GetNumObjects: {
        const handles = await b.objectHandles(p(0), p(1), cmd.params.length > 2 ? p(2) : 0);
        return [handles.length];
      }
      case Op.GetObjectHandles:
        // A missing third parameter means "all objects" (0), as in ptpcam's -R default.
        return send(encodeU32Array(await b.objectHandles(p(0), p(1), cmd.params.length > 2 ? p(2) : 0)));
      case Op.GetObjectInfo:
        return send(encodeObjectInfo(await b.objectInfo(p(0))));
      case Op.GetObject: {
        const obj = await b.openObject(p(0));
        await this.sink.sendData(tid, obj.size, obj.read(0, obj.size, signal), signal);
        return;
      }
      case Op.GetThumb: {
        if (!b.openThumb) throw new PtpDeviceError(Resp.NoThumbnailPresent);
        const obj = await b.openThumb(p(0));
        await this.sink.sendData(tid, obj.size, obj.read(0, obj.size, signal), signal);
        return;
      }
      case Op.GetPartialObject: {
        const obj: PtpObjectContent = await b.openObject(p(0));
        const offset = p(1);
        if (offset > obj.size) throw new PtpDeviceError(Resp.InvalidParameter);
        // MaxBytes 0xFFFFFFFF means "to the end" (§10.5.27).
        const length = Math.min(p(2), obj.size - offset);
        await this.sink.sendData(tid, length, obj.read(offset, length, signal), signal);
        return [length];
      }
      case Op.DeleteObject:
        if (!b.deleteObject) throw new PtpDeviceError(Resp.OperationNotSupported);
        if (p(0) === ALL) throw new PtpDeviceError(Resp.ParameterNotSupported);
        await b.deleteObject(p(0));
        return;
      case Op.GetDevicePropDesc:
        return send(encodeDevicePropDesc(await b.propDesc(p(0))));
      case Op.GetDevicePropValue: {
        const desc = await b.propDesc(p(0));
        return send(encodeValue(desc.dataType, desc.current));
      }
      case Op.SetDevicePropValue: {
        if (!dataOut) throw new PtpDeviceError(Resp.InvalidDevicePropFormat);
        const desc = await b.propDesc(p(0));
        if (desc.getSet !== 1 || !b.setProp) throw new PtpDeviceError(Resp.AccessDenied);
        const r = new PtpReader(dataOut);
        const value = r.value(desc.dataType);
        if (r.remaining !== 0) throw new PtpDeviceError(Resp.InvalidDevicePropFormat);
        if (!valueAllowed(desc, value)) throw new PtpDeviceError(Resp.InvalidDevicePropValue);
        await b.setProp(p(0), value);
        return;
      }
      case Op.ResetDevicePropValue:
        if (!b.resetProp) throw new PtpDeviceError(Resp.OperationNotSupported);
        await b.resetProp(p(0));
        return;
      case Op.InitiateCapture:
        if (!b.initiateCapture) throw new PtpDeviceError(Resp.OperationNotSupported);
        await b.initiateCapture(p(0), p(1), this.ctx(tid));
        return;
      case Op.InitiateOpenCapture:
        if (!b.initiateOpenCapture) throw new PtpDeviceError(Resp.OperationNotSupported);
        await b.initiateOpenCapture(p(0), p(1), this.ctx(tid));
        return;
      case Op.TerminateOpenCapture:
        if (!b.terminateOpenCapture) throw new PtpDeviceError(Resp.OperationNotSupported);
        await b.terminateOpenCapture(p(0), this.ctx(tid));
        return;
      default: {
        const listed = b.deviceInfo().operationsSupported.includes(cmd.code);
        const result =
          listed && b.vendorOperation
            ? await b.vendorOperation(cmd.code, cmd.params, dataOut, this.ctx(tid))
            : undefined;
        if (!result) throw new PtpDeviceError(Resp.OperationNotSupported);
        if (result.data) await send(result.data);
        return result.params ?? [];
      }
    }
  }
}

/**
 * What a {@link PtpSession} needs from a transport (docs/architecture.md: transports own sockets, sessions own
 * transactions). PTP/IP, PTP over USB and the in-memory pair used by tests all implement it, so one
 * session — and one client test suite — runs over each.
 */

/** PTP/IP data-phase field: 1 = no data or device→host, 2 = host→device. */
export type DataDirection = 'none-or-in' | 'out';

/** An operation request as a transport sends it. */
export interface PtpCommand {
  code: number;
  transactionId: number;
  params: readonly number[];
  direction: DataDirection;
}

/** A response or an event: code, transaction id, up to 5 (events: 3) u32 parameters. */
export interface PtpContainer {
  code: number;
  transactionId: number;
  params: readonly number[];
}

/**
 * The receiving side of a transport. Calls arrive in wire order. `data` chunks may be kept by
 * the receiver (they are never reused by the transport).
 */
export interface PtpTransportReceiver {
  /** A data phase begins (`totalLength` bytes, when the transport knows it). */
  dataStart(transactionId: number, totalLength: bigint): void;
  /** A chunk of the data phase. */
  data(transactionId: number, chunk: Uint8Array): void;
  /** The data phase is complete. */
  dataEnd(transactionId: number): void;
  /** The operation's response. */
  response(response: PtpContainer): void;
  /** An event from the device. */
  event(event: PtpContainer): void;
  /**
   * The transaction failed in the transport but the transport is still usable (PTP over USB: an
   * endpoint stalled and was cleared, §5.2.2 of the USB still-image class). Optional: transports
   * that cannot recover from a failure close instead.
   */
  transactionFailed?(transactionId: number, error: Error): void;
  /** The transport is gone; `error` is undefined after a local close(). */
  closed(error?: Error): void;
}

/** What moves PTP packets between a {@link PtpSession} and a device: PTP/IP over TCP, PTP over USB, or an in-memory pair in tests. */
export interface PtpTransport {
  /** Where incoming data, responses and events go (the session). */
  setReceiver(receiver: PtpTransportReceiver): void;
  /** Sends an operation request. */
  sendCommand(command: PtpCommand): Promise<void>;
  /** Sends a whole host→device data phase of exactly `totalLength` bytes. */
  sendData(
    transactionId: number,
    totalLength: bigint,
    source: Uint8Array | AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Asks the device to cancel a transaction (PTP/IP Cancel packet, USB class request 0x64). */
  cancel(transactionId: number): Promise<void>;
  /** Stops delivering incoming bytes until resume() (backpressure from a slow data sink). */
  pause(): void;
  /** Resumes reading after {@link PtpTransport.pause}. */
  resume(): void;
  /** Closes the connection(s); pending transactions fail. */
  close(): Promise<void>;
}

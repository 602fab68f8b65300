/**
 * The skeleton shared by the incremental parsers (PTP/IP packets, PTP over USB containers):
 * `push(chunk)` feeds bytes cut anywhere. The first error is kept and thrown again for any later
 * input: a stream that lost its framing cannot be trusted again, its connection is dropped (or,
 * on USB, the device reset and the parser reset with it).
 */
export abstract class IncrementalParser {
  private failed: Error | undefined;

  /** Between units: nothing buffered, no payload pending. */
  abstract get idle(): boolean;

  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    try {
      this.consume(chunk);
    } catch (e) {
      this.failed = e as Error;
      throw e;
    }
  }

  /** Takes every whole unit out of `chunk`, keeping what is left of an incomplete one. */
  protected abstract consume(chunk: Uint8Array): void;

  /** Accepts input again (the peer started afresh). */
  protected forgetFailure(): void {
    this.failed = undefined;
  }
}

/**
 * A device's PTP events, fanned out to every subscriber (one per open session): what a
 * {@link PtpResponderBackend}'s `onEvent` hands out, shared by the emulated cameras' backends.
 */
import type { PtpDeviceEvent, PtpResponderBackend } from './backend.js';

export class PtpEventFanout {
  private readonly listeners = new Set<(e: PtpDeviceEvent) => void>();

  emit(code: number, params: number[]): void {
    for (const l of this.listeners) l({ code, params });
  }

  /** Adds a listener; returns the function that removes it (PtpResponderBackend['onEvent']). */
  subscribe: PtpResponderBackend['onEvent'] = (listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  clear(): void {
    this.listeners.clear();
  }
}

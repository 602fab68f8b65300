/**
 * The part of a USB device that PTP over USB needs, as a structural type. The `usb` npm package's
 * `UsbDevice` (a W3C WebUSB `USBDevice` plus `bus`, `address`, `detachKernelDriver`…) satisfies it
 * without a cast, and so does the emulated USB camera (src/emulator/usb): nothing in
 * src/ptp/usb imports the package except the discovery module, which loads it lazily.
 *
 * Facts about node-usb-rs 3.1.0 (read from its source, src/webusb_device.rs) that shape the code:
 * - transferIn/transferOut/controlTransfer* take an extra, non-WebUSB `timeout` argument in ms
 *   (default 1000 ms); a timeout rejects with "transferIn error: Cancelled".
 * - A stalled endpoint, a vanished device and any other failure reject with an Error whose message
 *   is "transferIn error: Stall" / "…: Disconnected" (bulk) or "controlTransferIn error: endpoint
 *   stalled" (control); the WebUSB `status: 'stall'` result is never produced, but other WebUSB
 *   implementations do produce it, so both are handled.
 * - transferIn rounds the requested length up to whole packets and truncates what arrived beyond
 *   `length`: always ask for whole packets.
 * - `bus` is the bus number as three digits on Linux ("003"), two hex digits on macOS.
 *
 * @example
 * import { usb } from 'usb';
 * const [device] = await usb.getDevices();
 * const transport = await PtpUsbTransport.open(device); // UsbDevice is a UsbDeviceLike
 */

export type UsbDirection = 'in' | 'out';
export type UsbEndpointType = 'bulk' | 'interrupt' | 'isochronous';
export type UsbTransferStatus = 'ok' | 'stall' | 'babble';

export interface UsbEndpointLike {
  readonly endpointNumber: number;
  readonly direction: UsbDirection;
  readonly type: UsbEndpointType;
  /** wMaxPacketSize: 512 for bulk at high speed, 64 at full speed. */
  readonly packetSize: number;
}

export interface UsbAlternateInterfaceLike {
  readonly alternateSetting: number;
  readonly interfaceClass: number;
  readonly interfaceSubclass: number;
  readonly interfaceProtocol: number;
  readonly endpoints: readonly UsbEndpointLike[];
}

export interface UsbInterfaceLike {
  readonly interfaceNumber: number;
  readonly alternate: UsbAlternateInterfaceLike;
  readonly claimed: boolean;
}

export interface UsbConfigurationLike {
  readonly configurationValue: number;
  readonly interfaces: readonly UsbInterfaceLike[];
}

/** A control request's setup packet (bmRequestType split as WebUSB does, bRequest, wValue, wIndex). */
export interface UsbControlSetup {
  requestType: 'standard' | 'class' | 'vendor';
  recipient: 'device' | 'interface' | 'endpoint' | 'other';
  request: number;
  value: number;
  index: number;
}

export interface UsbInResult {
  readonly data?: DataView | undefined;
  readonly status: UsbTransferStatus;
}

export interface UsbOutResult {
  readonly bytesWritten: number;
  readonly status: UsbTransferStatus;
}

export interface UsbDeviceLike {
  readonly vendorId: number;
  readonly productId: number;
  readonly manufacturerName: string | null;
  readonly productName: string | null;
  readonly serialNumber: string | null;
  /** node-usb-rs only: bus id ("003" on Linux). */
  readonly bus?: string;
  /** node-usb-rs only: device address on its bus. */
  readonly address?: number;
  readonly opened: boolean;
  readonly configuration: UsbConfigurationLike | null;
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  /** `timeout` (ms) is node-usb-rs's extra argument; WebUSB ignores it. */
  transferIn(endpointNumber: number, length: number, timeout?: number): Promise<UsbInResult>;
  transferOut(endpointNumber: number, data: Uint8Array, timeout?: number): Promise<UsbOutResult>;
  controlTransferIn(setup: UsbControlSetup, length: number, timeout?: number): Promise<UsbInResult>;
  controlTransferOut(setup: UsbControlSetup, data?: Uint8Array, timeout?: number): Promise<UsbOutResult>;
  clearHalt(direction: UsbDirection, endpointNumber: number): Promise<void>;
  reset(): Promise<void>;
  /** Linux only (node-usb-rs): unbinds a kernel driver holding the interface. */
  detachKernelDriver?(interfaceNumber: number): Promise<void>;
}

/** USB interface class / subclass / protocol of a PTP (Still Image Capture) interface (docs/ptp.md). */
export const PTP_INTERFACE = { class: 6, subclass: 1, protocol: 1 } as const;

export function isPtpInterface(alt: UsbAlternateInterfaceLike): boolean {
  return (
    alt.interfaceClass === PTP_INTERFACE.class &&
    alt.interfaceSubclass === PTP_INTERFACE.subclass &&
    alt.interfaceProtocol === PTP_INTERFACE.protocol
  );
}

/** Class-specific requests of the USB still-image class (docs/ptp.md "PTP over USB"). */
export const UsbPtpRequest = {
  Cancel: 0x64,
  GetExtendedEventData: 0x65,
  DeviceReset: 0x66,
  GetDeviceStatus: 0x67,
} as const;

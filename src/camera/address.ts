/**
 * Camera addresses are URLs: `sequoia://host[:port]`, `ptpip://host[:port]`, `theta://host[:port]`
 * (optionally `theta://user:password@host` for digest auth in client mode), and `usb:` or
 * `usb:BUS:DEV` for a PTP camera on USB.
 *
 * Parsing is strict so a typo fails here with a clear message instead of as a connection error
 * later. There are no default hosts: camctl never connects to a camera address on its own.
 *
 * @example
 * parseCameraAddress('sequoia://192.168.47.1')   // { scheme: 'sequoia', host: '192.168.47.1', port: 80, … }
 * parseCameraAddress('ptpip://[::1]:15740')      // IPv6 in brackets
 * parseCameraAddress('usb:001:004')              // { scheme: 'usb', bus: 1, device: 4 }
 */
import { CameraError } from './errors.js';

/** Default port per network scheme: HTTP 80 for Sequoia and THETA, 15740 for PTP/IP (ISO 15740). */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  sequoia: 80,
  theta: 80,
  ptpip: 15740,
};

/** A camera on the network: `sequoia://`, `theta://` (with optional credentials) or `ptpip://`. */
export interface NetworkAddress {
  kind: 'network';
  scheme: string;
  /** Host name or IP; IPv6 without brackets. */
  host: string;
  port: number;
  /** Whether the port was written in the address. */
  explicitPort: boolean;
  username?: string;
  password?: string;
  /** Normalised form, without credentials: `sequoia://127.0.0.1:8080`. */
  href: string;
}

/** A PTP camera on USB: `usb:` (the first found) or `usb:BUS:DEV`. */
export interface UsbAddress {
  kind: 'usb';
  scheme: 'usb';
  /** Bus and device numbers as `lsusb` prints them; absent for "the first PTP camera found". */
  bus?: number;
  device?: number;
  href: string;
}

/** A parsed camera address. */
export type CameraAddress = NetworkAddress | UsbAddress;

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** Parses `sequoia://host[:port]`, `theta://[user:password@]host[:port]`, `ptpip://host[:port]`, `usb:` or `usb:BUS:DEV`; throws a {@link CameraError} (`BAD_ADDRESS`) saying what is wrong. */
export function parseCameraAddress(text: string): CameraAddress {
  const input = text.trim();
  const m = SCHEME.exec(input);
  if (!m || !m[1]) {
    throw bad(text, 'expected SCHEME://HOST[:PORT], e.g. sequoia://192.168.47.1');
  }
  const scheme = m[1].toLowerCase();
  if (scheme === 'usb') return parseUsb(text, input.slice(m[0].length));
  if (!input.slice(m[0].length).startsWith('//')) {
    throw bad(text, `expected ${scheme}://HOST[:PORT]`);
  }
  // `new URL` drops an explicit default port (":80") and rejects big ones vaguely: read it ourselves.
  const portText = /^\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/]*)(?::([^/?#]*))?/.exec(input.slice(m[0].length))?.[1];
  const explicitPort = portText !== undefined && portText !== '';
  if (explicitPort && !/^\d{1,5}$/.test(portText)) throw bad(text, `port must be a number 1-65535`);
  const port = explicitPort ? Number(portText) : DEFAULT_PORTS[scheme];
  if (port === undefined) throw bad(text, `no default port for ${scheme}://; give one`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(text, `port must be 1-65535`);
  let url: URL;
  try {
    // WHATWG URL only parses hosts of "special" schemes strictly; parse as http and keep ours.
    url = new URL(`http:${input.slice(m[0].length)}`);
  } catch (cause) {
    throw bad(text, `expected ${scheme}://HOST[:PORT]`, cause);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw bad(text, 'a camera address has no path, query or fragment');
  }
  if (!url.hostname) throw bad(text, 'missing host');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const hostForHref = host.includes(':') ? `[${host}]` : host;
  const out: NetworkAddress = {
    kind: 'network',
    scheme,
    host,
    port,
    explicitPort,
    href: `${scheme}://${hostForHref}:${port}`,
  };
  try {
    if (url.username) out.username = decodeURIComponent(url.username);
    if (url.password) out.password = decodeURIComponent(url.password);
  } catch (cause) {
    // e.g. `theta://%@host`: a stray % in the credentials.
    throw bad(text, 'malformed %-escape in the user name or password', cause);
  }
  return out;
}

function parseUsb(text: string, rest: string): UsbAddress {
  if (rest === '' || rest === '//') return { kind: 'usb', scheme: 'usb', href: 'usb:' };
  const m = /^(\d{1,3}):(\d{1,3})$/.exec(rest);
  if (!m) throw bad(text, 'expected usb: or usb:BUS:DEV, e.g. usb:001:004');
  const bus = Number(m[1]);
  const device = Number(m[2]);
  if (bus > 255 || device > 255) throw bad(text, 'bus and device numbers are 0-255');
  return { kind: 'usb', scheme: 'usb', bus, device, href: `usb:${pad3(bus)}:${pad3(device)}` };
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

function bad(text: string, why: string, cause?: unknown): CameraError {
  return new CameraError('BAD_ADDRESS', `invalid camera address ${JSON.stringify(text)}: ${why}`, { cause });
}

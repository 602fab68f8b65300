/**
 * Opens a {@link Camera} from an address string, through a registry of adapters by URL scheme.
 *
 * Protocols plug in without editing this file, in either of two ways:
 * 1. **By convention** (built-in adapters): the adapter for scheme `X` lives in
 *    `src/camera/X.ts` and exports `openCamera: CameraFactory`. It is imported lazily on first
 *    use, so the CLI only loads the protocol it talks.
 * 2. **By registration** (tests, plugins): `registerCameraScheme('X', factory)` before opening.
 *
 * @example
 * registerCameraScheme('mock', async (address) => new MyCamera(address));
 * const cam = await openCamera('mock://127.0.0.1:1234', { timeoutMs: 5000 });
 */
import { debuglog } from 'node:util';
import { parseCameraAddress, type CameraAddress } from './address.js';
import { CameraError } from './errors.js';
import type { Camera } from './types.js';
import { InvalidOptionError } from '../util/errors.js';

const debug = debuglog('camctl:camera');

/** Options of {@link openCamera}. */
export interface OpenCameraOptions {
  /** Timeout of each phase of each request (connect, reply, body), ms. Default 10 000. */
  timeoutMs?: number;
  /** Most connections the adapter may open at once (parallel downloads). Adapter default when omitted. */
  maxConnections?: number;
  /** OSC API level to use on an OSC camera (THETA), required when given; the camera's best by default. */
  oscApi?: '2.0' | '2.1';
  signal?: AbortSignal;
}

/** Opens a {@link Camera} for a parsed address: what an adapter provides. */
export type CameraFactory = (address: CameraAddress, options: OpenCameraOptions) => Promise<Camera>;

const registry = new Map<string, CameraFactory>();

/** Makes `scheme://…` addresses open through `factory` (replacing any earlier one). */
export function registerCameraScheme(scheme: string, factory: CameraFactory): void {
  if (!/^[a-z][a-z0-9]*$/.test(scheme))
    throw new InvalidOptionError('scheme', `invalid scheme name ${JSON.stringify(scheme)}`);
  registry.set(scheme, factory);
}

/** Removes an adapter registered with {@link registerCameraScheme}. */
export function unregisterCameraScheme(scheme: string): void {
  registry.delete(scheme);
}

/** Schemes with a built-in adapter module (for help texts and error messages). */
export const BUILTIN_SCHEMES = ['sequoia', 'theta', 'ptpip', 'usb'] as const;

async function findFactory(scheme: string): Promise<CameraFactory | undefined> {
  const known = registry.get(scheme);
  if (known) return known;
  if (!/^[a-z][a-z0-9]*$/.test(scheme)) return undefined;
  let mod: { openCamera?: CameraFactory };
  try {
    mod = (await import(/* @vite-ignore */ `./${scheme}.js`)) as { openCamera?: CameraFactory };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`${scheme}.js`)) return undefined;
    throw err;
  }
  if (typeof mod.openCamera !== 'function') return undefined;
  registry.set(scheme, mod.openCamera);
  return mod.openCamera;
}

/** Parses `address` and opens it with the adapter of its scheme. */
export async function openCamera(address: string | CameraAddress, options: OpenCameraOptions = {}): Promise<Camera> {
  const parsed = typeof address === 'string' ? parseCameraAddress(address) : address;
  const factory = await findFactory(parsed.scheme);
  if (!factory) {
    const known = [...new Set([...registry.keys(), ...BUILTIN_SCHEMES])].join(', ');
    throw new CameraError('UNKNOWN_SCHEME', `no camera adapter for ${parsed.scheme}: (known: ${known})`);
  }
  debug('open %s', parsed.href);
  return factory(parsed, options);
}

/**
 * The emulated cameras, for tests and tools: {@link startSequoiaEmulator} and
 * {@link startThetaEmulator} start a camera that answers as the real one does (binding 127.0.0.1,
 * port 0 picks a free port), and {@link ManualClock} lets a test drive the camera's time.
 *
 * @example
 * ```ts
 * import { startSequoiaEmulator, ManualClock } from 'camctl/emulator';
 * const clock = new ManualClock();
 * const cam = await startSequoiaEmulator({ dataDir: '/tmp/seq', httpPort: 0, clock });
 * console.log(cam.url);
 * await cam.close();
 * ```
 * @packageDocumentation
 */
export { startSequoiaEmulator, type SequoiaEmulatorOptions, type RunningSequoiaEmulator } from './sequoia/emulator.js';
export { startThetaEmulator, type ThetaEmulatorOptions, type RunningThetaEmulator } from './theta/emulator.js';
export { ManualClock, RealClock, type Clock, type TimerHandle } from '../util/clock.js';
export type { FlightTrackOptions, Waypoint } from '../devices/sequoia/flight-track.js';
export type { PowerSource } from '../devices/theta/battery.js';
export type { DigestCredentials } from '../osc/digest.js';
export type { DigestPolicy } from './theta/digest-verifier.js';
export type { RunningPtpIpFace } from './ptpip-face.js';
export type { RunningThetaPtpIp } from './theta/ptp-face.js';
export type { EmulatedLink, LinkOptions, LinkPtpIpHooks } from './link.js';

/**
 * The emulated Sequoia's controls, for tests and demos, under `/_emulator/` on its HTTP port
 * (routing and reply shapes in controls.ts):
 *
 *   GET  /_emulator                       state of the simulation (media, sensors, link, track),
 *                                         and the emulator process's memory (process.memoryUsage())
 *   POST /_emulator/sd        {"present": false}            remove / insert the SD card
 *   POST /_emulator/fill      {"medium": "sd", "free": 0}   fill a medium, leaving `free` bytes
 *                             {"medium": "sd", "free": null} empty the simulated filler again
 *   POST /_emulator/storage   {"medium": "sd", "state": "read-only"}  a medium's condition: "ok",
 *                             "read-only", "corrupted" (files unreadable) or "error" (failed)
 *   POST /_emulator/sunshine  {"connected": false}          unplug / plug the sunshine sensor
 *   POST /_emulator/gps       {"fix": true|false|null}      force the GPS fix (null: simulated)
 *   POST /_emulator/track     {"waypoints": [{"lat","lon"}…], "speed": 12, "altitude": 100}
 *   POST /_emulator/link      {"latencyMs": 20, "bandwidthBytesPerSec": 3000000,
 *                              "perConnectionBytesPerSec": 0}  the radio link (link.ts)
 *   POST /_emulator/gc        {}                            run a full garbage collection, then
 *                             answer the memory figures (only when node runs with --expose-gc)
 */
import type { SequoiaDevice } from '../../devices/sequoia/device.js';
import { MEDIUM_CONDITIONS, type MediumCondition } from '../../devices/sequoia/types.js';
import { InvalidOptionError } from '../../util/errors.js';
import { captureStatus } from './replies.js';
import { ControlUnavailable, emulatorControlRoutes, linkControl } from '../controls.js';
import type { EmulatedLink } from '../link.js';

export function emulatorState(device: SequoiaDevice, link: EmulatedLink) {
  const media: Record<string, unknown> = {};
  for (const [name, m] of device.storage.media) {
    media[name] = {
      present: m.present,
      capacityBytes: m.capacityBytes,
      usedBytes: m.usedBytes,
      freeBytes: m.freeBytes,
      full: device.isFull(name as 'internal' | 'sd'),
      state: device.mediumCondition(name as 'internal' | 'sd'),
    };
  }
  return {
    model: 'sequoia',
    time: new Date(device.clock.now()).toISOString(),
    media,
    sunshine: device.isSunshineConnected,
    gpsFix: device.hasGpsFix(),
    position: device.position(),
    track: device.trackOptions(),
    link: link.options,
    capture: captureStatus(device.captureActivity()),
    memory: processMemory(),
  };
}

/**
 * The emulator process's memory, so a benchmark can tell a leak (the V8 heap or the buffers it
 * holds stay up once clients are gone) from memory the allocator keeps for reuse (only RSS stays up).
 */
function processMemory() {
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapTotal, heapUsed, external, arrayBuffers };
}

export function sequoiaControlRoutes(device: SequoiaDevice, link: EmulatedLink) {
  const action = (name: string) => (body: Record<string, unknown>) => apply(device, name, body);
  return emulatorControlRoutes({
    state: () => emulatorState(device, link),
    controls: {
      sd: action('sd'),
      fill: action('fill'),
      storage: action('storage'),
      sunshine: action('sunshine'),
      gps: action('gps'),
      track: action('track'),
      link: linkControl(link),
      gc: collectGarbage,
    },
  });
}

/** `gc` exists only under `node --expose-gc`: a debugging aid for memory figures, never needed to run the camera. */
function collectGarbage(): Record<string, unknown> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new ControlUnavailable('Garbage collection is not exposed: start the emulator with node --expose-gc');
  gc();
  return { memory: processMemory() };
}

function apply(device: SequoiaDevice, name: string, body: Record<string, unknown>): void {
  const medium = (v: unknown) => {
    if (v !== 'internal' && v !== 'sd') throw new InvalidOptionError('medium', 'must be "internal" or "sd"');
    return v;
  };
  switch (name) {
    case 'sd':
      if (typeof body.present !== 'boolean') throw new InvalidOptionError('present', 'must be true or false');
      device.setSdPresent(body.present);
      return;
    case 'fill': {
      const m = medium(body.medium);
      if (body.free === null) return device.unfillMedium(m);
      const free = body.free ?? 0;
      if (typeof free !== 'number' || !(free >= 0))
        throw new InvalidOptionError('free', 'must be a number of bytes ≥ 0, or null');
      device.fillMedium(m, free);
      return;
    }
    case 'storage': {
      const m = medium(body.medium);
      const state = body.state;
      if (typeof state !== 'string' || !(MEDIUM_CONDITIONS as readonly string[]).includes(state)) {
        throw new InvalidOptionError('state', `must be one of ${MEDIUM_CONDITIONS.map((c) => `"${c}"`).join(', ')}`);
      }
      device.setMediumCondition(m, state as MediumCondition);
      return;
    }
    case 'sunshine':
      if (typeof body.connected !== 'boolean') throw new InvalidOptionError('connected', 'must be true or false');
      device.setSunshineConnected(body.connected);
      return;
    case 'gps':
      if (body.fix !== null && typeof body.fix !== 'boolean')
        throw new InvalidOptionError('fix', 'must be true, false or null');
      device.setGpsFix(body.fix === null ? undefined : body.fix);
      return;
    case 'track': {
      const waypoints = body.waypoints;
      if (
        !Array.isArray(waypoints) ||
        waypoints.some((w) => typeof w?.lat !== 'number' || typeof w?.lon !== 'number')
      ) {
        throw new InvalidOptionError('waypoints', 'must be a list of {lat, lon}');
      }
      const current = device.trackOptions();
      device.setTrack({
        waypoints: waypoints as Array<{ lat: number; lon: number }>,
        speed: typeof body.speed === 'number' ? body.speed : current.speed,
        altitude: typeof body.altitude === 'number' ? body.altitude : current.altitude,
        groundElevation:
          typeof body.groundElevation === 'number' ? body.groundElevation : (current.groundElevation ?? 0),
      });
      return;
    }
  }
}

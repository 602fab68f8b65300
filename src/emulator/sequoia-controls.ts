/**
 * Emulator controls for tests and demos, under `/_emulator/` on the emulated Sequoia's HTTP port
 * (not part of the camera's API; a real camera answers 404 there):
 *
 *   GET  /_emulator                       state of the simulation (media, sensors, link, track)
 *   POST /_emulator/sd        {"present": false}            remove / insert the SD card
 *   POST /_emulator/fill      {"medium": "sd", "free": 0}   fill a medium, leaving `free` bytes
 *                             {"medium": "sd", "free": null} empty the simulated filler again
 *   POST /_emulator/storage   {"medium": "sd", "state": "read-only"}  a medium's condition: "ok",
 *                             "read-only", "corrupted" (files unreadable) or "error" (failed)
 *   POST /_emulator/sunshine  {"connected": false}          unplug / plug the sunshine sensor
 *   POST /_emulator/gps       {"fix": true|false|null}      force the GPS fix (null: simulated)
 *   POST /_emulator/track     {"waypoints": [{"lat","lon"}…], "speed": 12, "altitude": 100}
 *   POST /_emulator/link      {"latencyMs": 20, "bandwidthBytesPerSec": 3000000}
 *
 * Replies are JSON `{"request":"emulator_…","status":"Ok"}` or 400 with an `error` text.
 */
import type * as http from 'node:http';
import type { SequoiaDevice } from '../devices/sequoia/device.js';
import { BodyIncompleteError, BodyTooLargeError, readBody } from '../util/read-body.js';
import { MEDIUM_CONDITIONS, type MediumCondition } from '../sequoia/types.js';
import { validateLink, type LinkOptions } from './link.js';

export interface LinkHolder {
  link: LinkOptions;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}

export function emulatorState(device: SequoiaDevice, holder: LinkHolder) {
  const media: Record<string, unknown> = {};
  for (const [name, m] of device.storage.media) {
    media[name] = { present: m.present, capacityBytes: m.capacityBytes, usedBytes: m.usedBytes, freeBytes: m.freeBytes, full: device.isFull(name as 'internal' | 'sd'), state: device.mediumCondition(name as 'internal' | 'sd') };
  }
  return {
    request: 'emulator_state',
    model: 'sequoia',
    time: new Date(device.clock.now()).toISOString(),
    media,
    sunshine: device.isSunshineConnected,
    gpsFix: device.hasGpsFix(),
    position: device.position(),
    track: device.trackOptions(),
    link: holder.link,
    capture: device.captureStatus(),
  };
}

export function sequoiaControlRoutes(device: SequoiaDevice, holder: LinkHolder) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> => {
    const name = path.replace(/^\/_emulator\/?/, '').replace(/\/$/, '');
    if (name === '' && (req.method === 'GET' || req.method === 'HEAD')) {
      send(res, 200, emulatorState(device, holder));
      return true;
    }
    const request = `emulator_${name}`;
    const known = ['sd', 'fill', 'storage', 'sunshine', 'gps', 'track', 'link'];
    if (!known.includes(name)) {
      send(res, 404, { request, error: 'Unknown emulator control' });
      return true;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      send(res, 405, { request, error: 'Use POST' });
      return true;
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      // The camera face answers these (413 and a closed connection; nothing for a client that left).
      if (err instanceof BodyTooLargeError || err instanceof BodyIncompleteError) throw err;
      send(res, 400, { request, error: 'Unable to parse json' });
      return true;
    }
    try {
      apply(device, holder, name, body);
    } catch (err) {
      send(res, 400, { request, error: err instanceof Error ? err.message : String(err) });
      return true;
    }
    send(res, 200, { request, status: 'Ok' });
    return true;
  };
}

function apply(device: SequoiaDevice, holder: LinkHolder, name: string, body: Record<string, unknown>): void {
  const medium = (v: unknown) => {
    if (v !== 'internal' && v !== 'sd') throw new Error('medium must be "internal" or "sd"');
    return v;
  };
  switch (name) {
    case 'sd':
      if (typeof body.present !== 'boolean') throw new Error('present must be true or false');
      device.setSdPresent(body.present);
      return;
    case 'fill': {
      const m = medium(body.medium);
      if (body.free === null) return device.unfillMedium(m);
      const free = body.free ?? 0;
      if (typeof free !== 'number' || !(free >= 0)) throw new Error('free must be a number of bytes ≥ 0, or null');
      device.fillMedium(m, free);
      return;
    }
    case 'storage': {
      const m = medium(body.medium);
      const state = body.state;
      if (typeof state !== 'string' || !(MEDIUM_CONDITIONS as readonly string[]).includes(state)) {
        throw new Error(`state must be one of ${MEDIUM_CONDITIONS.map((c) => `"${c}"`).join(', ')}`);
      }
      device.setMediumCondition(m, state as MediumCondition);
      return;
    }
    case 'sunshine':
      if (typeof body.connected !== 'boolean') throw new Error('connected must be true or false');
      device.setSunshineConnected(body.connected);
      return;
    case 'gps':
      if (body.fix !== null && typeof body.fix !== 'boolean') throw new Error('fix must be true, false or null');
      device.setGpsFix(body.fix === null ? undefined : body.fix);
      return;
    case 'track': {
      const waypoints = body.waypoints;
      if (!Array.isArray(waypoints) || waypoints.some((w) => typeof w?.lat !== 'number' || typeof w?.lon !== 'number')) {
        throw new Error('waypoints must be a list of {lat, lon}');
      }
      const current = device.trackOptions();
      device.setTrack({
        waypoints: waypoints as Array<{ lat: number; lon: number }>,
        speed: typeof body.speed === 'number' ? body.speed : current.speed,
        altitude: typeof body.altitude === 'number' ? body.altitude : current.altitude,
        groundElevation: typeof body.groundElevation === 'number' ? body.groundElevation : (current.groundElevation ?? 0),
      });
      return;
    }
    case 'link':
      holder.link = validateLink(body, holder.link);
      return;
  }
}

/**
 * Options as the OSC API names them at each level, over the device's one vocabulary (the v2.1
 * names, devices/theta/options.ts):
 *
 * - v2.0 spells three options differently — `_captureInterval`, `_captureNumber`,
 *   `_remainingVideos` — and the video capture mode `_video`; the v2.1 names are unknown to it, and
 *   so is `previewFormat`. In v2.1 the S answers the v2.0 names with invalidParameterName
 *   (theta-web-api-v2.1/options.md).
 * - `clientVersion` (firmware 01.62 and later) is the API level itself (osc-sessions.ts): 1 or 2.
 *
 * A refusal names the option as the client spelled it.
 */
import type { ThetaDevice } from '../../devices/theta/device.js';
import { OscCommandError, toOscError } from './osc-errors.js';
import type { ApiVersion, OscSessions } from './osc-sessions.js';

/** v2.0 name → the device's name. */
const V20_NAMES: Record<string, string> = {
  _captureInterval: 'captureInterval',
  _captureNumber: 'captureNumber',
  _remainingVideos: 'remainingVideoSeconds',
};
/** Options v2.0 does not have (under these names). */
const V21_ONLY = new Set(['captureInterval', 'captureNumber', 'remainingVideoSeconds', 'previewFormat']);
const SUPPORT = 'Support';

/** The wire name's base (without `Support`) and suffix. */
function split(name: string): [string, string] {
  return name.endsWith(SUPPORT) && name.length > SUPPORT.length
    ? [name.slice(0, -SUPPORT.length), SUPPORT]
    : [name, ''];
}

function unknown(name: string): OscCommandError {
  return new OscCommandError('invalidParameterName', `unknown option ${JSON.stringify(name)}`);
}

/** The device's name of an option the client named at `api`; throws invalidParameterName when that level lacks it. */
export function deviceOptionName(name: string, api: ApiVersion): string {
  const [base, suffix] = split(name);
  if (api === 1) {
    if (V21_ONLY.has(base)) throw unknown(name);
    return (V20_NAMES[base] ?? base) + suffix;
  }
  if (base in V20_NAMES) throw unknown(name);
  return name;
}

/** Capture-mode values on the wire at each level. */
const captureModes = (api: ApiVersion) => ['image', api === 1 ? '_video' : 'video'];

/** A value as the client sees it at `api` (only the capture mode is spelled differently). */
function wireValue(deviceName: string, value: unknown, api: ApiVersion): unknown {
  if (api !== 1) return value;
  if (deviceName === 'captureMode') return value === 'video' ? '_video' : value;
  if (deviceName === 'captureModeSupport' && Array.isArray(value))
    return value.map((v) => (v === 'video' ? '_video' : v));
  return value;
}

/** The device's refusal, reworded with the names the client used. */
function inClientWords(err: unknown, renamed: Array<[device: string, wire: string]>): unknown {
  const osc = toOscError(err);
  if (!osc) return err;
  let message = osc.message;
  for (const [device, wire] of renamed) if (device !== wire) message = message.split(device).join(wire);
  return message === osc.message ? osc : new OscCommandError(osc.oscCode, message, { cause: err });
}

/** camera.getOptions at the client's level. */
export function getOptions(device: ThetaDevice, sessions: OscSessions, names: string[]): Record<string, unknown> {
  const api = sessions.api;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    if (name === 'clientVersion' && device.has('apiV21')) {
      out[name] = api;
      continue;
    }
    const deviceName = deviceOptionName(name, api);
    try {
      out[name] = wireValue(deviceName, device.getOptions([deviceName])[deviceName], api);
    } catch (err) {
      throw inClientWords(err, [[deviceName.replace(/Support$/, ''), name.replace(/Support$/, '')]]);
    }
  }
  return out;
}

/**
 * camera.setOptions at the client's level: every option checked at the current level before any
 * changes (one error for the whole command), then `clientVersion` switches the level.
 */
export function setOptions(device: ThetaDevice, sessions: OscSessions, options: Record<string, unknown>): void {
  const api = sessions.api;
  const changes: Record<string, unknown> = {};
  const renamed: Array<[string, string]> = [];
  let level: ApiVersion | undefined;
  for (const [name, value] of Object.entries(options)) {
    if (name === 'clientVersion' && device.has('apiV21')) {
      if (value !== 1 && value !== 2)
        throw new OscCommandError(
          'invalidParameterValue',
          `clientVersion: ${JSON.stringify(value)} is not one of [1,2]`,
        );
      level = value;
      continue;
    }
    const deviceName = deviceOptionName(name, api);
    renamed.push([deviceName, name]);
    if (deviceName === 'captureMode') {
      const allowed = captureModes(api);
      if (!allowed.includes(value as string))
        throw new OscCommandError(
          'invalidParameterValue',
          `captureMode: ${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}`,
        );
      changes[deviceName] = value === 'image' ? 'image' : 'video';
    } else {
      changes[deviceName] = value;
    }
  }
  try {
    if (Object.keys(changes).length > 0 || level === undefined) device.setOptions(changes);
    else device.assertPowered();
  } catch (err) {
    throw inClientWords(err, renamed);
  }
  if (level !== undefined) sessions.switchTo(level);
}

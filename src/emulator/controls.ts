/**
 * The emulators' control routes under `/_emulator/` (not part of any camera's API; a real camera
 * answers 404 there), shared by the emulated Sequoia and THETA:
 *
 *   GET  /_emulator                  the simulation's state, as the emulator describes it
 *   POST /_emulator/<control>        a JSON object body, applied by that control
 *
 * Replies are JSON `{"request":"emulator_<control>","status":"Ok"}` (plus what the control adds),
 * or 400 with an `error` text (unparsable body, a value the control refuses), 409 when the control
 * cannot act now ({@link ControlUnavailable}), 413 for a body over 64 KiB, 404 for an unknown
 * control, 405 for a GET.
 * Every emulator has the `link` control ({@link linkControl}).
 */
import type * as http from 'node:http';
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseConnectionReuse } from '../util/read-body.js';
import type { EmulatedLink } from './link.js';
import { CamctlError } from '../util/errors.js';

/**
 * Applies a control's body; throws (any Error) to answer 400 with its message. What it returns is
 * added to the reply (for example the figures a control measured).
 */
export type ControlAction = (
  body: Record<string, unknown>,
) => void | Record<string, unknown> | Promise<void | Record<string, unknown>>;

/** Thrown by a control that cannot act in this emulator's state: answered 409 with its message. */
export class ControlUnavailable extends CamctlError {
  constructor(message: string) {
    super('ERR_CAMCTL_EMULATOR_CONTROL_UNAVAILABLE', message);
  }
}

export interface EmulatorControls {
  /** The body of `GET /_emulator` (without `request`, which is added). */
  state(): Record<string, unknown>;
  controls: Record<string, ControlAction>;
}

/** `POST /_emulator/link {"latencyMs", "bandwidthBytesPerSec", "perConnectionBytesPerSec"}`: any subset. */
export function linkControl(link: EmulatedLink): ControlAction {
  return (body) => void link.set(body);
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length, ...headers });
  res.end(buf);
}

/** A handler for paths under `/_emulator`; resolves true when it answered (it always does). */
export function emulatorControlRoutes(emulator: EmulatorControls) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> => {
    const name = path.replace(/^\/_emulator\/?/, '').replace(/\/$/, '');
    if (name === '' && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      send(res, 200, { request: 'emulator_state', ...emulator.state() });
      return true;
    }
    const request = `emulator_${name}`;
    const action = Object.hasOwn(emulator.controls, name) ? emulator.controls[name] : undefined;
    if (!action) {
      req.resume();
      send(res, 404, { request, error: 'Unknown emulator control' });
      return true;
    }
    if (req.method !== 'POST') {
      req.resume();
      send(res, 405, { request, error: 'Use POST' }, { Allow: 'POST' });
      return true;
    }
    let body: Record<string, unknown>;
    try {
      const text = (await readBody(req, 64 * 1024)).toString('utf8');
      // A control that takes nothing may be POSTed with no body at all (`curl -X POST …/wake`).
      const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      if (err instanceof BodyIncompleteError) {
        res.destroy(); // the client left mid-body: nobody to answer
        return true;
      }
      if (err instanceof BodyTooLargeError) {
        refuseConnectionReuse(res);
        send(res, 413, { request, error: err.message });
        return true;
      }
      send(res, 400, { request, error: 'Unable to parse json' });
      return true;
    }
    let extra: void | Record<string, unknown>;
    try {
      extra = await action(body);
    } catch (err) {
      send(res, err instanceof ControlUnavailable ? 409 : 400, {
        request,
        error: err instanceof Error ? err.message : String(err),
      });
      return true;
    }
    send(res, 200, { request, status: 'Ok', ...(extra ?? {}) });
    return true;
  };
}

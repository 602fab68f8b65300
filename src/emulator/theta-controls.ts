/**
 * Emulator controls for tests and demos, under `/_emulator/` on the emulated THETA's HTTP port
 * (not part of the camera's API; a real camera answers 404 there):
 *
 *   GET  /_emulator                        state of the simulation (power, model, API level)
 *   POST /_emulator/power {"on": true}     switch the camera on again after a PTP PowerDown
 *                         {"on": false}    switch it off, as its power button would
 *
 * Power concerns the PTP/IP face: off, its connections drop and it answers no more (as the S
 * over USB once PowerDown is done); the OSC face stays up, since these controls live on its port.
 * Replies are JSON `{"request":"emulator_…","status":"Ok"}` or 400/404/405 with an `error` text,
 * as the Sequoia emulator's controls answer.
 */
import type * as http from 'node:http';
import type { ThetaDevice } from '../devices/theta/device.js';
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseConnectionReuse } from '../util/read-body.js';

/** The emulator's power switch (the PTP/IP face's, when it has one). */
export interface ThetaPowerSwitch {
  readonly on: boolean;
  switchOff(): Promise<void>;
  switchOn(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}

export function thetaEmulatorState(device: ThetaDevice, power: ThetaPowerSwitch | undefined) {
  return {
    request: 'emulator_state',
    model: 'theta',
    time: new Date(device.cameraNow()).toISOString(),
    api: device.api,
    ptpip: power ? (power.on ? 'on' : 'off') : 'absent',
  };
}

/** Routes for {@link OscServerOptions.extraRoutes}; `power` is undefined without a PTP/IP face. */
export function thetaControlRoutes(device: ThetaDevice, power: () => ThetaPowerSwitch | undefined) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> => {
    const name = path.replace(/^\/_emulator\/?/, '').replace(/\/$/, '');
    if (name === '' && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      send(res, 200, thetaEmulatorState(device, power()));
      return true;
    }
    const request = `emulator_${name}`;
    if (name !== 'power') {
      req.resume();
      send(res, 404, { request, error: 'Unknown emulator control' });
      return true;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('Allow', 'POST');
      send(res, 405, { request, error: 'Use POST' });
      return true;
    }
    let on: unknown;
    try {
      const parsed: unknown = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      on = (parsed as Record<string, unknown>)['on'];
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
    if (typeof on !== 'boolean') {
      send(res, 400, { request, error: 'on must be true or false' });
      return true;
    }
    const sw = power();
    if (!sw) {
      send(res, 400, { request, error: 'this emulator serves no PTP/IP face to switch (start it with --ptpip-port)' });
      return true;
    }
    try {
      await (on ? sw.switchOn() : sw.switchOff());
    } catch (err) {
      send(res, 400, { request, error: err instanceof Error ? err.message : String(err) });
      return true;
    }
    send(res, 200, { request, status: 'Ok' });
    return true;
  };
}

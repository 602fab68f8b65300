/**
 * Emulator controls for tests and demos, under `/_emulator/` on the emulated THETA's HTTP port
 * (not part of the camera's API; a real camera answers 404 there):
 *
 *   GET  /_emulator                        state of the simulation (power, model, API level)
 *   POST /_emulator/power {"on": true}     switch the camera on (after PowerDown, offDelay, or asleep)
 *                         {"on": false}    switch it off, as holding its power button would
 *   POST /_emulator/wake                   a short press of the power button: an asleep camera wakes
 *   POST /_emulator/sleep                  put it to sleep now, as sleepDelay running out would
 *
 * Asleep or off, the camera answers nothing on either face: the PTP/IP face drops its connections
 * and refuses new ones, the OSC face closes every connection and each new camera request without
 * an answer (as a camera whose Wi-Fi is down). These controls live on the OSC port and keep
 * answering whatever the power, so a test or demo can always wake the camera; they are no use of
 * the camera (they do not restart its idle count).
 * Replies are JSON `{"request":"emulator_…","status":"Ok"}` or 400/404/405 with an `error` text,
 * as the Sequoia emulator's controls answer.
 */
import type * as http from 'node:http';
import type { ThetaDevice } from '../devices/theta/device.js';
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseConnectionReuse } from '../util/read-body.js';

/** The PTP/IP face, when the emulator serves one: whether it answers. */
export interface ThetaPtpIpPresence {
  readonly on: boolean;
  /** Settles once the face has followed the camera's last power change. */
  settled(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}

export function thetaEmulatorState(device: ThetaDevice, ptpip: ThetaPtpIpPresence | undefined) {
  return {
    request: 'emulator_state',
    model: 'theta',
    time: new Date(device.cameraNow()).toISOString(),
    api: device.api,
    power: device.power,
    ptpip: ptpip ? (ptpip.on ? 'on' : 'off') : 'absent',
  };
}

/** Routes for {@link OscServerOptions.extraRoutes}; `ptpip` is undefined without a PTP/IP face. */
export function thetaControlRoutes(device: ThetaDevice, ptpip: () => ThetaPtpIpPresence | undefined) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> => {
    const name = path.replace(/^\/_emulator\/?/, '').replace(/\/$/, '');
    if (name === '' && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      send(res, 200, thetaEmulatorState(device, ptpip()));
      return true;
    }
    const request = `emulator_${name}`;
    if (name !== 'power' && name !== 'wake' && name !== 'sleep') {
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
    if (name !== 'power') {
      req.resume();
      try {
        if (name === 'wake') device.wake();
        else device.sleep();
        await ptpip()?.settled();
      } catch (err) {
        send(res, 400, { request, error: err instanceof Error ? err.message : String(err) });
        return true;
      }
      send(res, 200, { request, status: 'Ok' });
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
    try {
      if (on) device.switchOn();
      else await device.switchOff();
      await ptpip()?.settled();
    } catch (err) {
      send(res, 400, { request, error: err instanceof Error ? err.message : String(err) });
      return true;
    }
    send(res, 200, { request, status: 'Ok' });
    return true;
  };
}

/**
 * The emulated THETA's own controls, beside the shared ones (controls.ts: routing, reply shapes,
 * and the `link` control), under `/_emulator/` on its HTTP port (not part of the camera's API; a
 * real camera answers 404 there):
 *
 *   GET  /_emulator                        state of the simulation (API level, PTP/IP power, link)
 *   POST /_emulator/power {"on": true}     switch the camera on again after a PTP PowerDown
 *                         {"on": false}    switch it off, as its power button would
 *
 * Power concerns the PTP/IP face: off, its connections drop and it answers no more (as the S
 * over USB once PowerDown is done); the OSC face stays up, since these controls live on its port.
 */
import type { ThetaDevice } from '../devices/theta/device.js';
import { ControlUnavailable, type ControlAction } from './controls.js';
import type { EmulatedLink } from './link.js';

/** The emulator's power switch (the PTP/IP face's, when it has one). */
export interface ThetaPowerSwitch {
  readonly on: boolean;
  switchOff(): Promise<void>;
  switchOn(): Promise<void>;
}

/** The body of `GET /_emulator`; `power` is undefined without a PTP/IP face. */
export function thetaEmulatorState(device: ThetaDevice, power: ThetaPowerSwitch | undefined, link: EmulatedLink): Record<string, unknown> {
  return {
    model: 'theta',
    time: new Date(device.cameraNow()).toISOString(),
    api: device.api,
    ptpip: power ? (power.on ? 'on' : 'off') : 'absent',
    link: link.options,
  };
}

/** `POST /_emulator/power {"on": boolean}`; `power` is undefined without a PTP/IP face. */
export function thetaPowerControl(power: () => ThetaPowerSwitch | undefined): ControlAction {
  return async (body) => {
    const on = body['on'];
    if (typeof on !== 'boolean') throw new Error('on must be true or false');
    const sw = power();
    if (!sw) throw new ControlUnavailable('this emulator serves no PTP/IP face to switch (start it with --ptpip-port)');
    await (on ? sw.switchOn() : sw.switchOff());
  };
}

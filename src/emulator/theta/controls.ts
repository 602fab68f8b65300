/**
 * The emulated THETA's own controls, beside the shared ones (controls.ts: routing, reply shapes,
 * and the `link` control), under `/_emulator/` on its HTTP port (not part of the camera's API; a
 * real camera answers 404 there):
 *
 *   GET  /_emulator                        state of the simulation (power, API level, PTP/IP, link)
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
 */
import type { ThetaDevice } from '../../devices/theta/device.js';
import type { ControlAction } from '../controls.js';
import type { EmulatedLink } from '../link.js';
import type { OscSessions } from './osc-sessions.js';

/** The PTP/IP face, when the emulator serves one: whether it answers. */
export interface ThetaPtpIpPresence {
  readonly on: boolean;
  /** Settles once the face has followed the camera's last power change. */
  settled(): Promise<void>;
}

/** The body of `GET /_emulator` (`api`: the OSC face's level); `ptpip` is undefined without a PTP/IP face. */
export function thetaEmulatorState(
  device: ThetaDevice,
  osc: Pick<OscSessions, 'api'>,
  ptpip: ThetaPtpIpPresence | undefined,
  link: EmulatedLink,
): Record<string, unknown> {
  return {
    model: 'theta',
    time: new Date(device.cameraNow()).toISOString(),
    api: osc.api,
    power: device.power,
    ptpip: ptpip ? (ptpip.on ? 'on' : 'off') : 'absent',
    link: link.options,
  };
}

/** `power`, `wake` and `sleep`, each settled on the PTP/IP face (when there is one) before the reply. */
export function thetaPowerControls(
  device: ThetaDevice,
  ptpip: () => ThetaPtpIpPresence | undefined,
): Record<string, ControlAction> {
  return {
    power: async (body) => {
      const on = body['on'];
      if (typeof on !== 'boolean') throw new Error('on must be true or false');
      if (on) device.switchOn();
      else await device.switchOff();
      await ptpip()?.settled();
    },
    wake: async () => {
      device.wake();
      await ptpip()?.settled();
    },
    sleep: async () => {
      device.sleep();
      await ptpip()?.settled();
    },
  };
}

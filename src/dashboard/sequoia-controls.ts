/**
 * The Sequoia's own controls that are not settings of the Camera API — the magnetometer
 * calibration walk-through, the Wi-Fi access point and manual exposure per sensor — for the
 * dashboard's `/api/cameras/:id/sequoia/…` routes. They go through the same Sequoia client the
 * CLI's `calibrate`, `wifi` and `manual` commands use (`SequoiaCamera.client`), so the page
 * and the CLI drive the camera the same way; its errors become Camera errors (camera's words).
 */
import { CameraError } from '../camera/errors.js';
import { SequoiaCamera } from '../camera/sequoia.js';
import { toCameraError } from '../camera/to-camera-error.js';
import type { Camera } from '../camera/types.js';
import { MONO_BANDS } from '../sequoia/types.js';
import type { SequoiaAnswer, SequoiaCalibration, SequoiaManual, SequoiaWifi } from './api-types.js';
import { DashboardError } from './errors.js';

const TARGETS = ['body', 'sunshine', 'radiometric'] as const;

/**
 * Answers `GET|POST sequoia/<action>` for a camera, or throws NOT_FOUND for an unknown action,
 * UNSUPPORTED for a camera that is not a Sequoia.
 */
export async function sequoiaControl(
  camera: Camera,
  method: string,
  action: string,
  readBody: () => Promise<unknown>,
  signal: AbortSignal,
): Promise<SequoiaCalibration | SequoiaWifi | SequoiaManual | SequoiaAnswer> {
  if (!(camera instanceof SequoiaCamera)) {
    throw new CameraError(
      'UNSUPPORTED',
      `calibration, Wi-Fi and manual exposure are controls of the Parrot Sequoia; this camera is ${camera.protocol}://`,
    );
  }
  const client = camera.client;
  const o = { signal };
  try {
    switch (`${method} ${action}`) {
      case 'GET calibration': {
        const c = await client.getCalibration(o);
        return { body: c.body, sunshine: c.sunshine };
      }
      case 'POST calibration/start':
      case 'POST calibration/stop': {
        const target = ((await readBody()) as { target?: unknown }).target;
        if (target !== undefined && !(TARGETS as readonly unknown[]).includes(target)) {
          throw new DashboardError(
            'ERR_CAMCTL_DASHBOARD_BAD_REQUEST',
            `target must be one of ${TARGETS.join(', ')} (none: body and sunshine sensor)`,
          );
        }
        const r = await client.calibrate(
          action.endsWith('start') ? 'start' : 'stop',
          target as (typeof TARGETS)[number] | undefined,
          o,
        );
        return { results: { [typeof target === 'string' ? target : 'calibration']: r.status || 'Ok' } };
      }
      case 'GET wifi': {
        const w = await client.getWifi(o);
        return { ssid: w.ssid, status: w.status };
      }
      case 'POST wifi': {
        const { ssid, status } = (await readBody()) as { ssid?: unknown; status?: unknown };
        if (ssid === undefined && status === undefined)
          throw new DashboardError(
            'ERR_CAMCTL_DASHBOARD_BAD_REQUEST',
            'give {"ssid": "NAME"} and/or {"status": "on"|"off"}',
          );
        if (ssid !== undefined && (typeof ssid !== 'string' || ssid === '' || Buffer.byteLength(ssid) > 32)) {
          throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'the Wi-Fi name must be 1 to 32 bytes');
        }
        if (status !== undefined && status !== 'on' && status !== 'off')
          throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', 'Wi-Fi status must be "on" or "off"');
        const values: { ssid?: string; status?: 'on' | 'off' } = {};
        if (typeof ssid === 'string') values.ssid = ssid;
        if (status === 'on' || status === 'off') values.status = status;
        return { results: await client.setWifi(values, o) };
      }
      case 'GET manual': {
        const { request: _r, ...m } = await client.getManualMode(o);
        return m;
      }
      case 'POST manual':
        return {
          results: await client.setManualMode(
            manualValues((await readBody()) as { values?: unknown }) as Parameters<typeof client.setManualMode>[0],
            o,
          ),
        };
      default:
        throw new DashboardError('ERR_CAMCTL_DASHBOARD_NOT_FOUND', `no Sequoia control ${method} ${action}`);
    }
  } catch (err) {
    throw err instanceof DashboardError ? err : toCameraError(err);
  }
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{values: {rgb?: {mode?, exp_us?, iso?}, monochrome?: {mode?, <band>?: {exp_us?, iso?}}}}`, checked leaf by leaf. */
function manualValues(body: { values?: unknown }): Tree {
  const values = body.values;
  if (!isTree(values) || Object.keys(values).length === 0)
    throw new DashboardError(
      'ERR_CAMCTL_DASHBOARD_BAD_REQUEST',
      'give {"values": {"rgb": {"mode": "manual", "exp_us": 2530, "iso": 200}, …}}',
    );
  const out: Tree = {};
  const exposure = (where: string, v: unknown, keys: readonly string[]): Tree => {
    if (!isTree(v)) throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', `${where} must be an object`);
    const t: Tree = {};
    for (const [k, x] of Object.entries(v)) {
      if (!keys.includes(k))
        throw new DashboardError(
          'ERR_CAMCTL_DASHBOARD_BAD_REQUEST',
          `unknown key ${where}.${k} (known: ${keys.join(', ')})`,
        );
      if (k === 'mode') {
        if (x !== 'auto' && x !== 'manual')
          throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', `${where}.mode must be auto or manual`);
        t[k] = x;
      } else if ((MONO_BANDS as readonly string[]).includes(k)) t[k] = exposure(`${where}.${k}`, x, ['exp_us', 'iso']);
      else {
        if (typeof x !== 'number' || !Number.isInteger(x) || x <= 0)
          throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', `${where}.${k} must be a positive whole number`);
        t[k] = x;
      }
    }
    return t;
  };
  for (const [k, v] of Object.entries(values)) {
    if (k === 'rgb') out[k] = exposure('rgb', v, ['mode', 'exp_us', 'iso']);
    else if (k === 'monochrome') out[k] = exposure('monochrome', v, ['mode', ...MONO_BANDS]);
    else throw new DashboardError('ERR_CAMCTL_DASHBOARD_BAD_REQUEST', `unknown sensor ${k}: rgb or monochrome`);
  }
  return out;
}

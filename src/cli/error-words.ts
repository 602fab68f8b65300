/**
 * Expected failures said in the user's words: what happened, in camera terms, and what to do next
 * (a wrong kind of camera at the address → which scheme to try; nothing listening → is the camera
 * on and this computer on its Wi-Fi?). The protocol's own text stays available as the detail that
 * `-v` prints and `--json` carries (`error.detail`).
 *
 * The rules read the error's `code` and its `cause` chain (HTTP parser codes, the request path,
 * the OSC command), never the wording of a message, so they hold whatever the lower layers say.
 */
import { parseCameraAddress, type NetworkAddress } from '../camera/address.js';
import { CameraError } from '../camera/errors.js';

/** Where the camera was reached: the address given with `--camera`. */
export interface ErrorScene {
  camera: string | undefined;
  /** `--timeout` in ms, to say how long camctl waited. */
  timeoutMs?: number;
  /** The error came while connecting (before the command's first exchange). */
  opening?: boolean;
}

/** The error and every `cause` below it. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && out.length < 10; e = (e as { cause?: unknown }).cause)
    out.push(e);
  return out;
}

function field(e: unknown, name: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[name] : undefined;
}

function networkAddress(camera: string | undefined): NetworkAddress | undefined {
  if (!camera) return undefined;
  try {
    const a = parseCameraAddress(camera);
    return a.kind === 'network' ? a : undefined;
  } catch {
    return undefined;
  }
}

/** The host and port as a person types them (IPv6 in brackets). */
function hostPort(a: NetworkAddress): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** Which Wi-Fi to join, per kind of camera (the cameras' documented defaults). */
const WIFI_HINT: Readonly<Record<string, string>> = {
  sequoia: 'its access point is named Sequoia_XXXX and the camera is 192.168.47.1',
  theta: 'its access point is named THETA<serial>.OSC and the camera is 192.168.1.1',
  ptpip: 'PTP/IP listens on port 15740',
};

/** A camera path named by a Sequoia request path (`/file/internal/0002` → `/internal/0002`). */
function sequoiaCameraPath(requestPath: string): string | undefined {
  const m = /^\/(?:file|delete|download)(\/.*)?$/.exec(requestPath);
  return m ? (m[1] ?? '/') : undefined;
}

/**
 * The user's words for a coded error, or `undefined` when its own message already says it.
 *
 * @example
 * inUserWords(err, { camera: 'sequoia://192.168.1.1' })
 * // '192.168.1.1:80 answers in HTTP but is not a Parrot Sequoia; a RICOH THETA? try theta://192.168.1.1:80'
 */
export function inUserWords(err: unknown, scene: ErrorScene): string | undefined {
  // Only the camera's failures: an object store's (sync --to s3://) already say where and what.
  if (!(err instanceof CameraError)) return undefined;
  const causes = chain(err);
  const address = networkAddress(scene.camera);
  if (address) {
    const hp = hostPort(address);
    const scheme = address.scheme;
    const notHttp = causes.some((c) => String(field(c, 'code') ?? '').startsWith('HPE_'));
    if ((scheme === 'sequoia' || scheme === 'theta') && notHttp) {
      return `${hp} answers, but not in HTTP, so it is no ${scheme === 'sequoia' ? 'Parrot Sequoia' : 'RICOH THETA'} API port; a PTP/IP port? try ptpip://${hp}`;
    }
    if (scheme === 'ptpip' && err.code === 'PROTOCOL' && scene.opening) {
      return `${hp} answers, but not in PTP/IP (a web server?); try sequoia://${hp} for a Parrot Sequoia or theta://${hp} for a RICOH THETA`;
    }
    if (
      scheme === 'sequoia' &&
      causes.some(
        (c) => field(c, 'name') === 'SequoiaError' && field(c, 'path') === '/version' && field(c, 'httpStatus') === 404,
      )
    ) {
      return `${hp} answers in HTTP but is not a Parrot Sequoia (it has no /version); a RICOH THETA? try theta://${hp}`;
    }
    if (
      scheme === 'theta' &&
      causes.some(
        (c) =>
          field(c, 'name') === 'OscClientError' &&
          field(field(c, 'details'), 'command') === 'info' &&
          field(field(c, 'details'), 'status') === 404,
      )
    ) {
      return `${hp} answers in HTTP but not with the Open Spherical Camera API of a RICOH THETA; a Parrot Sequoia? try sequoia://${hp}`;
    }
    if (err.code === 'UNREACHABLE') {
      const hint = WIFI_HINT[scheme];
      return `camera unreachable at ${hp}: nothing answers there. Is the camera switched on, and this computer joined to its Wi-Fi${hint ? ` (${hint})` : ''}?`;
    }
    if (err.code === 'TIMEOUT' && scene.timeoutMs !== undefined) {
      return `the camera at ${hp} did not answer within ${scene.timeoutMs / 1000} s: is it in Wi-Fi range and awake? A slow link may need a longer --timeout`;
    }
  }
  if (err.code === 'NOT_FOUND') {
    for (const c of causes) {
      const requestPath = field(c, 'path');
      const cameraPath =
        typeof requestPath === 'string' && field(c, 'name') === 'SequoiaError'
          ? sequoiaCameraPath(requestPath)
          : undefined;
      if (cameraPath !== undefined) {
        const parent = cameraPath.split('/').slice(0, -1).join('/') || '/';
        return `no ${cameraPath} on the camera; camctl ls ${parent} lists what is there`;
      }
    }
  }
  return undefined;
}

/** One table for the error codes crossing the Camera layer (docs/architecture.md: errors are classes with a stable code). */
import { describe, expect, it } from 'vitest';
import { CameraError, CameraSettingError } from '../../src/camera/errors.js';
import { toCameraError } from '../../src/camera/to-camera-error.js';
import { OscClientError, type OscClientErrorCode } from '../../src/osc/errors.js';
import { SequoiaError, SequoiaSettingError, type SequoiaErrorCode } from '../../src/sequoia/client-errors.js';

describe('Sequoia errors become Camera errors', () => {
  it.each<[SequoiaErrorCode, number | undefined, string]>([
    ['ERR_CAMCTL_SEQUOIA_UNREACHABLE', undefined, 'UNREACHABLE'],
    ['ERR_CAMCTL_SEQUOIA_TIMEOUT', undefined, 'TIMEOUT'],
    ['ERR_CAMCTL_SEQUOIA_ABORTED', undefined, 'ABORTED'],
    ['ERR_CAMCTL_SEQUOIA_CONNECTION_LOST', undefined, 'CONNECTION_LOST'],
    ['ERR_CAMCTL_SEQUOIA_NOT_FOUND', 404, 'NOT_FOUND'],
    ['ERR_CAMCTL_SEQUOIA_BAD_REPLY', undefined, 'PROTOCOL'],
    ['ERR_CAMCTL_SEQUOIA_REPLY_TOO_LARGE', undefined, 'PROTOCOL'],
    ['ERR_CAMCTL_SEQUOIA_CAMERA_ERROR', undefined, 'CAMERA_ERROR'],
    ['ERR_CAMCTL_SEQUOIA_CAMERA_ERROR', 409, 'BUSY'],
    ['ERR_CAMCTL_SEQUOIA_HTTP_STATUS', 500, 'CAMERA_ERROR'],
    ['ERR_CAMCTL_SEQUOIA_SIZE_MISMATCH', undefined, 'SIZE_MISMATCH'],
    ['ERR_CAMCTL_SEQUOIA_BAD_ARGUMENT', undefined, 'BAD_PATH'],
    ['ERR_CAMCTL_SEQUOIA_CLOSED', undefined, 'CLOSED'],
  ])('%s (HTTP %s) → %s, keeping text and cause', (code, httpStatus, expected) => {
    const original = new SequoiaError(code, `msg ${code}`, {
      deviceMessage: 'Not available',
      ...(httpStatus ? { httpStatus } : {}),
    });
    const mapped = toCameraError(original) as CameraError;
    expect(mapped).toBeInstanceOf(CameraError);
    expect(mapped.code).toBe(expected);
    expect(mapped.message).toBe(`msg ${code}`);
    expect(mapped.deviceMessage).toBe('Not available');
    expect(mapped.deviceCode).toBe(httpStatus);
    expect(mapped.cause).toBe(original);
  });

  it('keeps Camera errors and foreign errors as they are', () => {
    const c = new CameraError('BUSY', 'x');
    expect(toCameraError(c)).toBe(c);
    const e = new RangeError('y');
    expect(toCameraError(e)).toBe(e);
  });

  it('setting errors list every key', () => {
    const s = new SequoiaSettingError({ a: 'Ok', b: 'Bad value' }, '/config');
    expect(s.message).toBe('camera rejected b (Bad value)');
    const c = new CameraSettingError([
      { key: 'a', ok: true, message: 'Ok' },
      { key: 'b', ok: false, message: 'Bad value' },
    ]);
    expect(c.code).toBe('REJECTED');
    expect(c.message).toBe('camera rejected b (Bad value)');
    expect(c.deviceMessage).toBe('Bad value');
  });
});

describe('OSC errors become Camera errors', () => {
  it.each<[OscClientErrorCode, string | undefined, string]>([
    ['ERR_CAMCTL_OSC_CAMERA_ERROR', 'disabledCommand', 'BUSY'],
    ['ERR_CAMCTL_OSC_CAMERA_ERROR', 'invalidParameterValue', 'BAD_VALUE'],
    ['ERR_CAMCTL_OSC_CAMERA_ERROR', 'unknownCommand', 'CAMERA_ERROR'],
    ['ERR_CAMCTL_OSC_TIMEOUT', undefined, 'TIMEOUT'],
    ['ERR_CAMCTL_OSC_ABORTED', undefined, 'ABORTED'],
    ['ERR_CAMCTL_OSC_UNREACHABLE', undefined, 'UNREACHABLE'],
    ['ERR_CAMCTL_OSC_AUTH', undefined, 'CAMERA_ERROR'],
    ['ERR_CAMCTL_OSC_UNSUPPORTED', undefined, 'UNSUPPORTED'],
    ['ERR_CAMCTL_OSC_PROTOCOL', undefined, 'PROTOCOL'],
    ['ERR_CAMCTL_OSC_HTTP', undefined, 'PROTOCOL'],
  ])('%s (%s) → %s, keeping the camera’s code, status and the cause', (code, oscCode, expected) => {
    const original = new OscClientError(code, `msg ${code}`, { status: 400, ...(oscCode ? { oscCode } : {}) });
    const mapped = toCameraError(original) as CameraError;
    expect(mapped).toBeInstanceOf(CameraError);
    expect(mapped.code).toBe(expected);
    expect(mapped.message).toBe(`msg ${code}`);
    expect(mapped.deviceCode).toBe(oscCode);
    expect(mapped.deviceHttpStatus).toBe(400);
    expect(mapped.cause).toBe(original);
  });
});

describe('the dashboard answers a camera error with the camera’s status class', () => {
  it.each<[number, number]>([
    [400, 400], // "Invalid path"
    [404, 404],
    [413, 413],
    [401, 502], // the dashboard's credentials to the camera are not the page's business
    [408, 504],
    [500, 502],
    [507, 502],
  ])('camera HTTP %s → dashboard %s, keeping the camera’s words', async (camera, dashboard) => {
    const { httpStatusOf } = await import('../../src/dashboard/errors.js');
    const mapped = toCameraError(
      new SequoiaError('ERR_CAMCTL_SEQUOIA_HTTP_STATUS', 'GET /file/internal/x: Invalid path', {
        httpStatus: camera,
        deviceMessage: 'Invalid path',
      }),
    ) as CameraError;
    expect(mapped.deviceHttpStatus).toBe(camera);
    expect(httpStatusOf(mapped)).toBe(dashboard);
    expect(mapped.message).toContain('Invalid path');
  });
});

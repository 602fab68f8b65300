/**
 * Address parsing only: the cameras' real addresses below are strings that are parsed and
 * normalised, never connected to. A guard makes that a checked fact: any TCP connect from this
 * file fails the test.
 */
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseCameraAddress } from '../../src/camera/address.js';
import { CameraError } from '../../src/camera/errors.js';

const connect = vi.fn(() => {
  throw new Error('address tests must not open a socket');
});
beforeAll(() => {
  vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(connect);
});
afterAll(() => {
  vi.restoreAllMocks();
  expect(connect).not.toHaveBeenCalled();
});

describe('parseCameraAddress', () => {
  it.each([
    ['sequoia://192.168.47.1', 'sequoia', '192.168.47.1', 80, 'sequoia://192.168.47.1:80'],
    ['sequoia://127.0.0.1:8080', 'sequoia', '127.0.0.1', 8080, 'sequoia://127.0.0.1:8080'],
    ['SEQUOIA://localhost:80', 'sequoia', 'localhost', 80, 'sequoia://localhost:80'],
    ['ptpip://192.168.1.1', 'ptpip', '192.168.1.1', 15740, 'ptpip://192.168.1.1:15740'],
    ['ptpip://[::1]:15741', 'ptpip', '::1', 15741, 'ptpip://[::1]:15741'],
    ['theta://192.168.1.1/', 'theta', '192.168.1.1', 80, 'theta://192.168.1.1:80'],
  ])('%s', (text, scheme, host, port, href) => {
    const a = parseCameraAddress(text);
    expect(a).toMatchObject({ kind: 'network', scheme, host, port, href });
  });

  it('keeps the written port, even the default one', () => {
    expect(parseCameraAddress('sequoia://h:80')).toMatchObject({ port: 80, explicitPort: true });
    expect(parseCameraAddress('sequoia://h')).toMatchObject({ port: 80, explicitPort: false });
  });

  it('takes credentials for digest auth and leaves them out of href', () => {
    const a = parseCameraAddress('theta://THETAYL00105377:00105377@192.168.1.5');
    expect(a).toMatchObject({ username: 'THETAYL00105377', password: '00105377', href: 'theta://192.168.1.5:80' });
  });

  it('parses usb addresses', () => {
    expect(parseCameraAddress('usb:')).toEqual({ kind: 'usb', scheme: 'usb', href: 'usb:' });
    expect(parseCameraAddress('usb:001:004')).toEqual({
      kind: 'usb',
      scheme: 'usb',
      bus: 1,
      device: 4,
      href: 'usb:001:004',
    });
  });

  it.each([
    '',
    '192.168.47.1',
    'sequoia:192.168.47.1',
    'sequoia://',
    'sequoia://host:0',
    'sequoia://host:99999',
    'sequoia://host:abc',
    'sequoia://host/path',
    'sequoia://host?x=1',
    'foo://host',
    'usb:1',
    'usb:1:2:3',
    'usb:300:1',
  ])('rejects %j with BAD_ADDRESS', (text) => {
    let err: unknown;
    try {
      parseCameraAddress(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CameraError);
    expect((err as CameraError).code).toBe('BAD_ADDRESS');
    expect((err as CameraError).message).toContain('invalid camera address');
  });
});

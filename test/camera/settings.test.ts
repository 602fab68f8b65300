import { describe, expect, it } from 'vitest';
import { checkSettings, parseSettingValue } from '../../src/camera/settings.js';
import type { Setting } from '../../src/camera/types.js';
import { openCamera, registerCameraScheme, unregisterCameraScheme } from '../../src/camera/open.js';
import type { Camera } from '../../src/camera/types.js';

const depth: Setting = {
  key: 'bit_depth',
  label: 'Bit depth',
  type: 'integer',
  value: 10,
  allowed: [8, 10],
  writable: true,
};
const period: Setting = {
  key: 'period',
  label: 'Period',
  type: 'number',
  value: 1,
  range: { min: 0.5, max: 3600 },
  unit: 's',
  writable: true,
};
const mode: Setting = {
  key: 'mode',
  label: 'Mode',
  type: 'enum',
  value: 'single',
  allowed: ['single', 'timelapse'],
  writable: true,
};
const res: Setting = { key: 'res', label: 'Resolution', type: 'enum', value: 1.2, allowed: [0.3, 1.2], writable: true };
const ssid: Setting = { key: 'ssid', label: 'SSID', type: 'string', value: 'x', maxBytes: 4, writable: true };
const serial: Setting = { key: 'serial', label: 'Serial', type: 'string', value: 'x', writable: false };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('parseSettingValue', () => {
  it('converts text to the setting type', () => {
    expect(parseSettingValue(depth, '8')).toBe(8);
    expect(parseSettingValue(period, '2.5')).toBe(2.5);
    expect(parseSettingValue(mode, 'timelapse')).toBe('timelapse');
    expect(parseSettingValue(res, '0.3')).toBe(0.3);
    expect(parseSettingValue(ssid, 'abcd')).toBe('abcd');
  });
  it.each([
    [depth, '9'],
    [depth, '8.5'],
    [depth, ''],
    [period, '0.1'],
    [period, 'abc'],
    [mode, 'burst'],
    [res, '16'],
    [ssid, 'abcdé'],
    [serial, 'y'],
  ])('rejects %o = %j with BAD_VALUE', (s, t) => {
    expect(code(() => parseSettingValue(s, t))).toBe('BAD_VALUE');
  });
  it('names the allowed values and range in its message', () => {
    expect(() => parseSettingValue(depth, '9')).toThrow('bit_depth must be one of 8, 10, got 9');
    expect(() => parseSettingValue(period, '0.1')).toThrow('period must be between 0.5 and 3600 s, got 0.1');
  });
});

describe('checkSettings', () => {
  it('rejects unknown keys', () => {
    expect(code(() => checkSettings([depth], { nope: 1 }))).toBe('UNKNOWN_SETTING');
    expect(code(() => checkSettings([depth], { bit_depth: 8 }))).toBeUndefined();
  });
});

describe('openCamera', () => {
  it('uses a registered factory and reports unknown schemes', async () => {
    const fake = { protocol: 'fake' } as unknown as Camera;
    registerCameraScheme('fake', async (a) => {
      expect(a).toMatchObject({ scheme: 'fake', host: 'h', port: 9 });
      return fake;
    });
    try {
      await expect(openCamera('fake://h:9')).resolves.toBe(fake);
    } finally {
      unregisterCameraScheme('fake');
    }
    await expect(openCamera('nothere://h:9')).rejects.toMatchObject({ code: 'UNKNOWN_SCHEME' });
  });
});

describe('Sequoia settings descriptions', () => {
  it('read the firmware placeholders as no value', async () => {
    const { describeConfig } = await import('../../src/camera/sequoia-settings.js');
    const settings = describeConfig({
      request: 'get_config',
      capture_mode: 'timelapse',
      timelapse_param: 2.5,
      gps_param: 'Nogpsparam',
      overlap_param: 'Noautoparam',
      resolution_rgb: 16,
      resolution_mono: 1.2,
      bit_depth: 10,
      sensors_mask: 31,
      storage_selected: 'internal',
      auto_select: 'off',
    });
    const value = (k: string) => settings.find((s) => s.key === k)?.value;
    expect(value('timelapse_param')).toBe(2.5);
    expect(value('gps_param')).toBeNull();
    expect(value('overlap_param')).toBeNull();
    expect(settings.map((s) => s.key)).toHaveLength(10);
  });
});

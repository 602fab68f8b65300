/**
 * The emulated THETA S's properties and operations over PTP/IP, checked against RICOH's THETA USB
 * API reference for the S (the table in theta-s-props.ts) and a THETA S's own DeviceInfo: every
 * property, its type, access, default and form; forms that follow the exposure program and the
 * image size; the OSC options behind them, both ways; ResetDevicePropValue; PowerDown and the
 * emulator's power switch; and Debian's gphoto2 reading and writing them.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startThetaEmulator,
  type RunningThetaEmulator,
  type ThetaEmulatorOptions,
} from '../../src/emulator/theta/emulator.js';
import {
  decodeDeviceInfo,
  valueAllowed,
  type DevicePropDesc,
  type PropForm,
  type PtpValue,
} from '../../src/ptp/codec.js';
import { ALL, DataType, Ev, Op, Prop, Resp } from '../../src/ptp/codes.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { RicohCaptureMode, RicohProp } from '../../src/ptp/vendors/ricoh.js';
import { ManualClock } from '../../src/util/clock.js';
import {
  GPHOTO2_GENERIC_NAMES,
  GPHOTO2_PROPERTY_LABELS,
  otherEntry,
  parseListAllConfig,
  printfG,
  tableName,
  type Gphoto2Entry,
} from './gphoto2-config.js';
import { nextEvent } from './next-event.js';
import { GET_DEVICE_INFO } from './theta-s-dumps.js';
import {
  S_ISO,
  S_SHUTTER_MANUAL,
  THETA_S_PROPS,
  THETA_S_PROPS_BEFORE_0182,
  THETA_S_PROPS_CURRENT,
  THETA_S_PROPS_SINCE_0182,
  rational,
} from './theta-s-props.js';

const run = promisify(execFile);
const hasGphoto2 = await run('gphoto2', ['--version']).then(
  () => true,
  () => false,
);
if (!hasGphoto2 && process.env.CI === 'true') throw new Error('gphoto2 is required on CI (apt-get install -y gphoto2)');
if (!hasGphoto2)
  console.warn('skipping THETA gphoto2 property tests: gphoto2 is not installed (apt-get install -y gphoto2)');

let dir: string;
const emus: RunningThetaEmulator[] = [];
const clients: PtpIpClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-props-'));
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  for (const e of emus.splice(0)) await e.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A THETA in its factory state, with a PTP/IP face. */
async function camera(
  options: Partial<ThetaEmulatorOptions> = {},
): Promise<{ emu: RunningThetaEmulator; port: number }> {
  const emu = await startThetaEmulator({
    dataDir: await mkdtemp(path.join(dir, 'camera-')),
    httpPort: 0,
    ptpipPort: 0,
    shotProcessingMs: 100,
    ...options,
  });
  emus.push(emu);
  return { emu, port: Number((emu.ptpip as string).split(':')[1]) };
}

async function client(port: number): Promise<PtpIpClient> {
  const c = await PtpIpClient.connect({ host: '127.0.0.1', port, name: 'camctl-test' });
  clients.push(c);
  return c;
}

/** Enumerations compared as sets (the order of a list carries no meaning in ISO 15740). */
function comparable(form: PropForm): unknown {
  if (form.kind !== 'enum') return form;
  const key = (v: PtpValue): string =>
    typeof v === 'string'
      ? v
      : BigInt(v as number)
          .toString()
          .padStart(24, '0');
  return {
    kind: 'enum',
    values: [...form.values]
      .map((v) => (typeof v === 'number' ? BigInt(v) : v))
      .sort((a, b) => key(a).localeCompare(key(b))),
  };
}
const enumOf = (d: DevicePropDesc): PtpValue[] => (d.form.kind === 'enum' ? d.form.values : []);

describe('THETA S properties over PTP against RICOH’s reference', () => {
  it.each([
    { firmware: '01.42', props: THETA_S_PROPS_BEFORE_0182 },
    { firmware: '01.90', props: THETA_S_PROPS_CURRENT },
  ])(
    'at firmware $firmware DevicePropertiesSupported is the S’s list, and every GetDevicePropDesc is the reference’s',
    async ({ firmware, props }) => {
      const { port } = await camera({ firmware });
      const c = await client(port);
      // The THETA S's own DeviceInfo (firmware 01.42); 01.82 appends what it brought.
      const real = decodeDeviceInfo(GET_DEVICE_INFO).devicePropertiesSupported;
      const listed = firmware === '01.42' ? real : [...real, ...THETA_S_PROPS_SINCE_0182.map((p) => p.code)];
      expect(c.deviceInfo!.devicePropertiesSupported).toEqual(listed);
      expect(props.map((p) => p.code)).toEqual(listed);
      for (const ref of props) {
        const d = await c.getDevicePropDesc(ref.code);
        const label = `${ref.name} (0x${ref.code.toString(16)})`;
        expect({ label, dataType: d.dataType, getSet: d.getSet }).toEqual({
          label,
          dataType: ref.dataType,
          getSet: ref.getSet,
        });
        if (ref.default !== undefined)
          expect({ label, default: d.factoryDefault }).toEqual({ label, default: ref.default });
        expect({ label, form: comparable(d.form) }).toEqual({ label, form: comparable(ref.form) });
        // The value read is one the form allows, and GetDevicePropValue agrees with the desc.
        expect({ label, allowed: valueAllowed(d, d.current) }).toEqual({ label, allowed: true });
        // A factory-fresh camera holds its factory defaults (the clock and the video counters aside).
        if (ref.getSet === 1 && ref.default !== undefined && ref.code !== Prop.DateTime)
          expect({ label, current: d.current }).toEqual({ label, current: ref.default });
        if (ref.code !== Prop.DateTime) expect(await c.getDevicePropValue(ref.code, ref.dataType)).toEqual(d.current);
      }
      expect(await c.getDevicePropValue(RicohProp.PerceivedDeviceType, DataType.UINT32)).toBe(1);
      expect(await c.getDevicePropValue(RicohProp.Passphrase, DataType.STR)).toBe(c.deviceInfo!.serialNumber);
    },
  );

  it('from firmware 01.82 colour temperature, interval composite and multi bracket settings are the OSC options, both ways', async () => {
    const { emu, port } = await camera();
    const c = await client(port);
    await c.setDevicePropValue(RicohProp.ColorTemperature, DataType.UINT16, 6500);
    expect(emu.device.getOptions(['_colorTemperature'])).toEqual({ _colorTemperature: 6500 });
    await expect(c.setDevicePropValue(RicohProp.ColorTemperature, DataType.UINT16, 6550)).rejects.toMatchObject({
      responseCode: Resp.InvalidDevicePropValue,
    });
    await c.setDevicePropValue(Prop.WhiteBalance, DataType.UINT16, 0x8007);
    expect(emu.device.getOptions(['whiteBalance'])).toEqual({ whiteBalance: '_colorTemperature' });

    await c.setDevicePropValue(RicohProp.CompositeShootingTime, DataType.UINT32, 1200);
    await c.setDevicePropValue(RicohProp.CompositeShootingOutputInterval, DataType.UINT32, 120);
    expect(emu.device.getOptions(['_compositeShootingTime', '_compositeShootingOutputInterval'])).toEqual({
      _compositeShootingTime: 1200,
      _compositeShootingOutputInterval: 120,
    });
    emu.device.setOptions({ _compositeShootingTime: 3000 });
    expect(await c.getDevicePropValue(RicohProp.CompositeShootingTime, DataType.UINT32)).toBe(3000);
    expect(await c.getDevicePropValue(RicohProp.CompositeShootingElapsedTime, DataType.UINT32)).toBe(0);

    // Each exposure: 4 reserved bytes, ColorTemperature, ExposureIndex, then the ShutterSpeed rational.
    const shot = (ct: number, iso: number, shutter: bigint): bigint =>
      (BigInt(ct) << 32n) | (BigInt(iso) << 48n) | (shutter << 64n);
    // NULL (the reference's default) while the camera uses its own exposures.
    expect(await c.getDevicePropValue(RicohProp.BracketParameters, DataType.AUINT128)).toEqual([]);
    const own = emu.device.getOptions(['_autoBracket']);
    await c.setDevicePropValue(RicohProp.BracketParameters, DataType.AUINT128, [
      shot(4000, 200, rational(1, 100)),
      shot(6500, 400, rational(1, 2)),
    ]);
    expect(emu.device.getOptions(['_autoBracket'])).toEqual({
      _autoBracket: {
        _bracketNumber: 2,
        _bracketParameters: [
          { _colorTemperature: 4000, iso: 200, shutterSpeed: 0.01 },
          { _colorTemperature: 6500, iso: 400, shutterSpeed: 0.5 },
        ],
      },
    });
    // One exposure is no bracket (2 to 13), and ISO 150 is none of the S's.
    for (const bad of [
      [shot(5000, 100, rational(1, 100))],
      [shot(5000, 150, rational(1, 100)), shot(5000, 100, rational(1, 100))],
    ])
      await expect(c.setDevicePropValue(RicohProp.BracketParameters, DataType.AUINT128, bad)).rejects.toMatchObject({
        responseCode: Resp.InvalidDevicePropValue,
      });
    expect(await c.getDevicePropValue(RicohProp.BracketParameters, DataType.AUINT128)).toEqual([
      shot(4000, 200, rational(1, 100)),
      shot(6500, 400, rational(1, 2)),
    ]);
    // A reset writes the NULL default: the camera's own exposures come back.
    await c.operation(Op.ResetDevicePropValue, [RicohProp.BracketParameters]);
    expect(await c.getDevicePropValue(RicohProp.BracketParameters, DataType.AUINT128)).toEqual([]);
    expect(emu.device.getOptions(['_autoBracket'])).toEqual(own);
  });

  it('the exposure program and image size shape the forms: ISO priority is 0x8003, shutter speeds are the S’s rationals, the interval floor follows the size', async () => {
    const { emu, port } = await camera();
    const c = await client(port);
    const desc = (code: number): Promise<DevicePropDesc> => c.getDevicePropDesc(code);

    await c.setDevicePropValue(Prop.ExposureProgramMode, DataType.UINT16, 0x8003);
    expect(emu.device.getOptions(['exposureProgram'])).toEqual({ exposureProgram: 9 });
    expect(enumOf(await desc(Prop.ExposureIndex))).toEqual(S_ISO);
    expect(enumOf(await desc(RicohProp.ShutterSpeed))).toEqual([0n]);
    await c.setDevicePropValue(Prop.ExposureIndex, DataType.UINT16, 400);
    expect(emu.device.getOptions(['iso'])).toEqual({ iso: 400 });

    await c.setDevicePropValue(Prop.ExposureProgramMode, DataType.UINT16, 1);
    expect(comparable((await desc(RicohProp.ShutterSpeed)).form)).toEqual(
      comparable({ kind: 'enum', values: S_SHUTTER_MANUAL }),
    );
    expect(enumOf(await desc(Prop.ExposureBiasCompensation))).toEqual([0]);
    await c.setDevicePropValue(RicohProp.ShutterSpeed, DataType.UINT64, rational(1, 100));
    expect(emu.device.getOptions(['shutterSpeed'])).toEqual({ shutterSpeed: 0.01 });
    emu.device.setOptions({ shutterSpeed: 1.3 });
    expect(await c.getDevicePropValue(RicohProp.ShutterSpeed, DataType.UINT64)).toBe(rational(13, 10));
    await expect(
      c.setDevicePropValue(RicohProp.ShutterSpeed, DataType.UINT64, rational(1, 25000)),
    ).rejects.toMatchObject({ responseCode: Resp.InvalidDevicePropValue });

    // Shutter priority: 1/6400 s to 1/8 s on the S.
    await c.setDevicePropValue(Prop.ExposureProgramMode, DataType.UINT16, 4);
    expect(comparable((await desc(RicohProp.ShutterSpeed)).form)).toEqual(
      comparable({ kind: 'enum', values: S_SHUTTER_MANUAL.slice(0, S_SHUTTER_MANUAL.indexOf(rational(1, 8)) + 1) }),
    );
    await c.setDevicePropValue(Prop.ExposureProgramMode, DataType.UINT16, 2);

    await c.setDevicePropValue(Prop.ImageSize, DataType.STR, '2048x1024');
    const small = await desc(Prop.TimelapseInterval);
    expect({ min: small.form.kind === 'range' ? small.form.min : undefined, default: small.factoryDefault }).toEqual({
      min: 5000,
      default: 5000,
    });
    await c.setDevicePropValue(Prop.TimelapseInterval, DataType.UINT32, 5000);
    expect(emu.device.getOptions(['captureInterval'])).toEqual({ captureInterval: 5 }); // the device's own name (OSC v2.0: _captureInterval)
    await c.setDevicePropValue(Prop.ImageSize, DataType.STR, '5376x2688');
    expect(await c.getDevicePropValue(Prop.TimelapseInterval, DataType.UINT32)).toBe(8000);

    // In video mode ImageSize offers the S's video sizes.
    await c.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, RicohCaptureMode.Video);
    expect(enumOf(await desc(Prop.ImageSize))).toEqual(['1920x960', '1280x720']);
    await c.setDevicePropValue(Prop.ImageSize, DataType.STR, '1280x720');
    expect(emu.device.getOptions(['fileFormat'])).toEqual({ fileFormat: { type: 'mp4', width: 1280, height: 720 } });
  });

  it('before firmware 01.82 the S has no colour-temperature white balance, interval composite or multi bracket', async () => {
    // white_balance.md: 0x8007 "THETA S firmware v1.82 and later"; still_capture_mode.md: 0x8003
    // and 0x8004 the same.
    const { emu, port } = await camera({ firmware: '01.42' });
    const c = await client(port);
    expect(enumOf(await c.getDevicePropDesc(Prop.WhiteBalance)).map(Number)).not.toContain(0x8007);
    expect(
      enumOf(await c.getDevicePropDesc(Prop.StillCaptureMode))
        .map(Number)
        .sort(),
    ).toEqual([RicohCaptureMode.Single, RicohCaptureMode.Interval, RicohCaptureMode.Video].sort());
    for (const [code, v] of [
      [Prop.WhiteBalance, 0x8007],
      [Prop.StillCaptureMode, RicohCaptureMode.Composite],
      [Prop.StillCaptureMode, RicohCaptureMode.MultiBracket],
    ] as const)
      await expect(c.setDevicePropValue(code, DataType.UINT16, v)).rejects.toMatchObject({
        responseCode: Resp.InvalidDevicePropValue,
      });
    expect(emu.device.getOptions(['whiteBalanceSupport'])['whiteBalanceSupport']).not.toContain('_colorTemperature');
    expect(await c.getDevicePropValue(Prop.StillCaptureMode, DataType.UINT16)).toBe(RicohCaptureMode.Single);
  });

  it('CompositeShootingElapsedTime counts an interval composite run on the device clock', async () => {
    const clock = new ManualClock();
    const { port } = await camera({ clock });
    const c = await client(port);
    await c.setDevicePropValue(RicohProp.CompositeShootingTime, DataType.UINT32, 600);
    await c.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, RicohCaptureMode.Composite);
    await c.initiateOpenCapture();
    await clock.advance(120_000);
    expect(await c.getDevicePropValue(RicohProp.CompositeShootingElapsedTime, DataType.UINT32)).toBe(120);
    expect(await c.getDevicePropValue(RicohProp.CaptureStatus, DataType.UINT8)).toBe(1);
    await c.terminateOpenCapture();
    expect(await c.getDevicePropValue(RicohProp.CompositeShootingElapsedTime, DataType.UINT32)).toBe(0);
  });

  it('white balance, filter, GPS, Wi-Fi channel, power and sleep delays are the OSC options, both ways', async () => {
    const { emu, port } = await camera();
    const c = await client(port);
    await c.setDevicePropValue(Prop.WhiteBalance, DataType.UINT16, 0x8020);
    expect(emu.device.getOptions(['whiteBalance'])).toEqual({ whiteBalance: '_warmWhiteFluorescent' });
    const wbChanged = nextEvent(c, (e) => e.code === Ev.DevicePropChanged && e.params[0] === Prop.WhiteBalance);
    emu.device.setOptions({ whiteBalance: 'shade' });
    await wbChanged;
    expect(await c.getDevicePropValue(Prop.WhiteBalance, DataType.UINT16)).toBe(0x8001);

    await c.setDevicePropValue(RicohProp.Filter, DataType.UINT8, 3);
    expect(emu.device.getOptions(['_filter'])).toEqual({ _filter: 'hdr' });
    emu.device.setOptions({ _filter: 'DR Comp' });
    expect(await c.getDevicePropValue(RicohProp.Filter, DataType.UINT8)).toBe(1);

    const fix = '35.681236,139.767125 12.50m@20250904T103045 +0900,WGS84';
    await c.setDevicePropValue(RicohProp.GpsInfo, DataType.STR, fix);
    expect(emu.device.getOptions(['gpsInfo'])).toEqual({
      gpsInfo: {
        lat: 35.681236,
        lng: 139.767125,
        _altitude: 12.5,
        _dateTimeZone: '2025:09:04 10:30:45+09:00',
        _datum: 'WGS84',
      },
    });
    expect(await c.getDevicePropValue(RicohProp.GpsInfo, DataType.STR)).toBe(fix);
    await expect(c.setDevicePropValue(RicohProp.GpsInfo, DataType.STR, 'somewhere')).rejects.toMatchObject({
      responseCode: Resp.InvalidDevicePropValue,
    });
    await c.setDevicePropValue(RicohProp.GpsInfo, DataType.STR, '');
    expect(emu.device.getOptions(['gpsInfo'])).toEqual({ gpsInfo: { lat: 65535, lng: 65535 } });

    await c.setDevicePropValue(RicohProp.ChannelNumber, DataType.UINT16, 6);
    expect(emu.device.getOptions(['_wlanChannel'])).toEqual({ _wlanChannel: 6 });
    await expect(c.setDevicePropValue(RicohProp.ChannelNumber, DataType.UINT16, 3)).rejects.toMatchObject({
      responseCode: Resp.InvalidDevicePropValue,
    });

    await c.setDevicePropValue(RicohProp.AutoPowerOffDelay, DataType.UINT8, 0);
    expect(emu.device.getOptions(['offDelay'])).toEqual({ offDelay: 65535 });
    await c.setDevicePropValue(RicohProp.AutoPowerOffDelay, DataType.UINT8, 5);
    expect(emu.device.getOptions(['offDelay'])).toEqual({ offDelay: 300 });
    // 1–59 s are taken as 60; above the S's 1800 the form refuses.
    await c.setDevicePropValue(RicohProp.SleepDelay, DataType.UINT16, 30);
    expect(await c.getDevicePropValue(RicohProp.SleepDelay, DataType.UINT16)).toBe(60);
    await expect(c.setDevicePropValue(RicohProp.SleepDelay, DataType.UINT16, 65534)).rejects.toMatchObject({
      responseCode: Resp.InvalidDevicePropValue,
    });

    await expect(c.setDevicePropValue(RicohProp.Passphrase, DataType.STR, 'short')).rejects.toMatchObject({
      responseCode: Resp.InvalidDevicePropValue,
    });
    await c.setDevicePropValue(RicohProp.Passphrase, DataType.STR, 'a longer secret');
    expect(await c.getDevicePropValue(RicohProp.Passphrase, DataType.STR)).toBe('a longer secret');
    await expect(c.setDevicePropValue(RicohProp.BatteryStatus, DataType.UINT8, 1)).rejects.toMatchObject({
      responseCode: Resp.AccessDenied,
    });
  });

  it('ErrorInfo reports insufficient memory (0x00000001) when the storage holds no more pictures, as OSC’s NO_MEMORY', async () => {
    const full = await startThetaEmulator({
      dataDir: await mkdtemp(path.join(dir, 'full-')),
      capacityBytes: 64 * 1024,
      httpPort: 0,
      ptpipPort: 0,
    });
    emus.push(full);
    const c = await client(Number((full.ptpip as string).split(':')[1]));
    expect(full.device.snapshot().cameraError).toEqual(['NO_MEMORY']);
    expect(await c.getDevicePropValue(RicohProp.ErrorInfo, DataType.UINT32)).toBe(0x00000001);
  });

  it('ResetDevicePropValue restores one property’s factory default, or every one with 0xFFFFFFFF; refused as a whole while shooting', async () => {
    const { emu, port } = await camera();
    const c = await client(port);
    const reset = (code: number): Promise<unknown> => c.operation(Op.ResetDevicePropValue, [code]);
    await c.setDevicePropValue(RicohProp.AudioVolume, DataType.UINT32, 20);
    await reset(RicohProp.AudioVolume);
    expect(emu.device.getOptions(['_shutterVolume'])).toEqual({ _shutterVolume: 100 });
    await expect(reset(Prop.BatteryLevel)).rejects.toMatchObject({ responseCode: Resp.AccessDenied });
    await expect(reset(Prop.CompressionSetting)).rejects.toMatchObject({ responseCode: Resp.DevicePropNotSupported });

    await c.setDevicePropValue(Prop.DateTime, DataType.STR, '20300102T030405+0100');
    const changed: Array<[number, number, PtpValue]> = [
      [Prop.WhiteBalance, DataType.UINT16, 0x8001],
      [RicohProp.Filter, DataType.UINT8, 2],
      [RicohProp.SleepDelay, DataType.UINT16, 600],
      [Prop.ImageSize, DataType.STR, '2048x1024'],
      [Prop.TimelapseInterval, DataType.UINT32, 6000],
      [Prop.ExposureProgramMode, DataType.UINT16, 1],
      [Prop.ExposureIndex, DataType.UINT16, 800],
      [Prop.StillCaptureMode, DataType.UINT16, RicohCaptureMode.Interval],
      [RicohProp.Passphrase, DataType.STR, 'another secret'],
      [RicohProp.ColorTemperature, DataType.UINT16, 7000],
      [RicohProp.CompositeShootingTime, DataType.UINT32, 1800],
      [RicohProp.CompositeShootingOutputInterval, DataType.UINT32, 60],
      [
        RicohProp.BracketParameters,
        DataType.AUINT128,
        [
          (1n << 64n) * rational(1, 100) + (100n << 48n) + (5000n << 32n),
          (1n << 64n) * rational(1, 50) + (100n << 48n) + (5000n << 32n),
        ],
      ],
    ];
    for (const [code, type, v] of changed) await c.setDevicePropValue(code, type, v);

    // An interval run is shooting: the reset is refused and changes nothing.
    await c.initiateOpenCapture();
    await expect(reset(ALL)).rejects.toMatchObject({ responseCode: Resp.DeviceBusy });
    for (const [code, type, v] of changed) expect(await c.getDevicePropValue(code, type)).toEqual(v);
    await c.terminateOpenCapture();

    await reset(ALL);
    for (const ref of THETA_S_PROPS_CURRENT.filter((p) => p.getSet === 1 && p.default !== undefined)) {
      expect({ name: ref.name, value: await c.getDevicePropValue(ref.code, ref.dataType) }).toEqual({
        name: ref.name,
        value: ref.default,
      });
    }
    expect(await c.getDevicePropValue(Prop.ImageSize, DataType.STR)).toBe('5376x2688');
    expect(await c.getDevicePropValue(RicohProp.Passphrase, DataType.STR)).toBe(c.deviceInfo!.serialNumber);
    // The clock is no setting: it keeps its time.
    expect(String(await c.getDevicePropValue(Prop.DateTime, DataType.STR))).toMatch(/^20300102T03/);
  });

  it('PowerDown answers OK, then the camera is off (connection dropped, no answer) until POST /_emulator/power {"on": true}', async () => {
    const { emu, port } = await camera();
    const c = await client(port);
    const guid = Buffer.from(c.transport.responder.guid).toString('hex');

    // Not while a picture is being taken: it would be lost.
    const job = emu.device.takePicture();
    await expect(c.operation(Op.PowerDown)).rejects.toMatchObject({ responseCode: Resp.DeviceBusy });
    await job.finished;

    const dropped = once(c.session, 'closed');
    const r = await c.operation(Op.PowerDown);
    expect(r.response.code).toBe(Resp.OK);
    await dropped;
    await expect(PtpIpClient.connect({ host: '127.0.0.1', port, name: 'camctl-test' })).rejects.toMatchObject({
      code: 'ERR_CAMCTL_PTP_CLOSED',
      message: expect.stringMatching(/cannot connect/),
    });
    expect(await (await fetch(`${emu.url}/_emulator`)).json()).toMatchObject({ model: 'theta', ptpip: 'off' });

    const power = (body: string): Promise<Response> => fetch(`${emu.url}/_emulator/power`, { method: 'POST', body });
    expect((await power('{"on": "yes"}')).status).toBe(400);
    expect((await power('not json')).status).toBe(400);
    expect((await fetch(`${emu.url}/_emulator/power`)).status).toBe(405);
    expect((await fetch(`${emu.url}/_emulator/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
    const on = await power('{"on": true}');
    expect(await on.json()).toEqual({ request: 'emulator_power', status: 'Ok' });

    const again = await client(port);
    expect(Buffer.from(again.transport.responder.guid).toString('hex')).toBe(guid);
    expect(again.deviceInfo!.model).toBe('RICOH THETA S');
    // Switched off by the control too, as by the power button.
    expect((await power('{"on": false}')).status).toBe(200);
    await expect(PtpIpClient.connect({ host: '127.0.0.1', port, name: 'camctl-test' })).rejects.toMatchObject({
      code: 'ERR_CAMCTL_PTP_CLOSED',
      message: expect.stringMatching(/cannot connect/),
    });
    await power('{"on": true}');
  });

  describe.skipIf(!hasGphoto2)('gphoto2', () => {
    const gphoto2 = async (port: number, ...args: string[]): Promise<string> => {
      const { stdout } = await run('gphoto2', ['--port', `ptpip:127.0.0.1:${port}:${port}`, ...args], {
        cwd: dir,
        timeout: 60_000,
        // gphoto2 reads the camera's date as local time: UTC keeps it the date the camera served.
        env: { ...process.env, TZ: 'UTC' },
      });
      return stdout;
    };

    it('--list-all-config shows every entry as the camera serves it; Ricoh’s own values are "Unknown value" to gphoto2', async () => {
      // A camera clock that stands still, so the date gphoto2 reads is the one the camera serves.
      const { emu, port } = await camera({ clock: new ManualClock() });
      // --list-all-config ignores --port unless the model is named too (gphoto2 2.5.28 auto-detects otherwise).
      const entries = parseListAllConfig(await gphoto2(port, '--camera', 'PTP/IP Camera', '--list-all-config'));
      const c = await client(port);
      const info = c.deviceInfo!;
      const desc = new Map<number, DevicePropDesc>();
      for (const ref of THETA_S_PROPS_CURRENT) desc.set(ref.code, await c.getDevicePropDesc(ref.code));
      const d = (code: number): DevicePropDesc => desc.get(code)!;
      const values = (code: number): number[] => enumOf(d(code)).map(Number);
      const radio = (label: string, code: number, table: Readonly<Record<number, string>>): Gphoto2Entry => ({
        label,
        readonly: false,
        type: 'RADIO',
        current: tableName(table, Number(d(code).current)),
        choices: values(code).map((v) => tableName(table, v)),
      });
      const text = (label: string, current: string): Gphoto2Entry => ({
        label,
        readonly: true,
        type: 'TEXT',
        current,
        choices: [],
      });
      const toggle = (label: string): Gphoto2Entry => ({
        label,
        readonly: false,
        type: 'TOGGLE',
        current: '2',
        choices: [],
      });
      const delay = d(Prop.CaptureDelay).form as { min: number; max: number; step: number };
      const delays: string[] = [];
      for (let ms = delay.min; ms <= delay.max; ms += delay.step) delays.push(`${(ms / 1000).toFixed(3)}s`);
      const volume = d(RicohProp.AudioVolume);

      const expected = new Map<string, Gphoto2Entry>([
        ['/main/actions/powerdown', toggle('Power Down')],
        ['/main/actions/bulb', toggle('Bulb Mode')],
        ['/main/actions/movie', toggle('Movie Capture')],
        [
          '/main/actions/opcode',
          { label: 'PTP Opcode', readonly: false, type: 'TEXT', current: '0x1001,0xparam1,0xparam2', choices: [] },
        ],
        [
          '/main/settings/datetime',
          {
            label: 'Camera Date and Time',
            readonly: false,
            type: 'DATE',
            current: String(emu.device.cameraNow() / 1000),
            choices: [],
          },
        ],
        ['/main/status/serialnumber', text('Serial Number', info.serialNumber)],
        ['/main/status/manufacturer', text('Camera Manufacturer', info.manufacturer)],
        ['/main/status/cameramodel', text('Camera Model', info.model)],
        ['/main/status/deviceversion', text('Device Version', info.deviceVersion)],
        ['/main/status/vendorextension', text('Vendor Extension', info.vendorExtensionDesc)],
        ['/main/status/batterylevel', text('Battery Level', `${String(d(Prop.BatteryLevel).current)}%`)],
        [
          '/main/imgsettings/imagesize',
          {
            label: 'Image Size',
            readonly: false,
            type: 'RADIO',
            current: String(d(Prop.ImageSize).current),
            choices: enumOf(d(Prop.ImageSize)).map(String),
          },
        ],
        [
          '/main/imgsettings/iso',
          {
            label: 'ISO Speed',
            readonly: false,
            type: 'RADIO',
            current: String(d(Prop.ExposureIndex).current),
            choices: values(Prop.ExposureIndex).map(String),
          },
        ],
        [
          '/main/imgsettings/whitebalance',
          radio('WhiteBalance', Prop.WhiteBalance, GPHOTO2_GENERIC_NAMES.whiteBalance),
        ],
        [
          '/main/imgsettings/audiovolume',
          {
            ...otherEntry(volume),
            label: 'Audio Volume',
            type: 'RANGE',
            current: String(volume.current),
            choices: [],
            range: { bottom: '0', top: '100', step: '1' },
          },
        ],
        [
          '/main/capturesettings/expprogram',
          radio('Exposure Program', Prop.ExposureProgramMode, GPHOTO2_GENERIC_NAMES.exposureProgram),
        ],
        [
          '/main/capturesettings/exposurecompensation',
          {
            label: 'Exposure Compensation',
            readonly: false,
            type: 'RADIO',
            current: printfG(Number(d(Prop.ExposureBiasCompensation).current) / 1000),
            choices: values(Prop.ExposureBiasCompensation).map((v) => printfG(v / 1000)),
          },
        ],
        [
          '/main/capturesettings/capturemode',
          radio('Still Capture Mode', Prop.StillCaptureMode, GPHOTO2_GENERIC_NAMES.captureMode),
        ],
        [
          '/main/capturesettings/capturedelay',
          {
            label: 'Capture Delay',
            readonly: false,
            type: 'RADIO',
            current: `${(Number(d(Prop.CaptureDelay).current) / 1000).toFixed(3)}s`,
            choices: delays,
          },
        ],
        // BracketParameters (0xD812, AUINT128) is missing: libgphoto2 unpacks no 128-bit values
        // (ptp-pack.c ptp_unpack_DPV), so its GetDevicePropDesc fails on gphoto2's side.
        ...THETA_S_PROPS_CURRENT.filter((ref) => ref.code !== RicohProp.BracketParameters).map(
          (ref): [string, Gphoto2Entry] => [
            `/main/other/${ref.code.toString(16).padStart(4, '0')}`,
            otherEntry(d(ref.code)),
          ],
        ),
      ]);
      // Every entry gphoto2 lists is one of these, and each of these is listed, as expected.
      expect([...entries.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [p, want] of expected) expect({ path: p, ...entries.get(p) }).toEqual({ path: p, ...want });

      // The values gphoto2 has no name for are all Ricoh's own (0x8000 and up) and all in RICOH's
      // reference for the S: libgphoto2 names them for Nikon, Sony, Fuji or Pentax only.
      const unknown = [...entries].flatMap(([p, e]) =>
        e.choices.filter((choice) => choice.startsWith('Unknown value')).map((choice) => `${p} ${choice}`),
      );
      expect(unknown).toEqual([
        ...['8001', '8002', '8020', '8003', '8004', '8005', '8006', '8007'].map(
          (v) => `/main/imgsettings/whitebalance Unknown value ${v}`,
        ),
        '/main/capturesettings/expprogram Unknown value 8003',
        ...['8002', '8003', '8004'].map((v) => `/main/capturesettings/capturemode Unknown value ${v}`),
      ]);
      const inReference = (code: number, v: string): boolean =>
        THETA_S_PROPS.some((p) => p.code === code && p.form.kind === 'enum' && p.form.values.includes(parseInt(v, 16)));
      for (const line of unknown) {
        const v = line.slice(-4);
        const code = line.includes('whitebalance')
          ? Prop.WhiteBalance
          : line.includes('expprogram')
            ? Prop.ExposureProgramMode
            : Prop.StillCaptureMode;
        expect({ line, ricoh: parseInt(v, 16) >= 0x8000, inReference: inReference(code, v) }).toEqual({
          line,
          ricoh: true,
          inReference: true,
        });
      }
    });

    it('--summary lists every property with the camera’s type, access and form', async () => {
      const { port } = await camera();
      const summary = (await gphoto2(port, '--summary')).split('\n');
      // libgphoto2 cannot unpack an AUINT128 DevicePropDesc and reports its own 0x201B.
      expect(summary).toContain('Property 0xd812: error 201b on query.');
      for (const ref of THETA_S_PROPS_CURRENT.filter((p) => p.code !== RicohProp.BracketParameters)) {
        const hex = ref.code.toString(16).padStart(4, '0');
        const label = GPHOTO2_PROPERTY_LABELS[ref.code];
        const head = `${label ? `${label}(0x${hex})` : `Property 0x${hex}`}:(${ref.getSet ? 'readwrite' : 'read only'}) (type=0x${ref.dataType.toString(16)})`;
        const line = summary.find((l) => l.startsWith(head));
        expect({ head, listed: line !== undefined }).toEqual({ head, listed: true });
        if (ref.form.kind === 'range')
          expect(line).toContain(
            `Range [${String(ref.form.min)} - ${String(ref.form.max)}, step ${String(ref.form.step)}]`,
          );
        if (ref.form.kind === 'enum' && ref.dataType !== DataType.STR) {
          // The camera's own order (the set is the reference's; ISO 15740 gives the order no meaning).
          const listed = /Enumeration \[([^\]]*)\]/.exec(line ?? '')?.[1]?.split(',') ?? [];
          expect({ head, values: listed.sort() }).toEqual({ head, values: ref.form.values.map(String).sort() });
        }
      }
      // gphoto2 reads TimelapseInterval in 0.1 ms (libgphoto2 ptp.c scales 0x501B by 1/10000);
      // RICOH's reference and ISO 15740 give milliseconds: the camera's 8 s shows as "0.8s".
      expect(summary).toContain(
        'Timelapse Interval(0x501b):(readwrite) (type=0x6) Range [8000 - 3600000, step 1000] value: 0.8s (8000)',
      );
    });

    it('--get-config / --set-config reach the OSC options', async () => {
      const { emu, port } = await camera();
      // ISO priority is the reference's 0x8003 (it was OSC's 9, which gphoto2 showed as "Unknown value 0009").
      const program = await gphoto2(port, '--get-config', '/main/other/500e');
      expect(program).toContain('Choice: 3 32771');
      expect(await gphoto2(port, '--get-config', '/main/imgsettings/whitebalance')).toContain('Current: Automatic');

      await gphoto2(port, '--set-config', '/main/other/5005=32769');
      expect(emu.device.getOptions(['whiteBalance'])).toEqual({ whiteBalance: 'shade' });
      await gphoto2(port, '--set-config', '/main/capturesettings/expprogram=M');
      expect(emu.device.getOptions(['exposureProgram'])).toEqual({ exposureProgram: 1 });
      await gphoto2(port, '--set-config', '/main/other/d80b=2');
      expect(emu.device.getOptions(['_filter'])).toEqual({ _filter: 'Noise Reduction' });
    });

    it('--set-config powerdown=1 switches the camera off; the emulator switches it on again', async () => {
      const { emu, port } = await camera();
      // gphoto2 may report the dropped connection when it closes its session: the camera is gone.
      await gphoto2(port, '--set-config', '/main/actions/powerdown=1').catch(() => '');
      expect(await (await fetch(`${emu.url}/_emulator`)).json()).toMatchObject({ ptpip: 'off' });
      await expect(gphoto2(port, '--summary')).rejects.toThrow();
      await fetch(`${emu.url}/_emulator/power`, { method: 'POST', body: '{"on": true}' });
      expect(await gphoto2(port, '--summary')).toContain('Model: RICOH THETA S');
    });
  });
});

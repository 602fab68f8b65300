/**
 * The emulated THETA S's PTP/IP face (Ricoh extension) over the same device as its OSC face:
 * DeviceInfo shaped like a real THETA S's answer, the S's handle scheme, properties shared
 * with OSC options, capture modes, and Debian's gphoto2 as a real third-party initiator.
 * gphoto2 tests skip with a reason when it is missing, except on CI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startThetaEmulator, type RunningThetaEmulator } from '../../src/emulator/theta/emulator.js';
import { decodeDeviceInfo } from '../../src/ptp/codec.js';
import { DataType, Ev, Op, Prop, Resp } from '../../src/ptp/codes.js';
import { PtpResponseError } from '../../src/ptp/errors.js';
import { PtpIpClient } from '../../src/ptp/ip/client.js';
import { RicohCaptureMode, RicohOp, RicohProp } from '../../src/ptp/vendors/ricoh.js';
import { nextEvent } from './next-event.js';
import { THETA_S_PROPS_SINCE_0182 } from './theta-s-props.js';
import { GET_DEVICE_INFO } from './theta-s-dumps.js';

const run = promisify(execFile);
const hasGphoto2 = await run('gphoto2', ['--version']).then(
  () => true,
  () => false,
);
if (!hasGphoto2 && process.env.CI === 'true') throw new Error('gphoto2 is required on CI (apt-get install -y gphoto2)');
if (!hasGphoto2) console.warn('skipping THETA gphoto2 tests: gphoto2 is not installed (apt-get install -y gphoto2)');

let emu: RunningThetaEmulator;
let dir: string;
let port: number;
const clients: PtpIpClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camctl-theta-ptp-'));
  emu = await startThetaEmulator({
    dataDir: path.join(dir, 'camera'),
    httpPort: 0,
    ptpipPort: 0,
    shotProcessingMs: 100,
  });
  port = Number((emu.ptpip as string).split(':')[1]);
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
});
afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

async function client(): Promise<PtpIpClient> {
  const c = await PtpIpClient.connect({ host: '127.0.0.1', port, name: 'camctl-test' });
  clients.push(c);
  return c;
}

describe('THETA PTP/IP face', () => {
  it('DeviceInfo has the shape of the real THETA S answer (its ptpcam -R 0x1001)', async () => {
    const c = await client();
    const real = decodeDeviceInfo(GET_DEVICE_INFO);
    const ours = c.deviceInfo!;
    expect(ours).toMatchObject({
      standardVersion: real.standardVersion,
      vendorExtensionId: 0x6,
      vendorExtensionVersion: real.vendorExtensionVersion,
      vendorExtensionDesc: real.vendorExtensionDesc,
      functionalMode: real.functionalMode,
      eventsSupported: real.eventsSupported,
      captureFormats: real.captureFormats,
      imageFormats: real.imageFormats,
      manufacturer: 'Ricoh Company, Ltd.',
      model: 'RICOH THETA S',
    });
    // Every operation offered is one the real S offers, or one RICOH's USB API reference lists for
    // the S beside them (PowerDown, ResetDevicePropValue); its properties are exactly the S's
    // (that answer is firmware 01.42's; the emulator's 01.90 adds what 01.82 brought).
    for (const op of ours.operationsSupported)
      expect([...real.operationsSupported, Op.PowerDown, Op.ResetDevicePropValue]).toContain(op);
    expect(ours.devicePropertiesSupported).toEqual([
      ...real.devicePropertiesSupported,
      ...THETA_S_PROPS_SINCE_0182.map((p) => p.code),
    ]);
    for (const op of [
      Op.InitiateCapture,
      Op.InitiateOpenCapture,
      Op.TerminateOpenCapture,
      Op.GetPartialObject,
      RicohOp.StopSelfTimer,
    ]) {
      expect(ours.operationsSupported).toContain(op);
    }
    for (const p of [
      Prop.StillCaptureMode,
      RicohProp.AutoPowerOffDelay,
      RicohProp.SleepDelay,
      RicohProp.CaptureStatus,
    ]) {
      expect(ours.devicePropertiesSupported).toContain(p);
    }
    expect(await c.getStorageIds()).toEqual([0x00010001]);
  });

  it('a picture taken through OSC gets the S handles (DCIM 0x80000000, folder 100 << 16, file number) and ObjectAdded', async () => {
    const c = await client();
    const added = nextEvent(c, (e) => e.code === Ev.ObjectAdded);
    emu.device.setOptions({ captureMode: 'image' });
    const job = emu.device.takePicture();
    await job.finished;
    const name = path.basename(job.files[0] as string);
    const number = Number(/^R\d{3}(\d{4})/.exec(name)?.[1]);
    const handle = (0x64 << 16) | number;
    expect((await added).params[0]).toBe(handle);
    const all = await c.getObjectHandles(0x00010001, 0, 0);
    expect(all.slice(0, 2)).toEqual([0x80000000, 0x00640000]);
    expect(all).toContain(handle);
    const info = await c.getObjectInfo(handle);
    expect(info).toMatchObject({
      filename: name,
      parentObject: 0x00640000,
      objectFormat: 0x3801,
      imagePixWidth: 5376,
      imagePixHeight: 2688,
      imageBitDepth: 8,
      thumbFormat: 0x3808,
    });
    expect(info.captureDate).toMatch(/^\d{8}T\d{6}$/);
    const bytes = await c.getObject(handle);
    const viaOsc = Buffer.from(
      await (await fetch(`${emu.url}/files/${emu.device.storageId}/100RICOH/${name}`)).arrayBuffer(),
    );
    expect(Buffer.from(bytes).equals(viaOsc)).toBe(true);
    expect(
      Buffer.from(await c.getThumb(handle))
        .subarray(0, 2)
        .toString('hex'),
    ).toBe('ffd8');
  });

  it('properties are views of the OSC options, both ways, with DevicePropChanged', async () => {
    const c = await client();
    const changed = nextEvent(c, (e) => e.code === Ev.DevicePropChanged && e.params[0] === RicohProp.SleepDelay);
    await c.setDevicePropValue(RicohProp.SleepDelay, DataType.UINT16, 600);
    await changed;
    expect(emu.device.getOptions(['sleepDelay'])).toEqual({ sleepDelay: 600 });
    // 0 switches sleep off (RICOH's sleep_delay.md: range 0–1800 on the S, 0 = off), as a THETA S
    // user over ptpcam did; OSC reads it as 65535 "never".
    await c.setDevicePropValue(RicohProp.SleepDelay, DataType.UINT16, 0);
    expect(await c.getDevicePropValue(RicohProp.SleepDelay, DataType.UINT16)).toBe(0);
    expect(emu.device.getOptions(['sleepDelay'])).toEqual({ sleepDelay: 65535 });

    const modeChanged = nextEvent(c, (e) => e.code === Ev.DevicePropChanged && e.params[0] === Prop.StillCaptureMode);
    emu.device.setOptions({ captureMode: 'video' }); // the device's own spelling (OSC v2.0 says _video)
    await modeChanged;
    expect(await c.getDevicePropValue(Prop.StillCaptureMode, DataType.UINT16)).toBe(RicohCaptureMode.Video);
    await c.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, RicohCaptureMode.Single);
    expect(emu.device.captureMode).toBe('image');
    await c.setDevicePropValue(Prop.ImageSize, DataType.STR, '2048x1024');
    expect(emu.device.getOptions(['fileFormat'])).toEqual({ fileFormat: { type: 'jpeg', width: 2048, height: 1024 } });
    await c.setDevicePropValue(Prop.ImageSize, DataType.STR, '5376x2688');
    await expect(c.setDevicePropValue(RicohProp.AutoPowerOffDelay, DataType.UINT8, 31)).rejects.toMatchObject({
      responseCode: Resp.InvalidDevicePropValue,
    });
    await expect(c.setDevicePropValue(RicohProp.CaptureStatus, DataType.UINT8, 1)).rejects.toMatchObject({
      responseCode: Resp.AccessDenied,
    });
  });

  it('InitiateCapture needs single mode; interval runs with InitiateOpenCapture until TerminateOpenCapture', async () => {
    const c = await client();
    await c.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, RicohCaptureMode.Interval);
    await c.setDevicePropValue(Prop.ImageSize, DataType.STR, '2048x1024');
    const err = await c.initiateCapture().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PtpResponseError);
    expect((err as PtpResponseError).responseCode).toBe(Resp.DeviceBusy);

    const added = nextEvent(c, (e) => e.code === Ev.ObjectAdded);
    await c.initiateOpenCapture();
    expect(await c.getDevicePropValue(RicohProp.CaptureStatus, DataType.UINT8)).toBe(1);
    await added;
    const complete = nextEvent(c, (e) => e.code === Ev.CaptureComplete);
    await c.terminateOpenCapture(0xffffffff);
    await complete;
    expect(await c.getDevicePropValue(RicohProp.CaptureStatus, DataType.UINT8)).toBe(0);
    await expect(c.terminateOpenCapture(0xffffffff)).rejects.toMatchObject({
      responseCode: Resp.CaptureAlreadyTerminated,
    });

    // StopSelfTimer with a self-timer running: the shot is cancelled, as OSC's _stopSelfTimer does.
    await c.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, RicohCaptureMode.Single);
    await c.setDevicePropValue(Prop.CaptureDelay, DataType.UINT32, 5000);
    await c.initiateCapture();
    expect(await c.getDevicePropValue(RicohProp.CaptureStatus, DataType.UINT8)).toBe(2);
    await c.operation(RicohOp.StopSelfTimer);
    expect(await c.getDevicePropValue(RicohProp.CaptureStatus, DataType.UINT8)).toBe(0);

    // An interval run in its self-timer countdown: TerminateOpenCapture cancels it, no file written.
    await c.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, RicohCaptureMode.Interval);
    await c.setDevicePropValue(Prop.ImageSize, DataType.STR, '2048x1024');
    const before = (await c.getObjectHandles()).length;
    await c.initiateOpenCapture();
    expect(await c.getDevicePropValue(RicohProp.CaptureStatus, DataType.UINT8)).toBe(2);
    await c.terminateOpenCapture(0xffffffff);
    expect(await c.getDevicePropValue(RicohProp.CaptureStatus, DataType.UINT8)).toBe(0);
    expect((await c.getObjectHandles()).length).toBe(before);
    await expect(c.terminateOpenCapture(0xffffffff)).rejects.toMatchObject({
      responseCode: Resp.CaptureAlreadyTerminated,
    });
    await c.setDevicePropValue(Prop.StillCaptureMode, DataType.UINT16, RicohCaptureMode.Single);
    await c.setDevicePropValue(Prop.CaptureDelay, DataType.UINT32, 0);
    await c.setDevicePropValue(Prop.ImageSize, DataType.STR, '5376x2688');
  });

  it('DeleteObject removes the file for OSC too; deletions through either face send ObjectRemoved', async () => {
    const c = await client();
    const job = emu.device.takePicture();
    await job.finished;
    const name = path.basename(job.files[0] as string);
    const handle = (0x64 << 16) | Number(/^R\d{3}(\d{4})/.exec(name)?.[1]);
    const removed = nextEvent(c, (e) => e.code === Ev.ObjectRemoved);
    await c.deleteObject(handle);
    expect((await removed).params[0]).toBe(handle);
    expect((await fetch(`${emu.url}/files/${emu.device.storageId}/100RICOH/${name}`)).status).toBe(404);
    await expect(c.getObjectInfo(handle)).rejects.toMatchObject({ responseCode: Resp.InvalidObjectHandle });

    // A deletion through the OSC face (camera.delete → the device) is announced on PTP too.
    const other = emu.device.takePicture();
    await other.finished;
    const otherName = path.basename(other.files[0] as string);
    const otherHandle = (0x64 << 16) | Number(/^R\d{3}(\d{4})/.exec(otherName)?.[1]);
    const removedViaOsc = nextEvent(c, (e) => e.code === Ev.ObjectRemoved && e.params[0] === otherHandle);
    await emu.device.deleteFiles([emu.device.findFile(`100RICOH/${otherName}`)]);
    await removedViaOsc;
  });

  describe.skipIf(!hasGphoto2)('gphoto2', () => {
    const gphoto2 = async (cwd: string, ...args: string[]): Promise<string> => {
      const { stdout } = await run('gphoto2', ['--port', `ptpip:127.0.0.1:${port}:${port}`, ...args], {
        cwd,
        timeout: 60_000,
      });
      return stdout;
    };

    it('--summary names the THETA S, its Ricoh extension, storage and properties', async () => {
      const out = await gphoto2(dir, '--summary');
      expect(out).toContain('Manufacturer: Ricoh Company, Ltd.');
      expect(out).toContain('Model: RICOH THETA S');
      expect(out).toContain(`Serial Number: ${emu.device.serialNumber}`);
      expect(out).toContain('Vendor Extension ID: 0x6 (1.10)');
      expect(out).toContain('Functional Mode: 0x8001');
      expect(out).toContain('store_00010001');
      expect(out).toContain('Digital Camera Layout (DCIM)');
      expect(out).toMatch(
        /Still Capture Mode\(0x5013\):\(readwrite\) \(type=0x4\) Enumeration \[1,3,32770,32771,32772\]/,
      );
      expect(out).toMatch(/Property 0xd803:\(readwrite\) \(type=0x4\)/);
    });

    it('--capture-image-and-download, then --list-files sees an OSC capture in DCIM/100RICOH', async () => {
      const cwd = await mkdtemp(path.join(dir, 'capture-'));
      const out = await gphoto2(cwd, '--capture-image-and-download');
      expect(out).toMatch(/New file is in location \/store_00010001\/DCIM\/100RICOH\/R\d{7}\.JPG/);
      const files = await readdir(cwd);
      expect(files).toHaveLength(1);
      const bytes = await readFile(path.join(cwd, files[0] as string));
      expect(bytes.subarray(0, 2).toString('hex')).toBe('ffd8');

      const job = emu.device.takePicture();
      await job.finished;
      const name = path.basename(job.files[0] as string);
      const listing = await gphoto2(dir, '--list-files');
      expect(listing).toContain("folder '/store_00010001/DCIM/100RICOH'");
      expect(listing).toContain(name);
    });
  });
});

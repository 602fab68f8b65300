/**
 * `camctl ptp …`: raw PTP for people — decoded datasets with names (raw hex only with `--hex`),
 * which is what the THETA community guide's author wished ptpcam did. Needs a PTP camera: `ptpip://host[:port]` or
 * `usb:[BUS:DEV]`; the session is the one the common commands use (camera/ptp-camera.ts), so
 * both links behave alike.
 *
 *   camctl -c ptpip://192.168.47.1 ptp info
 *   camctl -c usb: ptp storage
 *   camctl -c ptpip://127.0.0.1:15740 ptp prop set ImageSize "4000 x 3000"
 *   camctl -c ptpip://127.0.0.1:15740 ptp op GetTemperatureValues
 */
import type { Command } from 'commander';
import { parseCameraAddress } from '../camera/address.js';
import { CliError } from './errors.js';
import { globals, output, reportErrors, sayProtocol, type GlobalOptions } from './context.js';
import { pairs, table } from './format.js';
import {
  decodeStandardData,
  describeForm,
  deviceInfoLines,
  devicePropDescLines,
  hex,
  show,
  type DecodedDataset,
} from './ptp-datasets.js';
import type { PtpClient } from '../ptp/client.js';
import type { DevicePropDesc, PtpValue } from '../ptp/codec.js';
import { parseIntegerText } from '../ptp/value-text.js';

/** Schemes whose adapters are PTP cameras. */
const PTP_SCHEMES: ReadonlySet<string> = new Set(['ptpip', 'usb']);

async function withPtp<T>(cmd: Command, fn: (client: PtpClient, g: GlobalOptions) => Promise<T>): Promise<T> {
  const g = globals(cmd);
  return reportErrors(g, async () => {
    if (!g.camera)
      throw new CliError(
        'no camera given: use --camera ptpip://HOST[:PORT] or --camera usb: (or set CAMCTL_CAMERA)',
        2,
      );
    // Checked before connecting: a sequoia:// or theta:// camera has no PTP session to lend.
    const addr = parseCameraAddress(g.camera);
    if (!PTP_SCHEMES.has(addr.scheme))
      throw new CliError(`ptp needs a ptpip:// camera or a usb: one, got ${g.camera}`, 2);
    await import('../ptp/vendors/parrot.js');
    await import('../ptp/vendors/ricoh.js');
    const { openCamera } = await import('../camera/open.js');
    const { PtpCamera } = await import('../camera/ptp-camera.js');
    const camera = await openCamera(addr, { timeoutMs: g.timeoutMs });
    try {
      // A plugin registered over the scheme may not be PTP underneath.
      if (!(camera instanceof PtpCamera))
        throw new CliError(`the ${addr.scheme}: adapter in use is not a PTP camera`, 2);
      const result = await fn(camera.client, g);
      // -v, as on every camera command: which camera answered, over what (after the output, on success).
      if (g.verbose && !g.json) await sayProtocol(camera);
      return result;
    } finally {
      await camera.close();
    }
  });
}

const jsonSafe = (v: unknown): unknown =>
  JSON.parse(
    JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x,
    ),
  );

async function codeNames(): Promise<typeof import('../ptp/codes.js')> {
  return import('../ptp/codes.js');
}

/** A property named by code or name (0x5001, BatteryLevel), with its name and description. */
async function describeProperty(
  c: PtpClient,
  codeText: string,
): Promise<{ code: number; name: string; desc: DevicePropDesc }> {
  const { parseCode, codeName } = await codeNames();
  const v = c.deviceInfo!.vendorExtensionId;
  const code = parseCode('property', codeText, v);
  if (code === undefined) throw new CliError(`unknown property ${JSON.stringify(codeText)}`, 2);
  return { code, name: codeName('property', code, v), desc: await c.getDevicePropDesc(code) };
}

function parseValue(text: string, dataType: number): PtpValue {
  if (dataType === 0xffff) return text;
  // The same reading `camctl config set` gives an integer or an array property (a,b,c).
  const parsed = parseIntegerText(text, dataType);
  if (!parsed.ok) throw new CliError(parsed.problem, 2);
  return parsed.value;
}

export function register(program: Command): void {
  const ptp = program
    .command('ptp')
    .description('raw PTP over PTP/IP or USB: device info, storages, properties, any operation')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl -c ptpip://192.168.47.1 ptp info\n  camctl -c usb: ptp storage\n  camctl -c ptpip://127.0.0.1:15740 ptp props\n  camctl -c ptpip://127.0.0.1:15740 ptp prop set 0x5003 "4000 x 3000"\n  camctl -c ptpip://127.0.0.1:15740 ptp op 0x9202',
    );

  ptp
    .command('info')
    .description('DeviceInfo: model, extension, supported operations/events/properties')
    .addHelpText('after', '\nExamples:\n  camctl -c ptpip://192.168.47.1 ptp info\n  camctl -c usb: ptp info --hex')
    .option('--hex', 'also print the raw dataset')
    .action(async (opts: { hex?: boolean }, cmd: Command) => {
      await withPtp(cmd, async (c, g) => {
        const info = c.deviceInfo!;
        const raw = opts.hex ? Buffer.from((await c.operation(0x1001)).data ?? []).toString('hex') : undefined;
        output(g, jsonSafe({ ...info, hex: raw ?? null }), () =>
          [...deviceInfoLines(info), ...(raw ? ['Raw:', raw] : [])].join('\n'),
        );
      });
    });

  ptp
    .command('storage')
    .description('storage ids and StorageInfo')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl -c usb: ptp storage\n  camctl -c ptpip://192.168.47.1 ptp storage --json',
    )
    .action(async (_o, cmd: Command) => {
      await withPtp(cmd, async (c, g) => {
        const rows: Array<{ id: number } & import('../ptp/codec.js').StorageInfo> = [];
        for (const id of await c.getStorageIds()) rows.push({ id, ...(await c.getStorageInfo(id)) });
        output(g, jsonSafe(rows), () =>
          table([
            ['ID', 'Description', 'Type', 'Capacity', 'Free', 'Free images'],
            ...rows.map((r) => [
              hex(r.id, 8),
              r.storageDescription,
              String(r.storageType),
              String(r.maxCapacity),
              String(r.freeSpaceInBytes),
              String(r.freeSpaceInImages),
            ]),
          ]),
        );
      });
    });

  ptp
    .command('props')
    .description('every property with its type, value and allowed values')
    .addHelpText('after', '\nExamples:\n  camctl -c ptpip://192.168.47.1 ptp props\n  camctl -c usb: ptp props --json')
    .action(async (_o, cmd: Command) => {
      await withPtp(cmd, async (c, g) => {
        const { codeName } = await codeNames();
        const v = c.deviceInfo!.vendorExtensionId;
        const descs: DevicePropDesc[] = [];
        for (const code of c.deviceInfo!.devicePropertiesSupported) descs.push(await c.getDevicePropDesc(code));
        output(g, jsonSafe(descs.map((d) => ({ ...d, name: codeName('property', d.code, v) }))), () =>
          table([
            ['Code', 'Name', 'Type', 'RW', 'Value', 'Allowed'],
            ...descs.map((d) => [
              hex(d.code),
              codeName('property', d.code, v),
              codeName('datatype', d.dataType),
              d.getSet ? 'rw' : 'r',
              show(d.current),
              describeForm(d),
            ]),
          ]),
        );
      });
    });

  const prop = ptp
    .command('prop')
    .description('read or write one property')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl -c ptpip://192.168.47.1 ptp prop get BatteryLevel\n  camctl -c ptpip://192.168.47.1 ptp prop set 0x5003 "4000 x 3000"',
    );
  prop
    .command('get')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl -c ptpip://192.168.47.1 ptp prop get BatteryLevel\n  camctl -c usb: ptp prop get 0x5003 --hex',
    )
    .argument('<code>', 'property code or name (0x5001, BatteryLevel)')
    .option('--hex', 'print the raw value bytes')
    .action(async (codeText: string, opts: { hex?: boolean }, cmd: Command) => {
      await withPtp(cmd, async (c, g) => {
        const { name, desc: d } = await describeProperty(c, codeText);
        const raw = opts.hex
          ? Buffer.from((await c.operation(0x1015, [d.code])).data ?? []).toString('hex')
          : undefined;
        output(
          g,
          jsonSafe({ ...d, name, hex: raw ?? null }),
          () =>
            [...devicePropDescLines(d, c.deviceInfo!.vendorExtensionId), ...(raw ? [pairs([['Raw', raw]])] : [])].join(
              '\n',
            ),
          // -q: the bare value (its bytes with --hex).
          () => raw ?? show(d.current),
        );
      });
    });
  prop
    .command('set')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl -c ptpip://192.168.47.1 ptp prop set 0x5003 "4000 x 3000"\n  camctl -c ptpip://192.168.47.1 ptp prop set TimelapseInterval 2000',
    )
    .argument('<code>', 'property code or name')
    .argument('<value>', 'new value (numbers: decimal or 0x…; arrays: a,b,c)')
    .action(async (codeText: string, valueText: string, _o, cmd: Command) => {
      await withPtp(cmd, async (c, g) => {
        const { code, name, desc: d } = await describeProperty(c, codeText);
        const value = parseValue(valueText, d.dataType);
        await c.setDevicePropValue(code, d.dataType, value);
        const after = await c.getDevicePropValue(code, d.dataType);
        output(
          g,
          jsonSafe({ code, name, value: after }),
          () => `${name} = ${show(after)}`,
          () => show(after),
        );
      });
    });

  ptp
    .command('op')
    .addHelpText(
      'after',
      '\nExamples:\n  camctl -c ptpip://192.168.47.1 ptp op GetTemperatureValues\n  camctl -c ptpip://192.168.47.1 ptp op 0x1007 0x00010001 --hex',
    )
    .argument('<code>', 'operation code or name (0x9202, GetTemperatureValues)')
    .argument('[params...]', 'up to 5 u32 parameters')
    .option('--hex', 'also print incoming data as hex (standard datasets are decoded)')
    .action(async (codeText: string, params: string[], opts: { hex?: boolean }, cmd: Command) => {
      await withPtp(cmd, async (c, g) => {
        const { parseCode, codeName } = await codeNames();
        const v = c.deviceInfo!.vendorExtensionId;
        const code = parseCode('operation', codeText, v);
        if (code === undefined) throw new CliError(`unknown operation ${JSON.stringify(codeText)}`, 2);
        if (params.length > 5) throw new CliError('at most 5 parameters', 2);
        const nums = params.map((p) => {
          const n = Number(p);
          if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
            throw new CliError(`parameter must be a u32: ${JSON.stringify(p)}`, 2);
          return n;
        });
        const r = await c.operation(code, nums);
        const { PARROT_DATA_DECODERS, PARROT_VENDOR_ID } = await import('../ptp/vendors/parrot.js');
        const decoder = v === PARROT_VENDOR_ID ? PARROT_DATA_DECODERS[code] : undefined;
        // A standard dataset reads as the command made for it (ptp info, ptp storage, prop get);
        // data that does not parse as its dataset is shown raw.
        let standard: DecodedDataset | undefined;
        let decoded: unknown;
        if (r.data && r.data.length > 0) {
          try {
            standard = await decodeStandardData(c, code, nums, r.data, v);
            decoded = standard ? standard.value : decoder?.(r.data);
          } catch {
            standard = undefined;
            decoded = undefined;
          }
        }
        // No data, or an empty data phase: nothing to show as hex (null in --json).
        const dataHex = r.data && r.data.length > 0 ? Buffer.from(r.data).toString('hex') : undefined;
        const showHex = dataHex !== undefined && (opts.hex || decoded === undefined);
        output(
          g,
          jsonSafe({
            operation: codeName('operation', code, v),
            response: codeName('response', r.response.code),
            params: r.response.params,
            dataset: standard ? standard.dataset : null,
            decoded: decoded ?? null,
            hex: showHex ? dataHex : null,
          }),
          () =>
            [
              pairs([
                ['Operation', `${hex(code)} ${codeName('operation', code, v)}`],
                ['Response', `${hex(r.response.code)} ${codeName('response', r.response.code)}`],
                ...(r.response.params.length
                  ? [['Parameters', r.response.params.map((p) => `${p} (${hex(p, 8)})`).join(', ')] as const]
                  : []),
                ...(decoded !== undefined && !standard ? [['Data', JSON.stringify(jsonSafe(decoded))] as const] : []),
                ...(showHex ? [['Data (hex)', dataHex ?? ''] as const] : []),
              ]),
              ...(standard ? [`${standard.dataset}:`, ...standard.lines] : []),
            ].join('\n'),
        );
      });
    });
}

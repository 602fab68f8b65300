/**
 * What the long-running commands (`camctl emulate …`, `camctl ui`) share: parsing ports, numbers
 * and byte sizes, the emulated link's flags, turning a refused listen into a one-line error, and closing cleanly on
 * SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import { CliError } from './errors.js';

export function parsePort(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new CliError(`${flag} must be a port number 0–65535 (0 = any free port), got ${JSON.stringify(value)}`);
  return n;
}

export function parseNumberOption(value: string, flag: string, range: { min: number; max: number }): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < range.min || n > range.max) {
    throw new CliError(`${flag} must be a number between ${range.min} and ${range.max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A whole number in `range`, e.g. a client count. */
export function parseCount(value: string, flag: string, range: { min: number; max: number }): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < range.min || n > range.max) {
    throw new CliError(
      `${flag} must be a whole number between ${range.min} and ${range.max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  K: 1e3,
  KB: 1e3,
  KIB: 1024,
  M: 1e6,
  MB: 1e6,
  MIB: 1024 ** 2,
  G: 1e9,
  GB: 1e9,
  GIB: 1024 ** 3,
  T: 1e12,
  TB: 1e12,
};

/** `3MB`, `8GB`, `512MiB`, `1000000` → bytes (SI units as storage vendors count, binary with `i`). */
export function parseBytes(value: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = m ? UNITS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined)
    throw new CliError(`${flag} must be a size like 3MB, 8GB or 1048576, got ${JSON.stringify(value)}`);
  return Math.round(Number(m[1]) * unit);
}

/** The emulated radio link's flags, as both emulators take them (src/emulator/link.ts). */
export interface LinkFlags {
  latency: string;
  bandwidth?: string;
  perConnectionBandwidth?: string;
}

export function addLinkOptions(command: Command): Command {
  return command
    .option('--latency <ms>', 'round-trip time added to every request (HTTP request, PTP operation)', '0')
    .option('--bandwidth <rate>', 'bandwidth of the link, shared by all connections and faces, e.g. 3MB (bytes/s)')
    .option('--per-connection-bandwidth <rate>', 'also cap each connection at this rate, e.g. 1MB (bytes/s)');
}

export function linkOptionsFrom(flags: LinkFlags): {
  latencyMs: number;
  bandwidthBytesPerSec?: number;
  perConnectionBytesPerSec?: number;
} {
  return {
    latencyMs: parseNumberOption(flags.latency, '--latency', { min: 0, max: 60_000 }),
    ...(flags.bandwidth !== undefined ? { bandwidthBytesPerSec: parseBytes(flags.bandwidth, '--bandwidth') } : {}),
    ...(flags.perConnectionBandwidth !== undefined
      ? { perConnectionBytesPerSec: parseBytes(flags.perConnectionBandwidth, '--per-connection-bandwidth') }
      : {}),
  };
}

/** A listen the system refused (port taken, address not ours, privileged port): a CLI error, no stack. */
export function listenError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL')
    return new CliError(`cannot listen: ${e.message}`);
  return err;
}

/** Waits for SIGINT or SIGTERM, says which on stderr, then runs `close`. */
export async function closeOnSignal(close: () => Promise<void>): Promise<void> {
  const signal = await waitForSignal();
  process.stderr.write(`${signal}: closing\n`);
  await close();
}

/** Resolves with the name of the first SIGINT or SIGTERM. */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

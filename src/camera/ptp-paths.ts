/**
 * How a PTP device's object tree maps onto camera paths `/<medium>/<folder>/<file>`
 * (camera/types.ts): a storage is a medium, named by its StorageDescription when that is a safe,
 * unique path segment (the Sequoia says `internal` and `sd`, so paths match `sequoia://`), else
 * `store_XXXXXXXX` as gphoto2 names storages; a folder is an association holding files, named by
 * its own file name (the THETA keeps its pictures in DCIM/100RICOH, so its folder is `100RICOH`).
 *
 * @example
 * mediumNames([{ id: 0x00010001, description: 'internal' }, { id: 0x00020001, description: 'sd' }]);
 * // Map { 0x00010001 => 'internal', 0x00020001 => 'sd' }
 */
import { hex32 } from '../ptp/codes.js';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** Medium name per storage id; descriptions that are unsafe or shared fall back to store_XXXXXXXX. */
export function mediumNames(storages: ReadonlyArray<{ id: number; description: string }>): Map<number, string> {
  const counts = new Map<string, number>();
  for (const s of storages) counts.set(s.description, (counts.get(s.description) ?? 0) + 1);
  const out = new Map<number, string>();
  for (const s of storages) {
    const usable = SAFE.test(s.description) && counts.get(s.description) === 1 && !/^store_/i.test(s.description);
    out.set(s.id, usable ? s.description : storeName(s.id));
  }
  return out;
}

export function storeName(storageId: number): string {
  return `store_${hex32(storageId).slice(2)}`;
}

/** Splits a camera path into checked segments (no `.`/`..`, at most medium/folder/file). */
export function splitPath(path: string): string[] | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length > 3 || parts.some((p) => p === '.' || p === '..' || p.includes('\\'))) return undefined;
  return parts;
}

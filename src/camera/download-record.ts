/**
 * Which camera file a local file is. A name and a size prove nothing: the Sequoia names files by
 * capture time and a per-folder counter, so two folders can hold the same names, and a file a
 * person put in the directory can have any name. So each directory camctl downloads into keeps a
 * small record, `.camctl-downloads.jsonl`: for each local name (a final file or its `.NAME.part`),
 * the camera object it holds — the camera's model and serial number, the camera path, size and
 * time — and, for a finished file, its local size and modification time as written. A local file
 * is that camera file only when its record says so and it is still as written; anything else is
 * "not known" and is never overwritten nor reported downloaded without the user saying so.
 *
 * The record is an append-only log of one JSON object a line (an append is one small write, so
 * parallel downloads and a kill -9 at any moment leave at worst one torn last line, which is
 * ignored); the last line for a name wins. Names whose files were deleted keep their lines: that
 * is how `--new` knows a file was downloaded before. A log grown well past its live names is
 * rewritten (temporary name, then rename) when it is next read.
 *
 * @example
 * const ledger = new DownloadLedger(await cameraIdentity(camera));
 * const records = await ledger.directory('./shots/internal/0003');
 * if (records.isCompleteCopy('IMG_…_NIR.TIF', object, await fs.stat(file))) …
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { debuglog } from 'node:util';
import type { Camera, CameraInfo } from './types.js';

const debug = debuglog('camctl:download');

export const RECORD_NAME = '.camctl-downloads.jsonl';

/** A file on a camera, as far as a local copy can be tied to it. */
export interface CameraObject {
  /** `model#serial` of the camera (see {@link cameraIdentity}). */
  camera: string;
  path: string;
  size: number;
  /** Epoch ms the camera gives for the file, or null where it gives none. */
  time: number | null;
}

export interface RecordEntry {
  /** Local file name in the directory (a final name or `.NAME.part`). */
  name: string;
  state: 'partial' | 'complete';
  object: CameraObject;
  /** For complete files: the local file as camctl left it. */
  local?: { size: number; mtimeMs: number };
  /** When the line was written (epoch ms). */
  at: number;
}

/** How a camera is named in the record: model and serial number, which survive a new address. */
export async function cameraIdentity(camera: Camera, signal?: AbortSignal): Promise<string> {
  return identityOf(await camera.info({ signal }));
}

/** {@link cameraIdentity} of a camera whose info is already at hand (no second request). */
export function identityOf(info: Pick<CameraInfo, 'model' | 'serialNumber' | 'address'>): string {
  // A camera without a serial number is told apart by where it was reached instead.
  return `${info.model}#${info.serialNumber || info.address}`;
}

/**
 * Same camera object. Adapters that know no time for a file (or learn it only from a listing, not
 * from a capture notification) leave it out; the camera, path and size must always agree.
 */
export function sameObject(a: CameraObject, b: CameraObject): boolean {
  return (
    a.camera === b.camera &&
    a.path === b.path &&
    a.size === b.size &&
    (a.time === null || b.time === null || a.time === b.time)
  );
}

/** The records of one directory, read once per run and appended to as files are written. */
export class DirectoryRecords {
  private readonly latest = new Map<string, RecordEntry>();
  private pending: Promise<void> = Promise.resolve();
  /** The log ends in a torn line (a run killed mid-append): the next line must not be glued to it. */
  private torn = false;

  constructor(readonly dir: string) {}

  get file(): string {
    return path.join(this.dir, RECORD_NAME);
  }

  async load(): Promise<void> {
    const text = await fs.readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    this.torn = text.length > 0 && !text.endsWith('\n');
    let lines = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      lines++;
      const entry = parseEntry(line);
      if (entry) this.latest.set(entry.name, entry);
      else debug('%s: ignoring unreadable line %s', this.file, JSON.stringify(line.slice(0, 80)));
    }
    if (lines > 2 * this.latest.size + 64) await this.compact();
  }

  get(name: string): RecordEntry | undefined {
    return this.latest.get(name);
  }

  /** `name` exists as `st` and is, as recorded, the finished copy of `object`. */
  isCompleteCopy(name: string, object: CameraObject, st: { size: number; mtimeMs: number }): boolean {
    const e = this.latest.get(name);
    return (
      !!e &&
      e.state === 'complete' &&
      !!e.local &&
      sameObject(e.object, object) &&
      e.local.size === st.size &&
      e.local.mtimeMs === st.mtimeMs &&
      st.size === object.size
    );
  }

  /** The temporary file `name` was started by camctl for `object` (so its bytes are a prefix of it). */
  isPartialOf(name: string, object: CameraObject): boolean {
    const e = this.latest.get(name);
    return !!e && e.state === 'partial' && sameObject(e.object, object);
  }

  /** Some finished download of `object` into this directory, even if its file is gone since. */
  downloadedBefore(object: CameraObject): RecordEntry | undefined {
    for (const e of this.latest.values()) if (e.state === 'complete' && sameObject(e.object, object)) return e;
    return undefined;
  }

  /** What the record says `name` holds, for messages (undefined when it says nothing). */
  describe(name: string): string | undefined {
    const e = this.latest.get(name);
    return e?.state === 'complete' ? `${e.object.path} of ${e.object.camera.replace('#', ' serial ')}` : undefined;
  }

  notePartial(name: string, object: CameraObject): Promise<void> {
    return this.append({ name, state: 'partial', object, at: Date.now() });
  }

  noteComplete(name: string, object: CameraObject, st: { size: number; mtimeMs: number }): Promise<void> {
    return this.append({
      name,
      state: 'complete',
      object,
      local: { size: st.size, mtimeMs: st.mtimeMs },
      at: Date.now(),
    });
  }

  private append(entry: RecordEntry): Promise<void> {
    this.latest.set(entry.name, entry);
    const write = this.pending.then(async () => {
      await fs.mkdir(this.dir, { recursive: true });
      const line = `${this.torn ? '\n' : ''}${JSON.stringify(entry)}\n`;
      this.torn = false;
      await fs.appendFile(this.file, line);
    });
    this.pending = write.catch(() => undefined);
    return write;
  }

  private async compact(): Promise<void> {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const body = [...this.latest.values()].map((e) => `${JSON.stringify(e)}\n`).join('');
    try {
      await fs.writeFile(tmp, body);
      await fs.rename(tmp, this.file);
      this.torn = false;
      debug('%s: compacted to %d lines', this.file, this.latest.size);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      debug('%s: not compacted: %s', this.file, (err as Error).message);
    }
  }
}

function parseEntry(line: string): RecordEntry | undefined {
  try {
    const e = JSON.parse(line) as Partial<RecordEntry>;
    const o = e.object;
    if (typeof e.name !== 'string' || (e.state !== 'partial' && e.state !== 'complete') || !o) return undefined;
    if (typeof o.camera !== 'string' || typeof o.path !== 'string' || typeof o.size !== 'number') return undefined;
    const entry: RecordEntry = {
      name: e.name,
      state: e.state,
      object: { camera: o.camera, path: o.path, size: o.size, time: typeof o.time === 'number' ? o.time : null },
      at: typeof e.at === 'number' ? e.at : 0,
    };
    if (e.local && typeof e.local.size === 'number' && typeof e.local.mtimeMs === 'number')
      entry.local = { size: e.local.size, mtimeMs: e.local.mtimeMs };
    return entry;
  } catch {
    return undefined;
  }
}

/**
 * The records of every directory one run writes into, for one camera. One ledger per command run:
 * each directory's log is read once, then kept in memory as files are added.
 */
export class DownloadLedger {
  private readonly dirs = new Map<string, Promise<DirectoryRecords>>();

  constructor(readonly camera: string) {}

  directory(dir: string): Promise<DirectoryRecords> {
    const key = path.resolve(dir);
    let d = this.dirs.get(key);
    if (!d) {
      const records = new DirectoryRecords(key);
      d = records.load().then(() => records);
      // A failed read is retried by the next caller rather than cached.
      d.catch(() => this.dirs.delete(key));
      this.dirs.set(key, d);
    }
    return d;
  }

  objectOf(remote: { path: string; size: number; time?: number | undefined }): CameraObject {
    return {
      camera: this.camera,
      path: remote.path,
      size: remote.size,
      time: typeof remote.time === 'number' ? remote.time : null,
    };
  }
}

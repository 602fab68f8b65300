/**
 * The emulated cameras' media on disk: one directory per medium (`internal`, `sd`, THETA's single
 * store), folders inside, files inside folders — nothing deeper, as on the cameras.
 *
 * Three promises hold here, because every protocol face (HTTP, OSC, PTP/IP) reaches files only
 * through this module:
 * 1. **Confinement.** A path from the network is a list of names, each checked against a strict
 *    pattern (no `..`, separators, NUL, leading dot), then resolved with `realpath` and compared
 *    with the medium's real root, so a symlink planted inside cannot lead out.
 * 2. **Atomic files.** Files are written under a hidden temporary name and renamed into place once
 *    complete; a crash never leaves a half-written file under its final name, and listings skip
 *    hidden names.
 * 3. **Real usage.** Used bytes are the real sizes of the files, tracked as they are written and
 *    deleted (walked once at start-up), plus an optional simulated filler for "fill the card" demos.
 */
import { createWriteStream, realpathSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { CamctlError } from '../util/errors.js';

/** Names the cameras use and nothing else: letters, digits, `_`, `-`, `.` (not first). */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** READ_ONLY: the medium takes no writes or deletions; FAULT: it cannot be read (corrupted, failed). */
export type StorageErrorCode =
  'BAD_PATH' | 'NOT_FOUND' | 'FULL' | 'NOT_PRESENT' | 'BUSY' | 'EXISTS' | 'READ_ONLY' | 'FAULT';

/** A medium refused an operation; `code` says why (a {@link StorageErrorCode}, stable). */
export class StorageError extends CamctlError {
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Checks one path segment that came from outside. Throws BAD_PATH. */
export function checkName(name: string): string {
  if (!SAFE_NAME.test(name) || name === '.' || name === '..' || name.includes('..')) {
    throw new StorageError('BAD_PATH', `invalid name ${JSON.stringify(name)}`);
  }
  return name;
}

export interface FileEntry {
  name: string;
  size: number;
  mtimeMs: number;
}

export interface MediumOptions {
  name: string;
  /** Capacity in bytes. */
  capacityBytes: number;
  /** Whether the medium is inserted (an SD card can be removed). Default true. */
  present?: boolean;
}

/** A file being written over time under a hidden name; see {@link Medium.createPartFile}. */
export interface PartFile {
  /** Real path of the temporary file, for the writer to open. */
  readonly path: string;
  /** Closes the deal: renames the (closed, complete) file to `name`; returns its size. FULL if it does not fit. */
  commit(name: string, opts?: { mtimeMs?: number }): Promise<number>;
  /** Removes the temporary file (an abandoned recording). */
  discard(): Promise<void>;
}

/** A hidden name in `dir` for the bytes of `name` until they are complete (swept by init). */
function tempName(dir: string, name: string): string {
  return path.join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}-${name}`);
}

export class Medium {
  readonly name: string;
  readonly root: string;
  capacityBytes: number;
  present: boolean;
  /** Simulated extra usage (emulator control "fill the medium"). */
  fillerBytes = 0;
  private used = 0;
  private realRoot = '';
  /** Folders that must not be deleted right now (being written by a capture). */
  private readonly busyFolders = new Set<string>();
  /**
   * CRC-32s of files, by real path, valid for one size + mtime (files never change once written):
   * computed from the bytes as they are written, or remembered from a zip that read the file. A
   * folder's zip then sends every entry with sendfile, its CRC known before its first byte.
   */
  private readonly checksums = new Map<string, { size: number; mtimeMs: number; crc32: number }>();

  constructor(parentDir: string, opts: MediumOptions) {
    this.name = checkName(opts.name);
    this.root = path.resolve(parentDir, opts.name);
    this.capacityBytes = opts.capacityBytes;
    this.present = opts.present ?? true;
  }

  /** Creates the root, removes leftovers of interrupted writes, and counts real usage. */
  async init(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    this.realRoot = await fs.realpath(this.root);
    this.used = await this.scan(this.realRoot);
  }

  private async scan(dir: string): Promise<number> {
    let total = 0;
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('.tmp-')) {
        await fs.rm(full, { force: true, recursive: true });
      } else if (entry.isDirectory()) {
        total += await this.scan(full);
      } else if (entry.isFile()) {
        total += (await fs.stat(full)).size;
      }
    }
    return total;
  }

  get usedBytes(): number {
    return this.used + this.fillerBytes;
  }

  get freeBytes(): number {
    return Math.max(0, this.capacityBytes - this.usedBytes);
  }

  private assertPresent(): void {
    if (!this.present) throw new StorageError('NOT_PRESENT', `${this.name} is not available`);
  }

  /**
   * Resolves checked names under this medium to a real path that is proven to stay inside it.
   * The target must exist. Throws BAD_PATH or NOT_FOUND.
   */
  async resolve(...names: string[]): Promise<string> {
    this.assertPresent();
    for (const n of names) checkName(n);
    const candidate = path.join(this.realRoot, ...names);
    let real: string;
    try {
      // Synchronous on purpose: a realpath of a short local path takes microseconds, a trip through
      // the thread pool a scheduling round trip (see openFileToSend in src/util/send-file.ts).
      real = realpathSync.native(candidate);
    } catch (err) {
      throw new StorageError('NOT_FOUND', `${[this.name, ...names].join('/')} not found`, { cause: err });
    }
    if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) {
      throw new StorageError('BAD_PATH', `${[this.name, ...names].join('/')} leads outside the medium`);
    }
    return real;
  }

  /** Folders (visible directories directly under the root), sorted by name. */
  async listFolders(): Promise<string[]> {
    this.assertPresent();
    const entries = await fs.readdir(this.realRoot, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  }

  /** Visible regular files of a folder, sorted by name. */
  async listFiles(folder: string): Promise<FileEntry[]> {
    const dir = await this.resolve(folder);
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new StorageError('NOT_FOUND', `${this.name}/${folder} is not a folder`);
    const out: FileEntry[] = [];
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || !e.isFile()) continue;
      const st = await fs.stat(path.join(dir, e.name));
      out.push({ name: e.name, size: st.size, mtimeMs: st.mtimeMs });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async ensureFolder(folder: string): Promise<string> {
    this.assertPresent();
    checkName(folder);
    const dir = path.join(this.realRoot, folder);
    await fs.mkdir(dir, { recursive: true });
    return this.resolve(folder);
  }

  /** Path inside a folder for a file (hidden `.thumb/` included), without requiring it to exist. */
  async pathFor(folder: string, ...names: string[]): Promise<string> {
    const dir = await this.resolve(folder);
    for (const n of names) {
      if (n !== '.thumb') checkName(n);
    }
    return path.join(dir, ...names);
  }

  /**
   * Writes a file atomically: to a hidden temporary name in the same folder, then renamed.
   * Refuses with FULL when the bytes would not fit (the camera never writes a truncated file).
   * `subdir` may be `.thumb` for thumbnails, which are stored but never listed.
   */
  async writeFile(
    folder: string,
    name: string,
    data: Uint8Array | Readable,
    opts: { subdir?: '.thumb'; mtimeMs?: number } = {},
  ): Promise<number> {
    this.assertPresent();
    checkName(name);
    let dir = await this.resolve(folder);
    if (opts.subdir) {
      dir = path.join(dir, opts.subdir);
      await fs.mkdir(dir, { recursive: true });
    }
    if (data instanceof Uint8Array && data.byteLength > this.freeBytes) {
      throw new StorageError('FULL', `${this.name} is full`);
    }
    const tmp = tempName(dir, name);
    try {
      if (data instanceof Uint8Array) {
        await fs.writeFile(tmp, data);
      } else {
        await pipeline(data, createWriteStream(tmp));
      }
      const { size, mtimeMs } = await this.moveIntoPlace(tmp, path.join(dir, name), opts.mtimeMs);
      if (data instanceof Uint8Array && !opts.subdir)
        this.rememberCrc32(path.join(dir, name), size, mtimeMs, crc32(data));
      return size;
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * A file written over time, as a video while it records: its bytes go to a hidden temporary
   * name in `folder` (never listed, removed at start-up if left over), and only
   * {@link PartFile.commit} gives it its final name — with the same free-space check as writeFile.
   */
  async createPartFile(folder: string, label: string): Promise<PartFile> {
    this.assertPresent();
    checkName(label);
    const dir = await this.resolve(folder);
    const tmp = tempName(dir, label);
    await fs.writeFile(tmp, new Uint8Array(0), { flag: 'wx' });
    let done = false;
    return {
      path: tmp,
      commit: async (name, opts = {}) => {
        checkName(name);
        if (done) throw new Error(`${label} was already committed or discarded`);
        done = true;
        try {
          return (await this.moveIntoPlace(tmp, path.join(dir, name), opts.mtimeMs)).size;
        } catch (err) {
          await fs.rm(tmp, { force: true });
          throw err;
        }
      },
      discard: async () => {
        if (done) return;
        done = true;
        await fs.rm(tmp, { force: true });
      },
    };
  }

  /** Renames a complete temporary file to its final name, if it fits; counts its bytes as used. */
  private async moveIntoPlace(
    tmp: string,
    final: string,
    mtimeMs: number | undefined,
  ): Promise<{ size: number; mtimeMs: number }> {
    let previous = 0;
    try {
      previous = (await fs.stat(final)).size;
    } catch {
      /* new file */
    }
    if (mtimeMs !== undefined) {
      const t = new Date(mtimeMs);
      await fs.utimes(tmp, t, t);
    }
    const st = await fs.stat(tmp);
    if (st.size - previous > this.freeBytes) throw new StorageError('FULL', `${this.name} is full`);
    await fs.rename(tmp, final);
    this.used += st.size - previous;
    return { size: st.size, mtimeMs: st.mtimeMs };
  }

  /** The CRC-32 of the file at `realPath` if known for exactly this size and mtime. */
  knownCrc32(realPath: string, size: number, mtimeMs: number): number | undefined {
    const c = this.checksums.get(realPath);
    return c && c.size === size && c.mtimeMs === mtimeMs ? c.crc32 : undefined;
  }

  rememberCrc32(realPath: string, size: number, mtimeMs: number, crc: number): void {
    // Bounded: a long-running emulator with many files forgets and recomputes.
    if (this.checksums.size >= 100_000) this.checksums.clear();
    this.checksums.set(realPath, { size, mtimeMs, crc32: crc });
  }

  /** Marks a folder as being written, so deleting it answers BUSY. Returns the release function. */
  markBusy(folder: string): () => void {
    this.busyFolders.add(folder);
    return () => this.busyFolders.delete(folder);
  }

  isBusy(folder: string): boolean {
    return this.busyFolders.has(folder);
  }

  async deleteFile(folder: string, name: string): Promise<void> {
    const file = await this.resolve(folder, name);
    const st = await fs.lstat(file);
    if (!st.isFile()) throw new StorageError('NOT_FOUND', `${this.name}/${folder}/${name} is not a file`);
    await fs.rm(file);
    this.used -= st.size;
    // The thumbnail (`.thumb/<stem>.jpg`) goes with its picture.
    const thumb = path.join(path.dirname(file), '.thumb', `${name.replace(/\.[^.]+$/, '')}.jpg`);
    const thumbSize = await fs.stat(thumb).then(
      (t) => t.size,
      () => -1,
    );
    if (thumbSize >= 0) {
      await fs.rm(thumb, { force: true });
      this.used -= thumbSize;
    }
  }

  async deleteFolder(folder: string): Promise<void> {
    if (this.busyFolders.has(folder)) throw new StorageError('BUSY', `${this.name}/${folder} is being written`);
    const dir = await this.resolve(folder);
    if (!(await fs.lstat(dir)).isDirectory())
      throw new StorageError('NOT_FOUND', `${this.name}/${folder} is not a folder`);
    const size = await this.scan(dir);
    await fs.rm(dir, { recursive: true, force: true });
    this.used -= size;
  }
}

/** All media of one emulated camera under one data directory. */
export class MediaStorage {
  readonly media = new Map<string, Medium>();

  private constructor(readonly dir: string) {}

  static async open(dir: string, media: MediumOptions[]): Promise<MediaStorage> {
    const s = new MediaStorage(path.resolve(dir));
    await fs.mkdir(s.dir, { recursive: true });
    for (const m of media) {
      const medium = new Medium(s.dir, m);
      await medium.init();
      s.media.set(m.name, medium);
    }
    return s;
  }

  /** The medium of that name, or NOT_FOUND (also when it is not inserted). */
  get(name: string): Medium {
    const m = this.media.get(name);
    if (!m || !m.present) throw new StorageError('NOT_FOUND', `no medium ${JSON.stringify(name)}`);
    return m;
  }
}

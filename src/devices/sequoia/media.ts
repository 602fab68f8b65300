/**
 * The Sequoia's two media as the camera sees them: present or not, full or not, and in what
 * condition (read-only, corrupted, failed — set through the emulator controls). The files
 * themselves are in {@link MediaStorage}; what a capture may write where is decided here.
 */
import { MediaStorage, StorageError, type Medium } from '../storage.js';
import type { CaptureRefusal } from './outcomes.js';
import { MEDIA, type MediumCondition, type MediumName } from './types.js';

export class MediaBay {
  private readonly full = new Set<MediumName>();
  /** Media that went read-only, corrupted or failed; absent = ok. */
  private readonly conditions = new Map<MediumName, Exclude<MediumCondition, 'ok'>>();

  constructor(readonly storage: MediaStorage) {}

  /** Present media in the camera's order. */
  present(): Array<{ name: MediumName; medium: Medium }> {
    const out: Array<{ name: MediumName; medium: Medium }> = [];
    for (const name of MEDIA) {
      const m = this.storage.media.get(name);
      if (m?.present) out.push({ name, medium: m });
    }
    return out;
  }

  isPresent(name: MediumName): boolean {
    return this.storage.media.get(name)?.present ?? false;
  }

  /** A medium by name whether present or not; throws NOT_FOUND for a name the camera lacks. */
  get(name: MediumName): Medium {
    const m = this.storage.media.get(name);
    if (!m) throw new StorageError('NOT_FOUND', `no medium ${name}`);
    return m;
  }

  /** A medium to read from; a corrupted or failed one refuses (StorageError FAULT). */
  readable(name: string): Medium {
    const m = this.storage.get(name);
    const condition = this.conditions.get(name as MediumName);
    if (condition === 'corrupted' || condition === 'error') throw mediumFault(name, condition);
    return m;
  }

  condition(name: MediumName): MediumCondition {
    return this.conditions.get(name) ?? 'ok';
  }

  /** Sets a medium's condition; returns the one before. */
  setCondition(name: MediumName, condition: MediumCondition): MediumCondition {
    this.get(name);
    const before = this.condition(name);
    if (condition === 'ok') this.conditions.delete(name);
    else this.conditions.set(name, condition);
    return before;
  }

  /** Whether a capture may write to the medium now (present, in good condition). */
  isWritable(name: MediumName): boolean {
    return this.isPresent(name) && !this.conditions.has(name);
  }

  /** Throws what the camera says when it cannot write to (or delete from) a medium. */
  assertWritable(name: MediumName): void {
    const condition = this.conditions.get(name);
    if (condition === 'read-only') throw new StorageError('READ_ONLY', `/${name} is read-only`);
    if (condition) throw mediumFault(name, condition);
  }

  /** Why a capture cannot go onto a medium in a bad condition (none when its condition is ok). */
  conditionRefusal(name: MediumName): CaptureRefusal | undefined {
    const condition = this.conditions.get(name);
    if (!condition) return undefined;
    return condition === 'read-only' ? 'read-only' : 'medium-fault';
  }

  isFull(name: MediumName): boolean {
    return this.full.has(name);
  }

  /** Marks a medium full; returns whether that is news. */
  markFull(name: MediumName): boolean {
    if (this.full.has(name)) return false;
    this.full.add(name);
    return true;
  }

  /** After space was freed: whether a full medium now has room for `captureBytes` again (news once). */
  freedEnough(name: MediumName, captureBytes: number): boolean {
    const m = this.storage.media.get(name);
    if (!m || !this.full.has(name) || m.freeBytes < captureBytes) return false;
    this.full.delete(name);
    return true;
  }
}

function mediumFault(name: string, condition: MediumCondition): StorageError {
  return new StorageError('FAULT', condition === 'corrupted' ? 'Storage is corrupted' : 'Storage error', {
    cause: `/${name} is ${condition}`,
  });
}

/**
 * The OSC face's sessions and API level — protocol state, not the camera's:
 *
 * - The S boots in API v2.0 (`_apiVersion` 1) with sessions: `startSession` issues `SID_0001`,
 *   `SID_0002`, …; only the last issued id is valid; a session expires 180 s after its last use.
 * - `setOptions {clientVersion: 2}` switches to v2.1, which has no sessions; the camera returns to
 *   v2.0 on restart and whenever its Wi-Fi link drops (client_version.md) — the device's
 *   `link-dropped` event (idle for the session timeout, sleep, power-off, reset, _finishWlan).
 * - While a capture another client started runs in its live session, a new session is refused
 *   (`cameraInExclusiveUse`).
 */
import type { ThetaDevice } from '../../devices/theta/device.js';
import { LINK_IDLE_S } from '../../devices/theta/device.js';
import { OscCommandError, toOscError } from './osc-errors.js';

/** OSC API level: 1 is v2.0, 2 is v2.1 (`_apiVersion`, `clientVersion`). */
export type ApiVersion = 1 | 2;

/** Session timeout in seconds, as the S gives it: the same as its link's idle timeout. */
export const SESSION_TIMEOUT_S = LINK_IDLE_S;

interface Session {
  id: string;
  lastUsed: number;
}

export class OscSessions {
  private level: ApiVersion = 1;
  private session: Session | undefined;
  private counter = 0;
  private readonly onLinkDropped = (): void => this.linkDropped();

  constructor(
    private readonly device: ThetaDevice,
    /** Called whenever the session or the level changes (the state fingerprint follows). */
    private readonly changed: () => void = () => undefined,
  ) {
    device.on('link-dropped', this.onLinkDropped);
  }

  /** The API level the camera speaks now. */
  get api(): ApiVersion {
    return this.level;
  }

  /** The live session's id (undefined when none, or when it expired). */
  get current(): string | undefined {
    return this.session && !this.expired(this.session) ? this.session.id : undefined;
  }

  private expired(s: Session): boolean {
    return this.device.clock.now() - s.lastUsed > SESSION_TIMEOUT_S * 1000;
  }

  private linkDropped(): void {
    this.session = undefined;
    this.level = 1;
    this.changed();
  }

  /** camera.startSession: a new id, the previous one no longer valid. */
  start(): { sessionId: string; timeout: number } {
    try {
      this.device.assertPowered();
    } catch (err) {
      throw toOscError(err) ?? err;
    }
    if (this.device.capturing && this.current !== undefined) {
      // Another client's recording or interval run holds the camera.
      throw new OscCommandError('cameraInExclusiveUse', 'the camera is in exclusive use by a running capture');
    }
    this.counter++;
    this.session = { id: `SID_${String(this.counter).padStart(4, '0')}`, lastUsed: this.device.clock.now() };
    this.changed();
    return { sessionId: this.session.id, timeout: SESSION_TIMEOUT_S };
  }

  /** Checks a v2.0 session id (only the last issued, unexpired one is valid) and refreshes it. */
  use(sessionId: string): void {
    const s = this.session;
    if (!s || s.id !== sessionId || this.expired(s))
      throw new OscCommandError('invalidSessionId', `session ${JSON.stringify(sessionId)} is not valid`);
    s.lastUsed = this.device.clock.now();
  }

  /** camera.updateSession. */
  update(sessionId: string): { sessionId: string; timeout: number } {
    this.use(sessionId);
    return { sessionId, timeout: SESSION_TIMEOUT_S };
  }

  /** camera.closeSession. */
  close(sessionId: string): void {
    this.use(sessionId);
    this.session = undefined;
    this.changed();
  }

  /** `clientVersion` set: the level changes; v2.1 has no sessions. */
  switchTo(level: ApiVersion): void {
    if (level === this.level) return;
    this.level = level;
    if (level === 2) this.session = undefined;
    this.changed();
  }

  /** Stops following the device. */
  detach(): void {
    this.device.off('link-dropped', this.onLinkDropped);
  }
}

/**
 * The THETA's power and its Wi-Fi link: on, asleep or off; the idle count that puts it to sleep
 * (sleepDelay) and switches it off (offDelay); and the link that drops when no request comes for
 * {@link LINK_IDLE_S} seconds, or when the camera sleeps, switches off or restarts.
 *
 * Both delays count from the last use (sleep_delay.md: "standby time until sleep"; off_delay.md:
 * "standby time until the power automatically turns OFF"), so a camera left asleep still switches
 * off once offDelay has passed; nothing counts while the camera shoots or answers a request.
 */
import { debuglog } from 'node:util';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { ThetaDeviceError } from './errors.js';
import { NEVER } from './options.js';

const log = debuglog('camctl:theta');

/** Seconds without a request after which the Wi-Fi link counts as dropped (the S's session timeout). */
export const LINK_IDLE_S = 180;

/**
 * The camera's power: on; asleep (sleepDelay ran out: Wi-Fi and USB answer nothing until the power
 * button is pressed); off (offDelay ran out, PowerDown, or the power button held).
 */
export type ThetaPowerState = 'on' | 'asleep' | 'off';

/** What the power needs from the rest of the camera. */
export interface PowerHooks {
  /** The current sleepDelay and offDelay, seconds ({@link NEVER}: never). */
  delays(): { sleepDelay: number; offDelay: number };
  /** Shooting, recording, an interval run or a self-timer countdown: time that is not idle. */
  busy(): boolean;
  /** The power changed; asleep or off, the camera's link and live preview are gone. */
  changed(state: ThetaPowerState): void;
  /** The Wi-Fi link dropped (idle, sleep, power-off, restart, _finishWlan). */
  linkDropped(why: string): void;
}

export class ThetaPower {
  private powerState: ThetaPowerState = 'on';
  /** Timers of the idle count (sleepDelay, offDelay); cleared while the camera shoots. */
  private sleepTimer: TimerHandle | undefined;
  private offTimer: TimerHandle | undefined;
  private linkTimer: TimerHandle | undefined;
  /** Whether the idle count was last seen stopped by a capture (to restart it when it ends). */
  private idleCountStopped = false;
  /** Requests being answered now (a long poll, a download): the camera is in use meanwhile. */
  private requestsInProgress = 0;
  /** Bumped when the camera sleeps or switches off: the requests of before are gone with its link. */
  private linkGeneration = 0;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: PowerHooks,
  ) {}

  /** On, asleep or off. */
  get state(): ThetaPowerState {
    return this.powerState;
  }

  /** Something used the camera (a request on any face): the idle count starts again. */
  activity(): void {
    // Asleep, the offDelay count goes on: a connection closing as the camera fell asleep is no use.
    if (this.powerState !== 'on') return;
    this.clock.clearTimer(this.sleepTimer);
    this.clock.clearTimer(this.offTimer);
    this.sleepTimer = this.offTimer = undefined;
    this.idleCountStopped = this.hooks.busy() || this.requestsInProgress > 0;
    if (this.closed || this.idleCountStopped) return;
    const { sleepDelay, offDelay } = this.hooks.delays();
    if (sleepDelay !== NEVER && sleepDelay < offDelay) {
      this.sleepTimer = this.clock.setTimeout(
        () => this.set('asleep', `no use for sleepDelay ${sleepDelay} s`),
        sleepDelay * 1000,
      );
    }
    if (offDelay !== NEVER)
      this.offTimer = this.clock.setTimeout(
        () => this.set('off', `no use for offDelay ${offDelay} s`),
        offDelay * 1000,
      );
  }

  /** The idle count stops while the camera shoots, and starts again from the end of the shooting. */
  followBusy(): void {
    if ((this.hooks.busy() || this.requestsInProgress > 0) !== this.idleCountStopped) this.activity();
  }

  /**
   * A request is being answered: no idle time passes until the returned function is called (when
   * the reply has gone), so a long poll or a long download does not let the camera fall asleep.
   */
  inUse(): () => void {
    this.requestsInProgress++;
    this.activity();
    const generation = this.linkGeneration;
    let done = false;
    return () => {
      if (done || generation !== this.linkGeneration) return;
      done = true;
      this.requestsInProgress--;
      this.activity();
    };
  }

  /** A request arrived over the link: without another for {@link LINK_IDLE_S} the link drops. */
  linkUsed(): void {
    this.clock.clearTimer(this.linkTimer);
    this.linkTimer = this.clock.setTimeout(
      () => this.hooks.linkDropped(`link idle for ${LINK_IDLE_S} s`),
      LINK_IDLE_S * 1000,
    );
    this.activity();
  }

  /** The link ends now (camera._finishWlan, a restart). */
  dropLink(why: string): void {
    this.clock.clearTimer(this.linkTimer);
    this.hooks.linkDropped(why);
  }

  /** The power button pressed briefly: an asleep camera wakes (Wi-Fi and USB answer again). */
  wake(): void {
    if (this.powerState === 'off')
      throw new ThetaDeviceError('off', 'the camera is off: switch it on with its power button');
    if (this.powerState === 'asleep') this.set('on', 'woken by the power button');
    else this.activity();
  }

  /** Puts the camera to sleep now, as sleepDelay running out would (refused while it shoots). */
  sleep(busyWith: string): void {
    if (this.powerState === 'off') throw new ThetaDeviceError('off', 'the camera is off');
    if (this.hooks.busy()) throw new ThetaDeviceError('busy', `the camera is busy (${busyWith})`);
    if (this.powerState === 'on') this.set('asleep', 'put to sleep');
  }

  /** The power button pressed on a camera that is off or asleep: it is on again. */
  switchOn(): void {
    if (this.closed) throw new ThetaDeviceError('off', 'the camera is closed');
    if (this.powerState !== 'on') this.set('on', 'switched on');
    else this.activity();
  }

  /** Off now (the caller has stopped and kept any capture first). */
  switchOff(): void {
    if (this.powerState !== 'off') this.set('off', 'switched off');
  }

  /**
   * Changes the power state: asleep or off the link drops with the requests in progress; on, the
   * idle count starts again.
   */
  private set(state: ThetaPowerState, why: string): void {
    if (this.closed || state === this.powerState) return;
    log('power %s → %s: %s', this.powerState, state, why);
    const was = this.powerState;
    this.powerState = state;
    if (state !== 'on') {
      // Its link is down: the requests in progress are over, and with them their use of the camera.
      this.linkGeneration++;
      this.requestsInProgress = 0;
      if (was === 'on') this.dropLink(why);
    }
    if (state === 'off') {
      this.clock.clearTimer(this.sleepTimer);
      this.clock.clearTimer(this.offTimer);
    } else if (state === 'asleep' && this.offTimer === undefined && this.hooks.delays().offDelay !== NEVER) {
      // Put to sleep while in use (the count was held): offDelay counts from now, the last use.
      const offDelay = this.hooks.delays().offDelay;
      this.offTimer = this.clock.setTimeout(
        () => this.set('off', `no use for offDelay ${offDelay} s`),
        offDelay * 1000,
      );
    } else if (state === 'on') {
      this.activity();
    }
    this.hooks.changed(state);
  }

  /** Stops every timer. */
  close(): void {
    this.closed = true;
    this.clock.clearTimer(this.linkTimer);
    this.clock.clearTimer(this.sleepTimer);
    this.clock.clearTimer(this.offTimer);
  }
}

/**
 * The THETA's continuous shooting said by name — video recording and interval shooting, each
 * with its own start and stop — and its clock. Both go through the Camera API the CLI's `video`,
 * `interval` and `config set dateTimeZone=…` use: the capture mode (and interval settings) are
 * set first, then the camera's continuous capture is started.
 */
import { useState } from 'preact/hooks';
import type { CameraView, ContinuousReply, SetConfigReply, Setting, SettingValue } from './types.js';
import { api, ApiCallError, cameraPath } from './api.js';

type Message = { text: string; error: boolean } | undefined;
const errorText = (err: unknown): string => (err instanceof ApiCallError ? err.message : String(err));

export function ThetaShooting({
  camera,
  settings,
  onSettings,
}: {
  camera: CameraView;
  settings: Setting[] | undefined;
  onSettings: (s: Setting[]) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>();
  const find = (re: RegExp): Setting | undefined => settings?.find((s) => re.test(s.key));
  const mode = find(/^captureMode$/);
  const every = find(/^_?captureInterval$/);
  const count = find(/^_?captureNumber$/);
  const [everyText, setEveryText] = useState<string | undefined>();
  const [countText, setCountText] = useState<string | undefined>();
  const online = camera.state === 'online';
  const capturing = camera.status?.capture.state === 'capturing';
  // What runs: what this page started, else what the capture mode says (started elsewhere).
  const [started, setStarted] = useState<'video' | 'interval' | undefined>();
  const running = started ?? (mode?.value === 'video' ? 'video' : 'interval');
  const recording = capturing && running === 'video';
  const shooting = capturing && running === 'interval';
  const videoValue = mode?.allowed?.find((v) => /video/i.test(String(v)));
  const imageValue = mode?.allowed?.find((v) => /^image$/i.test(String(v))) ?? 'image';

  const start = async (values: Record<string, SettingValue>, what: string): Promise<void> => {
    setStarted(what === 'Video recording' ? 'video' : 'interval');
    setBusy(true);
    setMessage(undefined);
    try {
      const changed = Object.fromEntries(
        Object.entries(values).filter(([k, v]) => settings?.find((s) => s.key === k)?.value !== v),
      );
      if (Object.keys(changed).length > 0) {
        const r = await api<SetConfigReply>('POST', cameraPath(camera.id, 'config'), { values: changed });
        onSettings(r.settings);
        if (r.refused.length > 0)
          throw new Error(
            `the camera refused ${r.refused.map((x) => `${x.key} ${String(x.value)} (${x.reason})`).join(', ')}`,
          );
      }
      await api<ContinuousReply>('POST', cameraPath(camera.id, 'capture/start'));
      setMessage({ text: `${what} started.`, error: false });
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    } finally {
      setBusy(false);
    }
  };
  const stop = async (what: string): Promise<void> => {
    setBusy(true);
    setMessage(undefined);
    try {
      const r = await api<ContinuousReply>('POST', cameraPath(camera.id, 'capture/stop'));
      setStarted(undefined);
      setMessage({ text: `${what} ${r.text}.`, error: false });
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    } finally {
      setBusy(false);
    }
  };

  const everyNow = everyText ?? String(every?.value ?? '');
  const countNow = countText ?? String(count?.value ?? 0);
  const intervalValues = (): Record<string, SettingValue> | string => {
    const v: Record<string, SettingValue> = { captureMode: imageValue };
    if (every) {
      const n = Number(everyNow);
      if (!Number.isInteger(n) || (every.range && (n < every.range.min || n > every.range.max))) {
        return `Interval: whole seconds${every.range ? ` from ${every.range.min} to ${every.range.max}` : ''}`;
      }
      v[every.key] = n;
    }
    if (count) {
      const n = Number(countNow);
      if (!Number.isInteger(n) || n < 0) return 'Shots: a whole number (0 = until stopped)';
      v[count.key] = n;
    }
    return v;
  };
  const countLabel = Number(countNow) > 0 ? `${countNow} shots` : 'until stopped';

  return (
    <section aria-labelledby="theta-shoot-title" class="card theta-shooting">
      <h3 id="theta-shoot-title">Video and interval shooting</h3>
      {!settings ? (
        <p class="muted">Reading the camera's modes…</p>
      ) : (
        <>
          <div class="shoot-row">
            <h4>Video</h4>
            <div class="buttons">
              <button
                type="button"
                disabled={!online || busy || capturing || videoValue === undefined}
                onClick={() => void start({ captureMode: videoValue! }, 'Video recording')}
              >
                Start video recording
              </button>
              <button
                type="button"
                disabled={!online || busy || !recording}
                onClick={() => void stop('Video recording')}
              >
                Stop video recording
              </button>
            </div>
            {videoValue === undefined && <p class="hint">This camera records no video in its current API level.</p>}
          </div>
          <div class="shoot-row">
            <h4>Interval shooting (still pictures)</h4>
            <p class="inline-form">
              {every && (
                <>
                  <label for="interval-every">Every</label>
                  <input
                    id="interval-every"
                    type="number"
                    inputMode="numeric"
                    min={every.range?.min}
                    max={every.range?.max}
                    value={everyNow}
                    onInput={(e) => setEveryText(e.currentTarget.value)}
                  />{' '}
                  s
                </>
              )}
              {count && (
                <>
                  <label for="interval-count">Shots</label>
                  <input
                    id="interval-count"
                    type="number"
                    inputMode="numeric"
                    min={0}
                    value={countNow}
                    onInput={(e) => setCountText(e.currentTarget.value)}
                  />
                  <span class="hint">0 = until stopped</span>
                </>
              )}
            </p>
            <div class="buttons">
              <button
                type="button"
                disabled={!online || busy || capturing}
                onClick={() => {
                  const v = intervalValues();
                  if (typeof v === 'string') setMessage({ text: v, error: true });
                  else void start(v, 'Interval shooting');
                }}
              >
                Start interval shooting (every {everyNow || '?'} s, {countLabel})
              </button>
              <button
                type="button"
                disabled={!online || busy || !shooting}
                onClick={() => void stop('Interval shooting')}
              >
                Stop interval shooting
              </button>
            </div>
          </div>
        </>
      )}
      {message && (
        <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'} data-testid="theta-message">
          {message.text}
        </p>
      )}
    </section>
  );
}

/** `2026:12:07 18:32:01+01:00`: the OSC dateTimeZone format, in this computer's time zone. */
export function oscDateTime(d: Date): string {
  const p = (n: number): string => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}:${p(d.getMonth() + 1)}:${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${off < 0 ? '-' : '+'}${p(Math.trunc(off / 60))}:${p(off % 60)}`;
}

/** The camera's clock, and a button that sets it to this computer's time (a THETA has no GPS to set it). */
export function CameraClock({
  camera,
  setting,
  onSettings,
}: {
  camera: CameraView;
  setting: Setting;
  onSettings: (s: Setting[]) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>();
  const set = async (): Promise<void> => {
    setBusy(true);
    setMessage(undefined);
    try {
      const value = oscDateTime(new Date());
      const r = await api<SetConfigReply>('POST', cameraPath(camera.id, 'config'), {
        values: { [setting.key]: value },
      });
      onSettings(r.settings);
      setMessage(
        r.refused.length > 0
          ? { text: `The camera refused the time: ${r.refused[0]!.reason}`, error: true }
          : { text: `Clock set to ${value}.`, error: false },
      );
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="clock-title" class="card clock">
      <h3 id="clock-title">Clock</h3>
      <p>
        Camera:{' '}
        <span data-testid="camera-clock">{setting.value === null ? 'not reported' : String(setting.value)}</span>
      </p>
      <button
        type="button"
        disabled={camera.state !== 'online' || busy || !setting.writable}
        onClick={() => void set()}
      >
        Set the camera's clock to this computer's time
      </button>
      {message && (
        <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'} data-testid="clock-message">
          {message.text}
        </p>
      )}
    </section>
  );
}

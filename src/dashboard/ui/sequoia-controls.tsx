/**
 * The Sequoia's own pages, on the overview: the calibration walk-through (start, the axis it waits
 * for, done), the Wi-Fi access point (name, on/off) and manual exposure per sensor. The same
 * calls as `camctl calibrate`, `camctl wifi` and `camctl manual`, through the dashboard's
 * `/sequoia/…` routes.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CameraView, SequoiaAnswer, SequoiaManual, SequoiaWifi } from './types.js';
import { api, ApiCallError, cameraPath } from './api.js';
import { axisProgress, CALIBRATION_AXES, calibrationText } from './words.js';

type Message = { text: string; error: boolean } | undefined;

function Note({ message, testid }: { message: Message; testid: string }) {
  if (!message) return null;
  return (
    <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'} data-testid={testid}>
      {message.text}
    </p>
  );
}

const errorText = (err: unknown): string => (err instanceof ApiCallError ? err.message : String(err));
/** "Ok" answers are the expected ones; anything else is the camera's reason, shown as is. */
const answerText = (r: SequoiaAnswer): Message => {
  const refused = Object.entries(r.results).filter(([, v]) => v !== 'Ok');
  return refused.length === 0
    ? { text: 'The camera took it.', error: false }
    : { text: `The camera refused ${refused.map(([k, v]) => `${k}: ${v}`).join(', ')}`, error: true };
};

/** Calibration of the body and the sunshine sensor: each turns yaw → pitch → roll; states come with the status poll. */
export function CalibrationCard({ camera }: { camera: CameraView }) {
  const cal = (camera.status?.details['calibration'] ?? {}) as Record<string, unknown>;
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>();
  const online = camera.state === 'online';
  const run = async (action: 'start' | 'stop', target?: string): Promise<void> => {
    setBusy(true);
    setMessage(undefined);
    try {
      const r = await api<SequoiaAnswer>(
        'POST',
        cameraPath(camera.id, `sequoia/calibration/${action}`),
        target ? { target } : {},
      );
      const m = answerText(r);
      setMessage(
        m?.error
          ? m
          : {
              text: action === 'start' ? 'Calibration started: turn the camera as shown.' : 'Calibration stopped.',
              error: false,
            },
      );
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    } finally {
      setBusy(false);
    }
  };
  const devices = [
    { key: 'body', label: 'Camera body' },
    { key: 'sunshine', label: 'Sunshine sensor' },
  ];
  const running = devices.some((d) => /pending|Running/.test(String(cal[d.key] ?? '')));
  return (
    <section aria-labelledby="cal-title" class="card calibration">
      <h3 id="cal-title">Calibration</h3>
      <p class="hint">
        Hold the device and turn it about each axis in turn, as the camera's own page asks; each step ends by itself.
      </p>
      {devices.map((d) => {
        const state = cal[d.key] === undefined ? undefined : String(cal[d.key]);
        const steps = axisProgress(state);
        return (
          <div class="cal-device" key={d.key} data-device={d.key}>
            <p>
              <strong>{d.label}:</strong> <span data-testid={`calibration-${d.key}`}>{calibrationText(state)}</span>
            </p>
            <ol class="cal-steps" aria-label={`${d.label} calibration steps`}>
              {CALIBRATION_AXES.map((a, i) => (
                <li key={a.label} class={`step ${steps[i]}`} aria-current={steps[i] === 'now' ? 'step' : undefined}>
                  {a.label}
                  <span class="sr-only"> {steps[i]}</span>
                </li>
              ))}
            </ol>
            <button type="button" disabled={!online || busy} onClick={() => void run('start', d.key)}>
              Calibrate {d.label.toLowerCase()}
            </button>
          </div>
        );
      })}
      <div class="buttons">
        <button type="button" disabled={!online || busy} onClick={() => void run('start')}>
          Calibrate both
        </button>
        <button type="button" disabled={!online || busy || !running} onClick={() => void run('stop')}>
          Stop calibration
        </button>
        <button type="button" disabled={!online || busy} onClick={() => void run('start', 'radiometric')}>
          Radiometric calibration picture
        </button>
      </div>
      <p class="hint">
        The radiometric picture is taken after a 10 s countdown: hold the calibration target under the camera.
      </p>
      <Note message={message} testid="calibration-message" />
    </section>
  );
}

/** The camera's Wi-Fi access point: its name and whether it is on. */
export function WifiCard({ camera }: { camera: CameraView }) {
  const [wifi, setWifi] = useState<SequoiaWifi | undefined>();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>();
  const online = camera.state === 'online';
  const load = async (): Promise<void> => {
    try {
      const w = await api<SequoiaWifi>('GET', cameraPath(camera.id, 'sequoia/wifi'));
      setWifi(w);
      setName(w.ssid);
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    }
  };
  useEffect(() => {
    if (online) void load();
  }, [camera.id, online]);
  const send = async (values: Partial<SequoiaWifi>): Promise<void> => {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage(answerText(await api<SequoiaAnswer>('POST', cameraPath(camera.id, 'sequoia/wifi'), values)));
      await load();
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="wifi-title" class="card wifi">
      <h3 id="wifi-title">Wi-Fi</h3>
      {!wifi ? (
        <p class="muted">{message?.text ?? 'Reading…'}</p>
      ) : (
        <>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (name !== wifi.ssid) void send({ ssid: name });
            }}
          >
            <label for="wifi-ssid">Network name</label>
            <input
              id="wifi-ssid"
              value={name}
              maxLength={32}
              required
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <button type="submit" disabled={!online || busy || name === wifi.ssid || name.trim() === ''}>
              Rename
            </button>
          </form>
          <p>
            Access point <strong data-testid="wifi-status">{wifi.status === 'on' ? 'on' : 'off'}</strong>{' '}
            <button
              type="button"
              disabled={!online || busy}
              onClick={() => void send({ status: wifi.status === 'on' ? 'off' : 'on' })}
            >
              {wifi.status === 'on' ? 'Switch Wi-Fi off' : 'Switch Wi-Fi on'}
            </button>
          </p>
          <p class="hint">Renaming or switching it off drops the link of anything connected through this Wi-Fi.</p>
        </>
      )}
      {wifi && <Note message={message} testid="wifi-message" />}
    </section>
  );
}

const SENSORS = [
  { key: 'rgb', label: 'RGB' },
  { key: 'green', label: 'Green' },
  { key: 'red', label: 'Red' },
  { key: 'red_edge', label: 'Red edge' },
  { key: 'near_infrared', label: 'NIR' },
] as const;
type SensorKey = (typeof SENSORS)[number]['key'];

/** Manual exposure: RGB on its own, the four bands share one mode; exposure in µs, ISO = gain × 100. */
export function ManualExposureCard({ camera }: { camera: CameraView }) {
  const [manual, setManual] = useState<SequoiaManual | undefined>();
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>();
  const online = camera.state === 'online';
  const load = async (): Promise<void> => {
    try {
      setManual(await api<SequoiaManual>('GET', cameraPath(camera.id, 'sequoia/manual')));
      setDraft({});
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    }
  };
  useEffect(() => {
    if (online) void load();
  }, [camera.id, online]);
  if (!manual) {
    return (
      <section aria-labelledby="manual-title" class="card">
        <h3 id="manual-title">Exposure</h3>
        <p class="muted">{message?.text ?? 'Reading…'}</p>
      </section>
    );
  }
  const exposure = (k: SensorKey) => (k === 'rgb' ? manual.rgb : manual.monochrome[k]);
  const modeOf = (k: SensorKey): string =>
    draft[`${k === 'rgb' ? 'rgb' : 'monochrome'}.mode`] ?? (k === 'rgb' ? manual.rgb.mode : manual.monochrome.mode);
  const field = (k: SensorKey, f: 'exp_us' | 'iso'): string => draft[`${k}.${f}`] ?? String(exposure(k)[f]);
  const send = async (values: object): Promise<void> => {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage(answerText(await api<SequoiaAnswer>('POST', cameraPath(camera.id, 'sequoia/manual'), { values })));
      await load();
    } catch (err) {
      setMessage({ text: errorText(err), error: true });
    } finally {
      setBusy(false);
    }
  };
  const save = (e: Event): void => {
    e.preventDefault();
    const values: { rgb?: Record<string, unknown>; monochrome?: Record<string, unknown> } = {};
    for (const [key, text] of Object.entries(draft)) {
      const [a, b] = key.split('.') as [string, string];
      if (a === 'rgb' || a === 'monochrome') {
        const group = a === 'rgb' ? (values.rgb ??= {}) : (values.monochrome ??= {});
        if (b === 'mode') group.mode = text;
        else if (a === 'rgb') group[b] = Number(text);
      } else {
        const band = ((values.monochrome ??= {})[a] ??= {}) as Record<string, number>;
        band[b] = Number(text);
      }
    }
    const bad = Object.entries(draft).find(([k, v]) => !k.endsWith('.mode') && !/^[1-9]\d*$/.test(v.trim()));
    if (bad) {
      setMessage({ text: `${bad[0]}: give a positive whole number`, error: true });
      return;
    }
    if (Object.keys(values).length > 0) void send(values);
  };
  return (
    <form aria-labelledby="manual-title" class="card manual" onSubmit={save} noValidate>
      <h3 id="manual-title">Exposure</h3>
      <div class="table-scroll">
        <table class="manual-table">
          <thead>
            <tr>
              <th scope="col">Sensor</th>
              <th scope="col">Mode</th>
              <th scope="col">Exposure (µs)</th>
              <th scope="col">ISO</th>
            </tr>
          </thead>
          <tbody>
            {SENSORS.map((s) => {
              const group = s.key === 'rgb' ? 'rgb' : 'monochrome';
              const manualNow = modeOf(s.key) === 'manual';
              return (
                <tr key={s.key}>
                  <th scope="row">{s.label}</th>
                  <td>
                    {(s.key === 'rgb' || s.key === 'green') && (
                      <select
                        id={`manual-${group}-mode`}
                        aria-label={s.key === 'rgb' ? 'RGB exposure mode' : 'Band exposure mode (all four bands)'}
                        value={modeOf(s.key)}
                        onChange={(e) => setDraft({ ...draft, [`${group}.mode`]: e.currentTarget.value })}
                      >
                        <option value="auto">auto</option>
                        <option value="manual">manual</option>
                      </select>
                    )}
                  </td>
                  {(['exp_us', 'iso'] as const).map((f) => (
                    <td key={f}>
                      <input
                        id={`manual-${s.key}-${f}`}
                        aria-label={`${s.label} ${f === 'exp_us' ? 'exposure in µs' : 'ISO'}`}
                        type="number"
                        inputMode="numeric"
                        min={1}
                        step={1}
                        value={field(s.key, f)}
                        disabled={!manualNow}
                        onInput={(e) => setDraft({ ...draft, [`${s.key}.${f}`]: e.currentTarget.value })}
                      />
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div class="buttons">
        <button type="submit" class="primary" disabled={!online || busy || Object.keys(draft).length === 0}>
          Save exposure
        </button>
        <button
          type="button"
          disabled={!online || busy}
          onClick={() => void send({ rgb: { mode: 'auto' }, monochrome: { mode: 'auto' } })}
        >
          All automatic
        </button>
      </div>
      <p class="hint">Values apply in manual mode. ISO is the gain × 100.</p>
      <Note message={message} testid="manual-message" />
    </form>
  );
}

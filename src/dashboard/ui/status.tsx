/**
 * The overview of one camera: live status (Sequoia sensors; THETA battery and remaining
 * pictures; anything else as the camera reports it), storage bars, capture controls and, for
 * cameras that have one, the live preview; the Sequoia's calibration, Wi-Fi and exposure, and the
 * THETA's video, interval shooting and clock.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CameraView, CaptureReply, ContinuousReply, MediumStatus, SetConfigReply, Setting } from './types.js';
import { api, ApiCallError, cameraPath, formatBytes } from './api.js';
import { useStore } from './store.js';
import { CalibrationCard, ManualExposureCard, WifiCard } from './sequoia-controls.js';
import { CameraClock, ThetaShooting } from './theta-controls.js';
import { batteryText, calibrationText, captureHint, genericStatusRows, MODE_NAMES, thetaStatusRows } from './words.js';

/** The setting that picks single / continuous modes (Sequoia `capture_mode`, THETA `captureMode`). */
const MODE_KEY = /^capture_?mode$/i;

/**
 * The camera's settings, re-read when it announces a change, when its capture state moves
 * (remaining pictures drop after a shot) and every 10 s; the overview shows the mode selector and
 * the read-only readings (THETA remaining pictures and space) from them.
 */
function useSettings(camera: CameraView): [Setting[] | undefined, (s: Setting[]) => void] {
  const [settings, setSettings] = useState<Setting[] | undefined>();
  const [tick, setTick] = useState(0);
  // Bumped by every newer answer (a change's reply): a read started before it must not overwrite it.
  const version = useRef(0);
  const lastEvent = useStore((s) => {
    for (let i = s.log.length - 1; i >= 0; i--) {
      const e = s.log[i]!;
      if (e.cameraId === camera.id && e.event && (e.event.type === 'setting' || e.event.type === 'capture'))
        return e.seq;
    }
    return 0;
  });
  const captureState = camera.status?.capture.state;
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 10_000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    if (camera.state !== 'online') return;
    let live = true;
    const asked = version.current;
    api<Setting[]>('GET', cameraPath(camera.id, 'config')).then(
      (s) => live && asked === version.current && setSettings(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [camera.id, camera.state, lastEvent, captureState, tick]);
  const fromChange = (s: Setting[]): void => {
    version.current++;
    setSettings(s);
  };
  return [settings, fromChange];
}

export function Overview({ camera }: { camera: CameraView }) {
  const status = camera.status;
  const [settings, setSettings] = useSettings(camera);
  const readings = (settings ?? []).filter((x) => !x.writable && x.value !== null);
  const clock = settings?.find((x) => x.key === 'dateTimeZone');
  const sequoia = camera.protocol === 'sequoia';
  return (
    <div class="overview">
      <CaptureControls camera={camera} settings={settings} onSettings={setSettings} />
      {camera.protocol === 'theta' && <ThetaShooting camera={camera} settings={settings} onSettings={setSettings} />}
      {camera.livePreview && <LivePreview camera={camera} />}
      {!status ? (
        <p class="muted">{camera.state === 'online' ? 'Reading status…' : 'No status: the camera is not reachable.'}</p>
      ) : (
        <>
          <section aria-labelledby="st-capture" class="card">
            <h3 id="st-capture">Capture</h3>
            <p>
              <span class={`badge ${status.capture.state}`} data-testid="capture-state">
                {status.capture.state}
              </span>{' '}
              {status.capture.text}
              {status.capture.folder && <> → {status.capture.folder}</>}
            </p>
            {status.battery && (
              <p>
                Battery{' '}
                <meter
                  min={0}
                  max={1}
                  low={0.2}
                  high={0.5}
                  optimum={1}
                  value={status.battery.level}
                  aria-label="battery level"
                />{' '}
                <span data-testid="battery">{batteryText(status)}</span>
              </p>
            )}
          </section>
          {readings.length > 0 && (
            <section aria-labelledby="st-readings" class="card">
              <h3 id="st-readings">Camera readings</h3>
              <dl>
                {readings.map((r) => (
                  <>
                    <dt>{r.label}</dt>
                    <dd data-key={r.key}>
                      {r.unit === 'B' && typeof r.value === 'number'
                        ? formatBytes(r.value)
                        : `${String(r.value)}${r.unit ? ` ${r.unit}` : ''}`}
                    </dd>
                  </>
                ))}
              </dl>
            </section>
          )}
          <StorageBars media={status.media} />
          {sequoia ? (
            <SequoiaStatus details={status.details} />
          ) : (
            <GenericDetails
              rows={camera.protocol === 'theta' ? thetaStatusRows(status.details) : genericStatusRows(status.details)}
            />
          )}
        </>
      )}
      {sequoia && status && (
        <div class="grid wide">
          <CalibrationCard camera={camera} />
          <WifiCard camera={camera} />
        </div>
      )}
      {sequoia && status && <ManualExposureCard camera={camera} />}
      {clock && <CameraClock camera={camera} setting={clock} onSettings={setSettings} />}
    </div>
  );
}

function CaptureControls({
  camera,
  settings,
  onSettings,
}: {
  camera: CameraView;
  settings: Setting[] | undefined;
  onSettings: (s: Setting[]) => void;
}) {
  const [busy, setBusy] = useState('');
  const mode = settings?.find((x) => MODE_KEY.test(x.key) && x.writable && x.allowed && x.allowed.length > 0);
  const setMode = async (value: string): Promise<void> => {
    if (!mode) return;
    setBusy('mode');
    setMessage(undefined);
    try {
      const v = mode.allowed?.find((a) => String(a) === value) ?? value;
      const r = await api<SetConfigReply>('POST', cameraPath(camera.id, 'config'), { values: { [mode.key]: v } });
      onSettings(r.settings);
    } catch (err) {
      setMessage({ text: err instanceof ApiCallError ? err.message : String(err), error: true });
    } finally {
      setBusy('');
    }
  };
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const caps = camera.capabilities;
  const online = camera.state === 'online';
  const theta = camera.protocol === 'theta';
  // "Start timelapse": the button says what it starts (the mode chosen above).
  const modeName = mode?.value !== null && mode?.value !== undefined ? MODE_NAMES[String(mode.value)] : undefined;
  const run = async (label: string, action: string): Promise<void> => {
    setBusy(label);
    setMessage(undefined);
    try {
      if (action === 'capture') {
        const r = await api<CaptureReply>('POST', cameraPath(camera.id, 'capture'));
        setMessage({ text: `Captured ${r.files.length} file(s)${r.folder ? ` in ${r.folder}` : ''}`, error: false });
      } else {
        const r = await api<ContinuousReply>('POST', cameraPath(camera.id, action));
        setMessage({ text: r.text, error: false });
      }
    } catch (err) {
      setMessage({ text: err instanceof ApiCallError ? err.message : String(err), error: true });
    } finally {
      setBusy('');
    }
  };
  return (
    <section aria-labelledby="capture-title" class="card capture-controls">
      <h3 id="capture-title">Take pictures</h3>
      {mode && (
        <p class="mode">
          <label for="capture-mode">{mode.label}</label>{' '}
          <select
            id="capture-mode"
            value={String(mode.value ?? '')}
            disabled={!online || busy !== ''}
            onChange={(e) => void setMode(e.currentTarget.value)}
          >
            {mode.value === null && <option value="">(not reported)</option>}
            {(mode.allowed ?? []).map((v) => (
              <option key={String(v)} value={String(v)}>
                {String(v)}
              </option>
            ))}
          </select>
        </p>
      )}
      <div class="buttons">
        <button
          type="button"
          class="primary"
          disabled={!online || !caps?.capture || busy !== ''}
          onClick={() => run('capture', 'capture')}
        >
          {busy === 'capture' ? 'Capturing…' : 'Capture'}
        </button>
        {!theta && caps?.continuousCapture && (
          <>
            <button type="button" disabled={!online || busy !== ''} onClick={() => run('start', 'capture/start')}>
              {modeName ? `Start ${modeName}` : 'Start continuous'}
            </button>
            <button type="button" disabled={!online || busy !== ''} onClick={() => run('stop', 'capture/stop')}>
              {modeName ? `Stop ${modeName}` : 'Stop'}
            </button>
          </>
        )}
      </div>
      <p class="hint" data-testid="capture-hint">
        {captureHint(camera.protocol, !theta && caps?.continuousCapture === true, mode)}
      </p>
      {message && (
        <p
          class={message.error ? 'error' : 'ok'}
          role={message.error ? 'alert' : 'status'}
          data-testid="capture-message"
        >
          {message.text}
        </p>
      )}
    </section>
  );
}

function LivePreview({ camera }: { camera: CameraView }) {
  // The stream's URL is fixed when it is switched on: a new one (at each status update) would make
  // the browser drop the stream and open another, several times a second.
  const [src, setSrc] = useState<string | undefined>();
  return (
    <section aria-labelledby="live-title" class="card live">
      <h3 id="live-title">Live preview</h3>
      <button
        type="button"
        aria-pressed={src !== undefined}
        onClick={() => setSrc(src ? undefined : `${cameraPath(camera.id, 'live')}?t=${Date.now()}`)}
        disabled={camera.state !== 'online'}
      >
        {src ? 'Stop live preview' : 'Start live preview'}
      </button>
      {src && <img class="live-img" src={src} alt="Live preview from the camera" />}
    </section>
  );
}

const MEDIUM_NAMES: Record<string, string> = { internal: 'Internal memory', sd: 'SD card' };

export function StorageBars({ media }: { media: MediumStatus[] }) {
  return (
    <section aria-labelledby="st-storage" class="card">
      <h3 id="st-storage">Storage</h3>
      <ul class="storage">
        {media.map((m) => {
          const total = m.totalBytes ?? 0;
          const used = total - (m.freeBytes ?? 0);
          return (
            <li key={m.id}>
              <span class="medium-name">
                {MEDIUM_NAMES[m.id] ?? m.id}
                {m.selected && <span class="muted"> · in use</span>}
              </span>
              {m.present ? (
                <>
                  <meter min={0} max={total || 1} high={total * 0.9} value={used} aria-label={`${m.id} used`} />
                  <span class="muted figures">
                    {formatBytes(m.freeBytes ?? 0)} free of {formatBytes(total)}
                    {m.readOnly && ' · read-only'}
                    {m.problem && ` · ${m.problem}`}
                  </span>
                </>
              ) : (
                <span class="muted not-present">not present</span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

type Dict = Record<string, unknown>;
const obj = (v: unknown): Dict => (typeof v === 'object' && v !== null ? (v as Dict) : {});
const num = (v: unknown, digits = 1): string => (typeof v === 'number' ? v.toFixed(digits) : String(v ?? '–'));

function SequoiaStatus({ details }: { details: Dict }) {
  const gps = obj(details.gps);
  const t = obj(details.temperature);
  const sun = obj(details.sunshine);
  const ins = obj(details.instruments);
  const cal = obj(details.calibration);
  const fix = gps.fix === 1 || gps.fix === true;
  return (
    <div class="grid">
      <section aria-labelledby="st-gps" class="card">
        <h3 id="st-gps">GPS</h3>
        <dl>
          <dt>Fix</dt>
          <dd data-testid="gps-fix">{fix ? 'yes' : 'no'}</dd>
          <dt>Satellites</dt>
          <dd>{String(gps.satellite_number ?? '–')}</dd>
          <dt>Precision</dt>
          <dd>{num(gps.precision)}</dd>
          {fix && gps.degres_lat !== undefined && (
            <>
              <dt>Position</dt>
              <dd>
                {String(gps.degres_lat)}° {String(gps.minutes_lat)}′ {num(gps.seconds_lat, 2)}″,{' '}
                {String(gps.degres_lon)}° {String(gps.minutes_lon)}′ {num(gps.seconds_lon, 2)}″ · {num(gps.altitude)} m
              </dd>
            </>
          )}
          <dt>Status</dt>
          <dd>{String(gps.status ?? '')}</dd>
        </dl>
      </section>
      <section aria-labelledby="st-temp" class="card">
        <h3 id="st-temp">Temperatures (°C)</h3>
        <dl>
          {['body_p7', 'body_p7mu', 'body_ddr3', 'body_wifi', 'body_imu', 'sunshine_imu'].map((k) => (
            <>
              <dt>{k.replace(/_/g, ' ')}</dt>
              <dd>{num(t[k])}</dd>
            </>
          ))}
        </dl>
      </section>
      <section aria-labelledby="st-sun" class="card">
        <h3 id="st-sun">Sunshine sensor</h3>
        <dl>
          <dt>Status</dt>
          <dd data-testid="sunshine-status">{String(sun.status ?? '–')}</dd>
          {['green', 'red', 'red_edge', 'near_infrared'].map((b) => (
            <>
              <dt>{b.replace('_', ' ')}</dt>
              <dd>
                {num(sun[`${b}_0`], 0)} / {num(sun[`${b}_1`], 0)}
              </dd>
            </>
          ))}
        </dl>
      </section>
      <section aria-labelledby="st-imu" class="card">
        <h3 id="st-imu">Angles (°)</h3>
        <table>
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">yaw</th>
              <th scope="col">pitch</th>
              <th scope="col">roll</th>
            </tr>
          </thead>
          <tbody>
            {['body', 'sunshine'].map((p) => (
              <tr key={p}>
                <th scope="row">{p}</th>
                <td>{num(ins[`${p}_yaw`])}</td>
                <td>{num(ins[`${p}_pitch`])}</td>
                <td>{num(ins[`${p}_roll`])}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted" data-testid="calibration-summary">
          Calibration — body: {calibrationText(cal.body === undefined ? undefined : String(cal.body))}; sunshine sensor:{' '}
          {calibrationText(cal.sunshine === undefined ? undefined : String(cal.sunshine))}
        </p>
      </section>
    </div>
  );
}

/** THETA and other cameras: what their status says, in people's words (see words.ts). */
function GenericDetails({ rows }: { rows: Array<[string, string]> }) {
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="st-details" class="card">
      <h3 id="st-details">Camera status</h3>
      <dl>
        {rows.map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

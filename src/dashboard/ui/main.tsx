/**
 * The dashboard page: the cameras on the left (a strip on top on a phone), the chosen camera's
 * tabs on the right — overview (status, capture, live preview), files, settings, S3 sync, event log.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CameraView } from '../api-types.js';
import { api, ApiCallError } from './api.js';
import { FileBrowser } from './files.js';
import { Downloads, EventLog } from './log.js';
import { S3Sync } from './s3-sync.js';
import { ConfigForm } from './settings.js';
import { Overview } from './status.js';
import { connectLive, upsertCamera, useStore } from './store.js';
import './style.css';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'files', label: 'Files' },
  { id: 'settings', label: 'Settings' },
  { id: 'sync', label: 'S3 sync' },
  { id: 'log', label: 'Event log' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function App() {
  const cameras = useStore((s) => s.cameras);
  const connected = useStore((s) => s.connected);
  const [selected, setSelected] = useState<string | undefined>(() => location.hash.match(/^#cam=([\w-]+)/)?.[1]);
  const camera = cameras.find((c) => c.id === selected) ?? cameras[0];
  useEffect(() => {
    if (camera && location.hash !== `#cam=${camera.id}`) history.replaceState(null, '', `#cam=${camera.id}`);
  }, [camera?.id]);
  return (
    <>
      <header class="top">
        <h1>camctl</h1>
        <span class={`link ${connected ? 'ok' : 'bad'}`} role="status" aria-live="polite">
          {connected ? 'live' : 'reconnecting…'}
        </span>
        <AddCamera onAdded={(c) => setSelected(c.id)} />
      </header>
      <div class="layout">
        <nav class="cameras" aria-label="Cameras">
          <ul>
            {cameras.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  class={`camera-button ${c.id === camera?.id ? 'current' : ''}`}
                  aria-current={c.id === camera?.id ? 'true' : undefined}
                  data-camera={c.id}
                  onClick={() => setSelected(c.id)}
                >
                  <span class={`dot ${c.state}`} aria-hidden="true" />
                  <span class="name">{cameraName(c)}</span>
                  <span class="state">{c.state}</span>
                  {c.info && <span class="addr">{c.address}</span>}
                </button>
              </li>
            ))}
          </ul>
          {cameras.length === 0 && <p class="muted">No camera yet: add one by its address above.</p>}
        </nav>
        <main>
          {camera ? <CameraPanel key={camera.id} camera={camera} /> : <p class="muted">Waiting for cameras…</p>}
        </main>
      </div>
      <Downloads />
    </>
  );
}

/** Forgets a camera (nothing on the camera changes); the live socket removes it from the list. */
async function forget(camera: CameraView): Promise<void> {
  try {
    await api('DELETE', `/api/cameras/${encodeURIComponent(camera.id)}`);
  } catch (err) {
    console.error(err);
  }
}

/**
 * "Parrot Sequoia", "RICOH THETA S" (whose model already starts with the maker's name); a camera
 * that never answered is named by its address, the only thing known about it.
 */
function cameraName(c: CameraView): string {
  if (!c.info) return c.address;
  const { manufacturer, model } = c.info;
  // PTP says "Ricoh Company, Ltd." where OSC says "RICOH": compare the maker's first word.
  const maker = (manufacturer.split(/[\s,]+/)[0] ?? '').toLowerCase();
  return maker && model.toLowerCase().startsWith(maker) ? model : `${manufacturer} ${model}`;
}

/** Why the first connection to a camera just added failed, and what to do about it. */
export function unreachableText(c: CameraView): string {
  return `No camera answers at ${c.address}: ${c.error?.message ?? 'no answer'}. Check the address, that the camera is on, and that this computer is on its Wi-Fi or cable. It stays in the list and is tried again.`;
}

function AddCamera({ onAdded }: { onAdded: (c: CameraView) => void }) {
  const [address, setAddress] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // The camera just added: its first connection's outcome is said here, beside the field.
  const [pending, setPending] = useState<string | undefined>();
  const added = useStore((s) => s.cameras.find((c) => c.id === pending));
  useEffect(() => {
    if (!pending) return;
    if (!added || added.state === 'online') setPending(undefined);
    else if (added.state === 'offline') {
      setError(unreachableText(added));
      setPending(undefined);
    }
  }, [pending, added?.state]);
  return (
    <form
      class="add-camera"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
          const c = await api<CameraView>('POST', '/api/cameras', { address });
          upsertCamera(c);
          onAdded(c);
          setAddress('');
          if (c.state === 'offline') setError(unreachableText(c));
          else if (c.state === 'connecting') setPending(c.id);
        } catch (err) {
          setError(err instanceof ApiCallError ? err.message : String(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label for="add-address">Add camera</label>
      <input
        id="add-address"
        name="address"
        placeholder="sequoia://192.168.47.1"
        value={address}
        onInput={(e) => {
          setAddress(e.currentTarget.value);
          setError('');
        }}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'add-error' : undefined}
        required
      />
      <button type="submit" disabled={busy}>
        Add
      </button>
      {error && (
        <span id="add-error" class="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function CameraPanel({ camera }: { camera: CameraView }) {
  const [tab, setTab] = useState<TabId>('overview');
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  // WAI-ARIA tabs: arrows move between tabs, Home/End jump.
  const onKey = (e: KeyboardEvent): void => {
    const i = TABS.findIndex((t) => t.id === tab);
    let j = i;
    if (e.key === 'ArrowRight') j = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = TABS.length - 1;
    else return;
    e.preventDefault();
    const next = TABS[j]!.id;
    setTab(next);
    tabRefs.current[next]?.focus();
  };
  return (
    <section class="camera-panel" aria-labelledby="camera-title">
      <div class="camera-head">
        <h2 id="camera-title">
          {cameraName(camera)}
          {camera.info?.serialNumber && <small> #{camera.info.serialNumber}</small>}
        </h2>
        <p class="meta">
          <span class={`badge ${camera.state}`} data-testid="camera-state">
            {camera.state}
          </span>{' '}
          {camera.address}
          {camera.info?.firmware && <> · firmware {camera.info.firmware}</>}
        </p>
        <button
          type="button"
          class="forget"
          onClick={() => void forget(camera)}
          aria-label={`Remove ${camera.address} from the dashboard`}
        >
          Remove
        </button>
        {camera.error && (
          <p class="error" role="alert">
            {camera.error.message}
          </p>
        )}
      </div>
      <div role="tablist" aria-label="Camera views" class="tabs" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="panel">
        {tab === 'overview' && <Overview camera={camera} />}
        {tab === 'files' && <FileBrowser camera={camera} />}
        {tab === 'settings' && <ConfigForm camera={camera} />}
        {tab === 'sync' && <S3Sync camera={camera} />}
        {tab === 'log' && <EventLog cameraId={camera.id} />}
      </div>
    </section>
  );
}

connectLive();
const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading…" text shown before the script ran
render(<App />, root);

/**
 * The camera's S3 sync: a form that starts `sync --to s3://BUCKET/PREFIX` of this camera on the
 * server, and the sync's live state (pushed over `/api/live`) with a Stop button. No secret keys:
 * the server signs with its own AWS credential chain; the page only names a profile of it.
 */
import { useState } from 'preact/hooks';
import type { CameraView, S3SyncState } from './types.js';
import { api, ApiCallError, cameraPath, formatBytes } from './api.js';
import { setSync, useStore } from './store.js';

/** The last target used, kept in this browser (never a credential), so a fleet is quick to sync. */
const REMEMBERED = 'camctl.s3-sync';

interface Form {
  to: string;
  endpoint: string;
  profile: string;
}

function remembered(): Form {
  try {
    const v = JSON.parse(localStorage.getItem(REMEMBERED) ?? '{}') as Partial<Form>;
    return { to: v.to ?? '', endpoint: v.endpoint ?? '', profile: v.profile ?? '' };
  } catch {
    return { to: '', endpoint: '', profile: '' };
  }
}

export function S3Sync({ camera }: { camera: CameraView }) {
  const sync = useStore((s) => s.syncs[camera.id]);
  const [form, setForm] = useState<Form>(remembered);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const running = sync?.state === 'running';
  const field = (key: keyof Form) => ({
    value: form[key],
    onInput: (e: { currentTarget: HTMLInputElement }) => {
      setForm({ ...form, [key]: e.currentTarget.value });
      setError('');
    },
  });
  const start = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body: Record<string, string> = { to: form.to.trim() };
      if (form.endpoint.trim()) body.endpoint = form.endpoint.trim();
      if (form.profile.trim()) body.profile = form.profile.trim();
      setSync(await api<S3SyncState>('POST', cameraPath(camera.id, 's3-sync'), body));
      localStorage.setItem(REMEMBERED, JSON.stringify(form));
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const stop = async (): Promise<void> => {
    setError('');
    try {
      setSync(await api<S3SyncState>('POST', cameraPath(camera.id, 's3-sync/stop')));
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : String(err));
    }
  };
  return (
    <div class="s3-sync">
      <section aria-labelledby="s3-form-title" class="card">
        <h3 id="s3-form-title">Sync to an object store</h3>
        <p class="hint">
          Every picture of this camera goes into the bucket under <code>PREFIX/&lt;model&gt;-&lt;serial&gt;/</code>,
          each verified; files already there are skipped, so a sync can be run again at any time. A manifest is written
          once every file is in the bucket. The server signs with its own AWS credentials (environment or ~/.aws); no
          key is entered here.
        </p>
        <form class="config" onSubmit={(e) => void start(e)}>
          <div class="field">
            <label for="s3-to">Bucket</label>
            <input
              id="s3-to"
              name="to"
              placeholder="s3://BUCKET/PREFIX"
              required
              {...field('to')}
              aria-describedby={error ? 's3-error' : undefined}
            />
          </div>
          <div class="field">
            <label for="s3-endpoint">Endpoint</label>
            <input id="s3-endpoint" name="endpoint" placeholder="AWS S3, or http://HOST:PORT" {...field('endpoint')} />
            <span class="hint">Ceph RADOS Gateway, MinIO, Garage…</span>
          </div>
          <div class="field">
            <label for="s3-profile">Profile</label>
            <input id="s3-profile" name="profile" placeholder="default" {...field('profile')} />
            <span class="hint">of the server’s ~/.aws</span>
          </div>
          <div class="buttons">
            <button type="submit" disabled={busy || running || camera.state !== 'online'}>
              Start sync
            </button>
            {running && (
              <button type="button" onClick={() => void stop()}>
                Stop sync
              </button>
            )}
          </div>
          {error && (
            <p id="s3-error" class="field-error" role="alert">
              {error}
            </p>
          )}
        </form>
      </section>
      {sync && <SyncState sync={sync} />}
    </div>
  );
}

function SyncState({ sync }: { sync: S3SyncState }) {
  const where = `s3://${sync.to.replace(/^s3:\/\//, '').replace(/\/+$/, '')}`;
  const bucket = where.replace(/^s3:\/\/([^/]+).*$/, '$1');
  return (
    <section aria-labelledby="s3-state-title" class="card" data-testid="s3-sync" data-state={sync.state}>
      <h3 id="s3-state-title">
        <span class={`badge ${sync.state}`}>{sync.state}</span> {where}
        {sync.endpoint !== 'AWS S3' && <small class="muted"> at {sync.endpoint}</small>}
      </h3>
      {sync.files === undefined ? (
        <p class="muted">
          {sync.state === 'running'
            ? 'Checking the bucket and reading the camera’s files…'
            : 'The camera’s files were not read.'}
        </p>
      ) : (
        <>
          <progress max={Math.max(1, sync.bytes ?? 0)} value={sync.bytesDone} aria-label="bytes synced" />
          <p>
            {sync.filesDone} of {sync.files} files · {formatBytes(sync.bytesDone)} of {formatBytes(sync.bytes ?? 0)}
            {sync.errors > 0 && <span class="error"> · {sync.errors} failed</span>}
          </p>
        </>
      )}
      {sync.state === 'finished' && (
        <p class="ok">
          Every file is in the bucket. Manifest:{' '}
          <code data-testid="s3-manifest">
            s3://{bucket}/{sync.manifest}
          </code>
        </p>
      )}
      {sync.error && (
        <p class={sync.state === 'stopped' ? 'muted' : 'error'} role={sync.state === 'failed' ? 'alert' : undefined}>
          {sync.error.message}
        </p>
      )}
      {sync.failures.length > 0 && (
        <ul class="failures">
          {sync.failures.map((f) => (
            <li key={f.path}>
              <code>{f.path}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

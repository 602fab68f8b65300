/**
 * The event log (camera notifications, actions done here, errors) and the download progress list.
 */
import { dismissDownload, useStore } from './store.js';
import { formatBytes } from './api.js';

export function EventLog({ cameraId }: { cameraId: string }) {
  const log = useStore((s) => s.log);
  const rows = log
    .filter((e) => e.cameraId === cameraId)
    .slice(-200)
    .reverse();
  return (
    <section aria-labelledby="log-title" class="card">
      <h3 id="log-title">Event log</h3>
      {rows.length === 0 ? (
        <p class="muted">Nothing yet.</p>
      ) : (
        <ol class="log" aria-live="polite">
          {rows.map((e) => (
            <li
              key={e.seq}
              class={`log-${e.kind}`}
              data-seq={e.seq}
              data-received-at={e.receivedAt}
              data-server-time={e.time}
            >
              <time dateTime={new Date(e.time).toISOString()}>{new Date(e.time).toLocaleTimeString()}</time>{' '}
              <span class="kind">{e.kind}</span> <span class="text">{e.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function Downloads() {
  const downloads = useStore((s) => s.downloads);
  const list = Object.values(downloads);
  if (list.length === 0) return null;
  return (
    <aside class="downloads" aria-label="Downloads">
      <h3>Downloads</h3>
      <ul>
        {list.map((d) => (
          <li key={d.id} data-download={d.id} data-state={d.state}>
            <span class="name">{d.filename}</span>
            {/* Indeterminate (animated) only while the size is unknown; a finished one is full. */}
            <progress
              max={d.state === 'done' ? 1 : (d.total ?? undefined)}
              value={d.state === 'done' ? 1 : d.total ? d.bytes : undefined}
              aria-label={`download ${d.filename}`}
            />
            <span class="muted">
              {d.state === 'failed'
                ? `failed: ${d.error ?? ''}`
                : d.state === 'done'
                  ? `done, ${formatBytes(d.bytes)}`
                  : `${formatBytes(d.bytes)}${d.total ? ` of ${formatBytes(d.total)}` : ''}`}
            </span>
            <button
              type="button"
              class="link-button"
              onClick={() => dismissDownload(d.id)}
              aria-label={`dismiss ${d.filename}`}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}

/**
 * Files by medium and folder, with thumbnails; multi-select download (a file as itself, folders
 * and selections as a zip) and delete after confirmation. Sequoia files are grouped by capture
 * (one picture index = one shot of every band); a shot opens in the band viewer with NDVI.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CameraView, DeleteReply, RemoteEntry } from './types.js';
import { api, ApiCallError, cameraPath, downloadUrl, fileUrl, formatBytes } from './api.js';
import { addDownload, useStore } from './store.js';
import { Viewer, type ViewerTarget } from './viewer.js';

const SEQUOIA_NAME = /^IMG_(\d{6})_(\d{6})_(\d{4})_(RGB|GRE|RED|REG|NIR)\.(JPG|TIF)$/;
const IMAGE = /\.(jpe?g|tiff?|png|dng)$/i;

export function FileBrowser({ camera }: { camera: CameraView }) {
  const [path, setPath] = useState('/');
  const [entries, setEntries] = useState<RemoteEntry[] | undefined>();
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [viewer, setViewer] = useState<ViewerTarget | undefined>();
  const version = useStore((s) => s.filesVersion[camera.id] ?? 0);
  const changedPath = useStore((s) => s.filesChangedPath[camera.id] ?? '/');
  const current = useRef(path);
  current.current = path;

  const load = async (p: string): Promise<void> => {
    try {
      const list = await api<RemoteEntry[]>(
        'GET',
        `${cameraPath(camera.id, 'files')}?${new URLSearchParams({ path: p }).toString()}`,
      );
      if (current.current !== p) return;
      setEntries(list);
      setError('');
      setSelected((s) => new Set([...s].filter((x) => list.some((e) => e.path === x))));
    } catch (err) {
      if (current.current === p) setError(err instanceof ApiCallError ? err.message : String(err));
    }
  };
  useEffect(() => {
    setEntries(undefined);
    setSelected(new Set());
    if (camera.state === 'online') void load(path);
  }, [camera.id, path, camera.state === 'online']);
  useEffect(() => {
    // Reload when the change is here, above (a deleted folder) or below (a new file in a folder).
    if (version > 0 && (path.startsWith(changedPath) || changedPath.startsWith(path) || changedPath === '/'))
      void load(path);
  }, [version]);

  // The Sequoia announces only the start and end of a timelapse: while the camera captures into a
  // folder shown here (or above it), re-list at each status update to show pictures as they come.
  const captureFolder =
    camera.status?.capture.state === 'capturing' ? (camera.status.capture.folder ?? '/') : undefined;
  useEffect(() => {
    if (captureFolder !== undefined && (captureFolder.startsWith(path) || path.startsWith(captureFolder)))
      void load(path);
  }, [camera.statusAt]);

  const parts = path.split('/').filter(Boolean);
  const go = (p: string): void => setPath(p);
  const toggle = (p: string): void => {
    const next = new Set(selected);
    if (next.has(p)) next.delete(p);
    else next.add(p);
    setSelected(next);
  };
  const level = parts.length; // 0 media, 1 folders, 2 files
  const canSelect = level >= 1;

  const download = (paths: string[]): void => {
    const id = Math.random().toString(36).slice(2, 10);
    const name = paths.length === 1 ? (paths[0]!.split('/').pop() ?? 'download') : `${paths.length} items (zip)`;
    addDownload(id, camera.id, name);
    const a = document.createElement('a');
    a.href = downloadUrl(camera.id, paths, id);
    a.download = '';
    document.body.append(a);
    a.click();
    a.remove();
  };

  const doDelete = async (): Promise<void> => {
    setConfirming(false);
    try {
      await api<DeleteReply>('POST', cameraPath(camera.id, 'delete'), { paths: [...selected] });
      setSelected(new Set());
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : String(err));
    }
    void load(path);
  };

  return (
    <div class="files">
      <nav aria-label="Folder path" class="crumbs">
        <button
          type="button"
          class="link-button"
          onClick={() => go('/')}
          aria-current={level === 0 ? 'page' : undefined}
        >
          all media
        </button>
        {parts.map((p, i) => (
          <>
            <span aria-hidden="true"> / </span>
            <button
              type="button"
              class="link-button"
              onClick={() => go(`/${parts.slice(0, i + 1).join('/')}`)}
              aria-current={i === parts.length - 1 ? 'page' : undefined}
            >
              {p}
            </button>
          </>
        ))}
      </nav>
      {canSelect && (
        <div class="toolbar" role="toolbar" aria-label="Selection">
          <button
            type="button"
            onClick={() =>
              setSelected(selected.size === (entries?.length ?? 0) ? new Set() : new Set(entries?.map((e) => e.path)))
            }
          >
            {selected.size > 0 && selected.size === entries?.length ? 'Select none' : 'Select all'}
          </button>
          <button type="button" disabled={selected.size === 0} onClick={() => download([...selected])}>
            Download{selected.size > 0 ? ` (${selected.size})` : ''}
          </button>
          <button
            type="button"
            class="danger"
            disabled={selected.size === 0 || !camera.capabilities?.delete}
            onClick={() => setConfirming(true)}
          >
            Delete{selected.size > 0 ? ` (${selected.size})` : ''}
          </button>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!entries ? (
        <p class="muted">{camera.state === 'online' ? 'Listing…' : 'The camera is not reachable.'}</p>
      ) : entries.length === 0 ? (
        <p class="muted">Empty.</p>
      ) : level < 2 ? (
        <ul class="entries">
          {entries.map((e) => (
            <li key={e.path} class="entry-row">
              {canSelect && (
                <input
                  type="checkbox"
                  aria-label={`select ${e.name}`}
                  checked={selected.has(e.path)}
                  onChange={() => toggle(e.path)}
                />
              )}
              <button type="button" class="link-button entry-open" data-path={e.path} onClick={() => go(e.path)}>
                <span aria-hidden="true">{e.kind === 'medium' ? '💾' : '📁'}</span> {e.name}
              </button>
              <span class="muted" data-testid="entry-count">
                {countText(e)}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <FileGrid camera={camera} entries={entries} selected={selected} toggle={toggle} open={setViewer} />
      )}
      {confirming && <ConfirmDelete paths={[...selected]} onCancel={() => setConfirming(false)} onConfirm={doDelete} />}
      {viewer && <Viewer camera={camera} target={viewer} onClose={() => setViewer(undefined)} />}
    </div>
  );
}

/**
 * What a medium or folder holds, counted as files: a Sequoia shot is five files (RGB and four
 * bands), so "5 pictures" for one shot would mislead.
 */
function countText(e: RemoteEntry): string {
  if (e.count === undefined) return '';
  return `${e.count} file${e.count === 1 ? '' : 's'}`;
}

/** The shots of a folder: Sequoia files grouped by picture index (one group per shot), others one per file. */
export function shotsOf(entries: RemoteEntry[]): Array<[string, RemoteEntry[]]> {
  const groups = new Map<string, RemoteEntry[]>();
  for (const e of entries) {
    const m = SEQUOIA_NAME.exec(e.name);
    const key = m ? `shot ${m[3]}` : e.path;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups];
}

function FileGrid(props: {
  camera: CameraView;
  entries: RemoteEntry[];
  selected: Set<string>;
  toggle: (p: string) => void;
  open: (t: ViewerTarget) => void;
}) {
  const { camera, entries, selected, toggle, open } = props;
  const groups = shotsOf(entries);
  const shots = groups.map(([, files]) => files);
  return (
    <ul class="groups">
      {groups.map(([key, files], shot) => (
        <li key={key} class="group" data-group={key}>
          {files.length > 1 && (
            <div class="group-head">
              <span>{key}</span>
              <button type="button" class="link-button" onClick={() => open({ shots, shot, index: 0 })}>
                Open bands
                {files.some((f) => f.name.includes('_RED.')) && files.some((f) => f.name.includes('_NIR.'))
                  ? ' + NDVI'
                  : ''}
              </button>
            </div>
          )}
          <ul class="tiles">
            {files.map((f, i) => (
              <li key={f.path} class={`tile ${selected.has(f.path) ? 'selected' : ''}`} data-path={f.path}>
                <label class="tile-select">
                  <input type="checkbox" checked={selected.has(f.path)} onChange={() => toggle(f.path)} />
                  <span class="sr-only">select {f.name}</span>
                </label>
                <button
                  type="button"
                  class="tile-open"
                  onClick={() => open({ shots, shot, index: i })}
                  aria-label={`open ${f.name}`}
                  disabled={!IMAGE.test(f.name)}
                >
                  {IMAGE.test(f.name) && (f.size ?? 0) > 0 ? (
                    <img
                      src={fileUrl(camera.id, 'thumb', f.path, { s: String(f.size ?? 0) })}
                      alt=""
                      loading="lazy"
                      width={160}
                      height={120}
                    />
                  ) : (
                    <span class="no-thumb" aria-hidden="true">
                      {f.name.split('.').pop()}
                    </span>
                  )}
                </button>
                <span class="tile-name">{f.name}</span>
                <span class="muted">{formatBytes(f.size ?? 0)}</span>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function ConfirmDelete({
  paths,
  onCancel,
  onConfirm,
}: {
  paths: string[];
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onClose={onCancel}>
      <h3 id="confirm-title">
        Delete {paths.length} item{paths.length === 1 ? '' : 's'} from the camera?
      </h3>
      <p>This cannot be undone.</p>
      <ul class="confirm-list">
        {paths.slice(0, 12).map((p) => (
          <li key={p}>{p}</li>
        ))}
        {paths.length > 12 && <li>… and {paths.length - 12} more</li>}
      </ul>
      <div class="buttons">
        <button type="button" onClick={onCancel} autofocus>
          Cancel
        </button>
        <button type="button" class="danger" onClick={onConfirm}>
          Delete
        </button>
      </div>
    </dialog>
  );
}

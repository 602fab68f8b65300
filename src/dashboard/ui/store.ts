/**
 * The page's live state, fed by the server's `/api/live` WebSocket: cameras, the event log,
 * download progress and "files changed" counters that make open listings reload. A tiny store
 * (subscribe + snapshot) instead of a state library: the page has one source of updates.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CameraView, DownloadProgressMessage, LogEntry, S3SyncState, ServerMessage } from '../api-types.js';

/** A log entry plus when this page received it (Date.now(); the notification-latency figure). */
export type PageLogEntry = LogEntry & { receivedAt: number };

export interface DownloadState extends DownloadProgressMessage {
  filename: string;
}

export interface State {
  connected: boolean;
  cameras: CameraView[];
  log: PageLogEntry[];
  downloads: Record<string, DownloadState>;
  /** Bumped per camera whenever its files change; listings reload when it moves. */
  filesVersion: Record<string, number>;
  /** The changed path of the last bump, so only affected listings reload. */
  filesChangedPath: Record<string, string>;
  /** Each camera's latest S3 sync, by camera id. */
  syncs: Record<string, S3SyncState>;
}

const LOG_MAX = 500;

let state: State = {
  connected: false,
  cameras: [],
  log: [],
  downloads: {},
  filesVersion: {},
  filesChangedPath: {},
  syncs: {},
};
const listeners = new Set<() => void>();

export function getState(): State {
  return state;
}

export function setState(patch: Partial<State>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function useStore<T>(select: (s: State) => T): T {
  const [, force] = useState(0);
  useEffect(() => {
    const l = (): void => force((n) => n + 1);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return select(state);
}

export function addDownload(id: string, cameraId: string, filename: string): void {
  setState({
    downloads: { ...state.downloads, [id]: { type: 'download', id, cameraId, bytes: 0, state: 'running', filename } },
  });
}

export function dismissDownload(id: string): void {
  const { [id]: _gone, ...rest } = state.downloads;
  setState({ downloads: rest });
}

export function setSync(sync: S3SyncState): void {
  const known = state.syncs[sync.cameraId];
  // A reply to this page's start can arrive after the live socket already pushed newer progress.
  if (known && known.startedAt === sync.startedAt && known.state !== 'running' && sync.state === 'running') return;
  setState({ syncs: { ...state.syncs, [sync.cameraId]: sync } });
}

export function upsertCamera(camera: CameraView): void {
  const i = state.cameras.findIndex((c) => c.id === camera.id);
  const cameras = i < 0 ? [...state.cameras, camera] : state.cameras.map((c) => (c.id === camera.id ? camera : c));
  setState({ cameras });
}

function apply(m: ServerMessage, receivedAt: number): void {
  switch (m.type) {
    case 'hello': {
      const log = m.log.map((e) => ({ ...e, receivedAt }));
      setState({
        cameras: m.cameras,
        log: log.slice(-LOG_MAX),
        syncs: Object.fromEntries(m.syncs.map((x) => [x.cameraId, x])),
      });
      return;
    }
    case 'camera':
      upsertCamera(m.camera);
      return;
    case 'camera-removed':
      setState({ cameras: state.cameras.filter((c) => c.id !== m.id) });
      return;
    case 'log': {
      const log = [...state.log, { ...m.entry, receivedAt }];
      setState({ log: log.length > LOG_MAX ? log.slice(-LOG_MAX) : log });
      return;
    }
    case 'files-changed':
      setState({
        filesVersion: { ...state.filesVersion, [m.cameraId]: (state.filesVersion[m.cameraId] ?? 0) + 1 },
        filesChangedPath: { ...state.filesChangedPath, [m.cameraId]: m.path },
      });
      return;
    case 's3-sync':
      setSync(m.sync);
      return;
    case 'download': {
      const known = state.downloads[m.id];
      if (!known) return; // another page's download
      setState({ downloads: { ...state.downloads, [m.id]: { ...known, ...m } } });
      return;
    }
  }
}

/** Connects to `/api/live` and reconnects with backoff; the server resends everything on hello. */
export function connectLive(): void {
  let delay = 500;
  const open = (): void => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`);
    ws.onopen = () => {
      delay = 500;
      setState({ connected: true });
    };
    ws.onmessage = (ev) => {
      const receivedAt = Date.now();
      try {
        apply(JSON.parse(String(ev.data)) as ServerMessage, receivedAt);
      } catch (err) {
        console.error('bad live message', err);
      }
    };
    ws.onclose = () => {
      setState({ connected: false });
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  open();
}

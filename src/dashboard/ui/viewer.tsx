/**
 * A picture opened from the file list, in a modal dialog: a large preview of each file of the
 * shot (for the Sequoia: every band, and NDVI from RED and NIR), and for equirectangular
 * pictures (THETA) the 360° viewer, whose code is only fetched when it is opened. Previous/next
 * move between the folder's shots (also with the arrow keys); Download saves the file shown; the
 * side panel shows its EXIF, GPS position and band, read by the server from the file.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CameraView, PictureMetadata, RemoteEntry } from './types.js';
import { api, ApiCallError, cameraPath, downloadUrl, fileUrl, ndviUrl } from './api.js';
import { addDownload } from './store.js';

export interface ViewerTarget {
  /** Every shot of the folder, in the order listed (a Sequoia shot is its band files). */
  shots: RemoteEntry[][];
  /** The shot opened, and the file of it. */
  shot: number;
  index: number;
}

const IMAGE = /\.(jpe?g|tiff?|png|dng)$/i;

export function Viewer({ camera, target, onClose }: { camera: CameraView; target: ViewerTarget; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [shot, setShot] = useState(target.shot);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  // Shots with at least one picture: the others (a video, a sidecar file) cannot be shown here.
  const shots = target.shots.map((files, i) => ({ files, i })).filter((x) => x.files.some((f) => IMAGE.test(f.name)));
  const at = shots.findIndex((x) => x.i === shot);
  const go = (d: number): void => {
    const next = shots[at + d];
    if (next) setShot(next.i);
  };
  const files = target.shots[shot] ?? [];
  // Arrow keys anywhere while the viewer is open (focus may be on the page after a shot changes),
  // except inside the 360° viewer, which turns with them.
  const goRef = useRef(go);
  goRef.current = go;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.target instanceof HTMLElement && e.target.closest('.sphere, input, select, textarea')) return;
      if (e.key === 'ArrowRight' || e.key === 'PageDown') goRef.current(1);
      else if (e.key === 'ArrowLeft' || e.key === 'PageUp') goRef.current(-1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <dialog ref={ref} class="viewer" aria-labelledby="viewer-title" onClose={onClose}>
      <Shot
        key={shot}
        camera={camera}
        files={files}
        start={shot === target.shot ? target.shots[shot]?.[target.index]?.path : undefined}
        position={`${at + 1} of ${shots.length}`}
        prev={at > 0 ? () => go(-1) : undefined}
        next={at < shots.length - 1 ? () => go(1) : undefined}
        close={() => ref.current?.close()}
      />
    </dialog>
  );
}

function Shot(props: {
  camera: CameraView;
  files: RemoteEntry[];
  start: string | undefined;
  position: string;
  prev: (() => void) | undefined;
  next: (() => void) | undefined;
  close: () => void;
}) {
  const { camera, files } = props;
  // RGB first, then the bands from green to near infrared (the listing is alphabetical).
  const order = (name: string): number =>
    ['RGB', 'GRE', 'RED', 'REG', 'NIR'].indexOf(/_([A-Z]{3})\.\w+$/i.exec(name)?.[1]?.toUpperCase() ?? '');
  const images = files.filter((f) => IMAGE.test(f.name)).sort((a, b) => order(a.name) - order(b.name));
  const red = images.find((f) => /_RED\.TIF$/i.test(f.name));
  const nir = images.find((f) => /_NIR\.TIF$/i.test(f.name));
  const views = [
    ...images.map((f) => ({ key: f.path, label: bandLabel(f.name), file: f as RemoteEntry | undefined })),
    ...(red && nir ? [{ key: 'ndvi', label: 'NDVI', file: undefined }] : []),
  ];
  const start = Math.max(
    0,
    views.findIndex((v) => v.key === props.start),
  );
  const [i, setI] = useState(start);
  const [sphere, setSphere] = useState(false);
  const view = views[i];
  const equirect = camera.protocol === 'theta' || /^R\d{7}\.JPG$/i.test(view?.file?.name ?? '');
  const download = (f: RemoteEntry): void => {
    const id = Math.random().toString(36).slice(2, 10);
    addDownload(id, camera.id, f.name);
    const a = document.createElement('a');
    a.href = downloadUrl(camera.id, [f.path], id);
    a.download = '';
    document.body.append(a);
    a.click();
    a.remove();
  };
  return (
    <>
      <div class="viewer-head">
        <h3 id="viewer-title">{view?.file?.name ?? 'NDVI (false colour)'}</h3>
        <button type="button" onClick={props.close} aria-label="Close viewer">
          ✕
        </button>
      </div>
      <div class="viewer-nav" role="group" aria-label="Pictures">
        <button type="button" disabled={!props.prev} onClick={props.prev} aria-label="Previous picture">
          ← Previous
        </button>
        <span class="muted" data-testid="viewer-position">
          {props.position}
        </span>
        <button type="button" disabled={!props.next} onClick={props.next} aria-label="Next picture">
          Next →
        </button>
        <span class="spacer" />
        {view?.file && (
          <button type="button" onClick={() => download(view.file!)}>
            Download {view.file.name}
          </button>
        )}
      </div>
      {views.length > 1 && (
        <div class="band-tabs" role="group" aria-label="Bands">
          {views.map((v, j) => (
            <button key={v.key} type="button" aria-pressed={i === j} onClick={() => (setI(j), setSphere(false))}>
              {v.label}
            </button>
          ))}
        </div>
      )}
      <div class="viewer-body">
        <div>
          {view && !sphere && (
            <figure class="viewer-figure">
              {view.file ? (
                <img
                  src={fileUrl(camera.id, 'preview', view.file.path, { w: '1280', s: String(view.file.size ?? 0) })}
                  alt={`${view.label} preview`}
                  data-testid="viewer-image"
                />
              ) : (
                <>
                  <img
                    src={ndviUrl(camera.id, red!.path, nir!.path)}
                    alt="NDVI false-colour preview"
                    data-testid="ndvi-image"
                  />
                  <figcaption>
                    <span class="ndvi-scale" aria-hidden="true" /> NDVI −1 … 0 … +1 (bare soil red → dense vegetation
                    green). A preview from raw bands: no radiometric correction.
                  </figcaption>
                </>
              )}
            </figure>
          )}
          {view?.file && equirect && (
            <button type="button" onClick={() => setSphere(!sphere)} aria-pressed={sphere}>
              {sphere ? 'Back to flat picture' : 'Open in 360° viewer'}
            </button>
          )}
          {sphere && view?.file && (
            <Sphere
              url={fileUrl(camera.id, 'preview', view.file.path, { w: '4096', s: String(view.file.size ?? 0) })}
            />
          )}
        </div>
        {view?.file ? (
          <MetadataPanel camera={camera} file={view.file} />
        ) : (
          <aside class="metadata card muted">NDVI = (NIR − Red) / (NIR + Red), from this shot's two band files.</aside>
        )}
      </div>
    </>
  );
}

/** EXIF, GPS and band of the file shown, read by the server from the file itself. */
function MetadataPanel({ camera, file }: { camera: CameraView; file: RemoteEntry }) {
  const [meta, setMeta] = useState<PictureMetadata | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setMeta(undefined);
    setError('');
    api<PictureMetadata>(
      'GET',
      `${cameraPath(camera.id, 'metadata')}?${new URLSearchParams({ path: file.path }).toString()}`,
    ).then(
      (m) => live && setMeta(m),
      (err: unknown) => live && setError(err instanceof ApiCallError ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [camera.id, file.path]);
  const rows: Array<[string, string]> = [];
  if (meta) {
    if (meta.band)
      rows.push([
        'Band',
        `${meta.band}${meta.centralWavelength ? ` · ${meta.centralWavelength} nm` : ''}${meta.wavelengthFwhm ? ` (${meta.wavelengthFwhm} nm wide)` : ''}`,
      ]);
    // The file's own clock; an offset only where the file writes one.
    if (meta.captureTime) rows.push(['Taken', meta.captureTime.replace('T', ' ')]);
    if (meta.make || meta.model) rows.push(['Camera', [meta.make, meta.model].filter(Boolean).join(' ')]);
    if (meta.width && meta.height) rows.push(['Size', `${meta.width} × ${meta.height} px`]);
    if (meta.exposureTime)
      rows.push([
        'Exposure',
        meta.exposureTime >= 1 ? `${meta.exposureTime} s` : `1/${Math.round(1 / meta.exposureTime)} s`,
      ]);
    if (meta.fNumber) rows.push(['Aperture', `f/${meta.fNumber.toFixed(1)}`]);
    if (meta.iso) rows.push(['ISO', String(meta.iso)]);
    if (meta.focalLength) rows.push(['Focal length', `${meta.focalLength.toFixed(2)} mm`]);
    rows.push([
      'GPS',
      meta.gps
        ? `${meta.gps.lat.toFixed(6)}, ${meta.gps.lon.toFixed(6)}${meta.gps.alt !== undefined ? ` · ${meta.gps.alt.toFixed(1)} m` : ''}`
        : 'no position in this file',
    ]);
    if (meta.attitude)
      rows.push([
        'Yaw / pitch / roll',
        `${meta.attitude.yaw.toFixed(1)}° / ${meta.attitude.pitch.toFixed(1)}° / ${meta.attitude.roll.toFixed(1)}°`,
      ]);
  }
  return (
    <aside class="metadata card" aria-labelledby="meta-title" data-testid="metadata">
      <h4 id="meta-title">Picture details</h4>
      {error ? (
        <p class="error">{error}</p>
      ) : !meta ? (
        <p class="muted">Reading the file's details…</p>
      ) : (
        <dl>
          {rows.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd data-field={k}>{v}</dd>
            </>
          ))}
        </dl>
      )}
    </aside>
  );
}

function Sphere({ url }: { url: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState('Loading the 360° viewer…');
  useEffect(() => {
    let destroy: (() => void) | undefined;
    let cancelled = false;
    import('./viewer360.js')
      .then(({ openSphere }) => {
        if (cancelled || !box.current) return;
        destroy = openSphere(box.current, url, () => setState('ready'));
      })
      .catch((err: unknown) => setState(`The 360° viewer failed: ${err instanceof Error ? err.message : String(err)}`));
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [url]);
  return (
    <div class="sphere-wrap">
      <div ref={box} class="sphere" data-state={state === 'ready' ? 'ready' : 'loading'} data-testid="sphere" />
      {state !== 'ready' && <p class="muted">{state}</p>}
    </div>
  );
}

function bandLabel(name: string): string {
  const m = /_(RGB|GRE|RED|REG|NIR)\.\w+$/i.exec(name);
  const band = m?.[1]?.toUpperCase();
  return band
    ? ({ RGB: 'RGB', GRE: 'Green', RED: 'Red', REG: 'Red edge', NIR: 'NIR' } as Record<string, string>)[band]!
    : name;
}

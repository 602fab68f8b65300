/**
 * A picture opened from the file list, in a modal dialog: a large preview of each file of the
 * shot (for the Sequoia: every band, and NDVI from RED and NIR), and for equirectangular
 * pictures (THETA) the 360° viewer, whose code is only fetched when it is opened.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CameraView, RemoteEntry } from './types.js';
import { fileUrl, ndviUrl } from './api.js';

export interface ViewerTarget {
  files: RemoteEntry[];
  index: number;
}

const IMAGE = /\.(jpe?g|tiff?|png|dng)$/i;

export function Viewer({ camera, target, onClose }: { camera: CameraView; target: ViewerTarget; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const images = target.files.filter((f) => IMAGE.test(f.name));
  const red = images.find((f) => /_RED\.TIF$/i.test(f.name));
  const nir = images.find((f) => /_NIR\.TIF$/i.test(f.name));
  const views = [...images.map((f) => ({ key: f.path, label: bandLabel(f.name), file: f as RemoteEntry | undefined })), ...(red && nir ? [{ key: 'ndvi', label: 'NDVI', file: undefined }] : [])];
  const start = Math.max(0, views.findIndex((v) => v.key === target.files[target.index]?.path));
  const [i, setI] = useState(start);
  const [sphere, setSphere] = useState(false);
  const view = views[i];
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const equirect = camera.protocol === 'theta' || /^R\d{7}\.JPG$/i.test(view?.file?.name ?? '');
  return (
    <dialog ref={ref} class="viewer" aria-labelledby="viewer-title" onClose={onClose}>
      <div class="viewer-head">
        <h3 id="viewer-title">{view?.file?.name ?? 'NDVI (false colour)'}</h3>
        <button type="button" onClick={() => ref.current?.close()} aria-label="Close viewer">
          ✕
        </button>
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
      {view && !sphere && (
        <figure class="viewer-figure">
          {view.file ? (
            <img src={fileUrl(camera.id, 'preview', view.file.path, { w: '1280', s: String(view.file.size ?? 0) })} alt={`${view.label} preview`} data-testid="viewer-image" />
          ) : (
            <>
              <img src={ndviUrl(camera.id, red!.path, nir!.path)} alt="NDVI false-colour preview" data-testid="ndvi-image" />
              <figcaption>
                <span class="ndvi-scale" aria-hidden="true" /> NDVI −1 … 0 … +1 (bare soil red → dense vegetation green). A preview from raw bands: no radiometric correction.
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
      {sphere && view?.file && <Sphere url={fileUrl(camera.id, 'preview', view.file.path, { w: '4096', s: String(view.file.size ?? 0) })} />}
    </dialog>
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
  return band ? ({ RGB: 'RGB', GRE: 'Green', RED: 'Red', REG: 'Red edge', NIR: 'NIR' } as Record<string, string>)[band]! : name;
}

/**
 * The 360° viewer (Photo Sphere Viewer + three.js), in its own lazily loaded chunk: it is larger
 * than the rest of the page together, and most visits never open it. Bundled locally, so it
 * works with no network.
 */
import { Viewer } from '@photo-sphere-viewer/core';
import '@photo-sphere-viewer/core/index.css';

/** Shows the equirectangular picture at `url` in `container`; returns a function that tears it down. */
export function openSphere(container: HTMLElement, url: string, onReady: () => void): () => void {
  const viewer = new Viewer({
    container,
    panorama: url,
    navbar: ['zoom', 'move', 'fullscreen'],
    defaultZoomLvl: 0,
    keyboard: 'always',
    loadingTxt: 'Loading…',
  });
  viewer.addEventListener('ready', onReady, { once: true });
  return () => viewer.destroy();
}

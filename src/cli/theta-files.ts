/**
 * THETA file references as `video stop` and `interval stop` print them: camera paths
 * (`/internal/100RICOH/R0010001.MP4`, what `ls`, `get` and `rm` take) for every camera alike, and
 * the camera's URLs on the address camctl was given (not the one the camera writes into them).
 */
import type { OscClient } from '../osc/client.js';
import { isCameraUrl } from '../osc/camera-url.js';

/** The THETA's one medium, as the camera adapter names it. */
const MEDIUM = 'internal';

/** `http://…/files/<id>/100RICOH/R0010001.JPG` (v2.1) or `100RICOH/R0010001.JPG` (v2.0) → `/internal/100RICOH/R0010001.JPG`. */
export function thetaCameraPath(ref: string): string {
  const parts = ref.split('/').filter(Boolean);
  const name = parts.at(-1) ?? ref;
  const folder = parts.at(-2) ?? '100RICOH';
  return `/${MEDIUM}/${folder}/${name}`;
}

/**
 * Camera paths of the files the camera named, and the URLs among them (v2.1 fileUrls; a v2.0
 * fileUri is no URL) on the given address.
 */
export function thetaFiles(client: OscClient, refs: readonly string[]): { files: string[]; urls: string[] } {
  return {
    files: refs.map(thetaCameraPath),
    urls: refs.filter(isCameraUrl).map((f) => client.rebase(f)),
  };
}

/**
 * The GPS position of a picture on its way to the object store, read from the bytes already in
 * memory for the upload — never from a copy on disk, never from a second read of the camera. A
 * JPEG carries its EXIF and XMP in APP1 segments before the pixels, so its first
 * {@link POSITION_PREFIX_BYTES} suffice; a TIFF's directories may follow its pixels (the Sequoia's
 * do), so a TIFF is read from the whole first part — all of it for every Sequoia band, which fits
 * in one part. A position the reader cannot find (a video, a picture without a fix) is simply
 * absent; reading it never fails an upload.
 */
import { debuglog } from 'node:util';
import type { PictureGps } from '../camera/picture-metadata.js';

const debug = debuglog('camctl:s3sync');

/** How much of the start of a JPEG is parsed for its position. */
export const POSITION_PREFIX_BYTES = 1024 * 1024;

/** The kinds of files that carry EXIF: JPEG, TIFF and the TIFF-based raw formats. */
const PICTURE = /\.(jpe?g|tiff?|dng)$/i;

/** The position in the first bytes of `name` (the first part of its upload), if any. */
export async function positionOf(name: string, firstBytes: Buffer): Promise<PictureGps | undefined> {
  if (!PICTURE.test(name)) return undefined;
  const bytes = /\.jpe?g$/i.test(name) ? firstBytes.subarray(0, POSITION_PREFIX_BYTES) : firstBytes;
  try {
    const { readPictureMetadata } = await import('../camera/picture-metadata.js');
    return (await readPictureMetadata(bytes)).gps;
  } catch (err) {
    debug('%s: no position read: %s', name, (err as Error).message);
    return undefined;
  }
}

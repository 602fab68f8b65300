/**
 * URLs a THETA hands out — `storageUri`, `fileUrl`/`fileUrls`, `_latestFileUrl`, `previewUrl` —
 * name the camera as it sees itself: a real one always writes `http://192.168.1.1/…`, whatever
 * address the client reached it at (a forwarded port, a tunnel, an emulator, client mode on another
 * network). camctl talks only to the address the user gave: a camera URL keeps its path and query
 * and is put on that address before anything connects.
 *
 * @example
 * rebaseCameraUrl('http://192.168.1.1/files/150100525831424d42079d18e0b6c300/100RICOH/R0010001.JPG?type=thumb', 'http://127.0.0.1:8080')
 * // → 'http://127.0.0.1:8080/files/150100525831424d42079d18e0b6c300/100RICOH/R0010001.JPG?type=thumb'
 */

/**
 * `reference` (absolute, protocol-relative or a bare path) as a URL on `baseUrl`: its path and
 * query are kept, its scheme, host, port, credentials and fragment are not. A `baseUrl` with a path
 * prefix keeps it in front.
 */
export function rebaseCameraUrl(reference: string, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  // Resolved against a placeholder so that "//host/x" and "http://host/x" both lose their host.
  const u = new URL(reference, 'http://camera.invalid/');
  return `${base}${u.pathname}${u.search}`;
}

/** Whether a string is a URL the camera handed out (as opposed to a v2.0 relative fileUri). */
export function isCameraUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/** `host`, `host:port`, `[v6]` or `[v6]:port` — what may follow `http://` in a URL the camera hands out. */
export function isAuthority(text: string): boolean {
  return /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(text);
}

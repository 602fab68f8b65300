/**
 * Range header parsing (RFC 9110 §14.2) for the emulated Sequoia's resumable downloads. Request
 * bodies are read by src/util/read-body.ts.
 */

export type ByteRange = { start: number; end: number };

/**
 * Parses a single-range `Range` header against a file size.
 * Returns undefined for no/ignorable header (serve whole), 'unsatisfiable' for a 416.
 * Multi-range requests are served whole (allowed by RFC 9110: a server may ignore Range).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.trim().startsWith('bytes=') && !header.includes(',') ? 'unsatisfiable' : undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return 'unsatisfiable';
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Incremental parser of the OSC live-preview stream (`multipart/x-mixed-replace`): feed it chunks
 * as they arrive, get whole JPEG frames back. Pure: no sockets.
 *
 * Cameras disagree with RFC 2046: the THETA S writes the bare boundary line `---osclivepreview---`
 * with no leading `--` (docs/osc.md "Live preview"), others write `--boundary`; both are accepted.
 * Parts with `Content-Length` are cut by length; parts without one end at the JPEG's EOI marker.
 * The blank line after a part's headers may be missing (RICOH's recorded dummy streams).
 *
 * @example
 * const parser = new LivePreviewParser('---osclivepreview---');
 * for await (const chunk of response.body) for (const jpeg of parser.push(chunk)) show(jpeg);
 */
import { OscClientError } from './errors.js';

const EOI = Buffer.from([0xff, 0xd9]);

/** Splits the camera's multipart live-preview stream into JPEG frames, whatever the chunking. */
export class LivePreviewParser {
  private buf: Buffer = Buffer.alloc(0);
  private state: 'boundary' | 'headers' | 'body' = 'boundary';
  private length: number | undefined;
  private readonly boundaries: Set<string>;

  /**
   * @param boundary from the Content-Type (`boundary="…"`), without quotes; undefined accepts any
   *   line that looks like a boundary.
   * @param maxFrameBytes a part larger than this is a protocol error (a broken stream must not
   *   grow memory without bound).
   */
  constructor(
    boundary?: string,
    private readonly maxFrameBytes = 16 * 1024 * 1024,
  ) {
    this.boundaries = new Set(boundary ? [boundary, `--${boundary}`, boundary.replace(/^--/, '')] : []);
  }

  private isBoundary(line: string): boolean {
    if (this.boundaries.size === 0) return line.startsWith('--') || line === '---osclivepreview---';
    return this.boundaries.has(line) || this.boundaries.has(line.replace(/--$/, ''));
  }

  /** Adds bytes; returns the frames completed by them. */
  push(chunk: Uint8Array): Buffer[] {
    const frames: Buffer[] = [];
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.state === 'boundary' || this.state === 'headers') {
        const nl = this.buf.indexOf(0x0a);
        if (nl === -1) {
          if (this.buf.length > 8192)
            throw new OscClientError('ERR_CAMCTL_OSC_PROTOCOL', 'live preview: header line too long');
          break;
        }
        const line = this.buf.toString('latin1', 0, nl).replace(/\r$/, '');
        if (this.state === 'headers' && line !== '' && this.length !== undefined && !/^[A-Za-z0-9-]+\s*:/.test(line)) {
          // Some firmware omits the blank line after the headers: the data starts right away.
          this.state = 'body';
          continue;
        }
        this.buf = this.buf.subarray(nl + 1);
        if (this.state === 'boundary') {
          if (this.isBoundary(line)) {
            this.state = 'headers';
            this.length = undefined;
          }
          continue;
        }
        if (line === '') {
          this.state = 'body';
          continue;
        }
        const m = /^content-length\s*:\s*(\d+)\s*$/i.exec(line);
        if (m) {
          this.length = Number(m[1]);
          if (this.length > this.maxFrameBytes)
            throw new OscClientError(
              'ERR_CAMCTL_OSC_PROTOCOL',
              `live preview: frame of ${this.length} bytes exceeds ${this.maxFrameBytes}`,
            );
        }
        continue;
      }
      // body
      if (this.length !== undefined) {
        if (this.buf.length < this.length) break;
        frames.push(Buffer.from(this.buf.subarray(0, this.length)));
        this.buf = this.buf.subarray(this.length);
      } else {
        const end = this.buf.indexOf(EOI);
        if (end === -1) {
          if (this.buf.length > this.maxFrameBytes)
            throw new OscClientError(
              'ERR_CAMCTL_OSC_PROTOCOL',
              `live preview: frame exceeds ${this.maxFrameBytes} bytes`,
            );
          break;
        }
        frames.push(Buffer.from(this.buf.subarray(0, end + 2)));
        this.buf = this.buf.subarray(end + 2);
      }
      this.state = 'boundary';
    }
    return frames;
  }
}

/** The boundary parameter of a multipart Content-Type, unquoted. */
export function boundaryOf(contentType: string | null | undefined): string | undefined {
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

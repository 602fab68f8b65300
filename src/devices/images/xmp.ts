/**
 * The XMP packet of Sequoia files, written the way the camera writes it (test/fixtures/sequoia-real/0077): one
 * rdf:Description in the `Camera` namespace (http://pix4d.com/camera/1.0/, the rig description
 * Pix4D and OpenDroneMap read), simple values as attributes, list values as one-item rdf:Seq,
 * binary blobs (IrradianceList, IMUAngularVelocity) as element text on their own line, then space
 * padding so the packet has a fixed size (4096 bytes in TIFFs, 8192 in the JPEG) and can be
 * rewritten in place — and a NUL after the trailer, which the camera counts in the tag length.
 */

export const CAMERA_NS = 'http://pix4d.com/camera/1.0/';

export interface CameraXmp {
  /** Camera:Name="value" attributes, in the order given. */
  attributes: readonly (readonly [string, string])[];
  /** <Camera:Name><rdf:Seq><rdf:li>…</rdf:li>…</rdf:Seq></Camera:Name> elements. */
  sequences: readonly (readonly [string, readonly string[]])[];
  /** <Camera:Name>\nTEXT\n</Camera:Name> elements (base64 blobs). */
  blobs: readonly (readonly [string, string])[];
  /** Packet size; grown to the next multiple when the content does not fit. */
  padTo: number;
}

const escapeXml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

const TRAILER = '<?xpacket end="w"?>\0';

/** Encodes the packet; the result is latin1/UTF-8 safe ASCII apart from the BOM in the header. */
export function encodeCameraXmp(x: CameraXmp): Buffer {
  const lines: string[] = [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about=""',
    ` xmlns:Camera="${CAMERA_NS}"`,
  ];
  for (const [name, value] of x.attributes) lines.push(` Camera:${name}="${escapeXml(value)}"`);
  lines.push(' >');
  for (const [name, items] of x.sequences) {
    lines.push(`<Camera:${name}>`, '<rdf:Seq>');
    for (const item of items) lines.push(`<rdf:li>${escapeXml(item)}</rdf:li>`);
    lines.push('</rdf:Seq>', `</Camera:${name}>`);
  }
  for (const [name, text] of x.blobs) lines.push(`<Camera:${name}>`, escapeXml(text), `</Camera:${name}>`);
  lines.push('</rdf:Description>', '</rdf:RDF>', '</x:xmpmeta>', '');
  const head = Buffer.from(lines.join('\n'), 'utf8');
  let size = x.padTo;
  const minimum = head.length + TRAILER.length + 2;
  while (size < minimum) size += x.padTo;
  // Padding as the camera lays it: a 100-space line, then 99-space lines, then a short one.
  const out = Buffer.alloc(size, 0x20);
  head.copy(out, 0);
  const padEnd = size - TRAILER.length;
  let p = head.length;
  let lineLength = 100;
  while (p + lineLength + 1 <= padEnd - 1) {
    p += lineLength;
    out[p++] = 0x0a;
    lineLength = 99;
  }
  out[padEnd - 1] = 0x0a;
  out.write(TRAILER, padEnd, 'latin1');
  return out;
}

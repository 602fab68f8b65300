/**
 * Output for people: aligned tables, human sizes, local times. Machine output is plain JSON
 * (`--json`) and never goes through here.
 */

/** `1536` → `1.5 KiB` (binary units, as file managers on Linux show them). */
export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = i === 0 ? String(v) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${bytes < 0 ? '-' : ''}${text} ${units[i]}`;
}

/** Epoch ms → `2016-06-29 12:36:55` in the local time zone. */
export function localTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Bytes per second → `3.0 MiB/s`. */
export function humanRate(bytesPerSec: number): string {
  return `${humanSize(Math.round(bytesPerSec))}/s`;
}

/** Seconds → `1.2 s`, `3 min 05 s`. */
export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${String(Math.round(seconds - m * 60)).padStart(2, '0')} s`;
}

export type Align = 'left' | 'right';

/**
 * Aligned columns; the header row is printed as given. Numbers-like columns can be right-aligned.
 *
 * @example
 * table([['NAME', 'SIZE'], ['a.jpg', '1.2 MiB']], ['left', 'right'])
 */
export function table(rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const w = widths[i] ?? 0;
          const pad = ' '.repeat(w - [...cell].length);
          if (i === row.length - 1 && align[i] !== 'right') return cell;
          return align[i] === 'right' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Key/value pairs as two aligned columns. */
export function pairs(entries: readonly (readonly [string, string])[]): string {
  return table(entries.map(([k, v]) => [`${k}:`, v]));
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  // A `|` between allowed values stays at the end of its line, never starts one.
  const words = text.split(' ').reduce<string[]>((acc, w) => {
    if (w === '|' && acc.length) acc[acc.length - 1] += ' |';
    else acc.push(w);
    return acc;
  }, []);
  for (const word of words) {
    if (line && [...line].length + 1 + [...word].length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
}

/**
 * {@link table} within `maxWidth` columns: the columns in `wrap` are narrowed (the last first
 * takes what is left) and their cells continue on the lines below, the other cells left blank.
 */
export function fittedTable(rows: readonly (readonly string[])[], maxWidth: number, wrap: readonly number[]): string {
  const natural: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (natural[i] = Math.max(natural[i] ?? 0, [...cell].length)));
  const gaps = 2 * (natural.length - 1);
  const fixed = natural.reduce((n, w, i) => (wrap.includes(i) ? n : n + w), 0);
  let room = maxWidth - gaps - fixed;
  const widths = [...natural];
  // Each wrapped column gets an even share of the room left, at least 12 characters.
  wrap.forEach((col, k) => {
    const share = Math.max(12, Math.floor(room / (wrap.length - k)));
    widths[col] = Math.min(natural[col] ?? 0, share);
    room -= widths[col] ?? 0;
  });
  const out: string[][] = [];
  for (const row of rows) {
    const cells = row.map((cell, i) => (wrap.includes(i) ? wrapText(cell, widths[i] ?? cell.length) : [cell]));
    const height = Math.max(...cells.map((c) => c.length));
    for (let l = 0; l < height; l++) out.push(cells.map((c) => c[l] ?? ''));
  }
  return table(out);
}

/** `-q` output of key/value answers: `key=value` a line (strings as they are, anything else as JSON). */
export function keyValues(values: object): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
}

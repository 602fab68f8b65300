/**
 * The page's side of the dashboard API (`../api-types.ts`): JSON calls that turn error replies
 * into {@link ApiCallError} (with per-field texts for the settings form), and URLs for the routes
 * the browser loads by itself (images, downloads, the live preview).
 */
import type { ApiError } from '../api-types.js';

export class ApiCallError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: Record<string, string>;
  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiCallError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiCallError(
      0,
      'NETWORK',
      `the dashboard server does not answer (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = (data as ApiError | undefined)?.error;
    throw new ApiCallError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? `${res.status} ${res.statusText}`,
      e?.fields ?? {},
    );
  }
  return data as T;
}

export function cameraPath(id: string, action: string): string {
  return `/api/cameras/${encodeURIComponent(id)}/${action}`;
}

export function fileUrl(
  id: string,
  action: 'thumb' | 'preview' | 'download',
  path: string,
  extra: Record<string, string> = {},
): string {
  const q = new URLSearchParams({ path, ...extra });
  return `${cameraPath(id, action)}?${q.toString()}`;
}

export function downloadUrl(id: string, paths: string[], dl: string): string {
  const q = new URLSearchParams();
  for (const p of paths) q.append('path', p);
  q.set('dl', dl);
  return `${cameraPath(id, 'download')}?${q.toString()}`;
}

export function ndviUrl(id: string, red: string, nir: string, w = 1280): string {
  return `${cameraPath(id, 'ndvi')}?${new URLSearchParams({ red, nir, w: String(w) }).toString()}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

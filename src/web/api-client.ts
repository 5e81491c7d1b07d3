/**
 * The admin center's only way to the server: the public REST API with the signed-in API token.
 * Errors keep the API's stable code and, for validation failures, the issues by field name, so
 * forms can show each message next to the field it names.
 */
export type Issue = { field: string; rule: string; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: ReadonlyArray<Issue>;
  constructor(status: number, code: string, message: string, issues: ReadonlyArray<Issue>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

const TOKEN_KEY = 'dovetail.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export async function call<T>(method: string, path: string, body?: unknown, token: string | null = storedToken()): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json: unknown = text === '' ? null : JSON.parse(text);
  if (!response.ok) {
    const e = (json ?? {}) as { code?: string; message?: string; details?: { issues?: Issue[] } };
    throw new ApiError(response.status, e.code ?? 'error', e.message ?? response.statusText, e.details?.issues ?? []);
  }
  return json as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => call<T>('PATCH', path, body);
export const del = (path: string) => call<void>('DELETE', path);

export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

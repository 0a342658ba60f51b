let csrfToken = '';

/**
 * An error answered by the API, with its stable code.
 *
 * @example
 * if (e instanceof ApiError && e.status === 401) showLogin();
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * A failed request as the UI shows it: the error code and message of an API error, else the text.
 *
 * @example
 * catch (e) { setError(errorText(e)); }
 */
export function errorText(e: unknown): string {
  return e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
}

/**
 * Remember the CSRF token from `GET /api/session` for later state-changing requests.
 *
 * @example
 * setCsrfToken(session.csrfToken);
 */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/**
 * Call the API: JSON in and out (or a file as the request body), cookies same-origin, the CSRF token on every non-GET request.
 *
 * @example
 * const overview = await api<Overview>('GET', '/api/overview');
 */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  const file = body instanceof Blob;
  if (body !== undefined) headers['content-type'] = file ? 'text/csv' : 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: file ? body : JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok) throw new ApiError(res.status, data.code ?? 'ERROR', data.message ?? res.statusText);
  return data as T;
}

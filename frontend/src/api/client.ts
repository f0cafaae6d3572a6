import createClient, { type Middleware } from 'openapi-fetch';
import { toApiError } from './errors';
import type { paths } from './schema';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** A cookie's value, or null. Django's CSRF cookie is readable by scripts by design. */
export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

/**
 * Django's CSRF protection for the session cookie: unsafe methods carry the
 * `csrftoken` cookie's value as `X-CSRFToken`. Read at each request, since
 * signing in rotates the token.
 */
export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (SAFE_METHODS.has(request.method)) return undefined;
    const token = readCookie('csrftoken');
    if (token) request.headers.set('X-CSRFToken', token);
    return request;
  },
};

export function createApiClient(baseUrl: string = window.location.origin) {
  const client = createClient<paths>({
    baseUrl,
    credentials: 'same-origin',
    // Looked up per request, not captured once: tests stub the global fetch.
    fetch: (request: Request) => globalThis.fetch(request),
  });
  client.use(csrfMiddleware);
  return client;
}

/** The dashboard's one client: components use it through the hooks in src/api/. */
export const api = createApiClient();

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The response's data, or the ApiError it failed with. */
export function unwrap<T>(result: FetchResult<T>): T {
  if (result.response.ok && result.error === undefined) {
    return result.data as T;
  }
  throw toApiError(result.response, result.error);
}

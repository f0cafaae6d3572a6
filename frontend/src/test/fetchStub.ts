import { vi } from 'vitest';

/**
 * The network boundary for tests: `globalThis.fetch` answers from a table of
 * routes ("GET /api/experiments/"), and records every request it was sent.
 * Our own modules run unchanged above it.
 */
export type Reply = Response | Promise<Response>;
export type Handler = (request: Request) => Reply;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A reply that never comes: the page stays in its loading state. */
export function never(): Promise<Response> {
  return new Promise(() => {});
}

export function stubFetch(routes: Record<string, Handler>) {
  const requests: Request[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    requests.push(request);
    const url = new URL(request.url);
    const handler = routes[`${request.method} ${url.pathname}`];
    if (!handler) {
      return json({ detail: `No stub for ${request.method} ${url.pathname}`, errors: [] }, 599);
    }
    return handler(request);
  });
  vi.stubGlobal('fetch', fetch);
  return { fetch, requests };
}

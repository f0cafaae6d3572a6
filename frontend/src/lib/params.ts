/** A positive integer id from the URL, or null for anything else. */
export function parseId(value: string | undefined | null): number | null {
  if (!value || !/^[1-9]\d{0,17}$/.test(value)) return null;
  return Number(value);
}

/** The `page` query parameter (1 when absent or not a page number). */
export function parsePage(search: URLSearchParams): number {
  return parseId(search.get('page')) ?? 1;
}

/**
 * Where to go after signing in: a path of this app only, so a crafted link
 * cannot send someone elsewhere ("//evil.example" is another host).
 */
export function safeNext(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/';
  }
  return value;
}

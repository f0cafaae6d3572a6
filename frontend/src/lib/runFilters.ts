/**
 * The run explorer's filters as they live in the URL (so a view can be
 * shared), exactly the ones the API's RunFilter takes
 * (experiments/api/filters.py): anything else in the URL is ignored.
 */

export const RUN_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunFilters {
  status?: RunStatus;
  config_hash?: string;
  item?: number;
  score_min?: number;
  score_max?: number;
  /** true: failed with an error; false: without one. */
  error?: boolean;
  cache_hit?: boolean;
  error_kind?: string;
}

export const FILTER_NAMES = [
  'status',
  'config_hash',
  'item',
  'score_min',
  'score_max',
  'error',
  'cache_hit',
  'error_kind',
] as const;

function parseBool(value: string | null): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function parseNumber(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function parseItem(value: string | null): number | undefined {
  return value && /^[1-9]\d{0,17}$/.test(value) ? Number(value) : undefined;
}

/** The filters a URL's query holds; a value the API would refuse is left out. */
export function parseRunFilters(search: URLSearchParams): RunFilters {
  const filters: RunFilters = {};
  const status = search.get('status');
  if (status && (RUN_STATUSES as readonly string[]).includes(status)) filters.status = status as RunStatus;
  const hash = search.get('config_hash');
  if (hash) filters.config_hash = hash;
  const item = parseItem(search.get('item'));
  if (item !== undefined) filters.item = item;
  const scoreMin = parseNumber(search.get('score_min'));
  if (scoreMin !== undefined) filters.score_min = scoreMin;
  const scoreMax = parseNumber(search.get('score_max'));
  if (scoreMax !== undefined) filters.score_max = scoreMax;
  const error = parseBool(search.get('error'));
  if (error !== undefined) filters.error = error;
  const cacheHit = parseBool(search.get('cache_hit'));
  if (cacheHit !== undefined) filters.cache_hit = cacheHit;
  const kind = search.get('error_kind');
  if (kind) filters.error_kind = kind;
  return filters;
}

/**
 * `search` with the filters replaced by `filters` (other parameters kept),
 * in a fixed order so one view has one URL.
 */
export function withRunFilters(search: URLSearchParams, filters: RunFilters): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const name of FILTER_NAMES) {
    next.delete(name);
    const value = filters[name];
    if (value !== undefined && value !== '') next.set(name, String(value));
  }
  return next;
}

export function activeFilterCount(filters: RunFilters): number {
  return FILTER_NAMES.filter((name) => filters[name] !== undefined).length;
}

/** Rows from the end of the loaded ones at which the next page is asked for. */
export const LOAD_AHEAD = 20;

/**
 * Whether the table should fetch the next page: the last row drawn is
 * within `ahead` rows of the end of what is loaded, there is a next page,
 * and none is being fetched already.
 */
export function shouldLoadMore({
  lastVisibleIndex,
  loaded,
  hasNextPage,
  fetching,
  ahead = LOAD_AHEAD,
}: {
  lastVisibleIndex: number | undefined;
  loaded: number;
  hasNextPage: boolean;
  fetching: boolean;
  ahead?: number;
}): boolean {
  if (!hasNextPage || fetching || lastVisibleIndex === undefined) return false;
  return lastVisibleIndex >= loaded - 1 - ahead;
}

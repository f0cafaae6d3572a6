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
  /** `NAME:VALUE` conditions on the config's axes, all of which must hold (repeated `axis` params). */
  axis?: string[];
  /** One scorer's score within scorer_min..scorer_max; the API wants the name and at least one bound. */
  scorer?: string;
  scorer_min?: number;
  scorer_max?: number;
  /** The sort column, '-' first for descending; none is by run id. */
  ordering?: RunOrdering;
}

/** The columns the API sorts by (RunKeysetPagination.ORDERINGS). */
export const ORDER_FIELDS = [
  'id',
  'score',
  'latency_ms',
  'cost',
  'prompt_tokens',
  'completion_tokens',
  'status',
  'cache_hit',
  'item',
  'sample_index',
  'config_hash',
  'error_kind',
  'finished_at',
] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];
export type RunOrdering = OrderField | `-${OrderField}`;

/** The filters that narrow the list (the ordering only sorts it). */
export const FILTER_NAMES = [
  'status',
  'config_hash',
  'item',
  'score_min',
  'score_max',
  'error',
  'cache_hit',
  'error_kind',
  'axis',
  'scorer',
  'scorer_min',
  'scorer_max',
] as const;
const URL_NAMES = [...FILTER_NAMES, 'ordering'] as const;

const AXIS_FIELDS = ['prompt', 'endpoint', 'model'];

/**
 * Whether the API takes `text` as an axis condition (filters.py
 * axis_condition): NAME:VALUE, NAME being prompt, endpoint, model or
 * params.KEY, maybe after a stage's name. Whether the stage exists only
 * the API knows.
 */
export function isAxisCondition(text: string): boolean {
  const colon = text.indexOf(':');
  if (colon <= 0) return false;
  let parts = text.slice(0, colon).split('.');
  if (!AXIS_FIELDS.includes(parts[0]!) && parts[0] !== 'params') parts = parts.slice(1);
  if (parts.length === 1) return AXIS_FIELDS.includes(parts[0]!);
  return parts.length === 2 && parts[0] === 'params' && parts[1] !== '';
}

/** An axis condition's name and value: `model:llama3` -> ['model', 'llama3']. */
export function splitAxis(text: string): [string, string] {
  const colon = text.indexOf(':');
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/** The ordering's column and direction; none is ascending run id. */
export function orderingOf(ordering: RunOrdering | undefined): { field: OrderField; descending: boolean } {
  const given = ordering ?? 'id';
  return { field: given.replace(/^-/, '') as OrderField, descending: given.startsWith('-') };
}

/** What clicking a column's header sorts by: the other direction if sorted by it already, else ascending. */
export function nextOrdering(current: RunOrdering | undefined, field: OrderField): RunOrdering | undefined {
  const { field: sorted, descending } = orderingOf(current);
  const next: RunOrdering = sorted === field && !descending ? `-${field}` : field;
  // Ascending run id is the API's own order: no parameter, one URL for it.
  return next === 'id' ? undefined : next;
}

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
  const axes = [...new Set(search.getAll('axis').filter(isAxisCondition))].sort();
  if (axes.length > 0) filters.axis = axes;
  // The API refuses a scorer without a bound and bounds without a scorer.
  const scorer = search.get('scorer');
  const scorerMin = parseNumber(search.get('scorer_min'));
  const scorerMax = parseNumber(search.get('scorer_max'));
  if (scorer && (scorerMin !== undefined || scorerMax !== undefined)) {
    filters.scorer = scorer;
    if (scorerMin !== undefined) filters.scorer_min = scorerMin;
    if (scorerMax !== undefined) filters.scorer_max = scorerMax;
  }
  const ordering = search.get('ordering');
  if (ordering && ordering !== 'id' && (ORDER_FIELDS as readonly string[]).includes(ordering.replace(/^-/, ''))) {
    filters.ordering = ordering as RunOrdering;
  }
  return filters;
}

/**
 * `search` with the filters replaced by `filters` (other parameters kept),
 * in a fixed order so one view has one URL.
 */
export function withRunFilters(search: URLSearchParams, filters: RunFilters): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const name of URL_NAMES) {
    next.delete(name);
    const value = filters[name];
    if (Array.isArray(value)) {
      for (const item of [...value].sort()) next.append(name, item);
    } else if (value !== undefined && value !== '') {
      next.set(name, String(value));
    }
  }
  return next;
}

/** How many conditions narrow the list: each axis counts, a scorer's name does not (its bounds do). */
export function activeFilterCount(filters: RunFilters): number {
  return FILTER_NAMES.reduce((count, name) => {
    if (name === 'axis') return count + (filters.axis?.length ?? 0);
    if (name === 'scorer') return count;
    return count + (filters[name] === undefined ? 0 : 1);
  }, 0);
}

/**
 * Rows from the end of the loaded ones at which the next page is asked for:
 * three pages, so a fast scroll (hundreds of rows a second) finds its rows
 * loaded although a page takes ~200 ms to come from a busy server.
 */
export const LOAD_AHEAD = 300;

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

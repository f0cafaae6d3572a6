import { useCallback, useMemo, useRef } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../api/errors';
import { useSweepRuns } from '../api/runs';
import { useLeaderboard, useSweep } from '../api/sweeps';
import { usePageProject } from '../api/useSignedIn';
import { axisChoices, scorerNames } from '../components/runs/axes';
import { runConfigLabel } from '../components/runs/labels';
import { RunFilterForm } from '../components/runs/RunFilterForm';
import { RunTable } from '../components/runs/RunTable';
import { rowLabel } from '../components/sweep/configs';
import { EmptyState, ErrorState, QueryView, Spinner } from '../components/States';
import { formatCount } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId } from '../lib/params';
import {
  activeFilterCount,
  nextOrdering,
  type OrderField,
  orderingOf,
  parseRunFilters,
  type RunFilters,
  withRunFilters,
} from '../lib/runFilters';
import { NotFoundPage } from './NotFoundPage';

/** How the heading names each sort column. */
const ORDER_NAMES: Record<OrderField, string> = {
  id: 'run id',
  score: 'score',
  latency_ms: 'latency',
  cost: 'cost',
  prompt_tokens: 'prompt tokens',
  completion_tokens: 'completion tokens',
  status: 'status',
  cache_hit: 'cache hit',
  item: 'item',
  sample_index: 'sample',
  config_hash: 'config hash',
  error_kind: 'error kind',
  finished_at: 'finish time',
};

/** The columns a run may have no value in: the API sorts those runs last either way. */
const NULLABLE = new Set<OrderField>(['score', 'latency_ms', 'cost', 'prompt_tokens', 'completion_tokens', 'finished_at']);

/** A sweep's runs, filtered and sorted in the URL (shareable), in cursor pages behind a virtualised table. */
export function RunsPage() {
  const sweepId = parseId(useParams().id);
  if (sweepId === null) return <NotFoundPage />;
  return <RunExplorer key={sweepId} sweepId={sweepId} />;
}

function RunExplorer({ sweepId }: { sweepId: number }) {
  useDocumentTitle('Runs', `Sweep #${sweepId}`);
  const [search, setSearch] = useSearchParams();
  const searchText = search.toString();
  // One object per distinct URL: the query key (and so paging) changes only with the filters.
  const filters = useMemo(() => parseRunFilters(new URLSearchParams(searchText)), [searchText]);
  const sweep = useSweep(sweepId);
  usePageProject(sweep.data?.project);
  const leaderboard = useLeaderboard(sweepId);
  const runs = useSweepRuns(sweepId, filters);

  // The leaderboard names every config the sweep has run: the config filter's choices.
  const configs = useMemo(
    () => (leaderboard.data ?? []).map((row) => ({ hash: row.config_hash, label: rowLabel(row) })),
    [leaderboard.data],
  );
  const labels = useMemo(() => {
    const map = new Map(configs.map((c) => [c.hash, c.label]));
    for (const page of runs.data?.pages ?? []) {
      for (const run of page.results) {
        if (!map.has(run.config_hash)) map.set(run.config_hash, runConfigLabel(run.config));
      }
    }
    return map;
  }, [configs, runs.data]);
  const rows = useMemo(() => runs.data?.pages.flatMap((page) => page.results) ?? [], [runs.data]);
  const axes = useMemo(() => axisChoices(leaderboard.data ?? []), [leaderboard.data]);
  // The leaderboard's scorers, and any a loaded run has that it does not list yet (no run done).
  const scorers = useMemo(
    () => scorerNames([...(leaderboard.data ?? []).map((row) => row.scores), ...rows.map((run) => run.scores_by_scorer)]),
    [leaderboard.data, rows],
  );

  // The form's typed fields start from the URL: it is remounted when the URL changes other than
  // through it or a sort (reset, back, a link), not when it applies a field, which would take the
  // focus from the field clicked next (and drop a scorer chosen before its bound).
  const form = useRef({ search: searchText, key: 0 });
  if (form.current.search !== searchText) form.current = { search: searchText, key: form.current.key + 1 };
  const setFilters = useCallback(
    (next: RunFilters) => {
      const nextSearch = withRunFilters(new URLSearchParams(searchText), next);
      form.current = { search: nextSearch.toString(), key: form.current.key };
      setSearch(nextSearch);
    },
    [searchText, setSearch],
  );
  // Clearing the filters keeps the sort.
  const reset = () => setSearch(withRunFilters(new URLSearchParams(searchText), { ordering: filters.ordering }));
  const sortBy = useCallback(
    (field: OrderField) => setFilters({ ...filters, ordering: nextOrdering(filters.ordering, field) }),
    [filters, setFilters],
  );
  const order = orderingOf(filters.ordering);
  const { fetchNextPage, isFetchNextPageError } = runs;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  // After a failed page, scrolling does not retry in a loop: the button does.
  const autoLoad = useCallback(() => {
    if (!isFetchNextPageError) loadMore();
  }, [isFetchNextPageError, loadMore]);
  const filtered = activeFilterCount(filters);

  if (sweep.isError && sweep.error instanceof ApiError && sweep.error.status === 404) return <NotFoundPage />;

  return (
    <div className="space-y-4">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link to={`/sweeps/${sweepId}`} className="link">
            Sweep #{sweepId}
          </Link>
          <span aria-hidden="true"> / </span>
        </nav>
        <div className="mt-1 flex flex-wrap items-baseline gap-3">
          <h1 className="text-xl font-semibold">Runs</h1>
          <span className="text-sm text-zinc-500">
            sorted by {ORDER_NAMES[order.field]}, {order.descending ? 'descending' : 'ascending'}
            {NULLABLE.has(order.field) && `, runs without a ${ORDER_NAMES[order.field]} last`}
          </span>
          {runs.isFetching && !runs.isPending && !runs.isFetchingNextPage && (
            <span className="text-zinc-400" title="Refreshing">
              <Spinner />
            </span>
          )}
        </div>
      </header>

      <section aria-label="Filters" className="panel p-3">
        <RunFilterForm
          key={form.current.key}
          filters={filters}
          configs={configs}
          axes={axes}
          scorers={scorers}
          onChange={setFilters}
        />
        {filtered > 0 && (
          <p className="mt-2 text-xs text-zinc-500">
            {formatCount(filtered)} {filtered === 1 ? 'filter' : 'filters'} applied.{' '}
            <button type="button" className="link" onClick={reset}>
              Clear filters
            </button>
          </p>
        )}
      </section>

      <QueryView
        // A later page that fails keeps the rows shown so far, its error under them.
        query={{
          isPending: runs.isPending,
          isError: runs.isError && rows.length === 0,
          error: runs.error,
          data: runs.data,
          refetch: runs.refetch,
        }}
        loading="Loading runs"
        error="Could not load the runs"
        isEmpty={() => rows.length === 0}
        empty={
          <EmptyState title={filtered > 0 ? 'No run matches these filters' : 'This sweep has no runs yet'}>
            {filtered > 0 ? (
              <button type="button" className="btn-secondary" onClick={reset}>
                Reset filters
              </button>
            ) : (
              'Runs appear here as the sweep records them.'
            )}
          </EmptyState>
        }
      >
        {() => (
          <div className="panel">
            <RunTable
              runs={rows}
              labels={labels}
              scorers={scorers}
              ordering={filters.ordering}
              onSort={sortBy}
              hasNextPage={runs.hasNextPage}
              fetchingNext={runs.isFetchingNextPage}
              onLoadMore={autoLoad}
            />
            {runs.isFetchNextPageError && (
              <div className="p-3">
                <ErrorState title="Could not load more runs" error={runs.error} onRetry={loadMore} />
              </div>
            )}
          </div>
        )}
      </QueryView>
    </div>
  );
}

import { useCallback, useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../api/errors';
import { useSweepRuns } from '../api/runs';
import { useLeaderboard, useSweep } from '../api/sweeps';
import { usePageProject } from '../api/useSignedIn';
import { runConfigLabel } from '../components/runs/labels';
import { RunFilterForm } from '../components/runs/RunFilterForm';
import { RunTable } from '../components/runs/RunTable';
import { rowLabel } from '../components/sweep/configs';
import { EmptyState, ErrorState, Loading, Spinner } from '../components/States';
import { formatCount } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId } from '../lib/params';
import { activeFilterCount, parseRunFilters, type RunFilters, withRunFilters } from '../lib/runFilters';
import { NotFoundPage } from './NotFoundPage';

/** A sweep's runs, filtered in the URL (shareable), in cursor pages behind a virtualised table. */
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

  const setFilters = useCallback(
    (next: RunFilters) => setSearch(withRunFilters(new URLSearchParams(searchText), next)),
    [searchText, setSearch],
  );
  const reset = () => setFilters({});
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
          <span className="text-sm text-zinc-500">ordered by run id</span>
          {runs.isFetching && !runs.isPending && !runs.isFetchingNextPage && (
            <span className="text-zinc-400" title="Refreshing">
              <Spinner />
            </span>
          )}
        </div>
      </header>

      <section aria-label="Filters" className="panel p-3">
        {/* Remounted when the URL changes (reset, back): its typed fields start from the URL. */}
        <RunFilterForm key={searchText} filters={filters} configs={configs} onChange={setFilters} />
        {filtered > 0 && (
          <p className="mt-2 text-xs text-zinc-500">
            {formatCount(filtered)} {filtered === 1 ? 'filter' : 'filters'} applied.{' '}
            <button type="button" className="link" onClick={reset}>
              Clear filters
            </button>
          </p>
        )}
      </section>

      {runs.isPending ? (
        <div className="panel">
          <Loading label="Loading runs" />
        </div>
      ) : runs.isError && rows.length === 0 ? (
        <ErrorState title="Could not load the runs" error={runs.error} onRetry={() => void runs.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={filtered > 0 ? 'No run matches these filters' : 'This sweep has no runs yet'}>
          {filtered > 0 ? (
            <button type="button" className="btn-secondary" onClick={reset}>
              Reset filters
            </button>
          ) : (
            'Runs appear here as the sweep records them.'
          )}
        </EmptyState>
      ) : (
        <div className="panel">
          <RunTable
            runs={rows}
            labels={labels}
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
    </div>
  );
}

import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { Run } from '../../api/runs';
import { formatCost, formatCount, formatMs, formatScore, MISSING, shortHash } from '../../lib/format';
import { shouldLoadMore } from '../../lib/runFilters';
import { Spinner } from '../States';
import { tokenPair } from './labels';
import { RunStatusBadge } from './RunStatusBadge';

/** Every row is one line high (cells never wrap), so rows need no measuring. */
export const ROW_HEIGHT = 37;
/** Run, config (the rest), item, sample, status, score, tokens, latency, cost, cache, error. */
const COLUMN_WIDTHS = ['w-18', '', 'w-18', 'w-18', 'w-24', 'w-18', 'w-30', 'w-22', 'w-24', 'w-16', 'w-48'];
const COLUMNS = COLUMN_WIDTHS.length;

/**
 * The runs loaded so far, only the visible rows drawn (a sweep has up to
 * 100k runs). Scrolling near the end asks for the next page.
 */
export function RunTable({
  runs,
  labels,
  hasNextPage,
  fetchingNext,
  onLoadMore,
}: {
  runs: readonly Run[];
  labels: ReadonlyMap<string, string>;
  hasNextPage: boolean;
  fetchingNext: boolean;
  onLoadMore: () => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: runs.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index;

  useEffect(() => {
    if (shouldLoadMore({ lastVisibleIndex: lastIndex, loaded: runs.length, hasNextPage, fetching: fetchingNext })) {
      onLoadMore();
    }
  }, [lastIndex, runs.length, hasNextPage, fetchingNext, onLoadMore]);

  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  return (
    <div
      ref={scrollRef}
      tabIndex={0}
      role="region"
      aria-label="Runs (scroll to load more)"
      className="h-[calc(100vh-22rem)] min-h-80 overflow-auto"
    >
      {/* Fixed columns: widths do not jump as different rows scroll into view. */}
      <table className="data-table min-w-[72rem] table-fixed" aria-rowcount={hasNextPage ? -1 : runs.length + 1}>
        <colgroup>
          {COLUMN_WIDTHS.map((width, index) => (
            <col key={index} className={width} />
          ))}
        </colgroup>
        <thead className="sticky top-0 z-10">
          <tr aria-rowindex={1}>
            <th scope="col" className="num">
              Run
            </th>
            <th scope="col">Config</th>
            <th scope="col" className="num">
              Item
            </th>
            <th scope="col" className="num">
              Sample
            </th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Score
            </th>
            <th scope="col" className="num" title="Prompt + completion tokens">
              Tokens
            </th>
            <th scope="col" className="num">
              Latency
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col">Cache</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {top > 0 && (
            <tr aria-hidden="true">
              <td colSpan={COLUMNS} style={{ height: top, padding: 0, border: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const run = runs[item.index]!;
            const label = labels.get(run.config_hash);
            return (
              <tr key={run.id} style={{ height: ROW_HEIGHT }} aria-rowindex={item.index + 2}>
                <td className="num">
                  <Link to={`/runs/${run.id}`} className="link font-mono">
                    #{run.id}
                  </Link>
                </td>
                <td className="truncate whitespace-nowrap" title={label ?? run.config_hash}>
                  {label ?? <span className="font-mono">{shortHash(run.config_hash)}</span>}
                </td>
                <td className="num">{run.item}</td>
                <td className="num">{run.sample_index}</td>
                <td className="whitespace-nowrap">
                  <RunStatusBadge status={run.status} />
                </td>
                <td className="num">{formatScore(run.score)}</td>
                <td className="num">{tokenPair(run.prompt_tokens, run.completion_tokens, formatCount)}</td>
                <td className="num">{formatMs(run.latency_ms)}</td>
                <td className="num">{formatCost(run.cost)}</td>
                <td className="whitespace-nowrap">{run.cache_hit ? 'hit' : 'miss'}</td>
                <td
                  className="truncate whitespace-nowrap text-red-700"
                  title={run.error_message || undefined}
                >
                  {run.error_kind ? (
                    <>
                      <span className="font-medium">{run.error_kind}</span>
                      {run.error_message && <span className="text-zinc-600">: {run.error_message}</span>}
                    </>
                  ) : (
                    <span className="text-zinc-400">{MISSING}</span>
                  )}
                </td>
              </tr>
            );
          })}
          {bottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={COLUMNS} style={{ height: bottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
      <p className="flex items-center gap-2 px-3 py-2 text-xs text-zinc-500" aria-live="polite">
        {fetchingNext ? (
          <>
            <Spinner /> Loading more runs…
          </>
        ) : hasNextPage ? (
          `${formatCount(runs.length)} runs loaded; scroll for more`
        ) : (
          `All ${formatCount(runs.length)} matching runs loaded`
        )}
      </p>
    </div>
  );
}

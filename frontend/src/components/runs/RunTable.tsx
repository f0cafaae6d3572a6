import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { Run } from '../../api/runs';
import { formatCost, formatCount, formatMs, formatScore, MISSING, shortHash } from '../../lib/format';
import { type OrderField, orderingOf, type RunOrdering, shouldLoadMore } from '../../lib/runFilters';
import { Spinner } from '../States';
import { tokenPair } from './labels';
import { RunStatusBadge } from './RunStatusBadge';

/** Every row is one line high (cells never wrap), so rows need no measuring. */
export const ROW_HEIGHT = 37;
/** Run, config (the rest), item, sample, status, score; then one per scorer; tokens, latency, cost, cache, error. */
const LEADING_WIDTHS = ['w-18', '', 'w-18', 'w-22', 'w-24', 'w-20'];
const TRAILING_WIDTHS = ['w-30', 'w-22', 'w-24', 'w-16', 'w-48'];
const SCORER_WIDTH = 'w-24';
/** The table's least width in rem without scorer columns, and what each scorer column adds (w-24). */
const BASE_REM = 74;
const SCORER_REM = 6;

/** A column header that sorts the list by `field`; clicking it again turns the order around. */
function SortHeader({
  field,
  ordering,
  onSort,
  numeric = false,
  title,
  children,
}: {
  field: OrderField;
  ordering: RunOrdering | undefined;
  onSort: (field: OrderField) => void;
  numeric?: boolean;
  title?: string;
  children: string;
}) {
  const { field: sorted, descending } = orderingOf(ordering);
  const active = sorted === field;
  return (
    <th
      scope="col"
      className={numeric ? 'num' : undefined}
      aria-sort={active ? (descending ? 'descending' : 'ascending') : undefined}
    >
      <button
        type="button"
        className={`inline-flex items-center gap-1 uppercase tracking-wide hover:text-zinc-900 ${active ? 'text-zinc-900' : ''}`}
        title={title}
        onClick={() => onSort(field)}
      >
        {children}
        {/* The direction is aria-sort's to say; the arrow is for the eye. */}
        <span aria-hidden="true" className="w-2">
          {active ? (descending ? '↓' : '↑') : ''}
        </span>
      </button>
    </th>
  );
}

/**
 * The runs loaded so far, only the visible rows drawn (a sweep has up to
 * 100k runs). Scrolling near the end asks for the next page.
 */
export function RunTable({
  runs,
  labels,
  scorers,
  ordering,
  onSort,
  hasNextPage,
  fetchingNext,
  onLoadMore,
}: {
  runs: readonly Run[];
  labels: ReadonlyMap<string, string>;
  /** One column each, after Score. */
  scorers: readonly string[];
  ordering: RunOrdering | undefined;
  onSort: (field: OrderField) => void;
  hasNextPage: boolean;
  fetchingNext: boolean;
  onLoadMore: () => void;
}) {
  const widths = [...LEADING_WIDTHS, ...scorers.map(() => SCORER_WIDTH), ...TRAILING_WIDTHS];
  const columns = widths.length;
  const sort = { ordering, onSort };
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
      <table
        className="data-table table-fixed"
        style={{ minWidth: `${BASE_REM + SCORER_REM * scorers.length}rem` }}
        aria-rowcount={hasNextPage ? -1 : runs.length + 1}
      >
        <colgroup>
          {widths.map((width, index) => (
            <col key={index} className={width} />
          ))}
        </colgroup>
        <thead className="sticky top-0 z-10">
          <tr aria-rowindex={1}>
            <SortHeader field="id" numeric {...sort}>
              Run
            </SortHeader>
            <SortHeader field="config_hash" title="Sorts by config hash: each config's runs together" {...sort}>
              Config
            </SortHeader>
            <SortHeader field="item" numeric {...sort}>
              Item
            </SortHeader>
            <SortHeader field="sample_index" numeric {...sort}>
              Sample
            </SortHeader>
            <SortHeader field="status" {...sort}>
              Status
            </SortHeader>
            <SortHeader field="score" numeric {...sort}>
              Score
            </SortHeader>
            {/* The API sorts by the composite score only: a scorer's column is not a sort key. */}
            {scorers.map((name) => (
              // A scorer's name is an identifier: as written, not upper-cased.
              <th key={name} scope="col" className="num truncate normal-case tracking-normal" title={`Scorer ${name}`}>
                {name}
              </th>
            ))}
            <SortHeader
              field="completion_tokens"
              numeric
              title="Prompt + completion tokens; sorts by completion tokens"
              {...sort}
            >
              Tokens
            </SortHeader>
            <SortHeader field="latency_ms" numeric {...sort}>
              Latency
            </SortHeader>
            <SortHeader field="cost" numeric {...sort}>
              Cost
            </SortHeader>
            <SortHeader field="cache_hit" {...sort}>
              Cache
            </SortHeader>
            <SortHeader field="error_kind" {...sort}>
              Error
            </SortHeader>
          </tr>
        </thead>
        <tbody>
          {top > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns} style={{ height: top, padding: 0, border: 0 }} />
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
                {scorers.map((name) => (
                  <td key={name} className="num">
                    {formatScore(run.scores_by_scorer[name])}
                  </td>
                ))}
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
              <td colSpan={columns} style={{ height: bottom, padding: 0, border: 0 }} />
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

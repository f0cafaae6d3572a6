import { Fragment, useState } from 'react';
import type { LiveRow } from '../../live/events';
import { formatCost, formatCount, formatMs, formatPercent, formatScore, shortHash } from '../../lib/format';
import { CiBar, ciDomain } from './CiBar';
import { rowLabel } from './configs';
import { PromoteForm } from './PromoteForm';

const FIRST_ROWS = 25;

function formatP(p: number | null): string {
  if (p === null) return 'no p-value';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** How a row compares with the best: the best itself, tied with it, or behind by delta. */
export function VersusBest({ row }: { row: LiveRow }) {
  if (row.rank === 1) {
    return <span className="rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-800">best</span>;
  }
  if (row.score === null) return <span className="text-xs text-zinc-400">no score</span>;
  if (row.tied_with_best) {
    return (
      <span
        className="rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium whitespace-nowrap text-emerald-800 ring-1 ring-emerald-200 ring-inset"
        title={`Not told apart from the best on ${formatCount(row.paired_items)} shared items (${formatP(row.p_value)}, Holm-adjusted)`}
      >
        tied with best
      </span>
    );
  }
  if (row.paired_items === 0) {
    return <span className="text-xs text-zinc-400" title="Shares no item with the best">not compared</span>;
  }
  return (
    <span className="font-mono text-xs text-zinc-600 tabular-nums" title={`${formatP(row.p_value)}, Holm-adjusted`}>
      {row.delta !== null ? (row.delta >= 0 ? '+' : '−') + formatScore(Math.abs(row.delta)) : '—'}
      <span className="sr-only"> behind the best, {formatP(row.p_value)}</span>
    </span>
  );
}

function CompareBox({
  row,
  label,
  selection,
}: {
  row: LiveRow;
  label: string;
  selection: { selected: readonly string[]; toggle: (hash: string) => void; max: number };
}) {
  const checked = selection.selected.includes(row.config_hash);
  const full = !checked && selection.selected.length >= selection.max;
  return (
    <input
      type="checkbox"
      className="size-4 align-middle"
      checked={checked}
      disabled={full}
      title={full ? `Compare at most ${selection.max} configs` : undefined}
      aria-label={`Compare ${label}`}
      onChange={() => selection.toggle(row.config_hash)}
    />
  );
}

/**
 * The configs ranked, each score with its 95% interval on a shared scale and
 * its comparison with the best. Editors and owners promote a row of a
 * finished sweep to a label.
 */
export function LeaderboardTable({
  rows,
  sweepId,
  canPromote,
  sweepFinished,
  selection,
}: {
  rows: readonly LiveRow[];
  sweepId: number;
  canPromote: boolean;
  sweepFinished: boolean;
  /** The configs ticked to compare side by side, at most `max` of them. */
  selection?: { selected: readonly string[]; toggle: (hash: string) => void; max: number };
}) {
  const [showAll, setShowAll] = useState(false);
  const [promoting, setPromoting] = useState<string | null>(null);
  const shown = showAll ? rows : rows.slice(0, FIRST_ROWS);
  const domain = ciDomain(rows);
  const columns = 9 + (canPromote ? 1 : 0) + (selection ? 1 : 0);
  return (
    <div>
      <div className="overflow-x-auto">
        <table className="data-table">
          <thead>
            <tr>
              {selection && (
                <th scope="col">
                  <span className="sr-only">Compare</span>
                </th>
              )}
              <th scope="col" className="text-right">
                #
              </th>
              <th scope="col">Config</th>
              <th scope="col" className="text-right">
                Score
              </th>
              <th scope="col">95% interval</th>
              <th scope="col">Vs best</th>
              <th scope="col" className="text-right">
                n
              </th>
              <th scope="col" className="text-right">
                Errors
              </th>
              <th scope="col" className="text-right">
                Cost / run
              </th>
              <th scope="col" className="text-right">
                Latency p50
              </th>
              {canPromote && (
                <th scope="col">
                  <span className="sr-only">Promote</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => {
              const label = rowLabel(row);
              return (
                <Fragment key={row.config_hash}>
                  <tr data-testid="leaderboard-row">
                    {selection && (
                      <td>
                        <CompareBox row={row} label={label} selection={selection} />
                      </td>
                    )}
                    <td className="text-right tabular-nums">{row.rank}</td>
                    <td className="max-w-md">
                      <span className="break-words">{label}</span>
                      <span className="ml-2 font-mono text-xs text-zinc-400" title={row.config_hash}>
                        {shortHash(row.config_hash)}
                      </span>
                    </td>
                    <td className="text-right font-mono tabular-nums">{formatScore(row.score)}</td>
                    <td>
                      <CiBar score={row.score} ci95={row.ci95} domain={domain} />
                    </td>
                    <td>
                      <VersusBest row={row} />
                    </td>
                    <td className="text-right tabular-nums">{formatCount(row.n)}</td>
                    <td className="text-right tabular-nums" title={`error rate ${formatPercent(row.error_rate)}`}>
                      {formatCount(row.errors)}
                    </td>
                    <td className="text-right tabular-nums">{formatCost(row.cost_per_run)}</td>
                    <td className="text-right tabular-nums">{formatMs(row.latency_ms_p50)}</td>
                    {canPromote && (
                      <td>
                        <button
                          type="button"
                          className="btn-secondary whitespace-nowrap"
                          disabled={!sweepFinished}
                          title={sweepFinished ? undefined : 'Promote once the sweep has finished'}
                          aria-label={`Promote ${label} to label`}
                          aria-expanded={promoting === row.config_hash}
                          onClick={() => setPromoting(promoting === row.config_hash ? null : row.config_hash)}
                        >
                          Promote to label
                        </button>
                      </td>
                    )}
                  </tr>
                  {promoting === row.config_hash && (
                    <tr>
                      <td colSpan={columns} className="bg-zinc-50">
                        <PromoteForm
                          sweepId={sweepId}
                          configHash={row.config_hash}
                          configLabel={label}
                          onDone={() => setPromoting(null)}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.length > FIRST_ROWS && (
        <div className="px-3 pt-2">
          <button type="button" className="btn-secondary" onClick={() => setShowAll(!showAll)}>
            {showAll ? `Show the first ${FIRST_ROWS}` : `Show all ${formatCount(rows.length)} configs`}
          </button>
        </div>
      )}
    </div>
  );
}

import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useLeaderboard } from '../../api/sweeps';
import type { LeaderboardEntry } from '../../live/reducer';
import { formatCount } from '../../lib/format';
import { EmptyState, ErrorState, QueryView, Spinner } from '../States';
import { LeaderboardTable } from './Leaderboard';
import { Panel } from './Panel';

const COMPARE_MIN = 2;
const COMPARE_MAX = 4;

/**
 * Every config ranked (the leaderboard endpoint, fetched again as the sweep
 * moves); until it answers, the top rows of the last `leaderboard` event.
 */
export function LeaderboardPanel({
  sweepId,
  live,
  canPromote,
  sweepFinished,
}: {
  sweepId: number;
  live: LeaderboardEntry | null;
  canPromote: boolean;
  sweepFinished: boolean;
}) {
  const leaderboard = useLeaderboard(sweepId);
  const id = useId();
  const navigate = useNavigate();
  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (hash: string) =>
    setSelected((current) => (current.includes(hash) ? current.filter((h) => h !== hash) : [...current, hash]));
  const rows = leaderboard.data ?? live?.rows ?? null;
  const fromEvent = !leaderboard.data && live !== null;
  const note = fromEvent
    ? `Top ${formatCount(live.rows.length)} of ${formatCount(live.configs)} configs, live`
    : rows
      ? `${formatCount(rows.length)} configs`
      : null;
  return (
    <Panel
      id={id}
      title="Leaderboard"
      actions={
        <span className="flex items-center gap-2 text-xs text-zinc-500">
          {leaderboard.isFetching && rows && <Spinner />}
          {note}
          <a className="link" href={`/api/sweeps/${sweepId}/leaderboard/?format=csv`} download>
            CSV
          </a>
        </span>
      }
    >
      {leaderboard.isError && rows !== null && (
        <div className="mb-3">
          <ErrorState
            title="Could not load the leaderboard"
            error={leaderboard.error}
            onRetry={() => void leaderboard.refetch()}
          />
        </div>
      )}
      <QueryView
        // The live event's rows stand in for the endpoint's until it answers, and after it fails.
        query={{
          isPending: rows === null && leaderboard.isPending,
          isError: rows === null && leaderboard.isError,
          error: leaderboard.error,
          data: rows ?? undefined,
          refetch: leaderboard.refetch,
        }}
        loading="Loading the leaderboard"
        error="Could not load the leaderboard"
        framed={false}
        isEmpty={(data) => data.length === 0}
        empty={<EmptyState title="No finished runs yet">Configs appear here, ranked, as their runs finish.</EmptyState>}
      >
        {(data) => (
          <>
            <CompareBar
              count={selected.length}
              onCompare={() => {
                // The best ranked of the ticked configs is the reference the others are diffed against.
                const ranked = data.map((row) => row.config_hash).filter((hash) => selected.includes(hash));
                void navigate(`/sweeps/${sweepId}/compare?configs=${ranked.join(',')}`);
              }}
            />
            <LeaderboardTable
              rows={data}
              sweepId={sweepId}
              canPromote={canPromote}
              sweepFinished={sweepFinished}
              selection={{ selected, toggle, max: COMPARE_MAX }}
            />
          </>
        )}
      </QueryView>
    </Panel>
  );
}

/** Tick 2 to 4 rows, then compare them side by side. */
function CompareBar({ count, onCompare }: { count: number; onCompare: () => void }) {
  const ready = count >= COMPARE_MIN && count <= COMPARE_MAX;
  return (
    <div className="mb-2 flex flex-wrap items-center gap-3 text-sm">
      <button type="button" className="btn-secondary" disabled={!ready} onClick={onCompare}>
        Compare{count > 0 ? ` ${formatCount(count)} configs` : ''}
      </button>
      <span className="text-xs text-zinc-600" aria-live="polite">
        {count === 0
          ? `Tick ${COMPARE_MIN} to ${COMPARE_MAX} configs to see their outputs side by side.`
          : ready
            ? `${formatCount(count)} ticked; the best ranked of them is the reference.`
            : `Tick at least ${COMPARE_MIN}.`}
      </span>
    </div>
  );
}

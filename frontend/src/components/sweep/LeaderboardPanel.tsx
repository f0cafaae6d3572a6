import { useId } from 'react';
import { useLeaderboard } from '../../api/sweeps';
import type { LeaderboardEntry } from '../../live/reducer';
import { formatCount } from '../../lib/format';
import { EmptyState, ErrorState, Loading, Spinner } from '../States';
import { LeaderboardTable } from './Leaderboard';
import { Panel } from './Panel';

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
      {leaderboard.isError && (
        <div className="mb-3">
          <ErrorState
            title="Could not load the leaderboard"
            error={leaderboard.error}
            onRetry={() => void leaderboard.refetch()}
          />
        </div>
      )}
      {rows === null ? (
        leaderboard.isPending ? (
          <Loading label="Loading the leaderboard" />
        ) : null
      ) : rows.length === 0 ? (
        <EmptyState title="No finished runs yet">Configs appear here, ranked, as their runs finish.</EmptyState>
      ) : (
        <LeaderboardTable rows={rows} sweepId={sweepId} canPromote={canPromote} sweepFinished={sweepFinished} />
      )}
    </Panel>
  );
}

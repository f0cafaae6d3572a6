import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api/errors';
import { useLeaderboard, useSweep } from '../api/sweeps';
import { usePageProject, useSignedIn } from '../api/useSignedIn';
import { EventLog } from '../components/sweep/EventLog';
import { GuidedRungs } from '../components/sweep/GuidedRungs';
import { HeatmapPanel } from '../components/sweep/HeatmapPanel';
import { LeaderboardPanel } from '../components/sweep/LeaderboardPanel';
import { LiveNotice } from '../components/sweep/LiveNotice';
import { MarginalsPanel } from '../components/sweep/MarginalsPanel';
import { Panel } from '../components/sweep/Panel';
import { ParetoPanel } from '../components/sweep/ParetoPanel';
import { ProgressPanel } from '../components/sweep/ProgressPanel';
import { SteeringControls } from '../components/sweep/SteeringControls';
import { sweepAxes } from '../components/sweep/configs';
import { ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { Timestamp } from '../components/Timestamp';
import { isFinal } from '../live/events';
import { useSweepLive } from '../live/useSweepLive';
import { useDocumentTitle } from '../lib/hooks';
import { parseId } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** One sweep, live: progress, limits, leaderboard, analyses, guided rungs, events and steering. */
export function SweepPage() {
  const sweepId = parseId(useParams().id);
  if (sweepId === null) return <NotFoundPage />;
  return <SweepView key={sweepId} sweepId={sweepId} />;
}

function SweepView({ sweepId }: { sweepId: number }) {
  const session = useSignedIn();
  const sweepQuery = useSweep(sweepId);
  const view = useSweepLive(sweepId, { snapshot: sweepQuery.data });
  const leaderboard = useLeaderboard(sweepId);
  const { state } = view;
  const sweep = sweepQuery.data ?? state.sweep ?? undefined;
  usePageProject(sweep?.project);
  const experimentName = state.experiment?.name;
  useDocumentTitle(`Sweep #${sweepId}`, experimentName);

  const rows = leaderboard.data ?? state.leaderboard?.rows;
  const axes = useMemo(() => sweepAxes(rows ?? []).map((axis) => axis.name), [rows]);

  if (!sweep) {
    if (sweepQuery.isError) {
      if (sweepQuery.error instanceof ApiError && sweepQuery.error.status === 404) return <NotFoundPage />;
      return (
        <ErrorState
          title="Could not load the sweep"
          error={sweepQuery.error}
          onRetry={() => void sweepQuery.refetch()}
        />
      );
    }
    return <Loading label="Loading the sweep" />;
  }

  const role = session.projects.find((project) => project.id === sweep.project)?.role;
  const canEdit = role === 'owner' || role === 'editor';
  const status = state.status ?? sweep.status;
  const finished = isFinal(status);
  const strategy = state.strategy ?? 'grid';
  const experimentUrl = `/projects/${sweep.project}/experiments/${sweep.experiment}`;

  return (
    <div className="space-y-5">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
            <Link to={`/projects/${sweep.project}/experiments`} className="link">
              Experiments
            </Link>
            <span aria-hidden="true"> / </span>
            <Link to={experimentUrl} className="link">
              {experimentName ?? `Experiment #${sweep.experiment}`}
            </Link>
            <span aria-hidden="true"> / </span>
          </nav>
          <div className="mt-1 flex flex-wrap items-center gap-3">
            <h1 className="text-xl font-semibold">Sweep #{sweepId}</h1>
            <StatusBadge status={status} />
            <span className="text-sm text-zinc-500">{strategy}</span>
            <LiveNotice view={view} />
          </div>
          {status === 'failed' && state.statusError && (
            <p className="mt-1 max-w-3xl text-sm text-red-700">{state.statusError}</p>
          )}
          <dl className="mt-2 flex flex-wrap gap-x-8 gap-y-1 text-sm">
            <div>
              <dt className="text-xs text-zinc-500">Created</dt>
              <dd>
                <Timestamp iso={sweep.created_at} />
              </dd>
            </div>
            <div>
              <dt className="text-xs text-zinc-500">Started</dt>
              <dd>
                <Timestamp iso={sweep.started_at} />
              </dd>
            </div>
            <div>
              <dt className="text-xs text-zinc-500">Finished</dt>
              <dd>
                <Timestamp iso={sweep.finished_at} />
              </dd>
            </div>
          </dl>
        </div>
        <div className="flex flex-wrap items-start gap-3">
          <Link to={`/sweeps/${sweepId}/runs`} className="btn-secondary">
            Explore runs
          </Link>
          <Link to={`/sweeps/${sweepId}/versus`} className="btn-secondary">
            Against another sweep
          </Link>
          {canEdit && <SteeringControls sweepId={sweepId} status={status} concurrency={state.concurrency ?? sweep.concurrency} />}
        </div>
      </header>

      <Panel id="progress-heading" title="Progress">
        <ProgressPanel state={state} sweep={sweep} />
      </Panel>

      <LeaderboardPanel
        sweepId={sweepId}
        live={state.leaderboard}
        canPromote={canEdit}
        sweepFinished={finished}
      />

      {(strategy === 'guided' || state.rungs.length > 0) && <GuidedRungs rungs={state.rungs} />}

      <div className="grid items-start gap-5 xl:grid-cols-2">
        <HeatmapPanel sweepId={sweepId} axes={axes} />
        <MarginalsPanel sweepId={sweepId} />
      </div>

      <ParetoPanel sweepId={sweepId} />

      <EventLog log={state.log} />
    </div>
  );
}

import { useState } from 'react';
import { Link } from 'react-router';
import {
  type CacheExperimentStats,
  type CacheStats,
  type PurgeRequest,
  useExperimentCacheStats,
  useProjectCacheStats,
  usePurgeCache,
} from '../api/cache';
import { errorMessage } from '../api/errors';
import type { SessionProject } from '../api/session';
import { useCurrentProject, useSignedIn } from '../api/useSignedIn';
import { EmptyState, QueryView } from '../components/States';
import { formatCost, formatCount } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { NotFoundPage } from './NotFoundPage';

function entries(n: number): string {
  return `${formatCount(n)} cached ${n === 1 ? 'response' : 'responses'}`;
}

/** The response cache of a project: what it saved, per experiment, and purging it (owners). */
export function CachePage() {
  const { project } = useCurrentProject();
  if (!project) return <NotFoundPage />;
  return <Cache project={project} />;
}

function Cache({ project }: { project: SessionProject }) {
  const session = useSignedIn();
  const isOwner = session.is_superuser || project.role === 'owner';
  const totals = useProjectCacheStats(project.id);
  const perExperiment = useExperimentCacheStats(project.id);
  const [result, setResult] = useState('');
  useDocumentTitle('Cache', project.name);

  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-xl font-semibold">Response cache of {project.name}</h1>
        <p className="mt-1 max-w-3xl text-sm text-zinc-600">
          A request a sweep has made before is answered from the cache: no call, no cost. Hits count every run
          answered from an entry; the cost saved is what those calls would have cost.
          {!isOwner && ' Only the project’s owners purge it.'}
        </p>
      </header>
      <p role="status" className="text-sm text-emerald-800">
        {result}
      </p>
      <section aria-labelledby="cache-totals-heading">
        <h2 id="cache-totals-heading" className="mb-2 text-sm font-semibold tracking-wide text-zinc-700 uppercase">
          The whole project
        </h2>
        <QueryView query={totals} loading="Loading the cache totals" error="Could not load the cache totals">
          {(stats) => <Totals stats={stats} projectId={project.id} isOwner={isOwner} onPurged={setResult} />}
        </QueryView>
      </section>
      <section aria-labelledby="cache-experiments-heading">
        <h2 id="cache-experiments-heading" className="mb-2 text-sm font-semibold tracking-wide text-zinc-700 uppercase">
          Per experiment
        </h2>
        <QueryView
          query={perExperiment}
          loading="Loading the cache per experiment"
          error="Could not load the cache per experiment"
          isEmpty={(rows) => rows.length === 0}
          empty={<EmptyState title="No experiments yet">The cache fills as their sweeps run.</EmptyState>}
        >
          {(rows) => (
            <div className="panel">
              <p className="border-b border-zinc-200 bg-zinc-50 px-3 py-1.5 text-xs text-zinc-600">
                An entry two experiments share counts in both; the judge’s entries count in the project’s totals only.
              </p>
              <div className="overflow-x-auto">
                <table className="data-table">
                  <caption className="sr-only">Cache per experiment</caption>
                  <thead>
                    <tr>
                      <th scope="col">Experiment</th>
                      <th scope="col" className="num">
                        Entries
                      </th>
                      <th scope="col" className="num">
                        Hits
                      </th>
                      <th scope="col" className="num">
                        Calls saved
                      </th>
                      <th scope="col" className="num">
                        Cost saved
                      </th>
                      {isOwner && <th scope="col">Purge</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row) => (
                      <tr key={row.experiment}>
                        <td>
                          <Link to={`/projects/${project.id}/experiments/${row.experiment}`} className="link">
                            {row.name}
                          </Link>
                        </td>
                        <td className="num">{formatCount(row.entries)}</td>
                        <td className="num">{formatCount(row.hits)}</td>
                        <td className="num">{formatCount(row.calls_saved)}</td>
                        <td className="num">{formatCost(row.cost_saved)}</td>
                        {isOwner && (
                          <td>
                            {row.entries > 0 ? (
                              <ExperimentPurge row={row} projectId={project.id} onPurged={setResult} />
                            ) : (
                              <span className="text-xs text-zinc-600">nothing cached</span>
                            )}
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )}
        </QueryView>
      </section>
    </div>
  );
}

function Totals({
  stats,
  projectId,
  isOwner,
  onPurged,
}: {
  stats: CacheStats | null;
  projectId: number;
  isOwner: boolean;
  onPurged: (message: string) => void;
}) {
  const count = stats?.entries ?? 0;
  return (
    <div className="panel flex flex-wrap items-start justify-between gap-4 p-3">
      <dl className="flex flex-wrap gap-x-10 gap-y-2 text-sm">
        <div>
          <dt className="text-xs text-zinc-500">Entries</dt>
          <dd className="text-lg tabular-nums">{formatCount(count)}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Hits (calls saved)</dt>
          <dd className="text-lg tabular-nums">{formatCount(stats?.calls_saved ?? 0)}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Cost saved</dt>
          <dd className="text-lg tabular-nums">{formatCost(stats?.cost_saved ?? 0)}</dd>
        </div>
      </dl>
      {isOwner && count > 0 && (
        <Purge
          what="the whole project"
          request={{ project: projectId, all: true }}
          warning={`Delete all ${entries(count)} of this project? Every sweep calls the models again, and pays, for requests it made before. This cannot be undone.`}
          confirmLabel="Purge all"
          onPurged={onPurged}
        />
      )}
    </div>
  );
}

function ExperimentPurge({
  row,
  projectId,
  onPurged,
}: {
  row: CacheExperimentStats;
  projectId: number;
  onPurged: (message: string) => void;
}) {
  return (
    <Purge
      what={row.name}
      request={{ project: projectId, experiment: row.experiment, all: false }}
      warning={`Delete the ${entries(row.entries)} that ${row.name}’s runs used (other experiments sharing them lose them too)? Its next sweep calls the models again, and pays. This cannot be undone.`}
      confirmLabel={`Purge ${row.name}`}
      onPurged={onPurged}
    />
  );
}

function Purge({
  what,
  request,
  warning,
  confirmLabel,
  onPurged,
}: {
  what: string;
  request: PurgeRequest;
  warning: string;
  confirmLabel: string;
  onPurged: (message: string) => void;
}) {
  const purge = usePurgeCache();
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button
        type="button"
        className="btn-secondary whitespace-nowrap"
        aria-label={`Purge the cache of ${what}`}
        onClick={() => setConfirming(true)}
      >
        Purge…
      </button>
    );
  }
  return (
    <div
      role="group"
      aria-label={`Purge the cache of ${what}?`}
      className="max-w-sm rounded-md border border-red-200 bg-red-50 px-2 py-1.5 text-sm text-red-800"
    >
      <p>{warning}</p>
      <div className="mt-1.5 flex gap-2">
        <button
          type="button"
          className="rounded-md bg-red-700 px-2 py-0.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
          disabled={purge.isPending}
          onClick={() =>
            purge.mutate(request, {
              onSuccess(done) {
                setConfirming(false);
                onPurged(`Purged ${what}: deleted ${entries(done.deleted)}.`);
              },
            })
          }
        >
          {purge.isPending ? 'Purging…' : confirmLabel}
        </button>
        {/* Focus lands on the safe choice. */}
        <button type="button" className="btn-secondary" autoFocus onClick={() => setConfirming(false)}>
          Keep it
        </button>
      </div>
      {purge.isError && <p role="alert">Could not purge: {errorMessage(purge.error)}</p>}
    </div>
  );
}

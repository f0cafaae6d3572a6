import { Link, Navigate, useParams, useSearchParams } from 'react-router';
import {
  type ExperimentSummary,
  PAGE_SIZE,
  useExperiment,
  useExperimentSpec,
  useExperimentSweeps,
  usePromotions,
} from '../api/experiments';
import { ApiError } from '../api/errors';
import { useCurrentProject } from '../api/useSignedIn';
import { LabelChips } from '../components/LabelChips';
import { Pagination } from '../components/Pagination';
import { EmptyState, ErrorState, Loading, QueryView } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { Timestamp } from '../components/Timestamp';
import {
  formatCost,
  formatCount,
  formatDuration,
  formatPercent,
  formatProgress,
  formatScore,
  MISSING,
  shortHash,
} from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId, parsePage } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** One experiment: its labels, its sweeps over time, its promotions, its spec. */
export function ExperimentPage() {
  const { project } = useCurrentProject();
  const experimentId = parseId(useParams().experimentId);
  if (!project || experimentId === null) return <NotFoundPage />;
  return <Experiment projectId={project.id} experimentId={experimentId} />;
}

function Experiment({ projectId, experimentId }: { projectId: number; experimentId: number }) {
  const experiment = useExperiment(experimentId);
  useDocumentTitle(experiment.data?.name, 'Experiments');

  if (experiment.isError && experiment.error instanceof ApiError && experiment.error.status === 404) {
    return <NotFoundPage />;
  }
  return (
    <QueryView query={experiment} loading="Loading the experiment" error="Could not load the experiment" framed={false}>
      {(data) =>
        data.project !== projectId ? (
          // An experiment reached under another project's URL: its own URL.
          <Navigate to={`/projects/${data.project}/experiments/${data.id}`} replace />
        ) : (
          <div className="space-y-8">
            <Header experiment={data} projectId={projectId} />
            <SweepHistory experimentId={data.id} />
            <PromotionHistory experimentId={data.id} />
            <Spec experimentId={data.id} name={data.name} />
          </div>
        )
      }
    </QueryView>
  );
}

function Header({ experiment, projectId }: { experiment: ExperimentSummary; projectId: number }) {
  return (
    <header>
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
        <Link to={`/projects/${projectId}/experiments`} className="link">
          Experiments
        </Link>
        <span aria-hidden="true"> / </span>
      </nav>
      <div className="mt-1 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">{experiment.name}</h1>
        <div className="flex flex-wrap gap-2">
          <Link to={`/projects/${projectId}/experiments/${experiment.id}/promotions`} className="btn-secondary">
            Promotions and deployments
          </Link>
          <Link to={`/projects/${projectId}/experiments/${experiment.id}/copy`} className="btn-secondary">
            Copy to new
          </Link>
        </div>
      </div>
      {experiment.description && (
        <p className="mt-1 max-w-3xl text-sm text-zinc-600">{experiment.description}</p>
      )}
      <dl className="mt-3 flex flex-wrap gap-x-8 gap-y-2 text-sm">
        <div>
          <dt className="text-xs text-zinc-500">Sweeps</dt>
          <dd className="tabular-nums">{formatCount(experiment.sweeps)}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Labels</dt>
          <dd>
            <LabelChips labels={experiment.labels} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Spec updated</dt>
          <dd>
            <Timestamp iso={experiment.updated_at} inline />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Created</dt>
          <dd>
            <Timestamp iso={experiment.created_at} inline />
          </dd>
        </div>
      </dl>
    </header>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="mb-2 text-sm font-semibold tracking-wide text-zinc-700 uppercase">
        {title}
      </h2>
      {children}
    </section>
  );
}

function SweepHistory({ experimentId }: { experimentId: number }) {
  const [search] = useSearchParams();
  const page = parsePage(search);
  const sweeps = useExperimentSweeps(experimentId, page);
  return (
    <Section id="sweeps-heading" title="Sweeps">
      <QueryView
        query={sweeps}
        loading="Loading sweeps"
        error="Could not load the sweeps"
        isEmpty={(data) => data.results.length === 0}
        empty={
          <EmptyState title="No sweeps yet">
            Start one with <code>POST /api/experiments/{experimentId}/sweeps/</code> or{' '}
            <code>manage.py startsweep</code>.
          </EmptyState>
        }
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Sweep</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Runs
                    </th>
                    <th scope="col" className="num">
                      Errors
                    </th>
                    <th scope="col" className="num">
                      Cache hits
                    </th>
                    <th scope="col" className="num">
                      Best score
                    </th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                    <th scope="col">Started</th>
                    <th scope="col">Finished</th>
                    <th scope="col" className="num">
                      Took
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.results.map((sweep) => (
                    <tr key={sweep.id}>
                      <td className="whitespace-nowrap tabular-nums">
                        <Link to={`/sweeps/${sweep.id}`} className="link">
                          #{sweep.id}
                        </Link>
                        <span className="ml-2 text-xs text-zinc-500">
                          {strategyType(sweep.strategy)}
                        </span>
                      </td>
                      <td>
                        <StatusBadge status={sweep.status} />
                        {sweep.error_message && (
                          <p className="mt-1 max-w-xs text-xs text-red-700">{sweep.error_message}</p>
                        )}
                      </td>
                      <td className="num">
                        {formatProgress(sweep.done, sweep.planned)}
                      </td>
                      <td className="num">{formatCount(sweep.errors)}</td>
                      <td className="num">
                        {sweep.done ? formatPercent(sweep.cache_hits / sweep.done, 0) : MISSING}
                      </td>
                      <td className="num font-mono">
                        {formatScore(sweep.best_score)}
                      </td>
                      <td className="num">{formatCost(sweep.cost)}</td>
                      <td>
                        <Timestamp iso={sweep.started_at} />
                      </td>
                      <td>
                        <Timestamp iso={sweep.finished_at} />
                      </td>
                      <td className="num">{formatDuration(sweep.duration_s)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination
              page={page}
              count={data.count}
              pageSize={PAGE_SIZE}
              label="Sweep pages"
            />
          </div>
        )}
      </QueryView>
    </Section>
  );
}

/** grid, random or guided (the spec's or the sweep's override). */
function strategyType(strategy: unknown): string {
  const type = (strategy as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : 'grid';
}

function promotedScore(scores: Record<string, unknown>): number | null {
  return typeof scores.score === 'number' ? scores.score : null;
}

function PromotionHistory({ experimentId }: { experimentId: number }) {
  // Its own page parameter: the sweeps' `page` pages the sweeps.
  const [search] = useSearchParams();
  const page = parseId(search.get('promotions_page')) ?? 1;
  const promotions = usePromotions(experimentId, page);
  return (
    <Section id="labels-heading" title="Label history">
      <QueryView
        query={promotions}
        loading="Loading the label history"
        error="Could not load the label history"
        isEmpty={(data) => data.results.length === 0}
        empty={
          <EmptyState title="Nothing promoted yet">
            An editor promotes a finished sweep&apos;s config to a label with{' '}
            <code>POST /api/sweeps/&#123;id&#125;/promote/</code> or <code>manage.py promote</code>.
          </EmptyState>
        }
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Label</th>
                    <th scope="col">Config</th>
                    <th scope="col">From sweep</th>
                    <th scope="col" className="num">
                      Score then
                    </th>
                    <th scope="col">By</th>
                    <th scope="col">Note</th>
                  </tr>
                </thead>
                <tbody>
                  {data.results.map((promotion) => (
                    <tr key={promotion.id}>
                      <td>
                        <Timestamp iso={promotion.promoted_at} />
                      </td>
                      <td className="font-medium">{promotion.label}</td>
                      <td className="font-mono text-xs" title={promotion.config_hash}>
                        {shortHash(promotion.config_hash)}
                      </td>
                      <td className="whitespace-nowrap tabular-nums">
                        #{promotion.sweep}
                        {promotion.source !== null && (
                          <span className="ml-2 text-xs text-zinc-500">
                            rollback to #{promotion.source}
                          </span>
                        )}
                      </td>
                      <td className="num font-mono">
                        {formatScore(promotedScore(promotion.scores))}
                      </td>
                      <td>{promotion.promoted_by ?? <span className="text-zinc-500">command line</span>}</td>
                      <td className="max-w-xs text-zinc-600">{promotion.note || MISSING}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <PromotionPages page={page} count={data.count} />
          </div>
        )}
      </QueryView>
    </Section>
  );
}

function PromotionPages({ page, count }: { page: number; count: number }) {
  const [search] = useSearchParams();
  const pages = Math.ceil(count / PAGE_SIZE);
  if (pages <= 1) return null;
  const to = (target: number) => {
    const next = new URLSearchParams(search);
    next.set('promotions_page', String(target));
    return `?${next.toString()}`;
  };
  return (
    <nav aria-label="Label history pages" className="flex justify-end gap-2 px-3 py-2 text-sm">
      {page > 1 && (
        <Link className="btn-secondary" to={to(page - 1)}>
          Newer
        </Link>
      )}
      {page < pages && (
        <Link className="btn-secondary" to={to(page + 1)}>
          Older
        </Link>
      )}
    </nav>
  );
}

function Spec({ experimentId, name }: { experimentId: number; name: string }) {
  const spec = useExperimentSpec(experimentId);
  return (
    <Section id="spec-heading" title="Spec">
      <div className="panel">
        <div className="flex items-center justify-between border-b border-zinc-200 bg-zinc-50 px-3 py-1.5 text-xs text-zinc-500">
          <span>The spec as the experiment accepted it (YAML)</span>
          <a className="link" href={`/api/experiments/${experimentId}/export/`} download={`${name}.yaml`}>
            Download
          </a>
        </div>
        {spec.isPending ? (
          <Loading label="Loading the spec" />
        ) : spec.isError ? (
          <div className="p-3">
            <ErrorState title="Could not load the spec" error={spec.error} onRetry={() => void spec.refetch()} />
          </div>
        ) : (
          <pre
            tabIndex={0}
            aria-label="Spec as YAML"
            className="max-h-[32rem] overflow-auto p-3 font-mono text-xs leading-relaxed text-zinc-800"
          >
            {spec.data}
          </pre>
        )}
      </div>
    </Section>
  );
}

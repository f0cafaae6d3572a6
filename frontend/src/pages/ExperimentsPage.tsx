import { Link, useSearchParams } from 'react-router';
import { type ExperimentSummary, PAGE_SIZE, useExperiments } from '../api/experiments';
import { useCurrentProject } from '../api/useSignedIn';
import { LabelChips } from '../components/LabelChips';
import { Pagination } from '../components/Pagination';
import { EmptyState, QueryView, Spinner } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { Timestamp } from '../components/Timestamp';
import { formatCount, formatProgress, formatScore, MISSING } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parsePage } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** A project's experiments, each with its last sweep and its labels. */
export function ExperimentsPage() {
  const { project } = useCurrentProject();
  if (!project) return <NotFoundPage />;
  return <ExperimentList projectId={project.id} projectName={project.name} />;
}

function ExperimentList({ projectId, projectName }: { projectId: number; projectName: string }) {
  useDocumentTitle('Experiments', projectName);
  const [search] = useSearchParams();
  const page = parsePage(search);
  const experiments = useExperiments(projectId, page);

  return (
    <section aria-labelledby="experiments-heading">
      <div className="mb-3 flex items-baseline gap-3">
        <h1 id="experiments-heading" className="text-lg font-semibold">
          Experiments
        </h1>
        <span className="text-sm text-zinc-500">{projectName}</span>
        {experiments.data && (
          <span className="text-sm text-zinc-500 tabular-nums">
            {formatCount(experiments.data.count)} in all
          </span>
        )}
        {experiments.isFetching && !experiments.isPending && (
          <span className="text-zinc-400" title="Refreshing">
            <Spinner />
          </span>
        )}
        <Link to={`/projects/${projectId}/experiments/new`} className="btn-primary ml-auto self-center">
          New experiment
        </Link>
      </div>
      <QueryView
        query={experiments}
        loading="Loading experiments"
        error="Could not load the experiments"
        isEmpty={(data) => data.results.length === 0}
        empty={
          <EmptyState title={`No experiments in ${projectName} yet`}>
            An experiment is stored from a spec: <code>manage.py runexperiment spec.yaml</code> on
            the command line, or <code>POST /api/experiments/</code>.
          </EmptyState>
        }
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Experiment</th>
                    <th scope="col">Last sweep</th>
                    <th scope="col">When</th>
                    <th scope="col" className="num">
                      Runs
                    </th>
                    <th scope="col" className="num">
                      Best score
                    </th>
                    <th scope="col">Labels</th>
                    <th scope="col" className="num">
                      Sweeps
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.results.map((experiment) => (
                    <ExperimentRow key={experiment.id} projectId={projectId} experiment={experiment} />
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination
              page={page}
              count={data.count}
              pageSize={PAGE_SIZE}
              label="Experiment pages"
            />
          </div>
        )}
      </QueryView>
    </section>
  );
}

function ExperimentRow({
  projectId,
  experiment,
}: {
  projectId: number;
  experiment: ExperimentSummary;
}) {
  const last = experiment.last_sweep;
  return (
    <tr>
      <td>
        <Link to={`/projects/${projectId}/experiments/${experiment.id}`} className="link">
          {experiment.name}
        </Link>
        {experiment.description && (
          <p className="mt-0.5 max-w-md truncate text-xs text-zinc-500">{experiment.description}</p>
        )}
      </td>
      {last ? (
        <>
          <td>
            <span className="flex items-center gap-2">
              <StatusBadge status={last.status} />
              <span className="text-xs text-zinc-500 tabular-nums">#{last.id}</span>
            </span>
          </td>
          <td>
            <Timestamp iso={last.started_at ?? last.created_at} />
          </td>
          <td className="num">{formatProgress(last.done, last.planned)}</td>
          <td className="num font-mono">{formatScore(last.best_score)}</td>
        </>
      ) : (
        <>
          <td className="text-zinc-400">never run</td>
          <td className="text-zinc-400">{MISSING}</td>
          <td className="num text-zinc-400">{MISSING}</td>
          <td className="num text-zinc-400">{MISSING}</td>
        </>
      )}
      <td>
        <LabelChips labels={experiment.labels} />
      </td>
      <td className="num">{formatCount(experiment.sweeps)}</td>
    </tr>
  );
}

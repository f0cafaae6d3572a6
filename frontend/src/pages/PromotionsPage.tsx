import { useId, useState } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import { type ExperimentSummary, type Promotion, useExperiment } from '../api/experiments';
import { byLabel, type DeploymentStage, HISTORY_LIMIT, useLabelHistory, useRollback } from '../api/promotions';
import type { SessionProject } from '../api/session';
import { useCurrentProject, useSignedIn } from '../api/useSignedIn';
import { EmptyState, ErrorState, Loading, QueryView } from '../components/States';
import { Timestamp } from '../components/Timestamp';
import { formatCost, formatCount, formatDateTime, formatMs, formatScore, MISSING, shortHash } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/**
 * An experiment's labels: what each points to now, its history, rolling
 * back (editors and owners) and the URL a pipeline fetches it from.
 */
export function PromotionsPage() {
  const { project } = useCurrentProject();
  const experimentId = parseId(useParams().experimentId);
  if (!project || experimentId === null) return <NotFoundPage />;
  return <Promotions project={project} experimentId={experimentId} />;
}

function Promotions({ project, experimentId }: { project: SessionProject; experimentId: number }) {
  const session = useSignedIn();
  const experiment = useExperiment(experimentId);
  useDocumentTitle('Promotions', experiment.data?.name);
  const canRollback = session.is_superuser || project.role !== 'viewer';

  if (experiment.isPending) return <Loading label="Loading the experiment" />;
  if (experiment.isError) {
    if (experiment.error instanceof ApiError && experiment.error.status === 404) return <NotFoundPage />;
    return (
      <ErrorState
        title="Could not load the experiment"
        error={experiment.error}
        onRetry={() => void experiment.refetch()}
      />
    );
  }
  const data = experiment.data;
  if (data.project !== project.id) {
    return <Navigate to={`/projects/${data.project}/experiments/${data.id}/promotions`} replace />;
  }
  return (
    <div className="space-y-6">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link to={`/projects/${project.id}/experiments`} className="link">
            Experiments
          </Link>
          <span aria-hidden="true"> / </span>
          <Link to={`/projects/${project.id}/experiments/${data.id}`} className="link">
            {data.name}
          </Link>
          <span aria-hidden="true"> / </span>
        </nav>
        <h1 className="mt-1 text-xl font-semibold">Promotions and deployments</h1>
        <p className="mt-1 max-w-3xl text-sm text-zinc-600">
          Each label of <strong>{data.name}</strong> points to one promoted config. A pipeline fetches the label at
          start-up, so promoting or rolling back changes what it runs without a redeploy.
          {canRollback
            ? ' Promote from a finished sweep’s leaderboard; roll back here.'
            : ' Your role in this project reads them only.'}
        </p>
      </header>
      <LabelHistory project={project} experiment={data} canRollback={canRollback} />
    </div>
  );
}

function LabelHistory({
  project,
  experiment,
  canRollback,
}: {
  project: SessionProject;
  experiment: ExperimentSummary;
  canRollback: boolean;
}) {
  const history = useLabelHistory(experiment.id);
  return (
    <QueryView
      query={history}
      loading="Loading the labels"
      error="Could not load the labels"
      isEmpty={(data) => data.results.length === 0}
      empty={
        <EmptyState title="Nothing promoted yet">
          Open a finished sweep of{' '}
          <Link to={`/projects/${project.id}/experiments/${experiment.id}`} className="link">
            {experiment.name}
          </Link>{' '}
          and promote a config from its leaderboard to a label such as <code>production</code>.
        </EmptyState>
      }
    >
      {(data) => (
        <div className="space-y-8">
          {data.count > data.results.length && (
            <p className="text-sm text-zinc-600">
              Showing the latest {formatCount(HISTORY_LIMIT)} of {formatCount(data.count)} promotions.
            </p>
          )}
          {[...byLabel(data.results)].map(([label, promotions]) => (
            <LabelSection
              key={label}
              label={label}
              promotions={promotions}
              projectName={project.name}
              experiment={experiment}
              canRollback={canRollback}
            />
          ))}
        </div>
      )}
    </QueryView>
  );
}

function numberIn(scores: Record<string, unknown>, key: string): number | null {
  const value = scores[key];
  return typeof value === 'number' ? value : null;
}

/** "config 3f0c9a1b from sweep #12": how a promotion is named in sentences. */
function describe(promotion: Promotion): string {
  return `config ${shortHash(promotion.config_hash)} from sweep #${promotion.sweep}`;
}

function LabelSection({
  label,
  promotions,
  projectName,
  experiment,
  canRollback,
}: {
  label: string;
  promotions: Promotion[];
  projectName: string;
  experiment: ExperimentSummary;
  canRollback: boolean;
}) {
  const current = promotions[0]!;
  const [done, setDone] = useState<Promotion | null>(null);
  const headingId = `label-${label}`;
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <h2 id={headingId} className="text-lg font-semibold">
        <span className="font-mono">{label}</span>{' '}
        <span className="ml-1 text-sm font-normal text-zinc-600">
          points to <span className="font-mono">{shortHash(current.config_hash)}</span>
        </span>
      </h2>
      <p role="status" className="text-sm text-emerald-800">
        {done && `Rolled back: ${label} now points to ${describe(done)}.`}
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        <Current promotion={current} />
        <DeploymentSnippet projectName={projectName} experimentName={experiment.name} label={label} />
      </div>
      <History
        label={label}
        promotions={promotions}
        experimentId={experiment.id}
        canRollback={canRollback}
        onRolledBack={setDone}
      />
    </section>
  );
}

function Current({ promotion }: { promotion: Promotion }) {
  const scores = promotion.scores;
  return (
    <div className="panel p-3">
      <h3 className="text-sm font-semibold text-zinc-700">Current config</h3>
      <dl className="mt-2 grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-xs text-zinc-500">Config</dt>
          <dd className="font-mono break-all" title={promotion.config_hash}>
            {shortHash(promotion.config_hash)}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">From sweep</dt>
          <dd>
            <Link to={`/sweeps/${promotion.sweep}`} className="link tabular-nums">
              #{promotion.sweep}
            </Link>
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Promoted by</dt>
          <dd>{promotion.promoted_by ?? <span className="text-zinc-600">the command line</span>}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">When</dt>
          <dd>
            <Timestamp iso={promotion.promoted_at} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Score then</dt>
          <dd className="font-mono">{formatScore(numberIn(scores, 'score'))}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Cost per run</dt>
          <dd className="tabular-nums">{formatCost(numberIn(scores, 'cost_per_run'))}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Latency p50</dt>
          <dd className="tabular-nums">{formatMs(numberIn(scores, 'latency_ms_p50'))}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Runs</dt>
          <dd className="tabular-nums">{formatCount(numberIn(scores, 'runs'))}</dd>
        </div>
        {promotion.note && (
          <div className="col-span-full">
            <dt className="text-xs text-zinc-500">Note</dt>
            <dd className="text-zinc-700">{promotion.note}</dd>
          </div>
        )}
      </dl>
      <h3 className="mt-3 text-xs font-medium text-zinc-500">
        {promotion.stages.length === 1 ? 'What it runs' : `What it runs, ${promotion.stages.length} stages in order`}
      </h3>
      <ol className="mt-1 space-y-1 text-sm">
        {promotion.stages.map((stage) => (
          <li key={stage.name}>
            <StageLine stage={stage} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function StageLine({ stage }: { stage: DeploymentStage }) {
  const params = Object.entries(stage.params);
  return (
    <span className="break-words">
      {stage.name !== 'main' && <span className="font-medium">{stage.name}: </span>}
      prompt <span className="font-medium">{stage.prompt.name}</span>
      {stage.prompt.version !== null && ` v${stage.prompt.version}`} on{' '}
      <span className="font-mono">{stage.model}</span> ({stage.endpoint.name})
      {params.length > 0 && (
        <span className="text-zinc-600">
          {', '}
          {params.map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ')}
        </span>
      )}
    </span>
  );
}

type SnippetKind = 'curl' | 'python';

export function deploymentUrl(projectName: string, experimentName: string, label: string, origin: string): string {
  const part = encodeURIComponent;
  return `${origin}/api/deployments/${part(projectName)}/${part(experimentName)}/${part(label)}/`;
}

/** The snippet a pipeline runs at start-up; the key comes from its environment, never from here. */
export function deploymentSnippet(kind: SnippetKind, url: string): string {
  if (kind === 'curl') {
    return `curl -H "Authorization: Api-Key $PROMPTLOOPER_API_KEY" \\\n  '${url}'`;
  }
  return [
    'import json',
    'import os',
    'import urllib.request',
    '',
    'request = urllib.request.Request(',
    `    ${JSON.stringify(url)},`,
    '    headers={"Authorization": "Api-Key " + os.environ["PROMPTLOOPER_API_KEY"]},',
    ')',
    'with urllib.request.urlopen(request) as response:',
    '    deployment = json.load(response)',
    'for stage in deployment["stages"]:',
    '    print(stage["name"], stage["model"], stage["prompt"]["messages"])',
  ].join('\n');
}

function DeploymentSnippet({
  projectName,
  experimentName,
  label,
}: {
  projectName: string;
  experimentName: string;
  label: string;
}) {
  const [kind, setKind] = useState<SnippetKind>('curl');
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const ids = useId();
  const url = deploymentUrl(projectName, experimentName, label, window.location.origin);
  const snippet = deploymentSnippet(kind, url);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <div className="panel min-w-0 p-3">
      <h3 className="text-sm font-semibold text-zinc-700">Deployment</h3>
      <p className="mt-1 text-sm text-zinc-600">
        What a pipeline fetches (any member’s API key reads it; the endpoints’ keys are never sent):
      </p>
      <p className="mt-1 font-mono text-xs break-all">
        <a href={url} className="link">
          {url}
        </a>
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <fieldset className="flex items-center gap-3 text-sm">
          <legend className="sr-only">Snippet language for {label}</legend>
          {(['curl', 'python'] as const).map((option) => (
            <label key={option} className="inline-flex items-center gap-1">
              <input
                type="radio"
                name={`${ids}-kind`}
                value={option}
                checked={kind === option}
                onChange={() => {
                  setKind(option);
                  setCopied(null);
                }}
              />
              {option === 'curl' ? 'curl' : 'Python'}
            </label>
          ))}
        </fieldset>
        <button
          type="button"
          className="btn-secondary ml-auto"
          aria-label={`Copy the ${kind === 'curl' ? 'curl' : 'Python'} snippet for ${label}`}
          onClick={() => void copy()}
        >
          Copy
        </button>
        <span role="status" className="text-xs text-emerald-800">
          {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Could not copy: select the snippet and copy it.' : ''}
        </span>
      </div>
      <pre
        tabIndex={0}
        aria-label={`${kind === 'curl' ? 'curl' : 'Python'} snippet fetching ${label}`}
        className="mt-2 overflow-x-auto rounded bg-zinc-900 p-2 font-mono text-xs leading-relaxed text-zinc-100"
      >
        {snippet}
      </pre>
      <p className="mt-1 text-xs text-zinc-500">
        Set <code>PROMPTLOOPER_API_KEY</code> to a key made on the{' '}
        <Link to="/api-keys" className="link">
          API keys
        </Link>{' '}
        page (a read-only key limited to this project is enough).
      </p>
    </div>
  );
}

function History({
  label,
  promotions,
  experimentId,
  canRollback,
  onRolledBack,
}: {
  label: string;
  promotions: Promotion[];
  experimentId: number;
  canRollback: boolean;
  onRolledBack: (promotion: Promotion) => void;
}) {
  const current = promotions[0]!;
  return (
    <div className="panel">
      <div className="overflow-x-auto">
        <table className="data-table">
          <caption className="sr-only">History of {label}, latest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Config</th>
              <th scope="col">From sweep</th>
              <th scope="col" className="num">
                Score then
              </th>
              <th scope="col" className="num">
                Cost per run
              </th>
              <th scope="col">By</th>
              <th scope="col">Note</th>
              {canRollback && <th scope="col">Roll back</th>}
            </tr>
          </thead>
          <tbody>
            {promotions.map((promotion, index) => (
              <tr key={promotion.id}>
                <td>
                  <Timestamp iso={promotion.promoted_at} />
                </td>
                <td className="whitespace-nowrap">
                  <span className="font-mono text-xs" title={promotion.config_hash}>
                    {shortHash(promotion.config_hash)}
                  </span>
                  {index === 0 && (
                    <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-800">
                      current
                    </span>
                  )}
                </td>
                <td className="whitespace-nowrap tabular-nums">
                  <Link to={`/sweeps/${promotion.sweep}`} className="link">
                    #{promotion.sweep}
                  </Link>
                  {promotion.source !== null && (
                    <span className="ml-2 text-xs text-zinc-600">repeats promotion #{promotion.source}</span>
                  )}
                </td>
                <td className="num font-mono">{formatScore(numberIn(promotion.scores, 'score'))}</td>
                <td className="num">{formatCost(numberIn(promotion.scores, 'cost_per_run'))}</td>
                <td>{promotion.promoted_by ?? <span className="text-zinc-600">command line</span>}</td>
                <td className="max-w-xs text-zinc-600">{promotion.note || MISSING}</td>
                {canRollback && (
                  <td>
                    {index === 0 ? null : promotion.config_hash === current.config_hash ? (
                      <span className="text-xs text-zinc-600">the current config</span>
                    ) : (
                      <RollbackButton
                        label={label}
                        target={promotion}
                        current={current}
                        experimentId={experimentId}
                        onDone={onRolledBack}
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function RollbackButton({
  label,
  target,
  current,
  experimentId,
  onDone,
}: {
  label: string;
  target: Promotion;
  current: Promotion;
  experimentId: number;
  onDone: (promotion: Promotion) => void;
}) {
  const rollback = useRollback(experimentId);
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button
        type="button"
        className="btn-secondary whitespace-nowrap"
        aria-label={`Roll back ${label} to ${describe(target)}`}
        onClick={() => setConfirming(true)}
      >
        Roll back to this…
      </button>
    );
  }
  const score = formatScore(numberIn(target.scores, 'score'));
  return (
    <div
      role="group"
      aria-label={`Roll back ${label}?`}
      className="w-72 rounded-md border border-amber-300 bg-amber-50 px-2 py-1.5 text-sm text-amber-950"
    >
      <p>
        Point <strong>{label}</strong> to {describe(target)} (score {score}, promoted{' '}
        {formatDateTime(target.promoted_at)}) instead of {describe(current)}? Pipelines fetching {label} run it
        from their next start.
      </p>
      <div className="mt-1.5 flex gap-2">
        <button
          type="button"
          className="btn-primary"
          disabled={rollback.isPending}
          onClick={() =>
            rollback.mutate(
              { label, promotion: target.id, note: '' },
              {
                onSuccess(promotion) {
                  setConfirming(false);
                  onDone(promotion);
                },
              },
            )
          }
        >
          {rollback.isPending ? 'Rolling back…' : `Roll back ${label}`}
        </button>
        {/* Focus lands on the safe choice. */}
        <button type="button" className="btn-secondary" autoFocus onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
      {rollback.isError && (
        <p role="alert" className="mt-1 text-red-800">
          Could not roll back: {errorMessage(rollback.error)}
        </p>
      )}
    </div>
  );
}

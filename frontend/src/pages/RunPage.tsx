import { Link, useParams } from 'react-router';
import { ApiError } from '../api/errors';
import { type RunDetail, useRun } from '../api/runs';
import { usePageProject } from '../api/useSignedIn';
import { useSweep } from '../api/sweeps';
import { OutputBlock, TextBlock, valueText } from '../components/runs/JsonBlock';
import { runConfigLabel } from '../components/runs/labels';
import { Messages, ScoresTable, StageSection, UsageList } from '../components/runs/RunParts';
import { RunStatusBadge } from '../components/runs/RunStatusBadge';
import { Panel } from '../components/sweep/Panel';
import { QueryView } from '../components/States';
import { Timestamp } from '../components/Timestamp';
import { formatScore, shortHash } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** One run: per stage what was sent and answered, its scores with their reasons, the raw response. */
export function RunPage() {
  const runId = parseId(useParams().id);
  if (runId === null) return <NotFoundPage />;
  return <RunView key={runId} runId={runId} />;
}

function RunView({ runId }: { runId: number }) {
  useDocumentTitle(`Run #${runId}`);
  const run = useRun(runId);
  if (run.isError && run.error instanceof ApiError && run.error.status === 404) return <NotFoundPage />;
  return (
    <QueryView query={run} loading="Loading the run" error="Could not load the run" framed={false}>
      {(data) => <RunDetailView run={data} />}
    </QueryView>
  );
}

function RunDetailView({ run }: { run: RunDetail }) {
  // The sweep names the project (for the header) and is cached from the sweep page.
  const sweep = useSweep(run.sweep);
  usePageProject(sweep.data?.project);
  const label = runConfigLabel(run.config);
  const explorer = `/sweeps/${run.sweep}/runs?config_hash=${encodeURIComponent(run.config_hash)}`;

  return (
    <div className="space-y-5">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link to={`/sweeps/${run.sweep}`} className="link">
            Sweep #{run.sweep}
          </Link>
          <span aria-hidden="true"> / </span>
          <Link to={`/sweeps/${run.sweep}/runs`} className="link">
            Runs
          </Link>
          <span aria-hidden="true"> / </span>
        </nav>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">Run #{run.id}</h1>
          <RunStatusBadge status={run.status} />
          <Link to={explorer} className="btn-secondary ml-auto">
            Runs of this config
          </Link>
        </div>
        <p className="mt-1 max-w-4xl text-sm break-words text-zinc-700" title={run.config_hash}>
          {label} <span className="font-mono text-xs text-zinc-500">{shortHash(run.config_hash)}</span>
        </p>
        <dl className="mt-2 flex flex-wrap gap-x-8 gap-y-1 text-sm">
          <div>
            <dt className="text-xs text-zinc-500">Score</dt>
            <dd className="tabular-nums">{formatScore(run.score)}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Item</dt>
            <dd className="tabular-nums">#{run.item}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Sample</dt>
            <dd className="tabular-nums">{run.sample_index}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Attempts</dt>
            <dd className="tabular-nums">{run.attempts}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Served model</dt>
            <dd>{run.served_model || '—'}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Finished</dt>
            <dd>
              <Timestamp iso={run.finished_at} />
            </dd>
          </div>
        </dl>
        <div className="mt-2">
          <UsageList usage={run} />
        </div>
        {run.error_kind && (
          <p role="note" className="mt-2 max-w-4xl rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            <span className="font-medium">{run.error_kind}</span>
            {run.error_message && `: ${run.error_message}`}
          </p>
        )}
      </header>

      <div className="grid items-start gap-5 xl:grid-cols-2">
        <Panel id="input-heading" title="Item input">
          <TextBlock text={valueText(run.input)} label="Item input" />
        </Panel>
        <Panel id="expected-heading" title="Expected">
          <TextBlock text={valueText(run.expected)} label="Expected" />
        </Panel>
      </div>

      {run.trace && run.trace.length > 0 ? (
        <section aria-labelledby="stages-heading" className="space-y-3">
          <h2 id="stages-heading" className="text-sm font-semibold tracking-wide text-zinc-700 uppercase">
            Stages
          </h2>
          {run.trace.map((stage, index) => (
            <StageSection key={`${stage.stage}-${index}`} stage={stage} index={index} />
          ))}
          <Panel id="final-output-heading" title="Final output">
            <OutputBlock text={run.output_text} label="Final output" />
          </Panel>
        </section>
      ) : (
        <>
          <Panel id="messages-heading" title="Messages">
            <Messages messages={run.messages} label="Messages sent" />
          </Panel>
          <Panel id="output-heading" title="Output">
            <OutputBlock text={run.output_text} label="Output" />
          </Panel>
        </>
      )}

      <Panel id="scores-heading" title="Scores">
        <ScoresTable scores={run.scores} />
      </Panel>

      <section aria-label="Raw response" className="panel">
        <details>
          <summary className="cursor-pointer px-3 py-2 text-sm font-semibold tracking-wide text-zinc-700 uppercase">
            Raw response
          </summary>
          <div className="space-y-2 p-3 pt-0">
            <TextBlock text={valueText(run.raw_response)} label="Raw response" />
            {run.cache_key && (
              <p className="text-xs text-zinc-500">
                Cache key <span className="font-mono break-all">{run.cache_key}</span>
              </p>
            )}
          </div>
        </details>
      </section>
    </div>
  );
}

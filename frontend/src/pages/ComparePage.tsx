import { Fragment, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import {
  type Compare,
  COMPARE_PAGE_SIZE,
  type CompareItem,
  type CompareRun,
  type ConfigHead,
  useCompare,
} from '../api/compare';
import { ApiError } from '../api/errors';
import { useExperiment } from '../api/experiments';
import { type Sweep, useSweep } from '../api/sweeps';
import { usePageProject, useSignedIn } from '../api/useSignedIn';
import { configLetter, Delta, DiffText, LetterBadge } from '../components/compare/parts';
import { Pagination } from '../components/Pagination';
import { TextBlock, valueText } from '../components/runs/JsonBlock';
import { RunStatusBadge } from '../components/runs/RunStatusBadge';
import { rowLabel } from '../components/sweep/configs';
import { Panel } from '../components/sweep/Panel';
import { PromoteForm } from '../components/sweep/PromoteForm';
import { EmptyState, ErrorState, Loading, QueryView } from '../components/States';
import { isFinal } from '../live/events';
import { formatCount, formatScore, shortHash } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId, parsePage } from '../lib/params';
import type { RunStatus } from '../lib/runFilters';
import { NotFoundPage } from './NotFoundPage';

export const MIN_CONFIGS = 2;
export const MAX_CONFIGS = 4;

/** The compare view's URL for these configs (the first is the reference). */
export function compareUrl(sweepId: number, hashes: readonly string[]): string {
  return `/sweeps/${sweepId}/compare?configs=${hashes.map(encodeURIComponent).join(',')}`;
}

function parseConfigs(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((hash) => hash.trim())
    .filter(Boolean);
}

const GRID_COLUMNS: Record<number, string> = {
  2: 'lg:grid-cols-2',
  3: 'lg:grid-cols-2 xl:grid-cols-3',
  4: 'lg:grid-cols-2 2xl:grid-cols-4',
};

/** 2 to 4 configs of a sweep side by side, item by item, the items they disagree on most first. */
export function ComparePage() {
  const sweepId = parseId(useParams().id);
  if (sweepId === null) return <NotFoundPage />;
  return <CompareView key={sweepId} sweepId={sweepId} />;
}

function CompareView({ sweepId }: { sweepId: number }) {
  const [search] = useSearchParams();
  const configs = parseConfigs(search.get('configs'));
  const page = parsePage(search);
  const sweep = useSweep(sweepId);
  usePageProject(sweep.data?.project);
  useDocumentTitle('Compare configs', `Sweep #${sweepId}`);

  if (sweep.isPending) return <Loading label="Loading the sweep" />;
  if (sweep.isError) {
    if (sweep.error instanceof ApiError && sweep.error.status === 404) return <NotFoundPage />;
    return <ErrorState title="Could not load the sweep" error={sweep.error} onRetry={() => void sweep.refetch()} />;
  }
  const counted = configs.length >= MIN_CONFIGS && configs.length <= MAX_CONFIGS;
  return (
    <div className="space-y-5">
      <CompareHeader sweep={sweep.data} />
      {counted ? (
        <CompareBody sweep={sweep.data} configs={configs} page={page} />
      ) : (
        <EmptyState title={`Pick ${MIN_CONFIGS} to ${MAX_CONFIGS} configs to compare`}>
          Tick them on the{' '}
          <Link to={`/sweeps/${sweepId}`} className="link">
            sweep&apos;s leaderboard
          </Link>{' '}
          and press Compare.
        </EmptyState>
      )}
    </div>
  );
}

function CompareHeader({ sweep }: { sweep: Sweep }) {
  const experiment = useExperiment(sweep.experiment);
  return (
    <header>
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
        <Link to={`/projects/${sweep.project}/experiments/${sweep.experiment}`} className="link">
          {experiment.data?.name ?? `Experiment #${sweep.experiment}`}
        </Link>
        <span aria-hidden="true"> / </span>
        <Link to={`/sweeps/${sweep.id}`} className="link">
          Sweep #{sweep.id}
        </Link>
        <span aria-hidden="true"> / </span>
      </nav>
      <h1 className="mt-1 text-xl font-semibold">Compare configs</h1>
      <p className="mt-1 max-w-3xl text-sm text-zinc-600">
        Each config&apos;s output next to the reference&apos;s (A) on the items every config ran, the items they
        disagree on most first. Deltas are to A.
      </p>
    </header>
  );
}

function CompareBody({ sweep, configs, page }: { sweep: Sweep; configs: string[]; page: number }) {
  const compare = useCompare(sweep.id, configs, (page - 1) * COMPARE_PAGE_SIZE);
  const session = useSignedIn();
  const role = session.projects.find((project) => project.id === sweep.project)?.role;
  const canPromote = role === 'owner' || role === 'editor';
  return (
    <QueryView query={compare} loading="Loading the comparison" error="Could not compare these configs">
      {(data) => (
        <>
          <SummaryPanel data={data} sweep={sweep} canPromote={canPromote} />
          <ItemsPanel data={data} page={page} />
        </>
      )}
    </QueryView>
  );
}

function SummaryPanel({ data, sweep, canPromote }: { data: Compare; sweep: Sweep; canPromote: boolean }) {
  const [promoting, setPromoting] = useState<string | null>(null);
  const finished = isFinal(sweep.status);
  const hashes = data.configs.map((config) => config.config_hash);
  const columns = 7;
  return (
    <Panel
      id="compare-configs-heading"
      title="Configs"
      actions={<span className="text-xs text-zinc-500">over {formatCount(data.shared_items)} shared items</span>}
    >
      <div className="overflow-x-auto">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Config</th>
              <th scope="col" className="text-right">
                Mean score
              </th>
              <th scope="col" className="text-right">
                Vs A
              </th>
              <th scope="col" className="text-right">
                Failed runs
              </th>
              <th scope="col" className="text-right">
                Outputs unlike A&apos;s
              </th>
              <th scope="col">Runs</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.configs.map((config, index) => {
              const summary = data.summary.find((s) => s.config_hash === config.config_hash);
              const label = rowLabel(config);
              const letter = configLetter(index);
              return (
                <Fragment key={config.config_hash}>
                  <tr data-testid="compare-config">
                    <td className="max-w-md">
                      <div className="flex items-start gap-2">
                        <LetterBadge index={index} />
                        <div>
                          <span className="sr-only">{letter}: </span>
                          <span className="break-words">{label}</span>
                          <span className="ml-2 font-mono text-xs text-zinc-500" title={config.config_hash}>
                            {shortHash(config.config_hash)}
                          </span>
                          {index === 0 && <span className="ml-2 text-xs font-medium text-zinc-600">reference</span>}
                        </div>
                      </div>
                    </td>
                    <td className="num font-mono">{formatScore(summary?.score)}</td>
                    <td className="num">
                      {index === 0 ? <span className="text-zinc-500">—</span> : <Delta value={summary?.score_delta} />}
                    </td>
                    <td className="num">{formatCount(summary?.failed)}</td>
                    <td className="num">{index === 0 ? '—' : formatCount(summary?.outputs_differing)}</td>
                    <td>
                      <Link
                        className="link whitespace-nowrap"
                        to={`/sweeps/${sweep.id}/runs?config_hash=${encodeURIComponent(config.config_hash)}`}
                      >
                        All runs<span className="sr-only"> of {letter}</span>
                      </Link>
                    </td>
                    <td>
                      <div className="flex flex-wrap justify-end gap-2">
                        {index > 0 && (
                          <Link
                            className="btn-secondary whitespace-nowrap"
                            to={`?configs=${[config.config_hash, ...hashes.filter((h) => h !== config.config_hash)].join(',')}`}
                          >
                            Make reference<span className="sr-only"> ({letter})</span>
                          </Link>
                        )}
                        {canPromote && (
                          <button
                            type="button"
                            className="btn-secondary whitespace-nowrap"
                            disabled={!finished}
                            title={finished ? undefined : 'Promote once the sweep has finished'}
                            aria-label={`Promote ${letter} (${label}) to label`}
                            aria-expanded={promoting === config.config_hash}
                            onClick={() => setPromoting(promoting === config.config_hash ? null : config.config_hash)}
                          >
                            Promote to label
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                  {promoting === config.config_hash && (
                    <tr>
                      <td colSpan={columns} className="bg-zinc-50">
                        <PromoteForm
                          sweepId={sweep.id}
                          configHash={config.config_hash}
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
    </Panel>
  );
}

function ItemsPanel({ data, page }: { data: Compare; page: number }) {
  return (
    <Panel
      id="compare-items-heading"
      title="Items, most disagreement first"
      actions={<span className="text-xs text-zinc-500">{formatCount(data.shared_items)} shared items</span>}
    >
      {data.items.length === 0 ? (
        <EmptyState title={data.shared_items === 0 ? 'No item shared by every config' : 'No items on this page'}>
          {data.shared_items === 0
            ? `An item is compared once every config has a finished run of it (sample ${data.sample}).`
            : 'Go back to the first page.'}
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <p className="text-xs text-zinc-600">
            In B, C and D&apos;s outputs,{' '}
            <del className="bg-red-100 text-red-900 line-through decoration-red-700">struck-through words</del> are
            only in A&apos;s output and{' '}
            <ins className="bg-emerald-100 text-emerald-950 underline decoration-emerald-700">underlined words</ins>{' '}
            only in that config&apos;s.
          </p>
          {data.items.map((item) => (
            <ItemView key={item.item_id} item={item} configs={data.configs} />
          ))}
          <Pagination page={page} count={data.shared_items} pageSize={COMPARE_PAGE_SIZE} label="Pages of items" />
        </div>
      )}
    </Panel>
  );
}

function ItemView({ item, configs }: { item: CompareItem; configs: ConfigHead[] }) {
  const headingId = `compare-item-${item.item_id}`;
  return (
    <article aria-labelledby={headingId} className="rounded-md border border-zinc-200" data-testid="compare-item">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1 border-b border-zinc-200 bg-zinc-50 px-3 py-2">
        <h3 id={headingId} className="text-sm font-semibold">
          Item #{item.item_id}
        </h3>
        <span className="text-xs text-zinc-600">
          Spread of scores <span className="font-mono tabular-nums">{formatScore(item.disagreement)}</span>
        </span>
      </div>
      <div className="space-y-3 p-3">
        <details className="text-sm">
          <summary className="cursor-pointer text-zinc-700">Input and expected output</summary>
          <div className="mt-2 grid gap-3 lg:grid-cols-2">
            <div>
              <p className="mb-1 text-xs font-medium text-zinc-600">Input</p>
              <TextBlock text={valueText(item.input)} label={`Input of item #${item.item_id}`} />
            </div>
            <div>
              <p className="mb-1 text-xs font-medium text-zinc-600">Expected</p>
              <TextBlock text={valueText(item.expected)} label={`Expected output of item #${item.item_id}`} />
            </div>
          </div>
        </details>
        <div className={`grid gap-3 ${GRID_COLUMNS[item.runs.length] ?? ''}`}>
          {item.runs.map((run, index) => (
            <RunCard
              key={run.config_hash}
              run={run}
              index={index}
              itemId={item.item_id}
              config={configs.find((c) => c.config_hash === run.config_hash)}
            />
          ))}
        </div>
      </div>
    </article>
  );
}

function RunCard({
  run,
  index,
  itemId,
  config,
}: {
  run: CompareRun;
  index: number;
  itemId: number;
  config: ConfigHead | undefined;
}) {
  const letter = configLetter(index);
  const label = config ? rowLabel(config) : shortHash(run.config_hash);
  const scorers = Object.keys(run.scores);
  return (
    <section
      aria-label={`${letter}: ${label}, item #${itemId}`}
      className="min-w-0 rounded border border-zinc-200"
      data-testid="compare-run"
    >
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-100 px-2 py-1.5">
        <LetterBadge index={index} />
        <span className="min-w-0 grow truncate text-xs text-zinc-700" title={label}>
          {label}
        </span>
        <Link to={`/runs/${run.run_id}`} className="link text-xs whitespace-nowrap">
          Run #{run.run_id}
        </Link>
      </div>
      <div className="space-y-2 p-2">
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <RunStatusBadge status={run.status as RunStatus} />
          <span>
            <span className="text-xs text-zinc-500">Score </span>
            <span className="font-mono tabular-nums">{formatScore(run.score)}</span>
          </span>
          {index > 0 && (
            <span className="text-xs">
              <span className="text-zinc-500">vs A </span>
              <Delta value={run.score_delta} />
            </span>
          )}
        </div>
        {run.status === 'failed' && run.error && (
          <p className="text-xs break-words text-red-800">
            <span className="font-medium">Error: </span>
            {run.error}
          </p>
        )}
        <pre
          tabIndex={0}
          aria-label={`Output of ${letter}`}
          className="max-h-72 overflow-auto rounded border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs break-words whitespace-pre-wrap text-zinc-800"
        >
          {run.diff ? <DiffText ops={run.diff} /> : run.output || <span className="text-zinc-500">No output.</span>}
        </pre>
        {scorers.length > 0 && (
          <table className="w-full text-xs">
            <caption className="sr-only">Scores of {letter} on item #{itemId}</caption>
            <thead>
              <tr className="text-zinc-500">
                <th scope="col" className="py-0.5 text-left font-medium">
                  Scorer
                </th>
                <th scope="col" className="py-0.5 text-right font-medium">
                  Value
                </th>
                {index > 0 && (
                  <th scope="col" className="py-0.5 text-right font-medium">
                    Vs A
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {scorers.map((scorer) => (
                <tr key={scorer} data-testid="scorer-delta">
                  <th scope="row" className="py-0.5 text-left font-normal break-all">
                    {scorer}
                  </th>
                  <td className="py-0.5 text-right font-mono tabular-nums">{formatScore(run.scores[scorer])}</td>
                  {index > 0 && (
                    <td className="py-0.5 text-right">
                      <Delta value={run.scores_delta[scorer]} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

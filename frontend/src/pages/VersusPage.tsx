import { type FormEvent, useId, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useExperimentNames, useProjectSweeps, useVersus, type Versus, type VersusConfig } from '../api/compare';
import { ApiError } from '../api/errors';
import { type Sweep, useSweep } from '../api/sweeps';
import { usePageProject } from '../api/useSignedIn';
import { Delta, formatDelta } from '../components/compare/parts';
import { Panel } from '../components/sweep/Panel';
import { type Domain, ciDomain } from '../components/sweep/CiBar';
import { rowLabel } from '../components/sweep/configs';
import { EmptyState, ErrorState, Loading, QueryView } from '../components/States';
import { formatCount, formatDateTime, formatScore, shortHash } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

function formatP(p: number | null): string {
  if (p === null) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** This sweep against a baseline sweep (`?baseline=`): per config they share, the change and a verdict. */
export function VersusPage() {
  const sweepId = parseId(useParams().id);
  if (sweepId === null) return <NotFoundPage />;
  return <VersusView key={sweepId} sweepId={sweepId} />;
}

function VersusView({ sweepId }: { sweepId: number }) {
  const [search] = useSearchParams();
  const baseline = parseId(search.get('baseline'));
  const sweep = useSweep(sweepId);
  usePageProject(sweep.data?.project);
  useDocumentTitle('Against a baseline', `Sweep #${sweepId}`);

  if (sweep.isPending) return <Loading label="Loading the sweep" />;
  if (sweep.isError) {
    if (sweep.error instanceof ApiError && sweep.error.status === 404) return <NotFoundPage />;
    return <ErrorState title="Could not load the sweep" error={sweep.error} onRetry={() => void sweep.refetch()} />;
  }
  return (
    <div className="space-y-5">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link to={`/sweeps/${sweepId}`} className="link">
            Sweep #{sweepId}
          </Link>
          <span aria-hidden="true"> / </span>
        </nav>
        <h1 className="mt-1 text-xl font-semibold">Sweep #{sweepId} against a baseline</h1>
        <p className="mt-1 max-w-3xl text-sm text-zinc-600">
          Each config this sweep shares with the baseline (same prompt name, model and params), on the items both
          scored: the change in its mean score, with its 95% interval. A regression or an improvement is a change the
          interval and the Holm-adjusted p-value (below 0.05) are sure of.
        </p>
      </header>
      <BaselinePicker key={baseline ?? 0} sweep={sweep.data} baseline={baseline} />
      {baseline === null ? (
        <EmptyState title="Pick a baseline sweep">
          Choose the sweep to compare this one with, for instance the experiment&apos;s previous sweep.
        </EmptyState>
      ) : (
        <VersusResult sweepId={sweepId} baseline={baseline} />
      )}
    </div>
  );
}

function BaselinePicker({ sweep, baseline }: { sweep: Sweep; baseline: number | null }) {
  const [, setSearch] = useSearchParams();
  const sweeps = useProjectSweeps(sweep.project);
  const names = useExperimentNames(sweep.project);
  const id = useId();
  const others = (sweeps.data?.results ?? []).filter((s) => s.id !== sweep.id);
  const sameExperiment = others.filter((s) => s.experiment === sweep.experiment);
  const otherExperiments = others.filter((s) => s.experiment !== sweep.experiment);
  // The experiment's previous sweep is what a new one is usually judged against.
  const previous = sameExperiment.find((s) => s.created_at < sweep.created_at) ?? sameExperiment[0] ?? others[0];
  const [choice, setChoice] = useState<string>(baseline ? String(baseline) : '');
  const selected = choice || (previous ? String(previous.id) : '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (selected) setSearch({ baseline: selected });
  };
  const option = (s: Sweep, withExperiment: boolean) => (
    <option key={s.id} value={s.id}>
      {`Sweep #${s.id}`}
      {withExperiment ? ` · ${names.data?.get(s.experiment) ?? `experiment #${s.experiment}`}` : ''}
      {` · ${s.status} · ${formatDateTime(s.created_at)}`}
    </option>
  );

  return (
    <Panel id={`${id}-heading`} title="Baseline">
      {sweeps.isPending ? (
        <Loading label="Loading the project's sweeps" />
      ) : sweeps.isError ? (
        <ErrorState title="Could not load the project's sweeps" error={sweeps.error} onRetry={() => void sweeps.refetch()} />
      ) : others.length === 0 ? (
        <p className="text-sm text-zinc-600">This project has no other sweep to compare with yet.</p>
      ) : (
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
          <div className="min-w-0">
            <label htmlFor={`${id}-baseline`} className="block text-xs font-medium text-zinc-600">
              Baseline sweep
            </label>
            <select
              id={`${id}-baseline`}
              value={selected}
              onChange={(event) => setChoice(event.target.value)}
              className="mt-0.5 max-w-full rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm"
            >
              {sameExperiment.length > 0 && (
                <optgroup label="This experiment">{sameExperiment.map((s) => option(s, false))}</optgroup>
              )}
              {otherExperiments.length > 0 && (
                <optgroup label="Other experiments of the project">
                  {otherExperiments.map((s) => option(s, true))}
                </optgroup>
              )}
            </select>
          </div>
          <button type="submit" className="btn-primary">
            Compare
          </button>
          {baseline !== null && (
            <Link to={`/sweeps/${baseline}/versus?baseline=${sweep.id}`} className="link self-center text-sm">
              Swap: sweep #{baseline} against #{sweep.id}
            </Link>
          )}
        </form>
      )}
    </Panel>
  );
}

function VersusResult({ sweepId, baseline }: { sweepId: number; baseline: number }) {
  const versus = useVersus(baseline, sweepId);
  return (
    <QueryView
      query={versus}
      loading="Comparing the sweeps"
      error="Could not compare the sweeps"
      isEmpty={(data) => data.configs.length === 0}
      empty={
        <EmptyState title="No config in common">
          The sweeps share no config (the same prompt name, endpoint, model and params), so there is nothing to
          compare.
        </EmptyState>
      }
    >
      {(data) => <VersusTable data={data} />}
    </QueryView>
  );
}

const VERDICTS: Record<VersusConfig['verdict'], { icon: string; text: string; style: string }> = {
  regression: { icon: '▼', text: 'Regression', style: 'bg-red-50 text-red-800 ring-red-300' },
  improvement: { icon: '▲', text: 'Improvement', style: 'bg-emerald-50 text-emerald-800 ring-emerald-300' },
  same: { icon: '=', text: 'No clear change', style: 'bg-zinc-50 text-zinc-700 ring-zinc-300' },
};

function Verdict({ verdict }: { verdict: VersusConfig['verdict'] }) {
  const { icon, text, style } = VERDICTS[verdict];
  return (
    <span
      className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${style}`}
    >
      <span aria-hidden="true">{icon}</span>
      {text}
    </span>
  );
}

function position(value: number, domain: Domain): number {
  return Math.min(100, Math.max(0, ((value - domain.min) / (domain.max - domain.min)) * 100));
}

/** The change's interval on a scale shared by the rows, with no change (0) marked, and as text. */
function ChangeInterval({ delta, ci95, domain }: { delta: number | null; ci95: number[] | null; domain: Domain }) {
  const [low, high] = ci95 ?? [];
  if (typeof low !== 'number' || typeof high !== 'number') {
    return <span className="text-xs text-zinc-500">no interval</span>;
  }
  return (
    <div className="flex items-center gap-2">
      <div aria-hidden="true" className="relative h-3 w-28 shrink-0 rounded-sm bg-zinc-100">
        <div
          className="absolute top-1/2 h-1.5 -translate-y-1/2 rounded-sm bg-blue-300"
          style={{
            left: `${position(low, domain)}%`,
            width: `${Math.max(position(high, domain) - position(low, domain), 1)}%`,
          }}
        />
        <div className="absolute top-0 h-3 w-px bg-zinc-500" style={{ left: `${position(0, domain)}%` }} />
        {delta !== null && (
          <div
            className="absolute top-0 h-3 w-0.5 -translate-x-1/2 bg-blue-800"
            style={{ left: `${position(delta, domain)}%` }}
          />
        )}
      </div>
      <span className="font-mono text-xs whitespace-nowrap text-zinc-600 tabular-nums">
        <span className="sr-only">95% interval </span>
        {formatDelta(low)} to {formatDelta(high)}
      </span>
    </div>
  );
}

function VersusTable({ data }: { data: Versus }) {
  const domain = ciDomain([
    { score: 0, ci95: null },
    ...data.configs.map((row) => ({ score: row.delta, ci95: row.delta_ci95 })),
  ]);
  const only = [
    data.only_in_a.length > 0 && `${formatCount(data.only_in_a.length)} only in the baseline`,
    data.only_in_b.length > 0 && `${formatCount(data.only_in_b.length)} only in this sweep`,
  ].filter(Boolean);
  return (
    <Panel id="versus-heading" title="Per config">
      <div className="mb-3 space-y-1 text-sm">
        <p>
          Sweep #{data.b.id} <span className="text-zinc-600">({data.b.experiment})</span> against baseline #{data.a.id}{' '}
          <span className="text-zinc-600">({data.a.experiment})</span>
          {data.filters.scorer ? ` on ${data.filters.scorer}` : ' on the composite score'}, over{' '}
          {formatCount(data.shared_items)} shared items:
        </p>
        <p className="flex flex-wrap gap-2" data-testid="versus-counts">
          <span className={data.regressions > 0 ? 'font-semibold text-red-800' : ''}>
            <span aria-hidden="true">▼ </span>
            {formatCount(data.regressions)} {data.regressions === 1 ? 'regression' : 'regressions'}
          </span>
          <span aria-hidden="true">·</span>
          <span className={data.improvements > 0 ? 'font-semibold text-emerald-800' : ''}>
            <span aria-hidden="true">▲ </span>
            {formatCount(data.improvements)} {data.improvements === 1 ? 'improvement' : 'improvements'}
          </span>
          {only.length > 0 && (
            <>
              <span aria-hidden="true">·</span>
              <span className="text-zinc-600">Configs not compared: {only.join(', ')}</span>
            </>
          )}
        </p>
      </div>
      <div className="overflow-x-auto">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Verdict</th>
              <th scope="col">Config</th>
              <th scope="col" className="text-right">
                Baseline #{data.a.id}
              </th>
              <th scope="col" className="text-right">
                This sweep #{data.b.id}
              </th>
              <th scope="col" className="text-right">
                Change
              </th>
              <th scope="col">95% interval of the change</th>
              <th scope="col" className="text-right">
                p (Holm)
              </th>
              <th scope="col" className="text-right">
                Items
              </th>
            </tr>
          </thead>
          <tbody>
            {data.configs.map((row) => (
              <tr
                key={row.config_hash}
                data-testid="versus-row"
                className={row.verdict === 'regression' ? 'bg-red-50/60' : undefined}
              >
                <td>
                  <Verdict verdict={row.verdict} />
                </td>
                <td className="max-w-md">
                  <span className="break-words">{rowLabel(row)}</span>
                  <span className="ml-2 font-mono text-xs text-zinc-500" title={row.config_hash}>
                    {shortHash(row.config_hash)}
                  </span>
                </td>
                <td className="num font-mono">{formatScore(row.mean_a)}</td>
                <td className="num font-mono">{formatScore(row.mean_b)}</td>
                <td className="num">
                  {row.delta === null ? <span title="No item scored by both sweeps">—</span> : <Delta value={row.delta} />}
                </td>
                <td>
                  <ChangeInterval delta={row.delta} ci95={row.delta_ci95} domain={domain} />
                </td>
                <td className="num font-mono">{formatP(row.p_value)}</td>
                <td className="num">{formatCount(row.paired_items)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

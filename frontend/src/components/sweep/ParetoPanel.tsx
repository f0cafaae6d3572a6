import { Suspense, useId } from 'react';
import type { ParetoPoint } from '../../api/sweeps';
import { usePareto } from '../../api/sweeps';
import { formatCost, formatMs, formatScore } from '../../lib/format';
import { LazyParetoChart, type ParetoMetric } from '../charts';
import { EmptyState, Loading, QueryView } from '../States';
import { Panel } from './Panel';

const TITLES: Record<ParetoMetric, string> = {
  cost: 'Score vs cost per run',
  latency: 'Score vs latency p50',
};

const EMPTY: Record<ParetoMetric, string> = {
  cost: 'No config has both a score and a price: give the models a price in the spec for a cost front.',
  latency: 'No config has a score yet.',
};

/** The front's configs as text: what the chart shows, for every reader. */
function FrontList({ points, metric }: { points: ParetoPoint[]; metric: ParetoMetric }) {
  const front = points.filter((p) => p.on_front);
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-zinc-600">
        {front.length} on the front, {points.length - front.length} dominated
      </summary>
      <ul className="mt-1 space-y-0.5">
        {front.map((point) => (
          <li key={point.config_hash} className="flex gap-2">
            <span className="font-mono tabular-nums">{formatScore(point.score)}</span>
            <span className="tabular-nums text-zinc-600">
              {metric === 'cost' ? formatCost(point.cost_per_run) : formatMs(point.latency_ms_p50)}
            </span>
            <span className="truncate">{point.label}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function Front({ metric, points }: { metric: ParetoMetric; points: ParetoPoint[] }) {
  const id = useId();
  return (
    <figure aria-labelledby={id}>
      <figcaption id={id} className="text-sm font-medium text-zinc-700">
        {TITLES[metric]}
      </figcaption>
      {points.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-500">{EMPTY[metric]}</p>
      ) : (
        <>
          <Suspense fallback={<Loading label="Loading the chart" />}>
            <LazyParetoChart points={points} metric={metric} />
          </Suspense>
          <FrontList points={points} metric={metric} />
        </>
      )}
    </figure>
  );
}

/** Score against cost and against latency, each with its Pareto front. */
export function ParetoPanel({ sweepId }: { sweepId: number }) {
  const pareto = usePareto(sweepId);
  const id = useId();
  return (
    <Panel id={id} title="Pareto fronts">
      <QueryView
        query={pareto}
        loading="Loading the Pareto fronts"
        error="Could not load the Pareto fronts"
        framed={false}
        isEmpty={(data) => data.cost.length === 0 && data.latency.length === 0}
        empty={<EmptyState title="No scored configs yet">The fronts appear as runs are scored.</EmptyState>}
      >
        {(data) => (
          <div className="grid gap-4 lg:grid-cols-2">
            <Front metric="cost" points={data.cost} />
            <Front metric="latency" points={data.latency} />
          </div>
        )}
      </QueryView>
    </Panel>
  );
}

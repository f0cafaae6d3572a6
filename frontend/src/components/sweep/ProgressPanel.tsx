import { isFinal, type Sweep } from '../../live/events';
import type { LiveState } from '../../live/reducer';
import {
  formatCost,
  formatCount,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatProgress,
  MISSING,
} from '../../lib/format';
import { useNow } from '../../lib/hooks';
import { EndpointLimitsTable } from './EndpointLimits';

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="tabular-nums">
        {value}
        {hint && <span className="ml-1 text-xs text-zinc-500">{hint}</span>}
      </dd>
    </div>
  );
}

/** Runs done of planned, the pace and what is left, cost, the cache's savings. */
export function ProgressPanel({ state, sweep }: { state: LiveState; sweep: Sweep | undefined }) {
  // Each second: the ETA's clock time and the endpoints' next retries count down.
  const now = useNow(1_000);
  const counters = state.counters;
  const final = isFinal(state.status);
  const running = state.status === 'running';
  const done = counters?.done ?? 0;
  // Until the runner has planned the runs, the sweep says 0 (REST) or null (events).
  const planned = counters?.planned || (final ? (counters?.planned ?? null) : null);
  const ratio = planned ? Math.min(1, done / planned) : null;
  const pace = running ? state.pace : null;
  const eta = pace?.etaS ?? null;
  const finishAt = eta !== null ? new Date(now.getTime() + eta * 1000).toISOString() : null;
  const calls = counters?.calls ?? null;

  return (
    <div className="space-y-3">
      <div>
        <div className="flex items-baseline justify-between text-sm">
          <span className="font-medium tabular-nums">
            {planned === null ? `${formatCount(done)} runs done (planning…)` : `${formatProgress(done, planned)} runs`}
          </span>
          <span className="text-zinc-500 tabular-nums">{ratio === null ? MISSING : formatPercent(ratio)}</span>
        </div>
        <div
          role="progressbar"
          aria-label="Runs done"
          aria-valuemin={0}
          aria-valuemax={planned ?? undefined}
          aria-valuenow={done}
          aria-valuetext={planned === null ? `${done} runs done` : `${done} of ${planned} runs done`}
          className="mt-1 h-2.5 overflow-hidden rounded-full bg-zinc-200"
        >
          <div
            className={`h-full rounded-full ${state.status === 'failed' ? 'bg-red-500' : final ? 'bg-emerald-500' : 'bg-blue-600'} transition-[width]`}
            style={{ width: `${(ratio ?? 0) * 100}%` }}
          />
        </div>
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4 xl:grid-cols-8">
        <Stat
          label={final ? 'Took' : 'ETA'}
          value={final ? formatDuration(sweep?.duration_s) : eta === null ? MISSING : formatDuration(eta)}
          hint={!final && finishAt ? `at ${formatDateTime(finishAt).slice(11)}` : undefined}
        />
        <Stat
          label="Calls / s"
          value={pace?.callsPerS == null ? MISSING : `${pace.callsPerS.toFixed(1)} /s`}
        />
        <Stat
          label="Cost so far"
          value={formatCost(counters?.cost)}
          hint={sweep?.estimated_cost != null ? `of ~${formatCost(sweep.estimated_cost)} est.` : undefined}
        />
        <Stat
          label="Cache hits"
          value={formatCount(counters?.cacheHits)}
          hint={done ? formatPercent((counters?.cacheHits ?? 0) / done, 0) : undefined}
        />
        <Stat label="Calls saved" value={formatCount(state.pace?.callsSaved)} />
        <Stat label="Calls made" value={formatCount(calls)} />
        <Stat
          label="Errors"
          value={formatCount(counters?.errors)}
          hint={done && counters?.errors ? formatPercent(counters.errors / done) : undefined}
        />
        <Stat label="Concurrency" value={formatCount(state.concurrency)} />
      </dl>
      {pace && Object.keys(pace.endpoints).length > 0 && (
        <EndpointLimitsTable endpoints={pace.endpoints} at={pace.at} now={now} />
      )}
    </div>
  );
}

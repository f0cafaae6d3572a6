import type { ValidationResult } from '../../api/builder';
import { formatCost, formatCount } from '../../lib/format';
import { Spinner } from '../States';

function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

function cost(value: number | null, unpriced: string[]): string {
  if (value !== null) return formatCost(value);
  return unpriced.length ? 'n/a (no prices)' : formatCost(0);
}

/** What a sweep of the spec would be, from the validator's answer: before anything is stored. */
export function SummaryPanel({
  result,
  checking,
  strategy,
}: {
  result: ValidationResult | undefined;
  checking: boolean;
  strategy: string;
}) {
  return (
    <section aria-labelledby="summary-heading" className="panel">
      <div className="flex items-center justify-between border-b border-zinc-200 bg-zinc-50 px-3 py-1.5">
        <h2 id="summary-heading" className="text-sm font-semibold">
          Before starting
        </h2>
        <span role="status" className="flex items-center gap-1.5 text-xs text-zinc-500">
          {checking ? (
            <>
              <Spinner /> Checking…
            </>
          ) : result ? (
            result.valid ? (
              <span className="text-emerald-700">Valid</span>
            ) : (
              <span className="text-red-700">
                {plural(result.errors.length, 'error')}
              </span>
            )
          ) : null}
        </span>
      </div>
      {!result ? (
        <p className="px-3 py-4 text-sm text-zinc-500">The plan shows here once the spec is checked.</p>
      ) : !result.valid ? (
        <p className="px-3 py-4 text-sm text-zinc-500">Fix the errors to see the runs, calls and cost.</p>
      ) : (
        <div className="space-y-3 px-3 py-3 text-sm">
          <dl className="grid grid-cols-2 gap-x-3 gap-y-2">
            <div>
              <dt className="text-xs text-zinc-500">Configs</dt>
              <dd className="tabular-nums">{plural(result.configs, 'config')}</dd>
            </div>
            <div>
              <dt className="text-xs text-zinc-500">Items × samples</dt>
              <dd className="tabular-nums">
                {plural(result.items, 'item')} × {formatCount(result.samples)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-zinc-500">Runs</dt>
              <dd className="tabular-nums">{plural(result.runs, 'run')}</dd>
            </div>
            <div>
              <dt className="text-xs text-zinc-500">Unique calls</dt>
              <dd className="tabular-nums" title={`${formatCount(result.naive_calls)} without shared stages`}>
                {plural(result.unique_calls, 'call')}
              </dd>
            </div>
            <div className="col-span-2">
              <dt className="text-xs text-zinc-500">Estimated cost</dt>
              <dd className="tabular-nums">
                {cost(result.estimated_cost, result.unpriced_models)}
                {strategy !== 'grid' && (
                  <span className="block text-xs text-zinc-500">
                    the full grid: {plural(result.grid_runs, 'run')}, {cost(result.grid_estimated_cost, result.unpriced_models)}
                  </span>
                )}
              </dd>
            </div>
          </dl>
          {result.unpriced_models.length > 0 && (
            <p className="text-xs text-zinc-500">No prices for {result.unpriced_models.join(', ')}.</p>
          )}
          {result.stages.length > 1 && (
            <div>
              <h3 className="text-xs text-zinc-500">Stages</h3>
              <ul className="tabular-nums">
                {result.stages.map((stage) => (
                  <li key={stage.name}>
                    {stage.name}: {plural(stage.choices, 'choice')}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {result.concurrency.length > 0 && (
            <div>
              <h3 className="text-xs text-zinc-500">Calls in flight per endpoint</h3>
              <ul>
                {result.concurrency.map((cap) => (
                  <li key={cap.endpoint}>
                    <span className="font-medium">{cap.endpoint}</span>: at most {formatCount(cap.effective)}{' '}
                    <span className="text-xs text-zinc-500">
                      (limited by the {cap.limited_by === 'sweep concurrency' ? `sweep's concurrency ${cap.sweep_concurrency}` : `endpoint's max_concurrency ${cap.max_concurrency}`})
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {result.warnings.length > 0 && (
            <ul className="text-xs text-amber-800">
              {result.warnings.map((w, i) => (
                <li key={i}>{String((w as { message?: unknown }).message ?? JSON.stringify(w))}</li>
              ))}
            </ul>
          )}
          {result.summary && <p className="font-mono text-xs text-zinc-500">{result.summary}</p>}
        </div>
      )}
    </section>
  );
}

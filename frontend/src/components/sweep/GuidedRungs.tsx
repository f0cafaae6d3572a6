import { useId } from 'react';
import type { RungConfig } from '../../live/events';
import type { RungEntry } from '../../live/reducer';
import { formatCost, formatCount, formatMs, formatScore } from '../../lib/format';
import { Timestamp } from '../Timestamp';
import { EmptyState } from '../States';
import { Panel } from './Panel';

/** An objective's mean as people read it: `-cost` and `-latency` are negated so higher is better. */
export function objectiveText(name: string, value: number): string {
  if (name === '-cost') return formatCost(-value);
  if (name === '-latency') return formatMs(-value);
  return formatScore(value);
}

function objectiveName(name: string): string {
  if (name === '-cost') return 'cost';
  if (name === '-latency') return 'latency';
  return name;
}

function ConfigRows({ configs, title }: { configs: RungConfig[]; title: string }) {
  const objectives = [...new Set(configs.flatMap((c) => Object.keys(c.values)))];
  const counted = configs.some((c) => c.items !== null);
  if (configs.length === 0) {
    return (
      <p className="text-sm text-zinc-500">
        {title}: none
      </p>
    );
  }
  return (
    <table className="data-table">
      <caption className="pb-1 text-left text-sm font-medium">
        {title} ({configs.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">Config</th>
          {counted && (
            <th scope="col" className="text-right" title="The items the config has seen (promoted: will have seen)">
              Items
            </th>
          )}
          {objectives.map((name) => (
            <th key={name} scope="col" className="text-right">
              {objectiveName(name)}
            </th>
          ))}
          <th scope="col" className="text-right" title="What the decision ranked by: the score's posterior mean (the config's runs with what the model of the axes predicts), or for halving the score pooled with configs sharing its axis values">
            Ranked by
          </th>
        </tr>
      </thead>
      <tbody>
        {configs.map((config) => (
          <tr key={config.id}>
            <td className="max-w-sm break-words">{config.label}</td>
            {counted && <td className="text-right font-mono tabular-nums">{config.items === null ? '—' : formatCount(config.items)}</td>}
            {objectives.map((name) => (
              <td key={name} className="text-right font-mono tabular-nums">
                {config.values[name] === undefined ? '—' : objectiveText(name, config.values[name])}
              </td>
            ))}
            <td className="text-right font-mono text-xs text-zinc-600 tabular-nums">
              {Object.entries(config.rankedBy)
                .map(([name, value]) => `${objectiveName(name)} ${objectiveText(name, value)}`)
                .join(', ') || '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A guided sweep's decisions: per step (or halving rung), the configs promoted to more items; at a bracket's end, those shown every item and those dropped. */
export function GuidedRungs({ rungs }: { rungs: readonly RungEntry[] }) {
  const id = useId();
  const ordered = [...rungs].sort((a, b) => a.bracket - b.bracket || a.rung - b.rung);
  const latest = ordered[ordered.length - 1];
  return (
    <Panel id={id} title="Guided rungs">
      {ordered.length === 0 ? (
        <EmptyState title="No rung decided yet">
          Each step of the search lists the configs it gave more items; a bracket's end lists those shown every item and those dropped.
        </EmptyState>
      ) : (
        <div className="space-y-2">
          {latest && (
            <p className="text-sm text-zinc-600">
              Spent {formatCount(latest.spent)} of {formatCount(latest.budget)} runs
              {latest.best && (
                <>
                  {' '}
                  · best on every item so far: <span className="font-medium text-zinc-900">{latest.best.label}</span>{' '}
                  <span className="font-mono">{formatScore(latest.best.values.score ?? null)}</span>
                </>
              )}
            </p>
          )}
          {ordered.map((rung) => (
            <details key={`${rung.bracket}-${rung.rung}`} open={rung === latest} className="rounded-md border border-zinc-200">
              <summary className="cursor-pointer px-3 py-2 text-sm">
                <span className="font-medium">
                  Bracket {rung.bracket + 1}, rung {rung.rung + 1}
                  {rung.last && ' (last)'}
                </span>
                <span className="ml-2 text-zinc-600">
                  {rung.last
                    ? `${rung.promoted.length} shown every item (${formatCount(rung.items)}), ${rung.dropped.length} dropped`
                    : `${rung.promoted.length} promoted to more items (up to ${formatCount(rung.items)}), ${rung.dropped.length} dropped`}
                </span>
                <span className="ml-2 text-xs text-zinc-500">
                  <Timestamp iso={rung.at} inline />
                </span>
              </summary>
              <div className="grid gap-3 px-3 pb-3 xl:grid-cols-2">
                <ConfigRows configs={rung.promoted} title={rung.last ? 'Evaluated on every item' : 'Promoted'} />
                <ConfigRows configs={rung.dropped} title="Dropped" />
              </div>
            </details>
          ))}
        </div>
      )}
    </Panel>
  );
}

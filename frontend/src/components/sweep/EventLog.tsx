import { useId, useState } from 'react';
import type { LogEntry } from '../../live/reducer';
import { formatCount, formatDateTime, formatRelativeTime, formatScore } from '../../lib/format';
import { useNow } from '../../lib/hooks';

const ACTIONS: Record<string, string> = {
  pause: 'paused the sweep',
  resume: 'resumed the sweep',
  cancel: 'cancelled the sweep',
};

function who(by: string | null): string {
  return by ?? 'The command line or the system';
}

function best(entry: { best: { label: string; score: number | null } | null; configs: number | null }): string {
  if (!entry.best) return '';
  const of = entry.configs === null ? '' : ` of ${formatCount(entry.configs)} configs`;
  return `best: ${entry.best.label} (${formatScore(entry.best.score)})${of}`;
}

export function logText(entry: LogEntry): string {
  switch (entry.kind) {
    case 'created':
      return (
        `Sweep created ${entry.by ? `by ${entry.by}` : 'from the command line'}` +
        ` (${entry.strategy ?? 'grid'}${entry.concurrency === null ? '' : `, concurrency ${entry.concurrency}`})`
      );
    case 'status':
      return `Status: ${entry.status ?? 'unknown'}${entry.error ? ` (${entry.error})` : ''}`;
    case 'steering':
      return entry.action === 'concurrency'
        ? `${who(entry.by)} set the concurrency to ${formatCount(entry.concurrency)}`
        : `${who(entry.by)} ${ACTIONS[entry.action] ?? `sent ${entry.action}`}`;
    case 'rung':
      return (
        `Bracket ${entry.bracket + 1}, rung ${entry.rung + 1}${entry.last ? ' (last)' : ''}: ` +
        (entry.last
          ? `${entry.promoted} shown every item (${formatCount(entry.items)}), ${entry.dropped} dropped`
          : `${entry.promoted} promoted to more items (up to ${formatCount(entry.items)}), ${entry.dropped} dropped`)
      );
    case 'activity': {
      const runs =
        entry.runs > 0
          ? `${formatCount(entry.runs)} runs finished (${formatCount(entry.failed)} failed, ${formatCount(entry.cacheHits)} from the cache)`
          : 'Leaderboard updated';
      const leader = best(entry);
      return leader ? `${runs}; ${leader}` : runs;
    }
    case 'final':
      return `Final leaderboard${entry.best ? `, ${best(entry)}` : ''}`;
  }
}

const KIND_STYLE: Record<LogEntry['kind'], string> = {
  created: 'bg-zinc-400',
  status: 'bg-blue-500',
  steering: 'bg-amber-500',
  rung: 'bg-violet-500',
  activity: 'bg-zinc-300',
  final: 'bg-emerald-500',
};

/** The sweep's events, newest first: decisions, status, steering, runs in between. */
export function EventLog({ log }: { log: readonly LogEntry[] }) {
  const [steeringOnly, setSteeringOnly] = useState(false);
  const now = useNow(15_000);
  const id = useId();
  const shown = (steeringOnly ? log.filter((e) => e.kind === 'steering') : log).slice().reverse();
  return (
    <section aria-labelledby={id} className="panel">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-200 bg-zinc-50 px-3 py-2">
        <h2 id={id} className="text-sm font-semibold tracking-wide text-zinc-700 uppercase">
          Events and steering
        </h2>
        <div role="group" aria-label="Which events" className="flex gap-1 text-sm">
          <button type="button" className="btn-secondary" aria-pressed={!steeringOnly} onClick={() => setSteeringOnly(false)}>
            All
          </button>
          <button type="button" className="btn-secondary" aria-pressed={steeringOnly} onClick={() => setSteeringOnly(true)}>
            Steering only
          </button>
        </div>
      </div>
      {shown.length === 0 ? (
        <p className="px-3 py-6 text-center text-sm text-zinc-500">
          {steeringOnly ? 'Nobody has steered this sweep.' : 'No events yet.'}
        </p>
      ) : (
        <ol tabIndex={0} aria-labelledby={id} className="max-h-80 divide-y divide-zinc-100 overflow-y-auto text-sm">
          {shown.map((entry) => (
            <li key={entry.key} className="flex gap-3 px-3 py-1.5">
              <span aria-hidden="true" className={`mt-1.5 size-2 shrink-0 rounded-full ${KIND_STYLE[entry.kind]}`} />
              <time dateTime={entry.at} className="w-36 shrink-0 text-xs text-zinc-500 tabular-nums" title={formatDateTime(entry.at)}>
                {formatRelativeTime(entry.at, now)}
                <span className="block">{formatDateTime(entry.at).slice(11)}</span>
              </time>
              <span className="min-w-0 break-words">{logText(entry)}</span>
              <span className="ml-auto shrink-0 font-mono text-xs text-zinc-400">
                #{entry.firstSeq === entry.seq ? entry.seq : `${entry.firstSeq}–${entry.seq}`}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

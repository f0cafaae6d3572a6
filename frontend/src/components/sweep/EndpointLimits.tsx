import type { EndpointLimits } from '../../live/events';
import { formatCount, formatDateTime, formatDuration } from '../../lib/format';

const CIRCUIT: Record<string, string> = {
  closed: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  probing: 'bg-amber-50 text-amber-800 ring-amber-300',
  open: 'bg-red-50 text-red-800 ring-red-300',
  broken: 'bg-red-100 text-red-900 ring-red-400',
};

function waitingText(waiting: EndpointLimits['waiting']): string {
  const total = waiting.concurrency + waiting.rpm + waiting.tpm;
  if (total === 0) return '0';
  const parts = (['concurrency', 'rpm', 'tpm'] as const)
    .filter((reason) => waiting[reason] > 0)
    .map((reason) => `${formatCount(waiting[reason])} on ${reason === 'concurrency' ? 'max concurrency' : reason}`);
  return `${formatCount(total)} (${parts.join(', ')})`;
}

/** When the first request in backoff retries: counted down from the event's time. */
export function NextRetry({ at, seconds, now }: { at: string; seconds: number | null; now: Date }) {
  if (seconds === null) return <span className="text-zinc-400">none</span>;
  const due = new Date(new Date(at).getTime() + seconds * 1000);
  const left = (due.getTime() - now.getTime()) / 1000;
  const exact = formatDateTime(due.toISOString());
  return (
    <time dateTime={due.toISOString()} title={exact}>
      {left > 0.5 ? `in ${formatDuration(left)}` : 'due now'}
      <span className="ml-1 text-xs text-zinc-500">{exact.slice(11, 19)}</span>
    </time>
  );
}

/** Per endpoint: requests in flight, held back by a limit, sleeping before a retry. */
export function EndpointLimitsTable({
  endpoints,
  at,
  now,
}: {
  endpoints: Record<string, EndpointLimits>;
  at: string;
  now: Date;
}) {
  return (
    <div className="overflow-x-auto rounded-md border border-zinc-200">
      <table className="data-table" aria-label="Endpoint rate limits">
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col" className="text-right">
              In flight
            </th>
            <th scope="col">Waiting</th>
            <th scope="col" className="text-right">
              In backoff
            </th>
            <th scope="col">Next retry</th>
            <th scope="col">Circuit</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(endpoints).map(([name, limits]) => (
            <tr key={name}>
              <th scope="row" className="bg-transparent text-sm font-medium tracking-normal text-zinc-800 normal-case">
                {name}
              </th>
              <td className="text-right tabular-nums">{formatCount(limits.inFlight)}</td>
              <td className="tabular-nums">{waitingText(limits.waiting)}</td>
              <td className="text-right tabular-nums">{formatCount(limits.backoff)}</td>
              <td>
                <NextRetry at={at} seconds={limits.nextRetryS} now={now} />
              </td>
              <td>
                {limits.circuit ? (
                  <span
                    className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${CIRCUIT[limits.circuit] ?? 'bg-zinc-100 text-zinc-700 ring-zinc-300'}`}
                  >
                    {limits.circuit}
                  </span>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

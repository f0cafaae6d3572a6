import { formatScore } from '../../lib/format';

export interface Domain {
  min: number;
  max: number;
}

/** The span every bar of a table shares, so bars compare across rows. */
export function ciDomain(items: readonly { score: number | null; ci95: number[] | null }[]): Domain {
  const values = items.flatMap((item) => [item.score, ...(item.ci95 ?? [])]).filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v),
  );
  if (values.length === 0) return { min: 0, max: 1 };
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (max - min < 1e-9) return { min: min - 0.05, max: max + 0.05 };
  return { min, max };
}

function position(value: number, domain: Domain): number {
  return Math.min(100, Math.max(0, ((value - domain.min) / (domain.max - domain.min)) * 100));
}

/** A score with its 95% interval, as a bar on the table's shared scale and as text. */
export function CiBar({
  score,
  ci95,
  domain,
}: {
  score: number | null;
  ci95: number[] | null;
  domain: Domain;
}) {
  const [low, high] = ci95 ?? [];
  const hasInterval = typeof low === 'number' && typeof high === 'number';
  return (
    <div className="flex items-center gap-2">
      <div aria-hidden="true" className="relative h-3 w-28 shrink-0 rounded-sm bg-zinc-100">
        {hasInterval && (
          <div
            data-testid="ci-bar"
            className="absolute top-1/2 h-1.5 -translate-y-1/2 rounded-sm bg-blue-300"
            style={{
              left: `${position(low, domain)}%`,
              width: `${Math.max(position(high, domain) - position(low, domain), 1)}%`,
            }}
          />
        )}
        {score !== null && (
          <div
            className="absolute top-0 h-3 w-0.5 -translate-x-1/2 bg-blue-800"
            style={{ left: `${position(score, domain)}%` }}
          />
        )}
      </div>
      <span className="font-mono text-xs whitespace-nowrap text-zinc-600 tabular-nums">
        {hasInterval ? (
          <>
            <span className="sr-only">95% interval </span>
            {formatScore(low)}–{formatScore(high)}
          </>
        ) : (
          <span title="Too few scored runs for an interval">no interval</span>
        )}
      </span>
    </div>
  );
}

/**
 * Numbers and times as the dashboard shows them, with their units. Every
 * formatter takes null (not measured, not yet known) and shows a dash.
 */

export const MISSING = '—';

const LOCALE = 'en-US';
const grouped = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

function missing(value: number | null | undefined): value is null | undefined {
  return value === null || value === undefined || Number.isNaN(value);
}

/** A count with thousands separators: 12,480. */
export function formatCount(value: number | null | undefined): string {
  return missing(value) ? MISSING : grouped.format(value);
}

/** A score (0 to 1 for the built-in scorers) to three decimals: 0.913. */
export function formatScore(value: number | null | undefined): string {
  return missing(value) ? MISSING : value.toFixed(3);
}

/** A ratio as a percentage: 0.125 -> "12.5%". */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  return missing(ratio) ? MISSING : `${(ratio * 100).toFixed(digits)}%`;
}

/**
 * US dollars. Sweeps cost fractions of a cent per run, so amounts under a
 * cent keep two significant digits ($0.00012) instead of rounding to $0.00.
 */
export function formatCost(usd: number | null | undefined): string {
  if (missing(usd)) return MISSING;
  const size = Math.abs(usd);
  if (size > 0 && size < 0.01) {
    return `${usd < 0 ? '-' : ''}$${Number(size.toPrecision(2)).toString()}`;
  }
  return new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'USD' }).format(usd);
}

/** A latency: 85 ms, 1.24 s, 2 min 5 s. */
export function formatMs(ms: number | null | undefined): string {
  if (missing(ms)) return MISSING;
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return formatDuration(ms / 1000);
}

/** A duration in seconds: 42 s, 3 min 12 s, 1 h 5 min. */
export function formatDuration(seconds: number | null | undefined): string {
  if (missing(seconds)) return MISSING;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (hours === 0) {
    const rest = total % 60;
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

/** Runs done of planned: "480 / 720". */
export function formatProgress(done: number, planned: number): string {
  return `${formatCount(done)} / ${formatCount(planned)}`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];
const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'auto', style: 'short' });

/** How long ago (or until) a moment: "5 min. ago", "yesterday", "in 2 hr.". */
export function formatRelativeTime(
  iso: string | null | undefined,
  now: Date = new Date(),
): string {
  if (!iso) return MISSING;
  const seconds = (new Date(iso).getTime() - now.getTime()) / 1000;
  if (Number.isNaN(seconds)) return MISSING;
  if (Math.abs(seconds) < 45) return 'just now';
  const [unit, size] = UNITS.find(([, length]) => Math.abs(seconds) >= length) ?? ['minute', 60];
  // 50 s ago reads "1 min. ago", not "this minute".
  return relative.format(Math.trunc(seconds / size) || Math.sign(seconds), unit);
}

/** An exact moment, to the second, with its time zone: "2026-12-01 18:02:11 UTC". */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return MISSING;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return MISSING;
  const parts = new Intl.DateTimeFormat(LOCALE, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return (
    `${part('year')}-${part('month')}-${part('day')} ` +
    `${part('hour')}:${part('minute')}:${part('second')} ${part('timeZoneName')}`
  );
}

/** A config hash as people compare them: its first 8 characters. */
export function shortHash(hash: string): string {
  return hash.slice(0, 8);
}

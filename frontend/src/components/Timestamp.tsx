import { formatDateTime, formatRelativeTime, MISSING } from '../lib/format';
import { useNow } from '../lib/hooks';

/** A moment as "3 hr. ago", with the exact time beneath (or in its tooltip, inline). */
export function Timestamp({
  iso,
  inline = false,
}: {
  iso: string | null | undefined;
  inline?: boolean;
}) {
  const now = useNow();
  if (!iso) return <span className="text-zinc-400">{MISSING}</span>;
  const exact = formatDateTime(iso);
  if (inline) {
    return (
      <time dateTime={iso} title={exact}>
        {formatRelativeTime(iso, now)}
      </time>
    );
  }
  return (
    <time dateTime={iso} className="flex flex-col leading-tight whitespace-nowrap">
      <span>{formatRelativeTime(iso, now)}</span>
      <span className="text-xs text-zinc-500 tabular-nums">{exact}</span>
    </time>
  );
}

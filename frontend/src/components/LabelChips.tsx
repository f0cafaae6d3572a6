import type { CurrentLabel } from '../api/experiments';
import { formatDateTime, shortHash } from '../lib/format';

/** The labels' current configs (production, staging, ...). */
export function LabelChips({ labels }: { labels: CurrentLabel[] }) {
  if (labels.length === 0) return <span className="text-zinc-400">none</span>;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Promoted labels">
      {labels.map((label) => {
        const who = label.promoted_by ?? 'the command line';
        const detail = `config ${shortHash(label.config_hash)} from sweep #${label.sweep}, promoted by ${who} at ${formatDateTime(label.promoted_at)}`;
        return (
          <li
            key={label.label}
            title={detail}
            className="inline-flex items-center gap-1 rounded bg-violet-50 px-1.5 py-0.5 text-xs text-violet-800 ring-1 ring-violet-200 ring-inset"
          >
            <span className="font-medium">{label.label}</span>
            <span className="font-mono text-violet-600">{shortHash(label.config_hash)}</span>
          </li>
        );
      })}
    </ul>
  );
}

import type { RunStatus } from '../../lib/runFilters';

const STYLES: Record<RunStatus, string> = {
  pending: 'bg-zinc-100 text-zinc-700 ring-zinc-300',
  running: 'bg-blue-50 text-blue-800 ring-blue-300',
  done: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  failed: 'bg-red-50 text-red-800 ring-red-300',
  cancelled: 'bg-zinc-100 text-zinc-500 ring-zinc-300',
};

/** A run's status: the word always, the colour only as a cue. */
export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`inline-flex rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status]}`}>
      {status}
    </span>
  );
}

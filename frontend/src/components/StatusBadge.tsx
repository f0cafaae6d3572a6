import type { SweepStatus } from '../api/experiments';

const STYLES: Record<SweepStatus, string> = {
  queued: 'bg-zinc-100 text-zinc-700 ring-zinc-300',
  running: 'bg-blue-50 text-blue-800 ring-blue-300',
  paused: 'bg-amber-50 text-amber-800 ring-amber-300',
  completed: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  failed: 'bg-red-50 text-red-800 ring-red-300',
  cancelled: 'bg-zinc-100 text-zinc-500 ring-zinc-300',
};

const DOTS: Record<SweepStatus, string> = {
  queued: 'bg-zinc-400',
  running: 'bg-blue-500 animate-pulse',
  paused: 'bg-amber-500',
  completed: 'bg-emerald-500',
  failed: 'bg-red-500',
  cancelled: 'bg-zinc-400',
};

/** A sweep's status: the word always, the colour only as a cue. */
export function StatusBadge({ status }: { status: SweepStatus }) {
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status]}`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${DOTS[status]}`} />
      {status}
    </span>
  );
}

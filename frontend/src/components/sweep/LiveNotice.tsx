import { errorMessage } from '../../api/errors';
import type { LiveView } from '../../live/useSweepLive';

/** How the page gets its updates, said discreetly (loudly only when they stopped). */
export function LiveNotice({ view }: { view: LiveView }) {
  const { mode, pollError } = view;
  if (mode === 'failed') {
    return (
      <p role="alert" className="text-sm text-red-700">
        Live updates stopped: {errorMessage(pollError)}
      </p>
    );
  }
  let text: string | null = null;
  let dot = 'bg-zinc-400';
  let title: string | undefined;
  if (mode === 'connecting') text = 'Connecting…';
  if (mode === 'socket') {
    text = 'Live';
    dot = 'bg-emerald-500';
  }
  if (mode === 'polling') {
    text = pollError ? 'Cannot reach the server; retrying…' : 'Live updates by polling';
    dot = pollError ? 'bg-red-500' : 'bg-amber-500';
    title = 'The live connection (WebSocket) is unavailable here: the page asks the server for new events instead, and tries the connection again now and then.';
  }
  if (text === null) return null;
  return (
    <p role="status" className="flex items-center gap-1.5 text-xs text-zinc-500" title={title}>
      <span aria-hidden="true" className={`size-1.5 rounded-full ${dot}`} />
      {text}
    </p>
  );
}

import { type FormEvent, useId, useState } from 'react';
import { errorMessage } from '../../api/errors';
import { type SteerAction, useSteerSweep } from '../../api/sweeps';
import { isFinal, type SweepStatus } from '../../live/events';

/**
 * Pause, resume, cancel and the in-flight cap, for editors and owners (the
 * page shows none of this to viewers). The outcome arrives as a `steering`
 * event, for every viewer of the sweep.
 */
export function SteeringControls({
  sweepId,
  status,
  concurrency,
}: {
  sweepId: number;
  status: SweepStatus | null;
  concurrency: number | null;
}) {
  const steer = useSteerSweep(sweepId);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [draft, setDraft] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const ids = useId();

  if (status === null || isFinal(status)) return null;

  const send = (action: SteerAction) => {
    setInvalid(null);
    steer.mutate(action, {
      onSuccess() {
        if (action.action === 'concurrency') setDraft(null);
        if (action.action === 'cancel') setConfirmCancel(false);
      },
    });
  };
  const value = draft ?? (concurrency === null ? '' : String(concurrency));
  const applyConcurrency = (event: FormEvent) => {
    event.preventDefault();
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1 || n > 1024) {
      setInvalid('A whole number from 1 to 1024.');
      return;
    }
    send({ action: 'concurrency', value: n });
  };
  const busy = steer.isPending;

  return (
    <div role="group" aria-label="Steer the sweep" className="flex flex-wrap items-start gap-2">
      {(status === 'running' || status === 'queued') && (
        <button type="button" className="btn-secondary" disabled={busy} onClick={() => send({ action: 'pause' })}>
          Pause
        </button>
      )}
      {status === 'paused' && (
        <button type="button" className="btn-secondary" disabled={busy} onClick={() => send({ action: 'resume' })}>
          Resume
        </button>
      )}
      {confirmCancel ? (
        <span className="flex items-center gap-2 rounded-md border border-red-200 bg-red-50 px-2 py-1 text-sm text-red-800">
          Cancel the runs not yet done?
          <button
            type="button"
            className="rounded-md bg-red-700 px-2 py-0.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
            disabled={busy}
            onClick={() => send({ action: 'cancel' })}
          >
            Cancel sweep
          </button>
          <button type="button" className="btn-secondary" onClick={() => setConfirmCancel(false)}>
            Keep it
          </button>
        </span>
      ) : (
        <button type="button" className="btn-secondary" disabled={busy} onClick={() => setConfirmCancel(true)}>
          Cancel…
        </button>
      )}
      <form onSubmit={applyConcurrency} className="flex items-center gap-1.5" noValidate>
        <label htmlFor={`${ids}-concurrency`} className="text-sm text-zinc-600">
          Concurrency
        </label>
        <input
          id={`${ids}-concurrency`}
          type="number"
          min={1}
          max={1024}
          inputMode="numeric"
          value={value}
          onChange={(e) => setDraft(e.target.value)}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={invalid ? `${ids}-concurrency-error` : undefined}
          className="w-20 rounded-md border border-zinc-300 px-2 py-1 text-sm tabular-nums"
        />
        <button type="submit" className="btn-secondary" disabled={busy || draft === null}>
          Apply
        </button>
      </form>
      {invalid && (
        <p id={`${ids}-concurrency-error`} className="basis-full text-sm text-red-700">
          {invalid}
        </p>
      )}
      {steer.isError && (
        <p role="alert" className="basis-full text-sm text-red-700">
          Could not steer the sweep: {errorMessage(steer.error)}
        </p>
      )}
    </div>
  );
}

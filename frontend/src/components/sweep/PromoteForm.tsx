import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { usePromote } from '../../api/sweeps';
import { useCurrentProject } from '../../api/useSignedIn';
import { shortHash } from '../../lib/format';

const LABEL = /^[a-z0-9_-]{1,50}$/;

/** Promote one config of the sweep to a label of its experiment; errors show here. */
export function PromoteForm({
  sweepId,
  configHash,
  configLabel,
  onDone,
}: {
  sweepId: number;
  configHash: string;
  configLabel: string;
  onDone: () => void;
}) {
  const promote = usePromote(sweepId);
  // The sweep's page announces its project.
  const { projectId } = useCurrentProject();
  const [label, setLabel] = useState('production');
  const [note, setNote] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const ids = useId();

  const fieldError = (field: string): string | null => {
    if (field === 'label' && invalid) return invalid;
    if (!(promote.error instanceof ApiError)) return null;
    return promote.error.errors.find((e) => e.path === field)?.message ?? null;
  };
  const formError =
    promote.error && !(promote.error instanceof ApiError && promote.error.errors.some((e) => ['label', 'note'].includes(e.path)))
      ? errorMessage(promote.error)
      : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!LABEL.test(label)) {
      setInvalid('1 to 50 lowercase letters, digits, - and _ (production, staging).');
      return;
    }
    setInvalid(null);
    promote.mutate({ config: configHash, label, note });
  };

  if (promote.isSuccess) {
    return (
      <div role="status" className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-emerald-800">
          Promoted <span className="font-mono">{shortHash(configHash)}</span> to{' '}
          <strong>{promote.data.label}</strong>.
        </span>
        {projectId !== null && (
          <Link
            to={`/projects/${projectId}/experiments/${promote.data.experiment}/promotions`}
            className="link"
          >
            See {promote.data.label} and its deployment
          </Link>
        )}
        <button type="button" className="btn-secondary" onClick={onDone}>
          Close
        </button>
      </div>
    );
  }

  const labelError = fieldError('label');
  const noteError = fieldError('note');
  return (
    <form onSubmit={submit} aria-label={`Promote ${configLabel}`} className="space-y-2 text-sm" noValidate>
      <p className="text-zinc-600">
        Promote <span className="font-medium text-zinc-900">{configLabel}</span>{' '}
        <span className="font-mono text-xs">({shortHash(configHash)})</span> to a label of the experiment. A pipeline
        fetching that label runs this config from then on.
      </p>
      <div className="flex flex-wrap items-start gap-3">
        <div>
          <label htmlFor={`${ids}-label`} className="block text-xs font-medium text-zinc-600">
            Label
          </label>
          <input
            id={`${ids}-label`}
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            aria-invalid={labelError ? true : undefined}
            aria-describedby={labelError ? `${ids}-label-error` : undefined}
            className="mt-0.5 w-44 rounded-md border border-zinc-300 px-2 py-1 font-mono"
            autoFocus
          />
          {labelError && (
            <p id={`${ids}-label-error`} className="mt-1 max-w-xs text-xs text-red-700">
              {labelError}
            </p>
          )}
        </div>
        <div className="grow">
          <label htmlFor={`${ids}-note`} className="block text-xs font-medium text-zinc-600">
            Note (optional)
          </label>
          <input
            id={`${ids}-note`}
            value={note}
            maxLength={500}
            onChange={(e) => setNote(e.target.value)}
            aria-invalid={noteError ? true : undefined}
            className="mt-0.5 w-full max-w-md rounded-md border border-zinc-300 px-2 py-1"
          />
          {noteError && <p className="mt-1 text-xs text-red-700">{noteError}</p>}
        </div>
        <div className="flex gap-2 self-end">
          <button type="submit" className="btn-primary" disabled={promote.isPending}>
            {promote.isPending ? 'Promoting…' : 'Promote'}
          </button>
          <button type="button" className="btn-secondary" onClick={onDone}>
            Cancel
          </button>
        </div>
      </div>
      {formError && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800">
          Could not promote: {formError}
        </p>
      )}
    </form>
  );
}

import { type FormEvent, useId, useState } from 'react';
import type { Endpoint, EndpointChanges } from '../../api/endpoints';
import { useSaveEndpoint } from '../../api/endpoints';
import { errorsByPath, Field, fieldProps, FormError, INPUT_CLASS } from './fields';

const FIELDS = ['name', 'kind', 'base_url', 'api_key', 'api_key_env', 'max_concurrency', 'rpm', 'tpm', 'timeout_s'];

interface Draft {
  name: string;
  kind: string;
  base_url: string;
  api_key_env: string;
  max_concurrency: string;
  rpm: string;
  tpm: string;
  timeout_s: string;
}

function draftOf(endpoint: Endpoint | null): Draft {
  return {
    name: endpoint?.name ?? '',
    kind: endpoint?.kind ?? 'openai',
    base_url: endpoint?.base_url ?? '',
    api_key_env: endpoint?.api_key_env ?? '',
    max_concurrency: String(endpoint?.max_concurrency ?? 8),
    rpm: endpoint?.rpm == null ? '' : String(endpoint.rpm),
    tpm: endpoint?.tpm == null ? '' : String(endpoint.tpm),
    timeout_s: String(endpoint?.timeout_s ?? 60),
  };
}

const NUMBERS = ['max_concurrency', 'rpm', 'tpm', 'timeout_s'] as const;
/** Limits that may be left empty: no limit. */
const OPTIONAL = new Set<string>(['rpm', 'tpm']);

/** The numbers typed, or what is wrong with each that is not one (the API checks the ranges). */
function parseNumbers(draft: Draft): { values: Record<string, number | null>; problems: Map<string, string[]> } {
  const values: Record<string, number | null> = {};
  const problems = new Map<string, string[]>();
  for (const field of NUMBERS) {
    const text = draft[field].trim();
    if (text === '' && OPTIONAL.has(field)) values[field] = null;
    else if (text !== '' && Number.isFinite(Number(text))) values[field] = Number(text);
    else problems.set(field, [OPTIONAL.has(field) ? 'A number, or empty for no limit.' : 'A number.']);
  }
  return { values, problems };
}

/**
 * Add an endpoint or edit one. The API key is write-only: the form says
 * whether one is stored, never shows it, and sends `api_key` only when a
 * new one is typed (or the stored one is cleared).
 */
export function EndpointForm({
  projectId,
  endpoint,
  onDone,
}: {
  projectId: number;
  endpoint: Endpoint | null;
  onDone: (saved: Endpoint) => void;
}) {
  const save = useSaveEndpoint();
  const [draft, setDraft] = useState<Draft>(() => draftOf(endpoint));
  const [newKey, setNewKey] = useState('');
  const [clearKey, setClearKey] = useState(false);
  const ids = useId();
  const [problems, setProblems] = useState<Map<string, string[]>>(new Map());
  // What the form found wrong before sending, else what the API refused.
  const errors = problems.size > 0 ? problems : errorsByPath(save.error, FIELDS);
  const id = (field: string) => `${ids}-${field}`;
  const set = (field: keyof Draft) => (event: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [field]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { values, problems: found } = parseNumbers(draft);
    setProblems(found);
    if (found.size > 0) return;
    const body: EndpointChanges = {
      name: draft.name.trim(),
      kind: draft.kind.trim(),
      base_url: draft.base_url.trim(),
      api_key_env: draft.api_key_env.trim(),
      max_concurrency: values.max_concurrency as number,
      rpm: values.rpm ?? null,
      tpm: values.tpm ?? null,
      timeout_s: values.timeout_s as number,
    };
    if (endpoint === null) body.project = projectId;
    if (newKey !== '') body.api_key = newKey;
    else if (clearKey) body.api_key = '';
    save.mutate({ id: endpoint?.id ?? null, body }, { onSuccess: onDone });
  };

  const text = (field: keyof Draft, label: string, hint?: string, extra?: { inputMode?: 'numeric' | 'decimal'; mono?: boolean; autoFocus?: boolean }) => (
    <Field id={id(field)} label={label} errors={errors.get(field)} hint={hint}>
      <input
        {...fieldProps(id(field), errors.get(field))}
        type="text"
        value={draft[field]}
        inputMode={extra?.inputMode}
        autoFocus={extra?.autoFocus}
        spellCheck={false}
        onChange={set(field)}
        className={extra?.mono ? `${INPUT_CLASS} font-mono text-xs` : INPUT_CLASS}
      />
    </Field>
  );

  const keyStored = endpoint?.api_key_set ?? false;
  return (
    <form onSubmit={submit} noValidate className="space-y-3 p-3">
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {/* Opened from a button below, the form takes the focus. */}
        {text('name', 'Name', 'What experiments call it in their models.', { autoFocus: true })}
        {text('base_url', 'Base URL', 'An OpenAI-compatible server, e.g. https://api.openai.com/v1', { mono: true })}
        {text('kind', 'Kind', 'The adapter: openai.')}
        <Field
          id={id('api_key')}
          label="API key"
          errors={errors.get('api_key')}
          hint={
            endpoint === null
              ? 'Stored encrypted; it is never shown again.'
              : `${keyStored ? 'A key is set' : 'No key is set'}. Type a new one to replace it; it is never shown.`
          }
        >
          <input
            {...fieldProps(id('api_key'), errors.get('api_key'))}
            type="password"
            autoComplete="new-password"
            value={newKey}
            placeholder={keyStored ? 'set (hidden)' : 'not set'}
            onChange={(event) => setNewKey(event.target.value)}
            className={INPUT_CLASS}
          />
          {keyStored && (
            <label className="mt-1 flex items-center gap-1.5 text-xs text-zinc-600">
              <input
                type="checkbox"
                checked={clearKey}
                disabled={newKey !== ''}
                onChange={(event) => setClearKey(event.target.checked)}
              />
              Clear the stored key
            </label>
          )}
        </Field>
        {text('api_key_env', 'Key from environment variable', 'Read at run time instead, e.g. PROMPTLOOPER_KEY_OPENAI.', {
          mono: true,
        })}
        {text('max_concurrency', 'Max concurrency', 'Requests in flight at once (1 to 1024).', { inputMode: 'numeric' })}
        {text('rpm', 'Requests per minute', 'Empty for no limit.', { inputMode: 'numeric' })}
        {text('tpm', 'Tokens per minute', 'Empty for no limit.', { inputMode: 'numeric' })}
        {text('timeout_s', 'Timeout (seconds)', 'Per request, 0.1 to 3600.', { inputMode: 'decimal' })}
      </div>
      <div className="flex items-center gap-2">
        <button type="submit" className="btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : endpoint === null ? 'Add endpoint' : 'Save changes'}
        </button>
      </div>
      {problems.size > 0 && (
        <p role="alert" className="text-sm text-red-700">
          Some fields need a number; see under them.
        </p>
      )}
      <FormError title="The endpoint was not saved" error={problems.size > 0 ? null : save.error} general={errors.get('')} />
    </form>
  );
}

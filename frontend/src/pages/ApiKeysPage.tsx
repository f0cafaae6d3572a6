import { type FormEvent, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { type ApiKey, type NewApiKey, PAGE_SIZE, useApiKeys, useCreateApiKey, useRevokeApiKey } from '../api/apiKeys';
import { errorMessage } from '../api/errors';
import type { SessionProject } from '../api/session';
import { useSignedIn } from '../api/useSignedIn';
import { errorsByPath, Field, fieldProps, FormError, INPUT_CLASS } from '../components/curation/fields';
import { NewKeyNotice } from '../components/curation/NewKeyNotice';
import { Pagination } from '../components/Pagination';
import { EmptyState, QueryView, Spinner } from '../components/States';
import { Timestamp } from '../components/Timestamp';
import { formatCount } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parsePage } from '../lib/params';

/**
 * Your API keys (they are per person, each optionally limited to one
 * project): make one, see when each was last used, revoke one.
 */
export function ApiKeysPage() {
  useDocumentTitle('API keys');
  const session = useSignedIn();
  const [search] = useSearchParams();
  const page = parsePage(search);
  const keys = useApiKeys(page);
  const [made, setMade] = useState<NewApiKey | null>(null);

  return (
    <section aria-labelledby="api-keys-heading" className="space-y-4">
      <div className="flex items-baseline gap-3">
        <h1 id="api-keys-heading" className="text-lg font-semibold">
          API keys
        </h1>
        <span className="text-sm text-zinc-500">{session.username}</span>
        {keys.data && <span className="text-sm text-zinc-500 tabular-nums">{formatCount(keys.data.count)} in all</span>}
        {keys.isFetching && !keys.isPending && (
          <span className="text-zinc-400" title="Refreshing">
            <Spinner />
          </span>
        )}
      </div>
      <p className="max-w-prose text-sm text-zinc-600">
        A key lets a script or an agent act as you on the API, the WebSocket and the MCP server (
        <code>Authorization: Api-Key &lt;key&gt;</code>). A read-only key reads and validates only; a key limited to a
        project sees only that project.
      </p>
      {made ? (
        <NewKeyNotice apiKey={made} onDone={() => setMade(null)} />
      ) : (
        <CreateKey projects={session.projects} onCreated={setMade} />
      )}
      <QueryView
        query={keys}
        loading="Loading your API keys"
        error="Could not load your API keys"
        isEmpty={(data) => data.results.length === 0}
        empty={<EmptyState title="You have no API keys yet">Make one above for a script or an agent.</EmptyState>}
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Project</th>
                    <th scope="col">Access</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Status</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {data.results.map((key) => (
                    <KeyRow key={key.id} apiKey={key} projects={session.projects} />
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={page} count={data.count} pageSize={PAGE_SIZE} label="API key pages" />
          </div>
        )}
      </QueryView>
    </section>
  );
}

function CreateKey({ projects, onCreated }: { projects: SessionProject[]; onCreated: (key: NewApiKey) => void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [project, setProject] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const ids = useId();
  const errors = errorsByPath(create.error, ['name', 'project', 'read_only']);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), project: project === '' ? null : Number(project), read_only: readOnly },
      {
        onSuccess(key) {
          setName('');
          setProject('');
          setReadOnly(false);
          onCreated(key);
        },
      },
    );
  };

  return (
    <section aria-labelledby="create-key-heading" className="panel">
      <h2 id="create-key-heading" className="border-b border-zinc-200 px-3 py-2 text-sm font-semibold">
        Make a key
      </h2>
      <form onSubmit={submit} noValidate className="space-y-3 p-3">
        <div className="flex flex-wrap items-start gap-3">
          <Field id={`${ids}-name`} label="Name" errors={errors.get('name')} hint="What it is for: ci, a notebook…" className="w-64">
            <input
              {...fieldProps(`${ids}-name`, errors.get('name'))}
              type="text"
              value={name}
              onChange={(event) => setName(event.target.value)}
              className={INPUT_CLASS}
            />
          </Field>
          <Field id={`${ids}-project`} label="Project" errors={errors.get('project')} className="w-56">
            <select
              {...fieldProps(`${ids}-project`, errors.get('project'))}
              value={project}
              onChange={(event) => setProject(event.target.value)}
              className={INPUT_CLASS}
            >
              <option value="">All your projects</option>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  Only {p.name}
                </option>
              ))}
            </select>
          </Field>
          <div className="pt-5">
            <label className="flex items-center gap-1.5 text-sm text-zinc-700">
              <input type="checkbox" checked={readOnly} onChange={(event) => setReadOnly(event.target.checked)} />
              Read-only
            </label>
          </div>
          <div className="pt-4">
            <button type="submit" className="btn-primary" disabled={create.isPending}>
              {create.isPending ? 'Making…' : 'Make key'}
            </button>
          </div>
        </div>
        <FormError title="The key was not made" error={create.error} general={errors.get('')} />
      </form>
    </section>
  );
}

function status(key: ApiKey): { text: string; className: string } {
  if (key.revoked) return { text: 'revoked', className: 'text-red-700' };
  if (key.expires_at && new Date(key.expires_at).getTime() <= Date.now()) {
    return { text: 'expired', className: 'text-zinc-500' };
  }
  return { text: 'active', className: 'text-emerald-800' };
}

function KeyRow({ apiKey, projects }: { apiKey: ApiKey; projects: SessionProject[] }) {
  const revoke = useRevokeApiKey();
  const [confirming, setConfirming] = useState(false);
  const state = status(apiKey);
  const project =
    apiKey.project == null ? 'all' : (projects.find((p) => p.id === apiKey.project)?.name ?? `#${apiKey.project}`);
  return (
    <tr className={apiKey.revoked ? 'text-zinc-500' : undefined}>
      <td className="font-medium">{apiKey.name}</td>
      <td className="font-mono text-xs">{apiKey.prefix}…</td>
      <td>{project}</td>
      <td>{apiKey.read_only ? 'read-only' : 'read and write'}</td>
      <td>
        <Timestamp iso={apiKey.created_at} />
      </td>
      <td>{apiKey.last_used_at ? <Timestamp iso={apiKey.last_used_at} /> : <span className="text-zinc-400">never</span>}</td>
      <td>{apiKey.expires_at ? <Timestamp iso={apiKey.expires_at} /> : <span className="text-zinc-400">never</span>}</td>
      <td className={state.className}>{state.text}</td>
      <td>
        {apiKey.revoked ? null : confirming ? (
          <div
            role="group"
            aria-label={`Revoke ${apiKey.name}?`}
            className="max-w-xs rounded-md border border-red-200 bg-red-50 px-2 py-1.5 text-sm text-red-800"
          >
            <p>
              Revoke “{apiKey.name}”? Everything using it is refused (401) at once. This cannot be undone.
            </p>
            <div className="mt-1.5 flex gap-2">
              <button
                type="button"
                className="rounded-md bg-red-700 px-2 py-0.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
                disabled={revoke.isPending}
                onClick={() => revoke.mutate(apiKey.id, { onSuccess: () => setConfirming(false) })}
              >
                {revoke.isPending ? 'Revoking…' : 'Revoke key'}
              </button>
              {/* Focus lands on the safe choice. */}
              <button type="button" className="btn-secondary" autoFocus onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </div>
            {revoke.isError && <p role="alert">Could not revoke it: {errorMessage(revoke.error)}</p>}
          </div>
        ) : (
          <button
            type="button"
            className="btn-secondary"
            aria-label={`Revoke ${apiKey.name}`}
            onClick={() => setConfirming(true)}
          >
            Revoke…
          </button>
        )}
      </td>
    </tr>
  );
}

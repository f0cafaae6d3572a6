import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { type Endpoint, PAGE_SIZE, useEndpointList, useTestEndpoint } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import { useCurrentProject } from '../api/useSignedIn';
import { EndpointForm } from '../components/curation/EndpointForm';
import { Pagination } from '../components/Pagination';
import { EmptyState, QueryView, Spinner } from '../components/States';
import { formatCount, formatDuration, formatMs } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parsePage } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** A project's endpoints with their limits; editors and owners add, edit and test them. */
export function EndpointsPage() {
  const { project } = useCurrentProject();
  if (!project) return <NotFoundPage />;
  const canEdit = project.role === 'owner' || project.role === 'editor';
  return <EndpointList projectId={project.id} projectName={project.name} canEdit={canEdit} />;
}

function timeout(seconds: number | undefined): string {
  if (seconds === undefined) return formatDuration(null);
  return seconds < 1 ? formatMs(seconds * 1000) : formatDuration(seconds);
}

function limit(value: number | null | undefined): string {
  return value === null || value === undefined ? 'no limit' : formatCount(value);
}

function EndpointList({ projectId, projectName, canEdit }: { projectId: number; projectName: string; canEdit: boolean }) {
  useDocumentTitle('Endpoints', projectName);
  const [search] = useSearchParams();
  const page = parsePage(search);
  const endpoints = useEndpointList(projectId, page);
  // null: no form; 'new': adding; a number: editing that endpoint.
  const [editing, setEditing] = useState<'new' | number | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const editedEndpoint =
    typeof editing === 'number' ? endpoints.data?.results.find((e) => e.id === editing) ?? null : null;

  const done = (endpoint: Endpoint) => {
    setSaved(`Saved ${endpoint.name}.`);
    setEditing(null);
  };

  return (
    <section aria-labelledby="endpoints-heading" className="space-y-4">
      <div className="flex items-baseline gap-3">
        <h1 id="endpoints-heading" className="text-lg font-semibold">
          Endpoints
        </h1>
        <span className="text-sm text-zinc-500">{projectName}</span>
        {endpoints.data && (
          <span className="text-sm text-zinc-500 tabular-nums">{formatCount(endpoints.data.count)} in all</span>
        )}
        {endpoints.isFetching && !endpoints.isPending && (
          <span className="text-zinc-400" title="Refreshing">
            <Spinner />
          </span>
        )}
        {canEdit && editing === null && (
          <button
            type="button"
            className="btn-primary ml-auto self-center"
            onClick={() => {
              setSaved(null);
              setEditing('new');
            }}
          >
            Add endpoint
          </button>
        )}
      </div>
      {saved && (
        <p role="status" className="text-sm text-emerald-800">
          {saved}
        </p>
      )}
      {canEdit && (editing === 'new' || editedEndpoint) && (
        <section aria-labelledby="endpoint-form-heading" className="panel">
          <div className="flex items-center border-b border-zinc-200 px-3 py-2">
            <h2 id="endpoint-form-heading" className="text-sm font-semibold">
              {editedEndpoint ? `Edit ${editedEndpoint.name}` : 'Add an endpoint'}
            </h2>
            <button type="button" className="btn-secondary ml-auto" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
          <EndpointForm key={editedEndpoint?.id ?? 'new'} projectId={projectId} endpoint={editedEndpoint} onDone={done} />
        </section>
      )}
      <QueryView
        query={endpoints}
        loading="Loading endpoints"
        error="Could not load the endpoints"
        isEmpty={(data) => data.results.length === 0}
        empty={
          <EmptyState title={`No endpoints in ${projectName} yet`}>
            An endpoint is an OpenAI-compatible server the sweeps call.
            {canEdit ? ' Add one above.' : ' Editors and owners add them.'}
          </EmptyState>
        }
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Endpoint</th>
                    <th scope="col">Kind</th>
                    <th scope="col" className="num">
                      Max concurrency
                    </th>
                    <th scope="col" className="num">
                      RPM
                    </th>
                    <th scope="col" className="num">
                      TPM
                    </th>
                    <th scope="col" className="num">
                      Timeout
                    </th>
                    <th scope="col">API key</th>
                    {canEdit && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {data.results.map((endpoint) => (
                    <EndpointRow
                      key={endpoint.id}
                      endpoint={endpoint}
                      canEdit={canEdit}
                      onEdit={() => {
                        setSaved(null);
                        setEditing(endpoint.id);
                      }}
                    />
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={page} count={data.count} pageSize={PAGE_SIZE} label="Endpoint pages" />
          </div>
        )}
      </QueryView>
    </section>
  );
}

function KeyState({ endpoint }: { endpoint: Endpoint }) {
  if (endpoint.api_key_set) return <span className="text-emerald-800">set</span>;
  if (endpoint.api_key_env) {
    return (
      <span>
        from <code className="text-xs">{endpoint.api_key_env}</code>
      </span>
    );
  }
  return <span className="text-zinc-500">not set</span>;
}

function EndpointRow({ endpoint, canEdit, onEdit }: { endpoint: Endpoint; canEdit: boolean; onEdit: () => void }) {
  const test = useTestEndpoint();
  const columns = canEdit ? 8 : 7;
  return (
    <>
      <tr>
        <td>
          <span className="font-medium">{endpoint.name}</span>
          <p className="mt-0.5 font-mono text-xs break-all text-zinc-500">{endpoint.base_url}</p>
        </td>
        <td>{endpoint.kind}</td>
        <td className="num">{formatCount(endpoint.max_concurrency ?? null)}</td>
        <td className="num">{limit(endpoint.rpm)}</td>
        <td className="num">{limit(endpoint.tpm)}</td>
        <td className="num">{timeout(endpoint.timeout_s)}</td>
        <td>
          <KeyState endpoint={endpoint} />
        </td>
        {canEdit && (
          <td>
            <div className="flex gap-1.5">
              <button type="button" className="btn-secondary" aria-label={`Edit ${endpoint.name}`} onClick={onEdit}>
                Edit
              </button>
              <button
                type="button"
                className="btn-secondary whitespace-nowrap"
                aria-label={`Test the connection to ${endpoint.name}`}
                disabled={test.isPending}
                onClick={() => test.mutate(endpoint.id)}
              >
                {test.isPending ? 'Testing…' : 'Test connection'}
              </button>
            </div>
          </td>
        )}
      </tr>
      {(test.data || test.isError) && (
        <tr>
          <td colSpan={columns}>
            <div role="status" aria-label={`Connection to ${endpoint.name}`} className="text-sm">
              {test.isError ? (
                <p className="text-red-700">Could not test the connection: {errorMessage(test.error)}</p>
              ) : test.data?.ok ? (
                <>
                  <p className="text-emerald-800">Connected: {test.data.message}</p>
                  {test.data.models.length > 0 && (
                    <p className="mt-0.5 text-xs text-zinc-600">
                      {formatCount(test.data.models.length)} models:{' '}
                      <span className="font-mono">{test.data.models.join(', ')}</span>
                    </p>
                  )}
                </>
              ) : (
                <p className="text-red-700">Failed: {test.data?.message}</p>
              )}
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

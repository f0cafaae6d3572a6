import { type FormEvent, useId, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { PAGE_SIZE, useCreateDataset, useDatasetList } from '../api/datasets';
import { errorMessage } from '../api/errors';
import { useCurrentProject } from '../api/useSignedIn';
import { errorsByPath, Field, fieldProps, FormError, INPUT_CLASS } from '../components/curation/fields';
import { Pagination } from '../components/Pagination';
import { EmptyState, QueryView, Spinner } from '../components/States';
import { Timestamp } from '../components/Timestamp';
import { formatCount } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parsePage } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** A project's datasets with their item counts; editors and owners create new ones. */
export function DatasetsPage() {
  const { project } = useCurrentProject();
  if (!project) return <NotFoundPage />;
  const canEdit = project.role === 'owner' || project.role === 'editor';
  return <DatasetList projectId={project.id} projectName={project.name} canEdit={canEdit} />;
}

function DatasetList({
  projectId,
  projectName,
  canEdit,
}: {
  projectId: number;
  projectName: string;
  canEdit: boolean;
}) {
  useDocumentTitle('Datasets', projectName);
  const [search] = useSearchParams();
  const page = parsePage(search);
  const datasets = useDatasetList(projectId, page);
  const [creating, setCreating] = useState(false);

  return (
    <section aria-labelledby="datasets-heading" className="space-y-4">
      <div className="flex items-baseline gap-3">
        <h1 id="datasets-heading" className="text-lg font-semibold">
          Datasets
        </h1>
        <span className="text-sm text-zinc-500">{projectName}</span>
        {datasets.data && (
          <span className="text-sm text-zinc-500 tabular-nums">{formatCount(datasets.data.count)} in all</span>
        )}
        {datasets.isFetching && !datasets.isPending && (
          <span className="text-zinc-400" title="Refreshing">
            <Spinner />
          </span>
        )}
        {canEdit && !creating && (
          <button type="button" className="btn-primary ml-auto self-center" onClick={() => setCreating(true)}>
            New dataset
          </button>
        )}
      </div>
      {canEdit && creating && (
        <section aria-labelledby="dataset-form-heading" className="panel">
          <div className="flex items-center border-b border-zinc-200 px-3 py-2">
            <h2 id="dataset-form-heading" className="text-sm font-semibold">
              New dataset
            </h2>
            <button type="button" className="btn-secondary ml-auto" onClick={() => setCreating(false)}>
              Cancel
            </button>
          </div>
          <CreateDatasetForm projectId={projectId} />
        </section>
      )}
      <QueryView
        query={datasets}
        loading="Loading datasets"
        error="Could not load the datasets"
        isEmpty={(data) => data.results.length === 0}
        empty={
          <EmptyState title={`No datasets in ${projectName} yet`}>
            A dataset holds the items an experiment runs its prompts on.
            {canEdit
              ? ' Create one above, then upload a .jsonl or .csv file into it.'
              : ' Editors and owners create them.'}
          </EmptyState>
        }
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Dataset</th>
                    <th scope="col" className="num">
                      Items
                    </th>
                    <th scope="col">Created</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {data.results.map((dataset) => (
                    <tr key={dataset.id}>
                      <td>
                        <Link to={`/projects/${projectId}/datasets/${dataset.id}`} className="link">
                          {dataset.name}
                        </Link>
                        {dataset.description && (
                          <p className="mt-0.5 max-w-md truncate text-xs text-zinc-500">{dataset.description}</p>
                        )}
                      </td>
                      <td className="num">{formatCount(dataset.items)}</td>
                      <td>
                        <Timestamp iso={dataset.created_at} />
                      </td>
                      <td>
                        <Timestamp iso={dataset.updated_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={page} count={data.count} pageSize={PAGE_SIZE} label="Dataset pages" />
          </div>
        )}
      </QueryView>
    </section>
  );
}

const FIELDS = ['name', 'description'];

/** Name a new, empty dataset; once stored, its page opens for the first upload. */
function CreateDatasetForm({ projectId }: { projectId: number }) {
  const create = useCreateDataset();
  const navigate = useNavigate();
  const ids = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [missing, setMissing] = useState(false);
  const errors = missing ? new Map([['name', ['A name.']]]) : errorsByPath(create.error, FIELDS);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    setMissing(trimmed === '');
    if (trimmed === '') return;
    create.mutate(
      { project: projectId, name: trimmed, description: description.trim() },
      { onSuccess: (dataset) => void navigate(`/projects/${projectId}/datasets/${dataset.id}`) },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-3 p-3">
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={`${ids}-name`} label="Name" errors={errors.get('name')} hint="What experiment specs call it.">
          <input
            {...fieldProps(`${ids}-name`, errors.get('name'))}
            type="text"
            value={name}
            maxLength={100}
            autoFocus
            onChange={(event) => setName(event.target.value)}
            className={INPUT_CLASS}
          />
        </Field>
        <Field id={`${ids}-description`} label="Description (optional)" errors={errors.get('description')}>
          <input
            {...fieldProps(`${ids}-description`, errors.get('description'))}
            type="text"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            className={INPUT_CLASS}
          />
        </Field>
      </div>
      {!missing && (
        <FormError
          title="Could not create the dataset"
          error={create.error}
          // A refusal of no field (a name the project already has) is its detail already.
          general={errorsByPath(create.error, FIELDS)
            .get('')
            ?.filter((message) => message !== errorMessage(create.error))}
        />
      )}
      <button type="submit" className="btn-primary" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create dataset'}
      </button>
    </form>
  );
}

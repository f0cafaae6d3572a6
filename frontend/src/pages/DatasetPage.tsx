import { type FormEvent, useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Link, useParams, useSearchParams } from 'react-router';
import {
  type Dataset,
  type DatasetItem,
  EXPORT_FORMATS,
  exportUrl,
  type ImportMode,
  type ImportResult,
  ITEM_PAGE_SIZE,
  useDataset,
  useDatasetItems,
  useImportDataset,
} from '../api/datasets';
import { ApiError, errorMessage } from '../api/errors';
import { useCurrentProject } from '../api/useSignedIn';
import { Pagination } from '../components/Pagination';
import { EmptyState, ErrorState, Loading, QueryView, Spinner } from '../components/States';
import { Timestamp } from '../components/Timestamp';
import { formatCount, MISSING } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId, parsePage } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** One dataset: its items (paged, searchable), downloads, and uploads for editors and owners. */
export function DatasetPage() {
  const { project } = useCurrentProject();
  const datasetId = parseId(useParams().datasetId);
  if (!project || datasetId === null) return <NotFoundPage />;
  const canEdit = project.role === 'owner' || project.role === 'editor';
  return <DatasetDetail key={datasetId} projectId={project.id} datasetId={datasetId} canEdit={canEdit} />;
}

function items(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'item' : 'items'}`;
}

function DatasetDetail({ projectId, datasetId, canEdit }: { projectId: number; datasetId: number; canEdit: boolean }) {
  const dataset = useDataset(datasetId);
  useDocumentTitle(dataset.data?.name, 'Datasets');

  if (dataset.isPending) return <Loading label="Loading the dataset" />;
  if (dataset.isError) {
    if (dataset.error instanceof ApiError && dataset.error.status === 404) return <NotFoundPage />;
    return (
      <ErrorState title="Could not load the dataset" error={dataset.error} onRetry={() => void dataset.refetch()} />
    );
  }
  if (dataset.data.project !== projectId) return <NotFoundPage />;
  const data = dataset.data;
  return (
    <div className="space-y-4">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm">
          <Link to={`/projects/${projectId}/datasets`} className="link">
            Datasets
          </Link>
        </nav>
        <div className="mt-1 flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <h1 className="text-lg font-semibold">{data.name}</h1>
          <span className="text-sm text-zinc-500 tabular-nums">{items(data.items)}</span>
          <span className="text-sm text-zinc-500">
            created <Timestamp iso={data.created_at} inline />, updated <Timestamp iso={data.updated_at} inline />
          </span>
          <span className="flex items-baseline gap-2 text-sm sm:ml-auto">
            <span className="text-zinc-500">Download:</span>
            {EXPORT_FORMATS.map((format) => (
              <a
                key={format}
                href={exportUrl(data.id, format)}
                download
                className="link"
                aria-label={`Download ${data.name} as ${format.toUpperCase()}`}
              >
                {format.toUpperCase()}
              </a>
            ))}
          </span>
        </div>
        {data.description && <p className="mt-1 text-sm text-zinc-600">{data.description}</p>}
      </header>
      {canEdit && <UploadForm dataset={data} />}
      <ItemBrowser dataset={data} canEdit={canEdit} />
    </div>
  );
}

/** A line-numbered error from the API ("line 3"); "line 0" is the file as a whole. */
function lineOf(path: string): number | null {
  const match = /^line (\d+)$/.exec(path);
  return match && match[1] !== '0' ? Number(match[1]) : null;
}

function importedSummary(result: ImportResult, mode: ImportMode, fileName: string): string {
  const imported = result.added + result.kept;
  const base = `Imported ${items(imported)} from ${fileName}.`;
  if (mode === 'append') return base;
  const removed = result.deleted + result.archived;
  return `${base} ${formatCount(result.added)} new, ${formatCount(result.kept)} unchanged; ${items(removed)} removed.`;
}

/**
 * Append or replace items from a .jsonl or .csv file. The API takes the whole
 * file or none of it; a refusal lists every bad line. Replacing a dataset that
 * has items asks first, saying how many go.
 */
function UploadForm({ dataset }: { dataset: Dataset }) {
  const upload = useImportDataset(dataset.id);
  const ids = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const uploadButton = useRef<HTMLButtonElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportMode>('append');
  const [confirming, setConfirming] = useState(false);
  const [missing, setMissing] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  // The input is remounted to clear it once its file is in.
  const [inputKey, setInputKey] = useState(0);

  const send = (chosen: File) => {
    setConfirming(false);
    setDone(null);
    upload.mutate(
      { file: chosen, mode },
      {
        onSuccess: (result) => {
          setDone(importedSummary(result, mode, chosen.name));
          setFile(null);
          setInputKey((key) => key + 1);
        },
      },
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    upload.reset();
    setDone(null);
    if (!file) {
      setMissing(true);
      fileInput.current?.focus();
      return;
    }
    if (mode === 'replace' && dataset.items > 0) setConfirming(true);
    else send(file);
  };

  const fileError = missing && !file;
  return (
    <section aria-labelledby="upload-heading" className="panel">
      <h2 id="upload-heading" className="border-b border-zinc-200 px-3 py-2 text-sm font-semibold">
        Upload items
      </h2>
      <form onSubmit={submit} noValidate className="space-y-3 p-3">
        <div className="flex flex-wrap items-start gap-x-6 gap-y-3">
          <div>
            <label htmlFor={`${ids}-file`} className="mb-0.5 block text-xs font-medium text-zinc-600">
              File (.jsonl or .csv)
            </label>
            <input
              key={inputKey}
              ref={fileInput}
              id={`${ids}-file`}
              type="file"
              accept=".jsonl,.ndjson,.csv"
              aria-invalid={fileError || undefined}
              aria-describedby={fileError ? `${ids}-file-error` : `${ids}-file-hint`}
              onChange={(event) => {
                setFile(event.target.files?.[0] ?? null);
                setConfirming(false);
                setMissing(false);
              }}
              className={FILE_INPUT_CLASS}
            />
            {fileError ? (
              <p id={`${ids}-file-error`} className="mt-1 text-xs text-red-700">
                Choose a file to upload.
              </p>
            ) : (
              <p id={`${ids}-file-hint`} className="mt-0.5 text-xs text-zinc-500">
                JSONL: one object per line with <code>input</code>, optional <code>expected</code> and{' '}
                <code>tags</code>. CSV: a column per input variable, optional <code>expected</code> and{' '}
                <code>tags</code>.
              </p>
            )}
          </div>
          <fieldset>
            <legend className="mb-0.5 text-xs font-medium text-zinc-600">Mode</legend>
            <div className="space-y-0.5 text-sm">
              <label className="flex items-center gap-1.5">
                <input
                  type="radio"
                  name={`${ids}-mode`}
                  value="append"
                  checked={mode === 'append'}
                  onChange={() => {
                    setMode('append');
                    setConfirming(false);
                  }}
                />
                Append: add the file's items after the {items(dataset.items)}
              </label>
              <label className="flex items-center gap-1.5">
                <input
                  type="radio"
                  name={`${ids}-mode`}
                  value="replace"
                  checked={mode === 'replace'}
                  onChange={() => setMode('replace')}
                />
                Replace: the file's items become the dataset
              </label>
            </div>
          </fieldset>
        </div>
        {!confirming && (
          <button ref={uploadButton} type="submit" className="btn-primary" disabled={upload.isPending}>
            {upload.isPending ? 'Uploading…' : 'Upload'}
          </button>
        )}
      </form>
      {confirming && file && (
        <div
          role="group"
          aria-label={`Replace the items of ${dataset.name}?`}
          className="mx-3 mb-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          <p>
            Replace the items of “{dataset.name}” with those in {file.name}? This deletes its{' '}
            {items(dataset.items)} (items an earlier run used are archived with its results; identical ones are kept).
          </p>
          <div className="mt-2 flex gap-2">
            <button
              type="button"
              className="rounded-md bg-red-700 px-3 py-1 text-sm font-medium text-white hover:bg-red-800"
              onClick={() => send(file)}
            >
              Delete {items(dataset.items)} and replace
            </button>
            {/* Focus lands on the safe choice. */}
            <button
              type="button"
              className="btn-secondary"
              autoFocus
              onClick={() => {
                // Back where the person was, not lost on the page once the question goes.
                flushSync(() => setConfirming(false));
                uploadButton.current?.focus();
              }}
            >
              Keep them
            </button>
          </div>
        </div>
      )}
      <div className="px-3 pb-3 empty:hidden">
        {done && (
          <p role="status" className="text-sm text-emerald-800">
            {done}
          </p>
        )}
        {upload.isError && <UploadError error={upload.error} />}
      </div>
    </section>
  );
}

const FILE_INPUT_CLASS =
  'block text-sm file:mr-3 file:rounded-md file:border file:border-zinc-300 file:bg-white file:px-3 file:py-1 ' +
  'file:text-sm file:font-medium hover:file:bg-zinc-50';

function UploadError({ error }: { error: unknown }) {
  const rows = error instanceof ApiError ? error.errors : [];
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      <p className="font-medium">Nothing was imported</p>
      <p>{errorMessage(error)}</p>
      {rows.length > 0 && (
        <ul aria-label="Problems in the file" className="mt-1 max-h-64 list-disc overflow-y-auto pl-5">
          {rows.map((row, i) => {
            const line = lineOf(row.path);
            return (
              <li key={i}>
                {line !== null && <span className="font-medium tabular-nums">Line {line}: </span>}
                {row.message}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function ItemBrowser({ dataset, canEdit }: { dataset: Dataset; canEdit: boolean }) {
  const [params, setParams] = useSearchParams();
  const page = parsePage(params);
  const search = (params.get('search') ?? '').trim();
  const itemsQuery = useDatasetItems(dataset.id, page, search);
  const ids = useId();

  const applySearch = (text: string) => {
    const next = new URLSearchParams(params);
    next.delete('page');
    if (text.trim()) next.set('search', text.trim());
    else next.delete('search');
    setParams(next);
  };

  return (
    <section aria-labelledby="items-heading" className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        <h2 id="items-heading" className="text-base font-semibold">
          Items
        </h2>
        {itemsQuery.data && (
          <span className="text-sm text-zinc-500 tabular-nums">
            {search ? `${items(itemsQuery.data.count)} match “${search}”` : items(itemsQuery.data.count)}
          </span>
        )}
        {itemsQuery.isFetching && !itemsQuery.isPending && (
          <span className="text-zinc-400" title="Refreshing">
            <Spinner />
          </span>
        )}
        {/* Remounted when the URL's search changes (back, clear): the field starts from the URL. */}
        <SearchForm key={search} id={`${ids}-search`} initial={search} onSearch={applySearch} />
      </div>
      <QueryView
        query={itemsQuery}
        loading="Loading items"
        error="Could not load the items"
        isEmpty={(data) => data.results.length === 0}
        empty={
          search ? (
            <EmptyState title={`No item matches “${search}”`}>
              <button type="button" className="btn-secondary" onClick={() => applySearch('')}>
                Clear search
              </button>
            </EmptyState>
          ) : (
            <EmptyState title={`${dataset.name} has no items yet`}>
              {canEdit ? 'Upload a .jsonl or .csv file above.' : 'Editors and owners upload them.'}
            </EmptyState>
          )
        }
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      #
                    </th>
                    <th scope="col">Input</th>
                    <th scope="col">Expected</th>
                    <th scope="col">Tags</th>
                  </tr>
                </thead>
                <tbody>
                  {data.results.map((item) => (
                    <ItemRow key={item.id} item={item} />
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={page} count={data.count} pageSize={ITEM_PAGE_SIZE} label="Item pages" />
          </div>
        )}
      </QueryView>
    </section>
  );
}

function SearchForm({ id, initial, onSearch }: { id: string; initial: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState(initial);
  return (
    <form
      role="search"
      aria-label="Items"
      className="ml-auto flex items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(text);
      }}
    >
      <label htmlFor={id} className="text-sm text-zinc-600">
        Search items
      </label>
      <input
        id={id}
        type="search"
        value={text}
        placeholder="input, expected or tag"
        onChange={(event) => setText(event.target.value)}
        className="w-72 rounded border border-zinc-300 bg-white px-2 py-1 text-sm"
      />
      <button type="submit" className="btn-secondary">
        Search
      </button>
      {initial && (
        <button type="button" className="btn-secondary" onClick={() => onSearch('')}>
          Clear
        </button>
      )}
    </form>
  );
}

/** A stored JSON value as a person reads it: text as is, anything else as compact JSON. */
function show(value: unknown): string {
  if (value === null || value === undefined) return MISSING;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function ItemRow({ item }: { item: DatasetItem }) {
  const input = item.input && typeof item.input === 'object' && !Array.isArray(item.input) ? item.input : null;
  const tags = Array.isArray(item.tags) ? (item.tags as unknown[]).map(String) : [];
  return (
    <tr className="align-top">
      <td className="num">{formatCount((item.position ?? 0) + 1)}</td>
      <td className="max-w-xl">
        {input ? (
          <dl className="space-y-0.5">
            {Object.entries(input as Record<string, unknown>).map(([key, value]) => (
              <div key={key}>
                <dt className="inline font-mono text-xs text-zinc-500">{key}: </dt>
                <dd className="inline break-words whitespace-pre-wrap">{show(value)}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <span className="break-words">{show(item.input)}</span>
        )}
      </td>
      <td className="max-w-sm break-words whitespace-pre-wrap">
        {item.expected === null || item.expected === undefined ? (
          <span className="text-zinc-400">{MISSING}</span>
        ) : (
          show(item.expected)
        )}
      </td>
      <td>
        {tags.length === 0 ? (
          <span className="text-zinc-400">{MISSING}</span>
        ) : (
          <ul className="flex flex-wrap gap-1">
            {tags.map((tag, i) => (
              <li key={i} className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-700">
                {tag}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

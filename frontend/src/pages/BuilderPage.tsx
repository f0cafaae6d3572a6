import { useMemo, useState } from 'react';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import {
  useDatasets,
  useEndpoints,
  useExperimentNamed,
  useSaveAndStart,
  useScorers,
  useValidation,
} from '../api/builder';
import { ApiError, type ErrorItem, errorMessage } from '../api/errors';
import { useExperiment } from '../api/experiments';
import type { SessionProject } from '../api/session';
import { useCurrentProject } from '../api/useSignedIn';
import { errorItems, fieldId, fieldPaths, parentPath, placeErrors } from '../builder/errors';
import { emptyForm, FormShapeError, formToSpec, type SpecForm, specToForm } from '../builder/form';
import { dumpSpecYaml, parseSpecYaml } from '../builder/yaml';
import { BuilderContext } from '../components/builder/fields';
import { SpecFormView } from '../components/builder/SpecFormView';
import { SummaryPanel } from '../components/builder/SummaryPanel';
import { YamlEditor } from '../components/builder/YamlEditor';
import { ErrorState, Loading, Spinner } from '../components/States';
import { useDebouncedValue, useDocumentTitle } from '../lib/hooks';
import { parseId } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** How long typing must pause before the spec is checked. */
export const VALIDATE_DELAY_MS = 400;

/** `/projects/:projectId/experiments/new`: a new experiment from an empty form. */
export function BuilderPage() {
  const { project } = useCurrentProject();
  if (!project) return <NotFoundPage />;
  return (
    <Builder
      key={`new-${project.id}`}
      project={project}
      initial={() => emptyForm(project.name)}
      title="New experiment"
      checkAtOnce={false}
    />
  );
}

/** `/projects/:projectId/experiments/:experimentId/copy`: a new experiment from another's spec. */
export function CopyBuilderPage() {
  const { project } = useCurrentProject();
  const experimentId = parseId(useParams().experimentId);
  if (!project || experimentId === null) return <NotFoundPage />;
  return <CopyBuilder key={experimentId} project={project} experimentId={experimentId} />;
}

function CopyBuilder({ project, experimentId }: { project: SessionProject; experimentId: number }) {
  const experiment = useExperiment(experimentId);
  if (experiment.isPending) return <Loading label="Loading the experiment's spec" />;
  if (experiment.isError) {
    if (experiment.error instanceof ApiError && experiment.error.status === 404) return <NotFoundPage />;
    return (
      <ErrorState title="Could not load the experiment" error={experiment.error} onRetry={() => void experiment.refetch()} />
    );
  }
  const data = experiment.data;
  if (data.project !== project.id) {
    return <Navigate to={`/projects/${data.project}/experiments/${data.id}/copy`} replace />;
  }
  let initial: SpecForm;
  try {
    initial = specToForm(data.spec);
  } catch (error) {
    return <ErrorState title="This experiment's spec cannot be shown in the form" error={error} />;
  }
  // A new name: saving under the old one would give that experiment this spec.
  initial.name = `${data.name}-copy`;
  return (
    <Builder
      project={project}
      initial={() => initial}
      title={`New experiment from ${data.name}`}
      checkAtOnce
      from={{ name: data.name, url: `/projects/${project.id}/experiments/${data.id}` }}
    />
  );
}

type View = 'form' | 'yaml';

function Builder({
  project,
  initial,
  title,
  from,
  checkAtOnce,
}: {
  project: SessionProject;
  initial: () => SpecForm;
  title: string;
  from?: { name: string; url: string };
  /** Check the spec before the first change (a copy); an empty form waits for one. */
  checkAtOnce: boolean;
}) {
  useDocumentTitle(title, project.name);
  const navigate = useNavigate();
  const canEdit = project.role === 'owner' || project.role === 'editor';
  const [form, setFormState] = useState(initial);
  const [view, setView] = useState<View>('form');
  const [yamlDraft, setYamlDraft] = useState<string | null>(null);
  const [yamlError, setYamlError] = useState<{ message: string; line: number | null } | null>(null);
  const [saveErrors, setSaveErrors] = useState<ErrorItem[]>([]);

  const endpoints = useEndpoints(project.id);
  const datasets = useDatasets(project.id);
  const scorers = useScorers();

  const { spec, errors: localErrors } = useMemo(() => formToSpec(form), [form]);
  const specJson = useMemo(() => JSON.stringify(spec), [spec]);
  const settledJson = useDebouncedValue(specJson, VALIDATE_DELAY_MS);
  // An empty form is checked from its first change on: not before, all in red.
  const [initialJson] = useState(specJson);
  const started = checkAtOnce || settledJson !== initialJson;
  const validation = useValidation(settledJson, started && localErrors.length === 0);
  const settledName = useDebouncedValue(form.name.trim(), VALIDATE_DELAY_MS);
  const sameName = useExperimentNamed(project.id, settledName);
  const save = useSaveAndStart();

  const result = validation.data;
  const current = settledJson === specJson && !validation.isPlaceholderData && localErrors.length === 0;
  const checking =
    localErrors.length === 0 && (settledJson !== specJson || (started && validation.isFetching));
  const allErrors = useMemo(
    () => [...localErrors, ...errorItems(result?.errors ?? []), ...saveErrors],
    [localErrors, result, saveErrors],
  );
  const fields = useMemo(() => fieldPaths(form), [form]);
  const placed = useMemo(() => placeErrors(allErrors, fields), [allErrors, fields]);
  const context = useMemo(() => ({ errors: placed.byField, readOnly: !canEdit }), [placed, canEdit]);

  const setForm = (next: SpecForm) => {
    setFormState(next);
    setYamlDraft(null);
    setYamlError(null);
    setSaveErrors([]);
  };

  const onYamlChange = (text: string) => {
    setYamlDraft(text);
    const parsed = parseSpecYaml(text);
    if (!parsed.ok) {
      setYamlError({ message: parsed.message, line: parsed.line });
      return;
    }
    try {
      setFormState(specToForm(parsed.value));
      setYamlError(null);
      setSaveErrors([]);
    } catch (error) {
      if (!(error instanceof FormShapeError)) throw error;
      setYamlError({ message: `${error.message}.`, line: null });
    }
  };

  const showField = (path: string) => {
    let target = path;
    while (target && !fields.has(target)) target = parentPath(target);
    setView('form');
    window.setTimeout(() => {
      const element = document.getElementById(fieldId(target));
      element?.scrollIntoView({ block: 'center' });
      element?.focus();
    }, 0);
  };

  const onSave = () => {
    setSaveErrors([]);
    save.mutate(spec, {
      onSuccess({ sweep }) {
        if (sweep) navigate(`/sweeps/${sweep.id}`);
      },
      onError(error) {
        if (error instanceof ApiError) setSaveErrors(error.errors);
      },
    });
  };

  const ready = canEdit && current && result?.valid === true && !save.isPending;
  const unstarted = save.data && !save.data.sweep ? save.data : null;

  return (
    <BuilderContext.Provider value={context}>
      <div className="space-y-4">
        <header>
          <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
            <Link to={`/projects/${project.id}/experiments`} className="link">
              Experiments
            </Link>
            <span aria-hidden="true"> / </span>
            {from && (
              <>
                <Link to={from.url} className="link">
                  {from.name}
                </Link>
                <span aria-hidden="true"> / </span>
              </>
            )}
          </nav>
          <h1 className="mt-1 text-xl font-semibold">{title}</h1>
          <p className="text-sm text-zinc-500">
            In {project.name}. Checked as you type; nothing is stored before “Save and start”.
          </p>
        </header>

        {!canEdit && (
          <p role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            You are a viewer in {project.name}: you can read and check this spec, but only editors and owners can
            change, save and start it.
          </p>
        )}

        <div className="grid items-start gap-5 lg:grid-cols-[minmax(0,1fr)_20rem]">
          <div className="min-w-0 space-y-3">
            <div role="tablist" aria-label="Edit the spec as" className="flex gap-1 border-b border-zinc-200">
              {(
                [
                  ['form', 'Form'],
                  ['yaml', 'YAML'],
                ] as const
              ).map(([id, label]) => (
                <button
                  key={id}
                  type="button"
                  role="tab"
                  id={`tab-${id}`}
                  aria-selected={view === id}
                  aria-controls={`panel-${id}`}
                  onClick={() => setView(id)}
                  className={`-mb-px rounded-t border px-3 py-1.5 text-sm ${
                    view === id ? 'border-zinc-200 border-b-white bg-white font-medium' : 'border-transparent text-zinc-500 hover:text-zinc-800'
                  }`}
                >
                  {label}
                  {id === 'yaml' && yamlError && <span className="ml-1 text-red-600">(error)</span>}
                </button>
              ))}
            </div>

            {placed.unplaced.length > 0 && (
              <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                <p className="font-medium">The spec has errors the form has no field for:</p>
                <ul className="mt-1 list-disc pl-5">
                  {placed.unplaced.map((error, i) => (
                    <li key={i}>
                      {error.path && <span className="font-mono text-xs">{error.path}: </span>}
                      {error.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}

            <div role="tabpanel" id={`panel-${view}`} aria-labelledby={`tab-${view}`}>
              {view === 'form' ? (
                <>
                  {(endpoints.isError || datasets.isError || scorers.isError) && (
                    <div className="mb-3">
                      <ErrorState
                        title="Could not load the project's endpoints, datasets or scorers"
                        error={endpoints.error ?? datasets.error ?? scorers.error}
                        onRetry={() => {
                          void endpoints.refetch();
                          void datasets.refetch();
                          void scorers.refetch();
                        }}
                      />
                    </div>
                  )}
                  <SpecFormView
                    form={form}
                    onChange={setForm}
                    lookups={{ endpoints: endpoints.data, datasets: datasets.data, scorers: scorers.data }}
                  />
                </>
              ) : (
                <YamlEditor
                  text={yamlDraft ?? dumpSpecYaml(spec)}
                  onChange={onYamlChange}
                  parseError={yamlError}
                  errors={allErrors}
                  onShowField={showField}
                />
              )}
            </div>
          </div>

          <aside className="space-y-3 lg:sticky lg:top-4">
            <SummaryPanel result={localErrors.length ? undefined : result} checking={checking} strategy={form.strategy.type} />
            {validation.isError && (
              <ErrorState title="Could not check the spec" error={validation.error} onRetry={() => void validation.refetch()} />
            )}
            {allErrors.length > 0 && (
              <div className="panel px-3 py-2 text-sm">
                <p className="font-medium text-red-800">
                  {allErrors.length === 1 ? '1 error' : `${allErrors.length} errors`}
                </p>
                <ul className="mt-1 max-h-48 space-y-0.5 overflow-auto text-xs">
                  {allErrors.map((error, i) => (
                    <li key={i}>
                      {error.path ? (
                        <button type="button" className="link font-mono" onClick={() => showField(error.path)}>
                          {error.path}
                        </button>
                      ) : (
                        <span className="font-mono">(the spec)</span>
                      )}
                      <span className="text-zinc-600">: {error.message}</span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {sameName.data && (
              <p className="text-xs text-amber-800">
                <Link to={`/projects/${project.id}/experiments/${sameName.data.id}`} className="link">
                  {sameName.data.name}
                </Link>{' '}
                exists: saving gives it this spec (its sweeps keep theirs).
              </p>
            )}
            {canEdit ? (
              <div className="space-y-2">
                <button type="button" className="btn-primary w-full" disabled={!ready} onClick={onSave}>
                  {save.isPending ? (
                    <>
                      <Spinner /> Saving and starting…
                    </>
                  ) : (
                    'Save and start'
                  )}
                </button>
                {!ready && !save.isPending && (
                  <p className="text-xs text-zinc-500">
                    {checking ? 'Waiting for the check…' : 'Starts once the spec is valid.'}
                  </p>
                )}
                {save.isError && (
                  <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                    <p className="font-medium">Not saved</p>
                    <p>{errorMessage(save.error)}</p>
                  </div>
                )}
                {unstarted && (
                  <div role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                    <p>
                      Saved as{' '}
                      <Link className="link" to={`/projects/${project.id}/experiments/${unstarted.experiment.id}`}>
                        {unstarted.experiment.name}
                      </Link>
                      , but the sweep did not start: {errorMessage(unstarted.startError)}
                    </p>
                  </div>
                )}
              </div>
            ) : (
              <p className="text-xs text-zinc-500">Only editors and owners can save and start an experiment.</p>
            )}
          </aside>
        </div>
      </div>
    </BuilderContext.Provider>
  );
}

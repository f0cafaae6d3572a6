import type { Dataset, Endpoint, Scorer } from '../../api/builder';
import { fieldId } from '../../builder/errors';
import {
  type DatasetForm,
  move,
  newStage,
  OBJECTIVES,
  removeAt,
  replaceAt,
  type SpecForm,
  stagePrefix,
  STRATEGIES,
  type StrategyForm,
} from '../../builder/form';
import { formatCount } from '../../lib/format';
import { AddButton, FieldErrors, Group, RowControls, SelectField, TextField, useFieldProps, useReadOnly } from './fields';
import { ScorersEditor } from './ScorersEditor';
import { StageEditor } from './StageEditor';

interface Lookups {
  endpoints: Endpoint[] | undefined;
  datasets: Dataset[] | undefined;
  scorers: Scorer[] | undefined;
}

/** Names of the spec's inline endpoints (kept as they are; edited in the YAML). */
export function inlineEndpoints(form: SpecForm): { name: string; base_url?: string }[] {
  const list = form.extra.endpoints;
  if (!Array.isArray(list)) return [];
  return list.flatMap((e) => {
    const endpoint = e as { name?: unknown; base_url?: unknown };
    return typeof endpoint.name === 'string'
      ? [{ name: endpoint.name, base_url: typeof endpoint.base_url === 'string' ? endpoint.base_url : undefined }]
      : [];
  });
}

/** The whole spec as a form: experiment, dataset, stages, scorers, strategy. */
export function SpecFormView({
  form,
  onChange,
  lookups,
}: {
  form: SpecForm;
  onChange: (form: SpecForm) => void;
  lookups: Lookups;
}) {
  const readOnly = useReadOnly();
  const inline = inlineEndpoints(form);
  const endpointNames = [
    ...(lookups.endpoints ?? []).map((e) => e.name),
    ...inline.map((e) => e.name).filter((name) => !(lookups.endpoints ?? []).some((e) => e.name === name)),
  ];

  const setPipeline = (pipeline: boolean) => {
    if (pipeline) {
      const first = form.stages[0] ?? newStage();
      onChange({ ...form, pipeline, stages: [{ ...first, name: first.name === 'main' || !first.name ? 'stage1' : first.name }] });
    } else if (form.stages.length <= 1) {
      onChange({ ...form, pipeline });
    }
  };

  return (
    <div className="space-y-4">
      <Group path="" title="Experiment">
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField path="name" label="Name" required value={form.name} onChange={(name) => onChange({ ...form, name })} hint="Unique in the project: a spec with an existing name updates that experiment." />
          <div>
            <p className="mb-0.5 text-xs font-medium text-zinc-600">Project</p>
            <p id={fieldId('project')} className="py-1 text-sm">
              {form.project || '(default)'}
            </p>
            <FieldErrors path="project" />
          </div>
        </div>
        <TextField
          path="description"
          label="Description"
          value={form.description ?? ''}
          onChange={(description) => onChange({ ...form, description: description === '' && form.description === null ? null : description })}
          multiline
          rows={2}
        />
        {inline.length > 0 && (
          <div id={fieldId('endpoints')} tabIndex={-1}>
            <p className="text-xs font-medium text-zinc-600">Inline endpoints (edit them in the YAML)</p>
            <ul className="mt-0.5 text-sm">
              {inline.map((e) => (
                <li key={e.name}>
                  <span className="font-medium">{e.name}</span> <span className="font-mono text-xs text-zinc-500">{e.base_url}</span>
                </li>
              ))}
            </ul>
            <FieldErrors path="endpoints" />
          </div>
        )}
      </Group>

      <DatasetEditor dataset={form.dataset} datasets={lookups.datasets} onChange={(dataset) => onChange({ ...form, dataset })} />

      <section aria-label="Stages" className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <h2 className="text-sm font-semibold text-zinc-800">{form.pipeline ? 'Pipeline stages' : 'Prompts, models and parameters'}</h2>
          <label className="flex items-center gap-1.5 text-sm">
            <input
              type="checkbox"
              checked={form.pipeline}
              disabled={readOnly || (form.pipeline && form.stages.length > 1)}
              onChange={(event) => setPipeline(event.target.checked)}
            />
            Pipeline of stages
          </label>
          {form.pipeline && form.stages.length > 1 && (
            <span className="text-xs text-zinc-500">(remove stages down to one to make it single-stage)</span>
          )}
        </div>
        {form.pipeline && <FieldErrors path="stages" />}
        {form.stages.map((stage, i) =>
          form.pipeline ? (
            <div key={stage.key} id={fieldId(`stages[${i}]`)} tabIndex={-1} className="space-y-3 rounded-md border-2 border-zinc-300 p-3">
              <div className="flex flex-wrap items-end gap-2">
                <TextField
                  className="w-64"
                  path={`stages[${i}].name`}
                  label={`Stage ${i + 1} name`}
                  required
                  value={stage.name}
                  hint={i > 0 ? 'Later stages read earlier answers: {{ stages.<name>.output }}' : undefined}
                  onChange={(name) => onChange({ ...form, stages: replaceAt(form.stages, i, { ...stage, name }) })}
                />
                <div className="ml-auto">
                  <RowControls
                    what={`stage ${stage.name || i + 1}`}
                    index={i}
                    count={form.stages.length}
                    minimum={1}
                    onMove={(by) => onChange({ ...form, stages: move(form.stages, i, by) })}
                    onRemove={() => onChange({ ...form, stages: removeAt(form.stages, i) })}
                  />
                </div>
              </div>
              <FieldErrors path={`stages[${i}]`} />
              <StageEditor
                stage={stage}
                prefix={stagePrefix(form, i)}
                pipeline
                endpointNames={endpointNames}
                scorers={lookups.scorers}
                onChange={(next) => onChange({ ...form, stages: replaceAt(form.stages, i, next) })}
              />
            </div>
          ) : (
            <StageEditor
              key={stage.key}
              stage={stage}
              prefix=""
              pipeline={false}
              endpointNames={endpointNames}
              scorers={lookups.scorers}
              onChange={(next) => onChange({ ...form, stages: replaceAt(form.stages, i, next) })}
            />
          ),
        )}
        {form.pipeline && (
          <AddButton onClick={() => onChange({ ...form, stages: [...form.stages, newStage(`stage${form.stages.length + 1}`)] })}>
            Add a stage
          </AddButton>
        )}
      </section>

      <ScorersEditor
        path="scorers"
        title="Scorers"
        description={
          form.pipeline
            ? "On the last stage's answer. The composite score is their weighted mean."
            : 'The composite score is their weighted mean (weight 1 unless set).'
        }
        scorers={form.scorers}
        available={lookups.scorers}
        onChange={(scorers) => onChange({ ...form, scorers })}
      />

      <StrategyEditor
        form={form}
        onChange={onChange}
      />
    </div>
  );
}

function DatasetEditor({
  dataset,
  datasets,
  onChange,
}: {
  dataset: DatasetForm;
  datasets: Dataset[] | undefined;
  onChange: (dataset: DatasetForm) => void;
}) {
  const readOnly = useReadOnly();
  const names = (datasets ?? []).map((d) => d.name);
  const itemsProps = useFieldProps('dataset.items');
  return (
    <Group path="dataset" title="Dataset">
      <div role="radiogroup" aria-label="Where the items come from" className="flex flex-wrap gap-4 text-sm">
        {(
          [
            ['name', 'A dataset of the project'],
            ['items', 'Items written here'],
          ] as const
        ).map(([source, label]) => (
          <label key={source} className="flex items-center gap-1.5">
            <input
              type="radio"
              name="dataset-source"
              value={source}
              checked={dataset.source === source}
              disabled={readOnly}
              onChange={() => onChange({ ...dataset, source })}
            />
            {label}
          </label>
        ))}
      </div>
      {dataset.source === 'name' ? (
        <SelectField
          className="max-w-md"
          path="dataset.name"
          label="Stored dataset"
          value={dataset.name}
          options={[
            { value: '', label: datasets === undefined ? 'Loading datasets…' : names.length ? 'Choose a dataset' : 'No datasets in this project' },
            ...(datasets ?? []).map((d) => ({ value: d.name, label: `${d.name} (${formatCount(d.items)} items)` })),
            ...(dataset.name && !names.includes(dataset.name) ? [{ value: dataset.name, label: `${dataset.name} (not in this project)` }] : []),
          ]}
          onChange={(name) => onChange({ ...dataset, name })}
        />
      ) : (
        <div>
          <div className="mb-1 flex items-center gap-3">
            <label htmlFor={itemsProps.id} className="text-xs font-medium text-zinc-600">
              Items
            </label>
            <label className="flex items-center gap-1 text-xs text-zinc-600">
              Format
              <select
                value={dataset.itemsFormat}
                disabled={readOnly}
                onChange={(event) => onChange({ ...dataset, itemsFormat: event.target.value as DatasetForm['itemsFormat'] })}
                className="rounded border border-zinc-300 bg-white px-1 py-0.5 text-xs"
              >
                <option value="jsonl">JSON lines (or a JSON list)</option>
                <option value="csv">CSV with a header</option>
              </select>
            </label>
          </div>
          <textarea
            {...itemsProps}
            value={dataset.itemsText}
            readOnly={readOnly}
            rows={6}
            spellCheck={false}
            placeholder={
              dataset.itemsFormat === 'csv'
                ? 'passage,expected.people,tags\n"Ada met Charles in London.","[""Ada""]",history'
                : '{"input": {"passage": "Ada met Charles in London."}, "expected": {"people": ["Ada"]}}'
            }
            onChange={(event) => onChange({ ...dataset, itemsText: event.target.value })}
            className="w-full resize-y rounded border border-zinc-300 bg-white px-2 py-1 font-mono text-xs aria-invalid:border-red-500 aria-invalid:bg-red-50"
          />
          <p className="text-xs text-zinc-500">
            {dataset.itemsFormat === 'csv'
              ? 'Columns are input keys; an expected column (JSON if it parses) or expected.<key> columns the expected output; tags comma-separated.'
              : 'One item a line: {"input": {...}, "expected": ..., "tags": [...]}. Stored as a dataset named after the experiment.'}
          </p>
          <FieldErrors path="dataset.items" />
        </div>
      )}
      <TextField
        className="w-40"
        path="dataset.limit"
        label="Use the first N items"
        inputMode="numeric"
        placeholder="all"
        value={dataset.limit}
        onChange={(limit) => onChange({ ...dataset, limit })}
      />
    </Group>
  );
}

function StrategyEditor({ form, onChange }: { form: SpecForm; onChange: (form: SpecForm) => void }) {
  const strategy = form.strategy;
  const set = (patch: Partial<StrategyForm>) => onChange({ ...form, strategy: { ...strategy, present: true, ...patch } });
  const objectives = strategy.objectives ?? [];
  const setObjective = (index: 0 | 1, value: string) => {
    const next = [...objectives];
    if (value === '') next.splice(index);
    else next[index] = value;
    set({ objectives: next.length ? next : strategy.objectives === null ? null : [] });
  };
  const halving = strategy.halving ?? { minItems: '', eta: '', extra: {} };
  const setHalving = (patch: Partial<typeof halving>) => {
    const next = { ...halving, ...patch };
    const empty = !next.minItems && !next.eta && Object.keys(next.extra).length === 0;
    set({ halving: empty ? null : next });
  };
  const types = STRATEGIES.includes(strategy.type as (typeof STRATEGIES)[number]) ? [...STRATEGIES] : [...STRATEGIES, strategy.type];
  const needsBudget = strategy.type === 'random' || strategy.type === 'guided';
  return (
    <Group path="strategy" title="Search and run">
      <div className="flex flex-wrap items-start gap-3">
        <SelectField
          className="w-40"
          path="strategy.type"
          label="Strategy"
          value={strategy.type}
          options={types.map((type) => ({ value: type, label: type }))}
          onChange={(type) => set({ type, typeGiven: true })}
          hint={
            strategy.type === 'grid'
              ? 'Every config on every item.'
              : strategy.type === 'random'
                ? 'Budget runs drawn at random.'
                : 'Optuna with successive halving.'
          }
        />
        <TextField
          className="w-36"
          path="strategy.budget"
          label={needsBudget ? 'Budget (runs)' : 'Budget (runs, optional cap)'}
          required={needsBudget}
          inputMode="numeric"
          value={strategy.budget}
          onChange={(budget) => set({ budget })}
        />
        <TextField className="w-28" path="strategy.seed" label="Seed" inputMode="numeric" placeholder="0" value={strategy.seed} onChange={(seed) => set({ seed })} />
        <TextField className="w-28" path="samples" label="Samples" inputMode="numeric" placeholder="1" value={form.samples} onChange={(samples) => onChange({ ...form, samples })} hint="per item and config" />
        <TextField
          className="w-32"
          path="concurrency"
          label="Concurrency"
          inputMode="numeric"
          placeholder="16"
          value={form.concurrency}
          onChange={(concurrency) => onChange({ ...form, concurrency })}
          hint="calls in flight"
        />
      </div>
      {strategy.type === 'guided' && (
        <div className="flex flex-wrap items-start gap-3">
          <SelectField
            className="w-40"
            path="strategy.objectives"
            label="Objective"
            value={objectives[0] ?? ''}
            options={[{ value: '', label: 'score (default)' }, ...OBJECTIVES.map((o) => ({ value: o, label: o }))]}
            onChange={(value) => setObjective(0, value)}
          />
          <SelectField
            className="w-48"
            path="strategy.objectives#2"
            label="Second objective (Pareto front)"
            value={objectives[1] ?? ''}
            disabled={objectives.length === 0}
            options={[{ value: '', label: 'none' }, ...OBJECTIVES.map((o) => ({ value: o, label: o }))]}
            onChange={(value) => setObjective(1, value)}
          />
          <TextField
            className="w-36"
            path="strategy.halving.min_items"
            label="Items at first rung"
            inputMode="numeric"
            placeholder="derived"
            value={halving.minItems}
            onChange={(minItems) => setHalving({ minItems })}
          />
          <TextField
            className="w-32"
            path="strategy.halving.eta"
            label="Halving factor (eta)"
            inputMode="numeric"
            placeholder="3"
            value={halving.eta}
            onChange={(eta) => setHalving({ eta })}
          />
          <FieldErrors path="strategy.halving" />
        </div>
      )}
      {strategy.type === 'guided' && form.pipeline && (
        <p className="text-xs text-amber-800">Guided search does not run over pipeline stages yet: use grid or random.</p>
      )}
    </Group>
  );
}

/**
 * A config as people read it, and the axes it has values on: the server's
 * rules (experiments/config_labels.py, experiments/analysis/axes.py) for
 * the rows the leaderboard endpoint sends without a `label`.
 */

type Obj = Record<string, unknown>;

interface StageChoice {
  stage?: string | null;
  prompt?: string | null;
  endpoint?: string | null;
  model?: string | null;
  params?: Obj | null;
}

const SHORT_PARAMS: Record<string, string> = { temperature: 't' };
const FIXED_AXES = ['prompt', 'model'];

function valueText(value: unknown): string {
  if (typeof value === 'boolean' || value === null || value === undefined) return JSON.stringify(value ?? null);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Python's str() of a param value in a single-stage label (JSON has no 0.0: it reads 0). */
function pyText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function paramsText(params: Obj): string {
  return Object.keys(params)
    .sort()
    .map((name) => `${SHORT_PARAMS[name] ?? name}=${valueText(params[name])}`)
    .join(' ');
}

function stageLabel(row: StageChoice): string {
  const label = `${row.stage}: ${row.prompt}/${row.endpoint}/${row.model}`;
  const params = paramsText(row.params ?? {});
  return params ? `${label} ${params}` : label;
}

/**
 * One line per config: a pipeline's choice per stage, else
 * `prompt / endpoint:model (params)`. An integral float prints as an
 * integer (JSON has no 0.0), where the server writes 0.0.
 */
export function rowLabel(row: { label?: string; config: Obj; stages?: readonly StageChoice[] }): string {
  if (row.label) return row.label;
  if (row.stages && row.stages.length > 0) return row.stages.map(stageLabel).join(' | ');
  const config = row.config;
  const params = (config.params as Obj | undefined) ?? {};
  const text = Object.keys(params)
    .sort()
    .map((name) => `${name}=${pyText(params[name])}`)
    .join(', ');
  return `${String(config.prompt)} / ${String(config.endpoint)}:${String(config.model)} (${text})`;
}

function choiceAxes(choice: Obj, prefix: string): Record<string, unknown> {
  const axes: Record<string, unknown> = {
    [`${prefix}prompt`]: choice.prompt,
    [`${prefix}model`]: `${String(choice.endpoint)}/${String(choice.model)}`,
  };
  for (const [name, value] of Object.entries((choice.params as Obj | undefined) ?? {})) {
    axes[`${prefix}${FIXED_AXES.includes(name) ? `params.${name}` : name}`] = value;
  }
  return axes;
}

/** Axis name -> the config's value on it (`prompt`, `model`, each param; per stage for a pipeline). */
export function configAxes(config: Obj): Record<string, unknown> {
  const stages = Array.isArray(config.stages) ? (config.stages as Obj[]) : [];
  if (stages.length === 0) return choiceAxes(config, '');
  return Object.assign({}, ...stages.map((choice) => choiceAxes(choice, `${String(choice.name)}.`)));
}

/** A leaderboard row's axes: a pipeline's from its `stages`, else from its config. */
export function rowAxes(row: { config: Obj; stages?: readonly StageChoice[] }): Record<string, unknown> {
  if (!row.stages || row.stages.length === 0) return configAxes(row.config);
  return Object.assign(
    {},
    ...row.stages.map((choice) => choiceAxes(choice as Obj, `${String(choice.stage)}.`)),
  );
}

/** Every axis of the rows, the ones with more than one value first, in first-seen order. */
export function sweepAxes(rows: readonly { config: Obj; stages?: readonly StageChoice[] }[]): { name: string; values: number }[] {
  const seen = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const [name, value] of Object.entries(rowAxes(row))) {
      const values = seen.get(name) ?? new Set<string>();
      values.add(JSON.stringify(value ?? null));
      seen.set(name, values);
    }
  }
  const axes = [...seen].map(([name, values]) => ({ name, values: values.size }));
  return [...axes.filter((a) => a.values > 1), ...axes.filter((a) => a.values <= 1)];
}

/** An axis value as the heatmap and the marginals show it. */
export function axisValueText(value: unknown): string {
  if (typeof value === 'string') return value;
  return valueText(value);
}

/**
 * The axes the run explorer filters by, named as the API's `axis` filter
 * names them (experiments/api/filters.py): prompt, endpoint, model and
 * params.KEY of a single-stage config, STAGE.prompt ... STAGE.params.KEY of
 * each stage of a pipeline.
 */

type Obj = Record<string, unknown>;

interface Choice {
  prompt?: unknown;
  endpoint?: unknown;
  model?: unknown;
  params?: unknown;
}

/** A config as the leaderboard sends it: a pipeline's choices in `stages`, named by `stage`. */
export interface ConfigRow {
  config: Obj;
  stages?: readonly (Choice & { stage?: string | null })[];
}

export interface AxisChoice {
  name: string;
  values: string[];
}

/**
 * An axis value as the API's filter takes it: a string as it is, anything
 * else as JSON (the API reads `0.2` as the number and `true` as the boolean).
 */
export function axisValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

function choiceValues(choice: Choice, prefix: string, into: Map<string, Set<string>>) {
  const add = (name: string, value: unknown) => {
    const values = into.get(name) ?? new Set<string>();
    values.add(axisValue(value));
    into.set(name, values);
  };
  for (const field of ['prompt', 'endpoint', 'model'] as const) {
    if (choice[field] !== undefined) add(`${prefix}${field}`, choice[field]);
  }
  const params = choice.params && typeof choice.params === 'object' ? (choice.params as Obj) : {};
  for (const [key, value] of Object.entries(params)) add(`${prefix}params.${key}`, value);
}

const byText = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * Every axis on which the configs differ, with its values: the ones a
 * filter can tell apart (an axis of one value would match every run).
 */
export function axisChoices(rows: readonly ConfigRow[]): AxisChoice[] {
  const seen = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.stages && row.stages.length > 0) {
      for (const stage of row.stages) choiceValues(stage, `${String(stage.stage)}.`, seen);
    } else {
      choiceValues(row.config, '', seen);
    }
  }
  return [...seen]
    .filter(([, values]) => values.size > 1)
    .map(([name, values]) => ({ name, values: [...values].sort(byText) }));
}

/** The scorers the configs were scored by, in first-seen order. */
export function scorerNames(scores: readonly (Readonly<Record<string, unknown>> | undefined)[]): string[] {
  const names = new Set<string>();
  for (const row of scores) for (const name of Object.keys(row ?? {})) names.add(name);
  return [...names];
}

/**
 * The builder's form state and its two-way conversion with the spec
 * document (docs/spec.md). Every field of the spec the form does not edit
 * (inline endpoints, `version`, a prompt's `description`, unknown keys the
 * server will refuse) is kept as it came, so spec -> form -> spec changes
 * nothing. Lists that were absent stay absent (null), so defaults are not
 * written out.
 */
import { itemsFromCsv } from './csv';
import { numberFromText, textFromNumber, textToValue, valueToText } from './values';

export type Json = unknown;
export type Extra = Record<string, Json>;

export const ROLES = ['system', 'user', 'assistant'] as const;
export const STRATEGIES = ['grid', 'random', 'guided'] as const;
export const OBJECTIVES = ['score', '-cost', '-latency'] as const;

export interface MessageForm {
  key: string;
  role: string;
  content: string;
  extra: Extra;
}

export interface PromptForm {
  key: string;
  name: string;
  /** `template` is the spec's shorthand for one user message. */
  mode: 'messages' | 'template';
  messages: MessageForm[];
  template: string;
  extra: Extra;
}

export interface ModelForm {
  key: string;
  endpoint: string;
  model: string;
  extra: Extra;
}

export interface ValueForm {
  key: string;
  text: string;
}

export interface AxisForm {
  key: string;
  name: string;
  values: ValueForm[];
  /** Written as one value rather than a list (`max_tokens: 256`). */
  scalar: boolean;
}

export interface OptionForm {
  key: string;
  name: string;
  text: string;
  /** `string`: the text as typed (templates); `yaml`: the text read as YAML. */
  kind: 'string' | 'yaml';
}

export interface ScorerForm {
  key: string;
  type: string;
  name: string;
  weight: string;
  options: OptionForm[];
}

export interface StageForm {
  key: string;
  name: string;
  prompts: PromptForm[];
  models: ModelForm[];
  params: AxisForm[] | null;
  scorers: ScorerForm[] | null;
  extra: Extra;
}

export interface DatasetForm {
  source: 'name' | 'items';
  name: string;
  itemsText: string;
  itemsFormat: 'jsonl' | 'csv';
  limit: string;
  extra: Extra;
}

export interface HalvingForm {
  minItems: string;
  eta: string;
  extra: Extra;
}

export interface StrategyForm {
  /** Whether the spec has a `strategy` at all (absent is a grid). */
  present: boolean;
  typeGiven: boolean;
  type: string;
  budget: string;
  seed: string;
  objectives: string[] | null;
  halving: HalvingForm | null;
  extra: Extra;
}

export interface SpecForm {
  name: string;
  project: string;
  description: string | null;
  pipeline: boolean;
  /** One stage (its name unused) for a single-stage spec. */
  stages: StageForm[];
  dataset: DatasetForm;
  scorers: ScorerForm[] | null;
  strategy: StrategyForm;
  samples: string;
  concurrency: string;
  extra: Extra;
  /** The top-level keys in the order the spec had them, for a stable YAML. */
  order: string[];
}

/** The spec cannot be shown in the form (a list that is not a list...). */
export class FormShapeError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'FormShapeError';
    this.path = path;
  }
}

let counter = 0;
/** A row's React key: rows move, so their index is not one. */
export function newKey(): string {
  counter += 1;
  return `k${counter}`;
}

// ---------------------------------------------------------------- new rows

export function newMessage(role = 'user', content = ''): MessageForm {
  return { key: newKey(), role, content, extra: {} };
}

export function newPrompt(name = ''): PromptForm {
  return {
    key: newKey(),
    name,
    mode: 'messages',
    messages: [newMessage('user', '')],
    template: '',
    extra: {},
  };
}

export function newModel(endpoint = ''): ModelForm {
  return { key: newKey(), endpoint, model: '', extra: {} };
}

export function newValue(text = ''): ValueForm {
  return { key: newKey(), text };
}

export function newAxis(name = ''): AxisForm {
  return { key: newKey(), name, values: [newValue()], scalar: false };
}

export function newScorer(type = ''): ScorerForm {
  return { key: newKey(), type, name: '', weight: '', options: [] };
}

export function newOption(name: string, kind: OptionForm['kind'], text = ''): OptionForm {
  return { key: newKey(), name, text, kind };
}

export function newStage(name = ''): StageForm {
  return {
    key: newKey(),
    name,
    prompts: [newPrompt()],
    models: [newModel()],
    params: null,
    scorers: null,
    extra: {},
  };
}

/** A new experiment's form: one stage, one prompt, one model, a stored dataset, a grid. */
export function emptyForm(project: string): SpecForm {
  return {
    name: '',
    project,
    description: null,
    pipeline: false,
    stages: [newStage('main')],
    dataset: { source: 'name', name: '', itemsText: '', itemsFormat: 'jsonl', limit: '', extra: {} },
    scorers: null,
    strategy: {
      present: false,
      typeGiven: false,
      type: 'grid',
      budget: '',
      seed: '',
      objectives: null,
      halving: null,
      extra: {},
    },
    samples: '',
    concurrency: '',
    extra: {},
    order: [],
  };
}

// ------------------------------------------------------------ spec -> form

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, path: string): Record<string, Json> {
  if (!isObject(value)) throw new FormShapeError(path, 'must be a mapping');
  return value;
}

function listAt(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new FormShapeError(path, 'must be a list');
  return value;
}

function textAt(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new FormShapeError(path, 'must be text');
}

/** `source` without the keys the form edits. */
function rest(source: Record<string, Json>, known: readonly string[]): Extra {
  const extra: Extra = {};
  for (const [key, value] of Object.entries(source)) {
    if (!known.includes(key)) extra[key] = value;
  }
  return extra;
}

function messageFromSpec(value: unknown, path: string): MessageForm {
  const message = objectAt(value, path);
  return {
    key: newKey(),
    role: textAt(message.role, `${path}.role`),
    content: textAt(message.content, `${path}.content`),
    extra: rest(message, ['role', 'content']),
  };
}

function promptFromSpec(value: unknown, path: string): PromptForm {
  const prompt = objectAt(value, path);
  const useTemplate = !('messages' in prompt) && 'template' in prompt;
  const messages = 'messages' in prompt ? listAt(prompt.messages, `${path}.messages`) : [];
  return {
    key: newKey(),
    name: textAt(prompt.name, `${path}.name`),
    mode: useTemplate ? 'template' : 'messages',
    messages: messages.map((m, i) => messageFromSpec(m, `${path}.messages[${i}]`)),
    template: useTemplate ? textAt(prompt.template, `${path}.template`) : '',
    extra: rest(prompt, useTemplate ? ['name', 'template'] : ['name', 'messages']),
  };
}

function modelFromSpec(value: unknown, path: string): ModelForm {
  const model = objectAt(value, path);
  return {
    key: newKey(),
    endpoint: textAt(model.endpoint, `${path}.endpoint`),
    model: textAt(model.model, `${path}.model`),
    extra: rest(model, ['endpoint', 'model']),
  };
}

function axesFromSpec(value: unknown, path: string): AxisForm[] {
  return Object.entries(objectAt(value, path)).map(([name, axis]) => ({
    key: newKey(),
    name,
    scalar: !Array.isArray(axis),
    values: (Array.isArray(axis) ? axis : [axis]).map((v) => newValue(valueToText(v))),
  }));
}

function scorerFromSpec(value: unknown, path: string): ScorerForm {
  const scorer = objectAt(value, path);
  return {
    key: newKey(),
    type: textAt(scorer.type, `${path}.type`),
    name: textAt(scorer.name, `${path}.name`),
    weight: textFromNumber(scorer.weight),
    options: Object.entries(rest(scorer, ['type', 'name', 'weight'])).map(([name, option]) =>
      typeof option === 'string'
        ? newOption(name, 'string', option)
        : newOption(name, 'yaml', valueToText(option)),
    ),
  };
}

function scorersFromSpec(value: unknown, path: string): ScorerForm[] | null {
  if (value === undefined) return null;
  return listAt(value, path).map((s, i) => scorerFromSpec(s, `${path}[${i}]`));
}

function stageFromSpec(value: unknown, path: string, prefix: string): StageForm {
  const stage = objectAt(value, path);
  return {
    key: newKey(),
    name: prefix ? textAt(stage.name, `${path}.name`) : 'main',
    prompts: listAt(stage.prompts ?? [], `${prefix}prompts`).map((p, i) =>
      promptFromSpec(p, `${prefix}prompts[${i}]`),
    ),
    models: listAt(stage.models ?? [], `${prefix}models`).map((m, i) =>
      modelFromSpec(m, `${prefix}models[${i}]`),
    ),
    params: stage.params === undefined ? null : axesFromSpec(stage.params, `${prefix}params`),
    scorers: prefix ? scorersFromSpec(stage.scorers, `${prefix}scorers`) : null,
    extra: prefix ? rest(stage, ['name', 'prompts', 'models', 'params', 'scorers']) : {},
  };
}

/** JSON lines, one item a line: what the items field shows. */
export function itemsToText(items: unknown[]): string {
  return items.map((item) => JSON.stringify(item)).join('\n');
}

function datasetFromSpec(value: unknown): DatasetForm {
  const dataset = value === undefined ? {} : objectAt(value, 'dataset');
  const inline = !('name' in dataset) && 'items' in dataset;
  return {
    source: inline ? 'items' : 'name',
    name: inline ? '' : textAt(dataset.name, 'dataset.name'),
    itemsText: inline ? itemsToText(listAt(dataset.items, 'dataset.items')) : '',
    itemsFormat: 'jsonl',
    limit: textFromNumber(dataset.limit),
    extra: rest(dataset, inline ? ['items', 'limit'] : ['name', 'limit']),
  };
}

function strategyFromSpec(value: unknown): StrategyForm {
  const strategy = value === undefined ? {} : objectAt(value, 'strategy');
  const objectives = strategy.objectives;
  const halving = strategy.halving === undefined ? null : objectAt(strategy.halving, 'strategy.halving');
  const known = ['type', 'budget', 'seed', 'halving'];
  if (objectives === undefined || Array.isArray(objectives)) known.push('objectives');
  return {
    present: value !== undefined,
    typeGiven: 'type' in strategy,
    type: 'type' in strategy ? textAt(strategy.type, 'strategy.type') : 'grid',
    budget: textFromNumber(strategy.budget),
    seed: textFromNumber(strategy.seed),
    objectives: Array.isArray(objectives) ? objectives.map((o) => textAt(o, 'strategy.objectives')) : null,
    halving: halving && {
      minItems: textFromNumber(halving.min_items),
      eta: textFromNumber(halving.eta),
      extra: rest(halving, ['min_items', 'eta']),
    },
    extra: rest(strategy, known),
  };
}

const SINGLE_STAGE_KEYS = ['prompts', 'models', 'params'];
const FORM_KEYS = ['name', 'project', 'description', 'dataset', 'scorers', 'strategy', 'samples', 'concurrency'];

/** The form for a spec document (parsed YAML or JSON); FormShapeError when it cannot show it. */
export function specToForm(document: unknown): SpecForm {
  const spec = objectAt(document, '(the spec)');
  const pipeline = 'stages' in spec;
  const stages = pipeline
    ? listAt(spec.stages, 'stages').map((s, i) => stageFromSpec(s, `stages[${i}]`, `stages[${i}].`))
    : [stageFromSpec({ prompts: spec.prompts, models: spec.models, params: spec.params }, '(the spec)', '')];
  return {
    name: textAt(spec.name, 'name'),
    project: textAt(spec.project, 'project'),
    description: spec.description === undefined ? null : textAt(spec.description, 'description'),
    pipeline,
    stages,
    dataset: datasetFromSpec(spec.dataset),
    scorers: scorersFromSpec(spec.scorers, 'scorers'),
    strategy: strategyFromSpec(spec.strategy),
    samples: textFromNumber(spec.samples),
    concurrency: textFromNumber(spec.concurrency),
    extra: rest(spec, [...FORM_KEYS, ...(pipeline ? ['stages'] : SINGLE_STAGE_KEYS)]),
    order: Object.keys(spec),
  };
}

// ------------------------------------------------------------ form -> spec

/** A value the form cannot turn into the spec (items that do not parse), at its path. */
export interface LocalError {
  path: string;
  message: string;
}

function put(target: Record<string, Json>, key: string, value: Json | undefined): void {
  if (value !== undefined) target[key] = value;
}

function textOrUndefined(text: string): string | undefined {
  return text === '' ? undefined : text;
}

function promptToSpec(prompt: PromptForm): Record<string, Json> {
  const out: Record<string, Json> = { name: prompt.name };
  if (prompt.mode === 'template') {
    out.template = prompt.template;
  } else {
    out.messages = prompt.messages.map((m) => ({ role: m.role, content: m.content, ...m.extra }));
  }
  return { ...out, ...prompt.extra };
}

function axesToSpec(axes: AxisForm[], prefix: string, errors: LocalError[]): Record<string, Json> {
  const params: Record<string, Json> = {};
  for (const axis of axes) {
    // A mapping has each key once: a second axis of one name would replace the first.
    if (axis.name in params || axis.name === '') {
      errors.push({
        path: `${prefix}params.${axis.name}`,
        message: axis.name ? `the parameter "${axis.name}" is listed twice` : 'a parameter needs a name',
      });
      continue;
    }
    const values = axis.values.map((v) => textToValue(v.text));
    params[axis.name] = axis.scalar && values.length === 1 ? values[0] : values;
  }
  return params;
}

function scorerToSpec(scorer: ScorerForm): Record<string, Json> {
  const out: Record<string, Json> = { type: scorer.type };
  put(out, 'name', textOrUndefined(scorer.name));
  put(out, 'weight', numberFromText(scorer.weight));
  for (const option of scorer.options) {
    out[option.name] = option.kind === 'string' ? option.text : textToValue(option.text);
  }
  return out;
}

function stageToSpec(stage: StageForm, prefix: string, errors: LocalError[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (prefix) out.name = stage.name;
  out.prompts = stage.prompts.map(promptToSpec);
  out.models = stage.models.map((m) => ({ endpoint: m.endpoint, model: m.model, ...m.extra }));
  if (stage.params) out.params = axesToSpec(stage.params, prefix, errors);
  if (prefix && stage.scorers) out.scorers = stage.scorers.map(scorerToSpec);
  return { ...out, ...stage.extra };
}

/** The items the items field holds (JSON lines, a JSON list, or CSV), or the reason it cannot be read. */
export function parseItems(text: string, format: DatasetForm['itemsFormat']): unknown[] | LocalError {
  if (format === 'csv') return itemsFromCsv(text);
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const items: unknown = JSON.parse(trimmed);
      if (Array.isArray(items)) return items;
    } catch (error) {
      return { path: 'dataset.items', message: `not a JSON list: ${(error as Error).message}` };
    }
  }
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      items.push(JSON.parse(line));
    } catch {
      return { path: 'dataset.items', message: `line ${index + 1} is not JSON` };
    }
  }
  return items;
}

function datasetToSpec(dataset: DatasetForm, errors: LocalError[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (dataset.source === 'items') {
    const items = parseItems(dataset.itemsText, dataset.itemsFormat);
    if (Array.isArray(items)) out.items = items;
    else errors.push(items);
  } else {
    out.name = dataset.name;
  }
  put(out, 'limit', numberFromText(dataset.limit));
  return { ...out, ...dataset.extra };
}

function strategyToSpec(strategy: StrategyForm): Record<string, Json> | undefined {
  const out: Record<string, Json> = {};
  if (strategy.typeGiven || strategy.type !== 'grid') out.type = strategy.type;
  put(out, 'budget', numberFromText(strategy.budget));
  put(out, 'seed', numberFromText(strategy.seed));
  if (strategy.objectives) out.objectives = [...strategy.objectives];
  if (strategy.halving) {
    const halving: Record<string, Json> = {};
    put(halving, 'min_items', numberFromText(strategy.halving.minItems));
    put(halving, 'eta', numberFromText(strategy.halving.eta));
    out.halving = { ...halving, ...strategy.halving.extra };
  }
  const spec = { ...out, ...strategy.extra };
  return strategy.present || Object.keys(spec).length > 0 ? spec : undefined;
}

const CANONICAL_ORDER = [
  'version', 'name', 'project', 'description', 'endpoints', 'dataset', 'prompts', 'models',
  'params', 'stages', 'samples', 'scorers', 'strategy', 'concurrency',
];

/** The spec the form stands for, with what could not be read (then left out) at its path. */
export function formToSpec(form: SpecForm): { spec: Record<string, Json>; errors: LocalError[] } {
  const errors: LocalError[] = [];
  const fields: Record<string, Json> = { ...form.extra };
  fields.name = form.name;
  put(fields, 'project', textOrUndefined(form.project));
  put(fields, 'description', form.description ?? undefined);
  fields.dataset = datasetToSpec(form.dataset, errors);
  if (form.pipeline) {
    fields.stages = form.stages.map((stage, i) => stageToSpec(stage, `stages[${i}].`, errors));
  } else {
    const main = form.stages[0];
    if (main) Object.assign(fields, stageToSpec(main, '', errors));
  }
  put(fields, 'samples', numberFromText(form.samples));
  if (form.scorers) fields.scorers = form.scorers.map(scorerToSpec);
  put(fields, 'strategy', strategyToSpec(form.strategy));
  put(fields, 'concurrency', numberFromText(form.concurrency));

  const rank = (key: string) => {
    const seen = form.order.indexOf(key);
    if (seen >= 0) return seen;
    const canonical = CANONICAL_ORDER.indexOf(key);
    return form.order.length + (canonical >= 0 ? canonical : CANONICAL_ORDER.length);
  };
  const spec: Record<string, Json> = {};
  for (const key of Object.keys(fields).sort((a, b) => rank(a) - rank(b))) spec[key] = fields[key];
  return { spec, errors };
}

// ------------------------------------------------------------ editing

/** Move a row up (-1) or down (+1); out of range leaves the list as it is. */
export function move<T>(list: T[], index: number, by: -1 | 1): T[] {
  const target = index + by;
  if (target < 0 || target >= list.length) return list;
  const next = [...list];
  const [row] = next.splice(index, 1);
  next.splice(target, 0, row as T);
  return next;
}

export function replaceAt<T>(list: T[], index: number, row: T): T[] {
  return list.map((old, i) => (i === index ? row : old));
}

export function removeAt<T>(list: T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

/** The path prefix of a stage's fields: `stages[1].` in a pipeline, nothing for a single stage. */
export function stagePrefix(form: SpecForm, index: number): string {
  return form.pipeline ? `stages[${index}].` : '';
}

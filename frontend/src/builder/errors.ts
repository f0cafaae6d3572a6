/**
 * Spec errors carry the validator's field paths (`stages[1].models[0].endpoint`,
 * `strategy.budget`). The form registers a path for every field and row it
 * shows; an error goes to the deepest one its path starts with, and the rest
 * to the summary at the top.
 */
import type { ErrorItem } from '../api/errors';
import type { ScorerForm, SpecForm } from './form';
import { stagePrefix } from './form';

/** The DOM id of a field's input (or row) for a spec path: unique, and valid in a selector. */
export function fieldId(path: string): string {
  return `spec-${path.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

/** The id of the element that shows a field's errors (its `aria-describedby`). */
export function errorId(path: string): string {
  return `${fieldId(path)}-error`;
}

function scorerPaths(paths: Set<string>, list: string, scorers: ScorerForm[] | null): void {
  paths.add(list);
  scorers?.forEach((scorer, i) => {
    const at = `${list}[${i}]`;
    paths.add(at);
    for (const field of ['type', 'name', 'weight']) paths.add(`${at}.${field}`);
    for (const option of scorer.options) paths.add(`${at}.${option.name}`);
  });
}

/** Every path the form shows a field or a row for, given what it holds now. */
export function fieldPaths(form: SpecForm): Set<string> {
  const paths = new Set<string>([
    'name',
    'project',
    'description',
    'endpoints',
    'dataset',
    'dataset.limit',
    form.dataset.source === 'items' ? 'dataset.items' : 'dataset.name',
    'samples',
    'concurrency',
    'strategy',
    'strategy.type',
    'strategy.budget',
    'strategy.seed',
    'strategy.objectives',
  ]);
  if (form.strategy.halving || form.strategy.type === 'guided') {
    for (const field of ['halving', 'halving.min_items', 'halving.eta']) paths.add(`strategy.${field}`);
  }
  if (form.pipeline) paths.add('stages');
  form.stages.forEach((stage, s) => {
    const prefix = stagePrefix(form, s);
    if (form.pipeline) {
      paths.add(`stages[${s}]`);
      paths.add(`stages[${s}].name`);
      scorerPaths(paths, `${prefix}scorers`, stage.scorers);
    }
    paths.add(`${prefix}prompts`);
    stage.prompts.forEach((prompt, p) => {
      const at = `${prefix}prompts[${p}]`;
      paths.add(at);
      paths.add(`${at}.name`);
      if (prompt.mode === 'template') {
        paths.add(`${at}.template`);
      } else {
        paths.add(`${at}.messages`);
        prompt.messages.forEach((_, m) => {
          paths.add(`${at}.messages[${m}]`);
          paths.add(`${at}.messages[${m}].role`);
          paths.add(`${at}.messages[${m}].content`);
        });
      }
    });
    paths.add(`${prefix}models`);
    stage.models.forEach((_, m) => {
      const at = `${prefix}models[${m}]`;
      for (const path of [at, `${at}.endpoint`, `${at}.model`]) paths.add(path);
    });
    paths.add(`${prefix}params`);
    for (const axis of stage.params ?? []) paths.add(`${prefix}params.${axis.name}`);
  });
  scorerPaths(paths, 'scorers', form.scorers);
  return paths;
}

/** A path without its last part: `a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> ''. */
export function parentPath(path: string): string {
  const match = /(\.[^.[\]]+|\[\d+\])$/.exec(path);
  return match ? path.slice(0, match.index) : '';
}

export interface PlacedErrors {
  /** By field path, the messages to show there. */
  byField: Map<string, string[]>;
  /** Errors no field on screen stands for. */
  unplaced: ErrorItem[];
}

/** Each error at the deepest field on screen its path falls under, or in `unplaced`. */
export function placeErrors(errors: ErrorItem[], fields: Set<string>): PlacedErrors {
  const byField = new Map<string, string[]>();
  const unplaced: ErrorItem[] = [];
  for (const error of errors) {
    let path = error.path;
    while (path && !fields.has(path)) path = parentPath(path);
    if (!path) {
      unplaced.push(error);
      continue;
    }
    // Shown under a parent, the message keeps the part of the path it is about.
    const message =
      path === error.path ? error.message : `${error.path.slice(path.length).replace(/^\./, '')}: ${error.message}`;
    byField.set(path, [...(byField.get(path) ?? []), message]);
  }
  return { byField, unplaced };
}

/** The API's error items from a validate answer's loosely typed list. */
export function errorItems(raw: readonly unknown[]): ErrorItem[] {
  return raw.flatMap((entry) => {
    const item = entry as { path?: unknown; message?: unknown };
    return typeof item.message === 'string'
      ? [{ path: typeof item.path === 'string' ? item.path : '', message: item.message }]
      : [];
  });
}

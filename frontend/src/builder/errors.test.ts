import { describe, expect, it } from 'vitest';
import { fieldId, fieldPaths, parentPath, placeErrors } from './errors';
import { specToForm } from './form';

const PIPELINE = specToForm({
  name: 'p',
  dataset: { items: [{ input: { passage: 'a' } }] },
  stages: [
    {
      name: 'extract',
      prompts: [{ name: 'terse', messages: [{ role: 'system', content: 'x' }, { role: 'user', content: '{{ passage }}' }] }],
      models: [{ endpoint: 'local', model: 'm' }],
      params: { temperature: [0, 0.7] },
    },
    {
      name: 'normalise',
      prompts: [{ name: 'to-json', template: '{{ stages.extract.output }}' }],
      models: [{ endpoint: 'local', model: 'n' }, { endpoint: 'nope', model: 'n' }],
      scorers: [{ type: 'json_valid' }],
    },
  ],
  scorers: [{ type: 'json_f1', field: 'people' }],
  strategy: { type: 'random', budget: 10 },
});

function place(path: string, form = PIPELINE) {
  const { byField, unplaced } = placeErrors([{ path, message: 'wrong' }], fieldPaths(form));
  return { fields: [...byField.entries()], unplaced: unplaced.map((e) => e.path) };
}

describe('placing an error at its field', () => {
  it.each([
    ['stages[1].models[1].endpoint', 'stages[1].models[1].endpoint', 'wrong'],
    ['stages[0].prompts[0].messages[1].content', 'stages[0].prompts[0].messages[1].content', 'wrong'],
    ['stages[1].prompts[0].template', 'stages[1].prompts[0].template', 'wrong'],
    ['strategy.budget', 'strategy.budget', 'wrong'],
    ['scorers[0].field', 'scorers[0].field', 'wrong'],
    ['stages[1].scorers[0].weight', 'stages[1].scorers[0].weight', 'wrong'],
    ['stages[0].params.temperature', 'stages[0].params.temperature', 'wrong'],
    // Deeper than any field: shown at the nearest one, naming the rest of the path.
    ['stages[0].params.temperature[1]', 'stages[0].params.temperature', '[1]: wrong'],
    ['dataset.items[3].input', 'dataset.items', '[3].input: wrong'],
    ['stages[1].models[1].extra_key', 'stages[1].models[1]', 'extra_key: wrong'],
    ['scorers[0].schema', 'scorers[0]', 'schema: wrong'],
  ])('%s goes to %s', (path, field, message) => {
    expect(place(path)).toEqual({ fields: [[field, [message]]], unplaced: [] });
  });

  it('puts errors no field stands for in the summary', () => {
    expect(place('foo').unplaced).toEqual(['foo']);
    expect(place('').unplaced).toEqual(['']);
    expect(place('version').unplaced).toEqual(['version']);
  });

  it('uses the single-stage paths for a spec without stages', () => {
    const single = specToForm({
      name: 's',
      dataset: { name: 'd' },
      prompts: [{ name: 'a', messages: [{ role: 'user', content: 'x' }] }],
      models: [{ endpoint: 'e', model: 'm' }],
    });
    expect(place('prompts[0].messages[0].content', single).fields[0]?.[0]).toBe('prompts[0].messages[0].content');
    expect(place('models[0].endpoint', single).fields[0]?.[0]).toBe('models[0].endpoint');
    // The form shows no items field for a stored dataset.
    expect(place('dataset.items', single).fields[0]?.[0]).toBe('dataset');
    expect(place('stages[0].name', single).unplaced).toEqual(['stages[0].name']);
  });

  it('walks a path up one part at a time', () => {
    expect(parentPath('stages[1].models[0].endpoint')).toBe('stages[1].models[0]');
    expect(parentPath('stages[1].models[0]')).toBe('stages[1].models');
    expect(parentPath('strategy')).toBe('');
  });

  it('gives every path its own element id', () => {
    expect(fieldId('stages[1].models[0].endpoint')).not.toBe(fieldId('stages_1_.models_0_.endpoint'));
    expect(fieldId('a.b')).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formToSpec, type SpecForm, specToForm } from './form';
import { valueToText, textToValue } from './values';
import { dumpSpecYaml, parseSpecYaml } from './yaml';

/** One of the repository's demo specs, as the command line reads it. */
function example(name: string): unknown {
  const path = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples', name);
  const parsed = parseSpecYaml(readFileSync(path, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** The form without its rows' React keys, which are new on every conversion. */
function withoutKeys(form: SpecForm): unknown {
  return JSON.parse(JSON.stringify(form, (key, value: unknown) => (key === 'key' ? undefined : value)));
}

function viaYaml(form: SpecForm): SpecForm {
  const text = dumpSpecYaml(formToSpec(form).spec);
  const parsed = parseSpecYaml(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return specToForm(parsed.value);
}

describe('the form and the spec', () => {
  it.each(['extract-then-normalise.yaml', 'entity-extraction.yaml'])(
    'keep %s whole through form -> YAML -> form',
    (name) => {
      const spec = example(name);
      const form = specToForm(spec);
      expect(formToSpec(form)).toEqual({ spec, errors: [] });
      const again = viaYaml(form);
      expect(withoutKeys(again)).toEqual(withoutKeys(form));
      expect(formToSpec(again).spec).toEqual(spec);
    },
  );

  it('reads the two-stage example as a pipeline of two named stages', () => {
    const form = specToForm(example('extract-then-normalise.yaml'));
    expect(form.pipeline).toBe(true);
    expect(form.stages.map((s) => s.name)).toEqual(['extract', 'normalise']);
    const extract = form.stages[0]!;
    expect(extract.prompts.map((p) => p.name)).toEqual(['pipe-extract-terse', 'pipe-extract-list']);
    expect(extract.models.map((m) => m.model)).toEqual(['sim-extractor', 'sim-sloppy', 'sim-thorough']);
    expect(extract.params?.map((a) => [a.name, a.scalar, a.values.map((v) => v.text)])).toEqual([
      ['temperature', false, ['0', '0.7']],
      ['max_tokens', true, ['256']],
    ]);
    expect(extract.scorers?.map((s) => s.type)).toEqual(['json_valid']);
    expect(form.scorers?.map((s) => [s.type, s.weight, s.options.map((o) => [o.name, o.text])])).toEqual([
      ['json_valid', '', []],
      ['json_f1', '2', [['field', 'people']]],
      ['json_f1', '', [['field', 'places']]],
    ]);
    expect(form.strategy).toMatchObject({ type: 'grid', seed: '7', budget: '' });
  });

  it('keeps the template shorthand, scalar params and fields it does not edit', () => {
    const spec = {
      version: 1,
      name: 'x',
      dataset: { items: [{ input: { q: 'a' }, expected: 'b' }], limit: 1 },
      prompts: [{ name: 'p', template: 'Q: {{ q }}', description: 'kept' }],
      models: [{ endpoint: 'e', model: 'm' }],
      params: { stop: [['\n', 'END']], response_format: { type: 'json_object' }, tag: '0.5' },
      scorers: [{ type: 'contains', value: '{{ expected }}' }],
      strategy: { type: 'guided', budget: 100, objectives: ['score', '-cost'], halving: { eta: 3 } },
    };
    const form = specToForm(spec);
    expect(form.stages[0]!.prompts[0]!.mode).toBe('template');
    expect(form.dataset.source).toBe('items');
    expect(formToSpec(form).spec).toEqual(spec);
    expect(formToSpec(viaYaml(form)).spec).toEqual(spec);
  });

  it('reports items that do not parse at dataset.items and leaves them out', () => {
    const form = specToForm({ name: 'x', dataset: { items: [] }, prompts: [], models: [] });
    form.dataset.itemsText = '{"input": {}}\nnot json';
    expect(formToSpec(form).errors).toEqual([{ path: 'dataset.items', message: 'line 2 is not JSON' }]);
    form.dataset.itemsFormat = 'csv';
    form.dataset.itemsText = 'passage,expected.people,tags\n"Ada, in London","[""Ada""]","a, b"';
    expect(formToSpec(form).spec.dataset).toEqual({
      items: [{ input: { passage: 'Ada, in London' }, expected: { people: ['Ada'] }, tags: ['a', 'b'] }],
    });
  });

  it('refuses a parameter named twice or not named, at the axis', () => {
    const form = specToForm({ name: 'x', dataset: { name: 'd' }, prompts: [], models: [], params: { temperature: [0, 1] } });
    const axes = form.stages[0]!.params!;
    axes.push({ ...axes[0]!, key: 'again' }, { ...axes[0]!, key: 'blank', name: '' });
    expect(formToSpec(form).errors).toEqual([
      { path: 'params.temperature', message: 'the parameter "temperature" is listed twice' },
      { path: 'params.', message: 'a parameter needs a name' },
    ]);
  });
});

describe('value fields', () => {
  it.each([0.7, 256, 'json_object', '0.7', '{{ x }}', { type: 'json_object' }, ['\n', 'END'], true, null])(
    'read back %j as it was written',
    (value) => {
      expect(textToValue(valueToText(value))).toEqual(value);
    },
  );
  it('reads typed text as YAML, and text YAML cannot read as itself', () => {
    expect(textToValue('0.5')).toBe(0.5);
    expect(textToValue('{type: json_object}')).toEqual({ type: 'json_object' });
    expect(textToValue('a: b: c')).toBe('a: b: c');
  });
});

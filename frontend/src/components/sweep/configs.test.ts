import { describe, expect, it } from 'vitest';
import { rowAxes, rowLabel, sweepAxes } from './configs';

const single = (prompt: string, model: string, temperature: number) => ({
  config: { prompt, endpoint: 'sim', model, params: { temperature, max_tokens: 256 } },
  stages: [],
});

describe('config labels and axes', () => {
  it('labels a config as the server does, or takes the label it was given', () => {
    expect(rowLabel(single('terse', 'echo', 0.7))).toBe('terse / sim:echo (max_tokens=256, temperature=0.7)');
    expect(rowLabel({ ...single('terse', 'echo', 0.7), label: 'given' })).toBe('given');
    const pipeline = {
      config: {},
      stages: [
        { stage: 'extract', prompt: 'careful', endpoint: 'sim', model: 'x', params: { temperature: 0 } },
        { stage: 'normalise', prompt: 'to-json', endpoint: 'sim', model: 'y', params: {} },
      ],
    };
    expect(rowLabel(pipeline)).toBe('extract: careful/sim/x t=0 | normalise: to-json/sim/y');
    expect(rowAxes(pipeline)).toEqual({
      'extract.prompt': 'careful',
      'extract.model': 'sim/x',
      'extract.temperature': 0,
      'normalise.prompt': 'to-json',
      'normalise.model': 'sim/y',
    });
  });

  it('lists the axes that vary first, then the others', () => {
    const axes = sweepAxes([single('a', 'm1', 0), single('b', 'm1', 0.7), single('a', 'm1', 0.7)]);
    expect(axes).toEqual([
      { name: 'prompt', values: 2 },
      { name: 'temperature', values: 2 },
      { name: 'model', values: 1 },
      { name: 'max_tokens', values: 1 },
    ]);
  });

  it('names a param called prompt or model params.<name>', () => {
    expect(Object.keys(rowAxes({ config: { prompt: 'p', endpoint: 'e', model: 'm', params: { model: 'x' } } }))).toEqual([
      'prompt',
      'model',
      'params.model',
    ]);
  });
});

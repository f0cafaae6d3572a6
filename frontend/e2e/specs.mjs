// The experiments the browser tests create through the API, against the
// stack's own simulator.

const PRICES = {
  'sim-extractor': { input_per_mtok: 2.0, output_per_mtok: 8.0 },
  'sim-sloppy': { input_per_mtok: 0.5, output_per_mtok: 2.0 },
  'sim-thorough': { input_per_mtok: 2.0, output_per_mtok: 8.0 },
  'sim-normaliser': { input_per_mtok: 1.0, output_per_mtok: 4.0 },
  'sim-normaliser-lite': { input_per_mtok: 0.5, output_per_mtok: 2.0 },
};

const SCORERS = [
  { type: 'json_valid' },
  { type: 'json_f1', field: 'people', weight: 2 },
  { type: 'json_f1', field: 'places' },
];

const endpoint = (simUrl) => ({
  name: 'local-sim',
  base_url: `${simUrl}/v1`,
  max_concurrency: 8,
  timeout_s: 30,
  prices: PRICES,
});

const model = (name) => ({ endpoint: 'local-sim', model: name });

/** Extract, then normalise: 2 prompts x 2 models, then 1 prompt x 2 models = 8 configs x 12 items. */
export function twoStageSpec(simUrl, project, dataset) {
  return {
    name: 'extract-then-normalise-e2e',
    project,
    description: 'Two stages over twelve passages: extract names, then normalise them to JSON.',
    endpoints: [endpoint(simUrl)],
    dataset: { name: dataset, limit: 12 },
    stages: [
      {
        name: 'extract',
        prompts: [
          {
            name: 'extract-terse',
            messages: [
              {
                role: 'system',
                content:
                  'Extract the people, places and organisations named in the text. ' +
                  'Reply with JSON: {"people": [], "places": [], "organisations": []}.',
              },
              { role: 'user', content: '{{ passage }}' },
            ],
          },
          {
            name: 'extract-list',
            messages: [
              { role: 'system', content: 'List every person, place and organisation named in the text.' },
              { role: 'user', content: '{{ passage }}' },
            ],
          },
        ],
        models: [model('sim-extractor'), model('sim-sloppy')],
        params: { temperature: 0.0, max_tokens: 256 },
      },
      {
        name: 'normalise',
        prompts: [
          {
            name: 'to-json',
            messages: [
              {
                role: 'system',
                content:
                  'Rewrite the entities below as JSON only: ' +
                  '{"people": [...], "places": [...], "organisations": [...]}.',
              },
              { role: 'user', content: 'Entities:\n{{ stages.extract.output }}' },
            ],
          },
        ],
        models: [model('sim-normaliser'), model('sim-normaliser-lite')],
        params: { temperature: 0.0, max_tokens: 256 },
      },
    ],
    scorers: SCORERS,
    strategy: { type: 'grid', seed: 7 },
    concurrency: 4,
  };
}

/** One stage, 2 prompts x 3 models x 3 temperatures = 18 configs over 40 items, for guided search. */
export function guidedSpec(simUrl, project, dataset) {
  return {
    name: 'entity-extraction-guided-e2e',
    project,
    description: 'Guided search (successive halving) over eighteen configs.',
    endpoints: [endpoint(simUrl)],
    dataset: { name: dataset },
    prompts: [
      {
        name: 'terse',
        messages: [
          { role: 'system', content: 'Extract people, places and organisations as JSON.' },
          { role: 'user', content: '{{ passage }}' },
        ],
      },
      { name: 'plain', template: 'Names in this text, as JSON: {{ passage }}' },
    ],
    models: [model('sim-extractor'), model('sim-sloppy'), model('sim-thorough')],
    params: { temperature: [0.0, 0.5, 1.0], max_tokens: 256 },
    scorers: SCORERS,
    strategy: { type: 'guided', budget: 240, seed: 3 },
    concurrency: 8,
  };
}

import type { Run, RunDetail } from '../api/runs';

export function run(id: number, overrides: Partial<Run> = {}): Run {
  return {
    id,
    sweep: 7,
    config_hash: '11111111abcdef0123456789',
    config: { prompt: 'prompt-1', endpoint: 'sim', model: 'sim-extractor', params: { temperature: 0.5 } },
    item: 100 + id,
    sample_index: 0,
    status: 'done',
    cache_hit: false,
    score: 0.75,
    scores_by_scorer: { json_valid: 1, json_f1: 0.5 },
    latency_ms: 120,
    cost: 0.0002,
    prompt_tokens: 90,
    completion_tokens: 30,
    served_model: 'sim-extractor',
    error_kind: '',
    error_message: '',
    finished_at: '2026-12-01T12:01:00Z',
    ...overrides,
  };
}

export function runDetail(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    ...run(42),
    input: { text: 'Invoice 17 from ACME' },
    expected: { vendor: 'ACME' },
    messages: [
      { role: 'system', content: 'Extract the vendor.' },
      { role: 'user', content: 'Invoice 17 from ACME' },
    ],
    output_text: '{"vendor":"ACME","total":17}',
    output_json: { vendor: 'ACME', total: 17 },
    raw_response: { id: 'resp-1', choices: [{ message: { content: '{"vendor":"ACME","total":17}' } }] },
    cache_key: 'ck-123',
    attempts: 1,
    scores: [],
    trace: null,
    ...overrides,
  };
}

import type { LeaderboardRow, Sweep } from '../api/sweeps';
import type { SweepEvent } from '../live/events';

export const SWEEP: Sweep = {
  id: 7,
  experiment: 3,
  project: 1,
  status: 'running',
  strategy: { type: 'grid', budget: null, seed: 7, objectives: ['score'] },
  concurrency: 16,
  no_cache: false,
  planned: 720,
  done: 100,
  errors: 2,
  cache_hits: 10,
  calls: 90,
  prompt_tokens: 1000,
  completion_tokens: 500,
  cost: 0.012,
  estimated_cost: 0.09,
  created_at: '2026-12-01T12:00:00Z',
  started_at: '2026-12-01T12:00:05Z',
  finished_at: null,
  duration_s: null,
  error_message: '',
};

const AT = '2026-12-01T12:01:00.000000+00:00';

export function event(seq: number, type: SweepEvent['type'], payload: Record<string, unknown>, at = AT): SweepEvent {
  return { type, seq, id: 1000 + seq, sweep: 7, project: 1, at, payload };
}

export function progress(seq: number, done: number, extra: Record<string, unknown> = {}): SweepEvent {
  return event(seq, 'sweep.progress', {
    done,
    planned: 720,
    errors: 0,
    cache_hits: 0,
    calls: done,
    calls_saved: 0,
    cost: 0,
    calls_per_s: 10,
    eta_s: 60,
    endpoints: {},
    ...extra,
  });
}

export function row(rank: number, overrides: Partial<LeaderboardRow> = {}): LeaderboardRow {
  return {
    rank,
    config_hash: `${rank}`.repeat(8) + 'abcdef0123456789',
    config: { prompt: `prompt-${rank}`, endpoint: 'sim', model: 'sim-extractor', params: { temperature: 0.5 } },
    stages: [],
    stage_usage: [],
    score: 0.9 - rank * 0.1,
    n: 40,
    ci95: [0.85 - rank * 0.1, 0.95 - rank * 0.1],
    latency_ms_p50: 120,
    cost: 0,
    errors: 0,
    scores: {},
    runs: 40,
    items: 40,
    error_rate: 0,
    cache_hit_rate: 0,
    prompt_tokens: 100,
    completion_tokens: 50,
    cost_per_run: 0.0001,
    cost_total: 0.004,
    latency_ms_p95: 200,
    tied_with_best: rank === 1,
    p_value: rank === 1 ? null : 0.01,
    delta: rank === 1 ? 0 : -0.1 * (rank - 1),
    delta_ci95: null,
    paired_items: rank === 1 ? 0 : 40,
    sample_variance: null,
    on_front: { cost: true, latency: false },
    ...overrides,
  };
}

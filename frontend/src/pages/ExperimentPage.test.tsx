import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ExperimentSummary, ExperimentSweep, Promotion } from '../api/experiments';
import { routes } from '../routes';
import { json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';

const SESSION = {
  signed_in: true,
  username: 'alice',
  is_superuser: false,
  projects: [{ id: 1, name: 'acme', role: 'owner' }],
};
const PAGE_URL = '/projects/1/experiments/7';

const EXPERIMENT: ExperimentSummary = {
  id: 7,
  project: 1,
  name: 'entity-extraction',
  description: 'People, places and organisations',
  dataset: 3,
  spec: {},
  sweeps: 1,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-30T10:00:00Z',
  last_sweep: null,
  labels: [],
};

const SWEEP: ExperimentSweep = {
  id: 12,
  experiment: 7,
  project: 1,
  status: 'failed',
  strategy: { type: 'random', budget: 50 },
  concurrency: 8,
  no_cache: false,
  planned: 720,
  done: 480,
  errors: 12,
  cache_hits: 120,
  calls: 360,
  prompt_tokens: 1000,
  completion_tokens: 500,
  cost: 0.00042,
  estimated_cost: 0.001,
  created_at: '2026-12-01T09:59:00Z',
  started_at: '2026-12-01T10:00:00Z',
  finished_at: '2026-12-01T10:03:05Z',
  duration_s: 185,
  error_message: 'the endpoint stopped answering',
  best_score: 0.8766,
};

const PROMOTION: Promotion = {
  id: 3,
  experiment: 7,
  label: 'production',
  sweep: 12,
  config_hash: 'abcdef0123456789',
  config: {},
  stages: [],
  scores: { score: 0.91, rank: 1 },
  source: 2,
  note: 'back to the old prompt',
  promoted_by: 'bob',
  promoted_at: '2026-12-01T11:00:00Z',
};

function list<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

describe('the experiment page', () => {
  it('shows the sweeps with their numbers, the label history and the spec', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/experiments/7/': () => json(EXPERIMENT),
      'GET /api/experiments/7/sweeps/': () => json(list([SWEEP])),
      'GET /api/experiments/7/promotions/': () => json(list([PROMOTION])),
      'GET /api/experiments/7/export/': () =>
        new Response('name: entity-extraction\nproject: acme\n', {
          headers: { 'Content-Type': 'application/yaml' },
        }),
    });
    renderRoutes(routes, PAGE_URL);

    expect(await screen.findByRole('heading', { name: 'entity-extraction', level: 1 })).toBeInTheDocument();
    const sweeps = within(await screen.findByRole('region', { name: 'Sweeps' })).getAllByRole('row')[1]!;
    for (const text of ['#12', 'random', 'failed', 'the endpoint stopped answering', '480 / 720', '25%', '0.877', '$0.00042', '3 min 5 s']) {
      expect(sweeps).toHaveTextContent(text);
    }
    const history = within(await screen.findByRole('region', { name: 'Label history' })).getAllByRole('row')[1]!;
    for (const text of ['production', 'abcdef01', '#12', 'rollback to #2', '0.910', 'bob', 'back to the old prompt']) {
      expect(history).toHaveTextContent(text);
    }
    expect(await screen.findByLabelText('Spec as YAML')).toHaveTextContent('name: entity-extraction project: acme');
  });

  it('says so while each part loads', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/experiments/7/': () => json(EXPERIMENT),
      'GET /api/experiments/7/sweeps/': never,
      'GET /api/experiments/7/promotions/': () => json(list([])),
      'GET /api/experiments/7/export/': never,
    });
    renderRoutes(routes, PAGE_URL);
    expect(await screen.findByText('Loading sweeps…')).toBeInTheDocument();
    expect(await screen.findByText('Nothing promoted yet')).toBeInTheDocument();
    expect(screen.getByText('Loading the spec…')).toBeInTheDocument();
  });

  it('is a not-found page for an experiment you cannot see', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/experiments/7/': () => json({ detail: 'Not found.', errors: [] }, 404),
    });
    renderRoutes(routes, PAGE_URL);
    expect(await screen.findByRole('heading', { name: 'Nothing here' })).toBeInTheDocument();
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ExperimentSummary, Promotion } from '../api/experiments';
import { routes } from '../routes';
import { json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';
import { deploymentSnippet, deploymentUrl } from './PromotionsPage';

const URL = '/projects/1/experiments/7/promotions';

function session(role: 'owner' | 'editor' | 'viewer') {
  return { signed_in: true, username: 'edith', is_superuser: false, projects: [{ id: 1, name: 'e2e', role }] };
}

const EXPERIMENT: ExperimentSummary = {
  id: 7,
  project: 1,
  name: 'entity extraction',
  description: '',
  dataset: 3,
  spec: {},
  sweeps: 2,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-30T10:00:00Z',
  last_sweep: null,
  labels: [],
};

const STAGE = {
  name: 'main',
  prompt: { name: 'careful', version: 2, messages: [{ role: 'user', content: '{{ passage }}' }] },
  endpoint: { name: 'simulator', kind: 'openai', base_url: 'http://127.0.0.1:8499/v1', api_key_env: null },
  model: 'sim-extractor',
  params: { temperature: 0 },
};

function promotion(id: number, hash: string, extra: Partial<Promotion> = {}): Promotion {
  return {
    id,
    experiment: 7,
    label: 'production',
    sweep: 12,
    config_hash: hash.repeat(16),
    config: {},
    stages: [STAGE],
    scores: { score: 0.9134, cost_per_run: 0.00012, latency_ms_p50: 61, runs: 40 },
    source: null,
    note: '',
    promoted_by: 'edith',
    promoted_at: '2026-12-01T10:00:00Z',
    ...extra,
  };
}

const FIRST = promotion(1, 'aaaa', { scores: { score: 0.8 }, promoted_at: '2026-12-01T09:00:00Z', note: 'first try' });
const SECOND = promotion(2, 'bbbb', { sweep: 13, promoted_by: null });
const STAGING = promotion(3, 'cccc', { label: 'staging' });

function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

function server(role: 'owner' | 'editor' | 'viewer', history: Promotion[], extra = {}) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session(role)),
    'GET /api/experiments/7/': () => json(EXPERIMENT),
    'GET /api/experiments/7/promotions/': () => json(page(history)),
    ...extra,
  });
}

describe('the promotions page', () => {
  it('says it is loading, then that nothing is promoted yet', async () => {
    server('editor', [], { 'GET /api/experiments/7/promotions/': never });
    const { unmount } = renderRoutes(routes, URL);
    expect(await screen.findByText('Loading the labels…')).toBeInTheDocument();
    unmount();
    server('editor', []);
    renderRoutes(routes, URL);
    const empty = (await screen.findByText('Nothing promoted yet')).parentElement!;
    expect(within(empty).getByRole('link', { name: 'entity extraction' })).toHaveAttribute('href', '/projects/1/experiments/7');
  });

  it('shows why the history failed to load, with a retry', async () => {
    server('editor', [], {
      'GET /api/experiments/7/promotions/': () => json({ detail: 'The database is unavailable.', errors: [] }, 503),
    });
    renderRoutes(routes, URL);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the labels');
    expect(alert).toHaveTextContent('The database is unavailable.');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('shows each label: what it points to, its scores, what it runs and its history', async () => {
    server('viewer', [STAGING, SECOND, FIRST]);
    renderRoutes(routes, URL);
    const production = await screen.findByRole('region', { name: /^production/ });
    expect(within(production).getByRole('heading', { level: 2 })).toHaveTextContent('production points to bbbbbbbb');
    expect(production).toHaveTextContent('0.913');
    expect(production).toHaveTextContent('$0.00012');
    expect(production).toHaveTextContent('61 ms');
    expect(production).toHaveTextContent('prompt careful v2 on sim-extractor (simulator), temperature 0');
    expect(production).toHaveTextContent('the command line');
    const rows = within(within(production).getByRole('table')).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('current');
    expect(rows[2]).toHaveTextContent('aaaaaaaa');
    expect(rows[2]).toHaveTextContent('first try');
    expect(rows[2]).toHaveTextContent('0.800');
    expect(screen.getByRole('region', { name: /^staging/ })).toHaveTextContent('cccccccc');
    // A viewer reads only.
    expect(screen.queryByRole('button', { name: /Roll back/ })).not.toBeInTheDocument();
    expect(screen.getByText(/Your role in this project reads them only/)).toBeInTheDocument();
  });

  it('gives the deployment URL and a snippet to copy, curl or Python, with the key from the environment', async () => {
    server('viewer', [SECOND]);
    renderRoutes(routes, URL);
    const production = await screen.findByRole('region', { name: /^production/ });
    const url = `${window.location.origin}/api/deployments/e2e/entity%20extraction/production/`;
    expect(within(production).getByRole('link', { name: url })).toHaveAttribute('href', url);
    const user = userEvent.setup(); // it gives the page a clipboard to write to
    await user.click(within(production).getByRole('button', { name: 'Copy the curl snippet for production' }));
    expect(await within(production).findByText('Copied')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(deploymentSnippet('curl', url));
    expect(await navigator.clipboard.readText()).toContain('Api-Key $PROMPTLOOPER_API_KEY');

    await user.click(within(production).getByRole('radio', { name: 'Python' }));
    expect(within(production).queryByText('Copied')).not.toBeInTheDocument();
    expect(within(production).getByLabelText('Python snippet fetching production')).toHaveTextContent(
      'os.environ["PROMPTLOOPER_API_KEY"]',
    );
    await user.click(within(production).getByRole('button', { name: 'Copy the Python snippet for production' }));
    expect(await within(production).findByText('Copied')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(deploymentSnippet('python', url));
  });

  it('rolls a label back after saying what it will point to, and shows the new current config', async () => {
    let history = [SECOND, FIRST];
    const { requests } = server('editor', history, {
      'GET /api/experiments/7/promotions/': () => json(page(history)),
      'POST /api/experiments/7/rollback/': () => {
        const repeated = promotion(4, 'aaaa', { source: 1, promoted_at: '2026-12-01T11:00:00Z' });
        history = [repeated, ...history];
        return json(repeated, 201);
      },
    });
    renderRoutes(routes, URL);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Roll back production to config aaaaaaaa from sweep #12' }));
    const confirm = screen.getByRole('group', { name: 'Roll back production?' });
    expect(confirm).toHaveTextContent(
      'Point production to config aaaaaaaa from sweep #12 (score 0.800, promoted 2026-12-01 09:00:00 UTC) instead of config bbbbbbbb from sweep #13?',
    );
    // Cancel is the safe choice, and focused.
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Roll back production' }));

    expect(await screen.findByText('Rolled back: production now points to config aaaaaaaa from sweep #12.')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('heading', { level: 2 })).toHaveTextContent('production points to aaaaaaaa'),
    );
    const post = requests.find((r) => r.method === 'POST');
    expect(await post!.json()).toEqual({ label: 'production', promotion: 1, note: '' });
    // The earlier entry with the current config has nothing to roll back to.
    const rows = within(screen.getByRole('table')).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('repeats promotion #1');
    expect(rows[3]).toHaveTextContent('the current config');
  });

  it('shows a refused rollback in the confirmation', async () => {
    server('owner', [SECOND, FIRST], {
      'POST /api/experiments/7/rollback/': () => json({ detail: 'You need the editor role.', errors: [] }, 403),
    });
    renderRoutes(routes, URL);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /^Roll back production/ }));
    await user.click(screen.getByRole('button', { name: 'Roll back production' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not roll back: You need the editor role.');
  });

  it('builds URL-encoded deployment URLs', () => {
    expect(deploymentUrl('my project', 'a/b', 'prod', 'https://pl.example')).toBe(
      'https://pl.example/api/deployments/my%20project/a%2Fb/prod/',
    );
  });
});

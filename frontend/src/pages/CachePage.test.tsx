import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { CacheExperimentStats, CacheStats } from '../api/cache';
import { routes } from '../routes';
import { json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';

const URL = '/projects/1/cache';

function session(role: 'owner' | 'editor' | 'viewer') {
  return { signed_in: true, username: 'olga', is_superuser: false, projects: [{ id: 1, name: 'e2e', role }] };
}

const TOTALS: CacheStats = { project: 1, entries: 30, hits: 1250, calls_saved: 1250, cost_saved: 1.5 };
const ROWS: CacheExperimentStats[] = [
  { experiment: 7, name: 'extraction', entries: 24, hits: 1200, calls_saved: 1200, cost_saved: 1.25 },
  { experiment: 8, name: 'untouched', entries: 0, hits: 0, calls_saved: 0, cost_saved: 0 },
];
const EMPTY: CacheStats = { project: 1, entries: 0, hits: 0, calls_saved: 0, cost_saved: 0 };

function server(role: 'owner' | 'editor' | 'viewer', extra = {}) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session(role)),
    'GET /api/cache/stats/': () => json([TOTALS]),
    'GET /api/cache/experiments/': () => json(ROWS),
    ...extra,
  });
}

describe('the cache page', () => {
  it('says it is loading, and why the stats failed', async () => {
    server('owner', { 'GET /api/cache/stats/': never, 'GET /api/cache/experiments/': never });
    const { unmount } = renderRoutes(routes, URL);
    expect(await screen.findByText('Loading the cache totals…')).toBeInTheDocument();
    expect(screen.getByText('Loading the cache per experiment…')).toBeInTheDocument();
    unmount();
    server('owner', {
      'GET /api/cache/experiments/': () => json({ detail: 'The database is unavailable.', errors: [] }, 503),
    });
    renderRoutes(routes, URL);
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable.');
  });

  it('says when the project has no experiments', async () => {
    server('viewer', { 'GET /api/cache/stats/': () => json([EMPTY]), 'GET /api/cache/experiments/': () => json([]) });
    renderRoutes(routes, URL);
    expect(await screen.findByText('No experiments yet')).toBeInTheDocument();
  });

  it('shows the project’s savings and each experiment’s, in money and counts, read-only for a non-owner', async () => {
    const { requests } = server('editor');
    renderRoutes(routes, URL);
    const table = await screen.findByRole('table');
    const [, extraction, untouched] = within(table).getAllByRole('row');
    expect(extraction).toHaveTextContent('extraction');
    expect(extraction).toHaveTextContent('1,200');
    expect(extraction).toHaveTextContent('$1.25');
    expect(untouched).toHaveTextContent('$0.00');
    const totals = screen.getByRole('region', { name: 'The whole project' });
    expect(totals).toHaveTextContent('1,250');
    expect(totals).toHaveTextContent('$1.50');
    expect(screen.queryByRole('button', { name: /Purge/ })).not.toBeInTheDocument();
    expect(screen.getByText(/Only the project’s owners purge it/)).toBeInTheDocument();
    expect(new globalThis.URL(requests.find((r) => r.url.includes('/api/cache/experiments/'))!.url).search).toBe(
      '?project=1',
    );
    expect(screen.getByRole('link', { name: 'Cache' })).toHaveAttribute('href', '/projects/1/cache');
  });

  it('purges an experiment after saying how many entries go, then shows the result', async () => {
    let rows = ROWS;
    const { requests } = server('owner', {
      'GET /api/cache/experiments/': () => json(rows),
      'POST /api/cache/purge/': () => {
        rows = [{ ...ROWS[0]!, entries: 0, hits: 0, calls_saved: 0, cost_saved: 0 }, ROWS[1]!];
        return json({ deleted: 24 });
      },
    });
    renderRoutes(routes, URL);
    const user = userEvent.setup();
    expect(await screen.findByText('nothing cached')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Purge the cache of extraction' }));
    const confirm = screen.getByRole('group', { name: 'Purge the cache of extraction?' });
    expect(confirm).toHaveTextContent('Delete the 24 cached responses that extraction’s runs used');
    expect(within(confirm).getByRole('button', { name: 'Keep it' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Purge extraction' }));
    expect(await screen.findByText('Purged extraction: deleted 24 cached responses.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByText('nothing cached')).toHaveLength(2));
    const post = requests.find((r) => r.method === 'POST');
    expect(await post!.json()).toEqual({ project: 1, experiment: 7, all: false });
  });

  it('purges the whole project, and shows a refusal', async () => {
    let attempts = 0;
    const { requests } = server('owner', {
      'POST /api/cache/purge/': () => {
        attempts += 1;
        return attempts === 1
          ? json({ detail: 'You need the owner role.', errors: [] }, 403)
          : json({ deleted: 30 });
      },
    });
    renderRoutes(routes, URL);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Purge the cache of the whole project' }));
    expect(screen.getByRole('group', { name: /whole project/ })).toHaveTextContent(
      'Delete all 30 cached responses of this project?',
    );
    await user.click(screen.getByRole('button', { name: 'Purge all' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not purge: You need the owner role.');
    await user.click(screen.getByRole('button', { name: 'Purge all' }));
    expect(await screen.findByText('Purged the whole project: deleted 30 cached responses.')).toBeInTheDocument();
    expect(await requests.filter((r) => r.method === 'POST')[1]!.json()).toEqual({ project: 1, all: true });
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ExperimentSummary } from '../api/experiments';
import { routes } from '../routes';
import { json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';

const SESSION = {
  signed_in: true,
  username: 'alice',
  is_superuser: false,
  projects: [
    { id: 1, name: 'acme', role: 'owner' },
    { id: 2, name: 'zeta', role: 'viewer' },
  ],
};
const PAGE_URL = '/projects/1/experiments';

function page(results: ExperimentSummary[]) {
  return { count: results.length, next: null, previous: null, results };
}

const EXPERIMENT: ExperimentSummary = {
  id: 7,
  project: 1,
  name: 'entity-extraction',
  description: 'People, places and organisations',
  dataset: 3,
  spec: {},
  sweeps: 4,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-30T10:00:00Z',
  last_sweep: {
    id: 12,
    status: 'completed',
    planned: 720,
    done: 720,
    created_at: '2026-12-01T09:59:00Z',
    started_at: new Date(Date.now() - 3 * 3600 * 1000).toISOString(),
    finished_at: '2026-12-01T10:05:00Z',
    best_score: 0.91349,
  },
  labels: [
    {
      label: 'production',
      config_hash: '3f0c9a1b2c3d4e5f',
      sweep: 12,
      promoted_by: 'bob',
      promoted_at: '2026-12-01T11:00:00Z',
    },
  ],
};

const NEVER_RUN: ExperimentSummary = {
  ...EXPERIMENT,
  id: 8,
  name: 'fresh',
  description: '',
  sweeps: 0,
  last_sweep: null,
  labels: [],
};

describe('the experiments list', () => {
  it('says it is loading while the list is on its way', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(SESSION), 'GET /api/experiments/': never });
    renderRoutes(routes, PAGE_URL);
    const loading = await screen.findByText('Loading experiments…');
    expect(loading.closest('[role="status"]')).not.toBeNull();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('asks for the project of the URL and shows each experiment with its last sweep', async () => {
    const { requests } = stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/experiments/': () => json(page([EXPERIMENT, NEVER_RUN])),
    });
    renderRoutes(routes, PAGE_URL);

    const table = await screen.findByRole('table');
    const [, first, second] = within(table).getAllByRole('row');
    const link = within(first!).getByRole('link', { name: 'entity-extraction' });
    expect(link).toHaveAttribute('href', '/projects/1/experiments/7');
    expect(first).toHaveTextContent('completed');
    expect(first).toHaveTextContent('#12');
    expect(first).toHaveTextContent('3 hr. ago');
    expect(first).toHaveTextContent('720 / 720');
    expect(first).toHaveTextContent('0.913');
    expect(within(first!).getByRole('list', { name: 'Promoted labels' })).toHaveTextContent(
      'production3f0c9a1b',
    );
    expect(second).toHaveTextContent('never run');
    expect(second).toHaveTextContent('none');

    const query = new URL(requests.find((r) => r.url.includes('/api/experiments/'))!.url).searchParams;
    expect(query.get('project')).toBe('1');
    // The project switcher shows the URL's project.
    expect(screen.getByRole('combobox', { name: 'Project' })).toHaveValue('1');
  });

  it('says when the project has no experiments', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/experiments/': () => json(page([])),
    });
    renderRoutes(routes, PAGE_URL);
    expect(await screen.findByText('No experiments in acme yet')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows an error with the reason, and tries again on request', async () => {
    let calls = 0;
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/experiments/': () =>
        ++calls === 1
          ? json({ detail: 'The database is unavailable.', errors: [] }, 503)
          : json(page([EXPERIMENT])),
    });
    renderRoutes(routes, PAGE_URL);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the experiments');
    expect(alert).toHaveTextContent('The database is unavailable.');
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'entity-extraction' })).toBeInTheDocument();
    expect(calls).toBe(2);
  });

  it('switches project through the URL', async () => {
    const { requests } = stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/experiments/': () => json(page([])),
    });
    const { router } = renderRoutes(routes, PAGE_URL);
    await screen.findByText('No experiments in acme yet');
    await userEvent.setup().selectOptions(screen.getByRole('combobox', { name: 'Project' }), 'zeta');
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/2/experiments'));
    expect(await screen.findByText('No experiments in zeta yet')).toBeInTheDocument();
    const projects = requests
      .filter((r) => r.url.includes('/api/experiments/'))
      .map((r) => new URL(r.url).searchParams.get('project'));
    expect(projects).toEqual(['1', '2']);
  });

  it('sends a signed-out visitor to the sign-in page, and back after', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json({ signed_in: false, username: '', is_superuser: false, projects: [] }),
    });
    const { router } = renderRoutes(routes, PAGE_URL);
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent(PAGE_URL)}`);
    expect(await screen.findByLabelText('User name')).toBeInTheDocument();
  });

  it('sends you to sign in again when your session ends meanwhile', async () => {
    let signedIn = true;
    stubFetch({
      'GET /api/auth/session/': () =>
        signedIn ? json(SESSION) : json({ signed_in: false, username: '', is_superuser: false, projects: [] }),
      'GET /api/experiments/': () => {
        signedIn = false; // the session expired on the server
        return json({ detail: 'Authentication credentials were not provided.', errors: [] }, 401);
      },
    });
    const { router } = renderRoutes(routes, PAGE_URL);
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent(PAGE_URL)}`);
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../api/datasets';
import { routes } from '../routes';
import { type Handler, json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';

const SESSION = {
  signed_in: true,
  username: 'alice',
  is_superuser: false,
  projects: [
    { id: 1, name: 'acme', role: 'editor' },
    { id: 2, name: 'zeta', role: 'viewer' },
  ],
};

function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

const PASSAGES: Dataset = {
  id: 7,
  project: 1,
  name: 'passages',
  description: 'People in news passages',
  items: 1234,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-21T10:00:00Z',
};
const EMPTY: Dataset = { ...PASSAGES, id: 8, name: 'scratch', description: '', items: 0 };

function stub(extra: Record<string, Handler> = {}) {
  return stubFetch({
    'GET /api/auth/session/': () => json(SESSION),
    'GET /api/datasets/': () => json(page([PASSAGES, EMPTY])),
    ...extra,
  });
}

describe('the datasets page', () => {
  it('says it is loading while the list is on its way', async () => {
    stub({ 'GET /api/datasets/': never });
    renderRoutes(routes, '/projects/1/datasets');
    expect(await screen.findByText('Loading datasets…')).toBeInTheDocument();
  });

  it('lists each dataset with its item count and dates, linked from the navigation', async () => {
    const { requests } = stub();
    renderRoutes(routes, '/projects/1/datasets');
    const table = await screen.findByRole('table');
    const [, first, second] = within(table).getAllByRole('row');
    expect(within(first!).getByRole('link', { name: 'passages' })).toHaveAttribute('href', '/projects/1/datasets/7');
    expect(first).toHaveTextContent('People in news passages');
    expect(within(first!).getAllByRole('cell')[1]).toHaveTextContent('1,234');
    expect(within(first!).getAllByRole('cell')[2]!.querySelector('time')).toHaveAttribute(
      'datetime',
      '2026-11-20T10:00:00Z',
    );
    expect(within(first!).getAllByRole('cell')[3]!.querySelector('time')).toHaveAttribute(
      'datetime',
      '2026-11-21T10:00:00Z',
    );
    expect(within(second!).getAllByRole('cell')[1]).toHaveTextContent('0');
    const query = new URL(requests.find((r) => r.url.includes('/api/datasets/'))!.url).searchParams;
    expect(query.get('project')).toBe('1');
    const nav = screen.getByRole('navigation', { name: 'Project' });
    expect(within(nav).getByRole('link', { name: 'Datasets' })).toHaveAttribute('href', '/projects/1/datasets');
  });

  it('says when the project has none, and shows why the list failed', async () => {
    stub({ 'GET /api/datasets/': () => json(page([])) });
    const { unmount } = renderRoutes(routes, '/projects/1/datasets');
    expect(await screen.findByText('No datasets in acme yet')).toBeInTheDocument();
    unmount();
    stub({ 'GET /api/datasets/': () => json({ detail: 'The database is unavailable.', errors: [] }, 503) });
    renderRoutes(routes, '/projects/1/datasets');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the datasets');
    expect(alert).toHaveTextContent('The database is unavailable.');
  });

  it('creates a dataset and opens it for its first upload', async () => {
    const sent: Record<string, unknown>[] = [];
    const created: Dataset = { ...EMPTY, id: 9, name: 'faces' };
    stub({
      'POST /api/datasets/': async (request) => {
        sent.push((await request.json()) as Record<string, unknown>);
        return json(created, 201);
      },
      'GET /api/datasets/9/': () => json(created),
      'GET /api/datasets/9/items/': () => json(page([])),
    });
    const { router } = renderRoutes(routes, '/projects/1/datasets');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New dataset' }));
    const form = screen.getByRole('region', { name: 'New dataset' });
    expect(within(form).getByLabelText('Name')).toHaveFocus();
    await user.type(within(form).getByLabelText('Name'), '  faces ');
    await user.type(within(form).getByLabelText('Description (optional)'), 'Portraits');
    await user.click(within(form).getByRole('button', { name: 'Create dataset' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/1/datasets/9'));
    expect(sent).toEqual([{ project: 1, name: 'faces', description: 'Portraits' }]);
    expect(await screen.findByText('faces has no items yet')).toBeInTheDocument();
  });

  it('shows why a dataset was not created: its name missing, refused, or taken', async () => {
    const answers = [
      {
        detail: 'name: This field may not be blank.',
        errors: [{ path: 'name', message: 'This field may not be blank.' }],
      },
      // What the API answers for a name the project already has.
      {
        detail: 'name: Project acme already has a dataset named passages.',
        errors: [{ path: 'name', message: 'Project acme already has a dataset named passages.' }],
      },
      // Something the form has no field for.
      { detail: 'The dataset could not be saved.', errors: [{ path: '', message: 'The dataset could not be saved.' }] },
    ];
    const { requests } = stub({ 'POST /api/datasets/': () => json(answers.shift(), 400) });
    renderRoutes(routes, '/projects/1/datasets');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New dataset' }));
    await user.click(screen.getByRole('button', { name: 'Create dataset' }));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('A name.');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.type(screen.getByLabelText('Name'), 'passages');
    await user.click(screen.getByRole('button', { name: 'Create dataset' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('This field may not be blank.'),
    );

    await user.click(screen.getByRole('button', { name: 'Create dataset' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(
        'Project acme already has a dataset named passages.',
      ),
    );

    await user.click(screen.getByRole('button', { name: 'Create dataset' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Could not create the dataset'));
    const said = screen.getByRole('alert').textContent?.match(/The dataset could not be saved\./g);
    expect(said).toHaveLength(1);
  });

  it('offers viewers no way to create one', async () => {
    stub({ 'GET /api/datasets/': () => json(page([{ ...PASSAGES, project: 2 }])) });
    renderRoutes(routes, '/projects/2/datasets');
    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New dataset' })).not.toBeInTheDocument();
  });
});

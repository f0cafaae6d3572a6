import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../api/apiKeys';
import { routes } from '../routes';
import { json, never, stubFetch } from '../test/fetchStub';
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

const CI: ApiKey = {
  id: 9,
  name: 'ci',
  prefix: 'plk_ab12',
  project: 1,
  created_at: '2026-11-20T10:00:00Z',
  last_used_at: new Date(Date.now() - 2 * 3600 * 1000).toISOString(),
  expires_at: null,
  read_only: true,
  revoked: false,
};
const OLD: ApiKey = { ...CI, id: 8, name: 'old laptop', prefix: 'plk_zz99', project: null, read_only: false, last_used_at: null, revoked: true };

describe('the API keys page', () => {
  it('says it is loading while the list is on its way', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(SESSION), 'GET /api/api-keys/': never });
    renderRoutes(routes, '/api-keys');
    expect(await screen.findByText('Loading your API keys…')).toBeInTheDocument();
  });

  it('lists your keys: name, prefix, scope, access, times and whether revoked', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(SESSION), 'GET /api/api-keys/': () => json(page([CI, OLD])) });
    renderRoutes(routes, '/api-keys');
    const table = await screen.findByRole('table');
    const [, ci, old] = within(table).getAllByRole('row');
    expect(ci).toHaveTextContent('plk_ab12…');
    expect(ci).toHaveTextContent('acme');
    expect(ci).toHaveTextContent('read-only');
    expect(ci).toHaveTextContent('2 hr. ago');
    expect(ci).toHaveTextContent('active');
    expect(old).toHaveTextContent('all');
    expect(old).toHaveTextContent('read and write');
    expect(old).toHaveTextContent('revoked');
    expect(within(old!).queryByRole('button')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'API keys' })).toHaveAttribute('href', '/api-keys');
  });

  it('says when you have none, and shows why the list failed', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(SESSION), 'GET /api/api-keys/': () => json(page([])) });
    const { unmount } = renderRoutes(routes, '/api-keys');
    expect(await screen.findByText('You have no API keys yet')).toBeInTheDocument();
    unmount();
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/api-keys/': () => json({ detail: 'The database is unavailable.', errors: [] }, 503),
    });
    renderRoutes(routes, '/api-keys');
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable.');
  });

  it('makes a key and shows it once, with a warning and a copy button', async () => {
    const sent: unknown[] = [];
    let keys: ApiKey[] = [];
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/api-keys/': () => json(page(keys)),
      'POST /api/api-keys/': async (request) => {
        sent.push(await request.json());
        const made = { ...CI, id: 10, name: 'agent', prefix: 'plk_new1', last_used_at: null };
        keys = [made];
        return json({ ...made, key: 'plk_new1-the-whole-secret' }, 201);
      },
    });
    renderRoutes(routes, '/api-keys');
    const user = userEvent.setup();
    const form = await screen.findByRole('region', { name: 'Make a key' });
    await user.type(within(form).getByLabelText('Name'), 'agent');
    await user.selectOptions(within(form).getByLabelText('Project'), 'Only acme');
    await user.click(within(form).getByLabelText('Read-only'));
    await user.click(within(form).getByRole('button', { name: 'Make key' }));

    const notice = await screen.findByRole('region', { name: 'Your new API key “agent”' });
    expect(within(notice).getByLabelText('API key')).toHaveValue('plk_new1-the-whole-secret');
    expect(notice).toHaveTextContent('this is the only time it is shown');
    expect(sent).toEqual([{ name: 'agent', project: 1, read_only: true }]);

    // userEvent.setup() provides a clipboard stub to read back from.
    await user.click(within(notice).getByRole('button', { name: 'Copy' }));
    expect(await within(notice).findByText('Copied to the clipboard.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe('plk_new1-the-whole-secret');

    await user.click(within(notice).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByRole('region', { name: /Your new API key/ })).not.toBeInTheDocument();
    expect(await screen.findByText('plk_new1…')).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent('the-whole-secret');
  });

  it('shows a refused key at its field', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/api-keys/': () => json(page([])),
      'POST /api/api-keys/': () =>
        json({ detail: 'name: This field may not be blank.', errors: [{ path: 'name', message: 'This field may not be blank.' }] }, 400),
    });
    renderRoutes(routes, '/api-keys');
    const user = userEvent.setup();
    const form = await screen.findByRole('region', { name: 'Make a key' });
    await user.click(within(form).getByRole('button', { name: 'Make key' }));
    const name = within(form).getByLabelText('Name');
    await waitFor(() => expect(name).toHaveAttribute('aria-invalid', 'true'));
    expect(name).toHaveAccessibleDescription('This field may not be blank.');
  });

  it('asks before revoking a key, saying what it does, and revokes it on confirmation', async () => {
    let revoked = false;
    const deleted: string[] = [];
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/api-keys/': () => json(page([{ ...CI, revoked }])),
      'DELETE /api/api-keys/9/': (request) => {
        deleted.push(request.url);
        revoked = true;
        return new Response(null, { status: 204 });
      },
    });
    renderRoutes(routes, '/api-keys');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke ci' }));
    const confirm = screen.getByRole('group', { name: 'Revoke ci?' });
    expect(confirm).toHaveTextContent('refused (401) at once');
    expect(confirm).toHaveTextContent('cannot be undone');
    expect(within(confirm).getByRole('button', { name: 'Keep it' })).toHaveFocus();
    expect(deleted).toHaveLength(0);

    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('group', { name: 'Revoke ci?' })).not.toBeInTheDocument();
    expect(deleted).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Revoke ci' }));
    await user.click(within(screen.getByRole('group', { name: 'Revoke ci?' })).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.getAllByRole('row')[1]).toHaveTextContent('revoked'));
    expect(deleted).toHaveLength(1);
  });
});

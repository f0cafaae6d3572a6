import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Member } from '../api/members';
import { routes } from '../routes';
import { json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';

const URL = '/projects/1/members';

function session(role: 'owner' | 'editor' | 'viewer') {
  return { signed_in: true, username: 'olga', is_superuser: false, projects: [{ id: 1, name: 'e2e', role }] };
}

function server(role: 'owner' | 'editor' | 'viewer', members: () => Member[], extra = {}) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session(role)),
    'GET /api/projects/1/members/': () => json(members()),
    ...extra,
  });
}

const TEAM: Member[] = [
  { username: 'edith', role: 'editor' },
  { username: 'olga', role: 'owner' },
  { username: 'victor', role: 'viewer' },
];

describe('the members page', () => {
  it('says it is loading, and why the list failed', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(session('owner')), 'GET /api/projects/1/members/': never });
    const { unmount } = renderRoutes(routes, URL);
    expect(await screen.findByText('Loading the members…')).toBeInTheDocument();
    unmount();
    server('owner', () => TEAM, {
      'GET /api/projects/1/members/': () => json({ detail: 'The database is unavailable.', errors: [] }, 503),
    });
    renderRoutes(routes, URL);
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable.');
  });

  it('shows a non-owner the members and their roles, read-only', async () => {
    server('editor', () => TEAM);
    renderRoutes(routes, URL);
    const rows = within(await screen.findByRole('table')).getAllByRole('row');
    expect(rows.map((row) => row.textContent)).toEqual(['MemberRole', 'editheditor', 'olga(you)owner', 'victorviewer']);
    expect(screen.queryByLabelText(/^Role of/)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Remove|Add member|Save/ })).not.toBeInTheDocument();
    expect(screen.getByText('Only the project’s owners change its members.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Members' })).toHaveAttribute('href', '/projects/1/members');
  });

  it('lets an owner add a member, with an unknown user name shown at the field', async () => {
    let team = TEAM;
    const sent: unknown[] = [];
    server('owner', () => team, {
      'POST /api/projects/1/members/': async (request: Request) => {
        const body = (await request.json()) as Member;
        sent.push(body);
        if (body.username === 'nobody') {
          return json({ detail: 'Invalid input.', errors: [{ path: 'username', message: 'No user "nobody".' }] }, 400);
        }
        team = [...team, body];
        return json(body);
      },
    });
    renderRoutes(routes, URL);
    const user = userEvent.setup();
    const form = await screen.findByRole('form', { name: 'Add a member' });
    const name = within(form).getByLabelText('User name');
    await user.click(within(form).getByRole('button', { name: 'Add member' }));
    expect(within(form).getByText('Give a user name.')).toBeInTheDocument();
    await user.type(name, 'nobody');
    await user.click(within(form).getByRole('button', { name: 'Add member' }));
    expect(await within(form).findByText('No user "nobody".')).toBeInTheDocument();
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveAccessibleDescription('No user "nobody".');

    await user.clear(name);
    await user.type(name, 'wendy');
    await user.selectOptions(within(form).getByLabelText('Role'), 'editor');
    await user.click(within(form).getByRole('button', { name: 'Add member' }));
    expect(await screen.findByText('wendy is now an editor.')).toBeInTheDocument();
    expect(await screen.findByRole('cell', { name: 'wendy' })).toBeInTheDocument();
    expect(sent.at(-1)).toEqual({ username: 'wendy', role: 'editor' });
  });

  it('lets an owner change a role', async () => {
    let team = TEAM;
    server('owner', () => team, {
      'POST /api/projects/1/members/': async (request: Request) => {
        const body = (await request.json()) as Member;
        team = team.map((m) => (m.username === body.username ? body : m));
        return json(body);
      },
    });
    renderRoutes(routes, URL);
    const user = userEvent.setup();
    const row = (await screen.findByRole('cell', { name: 'victor' })).closest('tr')!;
    const save = within(row).getByRole('button', { name: 'Save the role of victor' });
    expect(save).toBeDisabled();
    await user.selectOptions(within(row).getByLabelText('Role of victor'), 'editor');
    await user.click(save);
    expect(await screen.findByText('victor is now an editor.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('Role of victor')).toHaveValue('editor'));
  });

  it('removes a member after saying who loses access, and shows a refusal', async () => {
    let team = TEAM;
    server('owner', () => team, {
      'DELETE /api/projects/1/members/victor/': () => {
        team = team.filter((m) => m.username !== 'victor');
        return new Response(null, { status: 204 });
      },
      'DELETE /api/projects/1/members/olga/': () =>
        json({ detail: '"e2e" needs at least one owner.', errors: [] }, 409),
    });
    renderRoutes(routes, URL);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove victor' }));
    const confirm = screen.getByRole('group', { name: 'Remove victor?' });
    expect(confirm).toHaveTextContent('Remove victor from e2e? They lose access');
    expect(within(confirm).getByRole('button', { name: 'Keep' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Remove victor' }));
    expect(await screen.findByText('victor no longer has access to e2e.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'victor' })).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Remove olga' }));
    expect(screen.getByRole('group', { name: 'Remove olga?' })).toHaveTextContent('You lose access');
    await user.click(screen.getByRole('button', { name: 'Remove olga' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('needs at least one owner');
  });
});

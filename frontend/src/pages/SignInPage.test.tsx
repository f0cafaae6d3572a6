import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';
import { SignInPage } from './SignInPage';

const SIGNED_OUT = () => json({ signed_in: false, username: '', is_superuser: false, projects: [] });
const ROUTES = [
  { path: '/login', Component: SignInPage },
  { path: '/projects/:projectId/experiments', element: <p>Experiments page</p> },
  { path: '/', element: <p>Home page</p> },
];

async function fillIn(username: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('User name'), username);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('the sign-in page', () => {
  it('shows a wrong password at the form and stays on it', async () => {
    document.cookie = 'csrftoken=from-the-server';
    const { requests } = stubFetch({
      'GET /api/auth/session/': SIGNED_OUT,
      'POST /api/auth/session/': () =>
        json({ detail: 'Wrong user name or password.', errors: [{ path: '', message: 'Wrong user name or password.' }] }, 400),
    });
    renderRoutes(ROUTES, '/login');

    await fillIn('alice', 'not-her-password');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Wrong user name or password.');
    expect(screen.getByLabelText('Password')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.headers.get('X-CSRFToken')).toBe('from-the-server');
  });

  it('says so when the name is locked out', async () => {
    stubFetch({
      'GET /api/auth/session/': SIGNED_OUT,
      'POST /api/auth/session/': () =>
        json({ detail: 'Too many failed logins for this user name from this address; try again in 15 minutes.', errors: [] }, 429),
    });
    renderRoutes(ROUTES, '/login');
    await fillIn('alice', 'guess');
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many failed logins');
  });

  it('explains a refused security token instead of quoting it', async () => {
    stubFetch({
      'GET /api/auth/session/': SIGNED_OUT,
      'POST /api/auth/session/': () =>
        json({ detail: 'CSRF Failed: CSRF cookie not set.', errors: [] }, 403),
    });
    renderRoutes(ROUTES, '/login');
    await fillIn('alice', 'alice-pass-123');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'did not send this page’s security cookie',
    );
  });

  it('goes where it was sent from once signed in', async () => {
    stubFetch({
      'GET /api/auth/session/': SIGNED_OUT,
      'POST /api/auth/session/': () =>
        json({ signed_in: true, username: 'alice', is_superuser: false, projects: [{ id: 1, name: 'acme', role: 'owner' }] }),
    });
    const { router } = renderRoutes(ROUTES, '/login?next=%2Fprojects%2F1%2Fexperiments');
    await fillIn('alice', 'alice-pass-123');
    expect(await screen.findByText('Experiments page')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/projects/1/experiments');
  });

  it('never follows a next address to another site', async () => {
    stubFetch({
      'GET /api/auth/session/': () =>
        json({ signed_in: true, username: 'alice', is_superuser: false, projects: [] }),
    });
    const { router } = renderRoutes(ROUTES, '/login?next=%2F%2Fevil.example%2F');
    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
    expect(screen.getByText('Home page')).toBeInTheDocument();
  });
});

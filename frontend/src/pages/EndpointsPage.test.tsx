import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../api/endpoints';
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

const OPENAI: Endpoint = {
  id: 3,
  project: 1,
  name: 'openai',
  api_key_set: true,
  kind: 'openai',
  base_url: 'https://api.openai.com/v1',
  api_key_env: '',
  max_concurrency: 16,
  rpm: 3500,
  tpm: 2_000_000,
  timeout_s: 30,
  prices: {},
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-20T10:00:00Z',
};
const LOCAL: Endpoint = {
  ...OPENAI,
  id: 4,
  name: 'local',
  api_key_set: false,
  base_url: 'http://127.0.0.1:8000/v1',
  max_concurrency: 4,
  rpm: null,
  tpm: null,
  timeout_s: 0.5,
};

function stub(extra: Record<string, (request: Request) => Response | Promise<Response>> = {}) {
  return stubFetch({
    'GET /api/auth/session/': () => json(SESSION),
    'GET /api/endpoints/': () => json(page([OPENAI, LOCAL])),
    ...extra,
  });
}

describe('the endpoints page', () => {
  it('says it is loading while the list is on its way', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(SESSION), 'GET /api/endpoints/': never });
    renderRoutes(routes, '/projects/1/endpoints');
    expect(await screen.findByText('Loading endpoints…')).toBeInTheDocument();
  });

  it('lists each endpoint with its URL, kind, limits and whether a key is set', async () => {
    const { requests } = stub();
    renderRoutes(routes, '/projects/1/endpoints');
    const table = await screen.findByRole('table');
    const [, first, second] = within(table).getAllByRole('row');
    expect(first).toHaveTextContent('openai');
    expect(first).toHaveTextContent('https://api.openai.com/v1');
    expect(first).toHaveTextContent('16');
    expect(first).toHaveTextContent('3,500');
    expect(first).toHaveTextContent('2,000,000');
    expect(first).toHaveTextContent('30 s');
    expect(within(first!).getAllByRole('cell')[6]).toHaveTextContent('set');
    expect(second).toHaveTextContent('no limit');
    expect(second).toHaveTextContent('500 ms');
    expect(within(second!).getAllByRole('cell')[6]).toHaveTextContent('not set');
    const query = new URL(requests.find((r) => r.url.includes('/api/endpoints/'))!.url).searchParams;
    expect(query.get('project')).toBe('1');
    const nav = screen.getByRole('navigation', { name: 'Project' });
    expect(within(nav).getByRole('link', { name: 'Endpoints' })).toHaveAttribute('href', '/projects/1/endpoints');
  });

  it('says when the project has none, and shows why the list failed', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(SESSION), 'GET /api/endpoints/': () => json(page([])) });
    const { unmount } = renderRoutes(routes, '/projects/1/endpoints');
    expect(await screen.findByText('No endpoints in acme yet')).toBeInTheDocument();
    unmount();
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/endpoints/': () => json({ detail: 'The database is unavailable.', errors: [] }, 503),
    });
    renderRoutes(routes, '/projects/1/endpoints');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the endpoints');
    expect(alert).toHaveTextContent('The database is unavailable.');
  });

  it('never shows the stored key, and leaves it alone when no new one is typed', async () => {
    const sent: Record<string, unknown>[] = [];
    stub({
      'PATCH /api/endpoints/3/': async (request) => {
        const body = (await request.json()) as Record<string, unknown>;
        sent.push(body);
        return json({ ...OPENAI, ...body });
      },
    });
    renderRoutes(routes, '/projects/1/endpoints');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit openai' }));
    const form = screen.getByRole('region', { name: 'Edit openai' });
    expect(within(form).getByLabelText('Name')).toHaveFocus();
    const key = within(form).getByLabelText('API key');
    expect(key).toHaveAttribute('type', 'password');
    expect(key).toHaveValue('');
    expect(form).toHaveTextContent('A key is set');
    const rpm = within(form).getByLabelText('Requests per minute');
    await user.clear(rpm);
    await user.type(rpm, '100');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved openai.')).toBeInTheDocument();
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toHaveProperty('api_key');
    expect(sent[0]).toMatchObject({ rpm: 100, tpm: 2_000_000, max_concurrency: 16, timeout_s: 30 });
    expect(screen.queryByRole('region', { name: 'Edit openai' })).not.toBeInTheDocument();
  });

  it('sends a new key only when one is typed', async () => {
    const sent: Record<string, unknown>[] = [];
    stub({
      'PATCH /api/endpoints/3/': async (request) => {
        const body = (await request.json()) as Record<string, unknown>;
        sent.push(body);
        const { api_key: _key, ...rest } = body;
        return json({ ...OPENAI, ...rest });
      },
    });
    renderRoutes(routes, '/projects/1/endpoints');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit openai' }));
    const form = screen.getByRole('region', { name: 'Edit openai' });
    await user.type(within(form).getByLabelText('API key'), 'sk-new-secret');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Saved openai.');
    expect(sent[0]).toHaveProperty('api_key', 'sk-new-secret');
    expect(document.body).not.toHaveTextContent('sk-new-secret');
  });

  it('adds an endpoint to the project, showing a refusal at its field', async () => {
    const sent: Record<string, unknown>[] = [];
    stub({
      'POST /api/endpoints/': async (request) => {
        sent.push((await request.json()) as Record<string, unknown>);
        return json(
          {
            detail: 'base_url: Enter a valid URL.',
            errors: [{ path: 'base_url', message: 'Enter a valid URL.' }],
          },
          400,
        );
      },
    });
    renderRoutes(routes, '/projects/1/endpoints');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add endpoint' }));
    const form = screen.getByRole('region', { name: 'Add an endpoint' });
    await user.type(within(form).getByLabelText('Name'), 'vllm');
    await user.type(within(form).getByLabelText('Base URL'), 'not a url');
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    const url = within(form).getByLabelText('Base URL');
    await waitFor(() => expect(url).toHaveAttribute('aria-invalid', 'true'));
    expect(url).toHaveAccessibleDescription(expect.stringContaining('Enter a valid URL.'));
    expect(sent[0]).toMatchObject({ project: 1, name: 'vllm', base_url: 'not a url', rpm: null, tpm: null });
    expect(sent[0]).not.toHaveProperty('api_key');
  });

  it('asks for numbers where limits are not, without sending anything', async () => {
    const sent: unknown[] = [];
    stub({ 'PATCH /api/endpoints/4/': (request) => (sent.push(request.url), json(LOCAL)) });
    renderRoutes(routes, '/projects/1/endpoints');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit local' }));
    const form = screen.getByRole('region', { name: 'Edit local' });
    expect(form).toHaveTextContent('No key is set');
    await user.type(within(form).getByLabelText('Tokens per minute'), 'lots');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(within(form).getByLabelText('Tokens per minute')).toHaveAccessibleDescription('A number, or empty for no limit.');
    expect(within(form).getByLabelText('Requests per minute')).not.toHaveAttribute('aria-invalid');
    expect(sent).toHaveLength(0);
  });

  it('tests the connection and shows what the endpoint answered', async () => {
    stub({
      'POST /api/endpoints/3/test/': () =>
        json({ ok: true, message: 'HTTP 200: 2 models.', models: ['gpt-4o', 'gpt-4o-mini'] }),
      'POST /api/endpoints/4/test/': () => json({ ok: false, message: 'HTTP 401: the key was refused.', models: [] }),
    });
    renderRoutes(routes, '/projects/1/endpoints');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Test the connection to openai' }));
    const ok = await screen.findByRole('status', { name: 'Connection to openai' });
    expect(ok).toHaveTextContent('Connected: HTTP 200: 2 models.');
    expect(ok).toHaveTextContent('gpt-4o, gpt-4o-mini');
    await user.click(screen.getByRole('button', { name: 'Test the connection to local' }));
    expect(await screen.findByRole('status', { name: 'Connection to local' })).toHaveTextContent(
      'Failed: HTTP 401: the key was refused.',
    );
  });

  it('gives a viewer the list without edit or test controls', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/endpoints/': () => json(page([{ ...OPENAI, project: 2 }])),
    });
    renderRoutes(routes, '/projects/2/endpoints');
    await screen.findByRole('table');
    expect(screen.queryByRole('button', { name: /edit|add|test/i })).not.toBeInTheDocument();
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Prompt, PromptVersion } from '../api/prompts';
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

const PROMPT: Prompt = {
  id: 5,
  project: 1,
  name: 'extract',
  description: 'Entity extraction',
  messages: [
    { role: 'system', content: 'Be terse.' },
    { role: 'user', content: 'List the places in {{ text }}' },
  ],
  version: 2,
  created_at: '2026-11-20T10:00:00Z',
};

const V1: PromptVersion = {
  number: 1,
  messages: [
    { role: 'system', content: 'Be terse.' },
    { role: 'user', content: 'List the people in {{ text }}' },
  ],
  content_hash: 'aaaaaaaa11111111',
  created_by: 'bob',
  created_at: '2026-11-20T10:00:00Z',
};
const V2: PromptVersion = {
  number: 2,
  messages: PROMPT.messages,
  content_hash: 'bbbbbbbb22222222',
  created_by: 'alice',
  created_at: '2026-11-21T10:00:00Z',
};

describe('the prompts list', () => {
  it('says it is loading while the list is on its way', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(SESSION), 'GET /api/prompts/': never });
    renderRoutes(routes, '/projects/1/prompts');
    expect(await screen.findByText('Loading prompts…')).toBeInTheDocument();
  });

  it("lists the project's prompts with their latest version, linked from the header", async () => {
    const { requests } = stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/prompts/': () => json(page([PROMPT])),
    });
    renderRoutes(routes, '/projects/1/prompts');
    const table = await screen.findByRole('table');
    const [, row] = within(table).getAllByRole('row');
    expect(within(row!).getByRole('link', { name: 'extract' })).toHaveAttribute('href', '/projects/1/prompts/5');
    expect(row).toHaveTextContent('v2');
    expect(row).toHaveTextContent('Entity extraction');
    const nav = screen.getByRole('navigation', { name: 'Project' });
    expect(within(nav).getByRole('link', { name: 'Prompts' })).toHaveAttribute('href', '/projects/1/prompts');
    const query = new URL(requests.find((r) => r.url.includes('/api/prompts/'))!.url).searchParams;
    expect(query.get('project')).toBe('1');
  });

  it('says when the project has no prompts', async () => {
    stubFetch({ 'GET /api/auth/session/': () => json(SESSION), 'GET /api/prompts/': () => json(page([])) });
    renderRoutes(routes, '/projects/1/prompts');
    expect(await screen.findByText('No prompts in acme yet')).toBeInTheDocument();
  });

  it('shows why the list failed, and tries again on request', async () => {
    let calls = 0;
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/prompts/': () =>
        ++calls === 1 ? json({ detail: 'The database is unavailable.', errors: [] }, 503) : json(page([PROMPT])),
    });
    renderRoutes(routes, '/projects/1/prompts');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The database is unavailable.');
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'extract' })).toBeInTheDocument();
  });
});

function promptRoutes(extra: Record<string, (request: Request) => Response | Promise<Response>> = {}) {
  return stubFetch({
    'GET /api/auth/session/': () => json(SESSION),
    'GET /api/prompts/5/': () => json(PROMPT),
    'GET /api/prompts/5/versions/': () => json(page([V2, V1])),
    ...extra,
  });
}

describe("a prompt's page", () => {
  it('lists the versions and diffs the two latest side by side, highlighting the changed word', async () => {
    promptRoutes();
    renderRoutes(routes, '/projects/1/prompts/5');
    const versions = await screen.findByRole('region', { name: 'Versions' });
    expect(within(versions).getAllByRole('row')).toHaveLength(3);
    expect(versions).toHaveTextContent('bbbbbbbb');

    const diff = screen.getByRole('table', { name: 'extract v1 against extract v2' });
    const changed = within(diff).getAllByRole('row').filter((row) => row.dataset.kind === 'changed');
    expect(changed).toHaveLength(1);
    const [left, right] = within(changed[0]!).getAllByRole('cell');
    expect(left!.querySelector('del')).toHaveTextContent('people');
    expect(right!.querySelector('ins')).toHaveTextContent('places');
    // The words both share are not highlighted.
    expect(left!.querySelectorAll('del')).toHaveLength(1);
    expect(screen.getByText('1 line differs.')).toBeInTheDocument();
  });

  it('compares the versions picked, kept in the URL', async () => {
    promptRoutes();
    const { router } = renderRoutes(routes, '/projects/1/prompts/5');
    await screen.findByRole('table', { name: 'extract v1 against extract v2' });
    await userEvent.setup().selectOptions(screen.getByRole('combobox', { name: 'A' }), 'v2');
    expect(screen.getByRole('table', { name: 'extract v2 against extract v2' })).toBeInTheDocument();
    expect(screen.getByText('The two versions have the same messages.')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?a=2');
  });

  it('adds a version with the messages written, and shows the number given', async () => {
    const sent: unknown[] = [];
    promptRoutes({
      'PATCH /api/prompts/5/': async (request) => {
        const body = (await request.json()) as { messages: Prompt['messages'] };
        sent.push(body);
        return json({ ...PROMPT, messages: body.messages, version: 3 });
      },
    });
    renderRoutes(routes, '/projects/1/prompts/5');
    const user = userEvent.setup();
    const form = await screen.findByRole('region', { name: 'Add a version' });
    const content = within(form).getAllByLabelText('Content')[1]!;
    expect(content).toHaveValue('List the places in {{ text }}');
    await user.clear(content);
    await user.type(content, 'List the towns');
    await user.click(within(form).getByRole('button', { name: 'Save as a new version' }));
    expect(await within(form).findByText('Added v3.')).toBeInTheDocument();
    expect(sent).toEqual([{
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'List the towns' },
      ],
    }]);
  });

  it('says so when the messages equal the latest version (the API adds none)', async () => {
    promptRoutes({ 'PATCH /api/prompts/5/': () => json(PROMPT) });
    renderRoutes(routes, '/projects/1/prompts/5');
    const form = await screen.findByRole('region', { name: 'Add a version' });
    await userEvent.setup().click(within(form).getByRole('button', { name: 'Save as a new version' }));
    expect(await within(form).findByText('Same messages as v2: no version added.')).toBeInTheDocument();
  });

  it("shows the API's refusal at the field it names", async () => {
    promptRoutes({
      'PATCH /api/prompts/5/': () =>
        json(
          {
            detail: "messages[1].content: unexpected '}'",
            errors: [{ path: 'messages[1].content', message: "unexpected '}'" }],
          },
          400,
        ),
    });
    renderRoutes(routes, '/projects/1/prompts/5');
    const user = userEvent.setup();
    const form = await screen.findByRole('region', { name: 'Add a version' });
    const content = within(form).getAllByLabelText('Content')[1]!;
    await user.type(content, ' }}');
    await user.click(within(form).getByRole('button', { name: 'Save as a new version' }));
    await waitFor(() => expect(content).toHaveAttribute('aria-invalid', 'true'));
    expect(content).toHaveAccessibleDescription("unexpected '}'");
    expect(within(form).getAllByLabelText('Content')[0]).not.toHaveAttribute('aria-invalid');
    expect(within(form).getByRole('alert')).toHaveTextContent('The version was not saved');
  });

  it('gives a viewer no way to add a version', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/prompts/5/': () => json({ ...PROMPT, project: 2 }),
      'GET /api/prompts/5/versions/': () => json(page([V2, V1])),
    });
    renderRoutes(routes, '/projects/2/prompts/5');
    await screen.findByRole('region', { name: 'Versions' });
    expect(screen.queryByRole('region', { name: 'Add a version' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /save/i })).not.toBeInTheDocument();
  });

  it('shows why the prompt failed to load', async () => {
    stubFetch({
      'GET /api/auth/session/': () => json(SESSION),
      'GET /api/prompts/5/': () => json({ detail: 'Not found.', errors: [] }, 404),
      'GET /api/prompts/5/versions/': () => json({ detail: 'Not found.', errors: [] }, 404),
    });
    renderRoutes(routes, '/projects/1/prompts/5');
    expect(await screen.findByRole('alert')).toHaveTextContent('Not found.');
  });
});

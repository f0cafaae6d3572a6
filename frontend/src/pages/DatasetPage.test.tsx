import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Dataset, DatasetItem } from '../api/datasets';
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

function page<T>(results: T[], count = results.length) {
  return { count, next: null, previous: null, results };
}

const PASSAGES: Dataset = {
  id: 7,
  project: 1,
  name: 'passages',
  description: 'People in news passages',
  items: 3,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-21T10:00:00Z',
};
const ITEMS: DatasetItem[] = [
  {
    id: 70,
    position: 0,
    input: { passage: 'Grace Hopper in Arlington' },
    expected: { people: ['Grace Hopper'] },
    tags: ['news'],
  },
  { id: 71, position: 1, input: { passage: 'Alan Turing' }, expected: 'Turing', tags: [] },
  { id: 72, position: 2, input: { passage: 'nobody' }, expected: null, tags: ['empty', 'edge'] },
];

function stub(extra: Record<string, Handler> = {}, session = SESSION) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session),
    'GET /api/datasets/7/': () => json(PASSAGES),
    'GET /api/datasets/7/items/': (request) => {
      const search = new URL(request.url).searchParams.get('search');
      const found = search ? ITEMS.filter((item) => JSON.stringify(item).toLowerCase().includes(search)) : ITEMS;
      return json(page(found));
    },
    ...extra,
  });
}

const URL_ = '/projects/1/datasets/7';

function itemRequests(requests: Request[]) {
  return requests.filter((r) => new URL(r.url).pathname === '/api/datasets/7/items/');
}

describe('the dataset page', () => {
  it('says it is loading, then shows why the items failed', async () => {
    stub({ 'GET /api/datasets/7/items/': never });
    const { unmount } = renderRoutes(routes, URL_);
    expect(await screen.findByText('Loading items…')).toBeInTheDocument();
    unmount();
    stub({ 'GET /api/datasets/7/items/': () => json({ detail: 'The database is unavailable.', errors: [] }, 503) });
    renderRoutes(routes, URL_);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the items');
    expect(alert).toHaveTextContent('The database is unavailable.');
  });

  it('shows the items with their input, expected output and tags, and links the downloads', async () => {
    stub();
    renderRoutes(routes, URL_);
    expect(await screen.findByRole('heading', { level: 1, name: 'passages' })).toBeInTheDocument();
    const table = await screen.findByRole('table');
    const [, first, second, third] = within(table).getAllByRole('row');
    expect(first).toHaveTextContent('1');
    expect(first).toHaveTextContent('passage: Grace Hopper in Arlington');
    expect(first).toHaveTextContent('{"people":["Grace Hopper"]}');
    expect(first).toHaveTextContent('news');
    expect(second).toHaveTextContent('Turing');
    expect(within(third!).getAllByRole('cell')[2]).toHaveTextContent('—');
    expect(third).toHaveTextContent('edge');
    expect(screen.getByText('3 items', { selector: 'h1 ~ span' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Download passages as JSONL' })).toHaveAttribute(
      'href',
      '/api/datasets/7/export/?format=jsonl',
    );
    expect(screen.getByRole('link', { name: 'Download passages as CSV' })).toHaveAttribute(
      'href',
      '/api/datasets/7/export/?format=csv',
    );
  });

  it('searches the items on the server, keeping the search in the URL', async () => {
    const { requests } = stub();
    const { router } = renderRoutes(routes, `${URL_}?page=2`);
    const user = userEvent.setup();
    const box = await screen.findByRole('searchbox', { name: 'Search items' });
    await user.type(box, 'hopper{Enter}');
    await waitFor(() => expect(router.state.location.search).toBe('?search=hopper'));
    expect(await screen.findByText('1 item match “hopper”')).toBeInTheDocument();
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2);
    const last = new URL(itemRequests(requests).at(-1)!.url).searchParams;
    expect(last.get('search')).toBe('hopper');
    expect(last.get('page')).toBe('1');

    await user.clear(screen.getByRole('searchbox', { name: 'Search items' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search items' }), 'zebra{Enter}');
    expect(await screen.findByText('No item matches “zebra”')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear search' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(await screen.findByText('3 items', { selector: 'h2 ~ span' })).toBeInTheDocument();
  });

  it('lists every bad line when the API refuses a file, and imports nothing', async () => {
    const sent: FormData[] = [];
    const { requests } = stub({
      'POST /api/datasets/7/import/': async (request) => {
        sent.push(await request.formData());
        return json(
          {
            detail: 'bad.jsonl: 2 bad rows; nothing was imported',
            errors: [
              { path: 'line 2', message: 'invalid JSON: Expecting value (column 1)' },
              { path: 'line 3', message: '"input" must be an object' },
            ],
          },
          400,
        );
      },
    });
    renderRoutes(routes, URL_);
    const user = userEvent.setup();
    const loadsBefore = await waitFor(() => {
      const n = itemRequests(requests).length;
      expect(n).toBeGreaterThan(0);
      return n;
    });
    await user.upload(
      await screen.findByLabelText('File (.jsonl or .csv)'),
      new File(['{"input": {"passage": "ok"}}\nnot json\n{}\n'], 'bad.jsonl'),
    );
    await user.click(screen.getByRole('button', { name: 'Upload' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Nothing was imported');
    expect(alert).toHaveTextContent('bad.jsonl: 2 bad rows; nothing was imported');
    const problems = within(alert).getAllByRole('listitem');
    expect(problems.map((li) => li.textContent)).toEqual([
      'Line 2: invalid JSON: Expecting value (column 1)',
      'Line 3: "input" must be an object',
    ]);
    expect(sent[0]!.get('mode')).toBe('append');
    // jsdom's File reaches the stub without its name or bytes; the e2e test sends a real one.
    expect(sent[0]!.has('file')).toBe(true);
    expect(itemRequests(requests)).toHaveLength(loadsBefore);
  });

  it('says how many items a good file added, and reloads the items', async () => {
    const { requests } = stub({
      'POST /api/datasets/7/import/': () => json({ added: 2, kept: 0, archived: 0, deleted: 0 }),
    });
    renderRoutes(routes, URL_);
    const user = userEvent.setup();
    await screen.findByRole('table');
    const loadsBefore = itemRequests(requests).length;
    await user.upload(screen.getByLabelText('File (.jsonl or .csv)'), new File(['passage\na\nb\n'], 'good.csv'));
    await user.click(screen.getByRole('button', { name: 'Upload' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Imported 2 items from good.csv.');
    await waitFor(() => expect(itemRequests(requests).length).toBeGreaterThan(loadsBefore));
    expect(screen.getByLabelText('File (.jsonl or .csv)')).toHaveValue('');
  });

  it('asks before replacing, saying how many items go, and sends nothing if kept', async () => {
    const modes: string[] = [];
    stub({
      'POST /api/datasets/7/import/': async (request) => {
        modes.push(String((await request.formData()).get('mode')));
        return json({ added: 1, kept: 1, archived: 1, deleted: 1 });
      },
    });
    renderRoutes(routes, URL_);
    const user = userEvent.setup();
    await user.upload(await screen.findByLabelText('File (.jsonl or .csv)'), new File(['{}'], 'new.jsonl'));
    await user.click(screen.getByRole('radio', { name: /Replace/ }));
    await user.click(screen.getByRole('button', { name: 'Upload' }));
    const ask = screen.getByRole('group', { name: 'Replace the items of passages?' });
    expect(ask).toHaveTextContent('with those in new.jsonl? This deletes its 3 items');
    expect(within(ask).getByRole('button', { name: 'Keep them' })).toHaveFocus();
    await user.click(within(ask).getByRole('button', { name: 'Keep them' }));
    expect(screen.queryByRole('group', { name: 'Replace the items of passages?' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Upload' })).toHaveFocus();
    expect(modes).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Upload' }));
    await user.click(screen.getByRole('button', { name: 'Delete 3 items and replace' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Imported 2 items from new.jsonl. 1 new, 1 unchanged; 2 items removed.',
    );
    expect(modes).toEqual(['replace']);
  });

  it('asks for a file before uploading', async () => {
    const { requests } = stub();
    renderRoutes(routes, URL_);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Upload' }));
    const input = screen.getByLabelText('File (.jsonl or .csv)');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('Choose a file to upload.');
    expect(input).toHaveFocus();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('shows a viewer the items and downloads, without upload controls', async () => {
    stub({ 'GET /api/datasets/7/': () => json({ ...PASSAGES, project: 2 }) });
    renderRoutes(routes, '/projects/2/datasets/7');
    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Download passages as CSV' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Upload items' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('File (.jsonl or .csv)')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Upload' })).not.toBeInTheDocument();
  });

  it('is not found for a dataset of another project', async () => {
    stub({ 'GET /api/datasets/7/': () => json({ ...PASSAGES, project: 2 }) });
    renderRoutes(routes, URL_);
    expect(await screen.findByRole('heading', { name: 'Nothing here' })).toBeInTheDocument();
  });
});

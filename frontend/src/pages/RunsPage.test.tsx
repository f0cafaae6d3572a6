import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { routes } from '../routes';
import { type Handler, json, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';
import { run } from '../test/runFixtures';
import { row, SWEEP } from '../test/sweepFixtures';
import { ROW_HEIGHT } from '../components/runs/RunTable';

const RUNS_PATH = '/api/sweeps/7/runs/';
const VIEWPORT = 10 * ROW_HEIGHT;

function session() {
  return { signed_in: true, username: 'alice', is_superuser: false, projects: [{ id: 1, name: 'acme', role: 'viewer' }] };
}

function server(runs: Handler) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session()),
    'GET /api/sweeps/7/': () => json(SWEEP),
    'GET /api/sweeps/7/leaderboard/': () => json([row(1), row(2)]),
    [`GET ${RUNS_PATH}`]: runs,
  });
}

function runRequests(requests: Request[]): URLSearchParams[] {
  return requests
    .filter((r) => new URL(r.url).pathname === RUNS_PATH)
    .map((r) => new URL(r.url).searchParams);
}

function page(first: number, count: number, next: string | null) {
  return json({
    next: next && `http://localhost${RUNS_PATH}?cursor=${next}&page_size=100`,
    previous: null,
    results: Array.from({ length: count }, (_, i) => run(first + i)),
  });
}

beforeEach(() => {
  // jsdom lays nothing out: the table's scroll box gets a height of 10 rows.
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(VIEWPORT);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the run explorer', () => {
  it('sends the filters in the URL to the API, and starts paging again when one changes', async () => {
    const { requests } = server((request) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      return cursor ? page(101, 5, null) : page(1, 100, 'c2');
    });
    const { router } = renderRoutes(routes, '/sweeps/7/runs?status=done&score_min=0.5&cache_hit=true');
    // The first test loads the page's code.
    await screen.findByRole('link', { name: '#1' }, { timeout: 5000 });

    const [first] = runRequests(requests);
    expect(first!.get('status')).toBe('done');
    expect(first!.get('score_min')).toBe('0.5');
    expect(first!.get('cache_hit')).toBe('true');
    expect(first!.get('page_size')).toBe('100');
    expect(first!.has('cursor')).toBe(false);

    await userEvent.setup().selectOptions(screen.getByLabelText('Errors'), 'Errors only');
    await waitFor(() => expect(runRequests(requests)).toHaveLength(2));
    const second = runRequests(requests)[1]!;
    expect(second.get('error')).toBe('true');
    expect(second.get('status')).toBe('done');
    expect(second.has('cursor')).toBe(false);
    expect(router.state.location.search).toBe('?status=done&score_min=0.5&error=true&cache_hit=true');
  });

  it('applies a typed score threshold on Enter, not on every keystroke', async () => {
    const { requests } = server(() => page(1, 3, null));
    const { router } = renderRoutes(routes, '/sweeps/7/runs');
    await screen.findByRole('link', { name: '#1' });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Score at least'), '0.75');
    expect(runRequests(requests)).toHaveLength(1);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(runRequests(requests)).toHaveLength(2));
    expect(runRequests(requests)[1]!.get('score_min')).toBe('0.75');
    expect(router.state.location.search).toBe('?score_min=0.75');
  });

  it('draws only the visible rows, and loads the next page when scrolled to the end', async () => {
    const { requests } = server((request) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      return cursor === 'c2' ? page(101, 5, null) : page(1, 100, 'c2');
    });
    renderRoutes(routes, '/sweeps/7/runs');
    await screen.findByRole('link', { name: '#1' });
    const region = screen.getByRole('region', { name: /Runs/ });
    // A viewport of 10 rows plus the overscan: not all 100.
    expect(within(region).getAllByRole('row').length).toBeLessThan(30);
    expect(runRequests(requests)).toHaveLength(1);

    Object.defineProperty(region, 'scrollTop', { configurable: true, value: 100 * ROW_HEIGHT - VIEWPORT });
    fireEvent.scroll(region);

    await waitFor(() => expect(runRequests(requests)).toHaveLength(2));
    expect(runRequests(requests)[1]!.get('cursor')).toBe('c2');
    expect(await within(region).findByRole('link', { name: '#105' })).toBeInTheDocument();
    expect(screen.getByText('All 105 matching runs loaded')).toBeInTheDocument();
  });

  it('says when no run matches the filters, and resets them', async () => {
    const { requests } = server((request) =>
      new URL(request.url).searchParams.has('status') ? page(1, 0, null) : page(1, 2, null),
    );
    const { router } = renderRoutes(routes, '/sweeps/7/runs?status=failed');
    expect(await screen.findByText('No run matches these filters')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Reset filters' }));
    expect(await screen.findByRole('link', { name: '#1' })).toBeInTheDocument();
    expect(router.state.location.search).toBe('');
    expect(runRequests(requests).at(-1)!.has('status')).toBe(false);
  });

  it('shows the error when the runs fail to load', async () => {
    server(() => json({ detail: 'The database is unavailable.', errors: [] }, 503));
    renderRoutes(routes, '/sweeps/7/runs');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the runs');
    expect(alert).toHaveTextContent('The database is unavailable.');
  });

  it('labels each run with its config, and links to the run', async () => {
    server(() => page(1, 1, null));
    renderRoutes(routes, '/sweeps/7/runs');
    const link = await screen.findByRole('link', { name: '#1' });
    expect(link).toHaveAttribute('href', '/runs/1');
    const cells = within(link.closest('tr')!).getAllByRole('cell');
    expect(cells[1]).toHaveTextContent('prompt-1 / sim:sim-extractor (temperature=0.5)');
    expect(cells[5]).toHaveTextContent('0.750');
    expect(cells[6]).toHaveTextContent('90 + 30');
    expect(cells[7]).toHaveTextContent('120 ms');
    expect(cells[8]).toHaveTextContent('$0.0002');
  });
});

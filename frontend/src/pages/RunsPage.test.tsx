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

function server(runs: Handler, leaderboard = [row(1), row(2)]) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session()),
    'GET /api/sweeps/7/': () => json(SWEEP),
    'GET /api/sweeps/7/leaderboard/': () => json(leaderboard),
    [`GET ${RUNS_PATH}`]: runs,
  });
}

function runRequests(requests: Request[]): URLSearchParams[] {
  return requests
    .filter((r) => new URL(r.url).pathname === RUNS_PATH)
    .map((r) => new URL(r.url).searchParams);
}

/** The requests for a first page (a new filter or order), not the pages loaded ahead. */
function firstPages(requests: Request[]) {
  return runRequests(requests).filter((params) => !params.has('cursor'));
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
    await waitFor(() => expect(firstPages(requests)).toHaveLength(2));
    const second = firstPages(requests)[1]!;
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

  it('draws only the visible rows, and loads the next pages ahead of the scroll', async () => {
    const { requests } = server((request) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      if (cursor === 'c3') return page(601, 5, null);
      return cursor === 'c2' ? page(101, 500, 'c3') : page(1, 100, 'c2');
    });
    renderRoutes(routes, '/sweeps/7/runs');
    await screen.findByRole('link', { name: '#1' });
    const region = screen.getByRole('region', { name: /Runs/ });
    // A viewport of 10 rows plus the overscan: not all 100.
    expect(within(region).getAllByRole('row').length).toBeLessThan(30);
    // Within LOAD_AHEAD rows of the end: the next page comes before it is scrolled to...
    await waitFor(() => expect(runRequests(requests)).toHaveLength(2));
    expect(runRequests(requests)[1]!.get('cursor')).toBe('c2');
    // ...and with 600 rows loaded, no more until the scroll nears their end.
    await within(region).findByRole('link', { name: '#1' });
    expect(runRequests(requests)).toHaveLength(2);

    Object.defineProperty(region, 'scrollTop', { configurable: true, value: 600 * ROW_HEIGHT - VIEWPORT });
    fireEvent.scroll(region);

    await waitFor(() => expect(runRequests(requests)).toHaveLength(3));
    expect(runRequests(requests)[2]!.get('cursor')).toBe('c3');
    expect(await within(region).findByRole('link', { name: '#605' })).toBeInTheDocument();
    expect(screen.getByText('All 605 matching runs loaded')).toBeInTheDocument();
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
    expect(cells[8]).toHaveTextContent('90 + 30');
    expect(cells[9]).toHaveTextContent('120 ms');
    expect(cells[10]).toHaveTextContent('$0.0002');
  });

  it("shows each scorer's score in a column of its own after the composite score", async () => {
    server(() => page(1, 1, null), [row(1, { scores: { json_valid: 1, json_f1: 0.5 } }), row(2)]);
    renderRoutes(routes, '/sweeps/7/runs');
    const link = await screen.findByRole('link', { name: '#1' });
    const headers = screen.getAllByRole('columnheader').map((th) => th.textContent);
    expect(headers.slice(5, 8)).toEqual(['Score', 'json_valid', 'json_f1']);
    const cells = within(link.closest('tr')!).getAllByRole('cell');
    expect(cells[6]).toHaveTextContent('1.000');
    expect(cells[7]).toHaveTextContent('0.500');
  });

  it('sorts by a column when its header is clicked, the other way on a second click, from the first page', async () => {
    const { requests } = server((request) => {
      const params = new URL(request.url).searchParams;
      return params.get('cursor') ? page(101, 5, null) : page(1, 100, 'c2');
    });
    const { router } = renderRoutes(routes, '/sweeps/7/runs?status=done');
    await screen.findByRole('link', { name: '#1' });
    expect(runRequests(requests)[0]!.has('ordering')).toBe(false);
    const score = () => screen.getByRole('columnheader', { name: /^Score/ });
    expect(score()).not.toHaveAttribute('aria-sort');
    expect(screen.getByRole('columnheader', { name: /^Run/ })).toHaveAttribute('aria-sort', 'ascending');
    expect(screen.getByText('sorted by run id, ascending')).toBeInTheDocument();

    // A second page loaded, then sorted: the new order starts again from its own first page.
    const region = screen.getByRole('region', { name: /Runs/ });
    Object.defineProperty(region, 'scrollTop', { configurable: true, value: 100 * ROW_HEIGHT - VIEWPORT });
    fireEvent.scroll(region);
    await waitFor(() => expect(runRequests(requests).some((params) => params.get('cursor') === 'c2')).toBe(true));

    const user = userEvent.setup();
    await user.click(within(score()).getByRole('button', { name: 'Score' }));
    await waitFor(() => expect(firstPages(requests)).toHaveLength(2));
    expect(firstPages(requests)[1]!.get('ordering')).toBe('score');
    expect(firstPages(requests)[1]!.get('status')).toBe('done');
    expect(router.state.location.search).toBe('?status=done&ordering=score');
    expect(score()).toHaveAttribute('aria-sort', 'ascending');
    expect(screen.getByRole('columnheader', { name: /^Run/ })).not.toHaveAttribute('aria-sort');

    // From the keyboard: the header's button takes Enter.
    within(score()).getByRole('button', { name: 'Score' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(runRequests(requests).at(-1)!.get('ordering')).toBe('-score'));
    expect(router.state.location.search).toBe('?status=done&ordering=-score');
    expect(score()).toHaveAttribute('aria-sort', 'descending');
    expect(screen.getByText('sorted by score, descending, runs without a score last')).toBeInTheDocument();

    // Clearing the filters keeps the sort.
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe('?ordering=-score'));
  });

  it('offers a select per config axis that varies, and sends the chosen values as repeated axis params', async () => {
    const sloppy = { prompt: 'prompt-1', endpoint: 'sim', model: 'sim-sloppy', params: { temperature: 0.7 } };
    const { requests } = server(() => page(1, 3, null), [row(1), row(2, { config: sloppy })]);
    // A malformed axis in the URL is left out.
    const { router } = renderRoutes(routes, '/sweeps/7/runs?axis=params.temperature:0.5&axis=colour');
    await screen.findByRole('link', { name: '#1' });
    expect(runRequests(requests)[0]!.getAll('axis')).toEqual(['params.temperature:0.5']);

    const user = userEvent.setup();
    const model = await screen.findByLabelText('model');
    expect(within(model).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Any',
      'sim-extractor',
      'sim-sloppy',
    ]);
    // Axes with one value (the endpoint) filter nothing: no select.
    expect(screen.queryByLabelText('endpoint')).not.toBeInTheDocument();
    expect(screen.getByLabelText('params.temperature')).toHaveValue('0.5');

    await user.selectOptions(model, 'sim-sloppy');
    await waitFor(() => expect(runRequests(requests)).toHaveLength(2));
    expect(runRequests(requests)[1]!.getAll('axis')).toEqual(['model:sim-sloppy', 'params.temperature:0.5']);
    expect(new URLSearchParams(router.state.location.search).getAll('axis')).toEqual([
      'model:sim-sloppy',
      'params.temperature:0.5',
    ]);
    expect(screen.getByText('2 filters applied.')).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText('params.temperature'), 'Any');
    await waitFor(() => expect(runRequests(requests)).toHaveLength(3));
    expect(runRequests(requests)[2]!.getAll('axis')).toEqual(['model:sim-sloppy']);
  });

  it("offers a pipeline's axes per stage", async () => {
    const stage = (name: string, prompt: string) => ({
      stage: name,
      prompt,
      endpoint: 'sim',
      model: 'sim-extractor',
      params: {},
    });
    server(
      () => page(1, 1, null),
      [
        row(1, { stages: [stage('extract', 'terse'), stage('normalise', 'plain')] }),
        row(2, { stages: [stage('extract', 'verbose'), stage('normalise', 'plain')] }),
      ],
    );
    renderRoutes(routes, '/sweeps/7/runs');
    const extract = await screen.findByLabelText('extract.prompt');
    expect(within(extract).getAllByRole('option').map((o) => o.textContent)).toEqual(['Any', 'terse', 'verbose']);
    expect(screen.queryByLabelText('normalise.prompt')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('prompt')).not.toBeInTheDocument();
  });

  it("filters by a threshold on one scorer's score", async () => {
    const { requests } = server(() => page(1, 3, null), [row(1, { scores: { json_valid: 1, json_f1: 0.5 } })]);
    const { router } = renderRoutes(routes, '/sweeps/7/runs');
    await screen.findByRole('link', { name: '#1' });
    const user = userEvent.setup();
    expect(screen.getByLabelText('Scorer at least')).toBeDisabled();
    await user.selectOptions(screen.getByLabelText('Scorer'), 'json_f1');
    // A scorer alone is no filter (the API wants a bound): nothing is fetched yet.
    expect(runRequests(requests)).toHaveLength(1);
    await user.type(screen.getByLabelText('Scorer at least'), '0.4');
    // Leaving the field applies it; the field clicked next keeps the focus.
    await user.click(screen.getByLabelText('Scorer at most'));
    await waitFor(() => expect(runRequests(requests)).toHaveLength(2));
    expect(screen.getByLabelText('Scorer at most')).toHaveFocus();
    await user.keyboard('0.6{Enter}');
    await waitFor(() => expect(runRequests(requests)).toHaveLength(3));
    const sent = runRequests(requests)[2]!;
    expect([sent.get('scorer'), sent.get('scorer_min'), sent.get('scorer_max')]).toEqual(['json_f1', '0.4', '0.6']);
    expect(router.state.location.search).toBe('?scorer=json_f1&scorer_min=0.4&scorer_max=0.6');
    expect(screen.getByText('2 filters applied.')).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText('Scorer'), 'Any scorer');
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(screen.getByLabelText('Scorer at least')).toHaveValue(null);
    expect(screen.getByLabelText('Scorer at least')).toBeDisabled();
  });
});

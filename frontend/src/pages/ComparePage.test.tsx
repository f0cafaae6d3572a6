import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Compare } from '../api/compare';
import type { LeaderboardRow } from '../api/sweeps';
import { routes } from '../routes';
import { FakeSocket } from '../test/fakeSocket';
import { type Handler, json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';
import { row, SWEEP } from '../test/sweepFixtures';

vi.mock('../components/charts', () => ({
  LazyHeatmapChart: () => <div />,
  LazyParetoChart: () => <div />,
}));

const FINISHED = { ...SWEEP, status: 'completed' as const, finished_at: '2026-12-01T12:10:00Z', duration_s: 600 };
const ROWS: LeaderboardRow[] = [row(1), row(2), row(3)];
const [A, B, C] = ROWS.map((r) => r.config_hash) as [string, string, string];

const head = (hash: string, prompt: string) => ({
  config_hash: hash,
  config: { prompt, endpoint: 'sim', model: 'sim-extractor', params: { temperature: 0 } },
  stages: [],
  label: `${prompt} / sim:sim-extractor (temperature=0)`,
});

const COMPARE: Compare = {
  configs: [head(A, 'terse'), head(B, 'careful')],
  sample: 0,
  shared_items: 2,
  summary: [
    { config_hash: A, score: 0.8, score_delta: 0, failed: 0, outputs_differing: 0 },
    { config_hash: B, score: 0.55, score_delta: -0.25, failed: 1, outputs_differing: 2 },
  ],
  offset: 0,
  limit: 20,
  items: [
    {
      item_id: 31,
      position: 4,
      input: { passage: 'Ada Lovelace met Charles Babbage in London.' },
      expected: { people: ['Ada Lovelace', 'Charles Babbage'] },
      disagreement: 0.5,
      runs: [
        {
          config_hash: A,
          run_id: 501,
          status: 'done',
          output: '{"people": ["Ada Lovelace", "Charles Babbage"]}',
          error: '',
          score: 1,
          score_delta: 0,
          scores: { json_valid: 1, 'json_f1:people': 1 },
          scores_delta: { json_valid: 0, 'json_f1:people': 0 },
          diff: null,
        },
        {
          config_hash: B,
          run_id: 502,
          status: 'done',
          output: '{"people": ["Ada Lovelace", "Babbage"]}',
          error: '',
          score: 0.5,
          score_delta: -0.5,
          scores: { json_valid: 1, 'json_f1:people': 0.5 },
          scores_delta: { json_valid: 0, 'json_f1:people': -0.5 },
          diff: [
            { op: 'equal', text: '{"people": ["Ada Lovelace", ' },
            { op: 'delete', text: '"Charles Babbage"]}' },
            { op: 'insert', text: '"Babbage"]}' },
          ],
        },
      ],
    },
    {
      item_id: 32,
      position: 5,
      input: { passage: 'Grace Hopper worked in Arlington.' },
      expected: { people: ['Grace Hopper'] },
      disagreement: 0.1,
      runs: [
        {
          config_hash: A,
          run_id: 503,
          status: 'done',
          output: 'Grace Hopper',
          error: '',
          score: 0.6,
          score_delta: 0,
          scores: { json_valid: 0.6 },
          scores_delta: { json_valid: 0 },
          diff: null,
        },
        {
          config_hash: B,
          run_id: 504,
          status: 'failed',
          output: '',
          error: 'HTTP 500 from sim',
          score: null,
          score_delta: null,
          scores: {},
          scores_delta: {},
          diff: [{ op: 'delete', text: 'Grace Hopper' }],
        },
      ],
    },
  ],
};

function session(role: 'owner' | 'editor' | 'viewer') {
  return { signed_in: true, username: 'alice', is_superuser: false, projects: [{ id: 1, name: 'acme', role }] };
}

const waitForever: Handler = (request) =>
  new Promise((_, reject) => {
    request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });

function server(role: 'owner' | 'editor' | 'viewer', extra: Record<string, Handler> = {}) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session(role)),
    'GET /api/sweeps/7/': () => json(FINISHED),
    'GET /api/experiments/3/': () => json({ id: 3, name: 'entities', project: 1 }),
    'GET /api/sweeps/7/compare/': () => json(COMPARE),
    'GET /api/sweeps/7/leaderboard/': () => json(ROWS),
    'GET /api/sweeps/7/pareto/': () => json({ filters: {}, cost: [], latency: [] }),
    'GET /api/sweeps/7/marginals/': () => json({ filters: {}, axes: [] }),
    'GET /api/sweeps/7/heatmap/': () => json({ filters: {}, x: 'prompt', y: 'model', x_values: [], y_values: [], cells: [] }),
    'GET /api/sweeps/7/events/': waitForever,
    ...extra,
  });
}

const URL = `/sweeps/7/compare?configs=${A},${B}`;

beforeEach(() => {
  FakeSocket.reset();
  vi.stubGlobal('WebSocket', FakeSocket);
});

describe('the compare page', () => {
  it('is reached from the leaderboard by ticking configs with the keyboard and pressing Compare', async () => {
    const { requests } = server('viewer');
    const { router } = renderRoutes(routes, '/sweeps/7');
    await screen.findAllByTestId('leaderboard-row');
    const compare = screen.getByRole('button', { name: /^Compare/ });
    expect(compare).toBeDisabled();

    const user = userEvent.setup();
    // Ticked out of rank order: the best ranked one is still the reference.
    screen.getByRole('checkbox', { name: /^Compare prompt-3/ }).focus();
    await user.keyboard(' ');
    expect(compare).toBeDisabled();
    screen.getByRole('checkbox', { name: /^Compare prompt-1/ }).focus();
    await user.keyboard(' ');
    expect(compare).toHaveAccessibleName('Compare 2 configs');
    compare.focus();
    await user.keyboard('{Enter}');

    await screen.findByRole('heading', { level: 1, name: 'Compare configs' });
    expect(router.state.location.search).toBe(`?configs=${A},${C}`);
    await screen.findAllByTestId('compare-item');
    const sent = requests.find((r) => r.url.includes('/compare/'));
    expect(new globalThis.URL(sent!.url).searchParams.get('configs')).toBe(`${A},${C}`);
  });

  it('allows at most four configs to be ticked', async () => {
    server('viewer', { 'GET /api/sweeps/7/leaderboard/': () => json([1, 2, 3, 4, 5].map((rank) => row(rank))) });
    renderRoutes(routes, '/sweeps/7');
    await screen.findAllByTestId('leaderboard-row');
    const user = userEvent.setup();
    for (const rank of [1, 2, 3, 4]) await user.click(screen.getByRole('checkbox', { name: new RegExp(`^Compare prompt-${rank}`) }));
    expect(screen.getByRole('checkbox', { name: /^Compare prompt-5/ })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Compare 4 configs' })).toBeEnabled();
  });

  it('shows the outputs side by side with the words changed from the reference marked', async () => {
    server('viewer');
    renderRoutes(routes, URL);
    const items = await screen.findAllByTestId('compare-item');
    // The server's order: the most disagreement first.
    expect(within(items[0]!).getByRole('heading', { name: 'Item #31' })).toBeInTheDocument();
    expect(within(items[1]!).getByRole('heading', { name: 'Item #32' })).toBeInTheDocument();

    const [reference, other] = within(items[0]!).getAllByTestId('compare-run');
    expect(within(reference!).getByLabelText('Output of A')).toHaveTextContent(
      '{"people": ["Ada Lovelace", "Charles Babbage"]}',
    );
    expect(reference!.querySelector('del, ins')).toBeNull();
    const output = within(other!).getByLabelText('Output of B');
    expect(output.querySelector('del')).toHaveTextContent('"Charles Babbage"]}');
    expect(output.querySelector('ins')).toHaveTextContent('"Babbage"]}');

    // Each run links to its own page.
    expect(within(reference!).getByRole('link', { name: 'Run #501' })).toHaveAttribute('href', '/runs/501');
    expect(within(other!).getByRole('link', { name: 'Run #502' })).toHaveAttribute('href', '/runs/502');

    // A failed run says why.
    const failed = within(items[1]!).getAllByTestId('compare-run')[1]!;
    expect(within(failed).getByText('HTTP 500 from sim')).toBeInTheDocument();
    expect(within(failed).getByText('failed')).toBeInTheDocument();
  });

  it('shows per-scorer deltas to the reference, and the mean score of each config', async () => {
    server('viewer');
    renderRoutes(routes, URL);
    const items = await screen.findAllByTestId('compare-item');
    const other = within(items[0]!).getAllByTestId('compare-run')[1]!;
    const scores = within(other).getByRole('table', { name: 'Scores of B on item #31' });
    const f1 = within(scores).getByRole('row', { name: /json_f1:people/ });
    expect(f1).toHaveTextContent('0.500');
    expect(f1).toHaveTextContent('−0.500');
    expect(within(scores).getByRole('row', { name: /json_valid/ })).toHaveTextContent('0.000');
    expect(within(other).getByText('vs A').parentElement).toHaveTextContent('vs A −0.500');

    const [first, second] = screen.getAllByTestId('compare-config');
    expect(first).toHaveTextContent('0.800');
    expect(first).toHaveTextContent('reference');
    expect(second).toHaveTextContent('0.550');
    expect(second).toHaveTextContent('−0.250');
    expect(screen.getByText('over 2 shared items')).toBeInTheDocument();
  });

  it('makes another config the reference from the table', async () => {
    const { requests } = server('viewer');
    const { router } = renderRoutes(routes, URL);
    await screen.findAllByTestId('compare-item');
    await userEvent.setup().click(screen.getByRole('link', { name: /Make reference/ }));
    await waitFor(() => expect(router.state.location.search).toBe(`?configs=${B},${A}`));
    await waitFor(() =>
      expect(requests.some((r) => new globalThis.URL(r.url).searchParams.get('configs') === `${B},${A}`)).toBe(true),
    );
  });

  it('lets an editor promote a compared config', async () => {
    const { requests } = server('editor', {
      'POST /api/sweeps/7/promote/': () => json({ id: 1, label: 'production', config_hash: B }, 201),
    });
    renderRoutes(routes, URL);
    await screen.findAllByTestId('compare-item');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: /^Promote B .* to label$/ }));
    const form = screen.getByRole('form', { name: /^Promote careful/ });
    await user.click(within(form).getByRole('button', { name: 'Promote' }));
    expect(await screen.findByText(/Promoted/)).toHaveTextContent('production');
    const sent = requests.find((r) => r.method === 'POST');
    expect(await sent!.json()).toEqual({ config: B, label: 'production', note: '' });
  });

  it('shows a viewer no promote button', async () => {
    server('viewer');
    renderRoutes(routes, URL);
    await screen.findAllByTestId('compare-item');
    expect(screen.queryByRole('button', { name: /promote/i })).not.toBeInTheDocument();
  });

  it('asks for 2 to 4 configs when the link names fewer, without asking the server', async () => {
    const { requests } = server('viewer');
    renderRoutes(routes, `/sweeps/7/compare?configs=${A}`);
    expect(await screen.findByText('Pick 2 to 4 configs to compare')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: "sweep's leaderboard" })).toHaveAttribute('href', '/sweeps/7');
    expect(requests.some((r) => r.url.includes('/compare/'))).toBe(false);
  });

  it('shows the loading state, then the server refusing a config', async () => {
    let answer: Handler = () => never();
    server('viewer', { 'GET /api/sweeps/7/compare/': (request) => answer(request) });
    const view = renderRoutes(routes, URL);
    expect(await screen.findByText('Loading the comparison…')).toBeInTheDocument();
    view.unmount();

    answer = () =>
      json(
        {
          detail: 'configs: unknown config "ffff": not a config of this sweep',
          errors: [{ path: 'configs', message: 'unknown config "ffff": not a config of this sweep' }],
        },
        400,
      );
    renderRoutes(routes, `/sweeps/7/compare?configs=${A},ffff`);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not compare these configs');
    expect(alert).toHaveTextContent('not a config of this sweep');
  });

  it('says so when the configs share no item', async () => {
    server('viewer', {
      'GET /api/sweeps/7/compare/': () => json({ ...COMPARE, shared_items: 0, items: [] }),
    });
    renderRoutes(routes, URL);
    expect(await screen.findByText('No item shared by every config')).toBeInTheDocument();
  });
});

import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LeaderboardRow } from '../api/sweeps';
import { routes } from '../routes';
import { FakeSocket } from '../test/fakeSocket';
import { type Handler, json, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';
import { event, progress, row, SWEEP } from '../test/sweepFixtures';

// jsdom has no canvas: the charts are stand-ins that show what they were given.
vi.mock('../components/charts', () => ({
  LazyHeatmapChart: ({ heatmap }: { heatmap: { cells: unknown[] } }) => (
    <div data-testid="heatmap-chart">{heatmap.cells.length} cells</div>
  ),
  LazyParetoChart: ({ metric, points }: { metric: string; points: unknown[] }) => (
    <div data-testid={`pareto-${metric}`}>{points.length} points</div>
  ),
}));

const URL = '/sweeps/7';
const ROWS: LeaderboardRow[] = [row(1), row(2, { tied_with_best: true, p_value: 0.4 }), row(3)];

function session(role: 'owner' | 'editor' | 'viewer') {
  return { signed_in: true, username: 'alice', is_superuser: false, projects: [{ id: 1, name: 'acme', role }] };
}

/** A long poll that never answers (but stops when aborted, as fetch does). */
const waitForever: Handler = (request) =>
  new Promise((_, reject) => {
    request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });

function server(role: 'owner' | 'editor' | 'viewer', extra: Record<string, Handler> = {}, sweep = SWEEP) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session(role)),
    'GET /api/sweeps/7/': () => json(sweep),
    'GET /api/sweeps/7/leaderboard/': () => json(ROWS),
    'GET /api/sweeps/7/pareto/': () =>
      json({ filters: {}, cost: [], latency: [] }),
    'GET /api/sweeps/7/marginals/': () => json({ filters: {}, axes: [] }),
    'GET /api/sweeps/7/heatmap/': () =>
      json({
        filters: {},
        x: 'prompt',
        y: 'model',
        x_values: ['a', 'b'],
        y_values: ['sim/m'],
        cells: [
          { x: 'a', y: 'sim/m', mean: 0.5, n: 10 },
          { x: 'b', y: 'sim/m', mean: 0.7, n: 10 },
        ],
      }),
    'GET /api/sweeps/7/events/': waitForever,
    ...extra,
  });
}

function count(requests: Request[], method: string, path: string): number {
  return requests.filter((r) => r.method === method && new globalThis.URL(r.url).pathname === path).length;
}

beforeEach(() => {
  FakeSocket.reset();
  vi.stubGlobal('WebSocket', FakeSocket);
});

async function loaded() {
  await screen.findByRole('heading', { name: 'Sweep #7' });
  await screen.findAllByTestId('leaderboard-row');
}

describe('the sweep page', () => {
  it('shows a viewer the sweep without any control: no steering, no promotion', async () => {
    server('viewer');
    renderRoutes(routes, URL);
    await loaded();
    expect(screen.getByRole('progressbar', { name: 'Runs done' })).toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'Steer the sweep' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /pause/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /cancel/i })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Concurrency')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /promote/i })).not.toBeInTheDocument();
  });

  it("names the sweep's project in the header, though its URL does not", async () => {
    server('viewer');
    renderRoutes(routes, URL);
    await loaded();
    expect(screen.getByRole('combobox', { name: 'Project' })).toHaveDisplayValue('acme');
    const nav = screen.getByRole('navigation', { name: 'Project' });
    expect(within(nav).getByRole('link', { name: 'Experiments' })).toHaveAttribute(
      'href',
      '/projects/1/experiments',
    );
  });

  it('gives an editor pause, cancel, concurrency and promotion (once the sweep has finished)', async () => {
    server('editor');
    renderRoutes(routes, URL);
    await loaded();
    const controls = screen.getByRole('group', { name: 'Steer the sweep' });
    expect(within(controls).getByRole('button', { name: 'Pause' })).toBeEnabled();
    expect(within(controls).getByRole('button', { name: 'Cancel…' })).toBeEnabled();
    expect(within(controls).getByLabelText('Concurrency')).toHaveValue(16);
    const promote = screen.getAllByRole('button', { name: /^Promote .* to label$/ });
    expect(promote).toHaveLength(3);
    expect(promote[0]).toBeDisabled();
  });

  it('pauses the sweep for an editor, and changes its concurrency', async () => {
    const { requests } = server('owner', {
      'POST /api/sweeps/7/pause/': () => json({ ...SWEEP, status: 'paused' }),
      'POST /api/sweeps/7/steer/': () => json({ ...SWEEP, concurrency: 4 }),
    });
    renderRoutes(routes, URL);
    await loaded();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(count(requests, 'POST', '/api/sweeps/7/pause/')).toBe(1));

    const input = screen.getByLabelText('Concurrency');
    await user.clear(input);
    await user.type(input, '4');
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(count(requests, 'POST', '/api/sweeps/7/steer/')).toBe(1));
    const steer = requests.find((r) => new globalThis.URL(r.url).pathname === '/api/sweeps/7/steer/');
    expect(await steer?.json()).toEqual({ concurrency: 4 });
  });

  it('shows the steering refusal next to the controls', async () => {
    server('editor', {
      'POST /api/sweeps/7/pause/': () =>
        json({ detail: 'sweep 7 is completed; it cannot be steered', errors: [] }, 409),
    });
    renderRoutes(routes, URL);
    await loaded();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Pause' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('sweep 7 is completed; it cannot be steered');
  });

  it('follows the socket: progress and the event log update as events arrive', async () => {
    server('viewer');
    renderRoutes(routes, URL);
    await loaded();
    const socket = FakeSocket.last();
    expect(socket.url).toMatch(/\/ws\/sweeps\/7\/\?after=0$/);
    act(() => {
      socket.greet(0, SWEEP);
      socket.send(event(1, 'sweep.status', { status: 'running', error: '' }));
      const limits = { in_flight: 3, waiting: { concurrency: 0, rpm: 2, tpm: 0 }, backoff: 1, next_retry_s: 30, circuit: 'closed' };
      // The next retry counts down from the event's time.
      socket.send({ ...progress(2, 240, { endpoints: { sim: limits } }), at: new Date().toISOString() });
      socket.send(event(3, 'steering', { action: 'pause', by: 'bob', result: { status: 'paused', concurrency: 16 } }));
    });
    expect(await screen.findByText('240 / 720 runs')).toBeInTheDocument();
    expect(screen.getByText('Live')).toBeInTheDocument();
    const limits = screen.getByRole('table', { name: 'Endpoint rate limits' });
    expect(within(limits).getByText('2 (2 on rpm)')).toBeInTheDocument();
    expect(within(limits).getByText(/^in /)).toBeInTheDocument();
    expect(screen.getByText('bob paused the sweep')).toBeInTheDocument();
  });

  it('falls back to polling when the socket closes, and says so discreetly', async () => {
    const { requests } = server('viewer');
    renderRoutes(routes, URL);
    await loaded();
    act(() => FakeSocket.last().drop());
    expect(await screen.findByText('Live updates by polling')).toBeInTheDocument();
    await waitFor(() => expect(count(requests, 'GET', '/api/sweeps/7/events/')).toBeGreaterThan(0));
    const poll = requests.find((r) => new globalThis.URL(r.url).pathname === '/api/sweeps/7/events/');
    expect(new globalThis.URL(poll!.url).searchParams.get('after')).toBe('0');
  });

  it('fetches the analyses again when a live leaderboard event arrives', async () => {
    const { requests } = server('viewer');
    renderRoutes(routes, URL);
    await loaded();
    await screen.findByTestId('heatmap-chart');
    const before = count(requests, 'GET', '/api/sweeps/7/leaderboard/');
    act(() => {
      FakeSocket.last().greet(0, SWEEP);
      FakeSocket.last().send(event(1, 'leaderboard', { rows: ROWS, configs: 3, final: false }));
    });
    await waitFor(() => expect(count(requests, 'GET', '/api/sweeps/7/leaderboard/')).toBe(before + 1));
    await waitFor(() => expect(count(requests, 'GET', '/api/sweeps/7/heatmap/')).toBe(2));
  });

  it('promotes a config of a finished sweep, with the refusal shown at the form', async () => {
    const finished = { ...SWEEP, status: 'completed' as const, finished_at: '2026-12-01T12:10:00Z', duration_s: 600 };
    let attempts = 0;
    const { requests } = server(
      'editor',
      {
        'POST /api/sweeps/7/promote/': () => {
          attempts += 1;
          return attempts === 1
            ? json({ detail: 'Invalid input.', errors: [{ path: 'label', message: 'label "Prod" is not a slug' }] }, 400)
            : json({ id: 1, experiment: 3, label: 'staging', config_hash: ROWS[1]!.config_hash }, 201);
        },
      },
      finished,
    );
    renderRoutes(routes, URL);
    await loaded();
    const user = userEvent.setup();
    const [, second] = screen.getAllByRole('button', { name: /^Promote .* to label$/ });
    await user.click(second!);
    const form = screen.getByRole('form', { name: /^Promote / });
    const label = within(form).getByLabelText('Label');
    await user.clear(label);
    await user.type(label, 'staging');
    await user.click(within(form).getByRole('button', { name: 'Promote' }));
    expect(await within(form).findByText('label "Prod" is not a slug')).toBeInTheDocument();
    expect(label).toHaveAttribute('aria-invalid', 'true');

    await user.click(within(form).getByRole('button', { name: 'Promote' }));
    expect(await screen.findByText(/Promoted/)).toHaveTextContent('staging');
    expect(screen.getByRole('link', { name: 'See staging and its deployment' })).toHaveAttribute(
      'href',
      `/projects/${SWEEP.project}/experiments/3/promotions`,
    );
    const sent = requests.filter((r) => r.method === 'POST');
    expect(await sent[1]?.json()).toEqual({ config: ROWS[1]!.config_hash, label: 'staging', note: '' });
  });

  it('draws the heatmap of the axes picked, and says why one cannot be drawn', async () => {
    const { requests } = server('viewer', {
      'GET /api/sweeps/7/heatmap/': (request) => {
        const x = new globalThis.URL(request.url).searchParams.get('x');
        if (x === 'temperature') {
          const message = 'unknown axis "temperature"; axes: prompt, model';
          return json({ detail: `x: ${message}`, errors: [{ path: 'x', message }] }, 400);
        }
        return json({ filters: {}, x: 'prompt', y: 'model', x_values: ['a'], y_values: ['sim/m'], cells: [{ x: 'a', y: 'sim/m', mean: 1, n: 2 }] });
      },
    });
    renderRoutes(routes, URL);
    await loaded();
    expect(await screen.findByTestId('heatmap-chart')).toHaveTextContent('1 cells');
    const columns = screen.getByLabelText('Columns');
    expect(columns).toHaveValue('prompt');
    // The axes come from the leaderboard's configs.
    expect(within(columns).getAllByRole('option').map((o) => o.textContent)).toEqual(['prompt', 'model', 'temperature']);
    await userEvent.setup().selectOptions(columns, 'temperature');
    expect(await screen.findByText('unknown axis "temperature"', { exact: false })).toBeInTheDocument();
    const asked = requests.filter((r) => new globalThis.URL(r.url).pathname === '/api/sweeps/7/heatmap/');
    expect(new globalThis.URL(asked[asked.length - 1]!.url).search).toBe('?x=temperature&y=model');
    // Nothing scored yet: the Pareto panel says so.
    expect(screen.getByText('No scored configs yet')).toBeInTheDocument();
  });

  it('takes a person whose session ended while polling to the sign-in page', async () => {
    let signedIn = true;
    server('viewer', {
      'GET /api/auth/session/': () =>
        signedIn ? json(session('viewer')) : json({ signed_in: false, username: '', is_superuser: false, projects: [] }),
      'GET /api/sweeps/7/events/': () => {
        signedIn = false;
        return json({ detail: 'Not signed in.', errors: [] }, 401);
      },
    });
    const { router } = renderRoutes(routes, URL);
    await loaded();
    act(() => FakeSocket.last().refuse());
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe('?next=%2Fsweeps%2F7');
  });

  it('says it is not found for a sweep one may not see', async () => {
    server('viewer', {
      'GET /api/sweeps/7/': () => json({ detail: 'Not found.', errors: [] }, 404),
      'GET /api/sweeps/7/events/': () => json({ detail: 'Not found.', errors: [] }, 404),
    });
    renderRoutes(routes, URL);
    expect(await screen.findByRole('heading', { name: 'Nothing here' })).toBeInTheDocument();
  });
});

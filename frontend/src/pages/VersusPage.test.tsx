import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Versus } from '../api/compare';
import type { Sweep } from '../api/sweeps';
import { routes } from '../routes';
import { type Handler, json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';
import { SWEEP } from '../test/sweepFixtures';

const sweep = (id: number, experiment: number, created_at: string): Sweep => ({
  ...SWEEP,
  id,
  experiment,
  status: 'completed',
  created_at,
});

// Sweep 9 is the newest of experiment 3; 7 its previous one; 8 another experiment's.
const THIS = sweep(9, 3, '2026-12-01T14:00:00Z');
const SWEEPS = [THIS, sweep(8, 4, '2026-12-01T13:00:00Z'), sweep(7, 3, '2026-12-01T12:00:00Z')];

const config = (hash: string, prompt: string) => ({
  config_hash: hash,
  config: { prompt, endpoint: 'sim', model: 'sim-extractor', params: {} },
  stages: [],
  label: `${prompt} / sim:sim-extractor ()`,
});

const VERSUS: Versus = {
  a: { id: 7, experiment: 'entities', project: 'acme', status: 'completed', created_at: '2026-12-01T12:00:00Z' },
  b: { id: 9, experiment: 'entities', project: 'acme', status: 'completed', created_at: '2026-12-01T14:00:00Z' },
  filters: { scorer: null },
  shared_items: 40,
  only_in_a: ['dddd0000'],
  only_in_b: [],
  regressions: 1,
  improvements: 1,
  configs: [
    {
      ...config('aaaa1111', 'terse'),
      mean_a: 0.9,
      mean_b: 0.6,
      delta: -0.3,
      delta_ci95: [-0.4, -0.2],
      p_value: 0.0002,
      paired_items: 40,
      verdict: 'regression',
    },
    {
      ...config('bbbb2222', 'plain'),
      mean_a: 0.7,
      mean_b: 0.69,
      delta: -0.01,
      delta_ci95: [-0.05, 0.03],
      p_value: 0.6,
      paired_items: 40,
      verdict: 'same',
    },
    {
      ...config('cccc3333', 'careful'),
      mean_a: 0.5,
      mean_b: 0.7,
      delta: 0.2,
      delta_ci95: [0.1, 0.3],
      p_value: 0.001,
      paired_items: 40,
      verdict: 'improvement',
    },
  ],
};

function server(extra: Record<string, Handler> = {}) {
  return stubFetch({
    'GET /api/auth/session/': () =>
      json({ signed_in: true, username: 'alice', is_superuser: false, projects: [{ id: 1, name: 'acme', role: 'viewer' }] }),
    'GET /api/sweeps/9/': () => json(THIS),
    'GET /api/sweeps/': () => json({ count: SWEEPS.length, next: null, previous: null, results: SWEEPS }),
    'GET /api/experiments/': () =>
      json({
        count: 2,
        next: null,
        previous: null,
        results: [
          { id: 3, name: 'entities' },
          { id: 4, name: 'entities-v2' },
        ],
      }),
    'GET /api/sweeps/7/versus/9/': () => json(VERSUS),
    ...extra,
  });
}

describe('the sweep-against-sweep page', () => {
  it('offers the project’s other sweeps, the experiment’s previous one first, and compares on Compare', async () => {
    const { requests } = server();
    const { router } = renderRoutes(routes, '/sweeps/9/versus');
    expect(await screen.findByRole('heading', { level: 1, name: 'Sweep #9 against a baseline' })).toBeInTheDocument();
    expect(screen.getByText('Pick a baseline sweep')).toBeInTheDocument();
    const picker = await screen.findByLabelText('Baseline sweep');
    expect(picker).toHaveValue('7');
    const groups = within(picker).getAllByRole('group');
    expect(groups.map((g) => g.getAttribute('label'))).toEqual(['This experiment', 'Other experiments of the project']);
    expect(within(groups[0]!).getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(['7']);
    await waitFor(() => expect(within(groups[1]!).getByRole('option')).toHaveTextContent(/Sweep #8 · entities-v2/));
    // The list asked for is the project's, newest first.
    const listed = new URL(requests.find((r) => new URL(r.url).pathname === '/api/sweeps/')!.url).searchParams;
    expect(listed.get('project')).toBe('1');
    expect(listed.get('ordering')).toBe('-created_at');

    const user = userEvent.setup();
    picker.focus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Compare' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.search).toBe('?baseline=7'));
    expect(await screen.findAllByTestId('versus-row')).toHaveLength(3);
  });

  it('flags regressions and improvements in words and icons, with each change and its interval', async () => {
    server();
    renderRoutes(routes, '/sweeps/9/versus?baseline=7');
    const rows = await screen.findAllByTestId('versus-row');
    const [worse, same, better] = rows as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(worse).getByText('Regression')).toBeInTheDocument();
    expect(worse).toHaveTextContent('▼');
    expect(worse).toHaveTextContent('terse / sim:sim-extractor ()');
    expect(worse).toHaveTextContent('0.900');
    expect(worse).toHaveTextContent('0.600');
    expect(worse).toHaveTextContent('−0.300');
    expect(worse).toHaveTextContent('95% interval −0.400 to −0.200');
    expect(worse).toHaveTextContent('< 0.001');
    expect(within(same).getByText('No clear change')).toBeInTheDocument();
    expect(within(better).getByText('Improvement')).toBeInTheDocument();
    expect(better).toHaveTextContent('▲');
    expect(better).toHaveTextContent('+0.200');

    expect(screen.getByTestId('versus-counts')).toHaveTextContent('1 regression');
    expect(screen.getByTestId('versus-counts')).toHaveTextContent('1 improvement');
    expect(screen.getByTestId('versus-counts')).toHaveTextContent('1 only in the baseline');
    expect(screen.getByRole('columnheader', { name: 'Baseline #7' })).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'This sweep #9' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Swap: sweep #7 against #9' })).toHaveAttribute(
      'href',
      '/sweeps/7/versus?baseline=9',
    );
  });

  it('shows the loading state, then a sweep the server cannot find', async () => {
    let answer: Handler = () => never();
    server({ 'GET /api/sweeps/7/versus/9/': (request) => answer(request) });
    const view = renderRoutes(routes, '/sweeps/9/versus?baseline=7');
    expect(await screen.findByText('Comparing the sweeps…')).toBeInTheDocument();
    view.unmount();

    answer = () => json({ detail: 'No Sweep matches the given query.', errors: [] }, 404);
    renderRoutes(routes, '/sweeps/9/versus?baseline=7');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not compare the sweeps');
    expect(alert).toHaveTextContent('No Sweep matches the given query.');
  });

  it('says so when the two sweeps share no config', async () => {
    server({
      'GET /api/sweeps/7/versus/9/': () =>
        json({ ...VERSUS, configs: [], regressions: 0, improvements: 0, only_in_b: ['eeee'] }),
    });
    renderRoutes(routes, '/sweeps/9/versus?baseline=7');
    expect(await screen.findByText('No config in common')).toBeInTheDocument();
  });

  it('says when the project has no other sweep', async () => {
    server({ 'GET /api/sweeps/': () => json({ count: 1, next: null, previous: null, results: [THIS] }) });
    renderRoutes(routes, '/sweeps/9/versus');
    expect(await screen.findByText('This project has no other sweep to compare with yet.')).toBeInTheDocument();
  });
});

import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ValidationResult } from '../api/builder';
import type { ExperimentSummary } from '../api/experiments';
import { routes } from '../routes';
import { FakeSocket } from '../test/fakeSocket';
import { type Handler, json, never, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';
import { SWEEP } from '../test/sweepFixtures';

// jsdom has no canvas: the sweep page's charts are stand-ins.
vi.mock('../components/charts', () => ({
  LazyHeatmapChart: () => <div data-testid="heatmap-chart" />,
  LazyParetoChart: () => <div data-testid="pareto-chart" />,
}));

function session(role: 'owner' | 'editor' | 'viewer') {
  return { signed_in: true, username: 'alice', is_superuser: false, projects: [{ id: 1, name: 'acme', role }] };
}

function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

const SPEC = {
  name: 'entities',
  project: 'acme',
  dataset: { name: 'passages' },
  prompts: [{ name: 'terse', messages: [{ role: 'user', content: '{{ passage }}' }] }],
  models: [{ endpoint: 'local', model: 'llama3.1:8b' }],
  params: { temperature: [0, 0.7] },
  scorers: [{ type: 'json_valid' }],
  strategy: { type: 'random', budget: 50, seed: 1 },
};

const EXPERIMENT: ExperimentSummary = {
  id: 7,
  project: 1,
  name: 'entities',
  description: '',
  dataset: 3,
  spec: SPEC,
  sweeps: 0,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-30T10:00:00Z',
  last_sweep: null,
  labels: [],
};

const VALID: ValidationResult = {
  valid: true,
  errors: [],
  runs: 50,
  configs: 18,
  items: 40,
  samples: 1,
  estimated_cost: 0.5,
  grid_runs: 720,
  grid_estimated_cost: 7.2,
  unpriced_models: [],
  summary: '18 configs x 40 items x 1 samples = 720 runs, budget 50',
  warnings: [],
  concurrency: [
    { endpoint: 'local', effective: 8, limited_by: 'endpoint max_concurrency', sweep_concurrency: 32, max_concurrency: 8 },
  ],
  stages: [],
  unique_calls: 50,
  naive_calls: 50,
};

function invalid(errors: { path: string; message: string }[]): ValidationResult {
  return { ...VALID, valid: false, errors, runs: 0, configs: 0, concurrency: [], unique_calls: 0, naive_calls: 0 };
}

function server(role: 'owner' | 'editor' | 'viewer', extra: Record<string, Handler> = {}) {
  return stubFetch({
    'GET /api/auth/session/': () => json(session(role)),
    'GET /api/experiments/7/': () => json(EXPERIMENT),
    'GET /api/experiments/': () => json(page([])),
    'GET /api/endpoints/': () => json(page([{ id: 1, project: 1, name: 'local', api_key_set: false, base_url: 'http://127.0.0.1:11434/v1', created_at: '', updated_at: '' }])),
    'GET /api/datasets/': () => json(page([{ id: 3, project: 1, name: 'passages', items: 40, created_at: '', updated_at: '' }])),
    'GET /api/scorers/': () =>
      json([
        { type: 'json_valid', description: 'Parses as JSON.', options: {}, required: [], one_of_required: [], template_options: [], builtin: true },
        { type: 'json_f1', description: 'Set F1.', options: { field: { type: 'string' }, ignore_case: { type: 'boolean' } }, required: ['field'], one_of_required: [], template_options: [], builtin: true },
      ]),
    'POST /api/experiments/validate/': () => json(VALID),
    ...extra,
  });
}

function validations(requests: Request[]): Request[] {
  return requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/experiments/validate/');
}

const COPY_URL = '/projects/1/experiments/7/copy';

beforeEach(() => {
  FakeSocket.reset();
  vi.stubGlobal('WebSocket', FakeSocket);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the experiment builder', () => {
  it('checks the spec once typing pauses, and never shows an answer that came back late', async () => {
    const answers: ((response: Response) => void)[] = [];
    const { requests } = server('owner', {
      'POST /api/experiments/validate/': () => new Promise<Response>((resolve) => answers.push(resolve)),
    });
    renderRoutes(routes, '/projects/1/experiments/new');
    const name = await screen.findByLabelText('Name (required)');
    // An untouched form is not checked.
    expect(validations(requests)).toHaveLength(0);

    vi.useFakeTimers();
    fireEvent.change(name, { target: { value: 'a' } });
    await act(() => vi.advanceTimersByTimeAsync(200));
    fireEvent.change(name, { target: { value: 'ab' } });
    await act(() => vi.advanceTimersByTimeAsync(399));
    expect(validations(requests)).toHaveLength(0);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(validations(requests)).toHaveLength(1);
    expect(await validations(requests)[0]!.clone().json()).toMatchObject({ name: 'ab', project: 'acme' });

    // The first check is still out when the name changes again.
    fireEvent.change(name, { target: { value: 'abc' } });
    await act(() => vi.advanceTimersByTimeAsync(400));
    expect(validations(requests)).toHaveLength(2);
    expect(await validations(requests)[1]!.clone().json()).toMatchObject({ name: 'abc' });
    expect(validations(requests)[0]!.signal.aborted).toBe(true);

    // The newer answer first, then the stale one: only the newer shows.
    answers[1]!(json(invalid([{ path: 'name', message: 'answer for abc' }])));
    await act(() => vi.advanceTimersByTimeAsync(10));
    answers[0]!(json(invalid([{ path: 'name', message: 'answer for ab' }])));
    await act(() => vi.advanceTimersByTimeAsync(10));
    vi.useRealTimers();
    expect(await screen.findAllByText('answer for abc')).not.toHaveLength(0);
    expect(screen.queryByText('answer for ab')).not.toBeInTheDocument();
  });

  it('shows a validation error at its field, and takes it away once fixed', async () => {
    server('editor', {
      'POST /api/experiments/validate/': async (request) => {
        const spec = (await request.json()) as typeof SPEC;
        const content = spec.prompts[0]!.messages[0]!.content;
        return json(
          content.includes('pasage')
            ? invalid([
                { path: 'prompts[0].messages[0].content', message: 'variable "pasage" is not in 40 of 40 items' },
                { path: 'foo', message: 'unknown field' },
              ])
            : VALID,
        );
      },
    });
    renderRoutes(routes, COPY_URL);
    const content = await screen.findByLabelText('Content of message 1 of prompt terse');
    expect(await screen.findByText('50 runs')).toBeInTheDocument();

    fireEvent.change(content, { target: { value: '{{ pasage }}' } });
    await waitFor(() => expect(content).toHaveAttribute('aria-invalid', 'true'));
    expect(content).toHaveAccessibleDescription('variable "pasage" is not in 40 of 40 items');
    // No field for `foo`: it is listed at the top.
    expect(within(screen.getByRole('alert')).getByText('unknown field')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save and start' })).toBeDisabled();

    fireEvent.change(content, { target: { value: '{{ passage }}' } });
    await waitFor(() => expect(content).not.toHaveAttribute('aria-invalid'));
    expect(screen.queryByText(/variable "pasage"/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save and start' })).toBeEnabled();
  });

  it("sums up the validator's plan with units before starting", async () => {
    server('owner');
    renderRoutes(routes, COPY_URL);
    const summary = await screen.findByRole('region', { name: 'Before starting' });
    await within(summary).findByText('50 runs');
    for (const text of ['18 configs', '40 items', '50 calls', '$0.50', 'the full grid: 720 runs, $7.20', 'at most 8', "endpoint's max_concurrency 8"]) {
      expect(summary).toHaveTextContent(text);
    }
    expect(within(summary).getByRole('status')).toHaveTextContent('Valid');
  });

  it('saves the experiment, starts a sweep and opens its live page', async () => {
    const { requests } = server('editor', {
      'POST /api/experiments/': () => json({ ...EXPERIMENT, id: 9, name: 'entities-copy' }, 201),
      'POST /api/experiments/9/sweeps/': () => json({ ...SWEEP, id: 7, experiment: 9 }, 202),
      'GET /api/sweeps/7/': () => json(SWEEP),
      'GET /api/sweeps/7/leaderboard/': () => json([]),
      'GET /api/sweeps/7/pareto/': () => json({ filters: {}, cost: [], latency: [] }),
      'GET /api/sweeps/7/marginals/': () => json({ filters: {}, axes: [] }),
      'GET /api/sweeps/7/heatmap/': never,
      'GET /api/sweeps/7/events/': never,
    });
    const { router } = renderRoutes(routes, COPY_URL);
    const start = await screen.findByRole('button', { name: 'Save and start' });
    await waitFor(() => expect(start).toBeEnabled());
    await userEvent.setup().click(start);

    expect(await screen.findByRole('heading', { name: 'Sweep #7' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sweeps/7');
    const created = requests.find((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/experiments/');
    expect(await created!.clone().json()).toEqual({ ...SPEC, name: 'entities-copy' });
  });

  it("shows the server's refusal on save at the field it names", async () => {
    server('owner', {
      'POST /api/experiments/': () =>
        json({ detail: 'The spec is not valid.', errors: [{ path: 'models[0].endpoint', message: 'endpoint "local" was deleted' }] }, 400),
    });
    renderRoutes(routes, COPY_URL);
    const start = await screen.findByRole('button', { name: 'Save and start' });
    await waitFor(() => expect(start).toBeEnabled());
    await userEvent.setup().click(start);
    expect(await screen.findByText('The spec is not valid.')).toBeInTheDocument();
    expect(screen.getByLabelText('Endpoint of model 1')).toHaveAccessibleDescription('endpoint "local" was deleted');
  });

  it('keeps the form and the YAML in step, and the last good form when the YAML breaks', async () => {
    server('owner');
    renderRoutes(routes, COPY_URL);
    const user = userEvent.setup();
    await screen.findByLabelText('Name (required)');
    fireEvent.change(screen.getByLabelText('Name (required)'), { target: { value: 'renamed' } });

    await user.click(screen.getByRole('tab', { name: 'YAML' }));
    const yaml = screen.getByLabelText('Spec (YAML)');
    expect((yaml as HTMLTextAreaElement).value).toContain('name: renamed\n');
    expect((yaml as HTMLTextAreaElement).value).toContain('  - name: terse\n');

    const edited = (yaml as HTMLTextAreaElement).value.replace('model: llama3.1:8b', 'model: qwen2.5:7b');
    fireEvent.change(yaml, { target: { value: edited } });
    fireEvent.change(yaml, { target: { value: `${edited}\nprompts: [oops` } });
    expect(screen.getByRole('alert')).toHaveTextContent(/^Line \d+: /);
    expect(yaml).toHaveAttribute('aria-invalid', 'true');

    await user.click(screen.getByRole('tab', { name: /Form/ }));
    expect(screen.getByLabelText('Model 1 name')).toHaveValue('qwen2.5:7b');
    expect(screen.getByLabelText('Name (required)')).toHaveValue('renamed');
  });

  it('lets a viewer read and check a spec, not change or start it', async () => {
    server('viewer');
    renderRoutes(routes, COPY_URL);
    expect(await screen.findByText(/You are a viewer in acme/)).toBeInTheDocument();
    expect(screen.getByLabelText('Name (required)')).toHaveAttribute('readonly');
    expect(screen.queryByRole('button', { name: 'Save and start' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Add a prompt/ })).not.toBeInTheDocument();
  });

  it('says why when the experiment to copy does not load', async () => {
    server('owner', { 'GET /api/experiments/7/': () => json({ detail: 'Server error', errors: [] }, 500) });
    renderRoutes(routes, COPY_URL);
    expect(await screen.findByText('Could not load the experiment')).toBeInTheDocument();
  });
});

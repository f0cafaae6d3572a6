import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../api/runs';
import { routes } from '../routes';
import { json, stubFetch } from '../test/fetchStub';
import { renderRoutes } from '../test/render';
import { runDetail } from '../test/runFixtures';
import { SWEEP } from '../test/sweepFixtures';

const SESSION = {
  signed_in: true,
  username: 'alice',
  is_superuser: false,
  projects: [{ id: 1, name: 'acme', role: 'viewer' }],
};

function server(run: RunDetail | Response) {
  return stubFetch({
    'GET /api/auth/session/': () => json(SESSION),
    'GET /api/sweeps/7/': () => json(SWEEP),
    'GET /api/runs/42/': () => (run instanceof Response ? run : json(run)),
  });
}

const SCORES: RunDetail['scores'] = [
  { scorer: 'exact', value: 0, weight: 1, detail: null, error: 'the output has no "vendor" field' },
  {
    scorer: 'judge',
    value: 0.8,
    weight: 2,
    detail: { raw: 'Grade: 4 of 5. The vendor is right, the total is missing a currency.', parsed: 4 },
  },
];

describe('the run detail page', () => {
  it('pretty-prints an output that is JSON, and shows the messages sent', async () => {
    server(runDetail());
    renderRoutes(routes, '/runs/42');
    // The first test loads the page's code.
    expect(await screen.findByRole('heading', { name: 'Run #42' }, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByLabelText('Output', { selector: 'pre' }).textContent).toBe('{\n  "vendor": "ACME",\n  "total": 17\n}');
    const messages = screen.getByRole('list', { name: 'Messages sent' });
    expect(within(messages).getByText('Extract the vendor.')).toBeInTheDocument();
    expect(within(messages).getByText('system')).toBeInTheDocument();
  });

  it('shows an output that is not JSON as it came', async () => {
    server(runDetail({ output_text: '{vendor: ACME' }));
    renderRoutes(routes, '/runs/42');
    await screen.findByRole('heading', { name: 'Run #42' });
    expect(screen.getByLabelText('Output', { selector: 'pre' }).textContent).toBe('{vendor: ACME');
  });

  it("lists each score with its reason: the scorer's error, or the judge's words", async () => {
    server(runDetail({ scores: SCORES }));
    renderRoutes(routes, '/runs/42');
    const scores = await screen.findByRole('region', { name: 'Scores' });
    const rows = within(scores).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('exact');
    expect(rows[0]).toHaveTextContent('0.000');
    expect(rows[0]).toHaveTextContent('the output has no "vendor" field');
    expect(rows[1]).toHaveTextContent('0.800');
    expect(rows[1]).toHaveTextContent('Grade: 4 of 5. The vendor is right, the total is missing a currency.');
  });

  it("shows a pipeline's stages in order, each with its output and usage", async () => {
    server(
      runDetail({
        trace: [
          {
            stage: 'draft',
            messages: [{ role: 'user', content: 'Draft it' }],
            output: '["a","b"]',
            prompt_tokens: 10,
            completion_tokens: 5,
            latency_ms: 1500,
            cost: 0.002,
            cache_key: 'k1',
            cache_hit: true,
            error: '',
          },
          {
            stage: 'polish',
            messages: [{ role: 'user', content: 'Polish it' }],
            output: 'Done.',
            prompt_tokens: 20,
            completion_tokens: 8,
            latency_ms: 80,
            cost: null,
            cache_key: 'k2',
            cache_hit: false,
            error: '',
          },
        ],
      }),
    );
    renderRoutes(routes, '/runs/42');
    const draft = await screen.findByRole('region', { name: 'Stage 1: draft' });
    expect(within(draft).getByLabelText('Output of draft').textContent).toBe('[\n  "a",\n  "b"\n]');
    expect(draft).toHaveTextContent('10 + 5');
    expect(draft).toHaveTextContent('1.50 s');
    expect(draft).toHaveTextContent('$0.002');
    expect(draft).toHaveTextContent('hit');
    expect(screen.getByRole('region', { name: 'Stage 2: polish' })).toHaveTextContent('Polish it');
  });

  it('keeps the raw response folded until asked, and links back to the sweep and its runs', async () => {
    server(runDetail());
    renderRoutes(routes, '/runs/42');
    await screen.findByRole('heading', { name: 'Run #42' });
    const raw = screen.getByLabelText('Raw response', { selector: 'pre' });
    expect(raw).not.toBeVisible();
    await userEvent.setup().click(screen.getByText('Raw response', { selector: 'summary' }));
    expect(raw).toBeVisible();
    expect(raw).toHaveTextContent('"id": "resp-1"');
    const nav = screen.getByRole('navigation', { name: 'Breadcrumb' });
    expect(within(nav).getByRole('link', { name: 'Sweep #7' })).toHaveAttribute('href', '/sweeps/7');
    expect(within(nav).getByRole('link', { name: 'Runs' })).toHaveAttribute('href', '/sweeps/7/runs');
  });

  it('answers an unknown run as not found', async () => {
    server(json({ detail: 'Not found.', errors: [] }, 404));
    renderRoutes(routes, '/runs/42');
    expect(await screen.findByRole('heading', { name: 'Nothing here' })).toBeInTheDocument();
  });
});

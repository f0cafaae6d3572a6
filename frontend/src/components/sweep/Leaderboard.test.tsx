import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MemoryRouter } from 'react-router';
import { createQueryClient } from '../../api/queryClient';
import { SignedInContext } from '../../api/useSignedIn';
import type { LiveRow } from '../../live/events';
import { row } from '../../test/sweepFixtures';
import { LeaderboardTable } from './Leaderboard';

function renderTable(rows: LiveRow[], { canPromote = false, sweepFinished = true } = {}) {
  return render(
    <QueryClientProvider client={createQueryClient()}>
      <SignedInContext.Provider
        value={{ signed_in: true, username: 'bob', is_superuser: false, projects: [{ id: 1, name: 'acme', role: 'editor' }] }}
      >
        <MemoryRouter>
          <LeaderboardTable rows={rows} sweepId={7} canPromote={canPromote} sweepFinished={sweepFinished} />
        </MemoryRouter>
      </SignedInContext.Provider>
    </QueryClientProvider>,
  );
}

function rowOf(rank: number): HTMLElement {
  const found = screen.getAllByTestId('leaderboard-row')[rank - 1];
  if (!found) throw new Error(`no row ${rank}`);
  return found;
}

describe('the leaderboard table', () => {
  it('marks the best, the configs tied with it, and how far the others trail', () => {
    renderTable([
      row(1, { score: 0.9, ci95: [0.85, 0.95] }),
      row(2, { score: 0.88, ci95: [0.8, 0.93], tied_with_best: true, p_value: 0.41, delta: -0.02, paired_items: 40 }),
      row(3, { score: 0.6, ci95: [0.5, 0.7], tied_with_best: false, p_value: 0.0004, delta: -0.3, paired_items: 40 }),
      row(4, { score: 0.5, ci95: [0.4, 0.6], tied_with_best: false, p_value: null, delta: null, paired_items: 0 }),
    ]);
    expect(within(rowOf(1)).getByText('best')).toBeInTheDocument();
    const tied = within(rowOf(2)).getByText('tied with best');
    expect(tied).toHaveAttribute('title', expect.stringContaining('p = 0.410'));
    expect(within(rowOf(3)).queryByText('tied with best')).not.toBeInTheDocument();
    expect(within(rowOf(3)).getByText('−0.300')).toBeInTheDocument();
    expect(within(rowOf(3)).getByText(/p < 0.001/)).toBeInTheDocument();
    expect(within(rowOf(4)).getByText('not compared')).toBeInTheDocument();
  });

  it('shows each interval as text and as a bar on one scale shared by every row', () => {
    renderTable([row(1, { score: 0.9, ci95: [0.8, 1.0] }), row(2, { score: 0.5, ci95: [0.0, 0.6] })]);
    expect(within(rowOf(1)).getByText(/0\.800–1\.000/)).toBeInTheDocument();
    expect(within(rowOf(2)).getByText(/0\.000–0\.600/)).toBeInTheDocument();
    // The scale runs from 0 (row 2's low) to 1 (row 1's high).
    const first = within(rowOf(1)).getByTestId('ci-bar');
    expect(first.style.left).toBe('80%');
    expect(parseFloat(first.style.width)).toBeCloseTo(20);
    const second = within(rowOf(2)).getByTestId('ci-bar');
    expect(second.style.left).toBe('0%');
    expect(parseFloat(second.style.width)).toBeCloseTo(60);
  });

  it('says when a config has no interval yet', () => {
    renderTable([row(1, { score: 1, n: 1, ci95: null })]);
    expect(within(rowOf(1)).getByText('no interval')).toBeInTheDocument();
    expect(within(rowOf(1)).queryByTestId('ci-bar')).not.toBeInTheDocument();
  });

  it('labels rows the endpoint sends without a label from their config', () => {
    renderTable([
      row(1, { config: { prompt: 'terse', endpoint: 'sim', model: 'sim-echo', params: { temperature: 0.7, max_tokens: 256 } } }),
    ]);
    expect(within(rowOf(1)).getByText('terse / sim:sim-echo (max_tokens=256, temperature=0.7)')).toBeInTheDocument();
  });

  it('opens the promotion form under the row it promotes', async () => {
    renderTable([row(1), row(2)], { canPromote: true });
    await userEvent.setup().click(screen.getByRole('button', { name: /^Promote prompt-2 .* to label$/ }));
    const form = screen.getByRole('form', { name: /^Promote prompt-2/ });
    expect(within(form).getByLabelText('Label')).toHaveValue('production');
    expect(rowOf(2).nextElementSibling).toContainElement(form);
  });
});
